-- Changes the hub refused, found without reading the whole op log: the sync indicator counts
-- them on every view, and a coordinator's log holds hundreds of thousands of ops.
CREATE INDEX ops_refused ON ops (seq) WHERE push_state = 2;
