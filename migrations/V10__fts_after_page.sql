-- A pulled page indexes its new rows once, just before it commits, instead of row by row.
--
-- Every statement that writes a table with these triggers opens a statement savepoint (the
-- trigger writes a virtual table), and FTS5 flushes its pending terms to a new segment at every
-- savepoint: a page of 1,000 ops wrote ~1,000 tiny segments and merged them, a third of a first
-- sync's time. While `apply_remote` holds a row here for a table, rows created after its start
-- (rid > above) are skipped by the triggers and indexed in one INSERT … SELECT before commit;
-- older rows are indexed as before, since their old text is needed to delete their terms. The
-- row is written and removed inside the page's transaction, so no other reader ever sees it.
CREATE TABLE fts_deferred (
    tbl   TEXT PRIMARY KEY,
    above INTEGER NOT NULL
) WITHOUT ROWID;

DROP TRIGGER cases_fts_insert;
DROP TRIGGER cases_fts_update;
DROP TRIGGER cases_fts_delete;
DROP TRIGGER parties_fts_insert;
DROP TRIGGER parties_fts_update;
DROP TRIGGER parties_fts_delete;
DROP TRIGGER contacts_fts_insert;
DROP TRIGGER contacts_fts_update;
DROP TRIGGER contacts_fts_delete;

CREATE TRIGGER cases_fts_insert AFTER INSERT ON cases
WHEN NOT EXISTS (SELECT 1 FROM fts_deferred WHERE tbl = 'cases' AND new.rid > above) BEGIN
    INSERT INTO cases_fts (rowid, summary) VALUES (new.rid, new.summary);
END;
CREATE TRIGGER cases_fts_update AFTER UPDATE OF summary ON cases
WHEN NOT EXISTS (SELECT 1 FROM fts_deferred WHERE tbl = 'cases' AND old.rid > above) BEGIN
    INSERT INTO cases_fts (cases_fts, rowid, summary) VALUES ('delete', old.rid, old.summary);
    INSERT INTO cases_fts (rowid, summary) VALUES (new.rid, new.summary);
END;
CREATE TRIGGER cases_fts_delete AFTER DELETE ON cases
WHEN NOT EXISTS (SELECT 1 FROM fts_deferred WHERE tbl = 'cases' AND old.rid > above) BEGIN
    INSERT INTO cases_fts (cases_fts, rowid, summary) VALUES ('delete', old.rid, old.summary);
END;

CREATE TRIGGER parties_fts_insert AFTER INSERT ON parties
WHEN NOT EXISTS (SELECT 1 FROM fts_deferred WHERE tbl = 'parties' AND new.rid > above) BEGIN
    INSERT INTO parties_fts (rowid, name) VALUES (new.rid, new.name);
END;
CREATE TRIGGER parties_fts_update AFTER UPDATE OF name ON parties
WHEN NOT EXISTS (SELECT 1 FROM fts_deferred WHERE tbl = 'parties' AND old.rid > above) BEGIN
    INSERT INTO parties_fts (parties_fts, rowid, name) VALUES ('delete', old.rid, old.name);
    INSERT INTO parties_fts (rowid, name) VALUES (new.rid, new.name);
END;
CREATE TRIGGER parties_fts_delete AFTER DELETE ON parties
WHEN NOT EXISTS (SELECT 1 FROM fts_deferred WHERE tbl = 'parties' AND old.rid > above) BEGIN
    INSERT INTO parties_fts (parties_fts, rowid, name) VALUES ('delete', old.rid, old.name);
END;

CREATE TRIGGER contacts_fts_insert AFTER INSERT ON contacts
WHEN NOT EXISTS (SELECT 1 FROM fts_deferred WHERE tbl = 'contacts' AND new.rid > above) BEGIN
    INSERT INTO contacts_fts (rowid, notes) VALUES (new.rid, new.notes);
END;
CREATE TRIGGER contacts_fts_update AFTER UPDATE OF notes ON contacts
WHEN NOT EXISTS (SELECT 1 FROM fts_deferred WHERE tbl = 'contacts' AND old.rid > above) BEGIN
    INSERT INTO contacts_fts (contacts_fts, rowid, notes) VALUES ('delete', old.rid, old.notes);
    INSERT INTO contacts_fts (rowid, notes) VALUES (new.rid, new.notes);
END;
CREATE TRIGGER contacts_fts_delete AFTER DELETE ON contacts
WHEN NOT EXISTS (SELECT 1 FROM fts_deferred WHERE tbl = 'contacts' AND old.rid > above) BEGIN
    INSERT INTO contacts_fts (contacts_fts, rowid, notes) VALUES ('delete', old.rid, old.notes);
END;
