-- Sync bookkeeping: why the hub refused an op, and the conflicts a person must resolve.

ALTER TABLE ops ADD COLUMN push_error TEXT;
-- Why the hub flagged an op for a supervisor (a late note on a reassigned case).
ALTER TABLE ops ADD COLUMN flag TEXT;

-- Two concurrent edits of a text field: the winner (by HLC) is the field's value; the loser's
-- text is kept here until a person chooses. Local to this device: each replica that sees both
-- edits records the same conflict, and an edit that replaces the winner resolves it everywhere.
CREATE TABLE conflicts (
    id            TEXT PRIMARY KEY NOT NULL,
    case_id       TEXT NOT NULL,
    entity        TEXT NOT NULL,
    entity_id     TEXT NOT NULL,
    field         TEXT NOT NULL,
    winner_op     TEXT NOT NULL,
    loser_op      TEXT NOT NULL,
    loser_value   TEXT,
    detected_at   TEXT NOT NULL,
    resolved_at   TEXT,
    resolution_op TEXT,
    UNIQUE (loser_op, field)
);
CREATE INDEX conflicts_open ON conflicts (entity_id, field) WHERE resolved_at IS NULL;

-- Ops from the hub whose record is not here yet (an edit that overtook its create, e.g. while a
-- newly assigned case's history is still being fetched). Applied as soon as the record exists;
-- they are not in the op log until then.
CREATE TABLE orphan_ops (
    op_id   TEXT PRIMARY KEY NOT NULL,
    hub_seq INTEGER NOT NULL,
    op      TEXT NOT NULL,
    flag    TEXT
) WITHOUT ROWID;
