-- The facts the hub judges ops by (docs/architecture.md, "The trust boundary"): the case of
-- every record, who held a case before it was reassigned, and a wiped device's last push.

-- Every record the hub holds an op for, with its case: an op may only change or point at
-- records of its own case. A contact is finalised once an op sets its state to finalised.
CREATE TABLE records (
    id        TEXT PRIMARY KEY NOT NULL,
    case_id   TEXT NOT NULL REFERENCES cases (id),
    entity    TEXT NOT NULL,
    finalised INTEGER NOT NULL DEFAULT 0
) WITHOUT ROWID;

INSERT OR IGNORE INTO records (id, case_id, entity)
    SELECT id, id, 'case' FROM cases;
INSERT OR IGNORE INTO records (id, case_id, entity)
    SELECT json_extract(op_json, '$.entity_id'), case_id, json_extract(op_json, '$.entity')
    FROM ops WHERE json_extract(op_json, '$.kind') = 'create' ORDER BY seq;
UPDATE records SET finalised = 1
    WHERE entity = 'contact' AND id IN (
        SELECT json_extract(op_json, '$.entity_id') FROM ops
        WHERE json_extract(op_json, '$.entity') = 'contact'
          AND json_extract(op_json, '$.fields.state') = 'finalised');

-- Who held a case until a reassignment took it from them (a lead or co by user, a supervisor
-- by team): a note they wrote before that moment is still taken, flagged for review.
CREATE TABLE former_holders (
    case_id  TEXT NOT NULL REFERENCES cases (id),
    user_id  TEXT,
    team     TEXT,
    until_ms INTEGER NOT NULL
);
CREATE INDEX former_holders_case ON former_holders (case_id);

-- A device revoked with a wipe may push once more (its last changes), then only hears the
-- order to wipe.
ALTER TABLE devices ADD COLUMN drained_at INTEGER;
