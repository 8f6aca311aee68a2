//! The command line, as clap sees it. Values of the domain's closed sets are parsed by their
//! stored names (with `-` for `_`), so the CLI never keeps a second copy of them.

use std::path::PathBuf;
use std::str::FromStr;

use casebook_domain::labels::UnknownValue;
use chrono::NaiveDate;
use clap::{Args, Parser, Subcommand};

/// Casebook: a Restorative Justice facilitator's encrypted caseload.
#[derive(Debug, Parser)]
#[command(name = "casebook", version, about, long_about = None)]
pub struct Cli {
    /// The store directory (default: $CASEBOOK_STORE, else the platform's data directory).
    #[arg(long, global = true, env = "CASEBOOK_STORE", value_name = "DIR")]
    pub store: Option<PathBuf>,
    /// Print one JSON document on stdout instead of text.
    #[arg(long, global = true)]
    pub json: bool,
    #[command(subcommand)]
    pub command: Command,
}

/// The commands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Create a new encrypted store (asks for a passphrase, or reads CASEBOOK_PASSPHRASE).
    Init,
    /// Cases: create, list, show, edit, change status.
    #[command(subcommand)]
    Case(CaseCommand),
    /// Parties to a case.
    #[command(subcommand)]
    Party(PartyCommand),
    /// Contacts: visits, calls, letters, video, office meetings.
    #[command(subcommand)]
    Contact(ContactCommand),
    /// Consent decisions.
    #[command(subcommand)]
    Consent(ConsentCommand),
    /// The risk and safety assessment: draft, submit, approve or return, change of circumstances.
    #[command(subcommand)]
    Risk(crate::risk_cmd::RiskCommand),
    /// Meetings: plan, prepare, what is missing before they can be held, record them.
    #[command(subcommand)]
    Meeting(crate::meeting_cmd::MeetingCommand),
    /// The agreement reached, and its follow-up reviews.
    #[command(subcommand)]
    Agreement(crate::after_cmd::AgreementCommand),
    /// Each party's feedback at follow-up (with their consent to follow-up).
    #[command(subcommand)]
    Feedback(crate::feedback_cmd::FeedbackCommand),
    /// The pre-sentence court report (and the agreement) as documents.
    #[command(subcommand)]
    Report(crate::after_cmd::ReportCommand),
    /// Quarterly figures for commissioners over the cases held here (defined in docs/figures.md).
    Figures(crate::figures_cmd::FiguresArgs),
    /// What waits for a supervisor's answer (risk assessments, court reports), oldest first.
    Signoffs,
    /// A preparation brief for one party: only what the others agreed to share with them.
    Brief {
        /// Case id or reference.
        case: String,
        /// The party the brief is for (name or id).
        #[arg(long = "for", value_name = "PARTY")]
        for_party: String,
        /// Write it as a PDF here.
        #[arg(long, value_name = "FILE.pdf")]
        out: Option<PathBuf>,
    },
    /// Full-text search over summaries, names and notes.
    Search {
        /// Words to look for.
        text: String,
        /// At most this many hits.
        #[arg(long, default_value_t = 50)]
        limit: u32,
    },
    /// Passphrase management.
    #[command(subcommand)]
    Passphrase(PassphraseCommand),
    /// Re-encrypt the store under a new random key, so an old copy of store.key (a backup,
    /// another disk) no longer opens it with any passphrase. Close the app first.
    Rekey,
    /// Export everything (or one case) as JSON, encrypted with age to the passphrase.
    Export {
        /// The file to write (must not exist yet).
        #[arg(long, value_name = "FILE")]
        out: PathBuf,
        /// Only this case (id or reference).
        #[arg(long, value_name = "CASE")]
        case: Option<String>,
    },
    /// Check the cipher's integrity and that the op log matches the records.
    Verify,
    /// Connect this store to a hub with a one-time enrollment code from its administrator.
    Enroll {
        /// The hub's address, e.g. https://hub.example.org.
        #[arg(long, value_name = "URL")]
        hub: String,
        /// The one-time enrollment code.
        #[arg(long)]
        code: String,
        /// A name for this laptop, shown to the administrator (default: the host name).
        #[arg(long)]
        name: Option<String>,
    },
    /// Send changes to the hub and receive the cases in your scope.
    Sync,
    /// The hub, this device, the last sync, changes waiting, conflicts.
    Status,
    /// Forgotten passphrase: open the store with the organisation's recovery key (a file
    /// holding the AGE-SECRET-KEY-1… line `casebook-hub recovery-key new` printed) or with your
    /// personal recovery code (--code: asked without echo, or $CASEBOOK_RECOVERY_CODE), and set a
    /// new passphrase ($CASEBOOK_NEW_PASSPHRASE, else asked twice). Nothing is lost.
    Recover {
        /// The file with the organisation's recovery key.
        #[arg(
            long,
            value_name = "FILE",
            required_unless_present = "code",
            conflicts_with = "code"
        )]
        identity: Option<std::path::PathBuf>,
        /// Use the personal recovery code made with `casebook recovery-code new`.
        #[arg(long)]
        code: bool,
    },
    /// A personal recovery code, for a store no organisation recovery key protects.
    #[command(subcommand)]
    RecoveryCode(RecoveryCodeCommand),
    /// Hand this laptop in: send everything, get the hub's receipt for every change written
    /// here, check it, then erase the store. Nothing is erased unless the hub holds it all.
    Handover {
        /// Erase even though the hub refused some changes for good (they are lost).
        #[arg(long)]
        discard_refused: bool,
    },
    /// Conflicts to resolve: two people changed the same text at the same time.
    Conflicts,
    /// Resolve a conflict.
    #[command(subcommand)]
    Conflict(ConflictCommand),
    /// Add realistic invented cases, parties, visits and consents.
    Demo {
        /// How many cases.
        #[arg(long, default_value_t = 25)]
        cases: usize,
        /// Seed for reproducible data.
        #[arg(long, default_value_t = 2026)]
        seed: u64,
    },
}

