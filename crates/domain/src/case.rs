//! The case: its kind, justice stage, status and the rules of moving through the process.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::calendar;
use crate::error::RuleError;

labelled_enum!(
    /// Restorative Justice (harm and a person responsible) or Restorative Mediation (conflict).
    CaseKind {
        /// A victim and the person who harmed them.
        RestorativeJustice = "restorative_justice" / "Restorative Justice",
        /// Neighbours, anti-social behaviour, conflict without a single "harmer".
        RestorativeMediation = "restorative_mediation" / "Restorative Mediation",
    }
);

labelled_enum!(
    /// Where the case stands in the criminal justice process.
    JusticeStage {
        /// Dealt with outside court.
        OutOfCourt = "out_of_court" / "out of court",
        /// Between plea and sentence, or a deferred sentence: a hard court date.
        PreSentence = "pre_sentence" / "pre-sentence",
        /// After sentence.
        PostSentence = "post_sentence" / "post-sentence",
        /// No criminal justice involvement (most mediation).
        NotApplicable = "not_applicable" / "not applicable",
    }
);

labelled_enum!(
    /// What the court date of a pre-sentence case is: the Ministry of Justice guidance names
    /// both windows for restorative justice before sentence.
    PreSentenceKind {
        /// Sentencing adjourned after a guilty plea, so that the work can be done first.
        Adjournment = "adjournment" / "sentencing adjourned",
        /// Sentence deferred (up to six months): the court date is when the person returns.
        DeferredSentence = "deferred_sentence" / "deferred sentence",
    }
);

labelled_enum!(
    /// Where a case is in the restorative process.
    CaseStatus {
        /// Received, nobody contacted yet.
        Referred = "referred" / "referred",
        /// Contacting the parties.
        Contacting = "contacting" / "contacting",
        /// Preparing the parties (separate visits).
        Preparing = "preparing" / "preparing",
        /// A joint meeting or indirect communication is planned.
        MeetingPlanned = "meeting_planned" / "meeting planned",
        /// After the meeting: agreement follow-up.
        FollowUp = "follow_up" / "follow-up",
        /// Finished, with an outcome.
        Closed = "closed" / "closed",
    }
);

labelled_enum!(
    /// The agency that referred the case.
    ReferralSource {
        /// Police.
        Police = "police" / "police",
        /// Probation service.
        Probation = "probation" / "probation",
        /// A court.
        Court = "court" / "court",
        /// Youth justice service.
        YouthJustice = "youth_justice" / "youth justice",
        /// Victim services.
        VictimServices = "victim_services" / "victim services",
        /// A housing provider.
        Housing = "housing" / "housing",
        /// A school.
        School = "school" / "school",
        /// The person referred themselves.
        SelfReferral = "self" / "self-referral",
        /// Anyone else.
        Other = "other" / "other",
    }
);

/// What a status change amounts to, for the timeline.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum Transition {
    /// One step on in the process.
    Advance,
    /// A planned meeting was called off: back to preparing.
    StepBack,
    /// Closed, with an outcome.
    Close,
    /// A closed case opened again.
    Reopen,
}

impl CaseStatus {
    fn position(self) -> usize {
        CaseStatus::ALL.iter().position(|s| *s == self).unwrap_or(0)
    }

    /// Checks a move from `self` to `to`: one step on; closing from anywhere with an outcome;
    /// a called-off meeting back to preparing; a closed case reopened to an open status.
    pub fn transition(self, to: CaseStatus, outcome: Option<&str>) -> Result<Transition, RuleError> {
        use CaseStatus::*;
        let refuse = |hint| Err(RuleError::StatusTransition { from: self, to, hint });
        if self == to {
            return refuse("It is already there.");
        }
        match (self, to) {
            (Closed, _) => Ok(Transition::Reopen),
            (_, Closed) => match outcome.map(str::trim) {
                Some(o) if !o.is_empty() => Ok(Transition::Close),
                _ => Err(RuleError::OutcomeRequired),
            },
            (MeetingPlanned, Preparing) => Ok(Transition::StepBack),
            _ if to.position() == self.position() + 1 => Ok(Transition::Advance),
            _ if to.position() > self.position() => {
                refuse("Cases move one step at a time, so that no stage of preparation is skipped.")
            }
            _ => refuse(
                "Only a called-off meeting goes back (meeting planned → preparing); otherwise close the case with an outcome.",
            ),
        }
    }
}

