//! What a role may do in the app, asked of the domain's rules rather than restated: the store and
//! the hub judge every op by the same `may_write`, so the ui never offers what they would refuse.

use casebook_domain::judgement::may_write;
use casebook_domain::scope::{Assignment, Viewer, in_scope};
use casebook_domain::{CaseId, Entity, OpKind, Role, UserId};

use crate::dto::Abilities;

impl Abilities {
    /// What `role` may do.
    pub fn of(role: Role) -> Self {
        let may = |entity, kind| may_write(role, entity, kind);
        use Entity as E;
        use OpKind::{Create, Update};
        Self {
            create_case: may(E::Case, Create),
            edit_case: may(E::Case, Update),
            // A move is recorded on the timeline and sets the case's status: both ops.
            change_status: may(E::StatusChange, Create) && may(E::Case, Update),
            add_party: may(E::Party, Create),
            edit_party: may(E::Party, Update),
            record_consent: may(E::Consent, Create),
            write_visits: may(E::Contact, Create) && may(E::Contact, Update),
            write_risk: may(E::RiskAssessment, Create) && may(E::RiskAssessment, Update),
            write_meetings: may(E::Meeting, Create)
                && may(E::Meeting, Update)
                && may(E::MeetingCheck, Create),
            write_agreements: may(E::Agreement, Create) && may(E::Agreement, Update),
            record_feedback: may(E::Feedback, Create),
            write_court_report: may(E::CourtReport, Create) && may(E::CourtReport, Update),
            sign_off: may(E::SignOff, Create),
            supervise: may(E::SupervisionNote, Create),
            sees_others_cases: sees_a_teammates_case(role),
            // Supervisors answer the sign-off queue; coordinators watch it across the service.
            // An administrator runs the hub and reads no casework's progress.
            oversee: matches!(role, Role::Supervisor | Role::Coordinator),
        }
    }
}

/// Whether the scope rule shows this role a case of their team that someone else leads.
fn sees_a_teammates_case(role: Role) -> bool {
    let team = Some("team".to_owned());
    let viewer = Viewer {
        id: UserId::new(),
        role,
        team: team.clone(),
    };
    let case = Assignment {
        case_id: CaseId::new(),
        lead: Some(UserId::new()),
        co: None,
        team,
    };
    in_scope(&viewer, &case)
}

/// Why `role` may not make a change the app was asked for, in a sentence for the window.
pub(crate) fn refusal(role: Role) -> &'static str {
    match role {
        Role::Supervisor => {
            "Supervisors read their team's cases: they add supervision notes and sign off risk \
             assessments, and change nothing else."
        }
        Role::Coordinator => {
            "Coordinators take referrals in and see every case: they record new cases, and the \
             facilitators who hold a case change it."
        }
        Role::Admin => "Administrators run the hub: they change no casework.",
        Role::Facilitator => "Facilitators cannot make this change.",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_role_may_do_what_the_domain_lets_it_write() {
        let facilitator = Abilities::of(Role::Facilitator);
        assert!(facilitator.edit_case && facilitator.change_status && facilitator.write_visits);
        assert!(facilitator.edit_party && facilitator.write_risk && facilitator.create_case);
        assert!(facilitator.write_meetings && facilitator.write_agreements && facilitator.write_court_report);
        assert!(!facilitator.sign_off && !facilitator.supervise && !facilitator.sees_others_cases);

        let supervisor = Abilities::of(Role::Supervisor);
        assert!(supervisor.sign_off && supervisor.supervise && supervisor.sees_others_cases);
        assert!(supervisor.oversee && !facilitator.oversee);
        assert!(!supervisor.edit_case && !supervisor.write_visits && !supervisor.create_case);
        assert!(!supervisor.write_meetings && !supervisor.write_agreements);

        let coordinator = Abilities::of(Role::Coordinator);
        assert!(coordinator.create_case && coordinator.sees_others_cases);
        assert!(!coordinator.write_visits && !coordinator.edit_case && !coordinator.change_status);
        assert!(!coordinator.sign_off && !coordinator.supervise && !coordinator.record_consent);
        assert!(coordinator.oversee);

        let admin = Abilities::of(Role::Admin);
        assert!(admin.sees_others_cases && !admin.create_case && !admin.edit_case && !admin.oversee);
    }
}
