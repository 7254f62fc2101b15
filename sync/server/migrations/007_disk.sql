-- Less disk per revision. The feed keeps one index, feed_by_project: every
-- read of the feed takes a project's rows in seq order (the coordinators'
-- page passes over the instruments as it goes), so feed_by_kind was written
-- with every row and read by no query. A revision says which wire format it
-- came in instead of repeating its batch's id: in format 2 its header is
-- its batch's (batch_headers.batch_id = revisions.batch_id).
DROP INDEX feed_by_kind;
ALTER TABLE revisions ADD COLUMN format INTEGER NOT NULL DEFAULT 1;
UPDATE revisions SET format = 2 WHERE header <> '';
ALTER TABLE revisions DROP COLUMN header;
