-- The hub's schema on PostgreSQL (issue 11): what migrations/hub V1..V9 make on SQLite, for
-- several hub processes on one database, with nothing readable at rest.
--
-- Sealed (bytea, storage/seal.rs): every payload, name and free text, as
-- `[version][key id][nonce][ciphertext + tag]` under XChaCha20-Poly1305, the associated data
-- naming table, column and row (`row_aad`), so a value moved to another row does not open.
-- In clear: only what indexes, joins and scope need: ids, sequence numbers, times (ms since the
-- epoch, bigint, as on SQLite), roles, teams, entity kinds, flags, hashes.
-- Blind indexes (`*_index` bytea): HMAC-SHA256 of the normalised value under a key derived
-- from the hub key for that column alone (storage/blind.rs), where a sealed value must be
-- found or kept unique.

-- Settings of the hub as a whole: its own user and device ids, its clock, the recovery
-- recipient (a public key). Nothing personal.
CREATE TABLE hub_meta (
    key   text PRIMARY KEY,
    value text NOT NULL
);

-- The data keys sealed values name: a hub that starts checks it can open `probe` (a constant
-- sealed under that key) for every id, so a wrong hub key is refused at start, never after
-- writing rows under it. The highest id is the key new values are sealed under.
CREATE TABLE seal_keys (
    key_id     integer PRIMARY KEY CHECK (key_id > 0),
    probe      bytea NOT NULL,
    created_at bigint NOT NULL
);

