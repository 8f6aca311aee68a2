//! The PostgreSQL backend: the same calls as [`super::Sqlite`], on a database several hub
//! processes share (schema: migrations/hub-postgres). Every name, payload and free text is
//! sealed by the hub before it is sent ([`Sealer`]); ids, sequence numbers, times and scope
//! columns stay in clear for the indexes. Pushes take the one-row `op_seq` lock first and hold
//! it to commit, so sequence numbers appear in commit order (docs/hub.md).

mod admin;
mod audit;
mod backup;
mod devices;
mod ops;
mod prepared;
mod purge;
mod push;
mod retention;
mod rotate;
mod sar;
mod tls;

use std::cell::Cell;
use std::path::Path;
use std::str::FromStr;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use casebook_domain::{DeviceId, UserId};
use postgres::config::SslMode;
use postgres::{Client, NoTls};
use tokio_postgres_rustls::MakeRustlsConnect;
use tokio_rustls::rustls::ClientConfig;
use uuid::Uuid;

pub use backup::{Importer, TABLES};
use prepared::{Cached, Prepared};
pub use rotate::{Rotation, SEALED, SealedTable};
pub(crate) use tls::failure as tls_failure;

use super::seal::row_aad;
use super::{
    BlindIndex, DataKey, DeviceRow, FoundDevice, HubIdentity, HubKey, Readiness, Sealer, UserRow, parse,
};
use crate::error::HubError;

/// How long connecting may take before the hub gives up with an error.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

/// The longest one statement may run: a stuck lock or a runaway query ends as an error
/// instead of holding a request (and its connection) for ever.
const STATEMENT_TIMEOUT_MS: u32 = 60_000;

/// How long a transaction may sit idle before the server ends it: a hub machine that vanishes
/// mid-push without closing its connection would otherwise hold the `op_seq` lock, and every
/// push of every process with it, until TCP keepalives notice.
const IDLE_IN_TRANSACTION_MS: u32 = 15_000;

/// What the probe of each data key seals: opening it proves the hub holds the right key.
const PROBE: &[u8] = b"casebook-hub seal probe";

/// A `postgres://` URL, kept whole for connecting and shown without its password, and the TLS
/// settings its `sslmode` asks for (`tls.rs`).
#[derive(Clone)]
pub struct DatabaseUrl {
    config: postgres::Config,
    shown: String,
    tls: Option<Arc<tokio_rustls::rustls::ClientConfig>>,
}

impl DatabaseUrl {
    /// The same database over TLS, its certificate checked against the CA certificates in the
    /// PEM file `ca` only (a private CA), whatever the URL's `sslmode`.
    pub fn with_ca_file(mut self, ca: &Path) -> Result<Self, HubError> {
        self.config.ssl_mode(SslMode::Require);
        self.tls = Some(tls::client_config(Some(ca))?);
        Ok(self)
    }

    /// Whether connections to it use TLS.
    pub fn uses_tls(&self) -> bool {
        self.tls.is_some()
    }
}

impl FromStr for DatabaseUrl {
    type Err = HubError;

    fn from_str(text: &str) -> Result<Self, HubError> {
        if !(text.starts_with("postgres://") || text.starts_with("postgresql://")) {
            return Err(HubError::BadDatabaseUrl(
                "it must start with postgres://".to_owned(),
            ));
        }
        // libpq's stricter modes: rustls always checks the chain and the host name, so both
        // mean `require` here (which the client library knows by that name only).
        let text = text
            .replace("sslmode=verify-full", "sslmode=require")
            .replace("sslmode=verify-ca", "sslmode=require");
        // Never echo the text: it may hold the password.
        let config = postgres::Config::from_str(&text)
            .map_err(|_| HubError::BadDatabaseUrl("it is not a valid PostgreSQL URL".to_owned()))?;
        let host = config
            .get_hosts()
            .first()
            .map(|h| match h {
                postgres::config::Host::Tcp(name) => name.clone(),
                #[cfg(unix)]
                postgres::config::Host::Unix(path) => path.display().to_string(),
            })
            .unwrap_or_default();
        let port = config.get_ports().first().copied().unwrap_or(5432);
        let shown = format!(
            "postgres://{}@{host}:{port}/{}",
            config.get_user().unwrap_or(""),
            config.get_dbname().unwrap_or("")
        );
        let tls = match config.get_ssl_mode() {
            SslMode::Require => Some(tls::client_config(None)?),
            // `prefer` (the default) and `disable`: plain, as libpq does when no TLS is set up.
            _ => None,
        };
        Ok(Self { config, shown, tls })
    }
}

