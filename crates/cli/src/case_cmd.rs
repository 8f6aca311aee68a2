//! A case's record: `casebook case ...` (referral, allocation, supervision), `casebook party
//! add`, `casebook consent ...` and `casebook search`. The rules are the store's; this parses
//! the names given and shapes the answer.

use casebook_store::model::{CaseEdit, NewCase, NewConsent, NewParty};
use casebook_store::{CaseFilter, Store};
use serde_json::json;

use crate::args::{CaseCommand, ConsentCommand, PartyCommand};
use crate::output::Out;

/// Runs one `casebook case` command.
pub fn run(store: &mut Store, out: &Out, cmd: CaseCommand) -> anyhow::Result<()> {
    match cmd {
        CaseCommand::New(a) => {
            let created = store.write(|w| {
                let new = NewCase {
                    kind: a.kind,
                    stage: a.stage,
                    source: a.source,
                    referrer: a.referrer,
                    summary: a.summary,
                    court_date: a.court_date,
                    pre_sentence: a.pre_sentence,
                    received_on: a.received,
                };
                match &a.lead {
                    Some(lead) => {
                        let lead = w.resolve_person(lead)?;
                        let co = a.co.as_deref().map(|c| w.resolve_person(c)).transpose()?;
                        w.create_allocated_case(new, lead, co)
                    }
                    None => w.create_case(new),
                }
            })?;
            out.created(
                json!({"id": created.id, "reference": created.reference}),
                &format!("Created case {} ({}).", created.reference, created.id),
            )?;
        }
        CaseCommand::List { all } => out.cases(&store.list_cases(CaseFilter { include_closed: all })?)?,
        CaseCommand::Show { case } => {
            let id = store.resolve_case(&case)?;
            out.case(&store.case_detail(id)?)?;
        }
        CaseCommand::Edit {
            case,
            summary,
            court_date,
            no_court_date,
            stage,
            pre_sentence,
        } => {
            let id = store.write(|w| {
                let id = w.resolve_case(&case)?;
                w.edit_case(
                    id,
                    CaseEdit {
                        summary,
                        court_date: if no_court_date {
                            Some(None)
                        } else {
                            court_date.map(Some)
                        },
                        stage,
                        pre_sentence: pre_sentence.map(|c| c.0),
                    },
                )?;
                Ok(id)
            })?;
            out.created(json!({"id": id}), "Case updated.")?;
        }
        CaseCommand::Status { case, to, outcome } => {
            let (id, transition) = store.write(|w| {
                let id = w.resolve_case(&case)?;
                Ok((id, w.change_status(id, to, outcome.as_deref())?))
            })?;
            out.created(
                json!({"id": id, "status": to, "transition": transition}),
                &format!("Case is now {to}."),
            )?;
        }
        CaseCommand::Assign { case, to, co } => {
            let (id, lead, co) = store.write(|w| {
                let id = w.resolve_case(&case)?;
                let lead = w.resolve_person(&to)?;
                let co = co.as_deref().map(|c| w.resolve_person(c)).transpose()?;
                w.allocate(id, lead, co)?;
                Ok((id, lead, co))
            })?;
            out.created(
                json!({"id": id, "lead": lead, "co": co}),
                "Case allocated; it moves at the next sync.",
            )?;
        }
        CaseCommand::Supervise { case, text } => {
            let text = crate::input::notes(text)?;
            let (case_id, id) = store.write(|w| {
                let case_id = w.resolve_case(&case)?;
                Ok((case_id, w.add_supervision_note(case_id, &text)?))
            })?;
            out.created(
                json!({"id": id, "case_id": case_id}),
                &format!("Supervision note {id} added."),
            )?;
        }
    }
    Ok(())
}

/// `casebook party add`
pub fn party(store: &mut Store, out: &Out, cmd: PartyCommand) -> anyhow::Result<()> {
    let PartyCommand::Add {
        case,
        role,
        name,
        phone,
        minor,
        guardian_of,
    } = cmd;
    let id = store.write(|w| {
        let case = w.resolve_case(&case)?;
        let guardian_of = guardian_of.map(|g| w.resolve_party(case, &g)).transpose()?;
        w.add_party(
            case,
            NewParty {
                role,
                name,
                phone,
                minor,
                guardian_of,
            },
        )
    })?;
    out.created(json!({"id": id}), &format!("Added party {id}."))?;
    Ok(())
}

/// Runs one `casebook consent` command.
pub fn consent(store: &mut Store, out: &Out, cmd: ConsentCommand) -> anyhow::Result<()> {
    match cmd {
        ConsentCommand::Record {
            case,
            party,
            scope,
            decision,
            method,
            date,
            note,
        } => {
            let id = store.write(|w| {
                let case = w.resolve_case(&case)?;
                let party = w.resolve_party(case, &party)?;
                w.record_consent(
                    case,
                    NewConsent {
                        party,
                        scope,
                        decision,
                        method,
                        date,
                        note,
                    },
                )
            })?;
            out.created(
                json!({"id": id}),
                &format!("Recorded: consent to {scope} {decision}."),
            )?;
        }
        ConsentCommand::Show { case } => {
            let detail = store.case_detail(store.resolve_case(&case)?)?;
            out.consents(&detail)?;
        }
    }
    Ok(())
}

/// `casebook search`: full-text search over summaries, names and notes.
pub fn search(store: &Store, out: &Out, text: &str, limit: u32) -> anyhow::Result<()> {
    out.search(&store.search(text, limit)?)?;
    Ok(())
}
