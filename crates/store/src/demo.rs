//! Invented but realistic demo cases, for the README's first command, screenshots and benches.
//! Every name and story here is made up.

use casebook_domain::{
    CaseKind, CaseStatus, ConsentDecision, ConsentMethod, ConsentScope, ContactKind, JusticeStage, PartyRole,
    ReferralSource,
};
use chrono::{Days, NaiveDate};

use crate::error::StoreError;
use crate::model::{NewCase, NewConsent, NewContact, NewParty};
use crate::{Store, Writer};

const FIRST: &[&str] = &[
    "Amara", "Ben", "Chloe", "Dev", "Eilidh", "Farid", "Grace", "Hamza", "Isla", "Jonah", "Kiran", "Leah",
    "Marek", "Nia", "Owen", "Priya", "Quinn", "Rosa", "Sami", "Tess", "Umar", "Vera", "Wes", "Yasmin",
    "Zofia",
];
const LAST: &[&str] = &[
    "Adeyemi",
    "Brennan",
    "Carvalho",
    "Dlamini",
    "Evans",
    "Fraser",
    "Gallagher",
    "Haddad",
    "Iqbal",
    "Jansen",
    "Kowalski",
    "Lindqvist",
    "McBride",
    "Novak",
    "Okafor",
    "Pereira",
    "Quigley",
    "Rahman",
    "Sutherland",
    "Thorne",
];
/// Invented harms for RJ cases.
pub const RJ_HARMS: &[&str] = &[
    "Burglary of a ground-floor flat while the occupant was at work; laptop and a late father's watch taken.",
    "Criminal damage to a corner shop's window after being refused alcohol; the owner has since closed early.",
    "Assault outside a bus station late at night; the victim needed stitches and stopped going out after dark.",
    "Theft of a mobility scooter from a communal hallway; recovered damaged two weeks later.",
    "Graffiti and damage at a primary school over a weekend; pupils' artwork destroyed.",
    "Online harassment of a former partner over several months, including messages to her employer.",
    "Dangerous driving causing injury to a cyclist, who is still unable to return to work.",
];
const MEDIATION: &[&str] = &[
    "Neighbours in a terrace in dispute over late-night noise and a shared bin store; both have called the police.",
    "Long-running conflict between two families on an estate after an argument between teenagers.",
    "Dispute over a boundary hedge and parking that has escalated to shouting in the street.",
    "Tenants in a block of flats at odds over a barking dog and anonymous notes.",
];
/// Invented visit notes.
pub const NOTES: &[&str] = &[
    "Met at home, kitchen table. Talked through what happened and how it has affected them since. Wants to understand why it happened to them.",
    "Explained the process, that taking part is voluntary and that they can stop at any time. Took the leaflet; will think about it over the weekend.",
    "Phone call to arrange a second visit. Prefers mornings; no contact on Fridays. Asked that letters are not sent to the house.",
    "Second visit. Talked about what repair could look like. Would like an apology and to know the other person will stay away from the street.",
    "Preparation for a possible meeting: who they would bring as a supporter, seating, breaks, what they want to say first.",
    "Took full responsibility in our conversation and spoke about the night in detail. Worried about meeting but wants to try.",
    "Follow-up call after the meeting. Agreement actions on track; felt listened to. Review booked in six weeks.",
];

/// A small deterministic generator (xorshift), so demo data is reproducible from a seed.
pub struct Rng(u64);

impl Rng {
    /// A generator from a seed.
    pub fn new(seed: u64) -> Self {
        Self(seed.max(1))
    }

    /// The next number below `n`.
    pub fn below(&mut self, n: usize) -> usize {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        (self.0 % n.max(1) as u64) as usize
    }

    /// One of `items`.
    pub fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.below(items.len())]
    }

    fn chance(&mut self, percent: usize) -> bool {
        self.below(100) < percent
    }
}

/// Adds `cases` demo cases, each in its own transaction (so an interrupted run keeps the cases
/// it finished). Returns the number written.
pub fn generate(store: &mut Store, cases: usize, seed: u64, today: NaiveDate) -> Result<usize, StoreError> {
    let mut rng = Rng::new(seed);
    for _ in 0..cases {
        store.write(|w| one_case(w, &mut rng, today))?;
    }
    store.refresh_caseload()?;
    Ok(cases)
}

fn name(rng: &mut Rng) -> String {
    format!("{} {}", rng.pick(FIRST), rng.pick(LAST))
}