/// `casebook case ...`
#[derive(Debug, Subcommand)]
pub enum CaseCommand {
    /// Record a new referral.
    New(NewCaseArgs),
    /// The caseload: what needs doing soonest first.
    List {
        /// Include closed cases.
        #[arg(long)]
        all: bool,
    },
    /// A case: parties, consent, timeline.
    Show {
        /// Case id or reference.
        case: String,
    },
    /// Change referral details.
    Edit {
        /// Case id or reference.
        case: String,
        /// New summary of the harm or conflict.
        #[arg(long)]
        summary: Option<String>,
        /// New court (sentencing) date.
        #[arg(long, value_name = "YYYY-MM-DD", value_parser = date, conflicts_with = "no_court_date")]
        court_date: Option<NaiveDate>,
        /// Remove the court date (refused while the case is pre-sentence).
        #[arg(long)]
        no_court_date: bool,
        /// New justice stage: out-of-court, pre-sentence, post-sentence, none.
        #[arg(long, value_parser = stage)]
        stage: Option<casebook_domain::JusticeStage>,
        /// For a pre-sentence case: adjournment or deferred-sentence; `none` removes it.
        #[arg(long, value_name = "KIND", value_parser = pre_sentence_change)]
        pre_sentence: Option<PreSentenceChange>,
    },
    /// Move the case through the process.
    Status {
        /// Case id or reference.
        case: String,
        /// referred, contacting, preparing, meeting-planned, follow-up, closed.
        #[arg(long, value_parser = domain::<casebook_domain::CaseStatus>)]
        to: casebook_domain::CaseStatus,
        /// How the case ended (needed to close).
        #[arg(long)]
        outcome: Option<String>,
    },
    /// Allocate a case to a lead facilitator (and a co-facilitator, or none): coordinators any
    /// case, supervisors within their team. Names come from the team directory of the last sync.
    Assign {
        /// Case id or reference.
        case: String,
        /// The lead facilitator (name or user id).
        #[arg(long, value_name = "USER")]
        to: String,
        /// The co-facilitator (name or user id); without it the case has none.
        #[arg(long, value_name = "USER")]
        co: Option<String>,
    },
    /// Add a supervision note to a case of your team (supervisors only).
    Supervise {
        /// Case id or reference.
        case: String,
        /// The note, or - to read it from standard input.
        #[arg(long, value_name = "TEXT|-")]
        text: String,
    },
}