impl std::fmt::Debug for DatabaseUrl {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.shown)
    }
}

impl std::fmt::Display for DatabaseUrl {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.shown)
    }
}

/// One connection to the hub's PostgreSQL database. Sync: call it from a blocking thread.
pub struct Postgres {
    /// `None` only while it is being dropped.
    client: Mutex<Option<Client>>,
    /// The hot statements, prepared on that connection.
    prepared: Prepared,
    /// A request failed because the connection was lost. The client may not know it is closed
    /// yet (the server's goodbye can arrive before the socket's end), so this says "connect
    /// again" on the next request whatever `is_closed` answers.
    lost: AtomicBool,
    url: DatabaseUrl,
    key: HubKey,
    sealer: Sealer,
    names: BlindIndex,
    /// Keys the client addresses of `rate_limits`.
    clients: BlindIndex,
    hub: HubIdentity,
    operator: Option<String>,
}

impl std::fmt::Debug for Postgres {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Postgres")
            .field("url", &self.url)
            .field("hub", &self.hub)
            .finish_non_exhaustive()
    }
}

impl Postgres {
    /// Connects, migrates (one process at a time), checks that `key` opens what the database
    /// holds, and reads the hub's identity (writing it on the first start).
    pub fn connect(url: &DatabaseUrl, key: HubKey) -> Result<Self, HubError> {
        let (client, sealer, hub) = off_runtime(|| {
            let mut client = connect(url)?;
            super::pg_schema::migrate(&mut client)?;
            let sealer = sealer(&mut client, &key)?;
            let hub = identity(&mut client)?;
            Ok::<_, HubError>((client, sealer, hub))
        })?;
        Ok(Self {
            client: Mutex::new(Some(client)),
            prepared: Prepared::default(),
            lost: AtomicBool::new(false),
            url: url.clone(),
            names: BlindIndex::derive(&key, "users.name"),
            clients: BlindIndex::derive(&key, "rate_limits.client"),
            key,
            sealer,
            hub,
            operator: None,
        })
    }

    /// Another connection to the same database, with the same key: a reader of the pool, or
    /// the audit writer's. No migration: the first connection did that.
    pub fn another(&self) -> Result<Self, HubError> {
        let key = HubKey::from_hex(self.key.hex())?;
        let (client, sealer) = off_runtime(|| {
            let mut client = connect(&self.url)?;
            let sealer = sealer(&mut client, &key)?;
            Ok::<_, HubError>((client, sealer))
        })?;
        Ok(Self {
            client: Mutex::new(Some(client)),
            prepared: Prepared::default(),
            lost: AtomicBool::new(false),
            url: self.url.clone(),
            names: BlindIndex::derive(&key, "users.name"),
            clients: BlindIndex::derive(&key, "rate_limits.client"),
            key,
            sealer,
            hub: self.hub,
            operator: None,
        })
    }

    /// The hub's own identity.
    pub fn hub_identity(&self) -> HubIdentity {
        self.hub
    }

    /// Names who runs the admin commands on this connection, for the audit trail.
    pub fn set_operator(&mut self, operator: Option<String>) {
        self.operator = operator;
    }

