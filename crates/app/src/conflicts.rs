//! Conflicts in the app: two concurrent edits of one text field; the sync shows the winner and
//! keeps the other until a person keeps one or the other, or merges them.

use casebook_store::{ConflictView, Keep};

use crate::app::App;
use crate::dto::KeepChoice;
use crate::error::AppError;

impl App {
    /// The conflicts waiting for a person.
    pub fn conflicts(&self) -> Result<Vec<ConflictView>, AppError> {
        self.with_store(|store| Ok(store.conflicts()?))
    }

    /// Settles a conflict with the chosen or merged text.
    pub fn resolve_conflict(&self, id: String, keep: KeepChoice) -> Result<(), AppError> {
        let keep = match keep {
            KeepChoice::Mine => Keep::Mine,
            KeepChoice::Theirs => Keep::Theirs,
            KeepChoice::Merged(text) => Keep::Text(text),
        };
        self.with_store(|store| Ok(store.resolve_conflict(&id, keep)?))?;
        self.touch();
        self.sync_soon(self.options.sync_after_change);
        Ok(())
    }
}
