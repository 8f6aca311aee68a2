//! Preparing a restorative meeting, and whether it is ready to be held.
//!
//! Readiness is computed from the records, never ticked by hand where the data can tell: each
//! attending party's consents, a guardian's for a minor, a visit since the risk assessment was
//! submitted, a current approved risk assessment. Only what no record can show (the venue was
//! checked, ground rules agreed, the responsible person acknowledged the facts) is confirmed
//! by a person, as an append-only check. A consent withdrawn on any laptop therefore makes the
//! meeting not ready on every laptop once it has synced.

use std::collections::{BTreeMap, BTreeSet};

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::consent::{ConsentDecision, ConsentEvent, ConsentScope, current_decision};
use crate::error::RuleError;
use crate::ids::PartyId;
use crate::party::{PartyFacts, PartyRole};
use crate::risk::NotCurrent;

labelled_enum!(
    /// How the parties communicate.
    MeetingKind {
        /// Face to face, in one room.
        Conference = "conference" / "face-to-face conference",
        /// The facilitator carries messages between the parties.
        Shuttle = "shuttle" / "shuttle communication",
        /// Letters between the parties.
        Letters = "letters" / "letters",
        /// A video call.
        Video = "video" / "video call",
    }
);

impl MeetingKind {
    /// The consent each attending party must have given for this kind of meeting.
    pub fn consent_scope(self) -> ConsentScope {
        match self {
            MeetingKind::Conference | MeetingKind::Video => ConsentScope::DirectMeeting,
            MeetingKind::Shuttle | MeetingKind::Letters => ConsentScope::Indirect,
        }
    }

    /// Whether the parties are present together (a venue or a call to prepare, ground rules).
    pub fn is_direct(self) -> bool {
        matches!(self, MeetingKind::Conference | MeetingKind::Video)
    }
}

labelled_enum!(
    /// What a person confirms because no record can show it.
    CheckItem {
        /// The venue has separate arrival and waiting rooms and is accessible.
        VenueChecked = "venue_checked" / "venue checked: separate arrival and waiting rooms, accessibility",
        /// An interpreter is booked for the attendee who needs one.
        InterpreterBooked = "interpreter_booked" / "interpreter booked",
        /// Every supporter attending has been briefed.
        SupportersBriefed = "supporters_briefed" / "supporters briefed",
        /// The ground rules are agreed with every party.
        GroundRulesAgreed = "ground_rules_agreed" / "ground rules agreed",
        /// The responsible person acknowledges the basic facts of the harm.
        FactsAcknowledged = "facts_acknowledged" / "the responsible person acknowledges the basic facts",
    }
);

labelled_enum!(
    /// The sections of a meeting's preparation plan, in the order of a conference script.
    PlanSection {
        /// Welcome, purpose, ground rules.
        Opening = "opening" / "opening",
        /// Each party's account of what happened.
        WhatHappened = "what_happened" / "what happened",
        /// Who was affected, and how.
        WhoAffected = "who_affected" / "who was affected",
        /// What is needed to repair the harm.
        WhatNeeded = "what_needed" / "what is needed",
        /// Reaching an agreement.
        Agreement = "agreement" / "agreement",
    }
);

/// The stored form of a meeting's plan: text by section.
pub type Plan = BTreeMap<PlanSection, String>;

/// Whether `text` is a stored plan (used by the field table).
pub fn is_plan(text: &str) -> bool {
    serde_json::from_str::<Plan>(text).is_ok()
}

/// Whether `text` is a time on a 24-hour clock, `HH:MM`.
pub fn is_time(text: &str) -> bool {
    chrono::NaiveTime::parse_from_str(text, "%H:%M").is_ok() && text.len() == 5
}

/// Who took part in a held meeting: someone, and only people it was prepared for, since
/// readiness (consents, contact since the risk assessment) was judged for the planned attendees.
pub fn check_attended(planned: &[PartyId], attended: &[PartyId]) -> Result<(), RuleError> {
    if attended.is_empty() {
        return Err(RuleError::BadAttendance(
            "Choose who took part: at least one of the attendees.",
        ));
    }
    if attended.iter().any(|p| !planned.contains(p)) {
        return Err(RuleError::BadAttendance(
            "Only people the meeting was prepared for can be recorded as taking part: change the details first to add someone.",
        ));
    }
    Ok(())
}

/// A check a person recorded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Check {
    /// What was confirmed.
    pub item: CheckItem,
    /// For whom, when the item is about one party (the facts acknowledged).
    pub party: Option<PartyId>,
}

/// Where the case's current risk assessment stands, as readiness needs it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RiskStanding {
    /// No risk assessment.
    None,
    /// One exists and is not current.
    NotCurrent {
        /// Why.
        why: NotCurrent,
        /// When its current version was submitted, if it was.
        submitted_on: Option<NaiveDate>,
    },
    /// Current and approved, submitted on this day.
    Current {
        /// When it was submitted.
        submitted_on: NaiveDate,
    },
}

/// One thing missing before a meeting may be held.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Missing {
    /// Its stable name: a [`CheckItem`] a person can confirm (with `:PARTY` for the facts
    /// acknowledged), or what the records decide (`risk_assessment`, `consent:SCOPE:PARTY`,
    /// `guardian_consent:PARTY`, `visit_since_risk:PARTY`).
    pub item: String,
    /// What is missing and why, in words.
    pub text: String,
    /// Whether a person confirms it (`casebook meeting confirm`); otherwise records decide it.
    pub confirmable: bool,
}

