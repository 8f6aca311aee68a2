//! Meetings in the store: planning one, its preparation plan (saved like a visit note), what a
//! person confirms, and recording it held or called off. Readiness is computed on every read
//! from the case's records by `casebook_domain::meeting::readiness`.

use casebook_domain::meeting::{
    self, Check, CheckItem, MeetingFacts, MeetingKind, Plan, PlanSection, Readiness, RiskStanding,
};
use casebook_domain::risk::{RiskState, SignOffDecision};
use casebook_domain::{
    CaseId, Entity, MeetingCheckId, MeetingId, OpKind, PartyId, PartyRole, RuleError, SignOffId,
};
use chrono::NaiveDate;
use rusqlite::{Connection, OptionalExtension, params};
use serde::Serialize;
use serde_json::json;

use crate::error::StoreError;
use crate::read::{self, parse, parse_opt};
use crate::write::{Fields, Writer};
use crate::{Store, today};

/// A meeting as first planned.
#[derive(Debug, Clone)]
pub struct NewMeeting {
    /// How the parties communicate.
    pub kind: MeetingKind,
    /// The day planned.
    pub planned_on: NaiveDate,
    /// The time planned, `HH:MM`.
    pub planned_time: Option<String>,
    /// Where.
    pub venue: String,
    /// The parties attending (supporters and interpreters are parties too).
    pub attendees: Vec<PartyId>,
}

/// A party attending, for display.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Attendee {
    /// The party.
    pub id: PartyId,
    /// Their name.
    pub name: String,
    /// Their role.
    pub role: PartyRole,
}

/// A meeting with its readiness today.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct MeetingView {
    /// Its id.
    pub id: MeetingId,
    /// Its case.
    pub case_id: CaseId,
    /// How the parties communicate.
    pub kind: MeetingKind,
    /// The day planned.
    pub planned_on: NaiveDate,
    /// The time planned.
    pub planned_time: Option<String>,
    /// Where.
    pub venue: String,
    /// Who attends.
    pub attendees: Vec<Attendee>,
    /// The preparation plan, by section.
    pub plan: Plan,
    /// When it was held.
    pub held_on: Option<NaiveDate>,
    /// Who took part, once held (a meeting recorded before this was asked: its attendees).
    pub took_part: Vec<Attendee>,
    /// Why it was called off.
    pub called_off: Option<String>,
    /// A supervisor's override letting it be held although not ready: their name and reason.
    pub overridden: Option<(String, String)>,
    /// What stands between it and being held (empty once held or called off).
    #[serde(flatten)]
    pub readiness: Readiness,
}

struct Row {
    id: MeetingId,
    case_id: CaseId,
    kind: MeetingKind,
    planned_on: NaiveDate,
    planned_time: Option<String>,
    venue: String,
    attendees: String,
    plan: String,
    held_on: Option<NaiveDate>,
    called_off: Option<String>,
    attended: Option<String>,
}

const COLUMNS: &str =
    "id, case_id, kind, planned_on, planned_time, venue, attendees, plan, held_on, called_off, attended";

fn row(r: &rusqlite::Row<'_>) -> rusqlite::Result<Row> {
    Ok(Row {
        id: parse(r, 0)?,
        case_id: parse(r, 1)?,
        kind: parse(r, 2)?,
        planned_on: r.get(3)?,
        planned_time: r.get(4)?,
        venue: r.get(5)?,
        attendees: r.get(6)?,
        plan: r.get(7)?,
        held_on: r.get(8)?,
        called_off: r.get(9)?,
        attended: r.get(10)?,
    })
}

fn load_row(conn: &Connection, id: MeetingId) -> Result<Row, StoreError> {
    conn.prepare_cached(&format!("SELECT {COLUMNS} FROM meetings WHERE id = ?1"))?
        .query_row(params![id.to_string()], row)
        .optional()?
        .ok_or_else(|| StoreError::NotFound {
            what: "meeting",
            given: id.to_string(),
        })
}

