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

    w.click("Settings");
    w.heading("Settings");
    w.wait_page_contains("As this computer is set (American English)");
    w.check("British: 27 Nov 2026, 14:05");
    w.wait_page_contains("Saved. Dates and times now read 27 Nov 2026, 14:05.");
    w.evidence("settings-dates");

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
}
