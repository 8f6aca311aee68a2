-- A pull of a few cases reads only this index to find its page (the quarantine column is in
-- it, so the op rows, with their large JSON, are read only for the ops the page returns).
CREATE INDEX ops_by_case_quarantine ON ops (case_id, seq, quarantine_reason);
DROP INDEX ops_by_case;
