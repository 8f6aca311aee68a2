-- Casebook local store, schema 1. Append-only: later changes are new files.
-- Every entity table has an explicit INTEGER PRIMARY KEY so its rowid survives VACUUM:
-- the full-text indexes below refer to it.

CREATE TABLE meta (
    key   TEXT PRIMARY KEY NOT NULL,
    value TEXT NOT NULL
) WITHOUT ROWID;

CREATE TABLE cases (
    rid         INTEGER PRIMARY KEY,
    id          TEXT NOT NULL UNIQUE,
    reference   TEXT NOT NULL,
    kind        TEXT NOT NULL,
    stage       TEXT NOT NULL,
    status      TEXT NOT NULL,
    source      TEXT NOT NULL,
    referrer    TEXT,
    summary     TEXT NOT NULL,
    received_on TEXT NOT NULL,
    court_date  TEXT,
    outcome     TEXT,
    lead        TEXT,
    created_at  TEXT NOT NULL,
    created_by  TEXT NOT NULL,
    device_id   TEXT NOT NULL,
    created_op  TEXT NOT NULL
);
CREATE INDEX cases_reference ON cases (reference);

CREATE TABLE parties (
    rid         INTEGER PRIMARY KEY,
    id          TEXT NOT NULL UNIQUE,
    case_id     TEXT NOT NULL REFERENCES cases (id),
    role        TEXT NOT NULL,
    name        TEXT NOT NULL,
    phone       TEXT,
    minor       INTEGER NOT NULL DEFAULT 0,
    guardian_of TEXT,
    created_at  TEXT NOT NULL,
    created_by  TEXT NOT NULL,
    device_id   TEXT NOT NULL,
    created_op  TEXT NOT NULL
);
CREATE INDEX parties_case ON parties (case_id);

CREATE TABLE contacts (
    rid                INTEGER PRIMARY KEY,
    id                 TEXT NOT NULL UNIQUE,
    case_id            TEXT NOT NULL REFERENCES cases (id),
    kind               TEXT NOT NULL,
    date               TEXT NOT NULL,
    notes              TEXT NOT NULL DEFAULT '',
    state              TEXT NOT NULL,
    initiated_by_party INTEGER NOT NULL DEFAULT 0,
    party_ids          TEXT NOT NULL,
    amends             TEXT,
    finalised_on       TEXT,
    created_at         TEXT NOT NULL,
    created_by         TEXT NOT NULL,
    device_id          TEXT NOT NULL,
    created_op         TEXT NOT NULL
);
CREATE INDEX contacts_case ON contacts (case_id, date);
-- The caseload counts drafts per case from this index alone, without reading any notes.
CREATE INDEX contacts_drafts ON contacts (case_id) WHERE state = 'draft';

CREATE TABLE consents (
    rid        INTEGER PRIMARY KEY,
    id         TEXT NOT NULL UNIQUE,
    case_id    TEXT NOT NULL REFERENCES cases (id),
    party_id   TEXT NOT NULL REFERENCES parties (id),
    scope      TEXT NOT NULL,
    decision   TEXT NOT NULL,
    method     TEXT NOT NULL,
    date       TEXT NOT NULL,
    note       TEXT,
    created_at TEXT NOT NULL,
    created_by TEXT NOT NULL,
    device_id  TEXT NOT NULL,
    created_op TEXT NOT NULL
);
CREATE INDEX consents_case ON consents (case_id);

CREATE TABLE status_changes (
    rid         INTEGER PRIMARY KEY,
    id          TEXT NOT NULL UNIQUE,
    case_id     TEXT NOT NULL REFERENCES cases (id),
    from_status TEXT NOT NULL,
    to_status   TEXT NOT NULL,
    transition  TEXT NOT NULL,
    outcome     TEXT,
    date        TEXT NOT NULL,
    created_at  TEXT NOT NULL,
    created_by  TEXT NOT NULL,
    device_id   TEXT NOT NULL,
    created_op  TEXT NOT NULL
);
CREATE INDEX status_changes_case ON status_changes (case_id);

