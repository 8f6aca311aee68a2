//! A case's risk assessment through the app: a facilitator drafts and submits it, a supervisor
//! on their own laptop approves it, and both laptops (real encrypted stores, a real hub over
//! HTTP on 127.0.0.1) agree on where it stands.
#![allow(clippy::unwrap_used, missing_docs)]

mod common;

use casebook_app_core::dto::RiskInput;
use casebook_app_core::model::NewCase;
use casebook_app_core::{App, CaseId, ErrorCode};
use casebook_domain::risk::{
    FactorAssessment, Factors, NotCurrent, RiskFactor, RiskLevel, RiskState, SignOffDecision,
};
use casebook_domain::{CaseKind, JusticeStage, ReferralSource};
use casebook_protocol::Role;
use casebook_testkit::inproc::TestHub;

use common::join;

fn new_case(app: &App) -> CaseId {
    app.create_case(NewCase {
        kind: CaseKind::RestorativeJustice,
        stage: JusticeStage::PostSentence,
        source: ReferralSource::Probation,
        referrer: None,
        summary: "Assault outside a pub; the victim asks to meet.".into(),
        court_date: None,
        pre_sentence: None,
        received_on: None,
    })
    .unwrap()
    .id
}

/// Every factor but those in `leave_out`, at `level`, with a note.
fn factors_except(leave_out: &[RiskFactor], level: RiskLevel) -> Factors {
    RiskFactor::ALL
        .iter()
        .filter(|f| !leave_out.contains(f))
        .map(|f| {
            (
                *f,
                FactorAssessment {
                    level,
                    note: format!("  Discussed {}.  ", f.label()),
                },
            )
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_facilitator_submits_a_complete_assessment_and_a_supervisor_approves_it_on_their_own_laptop() {
    let hub = TestHub::start().await;
    let (femi_dir, sunita_dir) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let femi = join(&hub, &femi_dir, "Femi", Role::Facilitator).await;
    let case = new_case(&femi);
    assert!(femi.risk_assessments(case).unwrap().is_empty());

    let no_rating = femi
        .new_risk_assessment(
            case,
            RiskInput {
                rating: None,
                factors: Factors::new(),
                mitigations: String::new(),
            },
        )
        .unwrap_err();
    assert_eq!(no_rating.code, ErrorCode::InvalidInput, "{}", no_rating.message);

    let id = femi
        .new_risk_assessment(
            case,
            RiskInput {
                rating: Some(RiskLevel::Medium),
                factors: factors_except(&[RiskFactor::Intimidation], RiskLevel::Low),
                mitigations: "Meet at the probation office; a co-facilitator present.".into(),
            },
        )
        .unwrap();
    let [draft] = femi.risk_assessments(case).unwrap().try_into().unwrap();
    assert_eq!(draft.state, RiskState::Draft);
    assert_eq!(draft.missing_factors, [RiskFactor::Intimidation]);
    assert_eq!(
        draft.factors[&RiskFactor::Violence].note,
        "Discussed history of violence.",
        "notes are kept trimmed"
    );

    let missing = femi.submit_risk_assessment(id).unwrap_err();
    assert_eq!(missing.code, ErrorCode::Rule);
    assert!(
        missing.message.contains("intimidation or threats"),
        "the refusal names the factor in words: {}",
        missing.message
    );
    assert!(
        !missing.message.contains("--factor"),
        "no command-line advice in a window: {}",
        missing.message
    );
    assert_eq!(femi.risk_assessments(case).unwrap()[0].state, RiskState::Draft);

    let mut intimidation = Factors::new();
    intimidation.insert(
        RiskFactor::Intimidation,
        FactorAssessment {
            level: RiskLevel::High,
            note: "Messages sent after the incident.".into(),
        },
    );
    femi.edit_risk_assessment(
        id,
        RiskInput {
            rating: None,
            factors: intimidation,
            mitigations: "Meet at the probation office; a co-facilitator present.".into(),
        },
    )
    .unwrap();
    femi.submit_risk_assessment(id).unwrap();
    let submitted = &femi.risk_assessments(case).unwrap()[0];
    assert!(
        matches!(submitted.state, RiskState::Submitted { .. }),
        "{:?}",
        submitted.state
    );
    assert_eq!(
        submitted.rating,
        RiskLevel::Medium,
        "an edit without a rating keeps it"
    );
    assert_eq!(submitted.factors.len(), RiskFactor::ALL.len());
    assert!(!submitted.current);
    assert_eq!(submitted.not_current, Some(NotCurrent::NotApproved));

    let not_yours = femi
        .sign_off_risk_assessment(id, SignOffDecision::Approved, None)
        .unwrap_err();
    assert_eq!(not_yours.code, ErrorCode::ReadOnly);
    assert!(not_yours.message.contains("supervisor"), "{}", not_yours.message);
    femi.sync_now().await.unwrap();

    let sunita = join(&hub, &sunita_dir, "Sunita", Role::Supervisor).await;
    sunita.sync_now().await.unwrap();
    let seen = &sunita.risk_assessments(case).unwrap()[0];
    assert!(matches!(seen.state, RiskState::Submitted { .. }), "{seen:?}");
    let read_only = sunita
        .edit_risk_assessment(
            id,
            RiskInput {
                rating: Some(RiskLevel::Low),
                factors: Factors::new(),
                mitigations: String::new(),
            },
        )
        .unwrap_err();
    assert_eq!(read_only.code, ErrorCode::ReadOnly);
    assert_eq!(
        sunita.submit_risk_assessment(id).unwrap_err().code,
        ErrorCode::ReadOnly
    );
    let bare_return = sunita
        .sign_off_risk_assessment(id, SignOffDecision::Returned, Some("  ".into()))
        .unwrap_err();
    assert_eq!(bare_return.code, ErrorCode::InvalidInput);
    sunita
        .sign_off_risk_assessment(id, SignOffDecision::Approved, Some("Agreed.".into()))
        .unwrap();
    assert!(sunita.risk_assessments(case).unwrap()[0].current);
    sunita.sync_now().await.unwrap();

    femi.sync_now().await.unwrap();
    let approved = &femi.risk_assessments(case).unwrap()[0];
    assert!(
        matches!(&approved.state, RiskState::Approved { note, .. } if note.as_deref() == Some("Agreed.")),
        "{:?}",
        approved.state
    );
    assert!(approved.current, "{:?}", approved.not_current_text);
    let [sign_off] = approved.sign_offs.as_slice() else {
        panic!("one sign-off: {:?}", approved.sign_offs)
    };
    assert_eq!(
        (sign_off.decision, sign_off.by_name.as_deref(), sign_off.current),
        (SignOffDecision::Approved, Some("Sunita"), true)
    );

    assert_eq!(
        femi.change_of_circumstances(id, " ".into()).unwrap_err().code,
        ErrorCode::InvalidInput
    );
    femi.change_of_circumstances(id, "He moved into the victim's street.".into())
        .unwrap();
    let overtaken = &femi.risk_assessments(case).unwrap()[0];
    assert!(!overtaken.current);
    assert_eq!(overtaken.not_current, Some(NotCurrent::CircumstancesChanged));
    assert!(overtaken.not_current_text.is_some());
}
