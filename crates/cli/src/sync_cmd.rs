//! The sync commands: enroll, sync, status, handover, conflicts. The work is in `casebook-sync`
//! and the store; this shapes the answers.

use std::io::Write;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use casebook_store::{Keep, Store, StoreError, StorePaths};
use casebook_sync::{StoreAccess, SyncError, SyncProgress};
use serde_json::json;

use crate::output::Out;
use crate::{recovery_cmd, secret};

fn runtime() -> anyhow::Result<tokio::runtime::Runtime> {
    Ok(tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?)
}

/// `casebook enroll`: joining a hub on a new laptop creates the store first; once enrolled,
/// the organisation's recovery key (if the hub has one) takes over from a personal code.
pub fn enroll(
    paths: &StorePaths,
    out: &Out,
    hub: &str,
    code: &str,
    name: Option<String>,
) -> anyhow::Result<()> {
    let (mut store, passphrase) = if paths.exists() {
        crate::unlock(paths)?
    } else {
        let inputs = [hub, name.as_deref().unwrap_or_default()];
        let passphrase = secret::new_passphrase("CASEBOOK_PASSPHRASE", &inputs)?;
        (Store::create(paths, &passphrase)?, passphrase)
    };
    let had_code = recovery_cmd::has_personal_code(paths);
    link(&mut store, out, hub, code, name)?;
    recovery_cmd::seal_after_enroll(&store, &passphrase, had_code)
}

/// Trades the enrollment code for this device's token, and says who the hub knows it as.
fn link(store: &mut Store, out: &Out, hub: &str, code: &str, name: Option<String>) -> anyhow::Result<()> {
    let name = name
        .or_else(|| std::env::var("HOSTNAME").ok())
        .or_else(|| {
            std::fs::read_to_string("/etc/hostname")
                .ok()
                .map(|h| h.trim().to_owned())
        })
        .filter(|n| !n.is_empty())
        .unwrap_or_else(|| "casebook".to_owned());
    let link = runtime()?.block_on(casebook_sync::enroll(store, hub, code, &name))?;
    out.created(
        json!({"hub": link.url, "device_id": link.device_id, "user": link.user_name, "role": link.role, "team": link.team}),
        &format!("Enrolled with {} as {} ({}). Run `casebook sync` to fetch your cases.", link.url, link.user_name, link.role),
    )
}

/// `casebook handover`: erases the store only once the hub's receipt covers every change
/// written here. False (the store kept) when the hub lacks some, which are queued again.
pub fn handover(store: Store, out: &Out, discard_refused: bool) -> anyhow::Result<bool> {
    match runtime()?.block_on(casebook_sync::handover(store, discard_refused))? {
        casebook_sync::HandoverOutcome::HandedOver { ops, digest, at_ms } => {
            let when = chrono::DateTime::from_timestamp_millis(i64::try_from(at_ms).unwrap_or(0))
                .map(|t| {
                    t.with_timezone(&chrono::Local)
                        .format("%d %b %Y %H:%M")
                        .to_string()
                })
                .unwrap_or_default();
            out.created(
                json!({"handed_over": true, "ops": ops, "digest": digest, "at_ms": at_ms}),
                &format!(
                    "Handed over. The hub certified on {when} that it holds all {ops} change(s) written on this \
                     laptop (receipt {}…); the store on this laptop has been erased and the device retired.",
                    digest.get(..16).unwrap_or(&digest)
                ),
            )?;
            Ok(true)
        }
        casebook_sync::HandoverOutcome::Incomplete { missing } => {
            out.created(
                json!({"handed_over": false, "missing": missing}),
                &format!(
                    "Not handed over: the hub no longer holds {missing} change(s) written here (it may have been \
                     restored from a backup). They are queued to be sent again; run `casebook handover` again. \
                     Nothing was erased."
                ),
            )?;
            Ok(false)
        }
    }
}

/// The store for one `casebook sync`, which says on stderr how far a long round has got
/// ("Received 12,000 of 300,000 changes · 410 cases ready"): twice a second at most, and not
/// at all for a round that ends within half a second. Stdout keeps only the answer (`--json`).
struct Reporting<'a> {
    store: Mutex<&'a mut Store>,
    next: Mutex<Instant>,
}

/// The least time between two progress lines, and before the first.
const PROGRESS_EVERY: Duration = Duration::from_millis(500);

impl StoreAccess for Reporting<'_> {
    fn with<T>(&self, f: impl FnOnce(&mut Store) -> Result<T, StoreError>) -> Result<T, SyncError> {
        self.store.with(f)
    }

    fn progress(&self, progress: SyncProgress) {
        let now = Instant::now();
        let mut next = self
            .next
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if now >= *next {
            *next = now + PROGRESS_EVERY;
            // A closed stderr is no reason to stop a sync.
            let _ = writeln!(std::io::stderr().lock(), "{progress}");
        }
    }
}