-- The pull cursor's sequence, one row. A push takes it with `UPDATE op_seq SET last = last + n
-- RETURNING last` at the end of its transaction, just before it inserts its ops, and holds the
-- row lock until it commits: sequence numbers are handed out in commit order, so a reader that
-- sees op N already sees every op below N (docs/hub.md, "Several hub processes on PostgreSQL").
CREATE TABLE op_seq (
    id   boolean PRIMARY KEY DEFAULT true CHECK (id),
    last bigint NOT NULL CHECK (last >= 0)
);
INSERT INTO op_seq (id, last) VALUES (true, 0);

CREATE TABLE users (
    id         uuid PRIMARY KEY,
    -- The user's name, sealed; `name_index` finds it and keeps it unique.
    name       bytea NOT NULL,
    name_index bytea NOT NULL UNIQUE,
    role       text NOT NULL CHECK (role IN ('facilitator', 'supervisor', 'coordinator', 'admin')),
    team       text,
    created_at bigint NOT NULL
);

CREATE TABLE devices (
    id             uuid PRIMARY KEY,
    user_id        uuid NOT NULL REFERENCES users (id),
    -- The device's name ("Sam's laptop"), sealed.
    name           bytea NOT NULL,
    -- SHA-256 of the device token, hex: a hash already, and what authentication looks up.
    token_hash     text NOT NULL UNIQUE,
    created_at     bigint NOT NULL,
    last_seen      bigint,
    revoked_at     bigint,
    wipe           boolean NOT NULL DEFAULT false,
    drained_at     bigint,
    handed_over_at bigint,
    ops_held       bigint NOT NULL DEFAULT 0
);
CREATE INDEX devices_user ON devices (user_id);
CREATE INDEX devices_last_seen ON devices (last_seen);

CREATE TABLE enrollment_codes (
    code_hash  text PRIMARY KEY,
    user_id    uuid NOT NULL REFERENCES users (id),
    created_at bigint NOT NULL,
    expires_at bigint NOT NULL,
    used_at    bigint,
    device_id  uuid REFERENCES devices (id)
);

-- Attempts per client and window, shared by every hub process (one process's memory would let a
-- client try N times per process). `bucket` names the limit ('enroll': enrollment attempts per
-- client address); `client` is HMAC-SHA256 of the address under a key derived from the hub
-- key, so addresses are not stored. An attempt is one upsert that starts a new window once the
-- old one is over and otherwise adds one; old windows are deleted now and then.
CREATE TABLE rate_limits (
    bucket       text NOT NULL,
    client       bytea NOT NULL,
    window_start bigint NOT NULL,
    attempts     integer NOT NULL CHECK (attempts >= 0),
    PRIMARY KEY (bucket, client)
);
CREATE INDEX rate_limits_window ON rate_limits (window_start);

-- The scope columns (lead, co, team) stay in clear: every pull selects cases by them.
-- `reference` (RH-2026-0042) is the hub's own numbering, no one's name.
CREATE TABLE cases (
    id         uuid PRIMARY KEY,
    reference  text NOT NULL UNIQUE,
    lead       uuid REFERENCES users (id),
    co         uuid REFERENCES users (id),
    team       text,
    created_at bigint NOT NULL
);
CREATE INDEX cases_lead ON cases (lead);
CREATE INDEX cases_co ON cases (co);
CREATE INDEX cases_team ON cases (team);

CREATE TABLE reference_counters (
    year integer PRIMARY KEY,
    last integer NOT NULL
);

-- The op log. `seq` comes from op_seq (above), never from a sequence object: nextval() hands
-- numbers out in call order, not commit order. `payload` is the op's JSON, sealed with the
-- associated data ('ops', 'payload', op_id); `quarantine_reason` likewise, and `quarantined`
-- says in clear whether there is one, for the pull's filter.
CREATE TABLE ops (
    seq               bigint PRIMARY KEY,
    op_id             uuid NOT NULL UNIQUE,
    case_id           uuid NOT NULL REFERENCES cases (id),
    payload           bytea NOT NULL,
    received_at       bigint NOT NULL,
    from_device       uuid REFERENCES devices (id),
    quarantined       boolean NOT NULL DEFAULT false,
    quarantine_reason bytea,
    CHECK (quarantined = (quarantine_reason IS NOT NULL))
);
-- A pull's page is found in this index alone (seq and the flag are in it).
CREATE INDEX ops_by_case ON ops (case_id, seq) INCLUDE (quarantined);
CREATE INDEX ops_from_device ON ops (from_device);

-- Every record the hub holds an op for, with its case (the trust boundary's facts).
-- `entity` is a kind ('contact', 'party', ...), not content.
CREATE TABLE records (
    id        uuid PRIMARY KEY,
    case_id   uuid NOT NULL REFERENCES cases (id),
    entity    text NOT NULL,
    finalised boolean NOT NULL DEFAULT false
);
CREATE INDEX records_case ON records (case_id);

-- Who held a case until a reassignment took it from them.
CREATE TABLE former_holders (
    case_id  uuid NOT NULL REFERENCES cases (id),
    user_id  uuid,
    team     text,
    until_ms bigint NOT NULL
);
CREATE INDEX former_holders_case ON former_holders (case_id);

-- The audit trail: a hash chain over the entries' plaintext JSON. `entry` is that JSON sealed
-- with ('audit', 'entry', seq); the hashes stay in clear so the chain's head can be compared
-- with the one kept elsewhere without the key. The columns beside them repeat the entry for
-- queries, as on SQLite.
CREATE TABLE audit (
    seq       bigint PRIMARY KEY,
    at_ms     bigint NOT NULL,
    action    text NOT NULL,
    user_id   uuid,
    device_id uuid,
    entry     bytea NOT NULL,
    prev_hash text NOT NULL,
    hash      text NOT NULL
);
CREATE INDEX audit_by_user ON audit (user_id, seq);
CREATE INDEX audit_by_time ON audit (at_ms);

-- The chain's head, one row: appending takes it FOR UPDATE (the entry's seq and prev_hash
-- come from it) and moves it in the same transaction, so processes append one after another.
CREATE TABLE audit_head (
    id   boolean PRIMARY KEY DEFAULT true CHECK (id),
    seq  bigint NOT NULL,
    hash text NOT NULL
);
-- An empty chain: seq 0 and the genesis hash (crate::audit::GENESIS).
INSERT INTO audit_head (id, seq, hash)
    VALUES (true, 0, '0000000000000000000000000000000000000000000000000000000000000000');

CREATE TABLE audit_cases (
    seq     bigint NOT NULL REFERENCES audit (seq),
    case_id uuid NOT NULL,
    PRIMARY KEY (seq, case_id)
);
CREATE INDEX audit_cases_by_case ON audit_cases (case_id, seq);

-- Years a closed case is kept, by outcome ('*': every other outcome). An operator's setting,
-- matched in clear (trimmed, lower-cased); the outcome words of a case are in its sealed ops.
CREATE TABLE retention_periods (
    outcome text PRIMARY KEY,
    years   integer NOT NULL CHECK (years BETWEEN 0 AND 100),
    set_at  bigint NOT NULL
);
INSERT INTO retention_periods (outcome, years, set_at) VALUES ('*', 6, 0);

-- A legal hold: the reason and the operator who set it, sealed.
CREATE TABLE legal_holds (
    case_id uuid PRIMARY KEY REFERENCES cases (id),
    reason  bytea NOT NULL,
    held_by bytea,
    held_at bigint NOT NULL
);

-- What is left of an erased case. The operator's name is sealed; dates are days (YYYY-MM-DD).
CREATE TABLE purged_cases (
    case_id     uuid PRIMARY KEY,
    reference   text NOT NULL,
    received_on text,
    closed_on   text,
    years       integer,
    ordered_by  bytea,
    ordered_at  bigint NOT NULL
);

CREATE TABLE purge_confirmations (
    case_id      uuid NOT NULL REFERENCES purged_cases (case_id),
    device_id    uuid NOT NULL REFERENCES devices (id),
    confirmed_at bigint,
    held         boolean,
    PRIMARY KEY (device_id, case_id)
);
CREATE INDEX purge_confirmations_by_case ON purge_confirmations (case_id);

-- Subject access requests: who the subject is (the party ids, as JSON) and who asked are sealed.
CREATE TABLE subject_access_requests (
    id          bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
    parties     bytea NOT NULL,
    received_on text NOT NULL,
    due_on      text NOT NULL,
    extended    boolean NOT NULL DEFAULT false,
    requester   bytea,
    opened_at   bigint NOT NULL,
    exported_at bigint,
    closed_at   bigint
);