    /// Runs `f` on the connection, opened again first if the server closed it (a restart, a
    /// failover: the request that finds it closed fails, the next one works), and off the
    /// async runtime when called on it (see [`off_runtime`]).
    fn run<R: Send>(&self, f: impl FnOnce(&mut Client) -> Result<R, HubError> + Send) -> Result<R, HubError> {
        let mut slot = self.client.lock().unwrap_or_else(PoisonError::into_inner);
        let slot = &mut *slot;
        off_runtime(move || {
            let client = slot
                .as_mut()
                .ok_or_else(|| HubError::Database("the PostgreSQL connection is closed".to_owned()))?;
            if client.is_closed() || self.lost.swap(false, Ordering::AcqRel) {
                tracing::warn!("the PostgreSQL connection was closed; connecting again");
                self.prepared.clear();
                match connect(&self.url) {
                    Ok(fresh) => *client = fresh,
                    Err(e) => {
                        self.lost.store(true, Ordering::Release);
                        return Err(e);
                    }
                }
            }
            let result = f(client);
            if matches!(result, Err(HubError::DatabaseConnectionLost(_))) {
                self.lost.store(true, Ordering::Release);
            }
            result
        })
    }

    /// `client` (the connection or a transaction on it), its statements prepared once.
    fn cached<'a, C: postgres::GenericClient>(&'a self, client: &'a mut C) -> Cached<'a, C> {
        Cached {
            client,
            prepared: &self.prepared,
        }
    }

    /// `plain` sealed for `table.column` of the row `row`.
    fn seal(&self, plain: &[u8], table: &str, column: &str, row: &str) -> Result<Vec<u8>, HubError> {
        Ok(self.sealer.seal(plain, &row_aad(table, column, row))?)
    }

    /// The text sealed in `table.column` of the row `row`.
    fn open_text(&self, sealed: &[u8], table: &str, column: &str, row: &str) -> Result<String, HubError> {
        let plain = self.sealer.open(sealed, &row_aad(table, column, row))?;
        String::from_utf8(plain.to_vec())
            .map_err(|_| HubError::Database("a sealed value is not text".to_owned()))
    }

    /// A user from the columns `id, name, role, team`.
    fn user_row(&self, row: &postgres::Row) -> Result<UserRow, HubError> {
        let id: Uuid = row.try_get(0)?;
        let name: Vec<u8> = row.try_get(1)?;
        let role: String = row.try_get(2)?;
        Ok(UserRow {
            id: UserId(id),
            name: self.open_text(&name, "users", "name", &id.to_string())?,
            role: parse(&role)?,
            team: row.try_get(3)?,
        })
    }

    /// The user named `name`.
    pub fn user_by_name(&self, name: &str) -> Result<UserRow, HubError> {
        let index = self.names.of(name.as_bytes());
        let row = self.run(|client| {
            Ok(client.query_opt(
                "SELECT id, name, role, team FROM users WHERE name_index = $1",
                &[&&index[..]],
            )?)
        })?;
        match row {
            Some(row) => self.user_row(&row),
            None => Err(HubError::NoSuchUser(name.to_owned())),
        }
    }

    /// The device whose token hashes to `token_hash`, and whether noting that it was seen at
    /// `now_ms` is due.
    pub fn device_by_token(&self, token_hash: &str, now_ms: i64) -> Result<Option<FoundDevice>, HubError> {
        let row = self.run(|client| {
            self.cached(client).query_opt(
                "SELECT u.id, u.name, u.role, u.team, d.id, d.name, d.revoked_at IS NOT NULL, d.wipe, d.last_seen
                 FROM devices d JOIN users u ON u.id = d.user_id WHERE d.token_hash = $1",
                &[&token_hash],
            )
        })?;
        let Some(row) = row else { return Ok(None) };
        let user = self.user_row(&row)?;
        let id: Uuid = row.try_get(4)?;
        let name: Vec<u8> = row.try_get(5)?;
        let last_seen: Option<i64> = row.try_get(8)?;
        Ok(Some(FoundDevice {
            device: DeviceRow {
                id: DeviceId(id),
                name: self.open_text(&name, "devices", "name", &id.to_string())?,
                user,
                revoked: row.try_get(6)?,
                wipe: row.try_get(7)?,
            },
            last_seen_stale: last_seen
                .is_none_or(|seen| seen < now_ms.saturating_sub(super::sqlite::LAST_SEEN_EVERY_MS)),
        }))
    }

