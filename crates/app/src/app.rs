//! The app's session: which store, locked or not, who is using it; creating, joining, unlocking,
//! locking (by hand or when idle) and erasing it; and the gates every action passes to reach the
//! store. The actions live in one module per area (`caseload.rs`, `visits.rs`...), each its own
//! `impl App`.

use std::path::PathBuf;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant};

use casebook_domain::Role;
use casebook_store::{ExposeSecret, SecretString, Store, StorePaths};

use crate::background::SyncTrack;
use crate::dto::{Abilities, AppPhase, AppState};
use crate::error::{AppError, ErrorCode};
use crate::locale::DateFormat;
use crate::settings::{AppOptions, Settings};

/// The open store's page cache in the app, in KiB: the window reads a hundred cases at a time,
/// so a quarter of the store's default keeps the laptop's memory for the page (issue 10 item 5:
/// with 10,000 cases the default's 64 MiB filled on the first caseload after a big sync).
const PAGE_CACHE_KIB: u32 = 4 * 1024;

/// Something the ui should hear about without asking.
#[derive(Debug, Clone)]
pub enum AppEvent {
    /// The phase changed by itself (auto-lock, wipe) or by a command.
    State(AppState),
    /// The sync indicator changed.
    Sync(crate::dto::SyncView),
}

/// Where the app sends its events (the window forwards them to the ui).
pub type Emitter = Arc<dyn Fn(AppEvent) + Send + Sync>;

/// What is kept about the user while unlocked (and remembered while locked).
#[derive(Debug, Clone, Default)]
struct Who {
    name: Option<String>,
    role: Option<Role>,
    hub: Option<String>,
}

pub(crate) struct Session {
    pub(crate) store: Option<Store>,
    pub(crate) last_activity: Instant,
    who: Who,
    reason: Option<String>,
    pub(crate) settings: Settings,
}

/// The desktop app without its window.
pub struct App {
    pub(crate) paths: StorePaths,
    pub(crate) options: AppOptions,
    pub(crate) session: Mutex<Session>,
    pub(crate) sync: Mutex<SyncTrack>,
    pub(crate) wake: tokio::sync::Notify,
    /// Held for the length of a sync round.
    pub(crate) round: tokio::sync::Mutex<()>,
    pub(crate) events: Emitter,
}

impl std::fmt::Debug for App {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("App")
            .field("dir", &self.paths.dir)
            .finish_non_exhaustive()
    }
}

pub(crate) fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    // Every change to the store is one transaction, so a panic elsewhere cannot leave it torn.
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

fn secret(s: String) -> SecretString {
    SecretString::from(s)
}

pub(crate) fn nonempty(s: Option<String>) -> Option<String> {
    s.map(|s| s.trim().to_owned()).filter(|s| !s.is_empty())
}

impl App {
    /// The app for the store in `paths`.
    pub fn new(paths: StorePaths, options: AppOptions, events: Emitter) -> Arc<Self> {
        let settings = std::fs::read(paths.dir.join("settings.json"))
            .ok()
            .and_then(|b| serde_json::from_slice(&b).ok())
            .unwrap_or_default();
        let sync = SyncTrack::new(&options);
        Arc::new(Self {
            paths,
            options,
            session: Mutex::new(Session {
                store: None,
                last_activity: Instant::now(),
                who: Who::default(),
                reason: None,
                settings,
            }),
            sync: Mutex::new(sync),
            wake: tokio::sync::Notify::new(),
            round: tokio::sync::Mutex::new(()),
            events,
        })
    }

    /// Where the store lives.
    pub fn paths(&self) -> &StorePaths {
        &self.paths
    }

    pub(crate) fn wiped_marker(&self) -> PathBuf {
        self.paths.dir.join("wiped")
    }

    /// The app's state now.
    pub fn state(&self) -> AppState {
        let session = lock(&self.session);
        self.state_of(&session)
    }

    pub(crate) fn state_of(&self, session: &Session) -> AppState {
        let phase = if session.store.is_some() {
            AppPhase::Unlocked
        } else if self.paths.exists() {
            AppPhase::Locked
        } else if self.wiped_marker().exists() {
            AppPhase::Wiped
        } else {
            AppPhase::FirstRun
        };
        AppState {
            phase,
            store_dir: self.paths.dir.display().to_string(),
            user_name: session.who.name.clone(),
            role: role_of(&session.who),
            hub: session.who.hub.clone(),
            auto_lock_minutes: session.settings.auto_lock_minutes,
            reason: session.reason.clone(),
            may: Abilities::of(role_of(&session.who)),
            dates: DateFormat::resolve(session.settings.date_style, self.options.system_locale.clone()),
            documents_dir: crate::documents::documents_folder().display().to_string(),
        }
    }

