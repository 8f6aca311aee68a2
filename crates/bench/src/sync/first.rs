//! A coordinator's first sync of a whole service: every op of a big hub pulled onto a new store.

use anyhow::bail;
use casebook_protocol::Role;
use serde::Serialize;

use super::{Hub, Laptops};

/// What the row reports.
#[derive(Debug, Serialize)]
pub(super) struct FirstSync {
    /// Ops the coordinator's store received and applied.
    pub ops: usize,
    /// Wall seconds of the whole `sync_once`.
    pub seconds: f64,
    /// CPU seconds of the process (hub and laptop) meanwhile.
    pub cpu_s: Option<f64>,
}

/// Enrolls a new coordinator (who sees every case) on `hub` and times its first sync.
pub(super) fn measure(laptops: &Laptops, hub: &Hub) -> anyhow::Result<FirstSync> {
    let (mut store, _) = laptops.enrolled(hub, "Chidi", Role::Coordinator, "north")?;
    let (report, took, cpu_s) = laptops.sync_cpu(&mut store)?;
    let on_hub = hub.ops()?;
    if report.pulled as u64 != on_hub {
        bail!(
            "the first sync pulled {} of the hub's {on_hub} ops: {report:?}",
            report.pulled
        );
    }
    Ok(FirstSync {
        ops: report.pulled,
        seconds: took.as_secs_f64(),
        cpu_s,
    })
}
