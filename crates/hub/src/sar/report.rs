//! The answer to a request, decided from the ops the hub holds: what each case says about the
//! subject, with other parties' names replaced and what concerns only other parties left out.
//!
//! Included: the subject's party record, their consent decisions, every contact they took part
//! in (notes and shareable summary; a joint contact is marked `with_others`), the meetings they
//! were to attend, the agreements they made, and what staff wrote about the case as a whole.
//! Left out and counted: other parties' records, consents, contacts without the subject,
//! meetings and agreements they had no part in. Staff names are kept.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use casebook_documents::{
    ANOTHER_PARTY, ActionLine, ConsentLine, ContactEntry, FeedbackLine, Labelled, MeetingEntry,
    SubjectAccess, SubjectCase, SubjectParty, Withheld,
};
use casebook_domain::{CaseId, Entity, Op, UserId};
use chrono::NaiveDate;
use serde::Serialize;
use uuid::Uuid;

use super::case_text::{capitalised, case_texts, label};
use super::fold::{Record, fold};
use super::redact::Redactor;

/// One case's ops, as the hub holds them.
#[derive(Debug, Clone)]
pub struct CaseInput {
    /// The case.
    pub case_id: CaseId,
    /// Its reference.
    pub reference: String,
    /// Every op the hub holds for it.
    pub ops: Vec<Op>,
}

/// A party record that may be the person asked about, for the operator to pick.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PartyCandidate {
    /// The party record's id (what `sar new --party` takes).
    pub party_id: Uuid,
    /// The case it belongs to.
    pub case_id: CaseId,
    /// The case's reference.
    pub reference: String,
    /// The name as recorded.
    pub name: String,
    /// Their role in that case.
    pub role: String,
    /// Their phone number, if recorded: it tells two people of one name apart.
    pub phone: Option<String>,
    /// Recorded as under 18.
    pub minor: bool,
}

/// Every party record of `cases`, in case order.
pub fn candidates(cases: &[CaseInput]) -> Vec<PartyCandidate> {
    let mut out = Vec::new();
    for case in cases {
        for party in fold(&case.ops).iter().filter(|r| r.entity == Entity::Party) {
            out.push(PartyCandidate {
                party_id: party.id,
                case_id: case.case_id,
                reference: case.reference.clone(),
                name: party.text("name").unwrap_or_default().to_owned(),
                role: label::<casebook_domain::PartyRole>(party.text("role")),
                phone: party
                    .text("phone")
                    .filter(|p| !p.trim().is_empty())
                    .map(str::to_owned),
                minor: party.flag("minor"),
            });
        }
    }
    out
}

/// What the request is and when it is due, to head the answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequestFacts {
    /// Its reference ("SAR-3").
    pub reference: String,
    /// The party records that are the subject.
    pub parties: BTreeSet<Uuid>,
    /// When it was received.
    pub received_on: NaiveDate,
    /// When the answer is due.
    pub due_on: NaiveDate,
}

/// The answer to `request` from `cases` (those holding one of its parties), naming staff from
/// `staff` (user id → name). `today` is the day the answer is made.
pub fn answer(
    request: &RequestFacts,
    cases: &[CaseInput],
    staff: &HashMap<UserId, String>,
    today: NaiveDate,
) -> SubjectAccess {
    let folded: Vec<(&CaseInput, Vec<Record>)> = cases.iter().map(|c| (c, fold(&c.ops))).collect();
    let subject_records: Vec<&Record> = folded
        .iter()
        .flat_map(|(_, records)| records.iter())
        .filter(|r| r.entity == Entity::Party && request.parties.contains(&r.id))
        .collect();
    let subject_names: Vec<&str> = subject_records.iter().filter_map(|r| r.text("name")).collect();
    // Every other party of these cases, in all of them: a case's text may name someone who is
    // a party only in another of the subject's cases.
    let other_names: Vec<&str> = folded
        .iter()
        .flat_map(|(_, records)| records.iter())
        .filter(|r| r.entity == Entity::Party && !request.parties.contains(&r.id))
        .filter_map(|r| r.text("name"))
        .collect();
    let subject = subject_records
        .iter()
        .max_by_key(|r| r.created)
        .and_then(|r| r.text("name"))
        .unwrap_or("the person asking")
        .to_owned();
    let cases = folded
        .iter()
        .filter_map(|(case, records)| {
            let names = Names {
                subject: &subject_names,
                others: &other_names,
                staff,
            };
            one_case(case, records, &request.parties, &names)
        })
        .collect();
    SubjectAccess {
        request: request.reference.clone(),
        subject,
        received_on: request.received_on,
        due_on: request.due_on,
        prepared_on: today,
        cases,
    }
}

