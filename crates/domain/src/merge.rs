//! Merging a field edit from elsewhere: last writer (by HLC) wins, but an edit made without
//! knowing the current value is concurrent, and when a text field loses that way the losing
//! text is kept as a conflict for a person to resolve. Pure: the store applies the decision.

use serde::{Deserialize, Serialize};

use crate::hlc::Hlc;
use crate::ids::OpId;

/// The op that set a field's current value.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Version {
    /// The op.
    pub op: OpId,
    /// Its timestamp.
    pub hlc: Hlc,
}

/// What to do with an incoming edit of one field.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FieldMerge {
    /// The edit follows the current value (or is later): it becomes the value.
    Apply,
    /// The edit is older than the current value, which already superseded it: nothing to do.
    Skip,
    /// Concurrent edits; the incoming one wins. The current value (`loser`) is kept as a conflict.
    ApplyOverConflict {
        /// The op whose value lost.
        loser: OpId,
    },
    /// Concurrent edits; the current value wins. The incoming one is kept as a conflict.
    KeepWithConflict,
}

/// Decides how an incoming edit of one field merges with the field's current value.
///
/// `replaced` is the op the incoming edit said it replaced; `concurrent_matters` is false for
/// fields where losing a concurrent edit needs no person (status, dates, flags): they are plain
/// last-writer-wins.
pub fn merge_field(
    current: Version,
    incoming: Version,
    replaced: Option<OpId>,
    concurrent_matters: bool,
) -> FieldMerge {
    let newer = incoming.hlc > current.hlc;
    // The writer saw the current value: an ordinary sequential edit.
    let sequential = replaced == Some(current.op);
    match (newer, sequential || !concurrent_matters) {
        (true, true) => FieldMerge::Apply,
        (false, true) => FieldMerge::Skip,
        (true, false) => FieldMerge::ApplyOverConflict { loser: current.op },
        (false, false) => FieldMerge::KeepWithConflict,
    }
}

/// Fields whose concurrent edits are kept as conflicts: the free text people write.
pub fn is_text_field(field: &str) -> bool {
    matches!(
        field,
        "summary"
            | "notes"
            | "name"
            | "referrer"
            | "outcome"
            | "phone"
            | "note"
            | "factors"
            | "mitigations"
            | "circumstances"
    )
}

#[cfg(test)]
mod tests {
    use std::collections::{BTreeMap, BTreeSet};

    use proptest::prelude::*;

    use super::*;
    use crate::ids::DeviceId;

    fn v(ms: u64, device: DeviceId) -> Version {
        Version {
            op: OpId::new(),
            hlc: Hlc {
                wall_ms: ms,
                counter: 0,
                device,
            },
        }
    }

    #[test]
    fn a_sequential_edit_applies_and_a_stale_one_is_skipped() {
        let d = DeviceId::new();
        let (cur, next) = (v(1, d), v(2, d));
        assert_eq!(merge_field(cur, next, Some(cur.op), true), FieldMerge::Apply);
        assert_eq!(merge_field(next, cur, Some(next.op), true), FieldMerge::Skip);
    }

    #[test]
    fn concurrent_text_edits_keep_the_loser() {
        let (a, b) = (DeviceId::new(), DeviceId::new());
        let base = v(1, a);
        let (mine, theirs) = (v(5, a), v(6, b));
        // `theirs` arrives where `mine` is current: both replaced `base`.
        assert_eq!(
            merge_field(mine, theirs, Some(base.op), true),
            FieldMerge::ApplyOverConflict { loser: mine.op }
        );
        // The other order on the other replica: same winner, same loser.
        assert_eq!(
            merge_field(theirs, mine, Some(base.op), true),
            FieldMerge::KeepWithConflict
        );
        // A status field is plain last-writer-wins.
        assert_eq!(merge_field(mine, theirs, Some(base.op), false), FieldMerge::Apply);
    }

    /// One edit of one field: its version and the op it replaced (None for the create).
    #[derive(Debug, Clone)]
    struct Edit {
        version: Version,
        replaced: Option<OpId>,
        value: u32,
    }

    /// A replica of one field: its value, version, and the set of ops it has seen.
    #[derive(Debug, Default)]
    struct Replica {
        current: Option<(Version, u32)>,
        seen: BTreeSet<OpId>,
        conflicts: BTreeSet<OpId>,
    }

    impl Replica {
        fn receive(&mut self, e: &Edit) {
            if !self.seen.insert(e.version.op) {
                return; // a duplicate delivery
            }
            let Some((cur, _)) = self.current else {
                self.current = Some((e.version, e.value));
                return;
            };
            match merge_field(cur, e.version, e.replaced, true) {
                FieldMerge::Apply => self.current = Some((e.version, e.value)),
                FieldMerge::Skip => {}
                FieldMerge::ApplyOverConflict { loser } => {
                    self.conflicts.insert(loser);
                    self.current = Some((e.version, e.value));
                }
                FieldMerge::KeepWithConflict => {
                    self.conflicts.insert(e.version.op);
                }
            }
        }
    }

    /// Builds a history: 3 devices edit one field; each edit replaces whatever its device had
    /// seen last (devices sync with each other at random moments).
    fn history(script: &[(usize, bool)]) -> Vec<Edit> {
        let devices = [DeviceId::new(), DeviceId::new(), DeviceId::new()];
        let create = Edit {
            version: v(1, devices[0]),
            replaced: None,
            value: 0,
        };
        let mut known: Vec<Vec<Edit>> = vec![vec![create.clone()]; 3];
        let mut all = vec![create];
        let mut clock = 1;
        for (i, (device, share)) in script.iter().enumerate() {
            clock += 1;
            let d = device % 3;
            // Each device's view: its latest-by-HLC known edit is what it replaces.
            let base = known[d]
                .iter()
                .max_by_key(|e| e.version.hlc)
                .map(|e| e.version.op);
            let edit = Edit {
                version: v(clock, devices[d]),
                replaced: base,
                value: i as u32 + 1,
            };
            known[d].push(edit.clone());
            all.push(edit);
            if *share {
                // A sync: everyone learns everything so far.
                for k in known.iter_mut() {
                    *k = all.clone();
                }
            }
        }
        all
    }

    proptest! {
        #[test]
        fn replicas_converge_whatever_order_and_duplicates(
            script in proptest::collection::vec((0usize..3, any::<bool>()), 1..12),
            orders in proptest::collection::vec(proptest::collection::vec(any::<proptest::sample::Index>(), 1..40), 3),
        ) {
            let edits = history(&script);
            let mut results = BTreeMap::new();
            for (r, order) in orders.iter().enumerate() {
                let mut replica = Replica::default();
                // A random order with duplicates, then everything (so every replica has every op).
                for ix in order {
                    replica.receive(&edits[ix.index(edits.len())]);
                }
                for e in &edits {
                    replica.receive(e);
                }
                results.insert(r, replica.current.map(|(ver, val)| (ver.op, val)));
            }
            let winner = edits.iter().max_by_key(|e| e.version.hlc).map(|e| (e.version.op, e.value));
            for (_, got) in results {
                prop_assert_eq!(got, winner);
            }
        }
    }
}
