//! The fields of every record kind in one table: their type, whether they may be null, and
//! which other record an id field points at. The op checks, the judgement and the list of
//! fields an op may set all read this table, so a field is declared once.

use crate::op::Entity;

/// What a field holds.
#[derive(Debug, Clone, Copy)]
pub enum Kind {
    /// Free text (may be empty).
    Text,
    /// Text that says something (not blank).
    NonBlankText,
    /// A calendar date, `YYYY-MM-DD`.
    Date,
    /// Yes or no.
    Flag,
    /// One of the stored names of a closed set.
    Named(fn(&str) -> bool),
    /// A user's id.
    User,
    /// An id that names no record (e.g. one submission of an assessment).
    Token,
    /// Text of the shape the function accepts (JSON of a known form, a time of day).
    Shaped(fn(&str) -> bool),
    /// The id of another record of the same case.
    Ref(Entity),
    /// A JSON list of ids of records of the same case, kept as text (the stored form).
    RefList(Entity),
}

/// Whether a record must have a field.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Presence {
    /// Every record has it: a create must set it and no op may set it to null.
    Required,
    /// A create may leave it out (the store fills in a default), but no op may set it to null.
    Defaulted,
    /// It may be empty (null).
    Optional,
}

/// One field of a record kind.
#[derive(Debug, Clone, Copy)]
pub struct Field {
    /// Its stored name.
    pub name: &'static str,
    /// What it holds.
    pub kind: Kind,
    /// Whether a record must have it.
    pub presence: Presence,
}

impl Field {
    /// Whether a create must set it.
    pub fn required(&self) -> bool {
        self.presence == Presence::Required
    }
}

const fn f(name: &'static str, kind: Kind, presence: Presence) -> Field {
    Field { name, kind, presence }
}

fn named<T: std::str::FromStr>(s: &str) -> bool {
    s.parse::<T>().is_ok()
}

fn transition(s: &str) -> bool {
    serde_json::from_value::<crate::case::Transition>(serde_json::Value::String(s.to_owned())).is_ok()
}

/// Every field an op may set on `entity`.
pub fn of(entity: Entity) -> &'static [Field] {
    use crate::case::{CaseKind, CaseStatus, JusticeStage, PreSentenceKind, ReferralSource};
    use crate::consent::{ConsentDecision, ConsentMethod, ConsentScope};
    use crate::contact::{ContactKind, ContactState};
    use crate::feedback::Satisfaction;
    use crate::meeting::{CheckItem, MeetingKind};
    use crate::party::PartyRole;
    use crate::risk::{RiskLevel, SignOffDecision};
    use Kind::*;
    use Presence::{Defaulted, Optional, Required};
    const CASE: &[Field] = &[
        f("reference", NonBlankText, Required),
        f("kind", Named(named::<CaseKind>), Required),
        f("stage", Named(named::<JusticeStage>), Required),
        f("status", Named(named::<CaseStatus>), Required),
        f("source", Named(named::<ReferralSource>), Required),
        f("referrer", Text, Optional),
        f("summary", NonBlankText, Required),
        f("received_on", Date, Required),
        f("court_date", Date, Optional),
        // Added with the adjournment / deferred sentence choice; older cases have none.
        f("pre_sentence", Named(named::<PreSentenceKind>), Optional),
        f("outcome", Text, Optional),
        f("lead", User, Optional),
        // Added with allocation by coordinators; a case without one has none.
        f("co", User, Optional),
    ];
    const PARTY: &[Field] = &[
        f("role", Named(named::<PartyRole>), Required),
        f("name", NonBlankText, Required),
        f("phone", Text, Optional),
        f("minor", Flag, Defaulted),
        f("guardian_of", Ref(Entity::Party), Optional),
    ];
    const CONTACT: &[Field] = &[
        f("kind", Named(named::<ContactKind>), Required),
        f("date", Date, Required),
        f("notes", Text, Defaulted),
        f("state", Named(named::<ContactState>), Required),
        f("initiated_by_party", Flag, Defaulted),
        f("party_ids", RefList(Entity::Party), Required),
        f("amends", Ref(Entity::Contact), Optional),
        f("finalised_on", Date, Optional),
        f("shareable", Text, Optional),
    ];
    const CONSENT: &[Field] = &[
        f("party_id", Ref(Entity::Party), Required),
        f("scope", Named(named::<ConsentScope>), Required),
        f("decision", Named(named::<ConsentDecision>), Required),
        f("method", Named(named::<ConsentMethod>), Required),
        f("date", Date, Required),
        f("note", Text, Optional),
    ];
    const STATUS_CHANGE: &[Field] = &[
        f("from_status", Named(named::<CaseStatus>), Required),
        f("to_status", Named(named::<CaseStatus>), Required),
        f("transition", Named(transition), Required),
        f("outcome", Text, Optional),
        f("date", Date, Required),
    ];
    const SUPERVISION_NOTE: &[Field] = &[f("text", NonBlankText, Required), f("date", Date, Required)];
    const RISK_ASSESSMENT: &[Field] = &[
        f("rating", Named(named::<RiskLevel>), Required),
        f("factors", Shaped(crate::risk::is_factors), Defaulted),
        f("mitigations", Text, Defaulted),
        f("submission", Token, Optional),
        f("submitted_on", Date, Optional),
        f("circumstances_changed_on", Date, Optional),
        f("circumstances", Text, Optional),
    ];
    // Exactly one subject (checked by `Op::validate`).
    const SIGN_OFF: &[Field] = &[
        f("risk_assessment", Ref(Entity::RiskAssessment), Optional),
        f("court_report", Ref(Entity::CourtReport), Optional),
        f("meeting", Ref(Entity::Meeting), Optional),
        f("submission", Token, Required),
        f("decision", Named(named::<SignOffDecision>), Required),
        f("note", Text, Optional),
        f("date", Date, Required),
    ];
    const MEETING: &[Field] = &[
        f("kind", Named(named::<MeetingKind>), Required),
        f("planned_on", Date, Required),
        f("planned_time", Shaped(crate::meeting::is_time), Optional),
        f("venue", Text, Defaulted),
        f("attendees", RefList(Entity::Party), Required),
        f("plan", Shaped(crate::meeting::is_plan), Defaulted),
        f("held_on", Date, Optional),
        f("called_off", Text, Optional),
        // Added with recording who took part; a meeting held before it has none (read as the
        // planned attendees).
        f("attended", RefList(Entity::Party), Optional),
    ];
    const MEETING_CHECK: &[Field] = &[
        f("meeting", Ref(Entity::Meeting), Required),
        f("item", Named(named::<CheckItem>), Required),
        f("party", Ref(Entity::Party), Optional),
        f("date", Date, Required),
    ];
    const AGREEMENT: &[Field] = &[
        f("meeting", Ref(Entity::Meeting), Optional),
        f("made_on", Date, Required),
        f("actions", Shaped(crate::agreement::is_actions), Required),
        f("how_agreed", Text, Defaulted),
        f("review_on", Date, Optional),
        f("reviewed_on", Date, Optional),
    ];
    const COURT_REPORT: &[Field] = &[
        f("what_took_place", Text, Defaulted),
        f("submission", Token, Optional),
        f("submitted_on", Date, Optional),
    ];
    const FEEDBACK: &[Field] = &[
        f("party", Ref(Entity::Party), Required),
        f("satisfaction", Named(named::<Satisfaction>), Required),
        f("recommend", Flag, Optional),
        f("words", Text, Defaulted),
        f("date", Date, Required),
    ];
    match entity {
        Entity::Case => CASE,
        Entity::Party => PARTY,
        Entity::Contact => CONTACT,
        Entity::Consent => CONSENT,
        Entity::StatusChange => STATUS_CHANGE,
        Entity::SupervisionNote => SUPERVISION_NOTE,
        Entity::RiskAssessment => RISK_ASSESSMENT,
        Entity::SignOff => SIGN_OFF,
        Entity::Meeting => MEETING,
        Entity::MeetingCheck => MEETING_CHECK,
        Entity::Agreement => AGREEMENT,
        Entity::CourtReport => COURT_REPORT,
        Entity::Feedback => FEEDBACK,
    }
}