/// Checks the fields a case must have together.
pub fn validate_case(
    stage: JusticeStage,
    court_date: Option<NaiveDate>,
    pre_sentence: Option<PreSentenceKind>,
    summary: &str,
) -> Result<(), RuleError> {
    if summary.trim().is_empty() {
        return Err(RuleError::Empty {
            field: "The summary of the harm or conflict",
        });
    }
    if stage == JusticeStage::PreSentence && court_date.is_none() {
        return Err(RuleError::CourtDateRequired);
    }
    if stage != JusticeStage::PreSentence && pre_sentence.is_some() {
        return Err(RuleError::PreSentenceKindOutOfStage);
    }
    Ok(())
}

/// Working days from referral to the first-contact target, so that bank holidays do not eat into it.
pub const FIRST_CONTACT_WORKING_DAYS: u32 = 10;

/// Working days a supervisor has to answer a submission (risk assessment or court report): a
/// week, so that a meeting or a court date is not held up by the queue.
pub const SIGN_OFF_WORKING_DAYS: u32 = 5;

/// When the answer to the oldest submission still waiting (submitted on `waiting_since`) is
/// due; nothing for a closed case, whose submissions cannot be answered until it reopens.
pub fn sign_off_due(status: CaseStatus, waiting_since: Option<NaiveDate>) -> Option<Deadline> {
    (status != CaseStatus::Closed)
        .then_some(waiting_since)
        .flatten()
        .map(|since| Deadline {
            date: calendar::add_working_days(since, SIGN_OFF_WORKING_DAYS),
            kind: DeadlineKind::SignOffDue,
        })
}

labelled_enum!(
    /// Why a date is a deadline.
    DeadlineKind {
        /// The sentencing hearing of a pre-sentence case: the work must be done before it.
        CourtDate = "court_date" / "court date",
        /// No party has been contacted yet.
        FirstContact = "first_contact" / "first contact due",
        /// An action of the agreement is due (or overdue) and still open.
        ActionDue = "action_due" / "agreement action due",
        /// The agreement's follow-up review is due.
        ReviewDue = "review_due" / "agreement review due",
        /// A submitted risk assessment or court report waits for a supervisor's answer.
        SignOffDue = "sign_off_due" / "sign-off due",
    }
);

/// The sooner of two deadlines; on the same day the first one given.
pub fn sooner(a: Option<Deadline>, b: Option<Deadline>) -> Option<Deadline> {
    match (a, b) {
        (Some(x), Some(y)) => Some(if y.date < x.date { y } else { x }),
        (x, y) => x.or(y),
    }
}

/// A derived deadline of a case.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Deadline {
    /// The date.
    pub date: NaiveDate,
    /// What it is.
    pub kind: DeadlineKind,
}

/// The next deadline of an open case, derived, never typed twice: the court date of a
/// pre-sentence case, else the first-contact target while nobody has been contacted.
pub fn next_deadline(
    status: CaseStatus,
    stage: JusticeStage,
    court_date: Option<NaiveDate>,
    received: NaiveDate,
    has_contact: bool,
) -> Option<Deadline> {
    if status == CaseStatus::Closed {
        return None;
    }
    let first_contact = (!has_contact)
        .then(|| calendar::add_working_days(received, FIRST_CONTACT_WORKING_DAYS))
        .map(|date| Deadline {
            date,
            kind: DeadlineKind::FirstContact,
        });
    let court = (stage == JusticeStage::PreSentence)
        .then_some(court_date)
        .flatten()
        .map(|date| Deadline {
            date,
            kind: DeadlineKind::CourtDate,
        });
    match (court, first_contact) {
        (Some(c), Some(f)) => Some(if f.date < c.date { f } else { c }),
        (c, f) => c.or(f),
    }
}

