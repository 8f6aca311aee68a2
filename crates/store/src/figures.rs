//! Gathers, read only, the facts of every case held here that the quarterly figures count
//! (`casebook_domain::figures`). The store's scope is the figures' scope: a coordinator's store
//! holds the whole service, a supervisor's their team's cases, a facilitator's their own.

use std::collections::HashMap;

use casebook_domain::agreement::Action;
use casebook_domain::figures::{self, AgreementFacts, CaseFacts, Closing, Figures, HeldMeeting, Period};
use casebook_domain::{CaseId, PartyId, Role};
use rusqlite::Connection;

use crate::error::StoreError;
use crate::read::{parse, parse_ids};
use crate::{HubLink, Store};

/// Why the figures could not be counted.
#[derive(Debug, thiserror::Error)]
pub enum FiguresError {
    /// Reading the store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// `--team` was given, and this store does not know the team of some of its cases.
    #[error(
        "This laptop does not know which team {unknown} of its cases belong to (their lead is not in the team directory it has from the hub), so it cannot count team {team:?} alone. Sync with the hub to fetch the directory, or leave out --team to count every case held here."
    )]
    TeamUnknown {
        /// The team asked for.
        team: String,
        /// How many held cases have no known team.
        unknown: usize,
    },
}

/// The team of a held case, as far as this store can know it. A case is its lead's team (the
/// hub's rule), so the team directory synced from the hub (`people.team`) answers first, as it
/// does for the dashboard. Without the lead in the directory (a store that has not synced
/// since the directory carried teams), the scope rule still tells: every case on a
/// supervisor's laptop is their team's, and a case a facilitator leads is the facilitator's.
fn known_team(link: Option<&HubLink>, lead: Option<&str>, lead_team: Option<String>) -> Option<String> {
    if lead_team.is_some() {
        return lead_team;
    }
    let link = link?;
    match link.role {
        Role::Supervisor => link.team.clone(),
        Role::Facilitator if lead == Some(link.user_id.to_string().as_str()) => link.team.clone(),
        _ => None,
    }
}

/// Reads every row of `sql` with `each`.
pub(crate) fn rows<T>(
    conn: &Connection,
    sql: &str,
    each: impl FnMut(&rusqlite::Row<'_>) -> rusqlite::Result<T>,
) -> Result<Vec<T>, StoreError> {
    let mut stmt = conn.prepare(sql)?;
    let found = stmt.query_map([], each)?;
    Ok(found.collect::<Result<_, _>>()?)
}

/// The facts of case `id`. Records of a case not held here cannot exist (foreign keys);
/// skipping them keeps the gathering total.
fn at<'a>(
    facts: &'a mut [CaseFacts],
    index: &HashMap<CaseId, usize>,
    id: CaseId,
) -> Option<&'a mut CaseFacts> {
    index.get(&id).and_then(|i| facts.get_mut(*i))
}

/// The facts of every case held here, with the team each is known to belong to.
fn case_facts(conn: &Connection, link: Option<&HubLink>) -> Result<Vec<CaseFacts>, StoreError> {
    let cases: Vec<(CaseId, CaseFacts)> = rows(
        conn,
        "SELECT c.id, c.source, c.stage, c.received_on, c.lead,
                (SELECT min(date) FROM contacts WHERE case_id = c.id), p.team
         FROM cases c LEFT JOIN people p ON p.id = c.lead",
        |r| {
            let lead: Option<String> = r.get(4)?;
            Ok((
                parse(r, 0)?,
                CaseFacts {
                    team: known_team(link, lead.as_deref(), r.get(6)?),
                    source: parse(r, 1)?,
                    stage: parse(r, 2)?,
                    received_on: r.get(3)?,
                    first_contact: r.get(5)?,
                    closings: Vec::new(),
                    meetings: Vec::new(),
                    agreements: Vec::new(),
                    victims: Vec::new(),
                },
            ))
        },
    )?;
    let mut index: HashMap<CaseId, usize> = HashMap::with_capacity(cases.len());
    let mut facts = Vec::with_capacity(cases.len());
    for (i, (id, f)) in cases.into_iter().enumerate() {
        index.insert(id, i);
        facts.push(f);
    }

    let closings = rows(
        conn,
        "SELECT case_id, date, coalesce(outcome, '') FROM status_changes WHERE transition = 'close'",
        |r| Ok((parse(r, 0)?, r.get(1)?, r.get(2)?)),
    )?;
    for (case, date, outcome) in closings {
        if let Some(f) = at(&mut facts, &index, case) {
            f.closings.push(Closing { date, outcome });
        }
    }
    let meetings: Vec<(CaseId, _, _, String)> = rows(
        conn,
        // Who took part once held; a meeting held before that was asked counts its attendees.
        "SELECT case_id, kind, held_on, coalesce(attended, attendees) FROM meetings",
        |r| Ok((parse(r, 0)?, parse(r, 1)?, r.get(2)?, r.get(3)?)),
    )?;
    for (case, kind, held_on, attendees) in meetings {
        let attendees: Vec<PartyId> = parse_ids(&attendees)?;
        if let Some(f) = at(&mut facts, &index, case) {
            f.meetings.push(HeldMeeting {
                kind,
                held_on,
                attendees,
            });
        }
    }
    let agreements: Vec<(CaseId, _, String, _)> = rows(
        conn,
        "SELECT case_id, made_on, actions, reviewed_on FROM agreements",
        |r| Ok((parse(r, 0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
    )?;
    for (case, made_on, actions, reviewed_on) in agreements {
        let actions: Vec<Action> = serde_json::from_str(&actions)
            .map_err(|_| StoreError::Corrupt("an agreement's actions".into()))?;
        if let Some(f) = at(&mut facts, &index, case) {
            f.agreements.push(AgreementFacts {
                made_on,
                actions: actions.iter().map(|a| a.status).collect(),
                reviewed_on,
            });
        }
    }
    let victims: Vec<(CaseId, PartyId)> = rows(
        conn,
        "SELECT case_id, id FROM parties WHERE role = 'victim'",
        |r| Ok((parse(r, 0)?, parse(r, 1)?)),
    )?;
    for (case, party) in victims {
        if let Some(f) = at(&mut facts, &index, case) {
            f.victims.push(party);
        }
    }
    Ok(facts)
}

impl Store {
    /// The quarterly figures of `period` over the cases held here, or only `team`'s. Refused
    /// with `--team` when this store cannot tell the team of some of its cases (see
    /// [`FiguresError::TeamUnknown`]) rather than silently counting fewer.
    #[tracing::instrument(skip_all)]
    pub fn figures(&self, period: Period, team: Option<&str>) -> Result<Figures, FiguresError> {
        let link = self.hub_link()?;
        let facts = case_facts(&self.conn, link.as_ref())?;
        if let Some(team) = team {
            let unknown = facts.iter().filter(|f| f.team.is_none()).count();
            if unknown > 0 {
                return Err(FiguresError::TeamUnknown {
                    team: team.to_owned(),
                    unknown,
                });
            }
        }
        tracing::debug!(cases = facts.len(), "figures counted");
        Ok(figures::figures(period, team, &facts))
    }
}

#[cfg(test)]
#[path = "figures_tests.rs"]
mod tests;
