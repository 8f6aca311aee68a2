//! The window-test harness: the real `casebook-app` under a private Xvfb display, driven
//! through tauri-driver (→ WebKitWebDriver) by the shared test kit's WebDriver client
//! (`casebook_testkit::webdriver`, over `fantoccini`), with its store and every home/XDG folder
//! in a scratch directory. Xvfb, tauri-driver and processes by pid are the kit's too.
//!
//! - [`Profile`]: a scratch "laptop": `CASEBOOK_STORE`, HOME, XDG dirs, extra env; it can run
//!   the `casebook` CLI on the same store.
//! - [`Window`]: Xvfb + tauri-driver + one session of the app for a profile; finds controls
//!   the way a person does (label text, button text, headings), waits with clear failures,
//!   saves screenshots to docs/screenshots/, runs axe-core. Dropping it stops exactly the
//!   processes it started (by pid).
//!
//! tauri-driver cannot pass environment variables to the app, so each window starts its own
//! tauri-driver with the profile's environment; WebKitWebDriver and the app inherit it.
//!
//! The harness is split by concern; the tests name everything through this module
//! (`window::Profile`, `window::Window`, ...), whichever file holds it:
//!
//! - `paths`: the repository, the binaries under test, the step timeout, the failure folder;
//! - `profile`: [`Profile`], the CLI on its store, and the hub (`start_hub`, `reference_of`);
//! - `driver`: [`Window`] started, restarted, measured and dropped; [`Memory`];
//! - `controls`, `forms`, `wait`, `evidence`: the window's steps, an `impl Window` each
//!   (finding and clicking; filling fields; waiting and reading the screen; screenshots and axe);
//! - `pdf`: the PDFs the app writes, read back with poppler.

#![allow(dead_code, clippy::unwrap_used, clippy::expect_used, missing_docs)]

mod controls;
mod driver;
mod evidence;
mod forms;
mod paths;
mod pdf;
mod profile;
mod wait;

pub use casebook_testkit::util::marker;
pub use casebook_testkit::webdriver;

// The whole harness, as one module held it before the split; not every item has a test using
// it from outside (as with `dead_code` above).
#[allow(unused_imports)]
pub use driver::{Memory, Window};
#[allow(unused_imports)]
pub use paths::{app_bin, build_dir, failure_dir, repo_root, step_timeout, workspace_bin};
pub use pdf::{pdf_first_page_png, pdf_pages};
#[allow(unused_imports)]
pub use profile::{CLI_RISK_FACTORS, PASSPHRASE, Profile, reference_of, start_hub};
