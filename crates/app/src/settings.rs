//! The app's settings: the options it starts with (from the environment or defaults), and the
//! ones the user chooses (auto-lock delay, how dates are written), kept beside the store.

use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};

use crate::app::{App, AppEvent, Session, lock};
use crate::dto::AppState;
use crate::error::{AppError, ErrorCode};
use crate::locale::DateStyle;

/// Default minutes of inactivity before the app locks itself.
pub const DEFAULT_AUTO_LOCK_MINUTES: u32 = 10;

/// Settings read at start, from the environment (tests) or defaults.
#[derive(Debug, Clone)]
pub struct AppOptions {
    /// Overrides the auto-lock delay (`CASEBOOK_AUTO_LOCK_SECS`, for tests).
    pub auto_lock_override: Option<Duration>,
    /// Time between background syncs while nothing changes (`CASEBOOK_SYNC_SECS`).
    pub sync_interval: Duration,
    /// How long after a change the background sync runs.
    pub sync_after_change: Duration,
    /// The name this laptop gives itself when it joins a hub.
    pub device_name: String,
    /// The computer's locale for dates, as a BCP 47 tag (`LC_ALL`, `LC_TIME`, `LANG`).
    pub system_locale: Option<String>,
}

impl AppOptions {
    /// The defaults, adjusted by `CASEBOOK_AUTO_LOCK_SECS` and `CASEBOOK_SYNC_SECS`.
    pub fn from_env() -> Self {
        let secs = |name: &str| {
            std::env::var(name)
                .ok()
                .and_then(|v| v.trim().parse::<u64>().ok())
                .filter(|&s| s > 0)
                .map(Duration::from_secs)
        };
        let device_name = std::fs::read_to_string("/etc/hostname")
            .ok()
            .map(|h| h.trim().to_owned())
            .filter(|h| !h.is_empty())
            .unwrap_or_else(|| "Casebook laptop".to_owned());
        Self {
            auto_lock_override: secs("CASEBOOK_AUTO_LOCK_SECS"),
            sync_interval: secs("CASEBOOK_SYNC_SECS").unwrap_or(Duration::from_secs(120)),
            sync_after_change: Duration::from_secs(3),
            device_name,
            system_locale: crate::locale::system_locale(),
        }
    }
}

/// Settings kept beside the store, in the clear (nothing in them is about a case).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct Settings {
    pub(crate) auto_lock_minutes: u32,
    /// Absent from files written before it existed.
    #[serde(default)]
    pub(crate) date_style: DateStyle,
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            auto_lock_minutes: DEFAULT_AUTO_LOCK_MINUTES,
            date_style: DateStyle::default(),
        }
    }
}

impl App {
    /// Sets the auto-lock delay (1 to 240 minutes) and keeps it beside the store.
    pub fn set_auto_lock(&self, minutes: u32) -> Result<AppState, AppError> {
        if !(1..=240).contains(&minutes) {
            return Err(AppError::invalid("Choose between 1 and 240 minutes."));
        }
        let mut session = lock(&self.session);
        if session.store.is_none() {
            return Err(AppError::locked());
        }
        session.settings.auto_lock_minutes = minutes;
        self.save_settings(&mut session)
    }

    /// Chooses how dates and times are written: as the computer's locale says, or British.
    pub fn set_date_style(&self, style: DateStyle) -> Result<AppState, AppError> {
        let mut session = lock(&self.session);
        if session.store.is_none() {
            return Err(AppError::locked());
        }
        session.settings.date_style = style;
        let state = self.save_settings(&mut session)?;
        drop(session);
        // Every open screen rewrites its dates at once, not at the next navigation.
        (self.events)(AppEvent::State(state.clone()));
        Ok(state)
    }

    /// Writes the settings beside the store and answers the state they make.
    fn save_settings(&self, session: &mut Session) -> Result<AppState, AppError> {
        let bytes = serde_json::to_vec_pretty(&session.settings)
            .map_err(|e| AppError::new(ErrorCode::Internal, e.to_string()))?;
        let path = self.paths.dir.join("settings.json");
        std::fs::write(&path, bytes).map_err(|e| {
            AppError::new(
                ErrorCode::Internal,
                format!("Could not save the settings in {}: {e}", path.display()),
            )
        })?;
        session.last_activity = Instant::now();
        Ok(self.state_of(session))
    }
}
