//! The one judgement of every op that crosses the trust boundary: a pure function of the op and
//! of what the judging side knows of its target. The store calls it for its own writes and for
//! every op it receives; the hub calls it for every push. No rule here is written anywhere else.
//!
//! Deciding needs facts only a database has (does the record exist, in which case, who holds
//! the case); gathering them is the caller's IO: [`references`] says which records an op points
//! at, the caller looks each one up, then [`judge`] decides.

use uuid::Uuid;

use crate::fields::{self, Kind};
use crate::ids::{CaseId, UserId};
use crate::op::{Entity, Op, OpError, OpKind};
use crate::role::Role;

/// How far ahead of the judge's clock an op's clock may run: a laptop's clock may be wrong by
/// hours, never by days, and a clock far ahead would push every later timestamp past it.
pub const MAX_CLOCK_AHEAD_MS: u64 = 24 * 60 * 60 * 1000;

/// The most bytes an op's fields may hold: a visit note is text, never a file.
pub const MAX_FIELDS_BYTES: usize = 1024 * 1024;

/// Fields only the hub sets: the human reference.
pub const HUB_OWNED_FIELDS: &[&str] = &["reference"];

/// The fields that allocate a case: who leads it and who co-facilitates it. Coordinators set
/// them on any case, a supervisor on their team's (see [`may_allocate`]), and the hub through
/// its admin command; nobody else.
pub const ALLOCATION_FIELDS: &[&str] = &["lead", "co"];

/// Whether `field` of a case is one the hub itself writes (its reference, its allocation).
fn hub_writes(field: &str) -> bool {
    HUB_OWNED_FIELDS.contains(&field) || ALLOCATION_FIELDS.contains(&field)
}

/// What each role may write: the one table of write permissions. Scope (which cases) is
/// decided by [`crate::scope::in_scope`]; this says which records and how.
pub fn may_write(role: Role, entity: Entity, kind: OpKind) -> bool {
    use Entity as E;
    use OpKind::{Create, Update};
    match role {
        // Their own and co-facilitated cases: everything of the casework.
        Role::Facilitator => matches!(
            (entity, kind),
            (
                E::Case
                    | E::Party
                    | E::Contact
                    | E::RiskAssessment
                    | E::Meeting
                    | E::Agreement
                    | E::CourtReport,
                Create | Update
            ) | (
                E::Consent | E::StatusChange | E::MeetingCheck | E::Feedback,
                Create
            )
        ),
        // Supervision notes and sign-offs of their team's work; nothing else.
        Role::Supervisor => matches!((entity, kind), (E::SupervisionNote | E::SignOff, Create)),
        // Intake: a new referral. Allocating it is [`may_allocate`]'s row.
        Role::Coordinator => matches!((entity, kind), (E::Case, Create)),
        // Admins run the hub through its commands; they write no casework.
        Role::Admin => false,
    }
}

/// Whether `role` may allocate a case (set its [`ALLOCATION_FIELDS`]): a coordinator any case,
/// a supervisor their team's cases and only to facilitators of their team. This is the row of
/// the permission table for those two fields; [`may_write`] is the rest of it.
pub fn may_allocate(role: Role) -> bool {
    matches!(role, Role::Coordinator | Role::Supervisor)
}

/// Who wrote an op, as far as the judging side can tell.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Authority {
    /// A user with this role.
    User {
        /// The user.
        id: UserId,
        /// Their role.
        role: Role,
    },
    /// The hub itself: it owns references and assignments.
    Hub,
    /// Received from the hub, which judged the author's role and scope when it took the op:
    /// only the op's own integrity and its records are judged again.
    Vetted,
}

/// What the judging side knows of one record.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Known {
    /// The kind of record.
    pub entity: Entity,
    /// The case it belongs to.
    pub case_id: CaseId,
    /// A contact that was finalised (never changes again).
    pub finalised: bool,
}

/// Where the author stands with the op's case.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Standing {
    /// The case is not known to the judging side.
    UnknownCase,
    /// The author may write to the case now.
    Holds,
    /// The author held the case until this time (ms since the epoch), and no longer does.
    HeldUntil(u64),
    /// The author does not hold the case and never did.
    Outsider,
}

