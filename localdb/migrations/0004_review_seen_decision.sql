-- What the researcher saw is a decision, not a time: the clocks of the
-- laptop and the server differ, the order of the versions here does not.

ALTER TABLE review_seen ADD COLUMN decision TEXT NOT NULL DEFAULT '';