/// `casebook case new`
#[derive(Debug, Args)]
pub struct NewCaseArgs {
    /// rj (Restorative Justice) or mediation.
    #[arg(long, value_parser = kind)]
    pub kind: casebook_domain::CaseKind,
    /// out-of-court, pre-sentence, post-sentence or none.
    #[arg(long, value_parser = stage)]
    pub stage: casebook_domain::JusticeStage,
    /// police, probation, court, youth-justice, victim-services, housing, school, self, other.
    #[arg(long, value_parser = domain::<casebook_domain::ReferralSource>)]
    pub source: casebook_domain::ReferralSource,
    /// The harm or conflict, in a few sentences.
    #[arg(long)]
    pub summary: String,
    /// The court (sentencing) date; required for pre-sentence cases.
    #[arg(long, value_name = "YYYY-MM-DD", value_parser = date)]
    pub court_date: Option<NaiveDate>,
    /// For a pre-sentence case: adjournment (sentencing adjourned) or deferred-sentence.
    #[arg(long, value_name = "KIND", value_parser = domain::<casebook_domain::PreSentenceKind>)]
    pub pre_sentence: Option<casebook_domain::PreSentenceKind>,
    /// When the referral was received (default: today).
    #[arg(long, value_name = "YYYY-MM-DD", value_parser = date)]
    pub received: Option<NaiveDate>,
    /// Who referred it (name or team).
    #[arg(long)]
    pub referrer: Option<String>,
    /// Allocate it as it is entered (coordinators): the lead facilitator, by name or user id.
    #[arg(long, value_name = "USER")]
    pub lead: Option<String>,
    /// The co-facilitator, by name or user id (with --lead).
    #[arg(long, value_name = "USER", requires = "lead")]
    pub co: Option<String>,
}

/// `casebook party ...`
#[derive(Debug, Subcommand)]
pub enum PartyCommand {
    /// Add a party to a case.
    Add {
        /// Case id or reference.
        case: String,
        /// victim, harmer, party, supporter, guardian, interpreter, other.
        #[arg(long, value_parser = domain::<casebook_domain::PartyRole>)]
        role: casebook_domain::PartyRole,
        /// Their name.
        #[arg(long)]
        name: String,
        /// A phone number.
        #[arg(long)]
        phone: Option<String>,
        /// Under 18: a guardian's consent is needed too.
        #[arg(long)]
        minor: bool,
        /// The minor (party id or name) this party is parent or guardian of.
        #[arg(long, value_name = "PARTY")]
        guardian_of: Option<String>,
    },
}

/// `casebook contact ...`
#[derive(Debug, Subcommand)]
pub enum ContactCommand {
    /// Record a contact (finalised unless --draft).
    Add {
        /// Case id or reference.
        case: String,
        /// Parties seen (ids or names), comma-separated.
        #[arg(long, value_name = "PARTY[,PARTY]", value_delimiter = ',', required = true)]
        party: Vec<String>,
        /// visit, call, letter, video, office.
        #[arg(long, value_parser = domain::<casebook_domain::ContactKind>)]
        kind: casebook_domain::ContactKind,
        /// When it happened.
        #[arg(long, value_name = "YYYY-MM-DD", value_parser = date)]
        date: NaiveDate,
        /// The notes, or - to read them from standard input.
        #[arg(long, value_name = "TEXT|-")]
        notes: String,
        /// The party asked for this contact themselves.
        #[arg(long)]
        initiated_by_party: bool,
        /// Keep it as a draft that can still be edited.
        #[arg(long)]
        draft: bool,
        /// The finalised contact this one corrects.
        #[arg(long, value_name = "CONTACT")]
        amends: Option<String>,
        /// What the party agreed may be passed to the other side (the notes stay private).
        #[arg(long, value_name = "TEXT")]
        shareable: Option<String>,
    },
    /// Replace the notes of a draft contact.
    Edit {
        /// Contact id (or a unique start of it).
        contact: String,
        /// The notes, or - to read them from standard input.
        #[arg(long, value_name = "TEXT|-")]
        notes: String,
    },
    /// Finalise a draft: it can never change afterwards.
    Finalise {
        /// Contact id (or a unique start of it).
        contact: String,
    },
}

