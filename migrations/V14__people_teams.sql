-- The team of each person in the directory, as the hub says (a coordinator's directory holds
-- everyone): a coordinator's dashboard counts one team's cases by their leads' team. Null until
-- the next pull fills it, and for people without a team.
ALTER TABLE people ADD COLUMN team TEXT;
