-- The caseload's derived columns of each case: its next deadline, its draft contacts and its
-- parties' names, kept so that the caseload is one read and a window of it a LIMIT. An op marks
-- its case in caseload_stale in the op's own transaction; the next read of the caseload
-- recomputes the marked cases in Rust (store::caseload) and clears the marks. Every case starts
-- marked. A change to how deadlines are derived adds a migration that marks every case again.
-- `sort_key` orders the caseload (what falls due soonest, then newest first, then reference) so
-- that a window of it walks an index instead of sorting every case.
CREATE TABLE caseload_rows (
    case_id TEXT PRIMARY KEY REFERENCES cases (id) ON DELETE CASCADE,
    closed INTEGER NOT NULL,
    sort_key TEXT NOT NULL,
    due_on TEXT,
    due_kind TEXT,
    drafts INTEGER NOT NULL,
    parties TEXT NOT NULL
) WITHOUT ROWID;
CREATE INDEX caseload_rows_open ON caseload_rows (closed, sort_key);
CREATE INDEX caseload_rows_all ON caseload_rows (sort_key);

CREATE TABLE caseload_stale (case_id TEXT PRIMARY KEY) WITHOUT ROWID;
INSERT INTO caseload_stale (case_id) SELECT id FROM cases;
