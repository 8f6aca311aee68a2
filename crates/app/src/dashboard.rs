//! The supervisor's dashboard in the app: the store's figures of the cases held here
//! (`Store::dashboard`), each with the cases behind it, which the caseload then lists
//! (`CaseloadQuery::ids`).

use casebook_store::dashboard::Dashboard;

use crate::app::App;
use crate::error::AppError;

impl App {
    /// The dashboard of the cases on this laptop today: a supervisor's team, a coordinator's
    /// whole service (a facilitator's own cases, though the window offers it only to those who
    /// oversee others' work).
    pub fn dashboard(&self) -> Result<Dashboard, AppError> {
        self.with_store(|store| Ok(store.dashboard()?))
    }
}
