-- Subject access requests (docs/data-protection.md, "The rights of a data subject"): which
-- party records are the person asking (an operator picked them, since a person is a party
-- record per case), when the request was received and when the answer is due (one calendar
-- month, three if extended), and when it was answered and closed. The answers themselves are
-- written to files the operator sends; the hub keeps only this register and the audit entries.
CREATE TABLE subject_access_requests (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    -- JSON list of the party ids that are the subject.
    parties     TEXT NOT NULL,
    received_on TEXT NOT NULL,
    due_on      TEXT NOT NULL,
    extended    INTEGER NOT NULL DEFAULT 0,
    -- Who asked, in the operator's words (the person, or someone acting for them).
    requester   TEXT,
    opened_at   INTEGER NOT NULL,
    exported_at INTEGER,
    closed_at   INTEGER
);