/// Writes one demo case with parties, consents, visits and status changes.
pub fn one_case(w: &mut Writer<'_>, rng: &mut Rng, today: NaiveDate) -> Result<(), StoreError> {
    let rj = rng.chance(70);
    let received = today
        .checked_sub_days(Days::new(rng.below(90) as u64))
        .unwrap_or(today);
    let stage = if !rj {
        JusticeStage::NotApplicable
    } else {
        [
            JusticeStage::OutOfCourt,
            JusticeStage::PreSentence,
            JusticeStage::PostSentence,
        ][rng.below(3)]
    };
    let court_date = (stage == JusticeStage::PreSentence)
        .then(|| today.checked_add_days(Days::new(7 + rng.below(60) as u64)))
        .flatten();
    let source = if rj {
        [
            ReferralSource::Police,
            ReferralSource::Probation,
            ReferralSource::Court,
            ReferralSource::YouthJustice,
            ReferralSource::VictimServices,
        ][rng.below(5)]
    } else {
        [
            ReferralSource::Housing,
            ReferralSource::SelfReferral,
            ReferralSource::School,
            ReferralSource::Police,
        ][rng.below(4)]
    };
    let case = w.create_case(NewCase {
        kind: if rj {
            CaseKind::RestorativeJustice
        } else {
            CaseKind::RestorativeMediation
        },
        stage,
        source,
        referrer: None,
        summary: rng.pick(if rj { RJ_HARMS } else { MEDIATION }).to_owned(),
        court_date,
        pre_sentence: None,
        received_on: Some(received),
    })?;
    let minor = rj && rng.chance(20);
    let (first_role, second_role) = if rj {
        (PartyRole::Victim, PartyRole::Harmer)
    } else {
        (PartyRole::Party, PartyRole::Party)
    };
    let a = w.add_party(
        case.id,
        NewParty {
            role: first_role,
            name: name(rng),
            phone: Some(format!("07700 900{:03}", rng.below(1000))),
            minor: false,
            guardian_of: None,
        },
    )?;
    let b = w.add_party(
        case.id,
        NewParty {
            role: second_role,
            name: name(rng),
            phone: None,
            minor,
            guardian_of: None,
        },
    )?;
    let mut parties = vec![a, b];
    if minor {
        let g = w.add_party(
            case.id,
            NewParty {
                role: PartyRole::Guardian,
                name: name(rng),
                phone: None,
                minor: false,
                guardian_of: Some(b),
            },
        )?;
        parties.push(g);
    }
    if rng.chance(30) {
        parties.push(w.add_party(
            case.id,
            NewParty {
                role: PartyRole::Supporter,
                name: name(rng),
                phone: None,
                minor: false,
                guardian_of: None,
            },
        )?);
    }
    let visits = rng.below(5);
    if visits == 0 {
        return Ok(());
    }
    w.change_status(case.id, CaseStatus::Contacting, None)?;
    for party in &parties {
        for scope in [ConsentScope::Participation, ConsentScope::Contact] {
            w.record_consent(
                case.id,
                NewConsent {
                    party: *party,
                    scope,
                    decision: ConsentDecision::Given,
                    method: if rng.chance(50) {
                        ConsentMethod::Verbal
                    } else {
                        ConsentMethod::Signed
                    },
                    date: Some(received),
                    note: None,
                },
            )?;
        }
    }
    for visit in 0..visits {
        let date = received
            .checked_add_days(Days::new(3 + 7 * visit as u64))
            .unwrap_or(received)
            .min(today);
        let seen = vec![parties[visit % 2]];
        w.add_contact(
            case.id,
            NewContact {
                shareable: None,
                party_ids: seen,
                kind: if rng.chance(70) {
                    ContactKind::Visit
                } else {
                    ContactKind::Call
                },
                date,
                notes: rng.pick(NOTES).to_owned(),
                initiated_by_party: false,
                draft: visit + 1 == visits && rng.chance(25),
                amends: None,
            },
        )?;
    }
    if visits >= 3 {
        w.change_status(case.id, CaseStatus::Preparing, None)?;
        w.record_consent(
            case.id,
            NewConsent {
                party: parties[0],
                scope: ConsentScope::DirectMeeting,
                decision: if rng.chance(70) {
                    ConsentDecision::Given
                } else {
                    ConsentDecision::Declined
                },
                method: ConsentMethod::Written,
                date: Some(today),
                note: None,
            },
        )?;
    }
    if rng.chance(10) {
        w.record_consent(
            case.id,
            NewConsent {
                party: parties[1],
                scope: ConsentScope::Contact,
                decision: ConsentDecision::Withdrawn,
                method: ConsentMethod::Verbal,
                date: Some(today),
                note: Some("Asked for no further contact for now.".into()),
            },
        )?;
    }
    Ok(())
}