    /// Notes that `device` was seen at `now_ms`, unless that was noted less than a minute ago.
    pub fn touch_device(&self, device: DeviceId, now_ms: i64) -> Result<(), HubError> {
        self.run(|client| {
            let mut tx = client.transaction()?;
            // When a device was last seen is for the admin's list and a gauge: losing the last
            // second of it in a database crash costs nothing, a WAL flush per sync would.
            tx.batch_execute("SET LOCAL synchronous_commit = off")?;
            self.cached(&mut tx).execute(
                "UPDATE devices SET last_seen = $1 WHERE id = $2 AND (last_seen IS NULL OR last_seen < $1 - $3)",
                &[&now_ms, &device.0, &super::sqlite::LAST_SEEN_EVERY_MS],
            )?;
            tx.commit()?;
            Ok(())
        })
    }

    /// The database answers and its schema is this hub's.
    pub fn readiness(&self) -> Result<Readiness, HubError> {
        let found = self.run(super::pg_schema::applied)?;
        let expected = super::pg_schema::newest_known();
        Ok(if found >= expected {
            Readiness::Ready
        } else {
            Readiness::SchemaBehind { found, expected }
        })
    }

    /// How many devices made an authenticated request since `since_ms`.
    pub fn devices_seen_since(&self, since_ms: i64) -> Result<u64, HubError> {
        let count: i64 = self.run(|client| {
            Ok(client
                .query_one("SELECT count(*) FROM devices WHERE last_seen >= $1", &[&since_ms])?
                .try_get(0)?)
        })?;
        Ok(u64::try_from(count).unwrap_or(0))
    }

    /// The detail every admin entry carries: who ran it, and `extra`.
    fn admin_detail(&self, extra: serde_json::Value) -> serde_json::Value {
        let mut detail = serde_json::json!({ "operator": self.operator });
        if let (Some(detail), serde_json::Value::Object(extra)) = (detail.as_object_mut(), extra) {
            detail.extend(extra);
        }
        detail
    }
}

impl Drop for Postgres {
    /// Closing the connection blocks on the client's own runtime, which tokio forbids on a
    /// thread that drives async tasks: there it is closed on a thread of its own.
    fn drop(&mut self) {
        let client = self
            .client
            .get_mut()
            .unwrap_or_else(PoisonError::into_inner)
            .take();
        off_runtime(move || drop(client));
    }
}

thread_local! {
    /// Set while the hub runs storage work on tokio's blocking pool ([`blocking`]), where the
    /// synchronous client may block.
    static BLOCKING: Cell<bool> = const { Cell::new(false) };
}

/// Runs `f` as storage work on a thread of tokio's blocking pool (`spawn_blocking`): the
/// synchronous PostgreSQL client may block there without a thread of its own.
pub fn blocking<R>(f: impl FnOnce() -> R) -> R {
    let before = BLOCKING.with(|b| b.replace(true));
    let out = f();
    BLOCKING.with(|b| b.set(before));
    out
}

/// Runs `f`, which blocks on the synchronous client's own runtime: directly on an ordinary
/// thread or on tokio's blocking pool, and on a scoped thread of its own when called from a
/// thread that drives async tasks (an admin call in an async test, the server setting up),
/// where tokio would refuse to block.
fn off_runtime<R: Send>(f: impl FnOnce() -> R + Send) -> R {
    if tokio::runtime::Handle::try_current().is_err() || BLOCKING.with(Cell::get) {
        return f();
    }
    std::thread::scope(|s| s.spawn(f).join()).unwrap_or_else(|panic| std::panic::resume_unwind(panic))
}

