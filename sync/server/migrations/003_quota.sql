-- What each device and each team has made the server store, in bytes:
-- ciphertexts, a fixed allowance per row for the envelope, and receipts.
-- Quotas (Config.DeviceQuota, TeamQuota) are checked against these.
ALTER TABLE devices ADD COLUMN stored_bytes INTEGER NOT NULL DEFAULT 0;
ALTER TABLE teams ADD COLUMN stored_bytes INTEGER NOT NULL DEFAULT 0;
UPDATE devices SET stored_bytes =
	(SELECT coalesce(sum(size), 0) + 512 * count(*) FROM revisions WHERE device_id = devices.id) +
	(SELECT coalesce(sum(length(receipt)), 0) + 512 * count(*) FROM batches WHERE device_id = devices.id);
UPDATE teams SET stored_bytes = (SELECT coalesce(sum(stored_bytes), 0) FROM devices WHERE team_id = teams.id);