    fn emit_state(&self) -> AppState {
        let state = self.state();
        (self.events)(AppEvent::State(state.clone()));
        state
    }

    pub(crate) fn install(&self, store: Store) -> Result<AppState, AppError> {
        store.set_page_cache_kib(PAGE_CACHE_KIB)?;
        let link = store.hub_link()?;
        {
            let mut session = lock(&self.session);
            session.who = match link {
                Some(l) => Who {
                    name: Some(l.user_name),
                    role: Some(l.role),
                    hub: Some(l.url),
                },
                None => Who::default(),
            };
            session.store = Some(store);
            session.last_activity = Instant::now();
            session.reason = None;
        }
        tracing::info!("store unlocked");
        self.sync_soon(Duration::ZERO);
        Ok(self.emit_state())
    }

    /// Creates a new store sealed with `passphrase` (typed twice) and opens it.
    pub fn create_store(&self, passphrase: String, confirm: String) -> Result<AppState, AppError> {
        let passphrase = check_pair(passphrase, confirm, &[&self.options.device_name])?;
        let store = Store::create(&self.paths, &passphrase)?;
        let _ = std::fs::remove_file(self.wiped_marker());
        self.install(store)
    }

    /// Creates a new store and enrolls it with a hub using a one-time code. If the hub refuses,
    /// the new (empty) store is removed again, so the user can simply try again.
    pub async fn join_hub(
        &self,
        hub_url: String,
        code: String,
        passphrase: String,
        confirm: String,
    ) -> Result<AppState, AppError> {
        let hub_url = nonempty(Some(hub_url)).ok_or_else(|| AppError::invalid("Enter the hub's address."))?;
        let code = nonempty(Some(code)).ok_or_else(|| AppError::invalid("Enter the enrollment code."))?;
        let passphrase = check_pair(passphrase, confirm, &[&hub_url, &self.options.device_name])?;
        let paths = self.paths.clone();
        let for_create = SecretString::from(passphrase.expose_secret().to_owned());
        let mut store = tokio::task::spawn_blocking(move || Store::create(&paths, &for_create))
            .await
            .map_err(|e| AppError::new(ErrorCode::Internal, e.to_string()))??;
        match casebook_sync::enroll(&mut store, &hub_url, &code, &self.options.device_name).await {
            Ok(link) => {
                // As `casebook enroll` does: the organisation's recovery key can then reset a
                // forgotten passphrase without losing what was not synced yet.
                if let Some(recipient) = link.recovery_recipient {
                    let paths = self.paths.clone();
                    tokio::task::spawn_blocking(move || {
                        Store::seal_recovery(&paths, &passphrase, &recipient)
                    })
                    .await
                    .map_err(|e| AppError::new(ErrorCode::Internal, e.to_string()))??;
                }
                let _ = std::fs::remove_file(self.wiped_marker());
                self.install(store)
            }
            Err(e) => {
                drop(store);
                self.remove_unused_store();
                Err(e.into())
            }
        }
    }

    /// Removes a store made moments ago that holds nothing (an enrollment that failed).
    fn remove_unused_store(&self) {
        for name in ["store.key", "store.db", "store.db-wal", "store.db-shm"] {
            let path = self.paths.dir.join(name);
            if let Err(e) = std::fs::remove_file(&path)
                && e.kind() != std::io::ErrorKind::NotFound
            {
                tracing::warn!(file = name, error = %e, "could not remove the unused store");
            }
        }
    }

    /// Unlocks the store. A wrong passphrase changes nothing.
    pub fn unlock(&self, passphrase: String) -> Result<AppState, AppError> {
        if passphrase.is_empty() {
            return Err(AppError::invalid("Enter your passphrase."));
        }
        let store = Store::open(&self.paths, &secret(passphrase))?;
        self.install(store)
    }

    /// Locks: the store is closed and its key leaves memory.
    pub fn lock(&self) -> AppState {
        self.lock_because(None);
        self.emit_state()
    }

    fn lock_because(&self, reason: Option<String>) {
        let mut session = lock(&self.session);
        if let Some(store) = session.store.take() {
            drop(store);
            tracing::info!("store locked");
        }
        session.reason = reason;
    }

    /// The user did something: postpones the auto-lock.
    pub fn touch(&self) {
        lock(&self.session).last_activity = Instant::now();
    }

    fn auto_lock_after(&self, session: &Session) -> Duration {
        self.options.auto_lock_override.unwrap_or(Duration::from_secs(
            u64::from(session.settings.auto_lock_minutes) * 60,
        ))
    }

