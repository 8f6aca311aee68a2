//! `casebook risk ...`: a case's risk and safety assessment, and a supervisor's sign-off.

use std::io::Write;

use anyhow::Context;
use casebook_domain::risk::{self, Factors, RiskFactor, RiskLevel, RiskState, SignOffDecision};
use casebook_store::Store;
use casebook_store::risk::{NewRiskAssessment, RiskAssessment, RiskEdit, factor};
use clap::Subcommand;
use serde_json::json;

use crate::output::Out;

/// `casebook risk ...`
#[derive(Debug, Subcommand)]
pub enum RiskCommand {
    /// Start a risk assessment of a case (a draft until submitted).
    New {
        /// Case id or reference.
        case: String,
        /// The overall rating: low, medium or high.
        #[arg(long, value_parser = crate::args::domain::<RiskLevel>)]
        rating: RiskLevel,
        #[command(flatten)]
        factors: FactorArgs,
        /// The safety plan: what will keep people safe.
        #[arg(long, value_name = "TEXT")]
        mitigations: Option<String>,
    },
    /// Change a draft (a submitted or approved assessment goes back to draft).
    Edit {
        /// Risk assessment id (or a unique prefix).
        risk: String,
        /// A new overall rating.
        #[arg(long, value_parser = crate::args::domain::<RiskLevel>)]
        rating: Option<RiskLevel>,
        #[command(flatten)]
        factors: FactorArgs,
        /// A new safety plan.
        #[arg(long, value_name = "TEXT")]
        mitigations: Option<String>,
    },
    /// Submit it for a supervisor's sign-off (every factor must be assessed).
    Submit {
        /// Risk assessment id (or a unique prefix).
        risk: String,
    },
    /// Approve a submitted assessment (supervisors of the case's team).
    Approve {
        /// Risk assessment id (or a unique prefix).
        risk: String,
        /// A comment for the facilitator.
        #[arg(long, value_name = "TEXT")]
        note: Option<String>,
    },
    /// Return a submitted assessment to the facilitator, saying what to change (supervisors).
    Return {
        /// Risk assessment id (or a unique prefix).
        risk: String,
        /// What should change.
        #[arg(long, value_name = "TEXT")]
        note: String,
    },
    /// Record a change of circumstances: the approved assessment stops being current.
    Changed {
        /// Risk assessment id (or a unique prefix).
        risk: String,
        /// What changed.
        #[arg(long, value_name = "TEXT")]
        note: String,
    },
    /// A case's assessments, newest (the one that counts) first.
    Show {
        /// Case id or reference.
        case: String,
    },
}

/// Factors as typed: `--factor NAME=LEVEL` and `--factor-note NAME=TEXT`, each repeatable.
#[derive(Debug, clap::Args)]
pub struct FactorArgs {
    /// A factor and its level, e.g. `--factor power-imbalance=medium`. Names: re-victimisation,
    /// power-imbalance, intimidation, violence, substance-use, mental-health, safeguarding,
    /// abuse-context, responsibility.
    #[arg(long = "factor", value_name = "NAME=LEVEL")]
    levels: Vec<String>,
    /// A note on a factor given with --factor, e.g. `--factor-note violence="None known"`.
    #[arg(long = "factor-note", value_name = "NAME=TEXT")]
    notes: Vec<String>,
}

impl FactorArgs {
    fn parse(&self) -> anyhow::Result<Factors> {
        let mut factors = Factors::new();
        for given in &self.levels {
            let (name, level) = risk::parse_factor_level(given)?;
            factors.insert(name, factor(level, ""));
        }
        for given in &self.notes {
            let (name, text) = given
                .split_once('=')
                .with_context(|| format!("{given:?}: write --factor-note NAME=TEXT"))?;
            let name: RiskFactor = name
                .trim()
                .parse()
                .with_context(|| format!("{name:?} is not a risk factor"))?;
            let entry = factors.get_mut(&name).with_context(|| {
                format!("--factor-note {name}: give its level too (--factor {name}=LEVEL)")
            })?;
            entry.note = text.trim().to_owned();
        }
        Ok(factors)
    }
}

