//! The sign-off queue through the app: a facilitator's submitted risk assessment and court
//! report reach the supervisor's queue, oldest first; a return needs a comment, named as the
//! field at fault; answers empty the queue offline and reach the facilitator with a sync; a
//! coordinator sees the queue and may not answer it. Real encrypted stores, a real hub.
#![allow(clippy::unwrap_used, missing_docs)]

mod common;

use casebook_app_core::dto::RiskInput;
use casebook_app_core::model::NewCase;
use casebook_app_core::{App, Awaiting, CaseId, ErrorCode, RiskAssessmentId};
use casebook_domain::risk::{FactorAssessment, RiskFactor, RiskLevel, RiskState, SignOffDecision};
use casebook_domain::{CaseKind, JusticeStage, ReferralSource};
use casebook_protocol::Role;
use casebook_store::{SecretString, Store};
use casebook_testkit::inproc::TestHub;

use common::{PASS, join};

fn case(app: &App, stage: JusticeStage, court_date: Option<chrono::NaiveDate>) -> CaseId {
    app.create_case(NewCase {
        kind: CaseKind::RestorativeJustice,
        stage,
        source: ReferralSource::Probation,
        referrer: None,
        summary: "Assault outside a pub; the victim asks to meet.".into(),
        court_date,
        pre_sentence: None,
        received_on: None,
    })
    .unwrap()
    .id
}

/// A complete assessment of `case`, submitted for sign-off.
fn submitted_risk(app: &App, case: CaseId) -> RiskAssessmentId {
    let factors = RiskFactor::ALL
        .iter()
        .map(|f| {
            let a = FactorAssessment {
                level: RiskLevel::Low,
                note: "Discussed.".into(),
            };
            (*f, a)
        })
        .collect();
    let id = app
        .new_risk_assessment(
            case,
            RiskInput {
                rating: Some(RiskLevel::Low),
                factors,
                mitigations: "Separate arrivals.".into(),
            },
        )
        .unwrap();
    app.submit_risk_assessment(id).unwrap();
    id
}

/// The app core writes no court reports yet: the facilitator writes and submits one with the
/// store itself, as `casebook report` does on the same laptop, while the app is locked.
fn submitted_report(app: &App, case: CaseId) {
    app.lock();
    let mut store = Store::open(app.paths(), &SecretString::from(PASS)).unwrap();
    store
        .write(|w| {
            w.write_court_report(case, "Two preparation visits and a conference.")?;
            w.submit_court_report(case)
        })
        .unwrap();
    drop(store);
    app.unlock(PASS.into()).unwrap();
}

fn kinds(app: &App) -> Vec<Awaiting> {
    app.signoffs().unwrap().into_iter().map(|w| w.what).collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_supervisor_answers_the_queue_oldest_first_and_a_return_needs_a_comment() {
    let hub = TestHub::start().await;
    let dirs: Vec<_> = (0..3).map(|_| tempfile::tempdir().unwrap()).collect();
    let femi = join(&hub, &dirs[0], "Femi", Role::Facilitator).await;
    let assessed = case(&femi, JusticeStage::PostSentence, None);
    let risk = submitted_risk(&femi, assessed);
    let court = chrono::Utc::now().date_naive() + chrono::Days::new(60);
    let reported = case(&femi, JusticeStage::PreSentence, Some(court));
    submitted_report(&femi, reported);

    assert_eq!(
        kinds(&femi),
        [Awaiting::RiskAssessment, Awaiting::CourtReport],
        "a facilitator sees their own submissions still waiting"
    );
    let not_yours = femi
        .sign_off_court_report(reported, SignOffDecision::Approved, None)
        .unwrap_err();
    assert_eq!(not_yours.code, ErrorCode::ReadOnly, "{}", not_yours.message);
    femi.sync_now().await.unwrap();

    let cora = join(&hub, &dirs[2], "Cora", Role::Coordinator).await;
    cora.sync_now().await.unwrap();
    assert_eq!(
        cora.signoffs().unwrap().len(),
        2,
        "a coordinator sees the service's queue"
    );
    assert!(cora.state().may.oversee && !cora.state().may.sign_off);
    let coordinator = cora
        .sign_off_risk_assessment(risk, SignOffDecision::Approved, None)
        .unwrap_err();
    assert_eq!(coordinator.code, ErrorCode::ReadOnly, "{}", coordinator.message);

    let sunita = join(&hub, &dirs[1], "Sunita", Role::Supervisor).await;
    sunita.sync_now().await.unwrap();
    let queue = sunita.signoffs().unwrap();
    assert_eq!(
        queue.iter().map(|w| w.what).collect::<Vec<_>>(),
        [Awaiting::RiskAssessment, Awaiting::CourtReport],
        "oldest first: {queue:?}"
    );
    assert!(queue[0].submitted_at <= queue[1].submitted_at);
    assert_eq!(queue[0].id, risk.to_string());
    assert_eq!((queue[0].case_id, queue[1].case_id), (assessed, reported));
    assert!(
        queue
            .iter()
            .all(|w| w.submitted_by_name.as_deref() == Some("Femi")),
        "{queue:?}"
    );

    for bare in [
        sunita.sign_off_risk_assessment(risk, SignOffDecision::Returned, Some("  ".into())),
        sunita.sign_off_court_report(reported, SignOffDecision::Returned, None),
    ] {
        let e = bare.unwrap_err();
        assert_eq!(
            (e.code, e.field.as_deref()),
            (ErrorCode::InvalidInput, Some("note")),
            "{}",
            e.message
        );
    }
    assert_eq!(
        sunita.signoffs().unwrap().len(),
        2,
        "a refused return changes nothing"
    );

    // Offline: the hub is not asked until the next sync.
    sunita
        .sign_off_court_report(
            reported,
            SignOffDecision::Returned,
            Some("Say who attended.".into()),
        )
        .unwrap();
    assert_eq!(kinds(&sunita), [Awaiting::RiskAssessment]);
    sunita
        .sign_off_risk_assessment(risk, SignOffDecision::Approved, None)
        .unwrap();
    assert!(sunita.signoffs().unwrap().is_empty());
    let twice = sunita
        .sign_off_court_report(reported, SignOffDecision::Approved, None)
        .unwrap_err();
    assert_eq!(twice.code, ErrorCode::Rule, "{}", twice.message);
    assert!(twice.message.contains("no longer waiting"), "{}", twice.message);

    sunita.sync_now().await.unwrap();
    femi.sync_now().await.unwrap();
    assert!(
        femi.signoffs().unwrap().is_empty(),
        "the answers reached the facilitator"
    );
    let approved = &femi.risk_assessments(assessed).unwrap()[0];
    assert!(
        matches!(approved.state, RiskState::Approved { .. }),
        "{:?}",
        approved.state
    );
    cora.sync_now().await.unwrap();
    assert!(cora.signoffs().unwrap().is_empty());
}