/// A record an op's field points at.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Reference {
    /// The field.
    pub field: &'static str,
    /// The record's id.
    pub id: Uuid,
    /// The kind of record it must be.
    pub entity: Entity,
}

/// What the judging side knows of a user an allocation names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Named {
    /// Their role.
    pub role: Role,
    /// Whether they are of the author's team (both have one, the same). A laptop knows this
    /// from its team directory, which for a supervisor is their team.
    pub in_authors_team: bool,
}

/// Everything [`judge`] needs to know besides the op.
#[derive(Debug, Clone)]
pub struct Facts {
    /// Who wrote it.
    pub authority: Authority,
    /// Where the author stands with the op's case.
    pub standing: Standing,
    /// The op's own record (`entity_id`), if it exists.
    pub target: Option<Known>,
    /// Each of [`references`]`(op)`, with what is known of it.
    pub references: Vec<(Reference, Option<Known>)>,
    /// The judge's clock (ms since the epoch); `None` skips the clock check (a laptop judging
    /// an op the hub already dated).
    pub now_ms: Option<u64>,
    /// Each user [`named`]`(op)` names, with what is known of them (`None`: no such user).
    pub named: Vec<(UserId, Option<Named>)>,
}

/// What becomes of an op.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    /// Taken as it is.
    Accept,
    /// Taken and flagged for a supervisor: written in good faith by someone who held the case
    /// when they wrote it, and no longer does (a late note on a reassigned case).
    Flag(&'static str),
    /// Never taken, for this reason.
    Refuse(Refusal),
}

/// Why the flag of a late note is raised.
pub const LATE_NOTE: &str = "written by a user who no longer holds this case; a supervisor should review it";

/// Why an op is refused. Each message says what was wrong; [`Refusal::code`] is the stable
/// name clients and docs use.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Refusal {
    /// The op's shape is wrong: an unknown field, a null in a required field, a wrong type.
    #[error("{0}")]
    Malformed(#[from] OpError),
    /// The op's fields are larger than any record may be.
    #[error("the op's fields hold {bytes} bytes; at most {MAX_FIELDS_BYTES} are allowed")]
    TooLarge {
        /// The size found.
        bytes: usize,
    },
    /// The op's clock runs more than a day ahead of the judge's.
    #[error("the op is dated more than 24 hours in the future; check this device's clock")]
    ClockAhead,
    /// A case record whose id is not its case's id.
    #[error("a case record must have the case's own id")]
    CaseIdMismatch,
    /// The author's role does not write this kind of record.
    #[error("a {role} cannot {verb} a {entity}")]
    RoleMayNot {
        /// The author's role.
        role: Role,
        /// `create` or `change`.
        verb: &'static str,
        /// The record kind.
        entity: Entity,
    },
    /// A field only the hub sets.
    #[error("the {field:?} of a case is set by the hub, not by a device")]
    HubOwnedField {
        /// The field.
        field: &'static str,
    },
    /// A new case whose lead is someone else or whose reference is not its provisional one.
    #[error("a new case must name its author as lead and carry its provisional reference")]
    BadNewCase,
    /// The hub wrote something it never writes.
    #[error("the hub only sets a case's reference and lead")]
    NotHubWork,
    /// An op for a case the judge does not know that does not create it.
    #[error("no such case: a case must be created before anything is added to it")]
    UnknownCase,
    /// The author does not hold the case and did not when the op was written.
    #[error("this case is not assigned to the author")]
    NotYourCase,
    /// A create of a record that already exists.
    #[error("a {0} with this id already exists")]
    AlreadyExists(Entity),
    /// An update of a record the judge does not know.
    #[error("no such {0} to change")]
    UnknownRecord(Entity),
    /// An op whose record belongs to another case, or is of another kind.
    #[error("the {0} it changes belongs to another case")]
    OtherCase(Entity),
    /// A change to a finalised contact.
    #[error("the contact was finalised and never changes; record an amendment instead")]
    Finalised,
    /// A field points at a record that does not exist.
    #[error("{field:?} points at a {entity} that does not exist")]
    Dangling {
        /// The field.
        field: &'static str,
        /// The record kind it must point at.
        entity: Entity,
    },
    /// A field points at a record of another case.
    #[error("{field:?} points at a {entity} of another case")]
    ReferenceIntoOtherCase {
        /// The field.
        field: &'static str,
        /// The record kind it points at.
        entity: Entity,
    },
    /// An amendment of a contact that is not finalised.
    #[error("an amendment must refer to a finalised contact")]
    AmendsDraft,
    /// A case's lead or co-facilitator set by a role that does not allocate cases.
    #[error("a {role} cannot allocate a case; a coordinator or the team's supervisor does")]
    MayNotAllocate {
        /// The author's role.
        role: Role,
    },
    /// An allocation that names no lead: a case always has one.
    #[error("an allocation must name a lead facilitator")]
    NoLead,
    /// An allocation names someone who is not a user the judge knows.
    #[error("the {field:?} named is not a known user")]
    UnknownUser {
        /// `lead` or `co`.
        field: &'static str,
    },
    /// An allocation names a user who is not a facilitator.
    #[error("the {field:?} named is not a facilitator")]
    NotAFacilitator {
        /// `lead` or `co`.
        field: &'static str,
    },
    /// A supervisor names a facilitator of another team.
    #[error("the {field:?} named is not of the supervisor's team; a coordinator moves cases between teams")]
    OtherTeam {
        /// `lead` or `co`.
        field: &'static str,
    },
}

