-- Whether a pre-sentence case's court date ends an adjournment before sentence or a deferred
-- sentence (an op's `pre_sentence` field). Cases recorded before it have none.
ALTER TABLE cases ADD COLUMN pre_sentence TEXT;
