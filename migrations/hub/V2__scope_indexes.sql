-- Each pull reads only the cases that can be in the caller's scope, not every case on the hub.
CREATE INDEX cases_lead ON cases (lead);
CREATE INDEX cases_co ON cases (co);
CREATE INDEX cases_team ON cases (team);