    /// Locks the store if it has been idle too long; returns whether it did.
    pub fn lock_if_idle(&self, now: Instant) -> bool {
        let minutes = {
            let session = lock(&self.session);
            if session.store.is_none()
                || now.duration_since(session.last_activity) < self.auto_lock_after(&session)
            {
                return false;
            }
            session.settings.auto_lock_minutes
        };
        let reason = match self.options.auto_lock_override {
            Some(_) => "Casebook locked itself after a while without activity.".to_owned(),
            None => format!("Casebook locked itself after {minutes} minutes without activity."),
        };
        self.lock_because(Some(reason));
        self.emit_state();
        true
    }

    /// Runs `f` on the open store.
    pub(crate) fn with_store<T>(
        &self,
        f: impl FnOnce(&mut Store) -> Result<T, AppError>,
    ) -> Result<T, AppError> {
        let mut session = lock(&self.session);
        let store = session.store.as_mut().ok_or_else(AppError::locked)?;
        f(store)
    }

    /// Runs a change on the open store if the user `may` make it, then schedules a sync; anyone
    /// else is refused as `read_only` in their role's words before the store is touched (the
    /// store and the hub would refuse the op too).
    pub(crate) fn change<T>(
        &self,
        may: fn(&Abilities) -> bool,
        f: impl FnOnce(&mut Store) -> Result<T, AppError>,
    ) -> Result<T, AppError> {
        self.change_refused_as(may, None, f)
    }

    fn change_refused_as<T>(
        &self,
        may: fn(&Abilities) -> bool,
        refusal: Option<&str>,
        f: impl FnOnce(&mut Store) -> Result<T, AppError>,
    ) -> Result<T, AppError> {
        let value = {
            let mut session = lock(&self.session);
            let role = role_of(&session.who);
            if !may(&Abilities::of(role)) {
                let message = refusal.unwrap_or_else(|| crate::may::refusal(role));
                return Err(AppError::new(ErrorCode::ReadOnly, message));
            }
            session.last_activity = Instant::now();
            let store = session.store.as_mut().ok_or_else(AppError::locked)?;
            f(store)?
        };
        self.sync_soon(self.options.sync_after_change);
        Ok(value)
    }

    /// Runs a change only a supervisor makes (a supervision note, a sign-off), like
    /// [`App::change`] but refused to anyone else with `refusal`, which says who may.
    pub(crate) fn supervise<T>(
        &self,
        refusal: &str,
        may: fn(&Abilities) -> bool,
        f: impl FnOnce(&mut Store) -> Result<T, AppError>,
    ) -> Result<T, AppError> {
        self.change_refused_as(may, Some(refusal), f)
    }

    /// Erases the store on the hub's order (after the sync handed over what it had).
    pub(crate) fn wipe(&self) {
        let store = lock(&self.session).store.take();
        let Some(store) = store else { return };
        if let Err(e) = store.wipe() {
            tracing::error!(error = %e, "the ordered wipe failed");
        }
        tracing::warn!("store wiped by order of the hub");
        self.erased(
            b"wiped by order of the hub\n",
            Some(
                "Your hub's administrator removed this laptop from Casebook and asked for its data to be erased. \
                 Anything it had not sent yet was handed to the hub first; then everything here was erased."
                    .to_owned(),
            ),
        );
    }

    /// After the store was erased (an ordered wipe, a handover): leaves `marker` for the Wiped
    /// screen, forgets who used the laptop and says `reason`.
    pub(crate) fn erased(&self, marker: &[u8], reason: Option<String>) {
        if let Err(e) = std::fs::write(self.wiped_marker(), marker) {
            tracing::warn!(error = %e, "could not leave the wiped marker");
        }
        {
            let mut session = lock(&self.session);
            session.who = Who::default();
            session.reason = reason;
        }
        self.emit_state();
    }

    /// After a wipe: back to the first-run screen.
    pub fn acknowledge_wipe(&self) -> AppState {
        let _ = std::fs::remove_file(self.wiped_marker());
        lock(&self.session).reason = None;
        self.emit_state()
    }
}

fn role_of(who: &Who) -> Role {
    // A store that never joined a hub is its facilitator's own.
    who.role.unwrap_or(Role::Facilitator)
}

/// The passphrase, if both copies agree and the store would accept it from someone who knows
/// `user_inputs` (the hub's address, this laptop's name).
pub(crate) fn check_pair(
    passphrase: String,
    confirm: String,
    user_inputs: &[&str],
) -> Result<SecretString, AppError> {
    if passphrase != confirm {
        return Err(AppError::new(
            ErrorCode::PassphraseMismatch,
            "The two passphrases are different. Type the same passphrase twice.",
        ));
    }
    let passphrase = secret(passphrase);
    casebook_store::check_new_passphrase(&passphrase, user_inputs)?;
    Ok(passphrase)
}
