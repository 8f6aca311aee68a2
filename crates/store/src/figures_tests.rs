//! The quarterly figures of a real store, built with the writer API on chosen days: every
//! figure of Q4 2026 (1 Oct – 31 Dec) is known, with events on its edge days and one day
//! either side.

use casebook_domain::CaseStatus::{Closed, Contacting};
use casebook_domain::JusticeStage::{self, *};
use casebook_domain::PartyRole::{Harmer, Victim};
use casebook_domain::ReferralSource::*;
use casebook_domain::agreement::{ActionStatus, parse_action};
use casebook_domain::figures::Period;
use casebook_domain::meeting::MeetingKind::{self, *};
use casebook_domain::{CaseId, ContactKind, MeetingId, PartyId, ReferralSource};
use chrono::NaiveDate;

use super::FiguresError;
use crate::meeting::NewMeeting;
use crate::model::NewContact;
use crate::test_laptops::{Laptop, laptop, party, referral};
use crate::{StoreError, Writer};

fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).expect("date")
}

fn q4() -> Period {
    Period::new(d(2026, 10, 1), d(2026, 12, 31)).expect("period")
}

fn contact(
    w: &mut Writer<'_>,
    case: CaseId,
    who: PartyId,
    date: NaiveDate,
    draft: bool,
) -> Result<(), StoreError> {
    w.add_contact(
        case,
        NewContact {
            party_ids: vec![who],
            kind: ContactKind::Call,
            date,
            notes: if draft {
                String::new()
            } else {
                "Spoke about the process.".into()
            },
            initiated_by_party: false,
            draft,
            amends: None,
            shareable: None,
        },
    )?;
    Ok(())
}

fn plan(
    w: &mut Writer<'_>,
    case: CaseId,
    kind: MeetingKind,
    attendees: &[PartyId],
) -> Result<MeetingId, StoreError> {
    w.plan_meeting(
        case,
        NewMeeting {
            kind,
            planned_on: d(2026, 9, 1),
            planned_time: None,
            venue: String::new(),
            attendees: attendees.to_vec(),
        },
    )
}

/// A case with a victim and a responsible person, referred on `received`.
fn case(
    fac: &mut Laptop,
    source: ReferralSource,
    stage: JusticeStage,
    received: NaiveDate,
) -> (CaseId, PartyId, PartyId) {
    fac.on(received, |w| {
        let id = w.create_case(referral(source, stage, received))?.id;
        let victim = w.add_party(id, party("V", Victim))?;
        let harmer = w.add_party(id, party("H", Harmer))?;
        Ok((id, victim, harmer))
    })
}

