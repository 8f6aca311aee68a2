//! Dates in the window: the computer's own conventions when its locale names a language,
//! British when Settings says so (and, in every other window test, where the computer names
//! none: `Profile` runs them with `LC_ALL=C.UTF-8`).
//! Declared from tests/app_window.rs, whose steps (`create_case`, `unlock`) it uses.

use crate::window::{Profile, Window};
use crate::{create_case, unlock, wait_button_gone};

#[test]
fn dates_follow_the_computers_language_until_settings_choose_british() {
    let profile = Profile::new().with_env("LC_ALL", "en_US.UTF-8");
    profile.init_store();
    let w = Window::open(&profile, "dates");
    unlock(&w);
    let reference = create_case(&w, "Fence panels broken between two gardens.");

    w.click("Edit referral");
    w.select("Justice stage", "pre_sentence");
    w.set_value("Court date", "2027-03-04");
    w.click("Save referral");
    wait_button_gone(&w, "Save referral");
    w.wait_page_contains("March 4, 2027");
    assert!(
        !w.page_text().contains("4 March 2027"),
        "an American computer reads American dates:\n{}",
        w.page_text()
    );

    assert_eq!(
        webview_language(&w),
        "en-US",
        "the webview's own date fields follow the same choice"
    );

    w.click("Settings");
    w.heading("Settings");
    w.wait_page_contains("As this computer is set (American English)");
    w.check("British: 27 Nov 2026, 14:05");
    w.wait_page_contains("Saved. Dates and times now read 27 Nov 2026, 14:05.");
    w.evidence("settings-dates");

    w.wait_for("the webview's date fields to turn British", |_| {
        Ok((webview_language(&w) == "en-GB").then_some(()))
    });

    w.click("Caseload");
    w.click_containing(&reference);
    w.wait_page_contains("4 March 2027");
    assert!(!w.page_text().contains("March 4"), "{}", w.page_text());

    // The choice is kept beside the store: it holds after the app starts again.
    let mut w = w;
    w.reopen();
    unlock(&w);
    w.click_containing(&reference);
    w.wait_page_contains("4 March 2027");
    assert_eq!(webview_language(&w), "en-GB", "told again when the app starts");
}

/// The language WebKit lays out `<input type=date>` in: the first of its preferred languages,
/// which `navigator.language` reports (12/02/2026 for 2 December under `en-US`, 02/12/2026
/// under `en-GB`; `docs/screenshots/meeting-plan.png` shows a British one).
fn webview_language(w: &Window) -> String {
    w.s.execute("return navigator.language", vec![])
        .unwrap()
        .as_str()
        .unwrap_or_default()
        .to_owned()
}
