//! Statements prepared once per connection. Given a statement's text, the client prepares it
//! on every call (a round trip to parse it, then one to run it); a push of a thousand ops sends
//! a few hundred statements while it holds `op_seq`, so the hot ones are kept prepared, by their
//! text, for as long as the connection lives.
//!
//! Only statements whose best plan does not depend on their values belong here (lookups by
//! key, inserts): after five runs PostgreSQL may keep one generic plan for a prepared statement.

use std::collections::HashMap;
use std::sync::{Mutex, PoisonError};

use postgres::types::ToSql;
use postgres::{GenericClient, Row, Statement};

use crate::error::HubError;

/// The statements prepared on one connection, by their text.
#[derive(Default)]
pub(super) struct Prepared(Mutex<HashMap<&'static str, Statement>>);

impl Prepared {
    /// `sql` prepared on `client`'s connection, the first time only.
    fn get(&self, client: &mut impl GenericClient, sql: &'static str) -> Result<Statement, HubError> {
        if let Some(statement) = self.0.lock().unwrap_or_else(PoisonError::into_inner).get(sql) {
            return Ok(statement.clone());
        }
        let statement = client.prepare(sql)?;
        self.0
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .insert(sql, statement.clone());
        Ok(statement)
    }

    /// Forgets every statement: the connection they were prepared on is gone.
    pub(super) fn clear(&self) {
        self.0.lock().unwrap_or_else(PoisonError::into_inner).clear();
    }
}

/// A client or transaction whose statements are prepared once ([`Prepared`]).
pub(super) struct Cached<'a, C> {
    pub(super) client: &'a mut C,
    pub(super) prepared: &'a Prepared,
}

type Params<'p> = &'p [&'p (dyn ToSql + Sync)];

impl<C: GenericClient> Cached<'_, C> {
    /// The rows `sql` returns.
    pub(super) fn query(&mut self, sql: &'static str, params: Params<'_>) -> Result<Vec<Row>, HubError> {
        let statement = self.prepared.get(self.client, sql)?;
        Ok(self.client.query(&statement, params)?)
    }

    /// The one row `sql` returns.
    pub(super) fn query_one(&mut self, sql: &'static str, params: Params<'_>) -> Result<Row, HubError> {
        let statement = self.prepared.get(self.client, sql)?;
        Ok(self.client.query_one(&statement, params)?)
    }

    /// The row `sql` returns, if any.
    pub(super) fn query_opt(
        &mut self,
        sql: &'static str,
        params: Params<'_>,
    ) -> Result<Option<Row>, HubError> {
        let statement = self.prepared.get(self.client, sql)?;
        Ok(self.client.query_opt(&statement, params)?)
    }

    /// How many rows `sql` changed.
    pub(super) fn execute(&mut self, sql: &'static str, params: Params<'_>) -> Result<u64, HubError> {
        let statement = self.prepared.get(self.client, sql)?;
        Ok(self.client.execute(&statement, params)?)
    }
}
