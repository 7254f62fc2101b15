-- When the researcher last opened a record on this laptop: a returned
-- record's review threads are "seen" from then on (survey.BuildReview).
-- Local to the laptop; nothing here is synced.

CREATE TABLE review_seen (
	record_id TEXT PRIMARY KEY REFERENCES records(id),
	at        INTEGER NOT NULL -- unix milliseconds
) STRICT;
