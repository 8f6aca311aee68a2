//! The one way changes are made: each checks the process rules, becomes an op, is applied to
//! the tables and appended to the op log, all in the caller's transaction.

use std::collections::BTreeMap;

use casebook_domain::case::validate_case;
use casebook_domain::consent::{check_contact_allowed, check_minor_participation};
use casebook_domain::contact::{ensure_editable, validate_contact};
use casebook_domain::party::{PartyFacts, validate_new_party};
use casebook_domain::supervision::{check_may_supervise, validate_note};
use casebook_domain::{
    CaseId, CaseStatus, Clock, ConsentId, ContactId, ContactState, DeviceId, Entity, JusticeStage, Op, OpId,
    OpKind, PartyId, RuleError, SCHEMA_VERSION, StatusChangeId, SupervisionNoteId, UserId, case::Transition,
};
use chrono::NaiveDate;
use rusqlite::{Transaction, params};
use serde_json::{Value, json};
use uuid::Uuid;

use casebook_domain::Role;
use casebook_domain::judgement::{Authority, Verdict};

use crate::apply::{apply, log};
use crate::error::StoreError;
use crate::judge::judge_local;
use crate::model::{CaseEdit, CreatedCase, NewCase, NewConsent, NewContact, NewParty, PartyEdit};
use crate::read;

/// Who is making changes on this device.
#[derive(Debug, Clone, Copy)]
pub struct Actor {
    /// The user.
    pub user: UserId,
    /// This device.
    pub device: DeviceId,
}

/// Makes changes inside one transaction; dropped without [`crate::Store::write`] returning Ok,
/// nothing is kept.
pub struct Writer<'a> {
    pub(crate) tx: Transaction<'a>,
    pub(crate) actor: Actor,
    pub(crate) clock: &'a mut Clock,
    pub(crate) now_ms: u64,
    pub(crate) today: NaiveDate,
}

pub(crate) type Fields = BTreeMap<String, Value>;

fn fields<const N: usize>(pairs: [(&str, Value); N]) -> Fields {
    pairs.into_iter().map(|(k, v)| (k.to_owned(), v)).collect()
}