fn risk_standing(conn: &Connection, case: CaseId, today: NaiveDate) -> Result<RiskStanding, StoreError> {
    let Some(latest) = crate::risk::of_case(conn, case, today)?.into_iter().next() else {
        return Ok(RiskStanding::None);
    };
    let submitted_on = match latest.state {
        RiskState::Draft => None,
        RiskState::Submitted { on } => Some(on),
        // Approved or returned: the version signed off was submitted on this day.
        RiskState::Approved { .. } | RiskState::Returned { .. } => latest.submitted_on,
    };
    Ok(match (latest.not_current, submitted_on) {
        (None, Some(submitted_on)) => RiskStanding::Current { submitted_on },
        (Some(why), submitted_on) => RiskStanding::NotCurrent { why, submitted_on },
        (None, None) => RiskStanding::NotCurrent {
            why: casebook_domain::risk::NotCurrent::NotApproved,
            submitted_on: None,
        },
    })
}

fn contacts(conn: &Connection, case: CaseId) -> Result<Vec<(NaiveDate, Vec<PartyId>)>, StoreError> {
    let rows: Vec<(NaiveDate, String)> = conn
        .prepare_cached("SELECT date, party_ids FROM contacts WHERE case_id = ?1")?
        .query_map(params![case.to_string()], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<Result<_, _>>()?;
    rows.into_iter()
        .map(|(date, ids)| Ok((date, read::parse_ids(&ids)?)))
        .collect()
}

fn checks(conn: &Connection, id: MeetingId) -> Result<Vec<Check>, StoreError> {
    let mut stmt = conn.prepare_cached("SELECT item, party FROM meeting_checks WHERE meeting = ?1")?;
    let rows = stmt.query_map(params![id.to_string()], |r| {
        Ok(Check {
            item: parse(r, 0)?,
            party: parse_opt(r, 1)?,
        })
    })?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// The latest override of a meeting: who (by name when the directory knows them) and why.
fn override_of(conn: &Connection, id: MeetingId) -> Result<Option<(String, String)>, StoreError> {
    Ok(conn
        .prepare_cached(
            "SELECT coalesce(p.name, 'a supervisor'), coalesce(s.note, '') FROM sign_offs s
             LEFT JOIN people p ON p.id = s.created_by
             WHERE s.meeting = ?1 AND s.decision = 'approved' ORDER BY s.rid DESC LIMIT 1",
        )?
        .query_row(params![id.to_string()], |r| Ok((r.get(0)?, r.get(1)?)))
        .optional()?)
}

fn view(conn: &Connection, row: Row, today: NaiveDate) -> Result<MeetingView, StoreError> {
    let parties = read::party_facts(conn, row.case_id)?;
    let attendee_ids: Vec<PartyId> = read::parse_ids(&row.attendees)?;
    let readiness = if row.held_on.is_some() || row.called_off.is_some() {
        Readiness {
            ready: false,
            missing: Vec::new(),
        }
    } else {
        meeting::readiness(&MeetingFacts {
            kind: row.kind,
            attendees: &attendee_ids,
            parties: &parties,
            consents: &read::consent_events(conn, row.case_id)?,
            risk: risk_standing(conn, row.case_id, today)?,
            contacts: &contacts(conn, row.case_id)?,
            checks: &checks(conn, row.id)?,
        })
    };
    let named = |ids: &[PartyId]| -> Vec<Attendee> {
        ids.iter()
            .filter_map(|id| parties.iter().find(|p| p.id == *id))
            .map(|p| Attendee {
                id: p.id,
                name: p.name.clone(),
                role: p.role,
            })
            .collect()
    };
    let attendees = named(&attendee_ids);
    let took_part = match (&row.held_on, &row.attended) {
        (None, _) => Vec::new(),
        (Some(_), Some(attended)) => named(&read::parse_ids(attended)?),
        (Some(_), None) => named(&attendee_ids),
    };
    Ok(MeetingView {
        id: row.id,
        case_id: row.case_id,
        kind: row.kind,
        planned_on: row.planned_on,
        planned_time: row.planned_time,
        venue: row.venue,
        attendees,
        plan: serde_json::from_str(&row.plan).map_err(|_| StoreError::Corrupt("a meeting's plan".into()))?,
        overridden: override_of(conn, row.id)?,
        held_on: row.held_on,
        took_part,
        called_off: row.called_off,
        readiness,
    })
}

/// The meetings of a case, soonest planned first.
pub(crate) fn of_case(
    conn: &Connection,
    case: CaseId,
    today: NaiveDate,
) -> Result<Vec<MeetingView>, StoreError> {
    let rows: Vec<Row> = conn
        .prepare_cached(&format!(
            "SELECT {COLUMNS} FROM meetings WHERE case_id = ?1 ORDER BY planned_on, rid"
        ))?
        .query_map(params![case.to_string()], row)?
        .collect::<Result<_, _>>()?;
    rows.into_iter().map(|r| view(conn, r, today)).collect()
}

fn resolve(conn: &Connection, given: &str) -> Result<MeetingId, StoreError> {
    read::resolve_record(conn, Entity::Meeting, given)
}

impl Writer<'_> {
    fn open_meeting(&self, id: MeetingId) -> Result<Row, StoreError> {
        let row = load_row(&self.tx, id)?;
        self.ensure_open(row.case_id)?;
        if let Some(on) = row.held_on {
            return Err(RuleError::MeetingOver {
                what: format!("held on {}", on.format("%-d %b %Y")),
            }
            .into());
        }
        if row.called_off.is_some() {
            return Err(RuleError::MeetingOver {
                what: "called off".into(),
            }
            .into());
        }
        Ok(row)
    }

    /// The fields of a meeting's details (kind, day, time, venue, attendees), checked against
    /// the case's parties: the same for a new plan and for a change to it.
    fn detail_fields(&self, case: CaseId, new: NewMeeting) -> Result<Fields, StoreError> {
        if new.attendees.is_empty() {
            return Err(RuleError::NoAttendees.into());
        }
        let parties = read::party_facts(&self.tx, case)?;
        for id in &new.attendees {
            if !parties.iter().any(|p| p.id == *id) {
                return Err(StoreError::NotFound {
                    what: "party of this case",
                    given: id.to_string(),
                });
            }
        }
        let time = new
            .planned_time
            .map(|t| t.trim().to_owned())
            .filter(|t| !t.is_empty());
        if let Some(t) = &time
            && !meeting::is_time(t)
        {
            return Err(RuleError::BadTime { given: t.clone() }.into());
        }
        let mut ids: Vec<String> = Vec::with_capacity(new.attendees.len());
        for id in &new.attendees {
            let id = id.to_string();
            if !ids.contains(&id) {
                ids.push(id);
            }
        }
        let mut f = Fields::new();
        f.insert("kind".into(), json!(new.kind.as_str()));
        f.insert("planned_on".into(), json!(new.planned_on));
        f.insert("planned_time".into(), json!(time));
        f.insert("venue".into(), json!(new.venue.trim()));
        f.insert("attendees".into(), json!(read::ids_text(&ids)?));
        Ok(f)
    }

    /// Plans a meeting between parties of a case.
    pub fn plan_meeting(&mut self, case: CaseId, new: NewMeeting) -> Result<MeetingId, StoreError> {
        self.ensure_open(case)?;
        let f = self.detail_fields(case, new)?;
        let id = MeetingId::new();
        self.emit(case, Entity::Meeting, id.as_uuid(), OpKind::Create, f)?;
        Ok(id)
    }

    /// Changes a planned meeting's details (its kind, day, time, venue or who attends) until it
    /// is held or called off. One op carries only the fields that changed, so a change made on
    /// another laptop to another field survives; readiness follows on the next read (another
    /// kind asks for another consent, a new attendee for their consents and visit). Returns
    /// whether anything changed.
    pub fn edit_meeting(&mut self, id: MeetingId, details: NewMeeting) -> Result<bool, StoreError> {
        let row = self.open_meeting(id)?;
        let wanted = self.detail_fields(row.case_id, details)?;
        let before = [
            ("kind", json!(row.kind.as_str())),
            ("planned_on", json!(row.planned_on)),
            ("planned_time", json!(row.planned_time)),
            ("venue", json!(row.venue)),
        ];
        // Who attends is a set: ticking the same people in another order changes nothing.
        let people = |text: &str| {
            serde_json::from_str::<std::collections::BTreeSet<String>>(text)
                .map_err(|_| StoreError::Corrupt("a meeting's attendees".into()))
        };
        let mut f = Fields::new();
        for (name, value) in wanted {
            let same = match (name.as_str(), value.as_str()) {
                ("attendees", Some(text)) => people(text)? == people(&row.attendees)?,
                _ => before.iter().any(|(n, v)| *n == name && *v == value),
            };
            if !same {
                f.insert(name, value);
            }
        }
        if f.is_empty() {
            return Ok(false);
        }
        self.emit(row.case_id, Entity::Meeting, id.as_uuid(), OpKind::Update, f)?;
        Ok(true)
    }

    /// Replaces one section of the preparation plan (the app's autosave).
    pub fn save_meeting_plan(
        &mut self,
        id: MeetingId,
        section: PlanSection,
        text: &str,
    ) -> Result<(), StoreError> {
        let row = self.open_meeting(id)?;
        let mut plan: Plan =
            serde_json::from_str(&row.plan).map_err(|_| StoreError::Corrupt("a meeting's plan".into()))?;
        plan.insert(section, text.to_owned());
        let text = serde_json::to_string(&plan).map_err(|e| StoreError::Corrupt(e.to_string()))?;
        if text == row.plan {
            return Ok(());
        }
        let mut f = Fields::new();
        f.insert("plan".into(), json!(text));
        self.emit(row.case_id, Entity::Meeting, id.as_uuid(), OpKind::Update, f)?;
        Ok(())
    }

    /// Confirms an item the meeting is missing that a person vouches for (`item` as readiness
    /// names it, e.g. `venue_checked` or `facts_acknowledged:PARTY`, the party by id or name).
    /// Items the records decide are refused with what to record instead.
    pub fn confirm_meeting_item(&mut self, id: MeetingId, item: &str) -> Result<MeetingCheckId, StoreError> {
        let row = self.open_meeting(id)?;
        let (name, party) = match item.trim().split_once(':') {
            Some((name, who)) => (name, Some(who)),
            None => (item.trim(), None),
        };
        let party = party
            .filter(|_| name == CheckItem::FactsAcknowledged.as_str())
            .map(|who| read::resolve_party(&self.tx, row.case_id, who))
            .transpose()?;
        let wanted = match party {
            Some(p) => format!("{name}:{p}"),
            None => name.to_owned(),
        };
        let current = view(&self.tx, load_row(&self.tx, id)?, self.today)?;
        let Some(missing) = current.readiness.missing.iter().find(|m| m.item == wanted) else {
            let confirmable: Vec<&str> = current
                .readiness
                .missing
                .iter()
                .filter(|m| m.confirmable)
                .map(|m| m.item.as_str())
                .collect();
            return Err(RuleError::NotMissing {
                item: item.trim().to_owned(),
                missing: if confirmable.is_empty() {
                    "none".into()
                } else {
                    confirmable.join(", ")
                },
            }
            .into());
        };
        if !missing.confirmable {
            let hint = if missing.item.starts_with("risk_assessment") {
                "Use `casebook risk` to submit it and have a supervisor approve it."
            } else if missing.item.starts_with("visit_since_risk") {
                "Record a visit with `casebook contact add`."
            } else {
                "Record the consent with `casebook consent record`."
            };
            return Err(RuleError::DecidedByRecords {
                text: missing.text.clone(),
                hint,
            }
            .into());
        }
        let check_item: CheckItem = name.parse().map_err(|e: casebook_domain::labels::UnknownValue| {
            StoreError::Corrupt(format!("a readiness item: {e}"))
        })?;
        let check = MeetingCheckId::new();
        let mut f = Fields::new();
        f.insert("meeting".into(), json!(id));
        f.insert("item".into(), json!(check_item.as_str()));
        f.insert("party".into(), json!(party));
        f.insert("date".into(), json!(self.today));
        self.emit(
            row.case_id,
            Entity::MeetingCheck,
            check.as_uuid(),
            OpKind::Create,
            f,
        )?;
        Ok(check)
    }

    /// Records the meeting as held today, with who took part (some of its attendees): refused,
    /// with what is missing, unless it is ready or a supervisor let it go ahead.
    pub fn record_meeting_held(&mut self, id: MeetingId, attended: &[PartyId]) -> Result<(), StoreError> {
        let row = self.open_meeting(id)?;
        meeting::check_attended(&read::parse_ids(&row.attendees)?, attended)?;
        let current = view(&self.tx, load_row(&self.tx, id)?, self.today)?;
        if !current.readiness.ready && current.overridden.is_none() {
            let missing: Vec<String> = current.readiness.missing.iter().map(|m| m.text.clone()).collect();
            return Err(RuleError::MeetingNotReady {
                missing: missing.join("; "),
            }
            .into());
        }
        let mut f = Fields::new();
        f.insert("held_on".into(), json!(self.today));
        f.insert("attended".into(), json!(read::ids_text(attended)?));
        self.emit(row.case_id, Entity::Meeting, id.as_uuid(), OpKind::Update, f)?;
        Ok(())
    }

    /// A supervisor of the team lets a meeting that is not ready go ahead, saying why (a sign-off
    /// of the meeting; the judgement refuses anyone but a supervisor).
    pub fn override_meeting(&mut self, id: MeetingId, reason: &str) -> Result<SignOffId, StoreError> {
        let row = self.open_meeting(id)?;
        let reason = reason.trim();
        if reason.is_empty() {
            return Err(RuleError::OverrideNeedsReason.into());
        }
        let sign_off = SignOffId::new();
        let mut f = Fields::new();
        f.insert("meeting".into(), json!(id));
        f.insert("submission".into(), json!(uuid::Uuid::now_v7()));
        f.insert("decision".into(), json!(SignOffDecision::Approved.as_str()));
        f.insert("note".into(), json!(reason));
        f.insert("date".into(), json!(self.today));
        self.emit(
            row.case_id,
            Entity::SignOff,
            sign_off.as_uuid(),
            OpKind::Create,
            f,
        )?;
        Ok(sign_off)
    }

    /// Calls the meeting off, saying why.
    pub fn call_off_meeting(&mut self, id: MeetingId, why: &str) -> Result<(), StoreError> {
        let row = self.open_meeting(id)?;
        let why = why.trim();
        if why.is_empty() {
            return Err(RuleError::Empty {
                field: "Why the meeting was called off",
            }
            .into());
        }
        let mut f = Fields::new();
        f.insert("called_off".into(), json!(why));
        self.emit(row.case_id, Entity::Meeting, id.as_uuid(), OpKind::Update, f)?;
        Ok(())
    }

    /// Finds a meeting by id or unique id prefix.
    pub fn resolve_meeting(&self, given: &str) -> Result<MeetingId, StoreError> {
        resolve(&self.tx, given)
    }

    /// One meeting as this transaction sees it, with its readiness on the writer's day.
    pub fn meeting(&self, id: MeetingId) -> Result<MeetingView, StoreError> {
        view(&self.tx, load_row(&self.tx, id)?, self.today)
    }
}

impl Store {
    /// One meeting, with its readiness today.
    pub fn meeting(&self, id: MeetingId) -> Result<MeetingView, StoreError> {
        view(&self.conn, load_row(&self.conn, id)?, today())
    }

    /// The meetings of a case, soonest first, each with its readiness today.
    pub fn meetings(&self, case: CaseId) -> Result<Vec<MeetingView>, StoreError> {
        of_case(&self.conn, case, today())
    }

    /// Finds a meeting by id or unique id prefix.
    pub fn resolve_meeting(&self, given: &str) -> Result<MeetingId, StoreError> {
        resolve(&self.conn, given)
    }
}