/// Runs one `casebook risk` command.
pub fn run(store: &mut Store, out: &Out, cmd: RiskCommand) -> anyhow::Result<()> {
    match cmd {
        RiskCommand::New {
            case,
            rating,
            factors,
            mitigations,
        } => {
            let factors = factors.parse()?;
            let (case_id, id) = store.write(|w| {
                let case_id = w.resolve_case(&case)?;
                let id = w.new_risk_assessment(
                    case_id,
                    NewRiskAssessment {
                        rating,
                        factors,
                        mitigations: mitigations.unwrap_or_default(),
                    },
                )?;
                Ok((case_id, id))
            })?;
            out.created(
                json!({"id": id, "case_id": case_id}),
                &format!("Risk assessment {id} started (a draft: submit it with `casebook risk submit`)."),
            )
        }
        RiskCommand::Edit {
            risk,
            rating,
            factors,
            mitigations,
        } => {
            let factors = factors.parse()?;
            let id = store.write(|w| {
                let id = w.resolve_risk_assessment(&risk)?;
                w.edit_risk_assessment(
                    id,
                    RiskEdit {
                        rating,
                        factors,
                        mitigations,
                    },
                )?;
                Ok(id)
            })?;
            show_one(out, &store.risk_assessment(id)?, "Risk assessment updated.")
        }
        RiskCommand::Submit { risk } => {
            let id = store.write(|w| {
                let id = w.resolve_risk_assessment(&risk)?;
                w.submit_risk_assessment(id)?;
                Ok(id)
            })?;
            show_one(
                out,
                &store.risk_assessment(id)?,
                "Submitted: a supervisor of the team signs it off after the next sync.",
            )
        }
        RiskCommand::Approve { risk, note } => {
            sign_off(store, out, &risk, SignOffDecision::Approved, note.as_deref())
        }
        RiskCommand::Return { risk, note } => {
            sign_off(store, out, &risk, SignOffDecision::Returned, Some(&note))
        }
        RiskCommand::Changed { risk, note } => {
            let id = store.write(|w| {
                let id = w.resolve_risk_assessment(&risk)?;
                w.change_of_circumstances(id, &note)?;
                Ok(id)
            })?;
            show_one(
                out,
                &store.risk_assessment(id)?,
                "Change of circumstances recorded: revise the assessment and submit it again.",
            )
        }
        RiskCommand::Show { case } => {
            let case_id = store.resolve_case(&case)?;
            let all = store.risk_assessments(case_id)?;
            if out.json {
                return out.print_json(&json!({"case_id": case_id, "assessments": all}));
            }
            let mut stdout = std::io::stdout().lock();
            if all.is_empty() {
                writeln!(
                    stdout,
                    "No risk assessment yet: start one with `casebook risk new`."
                )?;
            }
            for (i, a) in all.iter().enumerate() {
                if i == 1 {
                    writeln!(stdout, "\nEarlier assessments:")?;
                }
                describe(&mut stdout, a)?;
            }
            Ok(())
        }
    }
}

fn sign_off(
    store: &mut Store,
    out: &Out,
    risk: &str,
    decision: SignOffDecision,
    note: Option<&str>,
) -> anyhow::Result<()> {
    let (id, sign_off) = store.write(|w| {
        let id = w.resolve_risk_assessment(risk)?;
        Ok((id, w.sign_off_risk_assessment(id, decision, note)?))
    })?;
    let assessment = store.risk_assessment(id)?;
    if out.json {
        return out.print_json(&json!({"id": id, "sign_off": sign_off, "assessment": assessment}));
    }
    let what = match decision {
        SignOffDecision::Approved => "Approved",
        SignOffDecision::Returned => "Returned to the facilitator",
    };
    show_one(
        out,
        &assessment,
        &format!("{what}; the facilitator sees it after both of you sync."),
    )
}

fn show_one(out: &Out, a: &RiskAssessment, text: &str) -> anyhow::Result<()> {
    if out.json {
        return out.print_json(a);
    }
    let mut stdout = std::io::stdout().lock();
    writeln!(stdout, "{text}")?;
    describe(&mut stdout, a)
}

fn describe(w: &mut impl Write, a: &RiskAssessment) -> anyhow::Result<()> {
    let state = match &a.state {
        RiskState::Draft => "draft".to_owned(),
        RiskState::Submitted { on } => format!("submitted {}", crate::output::day(*on)),
        RiskState::Approved { on, .. } => format!("approved {}", crate::output::day(*on)),
        RiskState::Returned { on, .. } => format!("returned {}", crate::output::day(*on)),
    };
    writeln!(w, "Risk assessment {}  rating {}  {state}", a.id, a.rating)?;
    match &a.not_current_text {
        None => writeln!(w, "  Current: a meeting may rely on it.")?,
        Some(why) => writeln!(w, "  Not current: {why}.")?,
    }
    for f in RiskFactor::ALL {
        match a.factors.get(f) {
            Some(x) if x.note.is_empty() => writeln!(w, "  {:<42} {}", f.label(), x.level)?,
            Some(x) => writeln!(w, "  {:<42} {}  {}", f.label(), x.level, x.note)?,
            None => writeln!(w, "  {:<42} not assessed", f.label())?,
        }
    }
    if !a.mitigations.is_empty() {
        writeln!(w, "  Safety plan: {}", a.mitigations)?;
    }
    if let Some(what) = &a.circumstances {
        writeln!(w, "  Circumstances changed: {what}")?;
    }
    for s in &a.sign_offs {
        let who = s.by_name.as_deref().unwrap_or("a supervisor");
        let note = s.note.as_deref().map(|n| format!(": {n}")).unwrap_or_default();
        let old = if s.current { "" } else { " (an earlier version)" };
        writeln!(
            w,
            "  {} by {who} on {}{old}{note}",
            s.decision,
            crate::output::day(s.date)
        )?;
    }
    Ok(())
}
