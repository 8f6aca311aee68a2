//! After the meeting: the agreement and its reviews, the pre-sentence court report with its
//! supervisor's sign-off, and what a preparation brief or the court may be told. The contents
//! of a document are gathered here; turning them into PDF is `casebook-documents`' job.

use casebook_domain::agreement::{self, Action, ActionStatus};
use casebook_domain::risk::{self, RiskState, SignOffDecision, SignOffFacts};
use casebook_domain::sharing::{self, Shareable, Words};
use casebook_domain::{
    AgreementId, CaseId, CourtReportId, Entity, JusticeStage, MeetingId, OpKind, PartyId, RuleError,
    SignOffId,
};
use chrono::NaiveDate;
use rusqlite::{Connection, OptionalExtension, params};
use serde::Serialize;
use serde_json::json;
use uuid::Uuid;

use crate::error::StoreError;
use crate::read::{self, parse, parse_opt};
use crate::write::{Fields, Writer};
use crate::{Store, today};

/// An agreement, with how its actions stand today.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct AgreementView {
    /// Its id.
    pub id: AgreementId,
    /// The meeting it came from, if any.
    pub meeting: Option<MeetingId>,
    /// When it was made.
    pub made_on: NaiveDate,
    /// The actions.
    pub actions: Vec<Action>,
    /// How each party agreed.
    pub how_agreed: String,
    /// The next review.
    pub review_on: Option<NaiveDate>,
    /// The last review.
    pub reviewed_on: Option<NaiveDate>,
    /// Open actions past their due date.
    pub overdue: usize,
    /// Every action done or not done.
    pub settled: bool,
}

/// Someone's words, with who they are.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct PartyWords {
    /// The party.
    pub party: PartyId,
    /// Their name.
    pub name: String,
    /// Their role, in words ("victim", "responsible person").
    pub role: String,
    /// Their shareable summaries.
    pub words: Vec<String>,
}

/// A preparation brief's contents: only what other parties agreed to share with this one.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct BriefData {
    /// The case's reference.
    pub reference: String,
    /// Who the brief is for.
    pub for_party: String,
    /// The other parties' shareable words.
    pub shared: Vec<PartyWords>,
}

/// A court report's contents, gathered from the case.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct CourtReportData {
    /// Its id.
    pub id: CourtReportId,
    /// The case's reference.
    pub reference: String,
    /// The sentencing date.
    pub court_date: NaiveDate,
    /// Sentencing adjourned or sentence deferred, if recorded.
    pub pre_sentence: Option<casebook_domain::PreSentenceKind>,
    /// The lead facilitator's name.
    pub facilitator: String,
    /// The referral's summary.
    pub summary: String,
    /// What took place, in the facilitator's words.
    pub what_took_place: String,
    /// Meetings held.
    pub meetings_held: Vec<NaiveDate>,
    /// The latest agreement's actions.
    pub actions: Vec<Action>,
    /// The words of parties who consented to share them with the court.
    pub words: Vec<PartyWords>,
    /// Where it stands (draft, submitted, approved, returned).
    pub state: RiskState,
    /// Who approved it and when, once approved.
    pub approved_by: Option<(String, NaiveDate)>,
}

fn actions_of(text: &str) -> Result<Vec<Action>, StoreError> {
    serde_json::from_str(text).map_err(|_| StoreError::Corrupt("an agreement's actions".into()))
}

fn actions_text(actions: &[Action]) -> Result<String, StoreError> {
    serde_json::to_string(actions).map_err(|e| StoreError::Corrupt(e.to_string()))
}

type AgreementRow = (
    AgreementId,
    Option<MeetingId>,
    NaiveDate,
    String,
    String,
    Option<NaiveDate>,
    Option<NaiveDate>,
    CaseId,
);

fn agreement_rows(conn: &Connection, filter: &str, id: &str) -> Result<Vec<AgreementRow>, StoreError> {
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT id, meeting, made_on, actions, how_agreed, review_on, reviewed_on, case_id FROM agreements
         WHERE {filter} = ?1 ORDER BY made_on DESC, rid DESC"
    ))?;
    let rows = stmt.query_map(params![id], |r| {
        Ok((
            parse(r, 0)?,
            parse_opt(r, 1)?,
            r.get(2)?,
            r.get(3)?,
            r.get(4)?,
            r.get(5)?,
            r.get(6)?,
            parse(r, 7)?,
        ))
    })?;
    Ok(rows.collect::<Result<_, _>>()?)
}

