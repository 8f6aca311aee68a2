-- How many ops the hub has taken from each device, ever (docs/protocol.md, "Pull"). A device
-- that counts as many of its own ops answered as held is not sent them back in its pulls: after
-- a week offline, the sync that pushes the week's work no longer downloads it again. Only ever
-- raised, by the push that stores the ops; an erased case lowers it neither here nor on the
-- device, so both counts stay comparable.
ALTER TABLE devices ADD COLUMN ops_held INTEGER NOT NULL DEFAULT 0;
UPDATE devices SET ops_held = (SELECT COUNT(*) FROM ops WHERE ops.from_device = devices.id);
