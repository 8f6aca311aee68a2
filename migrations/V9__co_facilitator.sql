-- A case's co-facilitator, set when a coordinator or the team's supervisor allocates the case
-- (an op's `co` field). Cases allocated before it have none.
ALTER TABLE cases ADD COLUMN co TEXT;