#[test]
fn every_figure_of_a_quarter_from_a_real_store() {
    let mut fac = laptop(Some(("Femi", "facilitator", Some("north"))));
    let mut sup = laptop(Some(("Sunita", "supervisor", Some("north"))));

    // A: referred on the first day, first contact 10 days later.
    let (a, va, ha) = case(&mut fac, Police, PreSentence, d(2026, 10, 1));
    // B: referred the day before, a draft call on the first day (1 day), a later visit.
    let (b, vb, _) = case(&mut fac, Probation, PostSentence, d(2026, 9, 30));
    // C: referred on the last day; everything else the day after.
    let (c, vc, _) = case(&mut fac, Court, PreSentence, d(2026, 12, 31));
    // D: referred the day after; a meeting only planned.
    let (dd, vd, _) = case(&mut fac, SelfReferral, NotApplicable, d(2027, 1, 1));
    // E: 5 days to first contact; its victim at two meetings.
    let (e, ve, he) = case(&mut fac, Police, OutOfCourt, d(2026, 11, 15));
    // F: contacted the day before the referral was logged (0 days), closed mid-quarter.
    let (f, vf, _) = case(&mut fac, Housing, NotApplicable, d(2026, 12, 10));
    let b2 = fac.on(d(2026, 9, 30), |w| w.add_party(b, party("V2", Victim)));

    let meetings = fac.on(d(2026, 9, 1), |w| {
        contact(w, a, va, d(2026, 10, 11), false)?;
        contact(w, b, vb, d(2026, 10, 1), true)?;
        contact(w, b, vb, d(2026, 10, 5), false)?;
        contact(w, c, vc, d(2027, 1, 1), false)?;
        contact(w, e, ve, d(2026, 11, 20), false)?;
        contact(w, f, vf, d(2026, 12, 9), false)?;
        plan(w, dd, Conference, &[vd])?;
        Ok([
            (d(2026, 12, 31), plan(w, a, Conference, &[va, ha])?),
            (d(2026, 10, 1), plan(w, b, Letters, &[vb])?),
            (d(2026, 9, 30), plan(w, b, Shuttle, &[b2])?),
            (d(2027, 1, 1), plan(w, c, Video, &[vc])?),
            (d(2026, 12, 31), plan(w, e, Video, &[ve, he])?),
            (d(2026, 11, 15), plan(w, e, Conference, &[ve])?),
        ])
    });
    // None of them is ready (no risk assessment): a supervisor lets each go ahead.
    fac.deliver(&mut sup);
    sup.on(d(2026, 9, 1), |w| {
        for (_, m) in &meetings {
            w.override_meeting(*m, "Urgent before sentence")?;
        }
        Ok(())
    });
    sup.deliver(&mut fac);
    let a_conference = meetings[0].1;
    for (day, m) in meetings {
        // At A's conference only the person responsible took part: its victim does not count.
        let took_part = if m == a_conference {
            vec![ha]
        } else {
            fac.store
                .meeting(m)
                .expect("meeting")
                .attendees
                .iter()
                .map(|a| a.id)
                .collect()
        };
        fac.on(day, |w| w.record_meeting_held(m, &took_part));
    }

    let actions = |n: usize| -> Vec<_> {
        (0..n)
            .map(|i| parse_action(&format!("Action {i}|H|2027-02-01")).expect("action"))
            .collect()
    };
    let done =
        |n: usize| -> Vec<(usize, ActionStatus)> { (1..=n).map(|i| (i, ActionStatus::Done)).collect() };
    let agreement_a = fac.on(d(2026, 10, 1), |w| {
        w.record_agreement(a, None, actions(2), "", None)
    });
    let agreement_b = fac.on(d(2026, 9, 30), |w| {
        w.record_agreement(b, None, actions(1), "", None)
    });
    let agreement_c = fac.on(d(2026, 12, 31), |w| {
        w.record_agreement(c, None, actions(2), "", None)
    });
    fac.on(d(2026, 12, 31), |w| {
        w.review_agreement(agreement_a, &done(2), None)
    });
    fac.on(d(2026, 10, 1), |w| {
        w.review_agreement(agreement_b, &done(1), None)
    });
    fac.on(d(2026, 12, 31), |w| {
        w.review_agreement(
            agreement_c,
            &[(1, ActionStatus::Done), (2, ActionStatus::NotDone)],
            None,
        )
    });

    fac.on(d(2026, 12, 31), |w| {
        w.change_status(a, Closed, Some("agreement kept"))
    });
    fac.on(d(2026, 10, 1), |w| w.change_status(b, Closed, Some("withdrew")));
    fac.on(d(2026, 10, 2), |w| w.change_status(b, Contacting, None));
    fac.on(d(2026, 11, 20), |w| {
        w.change_status(b, Closed, Some(" agreement kept "))
    });
    fac.on(d(2027, 1, 1), |w| {
        w.change_status(c, Closed, Some("agreement kept"))
    });
    fac.on(d(2026, 12, 15), |w| {
        w.change_status(f, Closed, Some("victim declined"))
    });

    let fig = fac.store.figures(q4(), None).expect("figures");
    assert_eq!(fig.referrals, 4, "A, C, E, F; not B (30 Sep) or D (1 Jan)");
    assert_eq!(
        (fig.referrals_by_source[&Police], fig.referrals_by_source[&Court]),
        (2, 1)
    );
    assert_eq!(
        (
            fig.referrals_by_source[&Housing],
            fig.referrals_by_source[&Probation]
        ),
        (1, 0)
    );
    assert_eq!(
        (
            fig.referrals_by_stage[&PreSentence],
            fig.referrals_by_stage[&OutOfCourt]
        ),
        (2, 1)
    );
    assert_eq!(
        (
            fig.referrals_by_stage[&NotApplicable],
            fig.referrals_by_stage[&PostSentence]
        ),
        (1, 0)
    );
    assert_eq!(
        fig.cases_closed, 3,
        "A on the last day, B once, F; not C the day after"
    );
    assert_eq!(
        fig.closed_by_outcome,
        [
            ("agreement kept".to_owned(), 2),
            ("victim declined".to_owned(), 1)
        ]
        .into()
    );
    assert_eq!(
        fig.meetings_held, 4,
        "not B's shuttle (30 Sep), C's call (1 Jan) or D's plan"
    );
    assert_eq!((fig.meetings_held_direct, fig.meetings_held_indirect), (3, 1));
    assert_eq!(
        (
            fig.meetings_held_by_kind[&Conference],
            fig.meetings_held_by_kind[&Video]
        ),
        (2, 1)
    );
    assert_eq!(
        (
            fig.meetings_held_by_kind[&Letters],
            fig.meetings_held_by_kind[&Shuttle]
        ),
        (1, 0)
    );
    assert_eq!(fig.agreements_made, 2, "A on the first day, C on the last; not B");
    assert_eq!(
        fig.agreements_completed, 2,
        "A on the last day, B on the first; not C"
    );
    assert_eq!(fig.first_contact_cases, 4, "A 10, B 1 (a draft), E 5, F 0 days");
    assert_eq!(fig.first_contact_median_days, Some(3.0));
    assert_eq!(
        fig.victims_took_part, 2,
        "B's, E's once; not A's (planned, did not take part), B's second or C's"
    );

    // A facilitator's own cases are their team's; the supervisor's laptop counts the same.
    let north = fac.store.figures(q4(), Some("north")).expect("north");
    assert_eq!(north.team.as_deref(), Some("north"));
    assert_eq!((north.referrals, north.victims_took_part), (4, 2));
    let south = fac.store.figures(q4(), Some("south")).expect("south");
    assert_eq!(
        (
            south.referrals,
            south.meetings_held,
            south.first_contact_median_days
        ),
        (0, 0, None)
    );
    fac.deliver(&mut sup);
    let seen_by_supervisor = sup.store.figures(q4(), Some("north")).expect("supervisor");
    assert_eq!(seen_by_supervisor, north);
}

