//! A case's meetings in the app: planning one, its preparation plan (autosaved section by
//! section like a visit note), the readiness checklist the domain computes, confirming what a
//! person vouches for, and recording it held (when ready, or with a supervisor's override) or
//! called off. The store decides readiness; this module checks who may act and words the
//! refusals for a window, naming the field at fault.

use casebook_domain::meeting::{MeetingKind, PlanSection};
use casebook_domain::{CaseId, MeetingId, PartyId, RuleError};
use casebook_store::StoreError;
use casebook_store::meeting::{MeetingView, NewMeeting};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::app::{App, nonempty};
use crate::error::{AppError, ErrorCode};

/// A meeting as typed in the "Plan a meeting" form.
#[derive(Debug, Clone, Deserialize)]
#[cfg_attr(any(test, feature = "ts"), derive(ts_rs::TS))]
pub struct MeetingInput {
    /// Conference, shuttle, letters or video; `None` when not chosen.
    pub kind: Option<MeetingKind>,
    /// The day planned.
    pub planned_on: Option<NaiveDate>,
    /// The time planned, `HH:MM` on a 24-hour clock (optional).
    pub planned_time: Option<String>,
    /// Where (a room, an address, "by post", a video link's name).
    pub venue: String,
    /// The parties attending: principals, and supporters or interpreters (parties too).
    pub attendees: Vec<PartyId>,
}

/// The details typed in the form, each missing one refused beside its field.
fn details(input: MeetingInput) -> Result<NewMeeting, AppError> {
    let kind = input.kind.ok_or_else(|| {
        AppError::in_field(
            "kind",
            "Choose how the parties will communicate: conference, shuttle, letters or video.",
        )
    })?;
    let planned_on = input
        .planned_on
        .ok_or_else(|| AppError::in_field("planned_on", "Enter the day the meeting is planned for."))?;
    if input.attendees.is_empty() {
        return Err(AppError::in_field(
            "attendees",
            "Choose who attends: at least one party.",
        ));
    }
    Ok(NewMeeting {
        kind,
        planned_on,
        planned_time: nonempty(input.planned_time),
        venue: input.venue.trim().to_owned(),
        attendees: input.attendees,
    })
}

/// One section of a plan saved to the encrypted store.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(any(test, feature = "ts"), derive(ts_rs::TS))]
pub struct PlanSaved {
    /// Which section.
    pub section: PlanSection,
    /// When (RFC 3339, UTC).
    pub saved_at: String,
}

/// The refusals of a plan the person can fix in the form, beside the field at fault.
fn plan_refusal(e: StoreError) -> AppError {
    match e {
        StoreError::Rule(RuleError::NoAttendees) => {
            AppError::in_field("attendees", "Choose who attends: at least one party.")
        }
        StoreError::Rule(RuleError::BadTime { given }) => AppError::in_field(
            "planned_time",
            format!("{given:?} is not a time: use a 24-hour clock, e.g. 14:30."),
        ),
        other => other.into(),
    }
}

/// Refusals worded for the window rather than the command line (which the store's words name).
fn worded(e: StoreError) -> AppError {
    match e {
        StoreError::Rule(RuleError::DecidedByRecords { text, .. }) => AppError::new(
            ErrorCode::Rule,
            format!("{text}: the records decide this, not a tick. Nothing was confirmed."),
        ),
        StoreError::Rule(RuleError::MeetingNotReady { missing }) => AppError::new(
            ErrorCode::Rule,
            format!("The meeting is not ready to be held: {missing}. Nothing was recorded."),
        ),
        StoreError::Rule(RuleError::OverrideNeedsReason) => AppError::in_field(
            "reason",
            "Say why the meeting may go ahead although it is not ready. Nothing was recorded.",
        ),
        StoreError::Rule(RuleError::BadAttendance(why)) => {
            AppError::in_field("attended", format!("{why} Nothing was recorded."))
        }
        StoreError::Rule(RuleError::Empty { .. }) => {
            AppError::in_field("why", "Say why the meeting was called off. Nothing was recorded.")
        }
        other => other.into(),
    }
}

impl App {
    /// The meetings of a case, soonest first, each with its readiness today.
    pub fn meetings(&self, case: CaseId) -> Result<Vec<MeetingView>, AppError> {
        self.with_store(|store| Ok(store.meetings(case)?))
    }