impl Writer<'_> {
    /// Turns a change into an op, applies it and logs it. Returns the op's id.
    pub(crate) fn emit(
        &mut self,
        case_id: CaseId,
        entity: Entity,
        entity_id: Uuid,
        kind: OpKind,
        fields: Fields,
    ) -> Result<OpId, StoreError> {
        let replaces = match kind {
            OpKind::Create => BTreeMap::new(),
            OpKind::Update => self.replaced(entity, entity_id, &fields)?,
        };
        let op = Op {
            op_id: OpId::new(),
            case_id,
            entity,
            entity_id,
            kind,
            fields,
            replaces,
            hlc: self.clock.tick(self.now_ms),
            author: self.actor.user,
            device: self.actor.device,
            schema_version: SCHEMA_VERSION,
        };
        // The store's own user (a facilitator until a hub says otherwise) is judged like anyone.
        let role = read::enrolled_role(&self.tx)?.unwrap_or(Role::Facilitator);
        let authority = Authority::User {
            id: self.actor.user,
            role,
        };
        if let Verdict::Refuse(refusal) = judge_local(&self.tx, &op, authority)? {
            return Err(refusal.into());
        }
        apply(&self.tx, &op)?;
        log(&self.tx, &op, Some(0), None)?;
        Ok(op.op_id)
    }

    /// The op that set each field's current value: its last edit, else the record's creation.
    fn replaced(
        &self,
        entity: Entity,
        entity_id: Uuid,
        fields: &Fields,
    ) -> Result<BTreeMap<String, OpId>, StoreError> {
        let mut out = BTreeMap::new();
        for field in fields.keys() {
            let version =
                crate::apply::current_version(&self.tx, entity, entity_id, field)?.ok_or_else(|| {
                    StoreError::NotFound {
                        what: entity.as_str(),
                        given: entity_id.to_string(),
                    }
                })?;
            out.insert(field.clone(), version.op);
        }
        Ok(out)
    }

    pub(crate) fn ensure_open(&self, case: CaseId) -> Result<CaseStatus, StoreError> {
        let status = read::case_status(&self.tx, case)?;
        if status == CaseStatus::Closed {
            return Err(RuleError::CaseClosed.into());
        }
        Ok(status)
    }

    /// Records a new referral, led by its author. Its reference is provisional until the hub
    /// assigns one.
    pub fn create_case(&mut self, new: NewCase) -> Result<CreatedCase, StoreError> {
        self.create_allocated_case(new, self.actor.user, None)
    }

    /// Records a new referral allocated as it is entered to `lead` (and `co`): a coordinator's
    /// intake. The judgement decides who may name someone other than themselves.
    pub fn create_allocated_case(
        &mut self,
        new: NewCase,
        lead: UserId,
        co: Option<UserId>,
    ) -> Result<CreatedCase, StoreError> {
        validate_case(new.stage, new.court_date, new.pre_sentence, &new.summary)?;
        let id = CaseId::new();
        let reference = provisional_reference(id);
        let mut f = fields([
            ("reference", json!(reference)),
            ("kind", json!(new.kind.as_str())),
            ("stage", json!(new.stage.as_str())),
            ("status", json!(CaseStatus::Referred.as_str())),
            ("source", json!(new.source.as_str())),
            ("referrer", json!(new.referrer)),
            ("summary", json!(new.summary.trim())),
            ("received_on", json!(new.received_on.unwrap_or(self.today))),
            ("court_date", json!(new.court_date)),
            ("lead", json!(lead)),
        ]);
        // Only named when there is one, so that a referral is the op it always was.
        if let Some(co) = co {
            f.insert("co".into(), json!(co));
        }
        if let Some(kind) = new.pre_sentence {
            f.insert("pre_sentence".into(), json!(kind.as_str()));
        }
        self.emit(id, Entity::Case, id.as_uuid(), OpKind::Create, f)?;
        Ok(CreatedCase { id, reference })
    }

    /// Allocates (or reallocates) a case to `lead`, with `co` or none: one op of the fields that
    /// change, judged like any other (coordinators any case, a supervisor within their team). A
    /// closed case is refused: reopen it first.
    pub fn allocate(&mut self, case: CaseId, lead: UserId, co: Option<UserId>) -> Result<(), StoreError> {
        self.ensure_open(case)?;
        let (current_lead, current_co): (Option<String>, Option<String>) = self.tx.query_row(
            "SELECT lead, co FROM cases WHERE id = ?1",
            params![case.to_string()],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )?;
        let mut f = Fields::new();
        if current_lead != Some(lead.to_string()) {
            f.insert("lead".into(), json!(lead));
        }
        if current_co != co.map(|c| c.to_string()) {
            f.insert("co".into(), json!(co));
        }
        if !f.is_empty() {
            self.emit(case, Entity::Case, case.as_uuid(), OpKind::Update, f)?;
        }
        Ok(())
    }

    /// Finds someone of the team directory (which the hub sends at each sync) by exact name,
    /// case-insensitive, or by user id.
    pub fn resolve_person(&self, given: &str) -> Result<UserId, StoreError> {
        let given = given.trim();
        let mut stmt = self
            .tx
            .prepare_cached("SELECT id FROM people WHERE id = ?1 OR name = ?1 COLLATE NOCASE LIMIT 2")?;
        let ids: Vec<String> = stmt
            .query_map(params![given], |r| r.get(0))?
            .collect::<Result<_, _>>()?;
        match ids.as_slice() {
            [one] => one
                .parse()
                .map_err(|_| StoreError::Corrupt("bad user id in the team directory".into())),
            _ => Err(StoreError::NotFound {
                what: "person in the team directory (sync first)",
                given: given.to_owned(),
            }),
        }
    }

    /// Changes referral details; the rules are checked on the case as it would become.
    /// A closed case is refused: reopen it first.
    pub fn edit_case(&mut self, case: CaseId, edit: CaseEdit) -> Result<(), StoreError> {
        self.ensure_open(case)?;
        let current = read::case_record(&self.tx, case)?;
        let stage = edit.stage.unwrap_or(current.stage);
        let court_date = edit.court_date.unwrap_or(current.court_date);
        // A case that leaves pre-sentence is no longer adjourned or deferred.
        let pre_sentence = match edit.pre_sentence {
            Some(kind) => kind,
            None if stage != JusticeStage::PreSentence => None,
            None => current.pre_sentence,
        };
        let summary = edit
            .summary
            .as_deref()
            .map(str::trim)
            .unwrap_or(&current.summary)
            .to_owned();
        validate_case(stage, court_date, pre_sentence, &summary)?;
        let mut f = Fields::new();
        if summary != current.summary {
            f.insert("summary".into(), json!(summary));
        }
        if stage != current.stage {
            f.insert("stage".into(), json!(stage.as_str()));
        }
        if court_date != current.court_date {
            f.insert("court_date".into(), json!(court_date));
        }
        if pre_sentence != current.pre_sentence {
            f.insert("pre_sentence".into(), json!(pre_sentence.map(|k| k.as_str())));
        }
        if !f.is_empty() {
            self.emit(case, Entity::Case, case.as_uuid(), OpKind::Update, f)?;
        }
        Ok(())
    }

    /// Sets who referred the case (their name or team); a blank one removes it. A closed case
    /// is refused: reopen it first.
    pub fn set_referrer(&mut self, case: CaseId, referrer: &str) -> Result<(), StoreError> {
        self.ensure_open(case)?;
        let current = read::case_record(&self.tx, case)?.referrer;
        let referrer = Some(referrer.trim()).filter(|r| !r.is_empty());
        if referrer != current.as_deref() {
            self.emit(
                case,
                Entity::Case,
                case.as_uuid(),
                OpKind::Update,
                fields([("referrer", json!(referrer))]),
            )?;
        }
        Ok(())
    }

    /// Moves the case to another status, recording the change on its timeline.
    pub fn change_status(
        &mut self,
        case: CaseId,
        to: CaseStatus,
        outcome: Option<&str>,
    ) -> Result<Transition, StoreError> {
        let from = read::case_record(&self.tx, case)?.status;
        let transition = from.transition(to, outcome)?;
        let outcome = outcome.map(str::trim).filter(|o| !o.is_empty());
        let change = StatusChangeId::new();
        self.emit(
            case,
            Entity::StatusChange,
            change.as_uuid(),
            OpKind::Create,
            fields([
                ("from_status", json!(from.as_str())),
                ("to_status", json!(to.as_str())),
                ("transition", json!(transition)),
                ("outcome", json!(outcome)),
                ("date", json!(self.today)),
            ]),
        )?;
        let mut f = fields([("status", json!(to.as_str()))]);
        if transition == Transition::Close || transition == Transition::Reopen {
            f.insert("outcome".into(), json!(outcome));
        }
        self.emit(case, Entity::Case, case.as_uuid(), OpKind::Update, f)?;
        Ok(transition)
    }

    /// Adds a party to a case.
    pub fn add_party(&mut self, case: CaseId, new: NewParty) -> Result<PartyId, StoreError> {
        self.ensure_open(case)?;
        let id = PartyId::new();
        let facts = PartyFacts {
            id,
            name: new.name.trim().to_owned(),
            role: new.role,
            minor: new.minor,
            guardian_of: new.guardian_of,
        };
        validate_new_party(&facts, &read::party_facts(&self.tx, case)?)?;
        self.emit(
            case,
            Entity::Party,
            id.as_uuid(),
            OpKind::Create,
            fields([
                ("role", json!(new.role.as_str())),
                ("name", json!(facts.name)),
                (
                    "phone",
                    json!(new.phone.as_deref().map(str::trim).filter(|p| !p.is_empty())),
                ),
                ("minor", json!(new.minor)),
                ("guardian_of", json!(new.guardian_of)),
            ]),
        )?;
        Ok(id)
    }

    /// Changes a party's name, phone or whether they are under 18, checked like a new party on
    /// the party as it would become; a party with a guardian on the case stays a minor. A closed
    /// case is refused: reopen it first.
    pub fn edit_party(&mut self, party: PartyId, edit: PartyEdit) -> Result<(), StoreError> {
        let (case, phone) = read::party_case_and_phone(&self.tx, party)?;
        self.ensure_open(case)?;
        let parties = read::party_facts(&self.tx, case)?;
        let current = parties
            .iter()
            .find(|p| p.id == party)
            .ok_or_else(|| StoreError::NotFound {
                what: "party",
                given: party.to_string(),
            })?;
        let others: Vec<PartyFacts> = parties.iter().filter(|p| p.id != party).cloned().collect();
        let facts = PartyFacts {
            name: edit
                .name
                .as_deref()
                .map_or(current.name.as_str(), str::trim)
                .to_owned(),
            minor: edit.minor.unwrap_or(current.minor),
            ..current.clone()
        };
        validate_new_party(&facts, &others)?;
        if !facts.minor
            && let Some(guardian) = others.iter().find(|p| p.guardian_of == Some(party))
        {
            return Err(RuleError::GuardianOfNonMinor {
                guardian: guardian.name.clone(),
                minor: facts.name,
            }
            .into());
        }
        let mut f = Fields::new();
        if facts.name != current.name {
            f.insert("name".into(), json!(facts.name));
        }
        if facts.minor != current.minor {
            f.insert("minor".into(), json!(facts.minor));
        }
        if let Some(new_phone) = edit.phone {
            let new_phone = Some(new_phone.trim().to_owned()).filter(|p| !p.is_empty());
            if new_phone != phone {
                f.insert("phone".into(), json!(new_phone));
            }
        }
        if !f.is_empty() {
            self.emit(case, Entity::Party, party.as_uuid(), OpKind::Update, f)?;
        }
        Ok(())
    }

    /// Records a contact, checking consent first: the service may not contact a party who
    /// declined or withdrew consent to contact (unless they initiated it), nor a minor without
    /// their own and a guardian's consent to take part.
    pub fn add_contact(&mut self, case: CaseId, new: NewContact) -> Result<ContactId, StoreError> {
        self.ensure_open(case)?;
        let state = if new.draft {
            ContactState::Draft
        } else {
            ContactState::Finalised
        };
        validate_contact(new.party_ids.len(), &new.notes, state)?;
        let parties = read::party_facts(&self.tx, case)?;
        let mut seen = Vec::new();
        for id in &new.party_ids {
            let party = parties
                .iter()
                .find(|p| p.id == *id)
                .ok_or_else(|| StoreError::NotFound {
                    what: "party of this case",
                    given: id.to_string(),
                })?;
            seen.push(party);
        }
        let events = read::consent_events(&self.tx, case)?;
        check_contact_allowed(&seen, &events, new.initiated_by_party)?;
        for party in &seen {
            check_minor_participation(party, &parties, &events)?;
        }
        if let Some(original) = new.amends {
            let (original_case, original_state, _) = read::contact_state(&self.tx, original)?;
            if original_case != case || original_state != ContactState::Finalised {
                return Err(StoreError::NotFound {
                    what: "finalised contact of this case",
                    given: original.to_string(),
                });
            }
        }
        let id = ContactId::new();
        let party_ids: Vec<String> = new.party_ids.iter().map(ToString::to_string).collect();
        self.emit(
            case,
            Entity::Contact,
            id.as_uuid(),
            OpKind::Create,
            fields([
                ("kind", json!(new.kind.as_str())),
                ("date", json!(new.date)),
                ("notes", json!(new.notes)),
                ("state", json!(state.as_str())),
                ("initiated_by_party", json!(new.initiated_by_party)),
                ("party_ids", json!(read::ids_text(&party_ids)?)),
                ("amends", json!(new.amends)),
                (
                    "finalised_on",
                    json!((state == ContactState::Finalised).then_some(self.today)),
                ),
                (
                    "shareable",
                    json!(new.shareable.as_deref().map(str::trim).filter(|s| !s.is_empty())),
                ),
            ]),
        )?;
        Ok(id)
    }

    /// Replaces the notes of a draft contact (the app's autosave). Refused once finalised.
    pub fn save_draft(&mut self, contact: ContactId, notes: &str) -> Result<(), StoreError> {
        let (case, state, finalised_on) = read::contact_state(&self.tx, contact)?;
        ensure_editable(state, finalised_on)?;
        self.emit(
            case,
            Entity::Contact,
            contact.as_uuid(),
            OpKind::Update,
            fields([("notes", json!(notes))]),
        )?;
        Ok(())
    }

    /// Finalises a draft: from now on it never changes.
    pub fn finalise_contact(&mut self, contact: ContactId) -> Result<(), StoreError> {
        let (case, state, finalised_on) = read::contact_state(&self.tx, contact)?;
        ensure_editable(state, finalised_on)?;
        let notes: String = self
            .tx
            .prepare_cached("SELECT notes FROM contacts WHERE id = ?1")?
            .query_row(params![contact.to_string()], |r| r.get(0))?;
        validate_contact(1, &notes, ContactState::Finalised)?;
        self.emit(
            case,
            Entity::Contact,
            contact.as_uuid(),
            OpKind::Update,
            fields([
                ("state", json!(ContactState::Finalised.as_str())),
                ("finalised_on", json!(self.today)),
            ]),
        )?;
        Ok(())
    }

    /// Records a consent decision (append-only: the latest event is the current consent).
    pub fn record_consent(&mut self, case: CaseId, new: NewConsent) -> Result<ConsentId, StoreError> {
        self.ensure_open(case)?;
        if !read::party_facts(&self.tx, case)?
            .iter()
            .any(|p| p.id == new.party)
        {
            return Err(StoreError::NotFound {
                what: "party of this case",
                given: new.party.to_string(),
            });
        }
        let id = ConsentId::new();
        self.emit(
            case,
            Entity::Consent,
            id.as_uuid(),
            OpKind::Create,
            fields([
                ("party_id", json!(new.party)),
                ("scope", json!(new.scope.as_str())),
                ("decision", json!(new.decision.as_str())),
                ("method", json!(new.method.as_str())),
                ("date", json!(new.date.unwrap_or(self.today))),
                (
                    "note",
                    json!(new.note.as_deref().map(str::trim).filter(|n| !n.is_empty())),
                ),
            ]),
        )?;
        Ok(id)
    }

    /// Adds a supervisor's note to a case (append-only, dated today). Refused unless this
    /// store's user is enrolled as a supervisor (the hub refuses anyone else's), and, like every
    /// other record, on a closed case: reopen it first.
    pub fn add_supervision_note(
        &mut self,
        case: CaseId,
        text: &str,
    ) -> Result<SupervisionNoteId, StoreError> {
        check_may_supervise(read::enrolled_role(&self.tx)?)?;
        self.ensure_open(case)?;
        validate_note(text)?;
        let id = SupervisionNoteId::new();
        self.emit(
            case,
            Entity::SupervisionNote,
            id.as_uuid(),
            OpKind::Create,
            fields([("text", json!(text.trim())), ("date", json!(self.today))]),
        )?;
        Ok(id)
    }

    /// Sets one text field of a record (resolving a conflict). Returns the op's id.
    pub fn set_text(
        &mut self,
        case: CaseId,
        entity: Entity,
        id: Uuid,
        field: &str,
        text: &str,
    ) -> Result<OpId, StoreError> {
        if entity == Entity::Contact {
            let (_, state, finalised_on) = read::contact_state(&self.tx, ContactId(id))?;
            ensure_editable(state, finalised_on)?;
        }
        self.emit(case, entity, id, OpKind::Update, fields([(field, json!(text))]))
    }

    /// Finds a case by id, reference or unique id prefix.
    pub fn resolve_case(&self, given: &str) -> Result<CaseId, StoreError> {
        read::resolve_case(&self.tx, given)
    }

    /// Finds a party of a case by id or name.
    pub fn resolve_party(&self, case: CaseId, given: &str) -> Result<PartyId, StoreError> {
        read::resolve_party(&self.tx, case, given)
    }

    /// Finds a contact by id or unique id prefix.
    pub fn resolve_contact(&self, given: &str) -> Result<ContactId, StoreError> {
        read::resolve_contact(&self.tx, given)
    }
}

pub use casebook_domain::case::provisional_reference;
