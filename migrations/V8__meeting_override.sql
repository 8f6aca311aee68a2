-- A supervisor's override lets a meeting that is not ready be recorded as held: a sign-off of
-- the meeting, with the reason as its note.
ALTER TABLE sign_offs ADD COLUMN meeting TEXT REFERENCES meetings (id);
CREATE INDEX sign_offs_meeting ON sign_offs (meeting);