impl Refusal {
    /// The stable name of the refusal, listed in docs/protocol.md.
    pub fn code(&self) -> &'static str {
        match self {
            Refusal::Malformed(_) => "malformed",
            Refusal::TooLarge { .. } => "too_large",
            Refusal::ClockAhead => "clock_ahead",
            Refusal::CaseIdMismatch => "case_id_mismatch",
            Refusal::RoleMayNot { .. } => "role_may_not",
            Refusal::HubOwnedField { .. } => "hub_owned_field",
            Refusal::BadNewCase => "bad_new_case",
            Refusal::NotHubWork => "not_hub_work",
            Refusal::UnknownCase => "unknown_case",
            Refusal::NotYourCase => "not_your_case",
            Refusal::AlreadyExists(_) => "already_exists",
            Refusal::UnknownRecord(_) => "unknown_record",
            Refusal::OtherCase(_) => "other_case",
            Refusal::Finalised => "finalised",
            Refusal::Dangling { .. } => "dangling_reference",
            Refusal::ReferenceIntoOtherCase { .. } => "reference_into_other_case",
            Refusal::AmendsDraft => "amends_draft",
            Refusal::MayNotAllocate { .. } => "may_not_allocate",
            Refusal::NoLead => "no_lead",
            Refusal::UnknownUser { .. } => "unknown_user",
            Refusal::NotAFacilitator { .. } => "not_a_facilitator",
            Refusal::OtherTeam { .. } => "other_team",
        }
    }
}

/// The records `op`'s fields point at, for the caller to look up. Fields that are not valid
/// ids are left to [`judge`], which refuses them as malformed.
pub fn references(op: &Op) -> Vec<Reference> {
    let mut out = Vec::new();
    for (name, value) in &op.fields {
        let Some(field) = fields::find(op.entity, name) else {
            continue;
        };
        let Some(text) = value.as_str() else { continue };
        match field.kind {
            Kind::Ref(entity) => {
                if let Ok(id) = text.parse() {
                    out.push(Reference {
                        field: field.name,
                        id,
                        entity,
                    });
                }
            }
            Kind::RefList(entity) => {
                for id in fields::ids_in_list(text).unwrap_or_default() {
                    out.push(Reference {
                        field: field.name,
                        id,
                        entity,
                    });
                }
            }
            _ => {}
        }
    }
    out
}

