-- Restorative meetings being prepared, and what people confirmed while preparing them. Whether
-- a meeting is ready is derived (crates/domain/src/meeting.rs), never stored.
CREATE TABLE meetings (
    rid          INTEGER PRIMARY KEY,
    id           TEXT NOT NULL UNIQUE,
    case_id      TEXT NOT NULL REFERENCES cases (id),
    kind         TEXT NOT NULL,
    planned_on   TEXT NOT NULL,
    planned_time TEXT,
    venue        TEXT NOT NULL DEFAULT '',
    attendees    TEXT NOT NULL,
    plan         TEXT NOT NULL DEFAULT '{}',
    held_on      TEXT,
    called_off   TEXT,
    created_at   TEXT NOT NULL,
    created_by   TEXT NOT NULL,
    device_id    TEXT NOT NULL,
    created_op   TEXT NOT NULL
);
CREATE INDEX meetings_case ON meetings (case_id);

-- Append-only, like consents: a confirmation is never edited.
CREATE TABLE meeting_checks (
    rid        INTEGER PRIMARY KEY,
    id         TEXT NOT NULL UNIQUE,
    case_id    TEXT NOT NULL REFERENCES cases (id),
    meeting    TEXT NOT NULL REFERENCES meetings (id),
    item       TEXT NOT NULL,
    party      TEXT REFERENCES parties (id),
    date       TEXT NOT NULL,
    created_at TEXT NOT NULL,
    created_by TEXT NOT NULL,
    device_id  TEXT NOT NULL,
    created_op TEXT NOT NULL
);
CREATE INDEX meeting_checks_case ON meeting_checks (case_id);
CREATE INDEX meeting_checks_meeting ON meeting_checks (meeting);
