//! The hub's tables as someone holding its database (and, on SQLite, its key file) could read
//! and change them, on either backend: the SQLCipher file opened with the key, or the
//! PostgreSQL database over a plain client. Statements are written once for both: parameters
//! are `$1`, `$2`… (made SQLite's numbered `?1`, `?2`…: to SQLite `$2` is a name, numbered in
//! order of appearance), and a uuid column is compared as `CAST(col AS text)`.

use casebook_testkit::postgres::with_client;
use postgres::types::ToSql;

use super::{HubStore, raw_db};

/// A parameter of a statement.
#[derive(Debug, Clone, Copy)]
pub enum Arg<'a> {
    /// An integer (a seq, a count).
    Int(i64),
    /// Text (an id compared as text, a hash).
    Text(&'a str),
}

/// An open way into the hub's tables.
pub enum Raw {
    /// The SQLCipher database, opened with the hub's key.
    Sqlite(rusqlite::Connection),
    /// The PostgreSQL database's URL: each statement on a connection of its own, off the test's
    /// runtime (the synchronous client cannot block a thread that drives it).
    Postgres(String),
}

impl Raw {
    /// The tables of the hub storing in `store`.
    pub fn of(store: &HubStore) -> Self {
        match store {
            HubStore::Dir(dir) => Self::Sqlite(raw_db(dir)),
            HubStore::Database { url, .. } => Self::Postgres(url.clone()),
        }
    }

    /// Runs one statement; how many rows it changed.
    pub fn execute(&self, sql: &str, args: &[Arg<'_>]) -> u64 {
        match self {
            Self::Sqlite(conn) => {
                let changed = conn
                    .execute(
                        &numbered(sql),
                        rusqlite::params_from_iter(args.iter().map(sqlite_value)),
                    )
                    .unwrap_or_else(|e| panic!("{sql}: {e}"));
                u64::try_from(changed).unwrap()
            }
            Self::Postgres(url) => with_client(url, |client| {
                let owned = pg_values(args);
                client
                    .execute(sql, &pg_refs(&owned))
                    .unwrap_or_else(|e| panic!("{sql}: {e}"))
            }),
        }
    }

    /// Runs statements without parameters, one after another.
    pub fn batch(&self, sql: &str) {
        match self {
            Self::Sqlite(conn) => conn.execute_batch(sql).unwrap_or_else(|e| panic!("{sql}: {e}")),
            Self::Postgres(url) => with_client(url, |client| {
                client.batch_execute(sql).unwrap_or_else(|e| panic!("{sql}: {e}"));
            }),
        }
    }

    /// The integer in the first column of the one row `sql` answers (a seq, a count).
    pub fn integer(&self, sql: &str, args: &[Arg<'_>]) -> i64 {
        match self {
            Self::Sqlite(conn) => conn
                .query_row(
                    &numbered(sql),
                    rusqlite::params_from_iter(args.iter().map(sqlite_value)),
                    |r| r.get(0),
                )
                .unwrap_or_else(|e| panic!("{sql}: {e}")),
            Self::Postgres(url) => with_client(url, |client| {
                let owned = pg_values(args);
                client
                    .query_one(sql, &pg_refs(&owned))
                    .and_then(|row| row.try_get(0))
                    .unwrap_or_else(|e| panic!("{sql}: {e}"))
            }),
        }
    }
}

/// `sql` with PostgreSQL's `$N` parameters written as SQLite's `?N`.
fn numbered(sql: &str) -> String {
    let mut out = String::with_capacity(sql.len());
    let mut chars = sql.chars().peekable();
    while let Some(c) = chars.next() {
        let is_param = c == '$' && chars.peek().is_some_and(char::is_ascii_digit);
        out.push(if is_param { '?' } else { c });
    }
    out
}

fn sqlite_value(arg: &Arg<'_>) -> rusqlite::types::Value {
    match *arg {
        Arg::Int(n) => n.into(),
        Arg::Text(s) => s.to_owned().into(),
    }
}

fn pg_values(args: &[Arg<'_>]) -> Vec<Box<dyn ToSql + Sync + Send>> {
    args.iter()
        .map(|arg| -> Box<dyn ToSql + Sync + Send> {
            match *arg {
                Arg::Int(n) => Box::new(n),
                Arg::Text(s) => Box::new(s.to_owned()),
            }
        })
        .collect()
}

fn pg_refs(values: &[Box<dyn ToSql + Sync + Send>]) -> Vec<&(dyn ToSql + Sync)> {
    values
        .iter()
        .map(|v| -> &(dyn ToSql + Sync) { v.as_ref() })
        .collect()
}
