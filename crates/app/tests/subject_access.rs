//! Subject access from a coordinator's app, without a window, against a real hub (in process,
//! over HTTP on 127.0.0.1): the coordinator finds the person, opens a request and saves
//! `sar.json` and `sar.pdf` holding the person's words and not another party's name; a
//! facilitator's app is refused by the hub; with the hub down nothing is written.
#![allow(clippy::unwrap_used, missing_docs)]

mod common;

use std::path::Path;

use casebook_app_core::dto::NewVisitInput;
use casebook_app_core::sar::{SarOpenInput, SarSaveInput};
use casebook_app_core::{App, CaseId, ErrorCode, PartyId};
use casebook_domain::{ContactKind, PartyRole};
use casebook_protocol::Role;
use casebook_testkit::inproc::TestHub;
use casebook_testkit::util::pdf_text;
use chrono::Local;
use tempfile::TempDir;

use common::{join, new_case, party};

/// Words only Ann's visit holds, and words only Bob's.
const ANNS_WORDS: &str = "marigold";
const BOBS_WORDS: &str = "peregrine";

fn visit(app: &App, case: CaseId, party: PartyId, notes: &str) {
    let contact = app
        .start_visit(
            case,
            NewVisitInput {
                party_ids: vec![party],
                kind: ContactKind::Visit,
                date: Local::now().date_naive(),
                initiated_by_party: false,
                notes: notes.into(),
                amends: None,
            },
        )
        .unwrap();
    app.finalise_visit(contact).unwrap();
}

/// A case of Femi's on the hub: Ann Smith harmed by Bob Stone, one visit with each.
async fn case_on_the_hub(hub: &TestHub, dir: &TempDir) {
    let femi = join(hub, dir, "Femi Adeyemi", Role::Facilitator).await;
    let case = new_case(&femi, "A shed broken into; the harmer admitted it.");
    let ann = party(&femi, case, "Ann Smith", PartyRole::Victim);
    let bob = party(&femi, case, "Bob Stone", PartyRole::Harmer);
    visit(
        &femi,
        case,
        ann,
        &format!("Ann spoke of the {ANNS_WORDS} evening; she said Bob Stone frightened her."),
    );
    visit(
        &femi,
        case,
        bob,
        &format!("Bob described the {BOBS_WORDS} incident."),
    );
    femi.sync_now().await.unwrap();
}

fn assert_only_anns(what: &str, text: &str) {
    let lower = text.to_lowercase();
    for theirs in ["stone", "bob", BOBS_WORDS] {
        assert!(
            !lower.contains(theirs),
            "{what} holds another party's {theirs:?}:\n{text}"
        );
    }
    for hers in [ANNS_WORDS, "ann smith", "another party", "femi adeyemi"] {
        assert!(lower.contains(hers), "{what} lacks {hers:?}:\n{text}");
    }
}

#[cfg(unix)]
fn mode(path: &Path) -> u32 {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(path).unwrap().permissions().mode() & 0o777
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_coordinator_saves_the_answer_with_the_persons_words_and_not_another_partys_name() {
    let hub = TestHub::start().await;
    let (femi_dir, cora_dir, out) = (
        TempDir::new().unwrap(),
        TempDir::new().unwrap(),
        TempDir::new().unwrap(),
    );
    case_on_the_hub(&hub, &femi_dir).await;
    let cora = join(&hub, &cora_dir, "Cora", Role::Coordinator).await;

    let found = cora.sar_find(" SMITH ".into()).await.unwrap();
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(
        (found[0].name.as_str(), found[0].role.as_str()),
        ("Ann Smith", "victim")
    );
    let today = Local::now().date_naive();
    let opened = cora
        .sar_open(SarOpenInput {
            parties: vec![found[0].party_id.clone()],
            received_on: Some(today),
            requester: Some("Ann Smith".into()),
        })
        .await
        .unwrap();
    assert_eq!(opened.reference, "SAR-1");
    assert!((28..=34).contains(&opened.days_left), "{opened:?}");
    assert_eq!(cora.sar_requests().await.unwrap(), [opened]);

    let folder = out.path().join("SAR-1");
    let save = SarSaveInput {
        reference: "SAR-1".into(),
        folder: folder.display().to_string(),
    };
    let saved = cora.sar_save(save.clone()).await.unwrap();
    assert_eq!(Path::new(&saved.json), folder.join("sar.json"));
    assert!(saved.request.answered_at.is_some());
    assert_only_anns("sar.json", &std::fs::read_to_string(&saved.json).unwrap());
    assert_only_anns("sar.pdf", &pdf_text(Path::new(&saved.pdf)));
    #[cfg(unix)]
    {
        assert_eq!(mode(&folder), 0o700);
        assert_eq!(
            (mode(Path::new(&saved.json)), mode(Path::new(&saved.pdf))),
            (0o600, 0o600)
        );
    }

    // A second answer never replaces the first.
    let before = std::fs::read(&saved.pdf).unwrap();
    let again = cora.sar_save(save).await.unwrap_err();
    assert_eq!(again.field.as_deref(), Some("folder"), "{}", again.message);
    assert_eq!(std::fs::read(&saved.pdf).unwrap(), before);

    let closed = cora.sar_close("SAR-1".into()).await.unwrap();
    assert!(closed.closed);
    assert!(cora.sar_requests().await.unwrap().is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_facilitator_is_refused_and_a_hub_that_is_down_writes_nothing() {
    let mut hub = TestHub::start().await;
    let (femi_dir, cora_dir, fay_dir, out) = (
        TempDir::new().unwrap(),
        TempDir::new().unwrap(),
        TempDir::new().unwrap(),
        TempDir::new().unwrap(),
    );
    case_on_the_hub(&hub, &femi_dir).await;
    let fay = join(&hub, &fay_dir, "Fay", Role::Facilitator).await;
    let cora = join(&hub, &cora_dir, "Cora", Role::Coordinator).await;

    let refused = fay.sar_find("smith".into()).await.unwrap_err();
    assert_eq!(refused.code, ErrorCode::HubRefused, "{}", refused.message);
    assert!(
        refused
            .message
            .starts_with("Only a coordinator can answer a subject access request."),
        "{}",
        refused.message
    );
    let ann = cora.sar_find("smith".into()).await.unwrap().remove(0);
    let input = SarOpenInput {
        parties: vec![ann.party_id],
        received_on: Some(Local::now().date_naive()),
        requester: None,
    };
    let refused = fay.sar_open(input.clone()).await.unwrap_err();
    assert_eq!(refused.code, ErrorCode::HubRefused, "{}", refused.message);
    cora.sar_open(input).await.unwrap();
    let folder = out.path().join("SAR-1");
    let save = SarSaveInput {
        reference: "SAR-1".into(),
        folder: folder.display().to_string(),
    };
    let refused = fay.sar_save(save.clone()).await.unwrap_err();
    assert_eq!(refused.code, ErrorCode::HubRefused, "{}", refused.message);
    assert!(!folder.exists(), "a refusal writes nothing");

    hub.stop().await;
    let down = cora.sar_save(save).await.unwrap_err();
    assert_eq!(down.code, ErrorCode::HubUnreachable, "{}", down.message);
    assert!(
        down.message.starts_with("A subject access request needs the hub"),
        "{}",
        down.message
    );
    assert!(!folder.exists(), "nothing is written without the hub's answer");
    assert_eq!(std::fs::read_dir(out.path()).unwrap().count(), 0);
}
