-- Who made each laptop code: '' for the server's administrator (the
-- sinba-server command), or the id of the coordinator's app that asked for
-- it. The device enrolled with the code carries it on, so every list of
-- devices (and the teammate asked to hand over the team key) can say so.
ALTER TABLE enrol_codes ADD COLUMN minted_by TEXT NOT NULL DEFAULT '';
ALTER TABLE devices ADD COLUMN minted_by TEXT NOT NULL DEFAULT '';
