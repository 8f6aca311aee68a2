//! The answer to a subject access request: everything held about one person, case by case, in
//! words they can read. The caller redacts first: this module prints what it is given, and the
//! same data serialises as the request's JSON (`sar.json`), so both say the same.

use chrono::NaiveDate;
use serde::Serialize;

use crate::DocumentError;
use crate::date::british_date;
use crate::layout::Block;
use crate::render::{self, Chrome};

/// Printed where another person's name was, in every free text of the answer.
pub const ANOTHER_PARTY: &str = "another party";

/// Everything one subject access request answers with, already redacted.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SubjectAccess {
    /// The request's reference on the hub ("SAR-3").
    pub request: String,
    /// The person the information is about, as the records name them.
    pub subject: String,
    /// When the request was received: the deadline runs from this day.
    pub received_on: NaiveDate,
    /// When the answer is due (one calendar month, or three if extended).
    pub due_on: NaiveDate,
    /// When this answer was made.
    pub prepared_on: NaiveDate,
    /// One entry per case the person is a party to.
    pub cases: Vec<SubjectCase>,
}

/// What one case holds about the subject.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SubjectCase {
    /// The case reference.
    pub reference: String,
    /// The kind of case and its stage, in words ("restorative justice, out of court").
    pub kind: String,
    /// Where the case stands ("closed").
    pub status: String,
    /// When the referral was received.
    pub referred_on: Option<NaiveDate>,
    /// Who referred it (the agency, not a person).
    pub referred_by: String,
    /// The service's staff on the case, by name: ("Lead facilitator", "Femi").
    pub staff: Vec<Labelled>,
    /// The subject's own record.
    pub party: SubjectParty,
    /// Their consent decisions, oldest first.
    pub consents: Vec<ConsentLine>,
    /// Visits, calls and letters they took part in, oldest first.
    pub contacts: Vec<ContactEntry>,
    /// Meetings they were to attend.
    pub meetings: Vec<MeetingEntry>,
    /// Actions of agreements they made.
    pub agreement_actions: Vec<ActionLine>,
    /// The feedback they gave at follow-up, oldest first.
    pub feedback: Vec<FeedbackLine>,
    /// What staff wrote about the case as a whole (referral, risk, supervision, court report):
    /// read it before sending, since it may speak of other people in words no redaction can
    /// recognise.
    pub about_the_case: Vec<CaseText>,
    /// How many records about other people alone were left out, by kind ("contact" → 2).
    pub withheld: Vec<Withheld>,
}

/// A label and its value.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Labelled {
    /// What it is.
    pub label: String,
    /// Its value.
    pub value: String,
}

/// The subject's party record in one case.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SubjectParty {
    /// Their name as recorded.
    pub name: String,
    /// Their role in the case ("victim", "responsible person").
    pub role: String,
    /// Their phone number, if recorded.
    pub phone: Option<String>,
    /// Recorded as under 18.
    pub minor: bool,
}

/// One consent decision.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ConsentLine {
    /// When it was given, declined or withdrawn.
    pub date: NaiveDate,
    /// To what ("a direct meeting").
    pub scope: String,
    /// Given, declined or withdrawn.
    pub decision: String,
    /// How (verbal, written, signed form).
    pub method: String,
    /// The member of staff who recorded it.
    pub recorded_by: String,
    /// Its note, redacted.
    pub note: Option<String>,
}

/// A visit, call, letter or meeting at the office the subject took part in.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ContactEntry {
    /// When.
    pub date: NaiveDate,
    /// What kind ("visit").
    pub kind: String,
    /// Draft or finalised.
    pub state: String,
    /// The member of staff who recorded it.
    pub recorded_by: String,
    /// Other parties were there too (their names are redacted from the notes).
    pub with_others: bool,
    /// The notes, redacted.
    pub notes: String,
    /// The summary the subject agreed could be shared, redacted.
    pub shareable: Option<String>,
}