/// A provisional reference from the case id's random bits: `P-` and six Crockford base-32
/// characters, readable aloud and unambiguous (no I, L, O, U).
pub fn provisional_reference(id: crate::ids::CaseId) -> String {
    const ALPHABET: &[u8; 32] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";
    let bytes = id.as_uuid().into_bytes();
    // The last bytes of a UUIDv7 are random; the first are the timestamp.
    let mut bits = u64::from_be_bytes([0, 0, 0, bytes[11], bytes[12], bytes[13], bytes[14], bytes[15]]);
    let mut out = String::from("P-");
    for _ in 0..6 {
        out.push(char::from(ALPHABET[(bits & 31) as usize]));
        bits >>= 5;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use CaseStatus::*;
    use rstest::rstest;

    #[rstest]
    #[case(Referred, Contacting, Transition::Advance)]
    #[case(Contacting, Preparing, Transition::Advance)]
    #[case(Preparing, MeetingPlanned, Transition::Advance)]
    #[case(MeetingPlanned, FollowUp, Transition::Advance)]
    #[case(MeetingPlanned, Preparing, Transition::StepBack)]
    #[case(Closed, Contacting, Transition::Reopen)]
    #[case(Closed, Referred, Transition::Reopen)]
    fn allowed_transitions(#[case] from: CaseStatus, #[case] to: CaseStatus, #[case] expected: Transition) {
        assert_eq!(from.transition(to, None), Ok(expected));
    }

    #[rstest]
    #[case(Referred, Preparing)]
    #[case(Referred, FollowUp)]
    #[case(Preparing, Contacting)]
    #[case(FollowUp, MeetingPlanned)]
    #[case(Contacting, Contacting)]
    fn refused_transitions(#[case] from: CaseStatus, #[case] to: CaseStatus) {
        assert!(matches!(
            from.transition(to, None),
            Err(RuleError::StatusTransition { .. })
        ));
    }

    #[test]
    fn closing_from_any_open_status_needs_an_outcome() {
        for from in CaseStatus::ALL.iter().copied().filter(|s| *s != Closed) {
            assert_eq!(from.transition(Closed, None), Err(RuleError::OutcomeRequired));
            assert_eq!(
                from.transition(Closed, Some("  ")),
                Err(RuleError::OutcomeRequired)
            );
            assert_eq!(
                from.transition(Closed, Some("agreement kept")),
                Ok(Transition::Close)
            );
        }
    }

    #[test]
    fn pre_sentence_needs_a_court_date() {
        assert_eq!(
            validate_case(JusticeStage::PreSentence, None, None, "burglary"),
            Err(RuleError::CourtDateRequired)
        );
        let date = NaiveDate::from_ymd_opt(2026, 12, 1);
        assert_eq!(
            validate_case(JusticeStage::PreSentence, date, None, "burglary"),
            Ok(())
        );
        assert_eq!(
            validate_case(JusticeStage::PostSentence, None, None, "burglary"),
            Ok(())
        );
        assert!(matches!(
            validate_case(JusticeStage::OutOfCourt, None, None, " "),
            Err(RuleError::Empty { .. })
        ));
    }

    #[test]
    fn only_a_pre_sentence_case_is_adjourned_or_deferred() {
        let date = NaiveDate::from_ymd_opt(2027, 3, 4);
        for kind in [PreSentenceKind::Adjournment, PreSentenceKind::DeferredSentence] {
            assert_eq!(
                validate_case(JusticeStage::PreSentence, date, Some(kind), "burglary"),
                Ok(())
            );
            assert_eq!(
                validate_case(JusticeStage::PreSentence, None, Some(kind), "burglary"),
                Err(RuleError::CourtDateRequired),
                "a deferred sentence still has its date"
            );
            for stage in [
                JusticeStage::OutOfCourt,
                JusticeStage::PostSentence,
                JusticeStage::NotApplicable,
            ] {
                assert_eq!(
                    validate_case(stage, date, Some(kind), "burglary"),
                    Err(RuleError::PreSentenceKindOutOfStage),
                    "{stage:?}"
                );
            }
        }
    }

    #[test]
    fn a_sign_off_is_due_a_working_week_after_submission() {
        let d = |m, day| NaiveDate::from_ymd_opt(2026, m, day).expect("date");
        // Submitted Wednesday 23 Dec 2026: 24, 29, 30, 31 Dec and 4 Jan (Christmas, Boxing Day
        // observed on Monday 28th and New Year's Day are bank holidays).
        assert_eq!(
            sign_off_due(Contacting, Some(d(12, 23))),
            Some(Deadline {
                date: NaiveDate::from_ymd_opt(2027, 1, 4).expect("date"),
                kind: DeadlineKind::SignOffDue
            })
        );
        assert_eq!(sign_off_due(Contacting, None), None);
        assert_eq!(
            sign_off_due(Closed, Some(d(12, 23))),
            None,
            "closed: nothing to answer"
        );
    }

    #[test]
    fn deadlines_prefer_the_sooner_date_and_vanish_when_closed() {
        let d = |m, day| NaiveDate::from_ymd_opt(2026, m, day).expect("date");
        // Received Sunday 1 Nov 2026: ten working days are 2–6 and 9–13 Nov, so Friday 13th.
        let received = d(11, 1);
        let first = next_deadline(
            Referred,
            JusticeStage::PreSentence,
            Some(d(12, 20)),
            received,
            false,
        );
        assert_eq!(
            first,
            Some(Deadline {
                date: d(11, 13),
                kind: DeadlineKind::FirstContact
            })
        );
        let court = next_deadline(
            Contacting,
            JusticeStage::PreSentence,
            Some(d(12, 20)),
            received,
            true,
        );
        assert_eq!(
            court,
            Some(Deadline {
                date: d(12, 20),
                kind: DeadlineKind::CourtDate
            })
        );
        assert_eq!(
            next_deadline(Contacting, JusticeStage::PostSentence, None, received, true),
            None
        );
        assert_eq!(
            next_deadline(
                Closed,
                JusticeStage::PreSentence,
                Some(d(12, 20)),
                received,
                false
            ),
            None
        );
    }

    #[test]
    fn first_contact_skips_the_christmas_bank_holidays() {
        let date = |y, m, d| NaiveDate::from_ymd_opt(y, m, d).expect("date");
        // Received Friday 18 Dec 2026. Christmas (Fri 25), Boxing Day's substitute (Mon 28) and
        // New Year's Day (Fri 1 Jan) are bank holidays, so the ten working days are 21, 22, 23,
        // 24, 29, 30, 31 Dec and 4, 5, 6 Jan: due Wednesday 6 Jan 2027, not 28 Dec.
        let due = next_deadline(
            Referred,
            JusticeStage::OutOfCourt,
            None,
            date(2026, 12, 18),
            false,
        );
        assert_eq!(
            due,
            Some(Deadline {
                date: date(2027, 1, 6),
                kind: DeadlineKind::FirstContact
            })
        );
        // A court date on Monday 4 Jan now comes first (ten calendar days would have said 28 Dec).
        let court = next_deadline(
            Referred,
            JusticeStage::PreSentence,
            Some(date(2027, 1, 4)),
            date(2026, 12, 18),
            false,
        );
        assert_eq!(court.map(|d| d.kind), Some(DeadlineKind::CourtDate));
        // Over Easter 2027: after Thu 25 Mar, Good Friday and Easter Monday are skipped.
        let easter = next_deadline(
            Referred,
            JusticeStage::NotApplicable,
            None,
            date(2027, 3, 25),
            false,
        );
        assert_eq!(easter.map(|d| d.date), Some(date(2027, 4, 12)));
    }

    #[test]
    fn stored_names_round_trip_and_unknown_ones_say_what_is_expected() {
        for s in ReferralSource::ALL {
            assert_eq!(s.as_str().parse::<ReferralSource>(), Ok(*s));
        }
        assert_eq!(ReferralSource::labels()[7], ("self", "self-referral"));
        assert_eq!(CaseStatus::labels().len(), CaseStatus::ALL.len());
        let err = "martian".parse::<CaseKind>().expect_err("unknown");
        assert!(err.to_string().contains("restorative_justice"));
    }
}
