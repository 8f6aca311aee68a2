-- The information barrier, the agreement and the pre-sentence court report.

-- What a party agreed may be passed to the other side, beside the contact's private notes.
ALTER TABLE contacts ADD COLUMN shareable TEXT;

-- The agreement reached at (or after) a meeting: actions with who, by when and how far along.
CREATE TABLE agreements (
    rid         INTEGER PRIMARY KEY,
    id          TEXT NOT NULL UNIQUE,
    case_id     TEXT NOT NULL REFERENCES cases (id),
    meeting     TEXT REFERENCES meetings (id),
    made_on     TEXT NOT NULL,
    actions     TEXT NOT NULL,
    how_agreed  TEXT NOT NULL DEFAULT '',
    review_on   TEXT,
    reviewed_on TEXT,
    created_at  TEXT NOT NULL,
    created_by  TEXT NOT NULL,
    device_id   TEXT NOT NULL,
    created_op  TEXT NOT NULL
);
CREATE INDEX agreements_case ON agreements (case_id);

-- A pre-sentence report to the court: submitted, then approved by a supervisor (a sign-off).
CREATE TABLE court_reports (
    rid             INTEGER PRIMARY KEY,
    id              TEXT NOT NULL UNIQUE,
    case_id         TEXT NOT NULL REFERENCES cases (id),
    what_took_place TEXT NOT NULL DEFAULT '',
    submission      TEXT,
    submitted_on    TEXT,
    created_at      TEXT NOT NULL,
    created_by      TEXT NOT NULL,
    device_id       TEXT NOT NULL,
    created_op      TEXT NOT NULL
);
CREATE INDEX court_reports_case ON court_reports (case_id);

-- A sign-off now answers a risk assessment or a court report: the subject columns become
-- optional (the op's validation requires exactly one), so the table is rebuilt.
CREATE TABLE sign_offs_new (
    rid             INTEGER PRIMARY KEY,
    id              TEXT NOT NULL UNIQUE,
    case_id         TEXT NOT NULL REFERENCES cases (id),
    risk_assessment TEXT REFERENCES risk_assessments (id),
    court_report    TEXT REFERENCES court_reports (id),
    submission      TEXT NOT NULL,
    decision        TEXT NOT NULL,
    note            TEXT,
    date            TEXT NOT NULL,
    created_at      TEXT NOT NULL,
    created_by      TEXT NOT NULL,
    device_id       TEXT NOT NULL,
    created_op      TEXT NOT NULL
);
INSERT INTO sign_offs_new (rid, id, case_id, risk_assessment, submission, decision, note, date, created_at,
                           created_by, device_id, created_op)
SELECT rid, id, case_id, risk_assessment, submission, decision, note, date, created_at, created_by, device_id,
       created_op
FROM sign_offs;
DROP TABLE sign_offs;
ALTER TABLE sign_offs_new RENAME TO sign_offs;
CREATE INDEX sign_offs_case ON sign_offs (case_id);
CREATE INDEX sign_offs_subject ON sign_offs (risk_assessment);
CREATE INDEX sign_offs_report ON sign_offs (court_report);