/// `casebook sync`; erases the store when the hub orders a wipe.
pub fn sync(mut store: Store, out: &Out) -> anyhow::Result<()> {
    let access = Reporting {
        store: Mutex::new(&mut store),
        next: Mutex::new(Instant::now() + PROGRESS_EVERY),
    };
    let report = runtime()?.block_on(casebook_sync::sync_shared(&access));
    let report = report?;
    if report.wipe {
        store.wipe()?;
        return out.created(
            json!({"wiped": true, "pushed": report.pushed, "already_held": report.already_held}),
            &format!(
                "This device was revoked by the hub's administrator with an order to erase it. {} change(s) were handed \
                 to the hub first; the store on this laptop has now been erased.",
                report.pushed + report.already_held + report.quarantined
            ),
        );
    }
    let mut value = serde_json::to_value(&report)?;
    value["wiped"] = json!(false);
    value["pending"] = json!(store.sync_status()?.pending_ops);
    let mut text = format!(
        "Synced: {} sent, {} received, {} new conflict(s).",
        report.pushed + report.already_held + report.quarantined,
        report.pulled,
        report.conflicts
    );
    if report.quarantined > 0 {
        text.push_str(&format!(
            " {} change(s) were for cases reassigned meanwhile: the hub kept them and flagged them for your supervisor.",
            report.quarantined
        ));
    }
    if report.rejected > 0 {
        text.push_str(&format!(
            " {} change(s) were refused by the hub: see `casebook status`.",
            report.rejected
        ));
    }
    if report.cases_added + report.cases_removed > 0 {
        text.push_str(&format!(
            " {} case(s) arrived, {} left your caseload.",
            report.cases_added, report.cases_removed
        ));
    }
    if report.cases_erased > 0 {
        text.push_str(&format!(
            " {} case(s) were erased from this laptop by order of the hub (the service's retention policy).",
            report.cases_erased
        ));
    }
    out.created(value, &text)
}

/// `casebook status`
pub fn status(store: &Store, out: &Out) -> anyhow::Result<()> {
    let s = store.sync_status()?;
    let rejected = store.rejected_ops()?;
    let set_aside = store.set_aside_ops()?;
    let mut value = serde_json::to_value(&s)?;
    value["rejected"] = serde_json::to_value(&rejected)?;
    value["set_aside"] = serde_json::to_value(&set_aside)?;
    let mut text = match &s.hub {
        Some(hub) => format!(
            "Hub: {hub}\nSigned in as: {} ({})\n",
            s.user.as_deref().unwrap_or("?"),
            s.role.map_or("?", |r| r.as_str())
        ),
        None => "Not connected to a hub (run `casebook enroll`).\n".to_owned(),
    };
    text.push_str(&format!(
        "This device: {}\nLast synced: {}\nChanges waiting to be sent: {}\nConflicts to resolve: {}\nCases on this laptop: {}",
        s.device_id,
        s.last_sync.as_deref().unwrap_or("never"),
        s.pending_ops,
        s.conflicts,
        s.cases
    ));
    for r in &rejected {
        text.push_str(&format!(
            "\nRefused by the hub: {} of case {} ({})",
            r.entity, r.case_id, r.reason
        ));
    }
    if !set_aside.is_empty() {
        text.push_str(&format!(
            "\n{} change(s) from the hub could not be applied:",
            set_aside.len()
        ));
        for op in &set_aside {
            text.push_str(&format!(
                "\n  {} of case {} ({})",
                op.entity, op.case_id, op.reason
            ));
        }
    }
    out.created(value, &text)
}

/// `casebook conflicts`
pub fn conflicts(store: &Store, out: &Out) -> anyhow::Result<()> {
    let list = store.conflicts()?;
    let mut text = if list.is_empty() {
        "No conflicts.".to_owned()
    } else {
        String::new()
    };
    for c in &list {
        let side = |mine: bool| if mine { "yours" } else { "theirs" };
        text.push_str(&format!(
            "{}  {} {} {}\n  shown now ({}): {}\n  other ({}): {}\n",
            c.id,
            c.reference,
            c.entity,
            c.field,
            side(c.current_is_mine),
            c.current.as_deref().unwrap_or(""),
            side(c.other_is_mine),
            c.other.as_deref().unwrap_or("")
        ));
    }
    out.created(json!({ "conflicts": list }), text.trim_end())
}

/// `casebook conflict resolve`
pub fn resolve(store: &mut Store, out: &Out, conflict: &str, keep: String) -> anyhow::Result<()> {
    let keep = match keep.as_str() {
        "mine" => Keep::Mine,
        "theirs" => Keep::Theirs,
        _ => Keep::Text(keep),
    };
    store.resolve_conflict(conflict, keep)?;
    out.created(
        json!({"resolved": conflict}),
        "Conflict resolved. The chosen text is sent on the next sync.",
    )
}