/// The users `op` allocates its case to (its `lead` and `co`, where they name someone other
/// than a case's author naming themselves), for the caller to look up.
pub fn named(op: &Op) -> Vec<UserId> {
    if op.entity != Entity::Case {
        return Vec::new();
    }
    ALLOCATION_FIELDS
        .iter()
        .filter_map(|f| op.fields.get(*f)?.as_str()?.parse().ok())
        .collect()
}

/// Whether `op` allocates its case: it sets `lead` or `co`, beyond a new case's author naming
/// themselves as its lead (which is how every facilitator's referral starts).
fn allocates(op: &Op) -> bool {
    if op.entity != Entity::Case {
        return false;
    }
    let author = op.author.to_string();
    match op.kind {
        OpKind::Update => ALLOCATION_FIELDS.iter().any(|f| op.fields.contains_key(*f)),
        OpKind::Create => {
            let lead_other = op
                .fields
                .get("lead")
                .is_some_and(|l| !l.is_null() && l.as_str() != Some(author.as_str()));
            let co = op.fields.get("co").is_some_and(|c| !c.is_null());
            lead_other || co
        }
    }
}

/// Decides what becomes of `op`, given what is known of its target.
pub fn judge(op: &Op, facts: &Facts) -> Verdict {
    match decide(op, facts) {
        Ok(verdict) => verdict,
        Err(refusal) => Verdict::Refuse(refusal),
    }
}

fn decide(op: &Op, facts: &Facts) -> Result<Verdict, Refusal> {
    op.validate()?;
    let bytes = fields_bytes(op);
    if bytes > MAX_FIELDS_BYTES {
        return Err(Refusal::TooLarge { bytes });
    }
    if let Some(now) = facts.now_ms
        && op.hlc.wall_ms > now.saturating_add(MAX_CLOCK_AHEAD_MS)
    {
        return Err(Refusal::ClockAhead);
    }
    if op.entity == Entity::Case && op.entity_id != op.case_id.as_uuid() {
        return Err(Refusal::CaseIdMismatch);
    }
    check_authority(op, facts)?;
    if allocates(op)
        && matches!(facts.authority, Authority::User { .. })
        && matches!(facts.standing, Standing::HeldUntil(_) | Standing::Outsider)
    {
        // A late note is kept in good faith; a late allocation would move a case its author no
        // longer answers for.
        return Err(Refusal::NotYourCase);
    }
    let verdict = match (facts.standing, facts.authority) {
        (_, Authority::Hub | Authority::Vetted) | (Standing::Holds, _) => Verdict::Accept,
        (Standing::UnknownCase, _) if op.entity == Entity::Case && op.kind == OpKind::Create => {
            Verdict::Accept
        }
        (Standing::UnknownCase, _) => return Err(Refusal::UnknownCase),
        (Standing::HeldUntil(until), _) if op.hlc.wall_ms <= until => Verdict::Flag(LATE_NOTE),
        (Standing::HeldUntil(_) | Standing::Outsider, _) => return Err(Refusal::NotYourCase),
    };
    check_target(op, facts.target)?;
    for (reference, known) in &facts.references {
        check_reference(op, reference, known.as_ref())?;
    }
    Ok(verdict)
}

/// The size of the op's fields as JSON text, near enough: the strings dominate.
fn fields_bytes(op: &Op) -> usize {
    fn size(value: &serde_json::Value) -> usize {
        match value {
            serde_json::Value::String(s) => s.len() + 2,
            serde_json::Value::Array(items) => items.iter().map(size).sum::<usize>() + 2,
            serde_json::Value::Object(map) => {
                map.iter().map(|(k, v)| k.len() + 3 + size(v)).sum::<usize>() + 2
            }
            _ => 8,
        }
    }
    op.fields.iter().map(|(k, v)| k.len() + 3 + size(v)).sum()
}

