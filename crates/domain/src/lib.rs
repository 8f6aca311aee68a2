//! Casebook's pure domain: the types of a restorative case and the rules of the process.
//!
//! Nothing here does IO. Every rule (which status may follow which, when a contact may be
//! recorded, whose consent a minor needs) is a function of data in, data out, so it is tested
//! without a database, a window or a network.
#![forbid(unsafe_code)]

#[macro_use]
pub mod labels;
pub mod agreement;
pub mod calendar;
pub mod case;
pub mod consent;
pub mod contact;
pub mod error;
pub mod feedback;
pub mod fields;
pub mod figures;
pub mod hlc;
pub mod ids;
pub mod judgement;
pub mod meeting;
pub mod merge;
pub mod op;
pub mod party;
pub mod retention;
pub mod risk;
pub mod role;
pub mod scope;
pub mod sharing;
pub mod supervision;

pub use case::{CaseKind, CaseStatus, Deadline, DeadlineKind, JusticeStage, PreSentenceKind, ReferralSource};
pub use consent::{ConsentDecision, ConsentEvent, ConsentMethod, ConsentScope, CurrentConsent};
pub use contact::{ContactKind, ContactState};
pub use error::RuleError;
pub use hlc::{Clock, Hlc};
pub use ids::{
    AgreementId, CaseId, ConsentId, ContactId, CourtReportId, DeviceId, FeedbackId, MeetingCheckId,
    MeetingId, OpId, PartyId, RiskAssessmentId, SignOffId, StatusChangeId, SupervisionNoteId, UserId,
};
pub use op::{Entity, Op, OpError, OpKind, SCHEMA_VERSION};
pub use party::{PartyFacts, PartyRole};
pub use role::Role;

#[cfg(all(test, feature = "ts"))]
mod ts_tests {
    use ts_rs::{Config, TS};

    use super::*;

    #[test]
    fn ids_are_strings_and_enums_are_their_stored_names() {
        let cfg = Config::new();
        assert_eq!(CaseId::inline(&cfg), "string");
        assert_eq!(
            CaseKind::inline(&cfg),
            r#""restorative_justice" | "restorative_mediation""#
        );
        assert!(case::Transition::inline(&cfg).contains(r#""step_back""#));
        assert!(Deadline::decl(&cfg).contains("kind: DeadlineKind"));
    }
}
