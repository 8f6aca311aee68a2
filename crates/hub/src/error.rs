//! The hub library's errors: what went wrong and what the operator can do next.

use std::path::PathBuf;

/// Everything the hub library can fail with.
#[derive(Debug, thiserror::Error)]
pub enum HubError {
    /// The key does not open the database.
    #[error("the key does not open {0}: wrong key, or not a hub database. Nothing was changed.")]
    WrongKey(PathBuf),
    /// `CASEBOOK_HUB_KEY` or `hub.key` is not 64 hex characters.
    #[error("the hub key must be 64 hex characters (32 bytes); check CASEBOOK_HUB_KEY or hub.key")]
    BadKeyFormat,
    /// The database exists but its key file does not.
    #[error("{0} exists but its key file hub.key is missing; set CASEBOOK_HUB_KEY or restore hub.key")]
    MissingKey(PathBuf),
    /// The database was written by a newer hub.
    #[error(
        "the database schema (version {found}) is newer than this hub knows (version {known}); update casebook-hub"
    )]
    SchemaTooNew {
        /// The version found in the database.
        found: i64,
        /// The newest version this binary knows.
        known: i64,
    },
    /// A migration failed.
    #[error("could not migrate the hub database: {0}")]
    Migration(String),
    /// SQLite failed; the text is kept generic because SQL errors may echo the key.
    #[error("the hub database failed ({0}); see the hub's log")]
    Database(String),
    /// The connection to PostgreSQL was lost (a restart, a failover, a cut network): this request
    /// failed and the next one connects again.
    #[error("the connection to PostgreSQL was lost ({0}); the next request connects again")]
    DatabaseConnectionLost(String),
    /// The `/metrics` token is too short or holds characters a bearer token may not.
    #[error(
        "the metrics token must be at least {min} characters of letters, digits and -._~+/= (make one with `openssl rand -hex 32`)",
        min = crate::metrics::MIN_TOKEN_LEN
    )]
    BadMetricsToken,
    /// A file of the data dir could not be read or written.
    #[error("{action} {path}: {source}")]
    Io {
        /// What was attempted.
        action: &'static str,
        /// The file.
        path: PathBuf,
        /// Why it failed.
        source: std::io::Error,
    },
    /// The listening socket failed.
    #[error("the listening socket failed: {0}")]
    Listener(std::io::Error),
    /// A user with that name already exists.
    #[error("a user named {0:?} already exists")]
    UserExists(String),
    /// No user has that name.
    #[error("no user named {0:?}")]
    NoSuchUser(String),
    /// No case has that id or reference.
    #[error("no case {0:?} (give its id or its reference, see `case list`)")]
    NoSuchCase(String),
    /// No device has that id.
    #[error("no device {0:?} (see `device list`)")]
    NoSuchDevice(String),
    /// The demo was already loaded.
    #[error("the demo data is already there; use a new data dir for a fresh demo")]
    DemoPresent,
    /// The server would expose plaintext HTTP to the network.
    #[error(
        "refusing to listen on {0} without TLS: give --tls-cert and --tls-key, listen on a loopback address, \
         or, if a TLS proxy is in front, say --behind-tls-proxy --proxy-address <the proxy's IP address>"
    )]
    PlaintextOnNetwork(std::net::SocketAddr),
    /// Behind a TLS proxy, but without the proxy's address.
    #[error(
        "--behind-tls-proxy needs --proxy-address <the proxy's IP address>: the hub then refuses every other \
         peer, so nobody on the network can bypass the proxy and speak plain HTTP to it"
    )]
    ProxyAddressMissing,
    /// The TLS certificate or key could not be loaded.
    #[error("TLS setup failed: {0}")]
    Tls(String),
    /// The operating system gave no random bytes.
    #[error("the system has no randomness: {0}")]
    Randomness(String),
    /// A retention command cannot do what was asked (a held case, one not due, a bad period).
    #[error("{0}")]
    Retention(String),
    /// A subject access request cannot do what was asked (already closed).
    #[error("{0}")]
    SubjectAccess(String),
    /// A subject access request, or a party record asked for, that the hub does not hold.
    #[error("{0}")]
    NotHeldForSubjectAccess(String),
    /// A document (a subject access request's PDF) could not be made.
    #[error("{0}")]
    Document(String),
    /// `--database` / `CASEBOOK_HUB_DATABASE` is not a PostgreSQL URL.
    #[error("the database URL is not usable: {0} (e.g. postgres://casebook@db.internal:5432/casebook)")]
    BadDatabaseUrl(String),
    /// PostgreSQL could not be reached or refused the login.
    #[error(
        "could not connect to {0}: is PostgreSQL running there, and are the user and password right? See the hub's log"
    )]
    DatabaseUnreachable(String),
    /// The TLS connection to PostgreSQL failed (`sslmode=require`): the server offers none, or
    /// its certificate is not trusted or not for that host.
    #[error("the TLS connection to {url} failed: {why}. {hint}")]
    DatabaseTls {
        /// The database, without its password.
        url: String,
        /// What TLS said.
        why: String,
        /// What to do about it.
        hint: &'static str,
    },
    /// A restore was pointed at a database that holds a hub already.
    #[error("{0} holds a hub already: restore only into an empty database. Nothing was changed.")]
    DatabaseNotEmpty(String),
    /// The PostgreSQL backend does not do this yet.
    #[error("`{0}` is not available on the PostgreSQL backend yet; run it on a hub with --data DIR")]
    NotOnPostgres(&'static str),
    /// The PostgreSQL database is sealed under another hub key.
    #[error(
        "the hub key does not open this PostgreSQL database (its values are sealed under another key). Nothing was changed."
    )]
    WrongDatabaseKey,
    /// The hub key could not be rotated; the message says why and what to do.
    #[error("the hub key was not rotated: {0}. Nothing was changed.")]
    KeyRotation(String),
    /// A sealed value would not open or could not be sealed.
    #[error(transparent)]
    Seal(#[from] crate::storage::SealError),
    /// The blocking storage task died.
    #[error("a storage task failed: {0}")]
    Task(String),
}

impl From<rusqlite::Error> for HubError {
    fn from(e: rusqlite::Error) -> Self {
        // Only the error class, never the text: a failing `PRAGMA key` would echo the key.
        let class = match &e {
            rusqlite::Error::SqliteFailure(err, _) => format!("{:?}", err.code),
            rusqlite::Error::QueryReturnedNoRows => "no rows".to_owned(),
            rusqlite::Error::FromSqlConversionFailure(..) | rusqlite::Error::InvalidColumnType(..) => {
                "unexpected stored value".to_owned()
            }
            _ => "sqlite error".to_owned(),
        };
        HubError::Database(class)
    }
}

impl From<postgres::Error> for HubError {
    fn from(e: postgres::Error) -> Self {
        crate::storage::pg_schema::database(e)
    }
}

impl From<serde_json::Error> for HubError {
    fn from(e: serde_json::Error) -> Self {
        // The category only: serde's text may quote the stored op's contents.
        let category = match e.classify() {
            serde_json::error::Category::Io => "io",
            serde_json::error::Category::Syntax => "syntax",
            serde_json::error::Category::Data => "data",
            serde_json::error::Category::Eof => "eof",
        };
        HubError::Database(format!("a stored op is not valid JSON ({category})"))
    }
}