/// A new connection with the hub's settings: timeouts, TCP keepalives (a dead server or a
/// dropped route is noticed in minutes, not hours), and the application's name for
/// `pg_stat_activity`.
fn connect(url: &DatabaseUrl) -> Result<Client, HubError> {
    let mut config = url.config.clone();
    config
        .connect_timeout(CONNECT_TIMEOUT)
        .keepalives(true)
        .keepalives_idle(Duration::from_secs(30))
        .application_name("casebook-hub")
        .options(&format!(
            "-c statement_timeout={STATEMENT_TIMEOUT_MS} -c idle_in_transaction_session_timeout={IDLE_IN_TRANSACTION_MS}"
        ));
    let connected = match &url.tls {
        Some(tls) => config.connect(MakeRustlsConnect::new(ClientConfig::clone(tls))),
        None => config.connect(NoTls),
    };
    connected.map_err(|e| {
        tracing::error!(database = %url, error = %super::pg_schema::database_detail(&e), "could not connect to PostgreSQL");
        match tls::failure(&e) {
            Some(why) => HubError::DatabaseTls {
                url: url.to_string(),
                hint: tls::hint(&why),
                why,
            },
            None => HubError::DatabaseUnreachable(url.to_string()),
        }
    })
}

/// The data keys the database names, each checked against its probe; the first start seals
/// the probe of key 1. A hub given another key stops here, before it writes anything.
fn sealer(client: &mut Client, key: &HubKey) -> Result<Sealer, HubError> {
    let first = DataKey::derive(key, 1);
    let probe = Sealer::new(DataKey::derive(key, 1), []).seal(PROBE, &row_aad("seal_keys", "probe", "1"))?;
    // Only into an empty table: after a rotation the old ids are gone, and a hub started with
    // the old key must not leave a probe under it that the new key then fails to open.
    client.execute(
        "INSERT INTO seal_keys (key_id, probe, created_at) SELECT 1, $1, $2
         WHERE NOT EXISTS (SELECT 1 FROM seal_keys) ON CONFLICT (key_id) DO NOTHING",
        &[&probe, &crate::state::now_ms()],
    )?;
    let rows = client.query("SELECT key_id, probe FROM seal_keys ORDER BY key_id", &[])?;
    let mut keys = Vec::new();
    for row in rows {
        let id: i32 = row.try_get(0)?;
        let id = u32::try_from(id).map_err(|_| HubError::Database("a key id is negative".to_owned()))?;
        let probe: Vec<u8> = row.try_get(1)?;
        let data_key = DataKey::derive(key, id);
        let opened = Sealer::new(DataKey::derive(key, id), [])
            .open(&probe, &row_aad("seal_keys", "probe", &id.to_string()));
        if opened.is_err() {
            return Err(HubError::WrongDatabaseKey);
        }
        keys.push(data_key);
    }
    let current = keys.pop().unwrap_or(first);
    Ok(Sealer::new(current, keys))
}

/// The hub's own user and device ids, written by the first process that starts.
fn identity(client: &mut Client) -> Result<HubIdentity, HubError> {
    for (key, fresh) in [
        ("hub_user_id", Uuid::now_v7().to_string()),
        ("hub_device_id", Uuid::now_v7().to_string()),
    ] {
        client.execute(
            "INSERT INTO hub_meta (key, value) VALUES ($1, $2) ON CONFLICT (key) DO NOTHING",
            &[&key, &fresh],
        )?;
    }
    let mut get = |key: &str| -> Result<String, HubError> {
        Ok(client
            .query_one("SELECT value FROM hub_meta WHERE key = $1", &[&key])?
            .try_get(0)?)
    };
    Ok(HubIdentity {
        user: parse(&get("hub_user_id")?)?,
        device: parse(&get("hub_device_id")?)?,
    })
}

/// A read-only transaction that sees one moment of the database for all its statements
/// (`REPEATABLE READ`): a page, its scope and its cursor; a backup's tables; a chain and its index.
fn snapshot(client: &mut Client) -> Result<postgres::Transaction<'_>, HubError> {
    Ok(client
        .build_transaction()
        .isolation_level(postgres::IsolationLevel::RepeatableRead)
        .read_only(true)
        .start()?)
}

fn to_i64(n: u64) -> i64 {
    i64::try_from(n).unwrap_or(i64::MAX)
}

fn to_u64(n: i64) -> u64 {
    u64::try_from(n).unwrap_or(0)
}
