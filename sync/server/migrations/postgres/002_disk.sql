-- The SQLite store's 007_disk.sql: the feed's one index is feed_by_project,
-- and a revision says which wire format it came in (its header, in format
-- 2, is its batch's) instead of repeating its batch's id.
DROP INDEX feed_by_kind;
ALTER TABLE revisions ADD COLUMN format BIGINT NOT NULL DEFAULT 1;
UPDATE revisions SET format = 2 WHERE header <> '';
ALTER TABLE revisions DROP COLUMN header;
