-- The hub's first schema: who may sync, which cases exist and who holds them, and the op log.

CREATE TABLE hub_meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

CREATE TABLE users (
    id         TEXT PRIMARY KEY,
    name       TEXT NOT NULL UNIQUE,
    role       TEXT NOT NULL CHECK (role IN ('facilitator', 'supervisor', 'coordinator', 'admin')),
    team       TEXT,
    created_at INTEGER NOT NULL
);

CREATE TABLE devices (
    id         TEXT PRIMARY KEY,
    user_id    TEXT NOT NULL REFERENCES users (id),
    name       TEXT NOT NULL,
    token_hash TEXT NOT NULL UNIQUE,
    created_at INTEGER NOT NULL,
    last_seen  INTEGER,
    revoked_at INTEGER,
    wipe       INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE enrollment_codes (
    code_hash  TEXT PRIMARY KEY,
    user_id    TEXT NOT NULL REFERENCES users (id),
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL,
    used_at    INTEGER,
    device_id  TEXT REFERENCES devices (id)
);

CREATE TABLE cases (
    id         TEXT PRIMARY KEY,
    reference  TEXT NOT NULL UNIQUE,
    lead       TEXT REFERENCES users (id),
    co         TEXT REFERENCES users (id),
    team       TEXT,
    created_at INTEGER NOT NULL
);

CREATE TABLE reference_counters (
    year INTEGER PRIMARY KEY,
    last INTEGER NOT NULL
);

-- seq is the sync cursor: assigned inside the insert transaction, never reused.
CREATE TABLE ops (
    seq               INTEGER PRIMARY KEY AUTOINCREMENT,
    op_id             TEXT NOT NULL UNIQUE,
    case_id           TEXT NOT NULL REFERENCES cases (id),
    op_json           TEXT NOT NULL,
    received_at       INTEGER NOT NULL,
    from_device       TEXT REFERENCES devices (id),
    quarantine_reason TEXT
);

CREATE INDEX ops_by_case ON ops (case_id, seq);