#[test]
fn a_team_is_refused_where_the_store_cannot_tell_case_teams() {
    let mut alone = laptop(None);
    alone.on(d(2026, 10, 1), |w| {
        w.create_case(referral(Police, OutOfCourt, d(2026, 10, 1)))
    });
    assert_eq!(alone.store.figures(q4(), None).expect("all").referrals, 1);
    match alone.store.figures(q4(), Some("north")) {
        Err(FiguresError::TeamUnknown { team, unknown }) => {
            assert_eq!((team.as_str(), unknown), ("north", 1))
        }
        other => panic!("expected TeamUnknown, got {other:?}"),
    }
}

#[test]
fn a_coordinator_counts_a_team_by_the_leads_team_in_the_directory() {
    let mut femi = laptop(Some(("Femi", "facilitator", Some("north"))));
    let mut olu = laptop(Some(("Olu", "facilitator", Some("south"))));
    let mut cora = laptop(Some(("Cora", "coordinator", None)));
    for (l, source, n) in [(&mut femi, Police, 2), (&mut olu, Court, 1)] {
        for _ in 0..n {
            l.on(d(2026, 10, 5), |w| {
                w.create_case(referral(source, OutOfCourt, d(2026, 10, 5)))
            });
        }
    }
    femi.deliver(&mut cora);
    olu.deliver(&mut cora);

    // Before the directory arrives the coordinator's laptop cannot tell, and says so.
    assert!(matches!(
        cora.store.figures(q4(), Some("north")),
        Err(FiguresError::TeamUnknown { unknown: 3, .. })
    ));
    cora.store
        .record_people(&[
            femi.facilitator_in("Femi", "north"),
            olu.facilitator_in("Olu", "south"),
        ])
        .expect("people");
    let north = cora.store.figures(q4(), Some("north")).expect("north");
    assert_eq!(north.referrals, 2);
    let south = cora.store.figures(q4(), Some("south")).expect("south");
    assert_eq!(south.referrals, 1);
    assert_eq!(cora.store.figures(q4(), None).expect("all").referrals, 3);
    assert_eq!(cora.store.figures(q4(), Some("east")).expect("east").referrals, 0);
}