/// `casebook consent ...`
#[derive(Debug, Subcommand)]
pub enum ConsentCommand {
    /// Record a consent decision.
    Record {
        /// Case id or reference.
        case: String,
        /// Whose decision (party id or name).
        #[arg(long)]
        party: String,
        /// participation, info-sharing, contact, direct-meeting, indirect, share-with-other-party, follow-up.
        #[arg(long, value_parser = domain::<casebook_domain::ConsentScope>)]
        scope: casebook_domain::ConsentScope,
        /// given, declined, withdrawn.
        #[arg(long, value_parser = domain::<casebook_domain::ConsentDecision>)]
        decision: casebook_domain::ConsentDecision,
        /// verbal, written, signed.
        #[arg(long, value_parser = domain::<casebook_domain::ConsentMethod>)]
        method: casebook_domain::ConsentMethod,
        /// When the decision was made (default: today).
        #[arg(long, value_name = "YYYY-MM-DD", value_parser = date)]
        date: Option<NaiveDate>,
        /// A note (which agency, what information, ...).
        #[arg(long)]
        note: Option<String>,
    },
    /// Each party's current consent, per scope.
    Show {
        /// Case id or reference.
        case: String,
    },
}

/// `casebook conflict ...`
#[derive(Debug, Subcommand)]
pub enum ConflictCommand {
    /// Keep one version (mine or theirs) or write the merged text.
    Resolve {
        /// The conflict's id (or a unique start of it), from `casebook conflicts`.
        conflict: String,
        /// mine, theirs, or the merged text itself.
        #[arg(long, value_name = "mine|theirs|TEXT")]
        keep: String,
    },
}

/// `casebook recovery-code ...`
#[derive(Debug, Subcommand)]
pub enum RecoveryCodeCommand {
    /// Make a new code (shown once; any code made before stops working). Write it on paper and
    /// keep it apart from this laptop.
    New,
}

/// `casebook passphrase ...`
#[derive(Debug, Subcommand)]
pub enum PassphraseCommand {
    /// Change the passphrase (new one from CASEBOOK_NEW_PASSPHRASE, or asked twice).
    Change,
}

/// Parses a value of one of the domain's closed sets by its stored name, `-` standing for `_`.
pub(crate) fn domain<T: FromStr<Err = UnknownValue>>(s: &str) -> Result<T, String> {
    s.trim()
        .to_ascii_lowercase()
        .replace('-', "_")
        .parse()
        .map_err(|e: UnknownValue| {
            let expected: Vec<String> = e.expected.iter().map(|x| x.replace('_', "-")).collect();
            format!("{s:?} is not one of: {}", expected.join(", "))
        })
}

fn kind(s: &str) -> Result<casebook_domain::CaseKind, String> {
    match s {
        "rj" => Ok(casebook_domain::CaseKind::RestorativeJustice),
        "mediation" => Ok(casebook_domain::CaseKind::RestorativeMediation),
        other => domain(other).map_err(|_| format!("{other:?} is not one of: rj, mediation")),
    }
}

/// `--pre-sentence KIND|none` of `case edit`: a kind, or none to remove it.
#[derive(Debug, Clone, Copy)]
pub struct PreSentenceChange(pub Option<casebook_domain::PreSentenceKind>);

fn pre_sentence_change(s: &str) -> Result<PreSentenceChange, String> {
    match s.trim() {
        "none" => Ok(PreSentenceChange(None)),
        other => domain(other).map(|k| PreSentenceChange(Some(k))),
    }
}

fn stage(s: &str) -> Result<casebook_domain::JusticeStage, String> {
    match s {
        "none" => Ok(casebook_domain::JusticeStage::NotApplicable),
        other => domain(other)
            .map_err(|_| format!("{other:?} is not one of: out-of-court, pre-sentence, post-sentence, none")),
    }
}

pub(crate) fn date(s: &str) -> Result<NaiveDate, String> {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").map_err(|_| format!("{s:?} is not a date: use YYYY-MM-DD"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn the_command_line_is_consistent() {
        Cli::command().debug_assert();
    }

    #[test]
    fn domain_values_parse_with_hyphens() {
        assert_eq!(
            domain::<casebook_domain::ConsentScope>("info-sharing"),
            Ok(casebook_domain::ConsentScope::InfoSharing)
        );
        assert_eq!(stage("none"), Ok(casebook_domain::JusticeStage::NotApplicable));
        assert_eq!(kind("rj"), Ok(casebook_domain::CaseKind::RestorativeJustice));
        let err = domain::<casebook_domain::ConsentScope>("everything").expect_err("unknown");
        assert!(err.contains("direct-meeting"), "{err}");
        assert!(date("27/11/2026").is_err());
    }
}
