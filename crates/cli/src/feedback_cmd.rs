//! `casebook feedback ...`: each party's feedback at follow-up, taken only with their consent
//! to follow-up (`Writer::record_feedback` refuses otherwise).

use std::io::Write;

use casebook_domain::feedback::Satisfaction;
use casebook_store::Store;
use casebook_store::feedback::NewFeedback;
use clap::Subcommand;
use serde_json::json;

use crate::output::{Out, day};

/// `casebook feedback ...`
#[derive(Debug, Subcommand)]
pub enum FeedbackCommand {
    /// Record a party's feedback, dated today (needs their consent to follow-up).
    Add {
        /// Case id or reference.
        case: String,
        /// Whose feedback (name or id).
        #[arg(long)]
        party: String,
        /// very-satisfied, satisfied, neither, dissatisfied or very-dissatisfied.
        #[arg(long, value_parser = crate::args::domain::<Satisfaction>)]
        satisfaction: Satisfaction,
        /// Whether they would recommend it to someone in their position: yes or no.
        #[arg(long, value_name = "yes|no", value_parser = yes_no)]
        recommend: Option<bool>,
        /// Their own words.
        #[arg(long, default_value = "")]
        words: String,
    },
    /// The feedback given on a case.
    Show {
        /// Case id or reference.
        case: String,
    },
}

fn yes_no(s: &str) -> Result<bool, String> {
    match s.trim().to_ascii_lowercase().as_str() {
        "yes" | "y" => Ok(true),
        "no" | "n" => Ok(false),
        _ => Err(format!("{s:?} is not yes or no")),
    }
}

/// Runs one `casebook feedback` command.
pub fn run(store: &mut Store, out: &Out, cmd: FeedbackCommand) -> anyhow::Result<()> {
    match cmd {
        FeedbackCommand::Add {
            case,
            party,
            satisfaction,
            recommend,
            words,
        } => {
            let id = store.write(|w| {
                let case = w.resolve_case(&case)?;
                let party = w.resolve_party(case, &party)?;
                w.record_feedback(
                    case,
                    NewFeedback {
                        party,
                        satisfaction,
                        recommend,
                        words,
                    },
                )
            })?;
            out.created(json!({"id": id}), &format!("Feedback {id} recorded."))
        }
        FeedbackCommand::Show { case } => {
            let case = store.resolve_case(&case)?;
            let given = store.feedback(case)?;
            if out.json {
                return out.print_json(&json!({ "feedback": given }));
            }
            let mut w = std::io::stdout().lock();
            if given.is_empty() {
                writeln!(w, "No feedback recorded on this case.")?;
            }
            for f in &given {
                let recommend = match f.recommend {
                    Some(true) => "; would recommend it",
                    Some(false) => "; would not recommend it",
                    None => "",
                };
                writeln!(
                    w,
                    "{} ({}), {}: {}{recommend}.",
                    f.party_name,
                    f.role,
                    day(f.date),
                    f.satisfaction
                )?;
                if !f.words.is_empty() {
                    writeln!(w, "    \"{}\"", f.words)?;
                }
            }
            Ok(())
        }
    }
}