-- The op log: every change above is written here in the same transaction.
-- push_state: 0 waiting to be pushed, 1 held by the hub, 2 refused by the hub;
-- NULL for ops that came from the hub.
CREATE TABLE ops (
    seq            INTEGER PRIMARY KEY,
    op_id          TEXT NOT NULL UNIQUE,
    case_id        TEXT NOT NULL,
    entity         TEXT NOT NULL,
    entity_id      TEXT NOT NULL,
    kind           TEXT NOT NULL,
    fields         TEXT NOT NULL,
    replaces       TEXT,
    hlc            TEXT NOT NULL,
    author         TEXT NOT NULL,
    device         TEXT NOT NULL,
    schema_version INTEGER NOT NULL,
    push_state     INTEGER,
    hub_seq        INTEGER
);
CREATE INDEX ops_case ON ops (case_id);
CREATE INDEX ops_pending ON ops (seq) WHERE push_state = 0;

-- The op that set each edited field's current value, for last-writer-wins merge and for
-- the `replaces` of the next edit. A field never edited is still as its create op set it.
CREATE TABLE field_versions (
    entity_id TEXT NOT NULL,
    field     TEXT NOT NULL,
    op_id     TEXT NOT NULL,
    hlc       TEXT NOT NULL,
    PRIMARY KEY (entity_id, field)
) WITHOUT ROWID;

-- Full-text search inside the encrypted file: no plaintext index anywhere else.
CREATE VIRTUAL TABLE cases_fts USING fts5 (
    summary, content = 'cases', content_rowid = 'rid', tokenize = 'unicode61 remove_diacritics 2'
);
CREATE VIRTUAL TABLE parties_fts USING fts5 (
    name, content = 'parties', content_rowid = 'rid', tokenize = 'unicode61 remove_diacritics 2'
);
CREATE VIRTUAL TABLE contacts_fts USING fts5 (
    notes, content = 'contacts', content_rowid = 'rid', tokenize = 'unicode61 remove_diacritics 2'
);

CREATE TRIGGER cases_fts_insert AFTER INSERT ON cases BEGIN
    INSERT INTO cases_fts (rowid, summary) VALUES (new.rid, new.summary);
END;
CREATE TRIGGER cases_fts_update AFTER UPDATE OF summary ON cases BEGIN
    INSERT INTO cases_fts (cases_fts, rowid, summary) VALUES ('delete', old.rid, old.summary);
    INSERT INTO cases_fts (rowid, summary) VALUES (new.rid, new.summary);
END;
CREATE TRIGGER cases_fts_delete AFTER DELETE ON cases BEGIN
    INSERT INTO cases_fts (cases_fts, rowid, summary) VALUES ('delete', old.rid, old.summary);
END;

CREATE TRIGGER parties_fts_insert AFTER INSERT ON parties BEGIN
    INSERT INTO parties_fts (rowid, name) VALUES (new.rid, new.name);
END;
CREATE TRIGGER parties_fts_update AFTER UPDATE OF name ON parties BEGIN
    INSERT INTO parties_fts (parties_fts, rowid, name) VALUES ('delete', old.rid, old.name);
    INSERT INTO parties_fts (rowid, name) VALUES (new.rid, new.name);
END;
CREATE TRIGGER parties_fts_delete AFTER DELETE ON parties BEGIN
    INSERT INTO parties_fts (parties_fts, rowid, name) VALUES ('delete', old.rid, old.name);
END;

CREATE TRIGGER contacts_fts_insert AFTER INSERT ON contacts BEGIN
    INSERT INTO contacts_fts (rowid, notes) VALUES (new.rid, new.notes);
END;
CREATE TRIGGER contacts_fts_update AFTER UPDATE OF notes ON contacts BEGIN
    INSERT INTO contacts_fts (contacts_fts, rowid, notes) VALUES ('delete', old.rid, old.notes);
    INSERT INTO contacts_fts (rowid, notes) VALUES (new.rid, new.notes);
END;
CREATE TRIGGER contacts_fts_delete AFTER DELETE ON contacts BEGIN
    INSERT INTO contacts_fts (contacts_fts, rowid, notes) VALUES ('delete', old.rid, old.notes);
END;
