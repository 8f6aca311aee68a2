-- The audit trail (docs/data-protection.md): one append-only entry for every delivery of case
-- data, every push, every admin command, every enrollment and every refused request. Each
-- entry's hash covers the previous entry's hash and the entry's own text, so altering,
-- deleting or reordering an entry breaks the chain from there on (`casebook-hub audit verify`).
-- The other columns repeat what `entry_json` says, for queries; verify checks that they agree.
CREATE TABLE audit (
    seq        INTEGER PRIMARY KEY,
    at_ms      INTEGER NOT NULL,
    action     TEXT NOT NULL,
    user_id    TEXT,
    device_id  TEXT,
    entry_json TEXT NOT NULL,
    prev_hash  TEXT NOT NULL,
    hash       TEXT NOT NULL
);
CREATE INDEX audit_by_user ON audit (user_id, seq);
CREATE INDEX audit_by_time ON audit (at_ms);

-- Which cases an entry concerns, to answer "who saw this case" without reading every entry.
CREATE TABLE audit_cases (
    seq     INTEGER NOT NULL REFERENCES audit (seq),
    case_id TEXT NOT NULL,
    PRIMARY KEY (seq, case_id)
) WITHOUT ROWID;
CREATE INDEX audit_cases_by_case ON audit_cases (case_id, seq);
