-- The feed names an instrument version "id:version" (changes.go,
-- instrumentRef), as PostgreSQL's text cannot hold the NUL byte that
-- separated them before.
UPDATE feed SET ref = replace(ref, char(0), ':') WHERE kind = 'instrument';
