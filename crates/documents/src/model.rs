//! The plain data each document is made from; the caller fills it from the store and filters it
//! by consent first.

use chrono::NaiveDate;

/// What goes into a report to the court on a pre-sentence case.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CourtReport {
    /// The case reference.
    pub reference: String,
    /// The date of the hearing the report is for.
    pub court_date: NaiveDate,
    /// What that hearing ends, worded ("sentencing adjourned", "deferred sentence"), if known.
    pub court_date_is: Option<String>,
    /// The date the report was written.
    pub prepared_on: NaiveDate,
    /// The facilitator who wrote it.
    pub facilitator: String,
    /// Why the case was referred, in a few sentences.
    pub summary_of_referral: String,
    /// One line per meeting or visit, already worded.
    pub what_took_place: Vec<String>,
    /// The actions agreed, if an agreement was reached.
    pub agreement: Vec<AgreementAction>,
    /// Only the parties who consented to share their words with the court: the caller filters.
    pub parties_words: Vec<PartyWords>,
    /// The supervisor who approved the report and when; `None` makes it a draft.
    pub approved_by: Option<(String, NaiveDate)>,
}

/// What one party said, labelled by their role rather than their name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PartyWords {
    /// The party's role: "Victim", "Responsible person".
    pub role: String,
    /// Their words, as they agreed to share them.
    pub words: String,
}

/// One action of a restorative agreement.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AgreementAction {
    /// What will be done.
    pub what: String,
    /// Who will do it.
    pub by_whom: String,
    /// When it is due.
    pub by_when: NaiveDate,
    /// Where it stands ("Agreed", "Done", "Overdue").
    pub status: String,
}

/// What goes into the written agreement handed to the parties after a meeting.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AgreementDoc {
    /// The case reference.
    pub reference: String,
    /// The date of the meeting where it was agreed.
    pub meeting_on: NaiveDate,
    /// Who took part, as they should be named on the agreement.
    pub parties: Vec<String>,
    /// The actions agreed.
    pub actions: Vec<AgreementAction>,
    /// When the agreement will be reviewed.
    pub reviews: Vec<NaiveDate>,
    /// How it was agreed, one line per point ("Everyone read it back and agreed").
    pub how_agreed: Vec<String>,
}

/// What goes into the brief that prepares one party for a meeting.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PreparationBrief {
    /// The case reference.
    pub reference: String,
    /// The party the brief is for.
    pub for_party: String,
    /// The date the brief was written.
    pub prepared_on: NaiveDate,
    /// Shareable summaries from the other parties who consented: the caller filters.
    pub shared_by_others: Vec<PartyWords>,
}