    /// One meeting with its readiness today.
    pub fn meeting(&self, id: MeetingId) -> Result<MeetingView, AppError> {
        self.with_store(|store| Ok(store.meeting(id)?))
    }

    /// Plans a meeting; a missing kind, date or attendee is refused beside its field.
    pub fn plan_meeting(&self, case: CaseId, input: MeetingInput) -> Result<MeetingId, AppError> {
        let new = details(input)?;
        self.change(
            |a| a.write_meetings,
            |store| store.write(|w| w.plan_meeting(case, new)).map_err(plan_refusal),
        )
    }

    /// Changes a planned meeting's details, refused beside the field at fault like a new plan;
    /// returns whether anything changed (the same details save nothing).
    pub fn edit_meeting(&self, id: MeetingId, input: MeetingInput) -> Result<bool, AppError> {
        let new = details(input)?;
        self.change(
            |a| a.write_meetings,
            |store| store.write(|w| w.edit_meeting(id, new)).map_err(plan_refusal),
        )
    }

    /// Saves one section of the preparation plan (every pause in typing).
    pub fn save_meeting_plan(
        &self,
        id: MeetingId,
        section: PlanSection,
        text: String,
    ) -> Result<PlanSaved, AppError> {
        self.change(
            |a| a.write_meetings,
            |store| Ok(store.write(|w| w.save_meeting_plan(id, section, &text))?),
        )?;
        Ok(PlanSaved {
            section,
            saved_at: chrono::Utc::now().to_rfc3339(),
        })
    }

    /// Confirms a readiness item a person vouches for (venue checked, facts acknowledged…), as
    /// the checklist names it; what the records decide is refused.
    pub fn confirm_meeting_item(&self, id: MeetingId, item: String) -> Result<MeetingView, AppError> {
        self.change(
            |a| a.write_meetings,
            |store| {
                store
                    .write(|w| w.confirm_meeting_item(id, &item))
                    .map_err(worded)?;
                Ok(store.meeting(id)?)
            },
        )
    }

    /// Records the meeting as held today with who took part: refused, with what is missing,
    /// unless it is ready or a supervisor let it go ahead.
    pub fn record_meeting_held(&self, id: MeetingId, attended: Vec<PartyId>) -> Result<(), AppError> {
        self.change(
            |a| a.write_meetings,
            |store| {
                store
                    .write(|w| w.record_meeting_held(id, &attended))
                    .map_err(worded)
            },
        )
    }

    /// A supervisor lets a meeting that is not ready go ahead, saying why.
    pub fn override_meeting(&self, id: MeetingId, reason: String) -> Result<(), AppError> {
        let reason = nonempty(Some(reason)).ok_or_else(|| {
            AppError::in_field(
                "reason",
                "Say why the meeting may go ahead although it is not ready. Nothing was recorded.",
            )
        })?;
        self.supervise(
            "Only a supervisor of the case's team lets a meeting go ahead that is not ready.",
            |a| a.sign_off,
            |store| {
                store.write(|w| w.override_meeting(id, &reason)).map_err(worded)?;
                Ok(())
            },
        )
    }

    /// Calls the meeting off, saying why.
    pub fn call_off_meeting(&self, id: MeetingId, why: String) -> Result<(), AppError> {
        let why = nonempty(Some(why)).ok_or_else(|| {
            AppError::in_field("why", "Say why the meeting was called off. Nothing was recorded.")
        })?;
        self.change(
            |a| a.write_meetings,
            |store| store.write(|w| w.call_off_meeting(id, &why)).map_err(worded),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn store_refusals_name_the_field_to_fix() {
        let e = plan_refusal(StoreError::Rule(RuleError::BadTime { given: "2pm".into() }));
        assert_eq!(e.field.as_deref(), Some("planned_time"));
        assert!(e.message.contains("14:30"), "{}", e.message);
        let e = worded(StoreError::Rule(RuleError::DecidedByRecords {
            text: "Ann's consent to direct meeting is not recorded".into(),
            hint: "Record the consent with `casebook consent record`.",
        }));
        assert!(
            !e.message.contains("casebook"),
            "worded for a window: {}",
            e.message
        );
        assert_eq!(e.code, ErrorCode::Rule);
    }
}