/// A meeting the subject was to attend.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MeetingEntry {
    /// What kind ("face-to-face conference").
    pub kind: String,
    /// When it was planned for.
    pub planned_on: NaiveDate,
    /// When it was held, if it was.
    pub held_on: Option<NaiveDate>,
    /// Where.
    pub venue: String,
    /// How many other parties were to attend.
    pub others_attending: usize,
    /// Why it was called off, redacted.
    pub called_off: Option<String>,
    /// The facilitator's plan, section by section, redacted.
    pub plan: Vec<Labelled>,
}

/// One action of an agreement.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ActionLine {
    /// What will be done, redacted.
    pub what: String,
    /// By whom: the subject, the service, or [`ANOTHER_PARTY`].
    pub by: String,
    /// By when.
    pub due: NaiveDate,
    /// Where it stands.
    pub status: String,
}

/// Feedback the subject gave at follow-up.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FeedbackLine {
    /// When.
    pub date: NaiveDate,
    /// How satisfied they said they were ("very satisfied").
    pub satisfaction: String,
    /// Whether they would recommend it, when asked.
    pub recommend: Option<bool>,
    /// Their own words, redacted.
    pub words: Option<String>,
    /// The member of staff who took it down.
    pub recorded_by: String,
}

/// A text staff wrote about the whole case.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CaseText {
    /// What it is ("Risk assessment: history of violence").
    pub what: String,
    /// When, if known.
    pub date: Option<NaiveDate>,
    /// Who wrote it, if known.
    pub by: Option<String>,
    /// The text, redacted.
    pub text: String,
}

/// How many records of one kind were left out because they concern other people only.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Withheld {
    /// The kind of record ("contact").
    pub record: String,
    /// How many.
    pub count: usize,
}

/// The answer as A4 PDF bytes.
pub fn subject_access(s: &SubjectAccess) -> Result<Vec<u8>, DocumentError> {
    let mut blocks = vec![
        Block::Title("The information we hold about you".into()),
        Block::Field("About".into(), s.subject.clone()),
        Block::Field("Request".into(), s.request.clone()),
        Block::Field("Received on".into(), british_date(s.received_on)),
        Block::Field("Prepared on".into(), british_date(s.prepared_on)),
        Block::Paragraph(format!(
            "This is everything our case records hold about you, case by case. Where a record \
             names someone else taking part, their name is shown as \"{ANOTHER_PARTY}\", and \
             what other people told us is left out. The names of our staff are kept."
        )),
    ];
    if s.cases.is_empty() {
        blocks.push(Block::Paragraph("We hold no case records about you.".into()));
    }
    for case in &s.cases {
        case_blocks(case, &mut blocks);
    }
    let chrome = Chrome {
        kind: "Subject access request",
        reference: s.request.clone(),
        draft_mark: None,
        footer: format!("Prepared for {} on {}", s.subject, british_date(s.prepared_on)),
    };
    render::pdf(&chrome, &blocks)
}

