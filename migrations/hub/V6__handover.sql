-- A laptop handed in: the hub held every op it had written, it was told so with a receipt
-- (recorded in the audit trail) and erased its store. The device is retired from then on.
ALTER TABLE devices ADD COLUMN handed_over_at INTEGER;
