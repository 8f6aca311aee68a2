//! The sign-off queue on real stores: a facilitator's submissions reach a supervisor's queue
//! after a sync, oldest first, leave it once answered, and a facilitator sees only their own.

use casebook_domain::case::DeadlineKind;
use casebook_domain::risk::{RiskFactor, RiskLevel, SignOffDecision};
use casebook_domain::{CaseId, JusticeStage, PartyRole, ReferralSource, RiskAssessmentId};
use chrono::NaiveDate;

use super::Awaiting;
use crate::model::Person;
use crate::risk::{NewRiskAssessment, factor};
use crate::test_laptops::{Laptop, laptop, party, referral};

fn d(m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, m, day).expect("date")
}

/// The case's next deadline in `l`'s caseload: what needs doing, and by when.
fn next(l: &Laptop, case: CaseId) -> Option<(DeadlineKind, NaiveDate)> {
    let all = l
        .store
        .list_cases(crate::CaseFilter::default())
        .expect("caseload");
    let found = all.iter().find(|c| c.id == case).expect("the case is listed");
    let detail = l.store.case_detail(case).expect("case");
    assert_eq!(
        detail.next_deadline, found.next_deadline,
        "the case screen agrees with the caseload"
    );
    found.next_deadline.map(|d| (d.kind, d.date))
}

/// A pre-sentence case with a risk assessment, every factor assessed, not yet submitted.
fn case_with_risk(fac: &mut Laptop) -> (CaseId, RiskAssessmentId) {
    fac.on(d(11, 2), |w| {
        let case = w
            .create_case(referral(
                ReferralSource::Court,
                JusticeStage::PreSentence,
                d(11, 2),
            ))?
            .id;
        w.add_party(case, party("V", PartyRole::Victim))?;
        let risk = w.new_risk_assessment(
            case,
            NewRiskAssessment {
                rating: RiskLevel::Low,
                factors: RiskFactor::ALL
                    .iter()
                    .map(|f| (*f, factor(RiskLevel::Low, "none known")))
                    .collect(),
                mitigations: "Separate arrivals".into(),
            },
        )?;
        Ok((case, risk))
    })
}

#[test]
fn submissions_wait_oldest_first_for_the_supervisor_and_leave_once_answered() {
    let mut fac = laptop(Some(("Femi", "facilitator", Some("north"))));
    let mut sup = laptop(Some(("Sunita", "supervisor", Some("north"))));
    let mut other = laptop(Some(("Olu", "facilitator", Some("north"))));
    let femi = fac.store.actor().user;
    sup.store
        .record_people(&[Person {
            id: femi,
            name: "Femi".into(),
            role: "facilitator".into(),
            team: Some("north".into()),
        }])
        .expect("people");

    let (first, first_risk) = case_with_risk(&mut fac);
    let (second, second_risk) = case_with_risk(&mut fac);
    let (_, draft) = case_with_risk(&mut fac);
    fac.on(d(11, 3), |w| w.submit_risk_assessment(second_risk));
    fac.on(d(11, 3), |w| w.submit_risk_assessment(first_risk));
    fac.on(d(11, 4), |w| {
        w.write_court_report(first, "They met and talked.")?;
        w.submit_court_report(first)
    });
    assert!(
        sup.store.signoffs().expect("queue").is_empty(),
        "nothing before the sync"
    );

    fac.deliver(&mut sup);
    let queue = sup.store.signoffs().expect("queue");
    let seen: Vec<(Awaiting, CaseId)> = queue.iter().map(|w| (w.what, w.case_id)).collect();
    assert_eq!(
        seen,
        [
            (Awaiting::RiskAssessment, second),
            (Awaiting::RiskAssessment, first),
            (Awaiting::CourtReport, first),
        ],
        "oldest submission first; the draft {draft} does not wait"
    );
    let top = &queue[0];
    assert_eq!(top.submitted_by, femi.to_string());
    assert_eq!(top.submitted_by_name.as_deref(), Some("Femi"));
    assert_eq!(top.approve, format!("casebook risk approve {second_risk}"));
    assert_eq!(
        top.return_with,
        format!("casebook risk return {second_risk} --note TEXT")
    );
    assert!(queue[2].approve.starts_with("casebook report approve P-"));
    assert!(queue.windows(2).all(|p| p[0].submitted_at <= p[1].submitted_at));

    // Waiting is a deadline too: a working week from the submission, before the first-contact
    // target (16 Nov) of cases nobody has been visited in yet.
    for case in [first, second] {
        assert_eq!(next(&sup, case), Some((DeadlineKind::SignOffDue, d(11, 10))));
    }

    // Answered offline: an approval and a return both take it out of the queue.
    sup.on(d(11, 5), |w| {
        w.sign_off_risk_assessment(second_risk, SignOffDecision::Approved, None)
    });
    sup.on(d(11, 5), |w| {
        w.sign_off_court_report(first, SignOffDecision::Returned, Some("Say who was there"))
    });
    let left: Vec<CaseId> = sup
        .store
        .signoffs()
        .expect("queue")
        .iter()
        .map(|w| w.case_id)
        .collect();
    assert_eq!(left, [first]);
    assert_eq!(
        next(&sup, second),
        Some((DeadlineKind::FirstContact, d(11, 16))),
        "answered: no longer waiting"
    );
    assert_eq!(next(&sup, first).map(|n| n.0), Some(DeadlineKind::SignOffDue));

    // The facilitator sees their own submissions waiting until the answers arrive; another
    // facilitator holding the same cases sees none of them.
    assert_eq!(fac.store.signoffs().expect("own").len(), 3);
    sup.deliver(&mut fac);
    assert_eq!(fac.store.signoffs().expect("own").len(), 1);
    fac.deliver(&mut other);
    assert!(other.store.signoffs().expect("other").is_empty());
    // A resubmission after a return waits again.
    fac.on(d(11, 6), |w| w.submit_court_report(first));
    assert_eq!(fac.store.signoffs().expect("own").len(), 2);
    assert_eq!(
        next(&fac, first),
        Some((DeadlineKind::SignOffDue, d(11, 10))),
        "the oldest submission waiting sets the day"
    );
}
