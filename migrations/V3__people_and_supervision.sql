-- The team directory (names of the people whose user ids appear on cases, e.g. a case's lead)
-- and supervision notes.

-- Filled from the hub's pull answers; not rebuilt from the op log (no op carries it).
CREATE TABLE people (
    id         TEXT PRIMARY KEY NOT NULL,
    name       TEXT NOT NULL,
    role       TEXT NOT NULL,
    updated_at TEXT NOT NULL
) WITHOUT ROWID;

-- A supervisor's note on a case: append-only, like consents and status changes.
CREATE TABLE supervision_notes (
    rid        INTEGER PRIMARY KEY,
    id         TEXT NOT NULL UNIQUE,
    case_id    TEXT NOT NULL REFERENCES cases (id),
    text       TEXT NOT NULL,
    date       TEXT NOT NULL,
    created_at TEXT NOT NULL,
    created_by TEXT NOT NULL,
    device_id  TEXT NOT NULL,
    created_op TEXT NOT NULL
);
CREATE INDEX supervision_notes_case ON supervision_notes (case_id);