/// A meeting's readiness: ready when nothing is missing.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Readiness {
    /// True when nothing is missing.
    pub ready: bool,
    /// What is missing, in the order it should be done.
    pub missing: Vec<Missing>,
}

/// Everything readiness is computed from.
#[derive(Debug, Clone)]
pub struct MeetingFacts<'a> {
    /// How the parties communicate.
    pub kind: MeetingKind,
    /// The parties attending.
    pub attendees: &'a [PartyId],
    /// Every party of the case (attendees, guardians).
    pub parties: &'a [PartyFacts],
    /// Every consent event of the case.
    pub consents: &'a [ConsentEvent],
    /// The case's current risk assessment.
    pub risk: RiskStanding,
    /// Each contact's date and the parties seen.
    pub contacts: &'a [(NaiveDate, Vec<PartyId>)],
    /// What people confirmed.
    pub checks: &'a [Check],
}

/// The parties whose own consent a meeting needs: not supporters, interpreters or guardians,
/// who attend for someone else.
fn is_principal(role: PartyRole) -> bool {
    matches!(role, PartyRole::Victim | PartyRole::Harmer | PartyRole::Party)
}

fn given(consents: &[ConsentEvent], party: PartyId, scope: ConsentScope) -> bool {
    current_decision(consents, party, scope).is_some_and(|e| e.decision == ConsentDecision::Given)
}

/// What stands between this meeting and being held.
pub fn readiness(m: &MeetingFacts<'_>) -> Readiness {
    let mut missing = Vec::new();
    let mut need = |item: String, text: String, confirmable: bool| {
        missing.push(Missing {
            item,
            text,
            confirmable,
        });
    };
    let submitted_on = match m.risk {
        RiskStanding::Current { submitted_on } => Some(submitted_on),
        RiskStanding::NotCurrent { why, submitted_on } => {
            need("risk_assessment".into(), why.to_string(), false);
            submitted_on
        }
        RiskStanding::None => {
            need(
                "risk_assessment".into(),
                "no risk assessment has been made: one must precede any meeting".into(),
                false,
            );
            None
        }
    };
    let confirmed: BTreeSet<(CheckItem, Option<PartyId>)> =
        m.checks.iter().map(|c| (c.item, c.party)).collect();
    let attending: Vec<&PartyFacts> = m
        .attendees
        .iter()
        .filter_map(|id| m.parties.iter().find(|p| p.id == *id))
        .collect();
    let scope = m.kind.consent_scope();
    for p in &attending {
        if is_principal(p.role) {
            for s in [ConsentScope::Participation, scope] {
                if !given(m.consents, p.id, s) {
                    let latest = current_decision(m.consents, p.id, s)
                        .map_or("not recorded".to_owned(), |e| {
                            format!("{} on {}", e.decision, e.date.format("%-d %b %Y"))
                        });
                    need(
                        format!("consent:{}:{}", s.as_str(), p.id),
                        format!("{}'s consent to {} is {latest}", p.name, s.label()),
                        false,
                    );
                }
            }
            if p.minor {
                let guardians: Vec<&PartyFacts> =
                    m.parties.iter().filter(|g| g.guardian_of == Some(p.id)).collect();
                if !guardians
                    .iter()
                    .any(|g| given(m.consents, g.id, ConsentScope::Participation))
                {
                    need(
                        format!("guardian_consent:{}", p.id),
                        format!(
                            "{} is a minor: a parent or guardian must consent to taking part",
                            p.name
                        ),
                        false,
                    );
                }
            }
        }
        if is_principal(p.role) {
            let seen_since = submitted_on.is_some_and(|since| {
                m.contacts
                    .iter()
                    .any(|(date, seen)| *date >= since && seen.contains(&p.id))
            });
            if !seen_since {
                let since = submitted_on.map_or("the risk assessment was submitted".to_owned(), |d| {
                    d.format("%-d %b %Y").to_string()
                });
                need(
                    format!("visit_since_risk:{}", p.id),
                    format!("{} has not been visited since {since}", p.name),
                    false,
                );
            }
        }
        if p.role == PartyRole::Harmer && !confirmed.contains(&(CheckItem::FactsAcknowledged, Some(p.id))) {
            need(
                format!("{}:{}", CheckItem::FactsAcknowledged.as_str(), p.id),
                format!("{} has not yet acknowledged the basic facts of the harm", p.name),
                true,
            );
        }
    }
    let mut practical = Vec::new();
    if m.kind == MeetingKind::Conference {
        practical.push(CheckItem::VenueChecked);
    }
    if attending.iter().any(|p| p.role == PartyRole::Interpreter) {
        practical.push(CheckItem::InterpreterBooked);
    }
    if attending.iter().any(|p| p.role == PartyRole::Supporter) {
        practical.push(CheckItem::SupportersBriefed);
    }
    if m.kind.is_direct() {
        practical.push(CheckItem::GroundRulesAgreed);
    }
    for item in practical {
        if !confirmed.contains(&(item, None)) {
            need(
                item.as_str().into(),
                format!("not yet confirmed: {}", item.label()),
                true,
            );
        }
    }
    Readiness {
        ready: missing.is_empty(),
        missing,
    }
}

#[cfg(test)]
#[path = "meeting_tests.rs"]
mod tests;
