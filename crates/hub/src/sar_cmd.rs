//! `casebook-hub sar`: subject access requests from the command line: find the person's party
//! records, open a request with its deadline, write the redacted answer, extend, close.

use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::{Context, bail};
use casebook_documents::british_date;
use casebook_hub::Storage;
use casebook_hub::sar::{self, PartyCandidate};
use casebook_hub::state::now_ms;
use casebook_hub::storage::SarRequest;
use chrono::{Local, NaiveDate};
use clap::{Args, Subcommand};
use uuid::Uuid;

/// `sar PERSON --out DIR` (open a request received today, or on `--received`, and answer it at
/// once), or one of the subcommands.
#[derive(Debug, Args)]
#[command(args_conflicts_with_subcommands = true, subcommand_negates_reqs = true)]
pub struct SarArgs {
    #[command(subcommand)]
    command: Option<SarCommand>,
    /// The person: a party id, several joined by commas (the same person in several cases), or
    /// a name that exactly one party record has.
    #[arg(value_name = "PERSON", required = true)]
    person: Option<String>,
    /// The directory to write sar.json and sar.pdf into (created if missing).
    #[arg(long, value_name = "DIR", required = true)]
    out: Option<PathBuf>,
    /// The day the request was received (default: today): the month runs from it.
    #[arg(long, value_name = "YYYY-MM-DD")]
    received: Option<NaiveDate>,
    /// Who asked (the person, or who acts for them), for the register.
    #[arg(long)]
    requester: Option<String>,
}

