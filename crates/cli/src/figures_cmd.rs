//! `casebook figures`: the quarterly figures for commissioners, as a table, JSON or CSV. The
//! numbers and their definitions are `casebook_domain::figures`'; this only shapes them.

use std::io::Write;

use casebook_domain::figures::{Figures, Period};
use casebook_domain::meeting::MeetingKind;
use casebook_domain::{JusticeStage, ReferralSource};
use casebook_store::Store;
use casebook_store::figures::FiguresError;
use chrono::NaiveDate;

use crate::output::{Out, day};

/// `casebook figures --from YYYY-MM-DD --to YYYY-MM-DD [--team T] [--json|--csv]`
#[derive(Debug, clap::Args)]
pub struct FiguresArgs {
    /// The first day counted (included), in the service's local calendar.
    #[arg(long, value_name = "YYYY-MM-DD", value_parser = crate::args::date)]
    from: NaiveDate,
    /// The last day counted (included).
    #[arg(long, value_name = "YYYY-MM-DD", value_parser = crate::args::date)]
    to: NaiveDate,
    /// Only the cases of this team (by default every case held here).
    #[arg(long, value_name = "TEAM")]
    team: Option<String>,
    /// Print CSV (from,to,team,figure,category,value) instead of a table.
    #[arg(long, conflicts_with = "json")]
    csv: bool,
}

/// Counts and prints the figures.
pub fn run(store: &Store, out: &Out, args: FiguresArgs) -> anyhow::Result<()> {
    let period = Period::new(args.from, args.to)?;
    let figures = store.figures(period, args.team.as_deref()).map_err(|e| match e {
        // A store error keeps its own exit code.
        FiguresError::Store(e) => anyhow::Error::from(e),
        other => anyhow::Error::from(other),
    })?;
    if out.json {
        return out.print_json(&figures);
    }
    let mut stdout = std::io::stdout().lock();
    if args.csv {
        return Ok(stdout.write_all(figures.to_csv().as_bytes())?);
    }
    table(&mut stdout, &figures)
}

/// How a figure is named in the table.
fn title(figure: &str) -> &'static str {
    match figure {
        "referrals" => "Referrals",
        "referrals_by_source" => "  by source",
        "referrals_by_stage" => "  by stage",
        "cases_closed" => "Cases closed",
        "closed_by_outcome" => "  by outcome",
        "meetings_held" => "Meetings held",
        "meetings_held_direct" => "  direct (conference, video)",
        "meetings_held_indirect" => "  indirect (shuttle, letters)",
        "meetings_held_by_kind" => "  by kind",
        "agreements_made" => "Agreements made",
        "agreements_completed" => "Agreements completed",
        "first_contact_median_days" => "Median days, referral to first contact",
        "first_contact_cases" => "  cases counted",
        "victims_took_part" => "Victims who took part",
        _ => "",
    }
}

/// A category's label for people: the closed sets' labels, an outcome's own words.
fn label(figure: &str, category: &str) -> String {
    fn of<T: std::str::FromStr + std::fmt::Display>(s: &str) -> Option<String> {
        s.parse::<T>().ok().map(|v| v.to_string())
    }
    match figure {
        "referrals_by_source" => of::<ReferralSource>(category),
        "referrals_by_stage" => of::<JusticeStage>(category),
        "meetings_held_by_kind" => of::<MeetingKind>(category),
        _ => None,
    }
    .unwrap_or_else(|| category.to_owned())
}

/// An aligned table, with the period in British dates.
fn table(w: &mut impl Write, f: &Figures) -> anyhow::Result<()> {
    let whose = f
        .team
        .as_deref()
        .map_or("every case held here".to_owned(), |t| format!("team {t}"));
    writeln!(w, "Figures from {} to {} ({whose})", day(f.from), day(f.to))?;
    let mut last = "";
    for row in f.rows() {
        let name = if row.category.is_empty() {
            title(row.figure).to_owned()
        } else if row.figure == last {
            format!("    {}", label(row.figure, &row.category))
        } else {
            format!("{}: {}", title(row.figure), label(row.figure, &row.category))
        };
        let value = match (row.figure, row.value.as_str()) {
            ("first_contact_median_days", "") => "none".to_owned(),
            (_, v) => v.to_owned(),
        };
        writeln!(w, "{name:<48} {value:>6}")?;
        last = row.figure;
    }
    Ok(())
}
