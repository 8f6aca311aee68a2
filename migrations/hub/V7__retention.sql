-- Retention and purge (docs/data-protection.md, "How long it is kept"): how long closed cases
-- are kept, legal holds, and the tombstones of erased cases with each device's confirmation.

-- Years a case is kept after it closed, by outcome (matched trimmed and lower-cased); the
-- row '*' is every other outcome.
CREATE TABLE retention_periods (
    outcome TEXT PRIMARY KEY NOT NULL,
    years   INTEGER NOT NULL CHECK (years BETWEEN 0 AND 100),
    set_at  INTEGER NOT NULL
) WITHOUT ROWID;
INSERT INTO retention_periods (outcome, years, set_at) VALUES ('*', 6, 0);

-- A case under a legal hold is never erased, whatever its period says. The reason stays here
-- and not in the audit trail, which cannot be erased and must not name people.
CREATE TABLE legal_holds (
    case_id TEXT PRIMARY KEY NOT NULL REFERENCES cases (id),
    reason  TEXT NOT NULL,
    held_by TEXT,
    held_at INTEGER NOT NULL
) WITHOUT ROWID;

-- What is left of an erased case: its id and reference, its dates, who ordered the purge.
-- An op for it arriving later is refused (`purged`), never stored.
CREATE TABLE purged_cases (
    case_id     TEXT PRIMARY KEY NOT NULL,
    reference   TEXT NOT NULL,
    received_on TEXT,
    closed_on   TEXT,
    years       INTEGER,
    ordered_by  TEXT,
    ordered_at  INTEGER NOT NULL
) WITHOUT ROWID;

-- Every device that was active when the case was erased is told to erase it too, and says
-- when it did (`held`: whether it had anything of the case).
CREATE TABLE purge_confirmations (
    case_id      TEXT NOT NULL REFERENCES purged_cases (case_id),
    device_id    TEXT NOT NULL REFERENCES devices (id),
    confirmed_at INTEGER,
    held         INTEGER,
    PRIMARY KEY (device_id, case_id)
) WITHOUT ROWID;
CREATE INDEX purge_confirmations_by_case ON purge_confirmations (case_id);
