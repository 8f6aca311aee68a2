//! An interrupted first sync resumes where it stopped (docs/protocol.md, "Progress and
//! resuming"): the cursor moves with every applied page, so the next round fetches only the
//! pages after the last one applied, and every op ends up in the store exactly once.

#![allow(clippy::unwrap_used, missing_docs)]

mod common;

use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

use casebook_domain::{ContactKind, Role};
use casebook_protocol::MAX_PAGE_LIMIT;
use casebook_store::model::NewContact;
use casebook_store::{Store, StoreError};
use casebook_sync::{StoreAccess, SyncError, SyncProgress};
use casebook_testkit::inproc::start;
use common::Laptop;

/// Ops applied per turn with the store (`APPLY_TURN` in round.rs).
const TURN: usize = 1000;

/// A store that goes away (as when the app locks) once `after` turns of pulled ops are applied.
struct CutOff<'a> {
    store: Mutex<&'a mut Store>,
    turns: AtomicUsize,
    after: usize,
    seen: Mutex<Vec<SyncProgress>>,
}

impl StoreAccess for CutOff<'_> {
    fn with<T>(&self, f: impl FnOnce(&mut Store) -> Result<T, StoreError>) -> Result<T, SyncError> {
        if self.turns.load(Ordering::SeqCst) >= self.after {
            return Err(SyncError::Locked);
        }
        self.store.with(f)
    }

    fn progress(&self, progress: SyncProgress) {
        if matches!(progress, SyncProgress::Pulling { .. }) {
            self.turns.fetch_add(1, Ordering::SeqCst);
        }
        self.seen.lock().unwrap().push(progress);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_interrupted_first_sync_fetches_only_the_rest() {
    let hub = start().await;
    let mut femi = Laptop::join(&hub, &hub.add_user("Femi", Role::Facilitator, Some("north"))).await;
    // Twelve cases of a thousand visits: more than two hub pages.
    let cases = 12;
    for i in 0..cases {
        let (case, party) = femi.open_case(&format!("Case {i}"));
        femi.store
            .write(|w| {
                for day in 0..1000 {
                    w.add_contact(
                        case,
                        NewContact {
                            shareable: None,
                            party_ids: vec![party],
                            kind: ContactKind::Visit,
                            date: chrono::Utc::now().date_naive(),
                            notes: format!("Visit {day}."),
                            initiated_by_party: false,
                            draft: false,
                            amends: None,
                        },
                    )?;
                }
                Ok(())
            })
            .unwrap();
    }
    femi.sync().await;
    let on_hub = usize::try_from(hub.admin().cases().unwrap().iter().map(|c| c.ops).sum::<u64>()).unwrap();
    let page = usize::try_from(MAX_PAGE_LIMIT).unwrap();
    assert!(on_hub > 2 * page, "{on_hub} ops make fewer than three pages");

    // The supervisor's first sync stops two turns into its second page.
    let mut sunita = Laptop::join(&hub, &hub.add_user("Sunita", Role::Supervisor, Some("north"))).await;
    let turns_per_page = page / TURN;
    let cut = CutOff {
        store: Mutex::new(&mut sunita.store),
        turns: AtomicUsize::new(0),
        after: turns_per_page + 2,
        seen: Mutex::new(Vec::new()),
    };
    let stopped = casebook_sync::sync_shared(&cut).await;
    assert!(matches!(stopped, Err(SyncError::Locked)), "{stopped:?}");
    let seen = cut.seen.into_inner().unwrap();
    let SyncProgress::Pulling {
        received,
        total,
        cases_ready,
    } = seen[0]
    else {
        panic!("{seen:?}")
    };
    assert_eq!(
        (received, total),
        (TURN, Some(on_hub)),
        "the hub counted the round on its first page"
    );
    assert!(
        cases_ready >= 1,
        "the first case arrived with the first turn: {seen:?}"
    );
    let SyncProgress::Pulling { received, .. } = seen[seen.len() - 1] else {
        panic!("{seen:?}")
    };
    assert_eq!(received, page + 2 * TURN);

    // The cursor moved with the first page only; the next round starts there.
    let cursor = sunita.store.pull_cursor().unwrap();
    assert!(cursor > 0, "the first page's cursor was saved");
    let rest = sunita.sync().await;
    assert_eq!(
        rest.pulled + rest.duplicates,
        on_hub - page,
        "only the pages after the last one applied are fetched again: {rest:?}"
    );
    assert_eq!(
        rest.duplicates,
        2 * TURN,
        "the half-applied page came again: {rest:?}"
    );

    // Every op is here exactly once (op ids are the log's key) and the tables match the log.
    let verified = sunita.store.verify().unwrap();
    assert!(verified.ok, "{verified:?}");
    assert_eq!(verified.ops, on_hub);
    assert_eq!(sunita.store.held_cases().unwrap().len(), cases);
}
