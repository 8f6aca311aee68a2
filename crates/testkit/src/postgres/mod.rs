//! A scratch PostgreSQL cluster for tests (feature `postgres`): `initdb` into a temp dir, a
//! postmaster on a free port of 127.0.0.1 with a generated password, one database, and on drop
//! the postmaster stopped by its own pid and the dir removed ([`Cluster`]; its processes are
//! `server`'s); and a test as a client of its databases ([`with_client`], [`dump`],
//! [`scratch_database`]).
//!
//! - **Which PostgreSQL**: `initdb` and `postgres` from PATH, else the Debian package's
//!   `/usr/lib/postgresql/<major>/bin`, newest major first. scripts/setup installs the
//!   distribution's `postgresql` when neither has one.
//! - **Root**: PostgreSQL refuses to run as root, so a test running as root runs `initdb` and
//!   the postmaster as the system user [`PG_USER`] (scripts/setup creates it), through
//!   `setpriv`: it `exec`s, so the pid the test holds is the postmaster's own, never a wrapper's
//!   (`runuser` and `su` fork and wait, and a signal to them would not reach the postmaster).
//! - **Authentication**: `scram-sha-256` for every connection, with a random password, and
//!   TCP only on 127.0.0.1. `trust` would let any local user of a shared CI machine connect to
//!   the port and read or change the test's data; and the tests then go through the same
//!   password exchange as a production `postgres://user:password@host/db` URL.
//! - **Durability**: `fsync` stays on (only `initdb --no-sync`: a cluster that is thrown away
//!   needs no durable template). The hub's tests kill hub processes, not the machine, so
//!   fsync=off would pass them too; but commit latency is what makes two pushes commit out of
//!   order, and benchmarks run against SQLite with `synchronous=FULL`: both must see the real
//!   cost of a commit. Small `shared_buffers` (16 MB): several clusters may run at once.

mod client;
mod cluster;
mod server;

pub use client::{dump, off_runtime, scratch_database, with_client};
pub use cluster::{Cluster, ClusterError};

/// The system user that runs PostgreSQL when the tests run as root.
pub const PG_USER: &str = "casebook-pg";

/// The superuser of every scratch cluster (a database role, not a system user).
const ROLE: &str = "casebook";
