-- Risk and safety assessments, and supervisors' sign-offs. Where an assessment stands (draft,
-- submitted, approved, returned) is derived from its submission and the sign-offs that answer
-- it (crates/domain/src/risk.rs), never stored.
CREATE TABLE risk_assessments (
    rid                      INTEGER PRIMARY KEY,
    id                       TEXT NOT NULL UNIQUE,
    case_id                  TEXT NOT NULL REFERENCES cases (id),
    rating                   TEXT NOT NULL,
    factors                  TEXT NOT NULL DEFAULT '{}',
    mitigations              TEXT NOT NULL DEFAULT '',
    submission               TEXT,
    submitted_on             TEXT,
    circumstances_changed_on TEXT,
    circumstances            TEXT,
    created_at               TEXT NOT NULL,
    created_by               TEXT NOT NULL,
    device_id                TEXT NOT NULL,
    created_op               TEXT NOT NULL
);
CREATE INDEX risk_assessments_case ON risk_assessments (case_id);

-- Append-only, like supervision notes.
CREATE TABLE sign_offs (
    rid             INTEGER PRIMARY KEY,
    id              TEXT NOT NULL UNIQUE,
    case_id         TEXT NOT NULL REFERENCES cases (id),
    risk_assessment TEXT NOT NULL REFERENCES risk_assessments (id),
    submission      TEXT NOT NULL,
    decision        TEXT NOT NULL,
    note            TEXT,
    date            TEXT NOT NULL,
    created_at      TEXT NOT NULL,
    created_by      TEXT NOT NULL,
    device_id       TEXT NOT NULL,
    created_op      TEXT NOT NULL
);
CREATE INDEX sign_offs_case ON sign_offs (case_id);
CREATE INDEX sign_offs_subject ON sign_offs (risk_assessment);
