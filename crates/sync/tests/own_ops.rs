//! A laptop is not sent back what it wrote (docs/protocol.md, "Pull"): after a week offline the
//! sync that pushes the week's work downloads only what others wrote, while every laptop still
//! ends up holding everything in its scope.

#![allow(clippy::unwrap_used, missing_docs)]

mod common;

use casebook_domain::Role;
use casebook_testkit::inproc::start;
use common::Laptop;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_laptop_downloads_only_what_others_wrote() {
    let hub = start().await;
    let mut femi = Laptop::join(&hub, &hub.add_user("Femi", Role::Facilitator, Some("north"))).await;
    let mut sunita = Laptop::join(&hub, &hub.add_user("Sunita", Role::Supervisor, Some("north"))).await;

    // A week offline: a case, a party, three visits.
    let (case, party) = femi.open_case("Fence damaged in a dispute between neighbours");
    for day in ["Monday", "Wednesday", "Friday"] {
        femi.visit(case, party, &format!("Visited on {day}."));
    }
    let week = femi.store.sync_status().unwrap().pending_ops;
    let report = femi.sync().await;
    assert_eq!(report.pushed, usize::try_from(week).unwrap());
    assert_eq!(
        (report.pulled, report.duplicates),
        (1, 0),
        "only the hub's reference for the new case comes back: {report:?}"
    );
    assert_eq!(femi.store.own_ops_held().unwrap(), Some(week));

    // The supervisor is sent all of it, and her note reaches him alone.
    let first = sunita.sync().await;
    assert_eq!(first.pulled, usize::try_from(week).unwrap() + 1, "{first:?}");
    assert_eq!(sunita.notes(case).len(), 3);
    sunita
        .store
        .write(|w| w.add_supervision_note(case, "Discussed the risk plan."))
        .unwrap();
    sunita.sync().await;
    let after = femi.sync().await;
    assert_eq!((after.pulled, after.duplicates), (1, 0), "{after:?}");

    // His second laptop pushed nothing: it is sent everything, his first laptop's work included,
    // and what it writes reaches the first laptop.
    let mut second = Laptop::join(&hub, &hub.user_code("Femi")).await;
    let joined = second.sync().await;
    assert_eq!(joined.pulled, usize::try_from(week).unwrap() + 2, "{joined:?}");
    assert_eq!(second.notes(case), femi.notes(case));
    second.visit(case, party, "Phoned on Saturday.");
    second.sync().await;
    let back = femi.sync().await;
    assert_eq!((back.pulled, back.duplicates), (1, 0), "{back:?}");
    assert_eq!(femi.notes(case).len(), 4);
    assert_eq!(femi.notes(case), second.notes(case));
}
