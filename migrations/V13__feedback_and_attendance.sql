-- Who took part in a held meeting (a JSON list of party ids, like `attendees`); a meeting held
-- before this was recorded has none, and is read as its attendees.
ALTER TABLE meetings ADD COLUMN attended TEXT;

-- A party's feedback at follow-up, given with their consent to follow-up (append-only).
CREATE TABLE feedback (
    rid          INTEGER PRIMARY KEY,
    id           TEXT NOT NULL UNIQUE,
    case_id      TEXT NOT NULL REFERENCES cases (id),
    party        TEXT NOT NULL REFERENCES parties (id),
    satisfaction TEXT NOT NULL,
    recommend    INTEGER,
    words        TEXT NOT NULL DEFAULT '',
    date         TEXT NOT NULL,
    created_at   TEXT NOT NULL,
    created_by   TEXT NOT NULL,
    device_id    TEXT NOT NULL,
    created_op   TEXT NOT NULL
);
CREATE INDEX feedback_case ON feedback (case_id);
