//! The case, whole: recording the referral, its parties and their consents, editing its
//! referral details and parties, its status (closing with an outcome, reopening) and amending a
//! finalised visit. The store checks the rules of the process; this module names the form field
//! at fault and words the refusals for a window, not a terminal.

use casebook_domain::case::Transition;
use casebook_domain::{CaseId, CaseStatus, ContactId, ContactState, PartyId, RuleError};
use casebook_store::StoreError;
use casebook_store::model::{
    CaseEdit, CreatedCase, NewCase, NewConsent, NewContact, NewParty, PartyEdit, TimelineEntry,
};

use crate::app::{App, nonempty};
use crate::dto::{NewConsentInput, ReferralEdit, StatusMove};
use crate::error::{AppError, ErrorCode};

/// A refusal of the store in the app's words, naming the field to correct where there is one:
/// the rules' own messages name the command line's options (`--outcome`).
fn worded(e: StoreError) -> AppError {
    let StoreError::Rule(rule) = &e else {
        return e.into();
    };
    match rule {
        RuleError::CourtDateRequired => AppError::in_field(
            "court_date",
            "A pre-sentence case needs its court (sentencing) date: the work has to finish before it. \
             Nothing was changed.",
        ),
        RuleError::PreSentenceKindOutOfStage => AppError::in_field(
            "pre_sentence",
            "Only a pre-sentence case has its sentencing adjourned or its sentence deferred: \
             choose \"Not recorded\" or make the stage pre-sentence. Nothing was changed.",
        ),
        RuleError::OutcomeRequired => AppError::in_field(
            "outcome",
            "Write the outcome: how the case ended. The case was not closed.",
        ),
        RuleError::CaseClosed => AppError::new(
            ErrorCode::Rule,
            "The case is closed: reopen it before changing anything. Nothing was changed.",
        ),
        RuleError::StatusTransition { .. } => AppError {
            field: Some("to".to_owned()),
            ..AppError::new(ErrorCode::Rule, e.to_string())
        },
        RuleError::GuardianOfNonMinor { .. } => AppError {
            field: Some("minor".to_owned()),
            ..AppError::new(ErrorCode::Rule, e.to_string())
        },
        _ => e.into(),
    }
}

impl App {
    /// Records a new referral.
    pub fn create_case(&self, input: NewCase) -> Result<CreatedCase, AppError> {
        if input.summary.trim().is_empty() {
            return Err(AppError::invalid(
                "Write a short summary of the harm or conflict.",
            ));
        }
        let input = NewCase {
            referrer: nonempty(input.referrer),
            ..input
        };
        self.change(
            |a| a.create_case,
            |store| Ok(store.write(|w| w.create_case(input))?),
        )
    }

    /// Adds a party to a case.
    pub fn add_party(&self, case: CaseId, input: NewParty) -> Result<PartyId, AppError> {
        let input = NewParty {
            name: nonempty(Some(input.name)).ok_or_else(|| AppError::invalid("Enter the party's name."))?,
            phone: nonempty(input.phone),
            ..input
        };
        self.change(
            |a| a.add_party,
            |store| Ok(store.write(|w| w.add_party(case, input))?),
        )
    }

    /// Records a consent decision.
    pub fn record_consent(
        &self,
        case: CaseId,
        input: NewConsentInput,
    ) -> Result<casebook_domain::ConsentId, AppError> {
        self.change(
            |a| a.record_consent,
            |store| {
                Ok(store.write(|w| {
                    w.record_consent(
                        case,
                        NewConsent {
                            party: input.party_id,
                            scope: input.scope,
                            decision: input.decision,
                            method: input.method,
                            date: input.date,
                            note: nonempty(input.note),
                        },
                    )
                })?)
            },
        )
    }

