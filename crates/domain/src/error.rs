//! The refusals of the process rules, each saying which rule and what to do next.

use chrono::NaiveDate;
use thiserror::Error;

use crate::case::CaseStatus;
use crate::consent::ConsentDecision;

/// A process rule refused an action. The message names the rule and what to do next.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum RuleError {
    /// The case cannot move from one status to another.
    #[error("A case cannot move from {from} to {to}. {hint}")]
    StatusTransition {
        /// Current status.
        from: CaseStatus,
        /// Requested status.
        to: CaseStatus,
        /// What the user can do instead.
        hint: &'static str,
    },
    /// Closing a case needs an outcome.
    #[error("Closing a case needs an outcome: say how it ended with --outcome.")]
    OutcomeRequired,
    /// A pre-sentence case needs its sentencing date.
    #[error(
        "A pre-sentence case must have a court (sentencing) date: the work has to finish before it. Add it with --court-date YYYY-MM-DD."
    )]
    CourtDateRequired,
    /// Only a pre-sentence case is adjourned for sentence or has its sentence deferred.
    #[error(
        "Only a pre-sentence case has its sentencing adjourned or deferred: leave --pre-sentence out, or make the stage pre-sentence."
    )]
    PreSentenceKindOutOfStage,
    /// A party declined or withdrew consent to be contacted by the service.
    #[error(
        "{party} has {decision} consent to contact by the service (recorded {when}). A new contact can only be recorded if {party} initiated it: use --initiated-by-party, or record new consent first."
    )]
    ContactConsentRefused {
        /// The party's name.
        party: String,
        /// Declined or withdrawn.
        decision: ConsentDecision,
        /// When that decision was recorded (the user's own words: a date).
        when: NaiveDate,
    },
    /// A minor's participation needs the minor's and a guardian's consent.
    #[error(
        "{party} is a minor: taking part needs {missing}. Record it with `casebook consent record --scope participation`."
    )]
    MinorConsentMissing {
        /// The minor's name.
        party: String,
        /// Whose consent is missing, in words.
        missing: String,
    },
    /// A finalised contact never changes.
    #[error(
        "This contact was finalised on {finalised}: it can no longer change. Record an amendment that refers to it instead."
    )]
    ContactFinalised {
        /// When it was finalised.
        finalised: NaiveDate,
    },
    /// The case is closed: nothing more can be recorded until it is reopened.
    #[error(
        "The case is closed. Reopen it (`casebook case status CASE --to contacting`) before recording more."
    )]
    CaseClosed,
    /// A contact must name at least one party seen.
    #[error("A contact must name at least one party (--party).")]
    NoPartySeen,
    /// A guardian must point at a party of the same case who is a minor.
    #[error(
        "{guardian} can only be the guardian of a minor in the same case; {minor} is not marked as a minor."
    )]
    GuardianOfNonMinor {
        /// The guardian's name.
        guardian: String,
        /// The other party's name.
        minor: String,
    },
    /// Only supervisors write supervision notes.
    #[error("Only a supervisor can add supervision notes: {who}.")]
    SupervisorsOnly {
        /// Who tried, in words (their role, or that it is unknown).
        who: String,
    },
    /// A required field was left empty.
    #[error("{field} cannot be empty.")]
    Empty {
        /// The field's name as the user knows it.
        field: &'static str,
    },
    /// A risk factor typed as something other than `NAME=LEVEL` with known names.
    #[error(
        "{given:?} is not a risk factor and level: write NAME=LEVEL, with NAME one of re-victimisation, power-imbalance, intimidation, violence, substance-use, mental-health, safeguarding, abuse-context, responsibility and LEVEL one of low, medium, high."
    )]
    BadFactor {
        /// What was typed.
        given: String,
    },
    /// A risk assessment submitted before every factor is assessed.
    #[error("Assess every risk factor before submitting: {missing} not assessed yet (--factor NAME=LEVEL).")]
    FactorsMissing {
        /// The factors left, in words.
        missing: String,
    },
    /// A sign-off of something that is not waiting for one.
    #[error(
        "This risk assessment is {state}, not submitted: only a submitted assessment can be approved or returned."
    )]
    NotSubmitted {
        /// Where it stands.
        state: &'static str,
    },
    /// Returning work needs a comment saying what to change.
    #[error("Say what should change when returning it (--note).")]
    ReturnNeedsNote,
    /// An agreed action typed as something other than `WHAT|BY|YYYY-MM-DD`.
    #[error(
        "{given:?} is not an action: write WHAT|BY WHOM|YYYY-MM-DD, e.g. \"Repair the fence|Bob|2027-01-15\"."
    )]
    BadAction {
        /// What was typed.
        given: String,
    },
    /// A court report is only written for a pre-sentence case.
    #[error("Only a pre-sentence case has a report to the court.")]
    NotPreSentence,
    /// A meeting recorded as held before it is ready.
    #[error(
        "The meeting is not ready to be held: {missing}. Complete these, or ask a supervisor of the team to override with a reason (`casebook meeting override`)."
    )]
    MeetingNotReady {
        /// What is missing, in words.
        missing: String,
    },
    /// An override needs a reason.
    #[error("Say why the meeting may go ahead although it is not ready (--reason).")]
    OverrideNeedsReason,
    /// A readiness item the records decide, which no person can tick.
    #[error("{text}: this is decided by the records, not confirmed by hand. {hint}")]
    DecidedByRecords {
        /// What is missing.
        text: String,
        /// What to record instead.
        hint: &'static str,
    },
    /// A confirmation of something the meeting does not need (or already has).
    #[error("{item:?} is not among the items this meeting is missing ({missing}).")]
    NotMissing {
        /// What was given.
        item: String,
        /// The items a person can confirm now, or "none".
        missing: String,
    },
    /// A meeting that was held or called off does not change.
    #[error("This meeting was {what}: plan a new one instead.")]
    MeetingOver {
        /// "held on 27 Nov 2026" or "called off".
        what: String,
    },
    /// A meeting needs someone to attend.
    #[error("Name the parties attending the meeting (--attendees).")]
    NoAttendees,
    /// A time not on a 24-hour clock.
    #[error("{given:?} is not a time: use HH:MM on a 24-hour clock, e.g. 14:30.")]
    BadTime {
        /// What was typed.
        given: String,
    },
    /// Feedback from a party whose consent to follow-up is not in force.
    #[error("{party}'s feedback cannot be recorded: {why}. Record their consent first.")]
    NoFollowUpConsent {
        /// The party's name.
        party: String,
        /// Why not, in words.
        why: String,
    },
    /// A meeting recorded as held with nobody taking part, or with someone it did not plan for.
    #[error("{0}")]
    BadAttendance(&'static str),
    /// A change of circumstances recorded on an assessment that is not approved.
    #[error(
        "Only an approved risk assessment can be marked as overtaken by a change of circumstances; this one is {state}: edit it instead."
    )]
    NotApproved {
        /// Where it stands.
        state: &'static str,
    },
}
