-- Ops from the hub that this store will not apply (the judgement refused them, or the tables
-- could not take them), kept with the reason instead of blocking the pull: the cursor moves
-- on, the sync indicator counts them, `casebook status` and `verify` report them.
CREATE TABLE set_aside_ops (
    op_id        TEXT PRIMARY KEY NOT NULL,
    case_id      TEXT NOT NULL,
    hub_seq      INTEGER NOT NULL,
    op           TEXT NOT NULL,
    code         TEXT NOT NULL,
    reason       TEXT NOT NULL,
    set_aside_at TEXT NOT NULL
) WITHOUT ROWID;
CREATE INDEX set_aside_case ON set_aside_ops (case_id);