/// The field `name` of `entity`, if it has one.
pub fn find(entity: Entity, name: &str) -> Option<&'static Field> {
    of(entity).iter().find(|f| f.name == name)
}

/// Whether `value` is a possible value of the field. Null is judged by `required` alone.
pub fn fits(field: &Field, value: &serde_json::Value) -> bool {
    if value.is_null() {
        return field.presence == Presence::Optional;
    }
    let text = value.as_str();
    match field.kind {
        Kind::Text => text.is_some(),
        Kind::NonBlankText => text.is_some_and(|t| !t.trim().is_empty()),
        Kind::Date => text.is_some_and(|t| t.parse::<chrono::NaiveDate>().is_ok()),
        Kind::Flag => value.is_boolean(),
        Kind::Named(known) => text.is_some_and(known),
        Kind::User | Kind::Token | Kind::Ref(_) => text.is_some_and(|t| t.parse::<uuid::Uuid>().is_ok()),
        Kind::Shaped(shape) => text.is_some_and(shape),
        Kind::RefList(_) => text.is_some_and(|t| ids_in_list(t).is_some_and(|ids| !ids.is_empty())),
    }
}

/// The ids of a [`Kind::RefList`] field's text, if it is a JSON list of ids.
pub fn ids_in_list(text: &str) -> Option<Vec<uuid::Uuid>> {
    serde_json::from_str::<Vec<String>>(text)
        .ok()?
        .iter()
        .map(|id| id.parse().ok())
        .collect()
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn every_field_kind_refuses_values_of_another_type() {
        let date = find(Entity::Contact, "date").expect("field");
        assert!(fits(date, &json!("2026-11-27")));
        assert!(!fits(date, &json!("27/11/2026")) && !fits(date, &json!(3)) && !fits(date, &json!(null)));
        let phone = find(Entity::Party, "phone").expect("field");
        assert!(fits(phone, &json!(null)) && fits(phone, &json!("0161")) && !fits(phone, &json!(["x"])));
        let minor = find(Entity::Party, "minor").expect("field");
        assert!(fits(minor, &json!(true)) && !fits(minor, &json!("yes")));
        let party = find(Entity::Consent, "party_id").expect("field");
        assert!(fits(party, &json!(uuid::Uuid::now_v7())) && !fits(party, &json!("nobody")));
        let seen = find(Entity::Contact, "party_ids").expect("field");
        let list = serde_json::to_string(&[uuid::Uuid::now_v7().to_string()]).expect("json");
        assert!(fits(seen, &json!(list)) && !fits(seen, &json!("[\"x\"]")) && !fits(seen, &json!("a")));
        assert!(!fits(seen, &json!("[]")), "a contact names at least one party");
        let summary = find(Entity::Case, "summary").expect("field");
        assert!(!fits(summary, &json!("  ")) && !fits(summary, &json!(null)));
    }

    #[test]
    fn field_names_are_unique_per_record_kind() {
        for entity in Entity::ALL {
            let names: std::collections::BTreeSet<_> = of(*entity).iter().map(|f| f.name).collect();
            assert_eq!(names.len(), of(*entity).len(), "{entity}");
        }
    }
}
