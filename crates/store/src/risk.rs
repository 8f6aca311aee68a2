//! Risk assessments and their sign-offs in the store: each change checked by the domain's rules
//! (`casebook_domain::risk`), then an op like any other; where an assessment stands is derived
//! on reading, never stored.

use casebook_domain::risk::{
    self, FactorAssessment, Factors, NotCurrent, RiskFactor, RiskLevel, RiskState, SignOffDecision,
    SignOffFacts,
};
use casebook_domain::{CaseId, Entity, OpKind, RiskAssessmentId, RuleError, SignOffId};
use chrono::NaiveDate;
use rusqlite::{Connection, OptionalExtension, params};
use serde::Serialize;
use serde_json::json;
use uuid::Uuid;

use crate::error::StoreError;
use crate::read::{self, parse, parse_opt};
use crate::write::{Fields, Writer};
use crate::{Store, today};

/// A new risk assessment, as a facilitator first writes it.
#[derive(Debug, Clone)]
pub struct NewRiskAssessment {
    /// The overall rating.
    pub rating: RiskLevel,
    /// The factors assessed so far.
    pub factors: Factors,
    /// The safety plan.
    pub mitigations: String,
}

/// Changes to a risk assessment; `None` leaves a field as it is. Factors given replace those
/// factors' assessments and leave the others.
#[derive(Debug, Clone, Default)]
pub struct RiskEdit {
    /// A new overall rating.
    pub rating: Option<RiskLevel>,
    /// Factors assessed anew.
    pub factors: Factors,
    /// A new safety plan.
    pub mitigations: Option<String>,
}

/// A supervisor's sign-off, for display.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct SignOff {
    /// Its id.
    pub id: String,
    /// Approved or returned.
    pub decision: SignOffDecision,
    /// The supervisor's comment.
    pub note: Option<String>,
    /// When.
    pub date: NaiveDate,
    /// Who (user id).
    pub by: String,
    /// Their name, when the team directory knows it.
    pub by_name: Option<String>,
    /// Whether it answers the assessment's current submission.
    pub current: bool,
}

/// A risk assessment as the app and the CLI show it.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct RiskAssessment {
    /// Its id.
    pub id: RiskAssessmentId,
    /// Its case.
    pub case_id: CaseId,
    /// The overall rating.
    pub rating: RiskLevel,
    /// Every factor assessed.
    pub factors: Factors,
    /// The factors not assessed yet.
    pub missing_factors: Vec<RiskFactor>,
    /// The safety plan.
    pub mitigations: String,
    /// Where it stands.
    pub state: RiskState,
    /// When its current version was submitted (`None` while a draft).
    pub submitted_on: Option<NaiveDate>,
    /// Whether a meeting may rely on it today.
    pub current: bool,
    /// Why not, when it is not current.
    pub not_current: Option<NotCurrent>,
    /// Why not, in words.
    pub not_current_text: Option<String>,
    /// When the facilitator recorded a change of circumstances since it was submitted.
    pub circumstances_changed_on: Option<NaiveDate>,
    /// What changed.
    pub circumstances: Option<String>,
    /// When it was first written (RFC 3339).
    pub created_at: String,
    /// Every sign-off recorded for it, oldest first.
    pub sign_offs: Vec<SignOff>,
}

/// A risk assessment's row, before its state is derived.
struct Row {
    id: RiskAssessmentId,
    case_id: CaseId,
    rating: RiskLevel,
    factors: String,
    mitigations: String,
    submission: Option<Uuid>,
    submitted_on: Option<NaiveDate>,
    circumstances_changed_on: Option<NaiveDate>,
    circumstances: Option<String>,
    created_at: String,
}

const COLUMNS: &str = "id, case_id, rating, factors, mitigations, submission, submitted_on, \
                       circumstances_changed_on, circumstances, created_at";

fn row(r: &rusqlite::Row<'_>) -> rusqlite::Result<Row> {
    Ok(Row {
        id: parse(r, 0)?,
        case_id: parse(r, 1)?,
        rating: parse(r, 2)?,
        factors: r.get(3)?,
        mitigations: r.get(4)?,
        submission: parse_opt(r, 5)?,
        submitted_on: r.get(6)?,
        circumstances_changed_on: r.get(7)?,
        circumstances: r.get(8)?,
        created_at: r.get(9)?,
    })
}

fn load_row(conn: &Connection, id: RiskAssessmentId) -> Result<Row, StoreError> {
    conn.prepare_cached(&format!("SELECT {COLUMNS} FROM risk_assessments WHERE id = ?1"))?
        .query_row(params![id.to_string()], row)
        .optional()?
        .ok_or_else(|| StoreError::NotFound {
            what: "risk assessment",
            given: id.to_string(),
        })
}

/// A sign-off as stored: what the derivation needs, and who.
pub(crate) struct Recorded {
    pub(crate) facts: SignOffFacts,
    pub(crate) id: String,
    pub(crate) by: String,
    pub(crate) by_name: Option<String>,
}

/// What a sign-off answers: the column of `sign_offs` that names it.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Subject {
    /// A risk assessment.
    RiskAssessment,
    /// A court report.
    CourtReport,
}

