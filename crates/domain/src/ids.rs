//! Typed identifiers: every record gets a client-generated UUIDv7, wrapped so ids of
//! different records cannot be mixed up.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};
use uuid::Uuid;

macro_rules! id_type {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
        #[serde(transparent)]
        // A newtype of a UUID comes out as `string` in TypeScript.
        #[cfg_attr(feature = "ts", derive(ts_rs::TS))]
        pub struct $name(pub Uuid);

        impl $name {
            /// A new time-ordered (UUIDv7) id.
            pub fn new() -> Self {
                Self(Uuid::now_v7())
            }

            /// The id as a UUID.
            pub fn as_uuid(&self) -> Uuid {
                self.0
            }
        }

        impl Default for $name {
            fn default() -> Self {
                Self::new()
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                self.0.fmt(f)
            }
        }

        impl fmt::Debug for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, "{}({})", stringify!($name), self.0)
            }
        }

        impl FromStr for $name {
            type Err = uuid::Error;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                Uuid::parse_str(s).map(Self)
            }
        }
    };
}

id_type!(
    /// Identifies a case, the unit of assignment and of sync scope.
    CaseId
);
id_type!(
    /// Identifies a party to a case.
    PartyId
);
id_type!(
    /// Identifies a contact (visit, call, letter, ...).
    ContactId
);
id_type!(
    /// Identifies one consent event.
    ConsentId
);
id_type!(
    /// Identifies one recorded change of a case's status.
    StatusChangeId
);
id_type!(
    /// Identifies one supervision note.
    SupervisionNoteId
);
id_type!(
    /// Identifies one risk and safety assessment.
    RiskAssessmentId
);
id_type!(
    /// Identifies one supervisor's sign-off.
    SignOffId
);
id_type!(
    /// Identifies one meeting.
    MeetingId
);
id_type!(
    /// Identifies one meeting check.
    MeetingCheckId
);
id_type!(
    /// Identifies one agreement.
    AgreementId
);
id_type!(
    /// Identifies one court report.
    CourtReportId
);
id_type!(
    /// Identifies one party's feedback at follow-up.
    FeedbackId
);
id_type!(
    /// Identifies one operation of the op log.
    OpId
);
id_type!(
    /// Identifies a device (one laptop's store).
    DeviceId
);
id_type!(
    /// Identifies a user (a facilitator, supervisor, ...).
    UserId
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_round_trip_through_text_and_json() {
        let id = CaseId::new();
        assert_eq!(id.to_string().parse::<CaseId>().expect("parse"), id);
        let json = serde_json::to_string(&id).expect("json");
        assert_eq!(json, format!("\"{id}\""));
        assert!("not-a-uuid".parse::<CaseId>().is_err());
    }

    #[test]
    fn new_ids_are_time_ordered() {
        let a = OpId::new();
        let b = OpId::new();
        assert!(a < b);
    }
}
