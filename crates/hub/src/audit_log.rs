//! The writer of audit entries for requests that only read (pulls, history pages) and for
//! refused requests: one task with its own connection, which appends every entry queued
//! meanwhile in one transaction (group commit) and only then lets the requests answer. So no
//! case data leaves the hub before its entry is on disk, and a thousand pulls at once cost a
//! handful of commits, not a thousand.

use tokio::sync::{mpsc, oneshot};

use crate::audit::{AuditEvent, coalesce};
use crate::error::HubError;
use crate::state::now_ms;
use crate::storage::Storage;

/// Entries waiting to be written before their requests block: enough for every request the
/// hub can hold open at once.
const QUEUE: usize = 4096;

/// The most entries one transaction takes, so one commit never grows without bound.
const BATCH: usize = 1024;

type Ack = oneshot::Sender<Result<(), String>>;

/// Hands entries to the audit writer thread; cheap to clone.
#[derive(Debug, Clone)]
pub struct AuditLog {
    queue: mpsc::Sender<(AuditEvent, Ack)>,
}

impl AuditLog {
    /// Starts the writer on `storage` (a connection of its own) as a task of the current tokio
    /// runtime, writing on its blocking pool. A task, not a thread of its own: the runtime
    /// waits for it when it shuts down, so the connection is never closed while the process
    /// is already tearing down the crypto library under it. It ends when every [`AuditLog`]
    /// is dropped.
    pub fn start(storage: Storage) -> Self {
        let (queue, received) = mpsc::channel(QUEUE);
        tokio::spawn(write_batches(storage, received));
        Self { queue }
    }

    /// Records `event` and waits until it is committed; an error means it was not written,
    /// and the request must not answer with the data it was about to deliver.
    pub async fn record(&self, event: AuditEvent) -> Result<(), HubError> {
        let (ack, written) = oneshot::channel();
        self.queue
            .send((event, ack))
            .await
            .map_err(|_| HubError::Task("the audit writer has stopped".to_owned()))?;
        written
            .await
            .map_err(|_| HubError::Task("the audit writer has stopped".to_owned()))?
            .map_err(|e| HubError::Task(format!("the audit entry was not written: {e}")))
    }
}

async fn write_batches(mut storage: Storage, mut received: mpsc::Receiver<(AuditEvent, Ack)>) {
    while let Some(first) = received.recv().await {
        let mut batch = vec![first];
        while batch.len() < BATCH {
            match received.try_recv() {
                Ok(next) => batch.push(next),
                Err(_) => break,
            }
        }
        let (events, acks): (Vec<AuditEvent>, Vec<Ack>) = batch.into_iter().unzip();
        let task = tokio::task::spawn_blocking(move || {
            let written = crate::storage::postgres::blocking(|| {
                storage
                    .append_audit(&coalesce(events), now_ms())
                    .map_err(|e| e.to_string())
            });
            (storage, written)
        });
        let written = match task.await {
            Ok((back, written)) => {
                storage = back;
                written
            }
            Err(e) => {
                tracing::error!(error = %e, "the audit writer failed; entries are refused from now on");
                for ack in acks {
                    let _ = ack.send(Err("the audit writer failed".to_owned()));
                }
                return;
            }
        };
        if let Err(e) = &written {
            tracing::error!(error = %e, entries = acks.len(), "could not write audit entries");
        }
        for ack in acks {
            // A request that gave up waiting no longer needs the answer.
            let _ = ack.send(written.clone());
        }
    }
}