/// The sign-offs of one piece of work, oldest first, with the supervisor's name.
pub(crate) fn sign_offs(conn: &Connection, subject: Subject, id: Uuid) -> Result<Vec<Recorded>, StoreError> {
    let column = match subject {
        Subject::RiskAssessment => "risk_assessment",
        Subject::CourtReport => "court_report",
    };
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT s.submission, s.decision, s.date, s.note, s.id, s.created_by, p.name
         FROM sign_offs s LEFT JOIN people p ON p.id = s.created_by
         WHERE s.{column} = ?1 ORDER BY s.date, s.rid"
    ))?;
    let rows = stmt.query_map(params![id.to_string()], |r| {
        Ok(Recorded {
            facts: SignOffFacts {
                submission: parse(r, 0)?,
                decision: parse(r, 1)?,
                date: r.get(2)?,
                note: r.get(3)?,
            },
            id: r.get(4)?,
            by: r.get(5)?,
            by_name: r.get(6)?,
        })
    })?;
    Ok(rows.collect::<Result<_, _>>()?)
}

fn factors_of(row: &Row) -> Result<Factors, StoreError> {
    risk::parse_factors(&row.factors).ok_or_else(|| StoreError::Corrupt("a risk assessment's factors".into()))
}

fn derive(conn: &Connection, row: Row, today: NaiveDate) -> Result<RiskAssessment, StoreError> {
    let offs = sign_offs(conn, Subject::RiskAssessment, row.id.as_uuid())?;
    let facts: Vec<SignOffFacts> = offs.iter().map(|r| r.facts.clone()).collect();
    let submission = row.submission.zip(row.submitted_on);
    let state = risk::state(submission, &facts);
    let not_current = risk::currency(&state, row.circumstances_changed_on, today).err();
    let factors = factors_of(&row)?;
    Ok(RiskAssessment {
        id: row.id,
        case_id: row.case_id,
        rating: row.rating,
        missing_factors: RiskFactor::ALL
            .iter()
            .filter(|f| !factors.contains_key(f))
            .copied()
            .collect(),
        factors,
        mitigations: row.mitigations,
        current: not_current.is_none(),
        not_current_text: not_current.map(|n| n.to_string()),
        not_current,
        state,
        submitted_on: row.submitted_on,
        circumstances_changed_on: row.circumstances_changed_on,
        circumstances: row.circumstances,
        created_at: row.created_at,
        sign_offs: offs
            .into_iter()
            .map(|r| SignOff {
                id: r.id,
                current: Some(r.facts.submission) == row.submission,
                decision: r.facts.decision,
                note: r.facts.note,
                date: r.facts.date,
                by: r.by,
                by_name: r.by_name,
            })
            .collect(),
    })
}

/// The assessments of a case, newest first: the first is the one a meeting relies on.
pub(crate) fn of_case(
    conn: &Connection,
    case: CaseId,
    today: NaiveDate,
) -> Result<Vec<RiskAssessment>, StoreError> {
    let rows: Vec<Row> = conn
        .prepare_cached(&format!(
            "SELECT {COLUMNS} FROM risk_assessments WHERE case_id = ?1 ORDER BY created_at DESC, rid DESC"
        ))?
        .query_map(params![case.to_string()], row)?
        .collect::<Result<_, _>>()?;
    rows.into_iter().map(|r| derive(conn, r, today)).collect()
}

/// Finds a risk assessment by id or unique id prefix.
pub(crate) fn resolve(conn: &Connection, given: &str) -> Result<RiskAssessmentId, StoreError> {
    read::resolve_record(conn, Entity::RiskAssessment, given)
}