/// The `sar` subcommands.
#[derive(Debug, Subcommand)]
pub enum SarCommand {
    /// List the party records whose name contains NAME, in every case.
    Find {
        /// Part of the name, any case.
        name: String,
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// Open a request for these party records; it is due one calendar month after it was received.
    New {
        /// The party ids that are this person (`sar find`), joined by commas.
        #[arg(long, value_delimiter = ',', required = true)]
        party: Vec<Uuid>,
        /// The day the request was received (default: today).
        #[arg(long, value_name = "YYYY-MM-DD")]
        received: Option<NaiveDate>,
        /// Who asked.
        #[arg(long)]
        requester: Option<String>,
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// List open requests (all with --all), with their due date and the days left.
    List {
        /// Closed requests too.
        #[arg(long)]
        all: bool,
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// Write the answer to a request: DIR/sar.json and DIR/sar.pdf.
    Export {
        /// The request ("SAR-3" or 3).
        request: String,
        /// The directory to write into (created if missing).
        #[arg(long, value_name = "DIR")]
        out: PathBuf,
    },
    /// Extend a complex request by two months (tell the person within the first month, and why).
    Extend {
        /// The request.
        request: String,
    },
    /// Close a request: answered, or withdrawn.
    Close {
        /// The request.
        request: String,
    },
}

/// Runs `sar` and its subcommands.
pub fn run(storage: &mut Storage, args: SarArgs) -> anyhow::Result<()> {
    let today = Local::now().date_naive();
    let Some(command) = args.command else {
        let (Some(person), Some(out)) = (args.person, args.out) else {
            bail!("give PERSON and --out DIR, or a subcommand (see `casebook-hub sar --help`)");
        };
        let parties = resolve(storage, &person)?;
        let received = args.received.unwrap_or(today);
        let request = storage.open_sar(&parties, received, args.requester.as_deref(), None, now_ms())?;
        println!("opened {}", describe(&request, today));
        return export(storage, &request, &out, today);
    };
    match command {
        SarCommand::Find { name, json } => {
            let found = sar::find(&storage.party_ops()?, &name);
            if json {
                println!("{}", serde_json::to_string_pretty(&found)?);
            } else if found.is_empty() {
                println!("no party record's name contains {name:?}");
            } else {
                for c in &found {
                    println!("{}", candidate_line(c));
                }
            }
            Ok(())
        }
        SarCommand::New {
            party,
            received,
            requester,
            json,
        } => {
            let received = received.unwrap_or(today);
            let request = storage.open_sar(&party, received, requester.as_deref(), None, now_ms())?;
            if json {
                println!("{}", serde_json::to_string_pretty(&request)?);
            } else {
                println!("opened {}", describe(&request, today));
            }
            Ok(())
        }
        SarCommand::List { all, json } => {
            let requests = storage.sar_requests(all)?;
            if json {
                let shown: Vec<serde_json::Value> = requests
                    .iter()
                    .map(|r| {
                        let mut v = serde_json::json!(r);
                        v["days_left"] = serde_json::json!(sar::days_left(today, r.due_on));
                        v
                    })
                    .collect();
                println!("{}", serde_json::to_string_pretty(&shown)?);
            } else if requests.is_empty() {
                println!("no open subject access requests");
            } else {
                for r in &requests {
                    println!("{}", describe(r, today));
                }
            }
            Ok(())
        }
        SarCommand::Export { request, out } => {
            let request = storage.sar_request(&request)?;
            export(storage, &request, &out, today)
        }
        SarCommand::Extend { request } => {
            let request = storage.sar_request(&request)?;
            let extended = storage.extend_sar(&request, None, now_ms())?;
            println!("extended {}", describe(&extended, today));
            Ok(())
        }
        SarCommand::Close { request } => {
            let request = storage.sar_request(&request)?;
            storage.close_sar(&request, None, now_ms())?;
            println!("closed {}", request.reference);
            Ok(())
        }
    }
}

/// The party ids PERSON names: ids as given, or the one party record with that name.
fn resolve(storage: &Storage, person: &str) -> anyhow::Result<Vec<Uuid>> {
    let ids: Result<Vec<Uuid>, _> = person.split(',').map(|p| p.trim().parse::<Uuid>()).collect();
    if let Ok(ids) = ids {
        return Ok(ids);
    }
    let named: Vec<PartyCandidate> = sar::candidates(&storage.party_ops()?)
        .into_iter()
        .filter(|c| sar::same_name(&c.name, person))
        .collect();
    match named.as_slice() {
        [one] => Ok(vec![one.party_id]),
        [] => bail!(
            "no party record is named {person:?}; `casebook-hub sar find {person:?}` lists names that contain it"
        ),
        many => {
            let list: Vec<String> = many.iter().map(|c| format!("  {}", candidate_line(c))).collect();
            bail!(
                "{} party records are named {person:?}; they may be one person in several cases or \
                 different people. Give the ids of those that are this person, joined by commas \
                 (`casebook-hub sar ID,ID --out DIR`):\n{}",
                many.len(),
                list.join("\n")
            )
        }
    }
}

/// Writes the answer to `request` into `out` and records that it was written.
fn export(storage: &mut Storage, request: &SarRequest, out: &Path, today: NaiveDate) -> anyhow::Result<()> {
    // The same bytes the API sends a coordinator's app (`sar::answer_files`).
    let answer = sar::answer_files(storage, request, today)?;
    create_private_dir(out)?;
    write_private(&out.join("sar.json"), &answer.json)?;
    write_private(&out.join("sar.pdf"), &answer.pdf)?;
    storage.sar_exported(request, None, now_ms())?;
    println!(
        "wrote {} and {} ({} case(s)). They are not encrypted: read them before sending (text about \
         the whole case may speak of other people in words no redaction recognises), send them \
         securely, then delete them.",
        out.join("sar.json").display(),
        out.join("sar.pdf").display(),
        answer.cases
    );
    Ok(())
}

fn create_private_dir(dir: &Path) -> anyhow::Result<()> {
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::DirBuilderExt;
        builder.mode(0o700);
    }
    builder
        .create(dir)
        .with_context(|| format!("cannot create {}", dir.display()))
}

/// Writes `bytes` to `path`, readable by its owner only.
fn write_private(path: &Path, bytes: &[u8]) -> anyhow::Result<()> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut file = options
        .open(path)
        .with_context(|| format!("cannot write {}", path.display()))?;
    file.write_all(bytes)
        .and_then(|()| file.sync_all())
        .with_context(|| format!("cannot write {}", path.display()))
}

/// "SAR-3  received 27 Nov 2026  due 29 Dec 2026 (28 days left)  …"
fn describe(r: &SarRequest, today: NaiveDate) -> String {
    let left = sar::days_left(today, r.due_on);
    let left = match left {
        0 => "due today".to_owned(),
        1 => "1 day left".to_owned(),
        n if n > 1 => format!("{n} days left"),
        -1 => "1 day overdue".to_owned(),
        n => format!("{} days overdue", -n),
    };
    let mut line = format!(
        "{}  received {}  due {} ({left})",
        r.reference,
        british_date(r.received_on),
        british_date(r.due_on)
    );
    if r.extended {
        line.push_str("  extended");
    }
    if let Some(ms) = r.exported_at_ms {
        line.push_str(&format!("  answer written {}", crate::audit_cmd::when(ms)));
    }
    if let Some(ms) = r.closed_at_ms {
        line.push_str(&format!("  closed {}", crate::audit_cmd::when(ms)));
    }
    line.push_str(&format!(
        "  {} party record(s) in {} case(s)",
        r.parties.len(),
        r.cases.len()
    ));
    if let Some(who) = &r.requester {
        line.push_str(&format!("  requested by {who}"));
    }
    line
}

fn candidate_line(c: &PartyCandidate) -> String {
    format!(
        "{}  {}  {}  {}  phone: {}{}",
        c.party_id,
        c.reference,
        c.name,
        c.role,
        c.phone.as_deref().unwrap_or("-"),
        if c.minor { "  under 18" } else { "" }
    )
}