/// The names an answer keeps or hides.
struct Names<'a> {
    /// The subject's names, as each of their party records has it.
    subject: &'a [&'a str],
    /// Every other party's name, in any of the subject's cases.
    others: &'a [&'a str],
    /// Staff by user id.
    staff: &'a HashMap<UserId, String>,
}

/// What one case says about the subject; `None` if the subject is not a party to it.
fn one_case(
    case: &CaseInput,
    records: &[Record],
    subject: &BTreeSet<Uuid>,
    names: &Names<'_>,
) -> Option<SubjectCase> {
    let (subject_names, other_names, staff) = (names.subject, names.others, names.staff);
    let of = |entity: Entity| records.iter().filter(move |r| r.entity == entity);
    let party = of(Entity::Party).find(|p| subject.contains(&p.id))?;
    let others: Vec<&Record> = of(Entity::Party).filter(|p| !subject.contains(&p.id)).collect();
    let redactor = Redactor::new(
        other_names.iter().copied(),
        subject_names.iter().copied(),
        staff.values().map(String::as_str),
    );
    let red = |text: Option<&str>| text.map(|t| redactor.redact(t)).filter(|t| !t.trim().is_empty());
    let name_of = |user: UserId| {
        staff
            .get(&user)
            .cloned()
            .unwrap_or_else(|| "a member of staff".to_owned())
    };
    let mut withheld: BTreeMap<&'static str, usize> = BTreeMap::new();
    if !others.is_empty() {
        withheld.insert("party", others.len());
    }
    let mut hold = |what: &'static str| *withheld.entry(what).or_default() += 1;

    let case_record = of(Entity::Case).next();
    let field = |name: &str| case_record.and_then(|c| c.text(name));
    let mut staff_on_case = Vec::new();
    for (label_text, key) in [("Lead facilitator", "lead"), ("Co-facilitator", "co")] {
        if let Some(user) = field(key).and_then(|u| u.parse::<UserId>().ok()) {
            staff_on_case.push(Labelled {
                label: label_text.into(),
                value: name_of(user),
            });
        }
    }

    let has_subject = |ids: &[Uuid]| ids.iter().any(|p| subject.contains(p));
    let consents: Vec<ConsentLine> = theirs_by_date(
        of(Entity::Consent),
        "date",
        |c| c.id_of("party_id").is_some_and(|p| subject.contains(&p)),
        || hold("consent"),
    )
    .into_iter()
    .map(|(consent, date)| ConsentLine {
        date,
        scope: label::<casebook_domain::ConsentScope>(consent.text("scope")),
        decision: label::<casebook_domain::ConsentDecision>(consent.text("decision")),
        method: label::<casebook_domain::ConsentMethod>(consent.text("method")),
        recorded_by: name_of(consent.created_by),
        note: red(consent.text("note")),
    })
    .collect();

    let contacts: Vec<ContactEntry> = theirs_by_date(
        of(Entity::Contact),
        "date",
        |c| has_subject(&c.ids("party_ids")),
        || hold("contact"),
    )
    .into_iter()
    .map(|(contact, date)| ContactEntry {
        date,
        kind: label::<casebook_domain::ContactKind>(contact.text("kind")),
        state: label::<casebook_domain::ContactState>(contact.text("state")),
        recorded_by: name_of(contact.created_by),
        with_others: contact.ids("party_ids").iter().any(|p| !subject.contains(p)),
        notes: red(contact.text("notes")).unwrap_or_default(),
        shareable: red(contact.text("shareable")),
    })
    .collect();

    let mut meetings = Vec::new();
    let mut attended: BTreeSet<Uuid> = BTreeSet::new();
    let theirs = theirs_by_date(
        of(Entity::Meeting),
        "planned_on",
        |m| has_subject(&m.ids("attendees")),
        || hold("meeting"),
    );
    for (meeting, planned_on) in theirs {
        let attendees = meeting.ids("attendees");
        attended.insert(meeting.id);
        let plan: casebook_domain::meeting::Plan = meeting
            .text("plan")
            .and_then(|p| serde_json::from_str(p).ok())
            .unwrap_or_default();
        meetings.push(MeetingEntry {
            kind: label::<casebook_domain::meeting::MeetingKind>(meeting.text("kind")),
            planned_on,
            held_on: meeting.date("held_on"),
            venue: meeting.text("venue").unwrap_or_default().to_owned(),
            others_attending: attendees.iter().filter(|p| !subject.contains(p)).count(),
            called_off: red(meeting.text("called_off")),
            plan: plan
                .iter()
                .filter(|(_, text)| !text.trim().is_empty())
                .map(|(section, text)| Labelled {
                    label: capitalised(section.label()),
                    value: redactor.redact(text),
                })
                .collect(),
        });
    }

    let is_named = |by: &str, names: &[&str]| names.iter().any(|n| same_name(n, by));
    let mut agreement_actions = Vec::new();
    for agreement in of(Entity::Agreement) {
        let actions: Vec<casebook_domain::agreement::Action> = agreement
            .text("actions")
            .and_then(|a| serde_json::from_str(a).ok())
            .unwrap_or_default();
        let theirs = agreement.id_of("meeting").is_some_and(|m| attended.contains(&m))
            || actions.iter().any(|a| is_named(&a.by, subject_names));
        if !theirs {
            hold("agreement");
            continue;
        }
        agreement_actions.extend(actions.iter().map(|a| ActionLine {
            what: redactor.redact(&a.what),
            by: if is_named(&a.by, subject_names) {
                a.by.clone()
            } else if is_named(&a.by, other_names) {
                ANOTHER_PARTY.to_owned()
            } else {
                redactor.redact(&a.by)
            },
            due: a.due,
            status: a.status.label().to_owned(),
        }));
    }

    let feedback: Vec<FeedbackLine> = theirs_by_date(
        of(Entity::Feedback),
        "date",
        |f| f.id_of("party").is_some_and(|p| subject.contains(&p)),
        || hold("feedback"),
    )
    .into_iter()
    .map(|(f, date)| FeedbackLine {
        date,
        satisfaction: label::<casebook_domain::feedback::Satisfaction>(f.text("satisfaction")),
        recommend: f.fields.get("recommend").and_then(serde_json::Value::as_bool),
        words: red(f.text("words")),
        recorded_by: name_of(f.created_by),
    })
    .collect();

    let about_the_case = case_texts(records, &red, &name_of);
    Some(SubjectCase {
        reference: case.reference.clone(),
        kind: format!(
            "{}, {}",
            capitalised(&label::<casebook_domain::CaseKind>(field("kind"))),
            label::<casebook_domain::JusticeStage>(field("stage"))
        ),
        status: label::<casebook_domain::CaseStatus>(field("status")),
        referred_on: case_record.and_then(|c| c.date("received_on")),
        referred_by: label::<casebook_domain::ReferralSource>(field("source")),
        staff: staff_on_case,
        party: SubjectParty {
            name: party.text("name").unwrap_or_default().to_owned(),
            role: label::<casebook_domain::PartyRole>(party.text("role")),
            phone: party
                .text("phone")
                .filter(|p| !p.trim().is_empty())
                .map(str::to_owned),
            minor: party.flag("minor"),
        },
        consents,
        contacts,
        meetings,
        agreement_actions,
        feedback,
        about_the_case,
        withheld: withheld
            .into_iter()
            .map(|(record, count)| Withheld {
                record: record.to_owned(),
                count,
            })
            .collect(),
    })
}

/// The records the subject is part of (`theirs`) that carry a date in `date_field`, with it, in
/// date order; each of the others is one more `withhold()`. A record without its date is left
/// out uncounted: it says nothing an answer could place.
fn theirs_by_date<'r>(
    records: impl Iterator<Item = &'r Record>,
    date_field: &str,
    theirs: impl Fn(&Record) -> bool,
    mut withhold: impl FnMut(),
) -> Vec<(&'r Record, NaiveDate)> {
    let mut kept = Vec::new();
    for record in records {
        if !theirs(record) {
            withhold();
            continue;
        }
        if let Some(date) = record.date(date_field) {
            kept.push((record, date));
        }
    }
    kept.sort_by_key(|&(_, date)| date);
    kept
}

/// Whether two names are the same, ignoring case and spacing.
pub fn same_name(a: &str, b: &str) -> bool {
    let fold = |s: &str| s.split_whitespace().collect::<Vec<_>>().join(" ").to_lowercase();
    fold(a) == fold(b)
}

#[cfg(test)]
#[path = "report_tests.rs"]
mod tests;