impl Writer<'_> {
    /// Starts a risk assessment of a case, as a draft.
    pub fn new_risk_assessment(
        &mut self,
        case: CaseId,
        new: NewRiskAssessment,
    ) -> Result<RiskAssessmentId, StoreError> {
        self.ensure_open(case)?;
        let id = RiskAssessmentId::new();
        let mut f = Fields::new();
        f.insert("rating".into(), json!(new.rating.as_str()));
        f.insert("factors".into(), json!(risk::factors_text(&new.factors)));
        f.insert("mitigations".into(), json!(new.mitigations.trim()));
        self.emit(case, Entity::RiskAssessment, id.as_uuid(), OpKind::Create, f)?;
        Ok(id)
    }

    /// Changes an assessment. A submitted (or signed-off) one goes back to draft: what a
    /// supervisor approved is no longer what it says.
    pub fn edit_risk_assessment(&mut self, id: RiskAssessmentId, edit: RiskEdit) -> Result<(), StoreError> {
        let current = load_row(&self.tx, id)?;
        self.ensure_open(current.case_id)?;
        let mut f = Fields::new();
        if let Some(rating) = edit.rating.filter(|r| *r != current.rating) {
            f.insert("rating".into(), json!(rating.as_str()));
        }
        if !edit.factors.is_empty() {
            let mut factors = factors_of(&current)?;
            factors.extend(edit.factors);
            let text = risk::factors_text(&factors);
            if text != current.factors {
                f.insert("factors".into(), json!(text));
            }
        }
        if let Some(plan) = edit.mitigations.map(|m| m.trim().to_owned())
            && plan != current.mitigations
        {
            f.insert("mitigations".into(), json!(plan));
        }
        if f.is_empty() {
            return Ok(());
        }
        if current.submission.is_some() {
            f.insert("submission".into(), json!(null));
            f.insert("submitted_on".into(), json!(null));
        }
        self.emit(
            current.case_id,
            Entity::RiskAssessment,
            id.as_uuid(),
            OpKind::Update,
            f,
        )?;
        Ok(())
    }

    /// Submits an assessment for a supervisor's sign-off: every factor must be assessed. A new
    /// submission also settles a change of circumstances recorded before it.
    pub fn submit_risk_assessment(&mut self, id: RiskAssessmentId) -> Result<(), StoreError> {
        let current = load_row(&self.tx, id)?;
        self.ensure_open(current.case_id)?;
        risk::check_complete(&factors_of(&current)?)?;
        let mut f = Fields::new();
        f.insert("submission".into(), json!(Uuid::now_v7()));
        f.insert("submitted_on".into(), json!(self.today));
        if current.circumstances_changed_on.is_some() {
            f.insert("circumstances_changed_on".into(), json!(null));
        }
        self.emit(
            current.case_id,
            Entity::RiskAssessment,
            id.as_uuid(),
            OpKind::Update,
            f,
        )?;
        Ok(())
    }

    /// A supervisor approves or returns a submitted assessment (returning needs a comment).
    /// The judgement refuses anyone but a supervisor of the case's team.
    pub fn sign_off_risk_assessment(
        &mut self,
        id: RiskAssessmentId,
        decision: SignOffDecision,
        note: Option<&str>,
    ) -> Result<SignOffId, StoreError> {
        let current = load_row(&self.tx, id)?;
        self.ensure_open(current.case_id)?;
        let note = note.map(str::trim).filter(|n| !n.is_empty());
        if decision == SignOffDecision::Returned && note.is_none() {
            return Err(RuleError::ReturnNeedsNote.into());
        }
        let derived = derive(&self.tx, load_row(&self.tx, id)?, self.today)?;
        let (RiskState::Submitted { .. }, Some(submission)) = (&derived.state, current.submission) else {
            return Err(RuleError::NotSubmitted {
                state: derived.state.name(),
            }
            .into());
        };
        let sign_off = SignOffId::new();
        let mut f = Fields::new();
        f.insert("risk_assessment".into(), json!(id));
        f.insert("submission".into(), json!(submission));
        f.insert("decision".into(), json!(decision.as_str()));
        f.insert("note".into(), json!(note));
        f.insert("date".into(), json!(self.today));
        self.emit(
            current.case_id,
            Entity::SignOff,
            sign_off.as_uuid(),
            OpKind::Create,
            f,
        )?;
        Ok(sign_off)
    }

    /// Records that circumstances changed after an assessment was approved: it stops being
    /// current until it is revised and approved again.
    pub fn change_of_circumstances(&mut self, id: RiskAssessmentId, what: &str) -> Result<(), StoreError> {
        let current = load_row(&self.tx, id)?;
        self.ensure_open(current.case_id)?;
        let what = what.trim();
        if what.is_empty() {
            return Err(RuleError::Empty {
                field: "What changed",
            }
            .into());
        }
        let derived = derive(&self.tx, load_row(&self.tx, id)?, self.today)?;
        if !matches!(derived.state, RiskState::Approved { .. }) {
            return Err(RuleError::NotApproved {
                state: derived.state.name(),
            }
            .into());
        }
        let mut f = Fields::new();
        f.insert("circumstances_changed_on".into(), json!(self.today));
        f.insert("circumstances".into(), json!(what));
        self.emit(
            current.case_id,
            Entity::RiskAssessment,
            id.as_uuid(),
            OpKind::Update,
            f,
        )?;
        Ok(())
    }

    /// Finds a risk assessment by id or unique id prefix.
    pub fn resolve_risk_assessment(&self, given: &str) -> Result<RiskAssessmentId, StoreError> {
        resolve(&self.tx, given)
    }
}

impl Store {
    /// The risk assessments of a case, newest first, with where each stands today.
    pub fn risk_assessments(&self, case: CaseId) -> Result<Vec<RiskAssessment>, StoreError> {
        of_case(&self.conn, case, today())
    }

    /// One risk assessment, with where it stands today.
    pub fn risk_assessment(&self, id: RiskAssessmentId) -> Result<RiskAssessment, StoreError> {
        derive(&self.conn, load_row(&self.conn, id)?, today())
    }

    /// Finds a risk assessment by id or unique id prefix.
    pub fn resolve_risk_assessment(&self, given: &str) -> Result<RiskAssessmentId, StoreError> {
        resolve(&self.conn, given)
    }
}

/// A factor's assessment from its level and note, for callers building [`Factors`].
pub fn factor(level: RiskLevel, note: &str) -> FactorAssessment {
    FactorAssessment {
        level,
        note: note.trim().to_owned(),
    }
}
