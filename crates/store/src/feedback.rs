//! Each party's feedback at follow-up: recorded only while their consent to follow-up is
//! given (`casebook_domain::feedback`), append-only, and read back per case, newest last.

use casebook_domain::consent::current_decision;
use casebook_domain::feedback::{Satisfaction, check_feedback_allowed};
use casebook_domain::{CaseId, ConsentScope, Entity, FeedbackId, OpKind, PartyId, PartyRole};
use chrono::NaiveDate;
use rusqlite::params;
use serde::Serialize;
use serde_json::json;

use crate::Store;
use crate::error::StoreError;
use crate::read::{self, parse};
use crate::write::{Fields, Writer};

/// A party's feedback as the facilitator takes it down.
#[derive(Debug, Clone)]
pub struct NewFeedback {
    /// Whose feedback.
    pub party: PartyId,
    /// How satisfied they were with the process.
    pub satisfaction: Satisfaction,
    /// Whether they would recommend it to someone in their position; `None` when not asked.
    pub recommend: Option<bool>,
    /// Their own words (may be empty).
    pub words: String,
}

/// One party's feedback, for display.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct FeedbackView {
    /// Its id.
    pub id: FeedbackId,
    /// Whose feedback.
    pub party: PartyId,
    /// Their name.
    pub party_name: String,
    /// Their role.
    pub role: PartyRole,
    /// How satisfied they were.
    pub satisfaction: Satisfaction,
    /// Whether they would recommend it.
    pub recommend: Option<bool>,
    /// Their own words.
    pub words: String,
    /// The day it was given.
    pub date: NaiveDate,
    /// Who took it down, by name when the directory knows them.
    pub taken_by: Option<String>,
}

impl Writer<'_> {
    /// Records a party's feedback, dated today: refused unless their latest decision on
    /// follow-up feedback is `given`, and, like every record, on a closed case.
    pub fn record_feedback(&mut self, case: CaseId, new: NewFeedback) -> Result<FeedbackId, StoreError> {
        self.ensure_open(case)?;
        let parties = read::party_facts(&self.tx, case)?;
        let party = parties
            .iter()
            .find(|p| p.id == new.party)
            .ok_or_else(|| StoreError::NotFound {
                what: "party of this case",
                given: new.party.to_string(),
            })?;
        let events = read::consent_events(&self.tx, case)?;
        let follow_up = current_decision(&events, party.id, ConsentScope::FollowUp).map(|e| e.decision);
        check_feedback_allowed(&party.name, follow_up)?;
        let id = FeedbackId::new();
        let mut f = Fields::new();
        f.insert("party".into(), json!(new.party));
        f.insert("satisfaction".into(), json!(new.satisfaction.as_str()));
        f.insert("recommend".into(), json!(new.recommend));
        f.insert("words".into(), json!(new.words.trim()));
        f.insert("date".into(), json!(self.today));
        self.emit(case, Entity::Feedback, id.as_uuid(), OpKind::Create, f)?;
        Ok(id)
    }
}

impl Store {
    /// The feedback given on a case, in the order it was taken.
    pub fn feedback(&self, case: CaseId) -> Result<Vec<FeedbackView>, StoreError> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT f.id, f.party, p.name, p.role, f.satisfaction, f.recommend, f.words, f.date, who.name
             FROM feedback f JOIN parties p ON p.id = f.party
             LEFT JOIN people who ON who.id = f.created_by
             WHERE f.case_id = ?1 ORDER BY f.date, f.rid",
        )?;
        let rows = stmt.query_map(params![case.to_string()], |r| {
            Ok(FeedbackView {
                id: parse(r, 0)?,
                party: parse(r, 1)?,
                party_name: r.get(2)?,
                role: parse(r, 3)?,
                satisfaction: parse(r, 4)?,
                recommend: r.get(5)?,
                words: r.get(6)?,
                date: r.get(7)?,
                taken_by: r.get(8)?,
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }
}