    /// Saves a case's referral details as the form shows them: summary, justice stage, court
    /// date (an empty one removes it, except from a pre-sentence case), adjournment or deferred
    /// sentence, and referrer. A closed case is reopened first.
    pub fn edit_referral(&self, case: CaseId, input: ReferralEdit) -> Result<(), AppError> {
        let summary = nonempty(Some(input.summary)).ok_or_else(|| {
            AppError::in_field(
                "summary",
                "Write a short summary of the harm or conflict. Nothing was changed.",
            )
        })?;
        self.change(
            |a| a.edit_case,
            |store| {
                store
                    .write(|w| {
                        w.edit_case(
                            case,
                            CaseEdit {
                                summary: Some(summary),
                                court_date: Some(input.court_date),
                                stage: Some(input.stage),
                                pre_sentence: Some(input.pre_sentence),
                            },
                        )?;
                        w.set_referrer(case, &input.referrer)
                    })
                    .map_err(worded)
            },
        )
    }

    /// Saves a party's name, phone and whether they are under 18. A party whose guardian is on
    /// the case stays under 18; a closed case is reopened first.
    pub fn edit_party(&self, party: PartyId, input: PartyEdit) -> Result<(), AppError> {
        if input.name.as_deref().is_some_and(|n| n.trim().is_empty()) {
            return Err(AppError::in_field(
                "name",
                "Enter the party's name. Nothing was changed.",
            ));
        }
        self.change(
            |a| a.edit_party,
            |store| store.write(|w| w.edit_party(party, input)).map_err(worded),
        )
    }

    /// The statuses a case may move to now, as the domain allows (one step on, a called-off
    /// meeting back to preparing, closing with an outcome; a closed case only reopens). Empty
    /// for a user who may not move it.
    pub fn status_moves(&self, case: CaseId) -> Result<Vec<StatusMove>, AppError> {
        if !self.state().may.change_status {
            return Ok(Vec::new());
        }
        let from = self.with_store(|store| Ok(store.case_detail(case)?.case.status))?;
        Ok(CaseStatus::ALL
            .iter()
            .filter_map(|&to| {
                // Any outcome stands for the one the person will write: only whether a move is
                // allowed matters here.
                let transition = from.transition(to, Some("an outcome")).ok()?;
                Some(StatusMove { to, transition })
            })
            .collect())
    }

    /// Moves the case to `to`. Closing needs the outcome (how the case ended); reopening a
    /// closed case makes it open to changes again.
    pub fn change_status(
        &self,
        case: CaseId,
        to: CaseStatus,
        outcome: Option<String>,
    ) -> Result<Transition, AppError> {
        let outcome = nonempty(outcome);
        self.change(
            |a| a.change_status,
            |store| {
                store
                    .write(|w| w.change_status(case, to, outcome.as_deref()))
                    .map_err(worded)
            },
        )
    }

    /// Starts the amendment of a finalised visit: a draft that `amends` it, holding the same
    /// parties, date and notes to correct, saved and finalised like any visit. A draft already
    /// amending it is continued rather than a second one started.
    pub fn amend_visit(&self, case: CaseId, contact: ContactId) -> Result<ContactId, AppError> {
        self.change(
            |a| a.write_visits,
            |store| {
                let timeline = store.case_detail(case)?.timeline;
                let contacts = timeline.into_iter().filter_map(|e| match e {
                    TimelineEntry::Contact(c) => Some(c),
                    _ => None,
                });
                let mut original = None;
                for c in contacts {
                    if c.amends == Some(contact) && c.state == ContactState::Draft {
                        return Ok(c.id);
                    }
                    if c.id == contact {
                        original = Some(c);
                    }
                }
                let original = original.ok_or_else(|| {
                    AppError::new(ErrorCode::NotFound, "This visit is not on this laptop any more.")
                })?;
                if original.state != ContactState::Finalised {
                    return Err(AppError::new(
                        ErrorCode::Rule,
                        "This visit is still a draft: continue it instead of amending it.",
                    ));
                }
                store
                    .write(|w| {
                        w.add_contact(
                            case,
                            NewContact {
                                party_ids: original.party_ids,
                                kind: original.kind,
                                date: original.date,
                                notes: original.notes,
                                initiated_by_party: original.initiated_by_party,
                                draft: true,
                                amends: Some(contact),
                                shareable: None,
                            },
                        )
                    })
                    .map_err(worded)
            },
        )
    }
}