fn agreement_view(row: AgreementRow, today: NaiveDate) -> Result<AgreementView, StoreError> {
    let (id, meeting, made_on, actions, how_agreed, review_on, reviewed_on, _) = row;
    let actions = actions_of(&actions)?;
    Ok(AgreementView {
        id,
        meeting,
        made_on,
        overdue: agreement::overdue(&actions, today).len(),
        settled: agreement::settled(&actions),
        actions,
        how_agreed,
        review_on,
        reviewed_on,
    })
}

fn shareables(conn: &Connection, case: CaseId) -> Result<Vec<(Vec<PartyId>, String)>, StoreError> {
    let rows: Vec<(String, String)> = conn
        .prepare_cached(
            "SELECT party_ids, shareable FROM contacts WHERE case_id = ?1 AND shareable IS NOT NULL ORDER BY date, rid",
        )?
        .query_map(params![case.to_string()], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<Result<_, _>>()?;
    rows.into_iter()
        .map(|(ids, text)| Ok((read::parse_ids(&ids)?, text)))
        .collect()
}

fn words(
    conn: &Connection,
    case: CaseId,
    pick: impl Fn(&[Shareable<'_>]) -> Vec<Words>,
) -> Result<Vec<PartyWords>, StoreError> {
    let parties = read::party_facts(conn, case)?;
    let raw = shareables(conn, case)?;
    let list: Vec<Shareable<'_>> = raw
        .iter()
        .map(|(ids, text)| Shareable { parties: ids, text })
        .collect();
    Ok(pick(&list)
        .into_iter()
        .filter_map(|w| {
            parties.iter().find(|p| p.id == w.party).map(|p| PartyWords {
                party: p.id,
                name: p.name.clone(),
                role: p.role.label().to_owned(),
                words: w.texts,
            })
        })
        .collect())
}

struct ReportRow {
    id: CourtReportId,
    case_id: CaseId,
    what_took_place: String,
    submission: Option<Uuid>,
    submitted_on: Option<NaiveDate>,
}

fn report_row(conn: &Connection, filter: &str, id: &str) -> Result<Option<ReportRow>, StoreError> {
    Ok(conn
        .prepare_cached(&format!(
            "SELECT id, case_id, what_took_place, submission, submitted_on FROM court_reports
             WHERE {filter} = ?1 ORDER BY rid DESC LIMIT 1"
        ))?
        .query_row(params![id], |r| {
            Ok(ReportRow {
                id: parse(r, 0)?,
                case_id: parse(r, 1)?,
                what_took_place: r.get(2)?,
                submission: parse_opt(r, 3)?,
                submitted_on: r.get(4)?,
            })
        })
        .optional()?)
}

fn report_state(
    conn: &Connection,
    row: &ReportRow,
) -> Result<(RiskState, Option<(String, NaiveDate)>), StoreError> {
    let offs = crate::risk::sign_offs(conn, crate::risk::Subject::CourtReport, row.id.as_uuid())?;
    let facts: Vec<SignOffFacts> = offs.iter().map(|r| r.facts.clone()).collect();
    // The same derivation as a risk assessment's: only a sign-off of the current submission counts.
    let state = risk::state(row.submission.zip(row.submitted_on), &facts);
    let approved_by = match &state {
        RiskState::Approved { on, .. } => offs
            .iter()
            .filter(|r| {
                Some(r.facts.submission) == row.submission && r.facts.decision == SignOffDecision::Approved
            })
            .map(|r| (r.by_name.clone().unwrap_or_else(|| "a supervisor".into()), *on))
            .next(),
        _ => None,
    };
    Ok((state, approved_by))
}

impl Writer<'_> {
    /// Records the agreement reached, from a meeting that was held (or, with no meeting, an
    /// indirect process).
    pub fn record_agreement(
        &mut self,
        case: CaseId,
        meeting: Option<MeetingId>,
        actions: Vec<Action>,
        how_agreed: &str,
        review_on: Option<NaiveDate>,
    ) -> Result<AgreementId, StoreError> {
        self.ensure_open(case)?;
        if let Some(m) = meeting {
            let held: Option<Option<NaiveDate>> = self
                .tx
                .prepare_cached("SELECT held_on FROM meetings WHERE id = ?1 AND case_id = ?2")?
                .query_row(params![m.to_string(), case.to_string()], |r| r.get(0))
                .optional()?;
            match held {
                None => {
                    return Err(StoreError::NotFound {
                        what: "meeting of this case",
                        given: m.to_string(),
                    });
                }
                Some(None) => {
                    return Err(RuleError::MeetingNotReady {
                        missing: "record the meeting as held first (`casebook meeting held`)".into(),
                    }
                    .into());
                }
                Some(Some(_)) => {}
            }
        }
        let text = actions_text(&actions)?;
        if !agreement::is_actions(&text) {
            return Err(RuleError::BadAction { given: text }.into());
        }
        let id = AgreementId::new();
        let mut f = Fields::new();
        f.insert("meeting".into(), json!(meeting));
        f.insert("made_on".into(), json!(self.today));
        f.insert("actions".into(), json!(text));
        f.insert("how_agreed".into(), json!(how_agreed.trim()));
        f.insert("review_on".into(), json!(review_on));
        self.emit(case, Entity::Agreement, id.as_uuid(), OpKind::Create, f)?;
        Ok(id)
    }

    /// A follow-up review: sets how far actions (by their 1-based number) have got, and the
    /// next review date.
    pub fn review_agreement(
        &mut self,
        id: AgreementId,
        statuses: &[(usize, ActionStatus)],
        next_review: Option<NaiveDate>,
    ) -> Result<(), StoreError> {
        let Some(row) = agreement_rows(&self.tx, "id", &id.to_string())?
            .into_iter()
            .next()
        else {
            return Err(StoreError::NotFound {
                what: "agreement",
                given: id.to_string(),
            });
        };
        let case = row.7;
        self.ensure_open(case)?;
        let mut actions = actions_of(&row.3)?;
        for (number, status) in statuses {
            let action = number
                .checked_sub(1)
                .and_then(|i| actions.get_mut(i))
                .ok_or_else(|| StoreError::NotFound {
                    what: "action of this agreement",
                    given: number.to_string(),
                })?;
            action.status = *status;
        }
        let mut f = Fields::new();
        f.insert("actions".into(), json!(actions_text(&actions)?));
        f.insert("reviewed_on".into(), json!(self.today));
        f.insert("review_on".into(), json!(next_review));
        self.emit(case, Entity::Agreement, id.as_uuid(), OpKind::Update, f)?;
        Ok(())
    }

    /// Writes (or rewrites) the case's court report; a rewrite needs a new submission.
    pub fn write_court_report(
        &mut self,
        case: CaseId,
        what_took_place: &str,
    ) -> Result<CourtReportId, StoreError> {
        self.ensure_open(case)?;
        if read::case_record(&self.tx, case)?.stage != JusticeStage::PreSentence {
            return Err(RuleError::NotPreSentence.into());
        }
        let text = what_took_place.trim();
        if let Some(row) = report_row(&self.tx, "case_id", &case.to_string())? {
            if row.what_took_place != text {
                let mut f = Fields::new();
                f.insert("what_took_place".into(), json!(text));
                if row.submission.is_some() {
                    f.insert("submission".into(), json!(null));
                    f.insert("submitted_on".into(), json!(null));
                }
                self.emit(case, Entity::CourtReport, row.id.as_uuid(), OpKind::Update, f)?;
            }
            return Ok(row.id);
        }
        let id = CourtReportId::new();
        let mut f = Fields::new();
        f.insert("what_took_place".into(), json!(text));
        self.emit(case, Entity::CourtReport, id.as_uuid(), OpKind::Create, f)?;
        Ok(id)
    }

    /// Submits the case's court report for a supervisor's approval.
    pub fn submit_court_report(&mut self, case: CaseId) -> Result<CourtReportId, StoreError> {
        let row = match report_row(&self.tx, "case_id", &case.to_string())? {
            Some(row) => row,
            None => {
                let id = self.write_court_report(case, "")?;
                report_row(&self.tx, "id", &id.to_string())?
                    .ok_or_else(|| StoreError::Corrupt("a new court report".into()))?
            }
        };
        self.ensure_open(row.case_id)?;
        let mut f = Fields::new();
        f.insert("submission".into(), json!(Uuid::now_v7()));
        f.insert("submitted_on".into(), json!(self.today));
        self.emit(case, Entity::CourtReport, row.id.as_uuid(), OpKind::Update, f)?;
        Ok(row.id)
    }

    /// A supervisor approves or returns the submitted court report of a case.
    pub fn sign_off_court_report(
        &mut self,
        case: CaseId,
        decision: SignOffDecision,
        note: Option<&str>,
    ) -> Result<SignOffId, StoreError> {
        let row =
            report_row(&self.tx, "case_id", &case.to_string())?.ok_or_else(|| StoreError::NotFound {
                what: "court report of this case",
                given: case.to_string(),
            })?;
        self.ensure_open(case)?;
        let note = note.map(str::trim).filter(|n| !n.is_empty());
        if decision == SignOffDecision::Returned && note.is_none() {
            return Err(RuleError::ReturnNeedsNote.into());
        }
        let (state, _) = report_state(&self.tx, &row)?;
        let (RiskState::Submitted { .. }, Some(submission)) = (&state, row.submission) else {
            return Err(RuleError::NotSubmitted { state: state.name() }.into());
        };
        let id = SignOffId::new();
        let mut f = Fields::new();
        f.insert("court_report".into(), json!(row.id));
        f.insert("submission".into(), json!(submission));
        f.insert("decision".into(), json!(decision.as_str()));
        f.insert("note".into(), json!(note));
        f.insert("date".into(), json!(self.today));
        self.emit(case, Entity::SignOff, id.as_uuid(), OpKind::Create, f)?;
        Ok(id)
    }
}

impl Store {
    /// The agreements of a case, newest first.
    pub fn agreements(&self, case: CaseId) -> Result<Vec<AgreementView>, StoreError> {
        agreement_rows(&self.conn, "case_id", &case.to_string())?
            .into_iter()
            .map(|r| agreement_view(r, today()))
            .collect()
    }

    /// What a preparation brief for `party` may hold: the other parties' shareable summaries,
    /// of those who consented to share them with the other party. Private notes never.
    pub fn preparation_brief(&self, case: CaseId, party: PartyId) -> Result<BriefData, StoreError> {
        let record = read::case_record(&self.conn, case)?;
        let parties = read::party_facts(&self.conn, case)?;
        let for_party = parties
            .iter()
            .find(|p| p.id == party)
            .ok_or_else(|| StoreError::NotFound {
                what: "party of this case",
                given: party.to_string(),
            })?
            .name
            .clone();
        let consents = read::consent_events(&self.conn, case)?;
        let shared = words(&self.conn, case, |list| {
            sharing::brief(party, &parties, &consents, list)
        })?;
        Ok(BriefData {
            reference: record.reference,
            for_party,
            shared,
        })
    }

    /// The contents of the case's court report, as it stands (a draft until approved).
    pub fn court_report(&self, case: CaseId) -> Result<CourtReportData, StoreError> {
        let record = read::case_record(&self.conn, case)?;
        let court_date = record.court_date.ok_or(RuleError::NotPreSentence)?;
        let row =
            report_row(&self.conn, "case_id", &case.to_string())?.ok_or_else(|| StoreError::NotFound {
                what: "court report of this case (write one with `casebook report write`)",
                given: record.reference.clone(),
            })?;
        let (state, approved_by) = report_state(&self.conn, &row)?;
        let parties = read::party_facts(&self.conn, case)?;
        let consents = read::consent_events(&self.conn, case)?;
        let words = words(&self.conn, case, |list| {
            sharing::for_court(&parties, &consents, list)
        })?;
        let meetings_held: Vec<NaiveDate> = self
            .conn
            .prepare_cached(
                "SELECT held_on FROM meetings WHERE case_id = ?1 AND held_on IS NOT NULL ORDER BY held_on",
            )?
            .query_map(params![case.to_string()], |r| r.get(0))?
            .collect::<Result<_, _>>()?;
        let actions = self
            .agreements(case)?
            .into_iter()
            .next()
            .map(|a| a.actions)
            .unwrap_or_default();
        Ok(CourtReportData {
            id: row.id,
            reference: record.reference,
            court_date,
            pre_sentence: record.pre_sentence,
            facilitator: record.lead_name.unwrap_or_else(|| "the facilitator".into()),
            summary: record.summary,
            what_took_place: row.what_took_place,
            meetings_held,
            actions,
            words,
            state,
            approved_by,
        })
    }
}