fn check_authority(op: &Op, facts: &Facts) -> Result<(), Refusal> {
    match facts.authority {
        Authority::Vetted => Ok(()),
        Authority::Hub => {
            let hub_work = op.entity == Entity::Case
                && op.kind == OpKind::Update
                && op.fields.keys().all(|f| hub_writes(f));
            if hub_work {
                Ok(())
            } else {
                Err(Refusal::NotHubWork)
            }
        }
        Authority::User { role, .. } => {
            let allocation = allocates(op);
            // An allocation alone is judged by its own row; anything else the op sets, by the
            // table of record kinds.
            let casework = !(allocation
                && op.kind == OpKind::Update
                && op.fields.keys().all(|f| ALLOCATION_FIELDS.contains(&f.as_str())));
            if casework && !may_write(role, op.entity, op.kind) {
                let verb = match op.kind {
                    OpKind::Create => "create",
                    OpKind::Update => "change",
                };
                return Err(Refusal::RoleMayNot {
                    role,
                    verb,
                    entity: op.entity,
                });
            }
            if op.entity != Entity::Case {
                return Ok(());
            }
            if op.kind == OpKind::Update
                && let Some(field) = HUB_OWNED_FIELDS.iter().find(|f| op.fields.contains_key(**f))
            {
                return Err(Refusal::HubOwnedField { field });
            }
            if op.kind == OpKind::Create {
                let reference_ok = op
                    .fields
                    .get("reference")
                    .and_then(|r| r.as_str())
                    .is_some_and(|r| r == crate::case::provisional_reference(op.case_id));
                // Only an allocating role names someone else; a facilitator's referral is theirs.
                let lead_ok = !allocation || may_allocate(role);
                if !(lead_ok && reference_ok) {
                    return Err(Refusal::BadNewCase);
                }
            }
            if allocation {
                check_allocation(op, role, facts)?;
            }
            Ok(())
        }
    }
}

/// An allocation by a user: a role that allocates, a lead, and facilitators it may name.
fn check_allocation(op: &Op, role: Role, facts: &Facts) -> Result<(), Refusal> {
    if !may_allocate(role) {
        return Err(Refusal::MayNotAllocate { role });
    }
    if op.fields.get("lead").is_some_and(serde_json::Value::is_null)
        || (op.kind == OpKind::Create && !op.fields.contains_key("lead"))
    {
        return Err(Refusal::NoLead);
    }
    for field in ALLOCATION_FIELDS {
        let Some(user) = op.fields.get(*field).and_then(|v| v.as_str()) else {
            continue;
        };
        let known = user
            .parse::<UserId>()
            .ok()
            .and_then(|user| facts.named.iter().find(|(id, _)| *id == user))
            .and_then(|(_, named)| *named);
        match known {
            None => return Err(Refusal::UnknownUser { field }),
            Some(n) if n.role != Role::Facilitator => return Err(Refusal::NotAFacilitator { field }),
            Some(n) if role == Role::Supervisor && !n.in_authors_team => {
                return Err(Refusal::OtherTeam { field });
            }
            Some(_) => {}
        }
    }
    Ok(())
}

fn check_target(op: &Op, target: Option<Known>) -> Result<(), Refusal> {
    match (op.kind, target) {
        (OpKind::Create, None) => Ok(()),
        (OpKind::Create, Some(_)) => Err(Refusal::AlreadyExists(op.entity)),
        (OpKind::Update, None) => Err(Refusal::UnknownRecord(op.entity)),
        (OpKind::Update, Some(known)) if known.entity != op.entity || known.case_id != op.case_id => {
            Err(Refusal::OtherCase(op.entity))
        }
        (OpKind::Update, Some(known)) if known.finalised => Err(Refusal::Finalised),
        (OpKind::Update, Some(_)) => Ok(()),
    }
}

fn check_reference(op: &Op, reference: &Reference, known: Option<&Known>) -> Result<(), Refusal> {
    let Reference { field, entity, .. } = *reference;
    match known {
        None => Err(Refusal::Dangling { field, entity }),
        Some(k) if k.entity != entity => Err(Refusal::Dangling { field, entity }),
        Some(k) if k.case_id != op.case_id => Err(Refusal::ReferenceIntoOtherCase { field, entity }),
        Some(k) if field == "amends" && !k.finalised => Err(Refusal::AmendsDraft),
        Some(_) => Ok(()),
    }
}

#[cfg(test)]
#[path = "judgement_tests.rs"]
mod tests;
