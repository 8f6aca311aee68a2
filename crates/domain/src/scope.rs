//! Who may see which case: pure decisions over users and case assignments, shared by the hub
//! (which enforces them on every request) and the judgement of ops.

use crate::ids::{CaseId, UserId};
use crate::role::Role;

/// The part of a user that decides their scope.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Viewer {
    /// The user.
    pub id: UserId,
    /// Their role.
    pub role: Role,
    /// Their team, if any.
    pub team: Option<String>,
}

/// Who a case is assigned to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Assignment {
    /// The case.
    pub case_id: CaseId,
    /// The lead facilitator.
    pub lead: Option<UserId>,
    /// The co-facilitator.
    pub co: Option<UserId>,
    /// The team that holds the case.
    pub team: Option<String>,
}

/// Whether `viewer` may see (and write to) the case.
pub fn in_scope(viewer: &Viewer, case: &Assignment) -> bool {
    match viewer.role {
        Role::Facilitator => case.lead == Some(viewer.id) || case.co == Some(viewer.id),
        Role::Supervisor => viewer.team.is_some() && case.team == viewer.team,
        Role::Coordinator | Role::Admin => true,
    }
}

/// Whether `viewer` receives ops flagged for review. Everyone in scope does, with the flag: a
/// late note on a reassigned case is part of that case's story (the new lead needs it, e.g. if
/// it records a withdrawn consent), and the flag is what brings it to the supervisor.
pub fn sees_quarantined(_viewer: &Viewer) -> bool {
    true
}

/// The cases of `all` that `viewer` may see.
pub fn visible(viewer: &Viewer, all: &[Assignment]) -> Vec<CaseId> {
    all.iter()
        .filter(|c| in_scope(viewer, c))
        .map(|c| c.case_id)
        .collect()
}

/// What a pull tells the client about its held cases, given the visible ones.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ScopeChange {
    /// Visible but not held: candidates for a history fetch.
    pub added: Vec<CaseId>,
    /// Held, known to the hub, but no longer visible.
    pub removed: Vec<CaseId>,
}

/// Compares what the client holds with what it may see. Cases the hub has never heard of are
/// left alone: they may be the client's own, not yet pushed.
pub fn diff(visible: &[CaseId], held: &[CaseId], known: &[CaseId]) -> ScopeChange {
    use std::collections::BTreeSet;
    let visible: BTreeSet<_> = visible.iter().collect();
    let held: BTreeSet<_> = held.iter().collect();
    let known: BTreeSet<_> = known.iter().collect();
    ScopeChange {
        added: visible.difference(&held).map(|c| **c).collect(),
        removed: held
            .iter()
            .filter(|c| known.contains(*c) && !visible.contains(*c))
            .map(|c| **c)
            .collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn viewer(role: Role, team: Option<&str>) -> Viewer {
        Viewer {
            id: UserId::new(),
            role,
            team: team.map(str::to_owned),
        }
    }

    fn case(lead: Option<UserId>, co: Option<UserId>, team: Option<&str>) -> Assignment {
        Assignment {
            case_id: CaseId::new(),
            lead,
            co,
            team: team.map(str::to_owned),
        }
    }

    #[test]
    fn each_role_sees_its_own_cases() {
        let fac = viewer(Role::Facilitator, Some("north"));
        let other = viewer(Role::Facilitator, Some("north"));
        let sup = viewer(Role::Supervisor, Some("north"));
        let south_sup = viewer(Role::Supervisor, Some("south"));
        let teamless_sup = viewer(Role::Supervisor, None);
        let coord = viewer(Role::Coordinator, None);
        let led = case(Some(fac.id), None, Some("north"));
        let co = case(Some(other.id), Some(fac.id), Some("north"));
        let others = case(Some(other.id), None, Some("north"));
        let teamless = case(Some(other.id), None, None);

        assert!(in_scope(&fac, &led) && in_scope(&fac, &co) && !in_scope(&fac, &others));
        assert!(in_scope(&sup, &others) && !in_scope(&south_sup, &others));
        assert!(!in_scope(&teamless_sup, &teamless), "no team is not a team");
        assert!(in_scope(&coord, &teamless));
        assert!(sees_quarantined(&fac) && sees_quarantined(&sup));
    }

    #[test]
    fn the_diff_adds_visible_cases_and_removes_known_invisible_ones() {
        let [a, b, c, own] = [CaseId::new(), CaseId::new(), CaseId::new(), CaseId::new()];
        let change = diff(&[a, b], &[b, c, own], &[a, b, c]);
        assert_eq!(change.added, vec![a]);
        assert_eq!(
            change.removed,
            vec![c],
            "a case the hub never saw is the client's own"
        );
    }
}
