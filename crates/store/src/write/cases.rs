//! Changes to a case itself: recording a referral, allocating it, editing its details and
//! moving it through its statuses.

use casebook_domain::case::{Transition, provisional_reference, validate_case};
use casebook_domain::{CaseId, CaseStatus, Entity, JusticeStage, OpKind, StatusChangeId, UserId};
use rusqlite::params;
use serde_json::json;

use super::{Fields, Writer, fields};
use crate::error::StoreError;
use crate::model::{CaseEdit, CreatedCase, NewCase};
use crate::read;

impl Writer<'_> {
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
}