fn case_blocks(c: &SubjectCase, blocks: &mut Vec<Block>) {
    blocks.push(Block::Heading(format!("Case {}", c.reference)));
    blocks.push(Block::Field("Kind".into(), c.kind.clone()));
    blocks.push(Block::Field("Status".into(), c.status.clone()));
    if let Some(on) = c.referred_on {
        blocks.push(Block::Field(
            "Referred".into(),
            format!("{} by {}", british_date(on), c.referred_by),
        ));
    }
    for staff in &c.staff {
        blocks.push(Block::Field(staff.label.clone(), staff.value.clone()));
    }

    blocks.push(Block::Label("Your details".into()));
    blocks.push(Block::Field("Name".into(), c.party.name.clone()));
    blocks.push(Block::Field("Role".into(), c.party.role.clone()));
    if let Some(phone) = &c.party.phone {
        blocks.push(Block::Field("Phone".into(), phone.clone()));
    }
    if c.party.minor {
        blocks.push(Block::Field("Under 18".into(), "yes".into()));
    }

    if !c.consents.is_empty() {
        blocks.push(Block::Label("Your consent".into()));
    }
    for consent in &c.consents {
        let note = consent
            .note
            .as_deref()
            .map(|n| format!(": {n}"))
            .unwrap_or_default();
        blocks.push(Block::Bullet(format!(
            "{}: {} to {} ({}), recorded by {}{note}",
            british_date(consent.date),
            consent.decision,
            consent.scope,
            consent.method,
            consent.recorded_by,
        )));
    }

    if !c.contacts.is_empty() {
        blocks.push(Block::Label("Visits, calls and letters".into()));
    }
    for contact in &c.contacts {
        let others = if contact.with_others { ", with others" } else { "" };
        blocks.push(Block::Bullet(format!(
            "{}: {} ({}{others}), recorded by {}",
            british_date(contact.date),
            contact.kind,
            contact.state,
            contact.recorded_by
        )));
        if !contact.notes.trim().is_empty() {
            blocks.push(Block::Paragraph(contact.notes.clone()));
        }
        if let Some(shareable) = &contact.shareable {
            blocks.push(Block::Paragraph(format!("To share: {shareable}")));
        }
    }

    for meeting in &c.meetings {
        blocks.push(Block::Label(format!(
            "Meeting: {}, planned for {}",
            meeting.kind,
            british_date(meeting.planned_on)
        )));
        let held = match (meeting.held_on, &meeting.called_off) {
            (Some(on), _) => format!("Held on {}", british_date(on)),
            (None, Some(why)) => format!("Called off: {why}"),
            (None, None) => "Not held yet".to_owned(),
        };
        blocks.push(Block::Field("Outcome".into(), held));
        if !meeting.venue.trim().is_empty() {
            blocks.push(Block::Field("Venue".into(), meeting.venue.clone()));
        }
        blocks.push(Block::Field(
            "Others attending".into(),
            meeting.others_attending.to_string(),
        ));
        for section in &meeting.plan {
            blocks.push(Block::Field(section.label.clone(), section.value.clone()));
        }
    }

    if !c.agreement_actions.is_empty() {
        blocks.push(Block::Label("What was agreed".into()));
    }
    for action in &c.agreement_actions {
        blocks.push(Block::Bullet(format!(
            "{} — {}, by {} ({})",
            action.what,
            action.by,
            british_date(action.due),
            action.status
        )));
    }

    if !c.feedback.is_empty() {
        blocks.push(Block::Label("Your feedback".into()));
    }
    for f in &c.feedback {
        let recommend = match f.recommend {
            Some(true) => "; would recommend it",
            Some(false) => "; would not recommend it",
            None => "",
        };
        blocks.push(Block::Bullet(format!(
            "{}: {}{recommend}, taken by {}",
            british_date(f.date),
            f.satisfaction,
            f.recorded_by
        )));
        if let Some(words) = &f.words {
            blocks.push(Block::Paragraph(words.clone()));
        }
    }

    if !c.about_the_case.is_empty() {
        blocks.push(Block::Label("What our staff wrote about the case".into()));
    }
    for text in &c.about_the_case {
        let mut heading = text.what.clone();
        if let Some(on) = text.date {
            heading.push_str(&format!(", {}", british_date(on)));
        }
        if let Some(by) = &text.by {
            heading.push_str(&format!(", by {by}"));
        }
        blocks.push(Block::Bullet(heading));
        blocks.push(Block::Paragraph(text.text.clone()));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_answer_with_no_cases_is_still_a_document() {
        let day = NaiveDate::from_ymd_opt(2026, 11, 27).expect("a date");
        let pdf = subject_access(&SubjectAccess {
            request: "SAR-1".into(),
            subject: "Ann Smith".into(),
            received_on: day,
            due_on: day,
            prepared_on: day,
            cases: Vec::new(),
        })
        .expect("pdf");
        assert!(pdf.starts_with(b"%PDF"));
    }
}
