//! Window tests of the desktop app: the real `casebook-app` under Xvfb, driven through
//! tauri-driver/WebKitWebDriver the way a person uses it — by labels, button texts and
//! headings (docs/app.md lists them). Each test has its own display, driver ports, store and
//! home folders, so they run in parallel. Screens are saved to docs/screenshots/ and checked
//! with axe-core (serious and critical WCAG A/AA violations fail).
//!
//! How to run them: docs/testing.md.

#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

mod window;

// The store's passphrase: first run (and a crash while typing), a wrong passphrase, the auto-lock.
#[path = "window/lock.rs"]
mod lock;

// Syncing through a hub: a visit reaches the supervisor, a conflict is resolved.
#[path = "window/sync.rs"]
mod sync;

// The risk assessment: submitted in the window, approved by a supervisor elsewhere.
#[path = "window/risk.rs"]
mod risk;

// The case, whole: editing the referral, status changes, amending a visit.
#[path = "window/case_whole.rs"]
mod case_whole;

// The sign-off queue: a supervisor approves a facilitator's risk assessment from it.
#[path = "window/signoffs.rs"]
mod signoffs;

// A meeting planned, its readiness checklist, held, and its agreement saved as PDF.
#[path = "window/meeting.rs"]
mod meeting;

// The pre-sentence court report: a draft on every page until a supervisor approves it.
#[path = "window/court_report.rs"]
mod court_report;

// Dates as the computer's language writes them, or British by choice in Settings.
#[path = "window/dates.rs"]
mod dates;

// The supervisor's dashboard: a fixture's figures in its tables and charts, each opening its cases.
#[path = "window/dashboard.rs"]
mod dashboard;

// A forgotten passphrase reset with a recovery code made in Settings, and a laptop handed in.
#[path = "window/accountability.rs"]
mod accountability;

// A large caseload, a hundred cases at a time.
#[path = "window/caseload.rs"]
mod caseload;

use std::path::PathBuf;
use std::time::{Duration, Instant};

use serde_json::Value;
use window::webdriver::{Session, WdResult};
use window::{PASSPHRASE, Profile, Window};

// --- steps a person takes, by the names docs/app.md gives them --------------------------

/// Welcome → "Join a hub" → address, code, passphrase twice → "Join hub".
fn join_hub(w: &Window, hub_url: &str, code: &str) {
    w.heading("Welcome to Casebook");
    w.click("Join a hub");
    w.fill("Hub address", hub_url);
    w.fill("Enrollment code", code);
    w.fill("Passphrase", PASSPHRASE);
    w.fill("Repeat passphrase", PASSPHRASE);
    w.click("Join hub");
    w.wait_for("the caseload after joining the hub", |s| {
        let h1 = Window::displayed(s, "//h1")?;
        Ok(match h1 {
            Some(el) => {
                let t = s.text(&el)?;
                (t.trim() == "Caseload" || t.trim() == "Team caseload").then_some(())
            }
            None => None,
        })
    });
}

/// Unlock screen → passphrase → the caseload.
fn unlock(w: &Window) {
    w.heading("Unlock Casebook");
    w.fill("Passphrase", PASSPHRASE);
    w.click("Unlock");
    w.heading("Caseload");
}

/// Today's date (UTC) as YYYY-MM-DD.
fn today() -> String {
    let days = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64
        / 86_400;
    // H. Hinnant's civil_from_days.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!("{y:04}-{m:02}-{d:02}")
}

/// Fills a date field with today's date when it is empty (the app may default it).
fn date_if_empty(w: &Window, label: &str) {
    if w.value_of(label).trim().is_empty() {
        w.set_value(label, &today());
    }
}

/// Caseload → "New case" → the form → the new case's page; returns its reference (the h1).
fn create_case(w: &Window, summary: &str) -> String {
    w.click("New case");
    w.heading("New case");
    w.select("Kind", "restorative_justice");
    w.select("Justice stage", "out_of_court");
    w.select("Referral source", "police");
    w.fill("Referrer", "PC Example");
    w.fill("Summary", summary);
    date_if_empty(w, "Received on");
    w.click("Create case");
    w.wait_for("the new case's page (an h1 holding its reference)", |s| {
        let Some(h1) = Window::displayed(s, "//h1")? else {
            return Ok(None);
        };
        let t = s.text(&h1)?.trim().to_owned();
        Ok(looks_like_reference(&t).then_some(t))
    })
}

/// "P-7KQ2MZ", "RH-2026-0042": capitals, a dash, no spaces.
fn looks_like_reference(text: &str) -> bool {
    !text.is_empty()
        && text.contains('-')
        && !text.contains(char::is_whitespace)
        && text
            .chars()
            .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '-')
}

/// Waits until no button `text` is displayed (a form closed after saving).
fn wait_button_gone(w: &Window, text: &str) {
    let xpath = Window::button_xpath(text);
    w.wait_for(&format!("the button {text:?} to go away (the form saved)"), |s| {
        Ok(Window::displayed(s, &xpath)?.is_none().then_some(()))
    });
}

/// Case page → "Add party" → name and role → "Save party".
fn add_party(w: &Window, name: &str, role: &str) {
    w.click("Add party");
    w.fill("Name", name);
    w.select("Role", role);
    w.click("Save party");
    wait_button_gone(w, "Save party");
    w.wait_page_contains(name);
}

/// Case page → "Record consent" → given, verbal, for contact by the service.
fn record_consent(w: &Window, party: &str) {
    w.click("Record consent");
    w.select("Party", party);
    w.select("Scope", "contact");
    w.select("Decision", "given");
    w.select("Method", "verbal");
    date_if_empty(w, "Date");
    w.click("Save consent");
    wait_button_gone(w, "Save consent");
}

/// Waits until `#draft-state` has said "Saved" for 1 s in a row. (The ui says "Saved" only
/// when the store holds exactly the text on screen; the second is a margin.)
fn wait_saved(w: &Window) {
    let mut since: Option<Instant> = None;
    w.wait_for("#draft-state to say \"Saved\" (steadily for 1 s)", |s| {
        let els = s.css_all("#draft-state")?;
        let saved = match els.first() {
            Some(el) => s.text(el)?.trim() == "Saved",
            None => false,
        };
        if !saved {
            since = None;
            return Ok(None);
        }
        let t = *since.get_or_insert_with(Instant::now);
        Ok((t.elapsed() >= Duration::from_secs(1)).then_some(()))
    });
}

/// The case page → "Record a visit" with `party` ticked.
fn start_visit(w: &Window, party: &str) {
    w.click("Record a visit");
    w.heading("Record a visit");
    w.check(party);
    date_if_empty(w, "Date");
}

// --- the harness's self-check and the memory measurement -----------------------------------
// (The scenarios are in the modules under tests/window/ declared above.)

/// The harness itself, on a plain page in WebKit's MiniBrowser (no app needed): finding by
/// label and button text, typing, selects, dates, alerts, scripts, screenshots and axe. A
/// failure here is the harness's, not the app's.
#[test]
fn harness_drives_a_plain_webkit_page() {
    let browser = PathBuf::from("/usr/lib/x86_64-linux-gnu/webkit2gtk-4.1/MiniBrowser");
    if !browser.is_file() {
        eprintln!("skipped: no MiniBrowser at {}", browser.display());
        return;
    }
    let profile = Profile::new();
    let page = profile.root.join("page.html");
    std::fs::write(
        &page,
        r#"<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Harness check</title></head>
<body><main><h1>Harness check</h1>
<label for="pp">Passphrase</label><input id="pp" type="password">
<label for="rp">Repeat passphrase</label><input id="rp" type="password">
<label>Kind <select><option value="a">Restorative Justice</option><option value="restorative_mediation">Restorative Mediation</option></select></label>
<label for="d">Date</label><input id="d" type="date">
<label><input type="checkbox" id="ann"> Ann Example</label>
<label for="n">Notes</label><textarea id="n"></textarea>
<p id="draft-state">Saved</p>
<button type="button" onclick="document.getElementById('out').textContent='Passphrases: ' + (document.getElementById('pp').value === document.getElementById('rp').value ? 'same' : 'they do not match')">Create store</button>
<div id="out" role="alert"></div></main></body></html>"#,
    )
    .unwrap();
    let w = Window::open_program(&profile, "harness", browser, vec!["--automation".into()]);
    w.s.navigate(&format!("file://{}", page.display())).unwrap();
    w.heading("Harness check");
    w.fill("Passphrase", "one thing");
    w.fill("Repeat passphrase", "another");
    assert_eq!(w.value_of("Passphrase"), "one thing");
    w.click("Create store");
    assert!(w.alert_saying(&["match"]).contains("they do not match"));
    w.select("Kind", "restorative_mediation");
    assert_eq!(w.value_of("Kind"), "restorative_mediation");
    w.select("Kind", "restorative justice");
    assert_eq!(w.value_of("Kind"), "a");
    w.set_value("Date", "2026-11-27");
    assert_eq!(w.value_of("Date"), "2026-11-27");
    w.check("Ann Example");
    let ann = w.field("Ann Example");
    assert_eq!(w.s.property(&ann, "checked").unwrap(), Value::Bool(true));
    w.type_into("Notes", "first ");
    w.type_into("Notes", "second");
    assert_eq!(w.value_of("Notes"), "first second");
    wait_saved(&w);
    let png = w.s.screenshot().unwrap();
    assert!(
        png.starts_with(b"\x89PNG") && png.len() > 1000,
        "screenshot is not a PNG"
    );
    w.axe_check("harness page");
    assert!(w.app_pid() > 0);
    assert!(!w.app_memory().is_empty());
}

/// Memory of the app with a large caseload open: the app process plus WebKit's processes it
/// started (VmRSS from /proc). Not part of the suite: `scripts/app-measure` runs it against
/// the release binary (`CASEBOOK_APP_BIN`), with `CASEBOOK_MEASURE_CASES` cases (1000), then a
/// long session of `CASEBOOK_MEASURE_NAVIGATIONS` screen changes (500).
#[test]
#[ignore = "a measurement; scripts/app-measure runs it"]
fn measure_memory_with_a_large_caseload() {
    let cases: usize = std::env::var("CASEBOOK_MEASURE_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1000);
    let profile = Profile::new();
    profile.init_store();
    let made = Instant::now();
    profile.cli_json(&["demo", "--cases", &cases.to_string()]);
    let demo_secs = made.elapsed().as_secs_f64();

    let started = Instant::now();
    let w = Window::open(&profile, "measure");
    let start_secs = started.elapsed().as_secs_f64();
    w.heading("Unlock Casebook");
    std::thread::sleep(Duration::from_secs(3));
    let locked = w.app_memory();

    let unlocking = Instant::now();
    unlock(&w);
    // The caseload is on screen when its row links stop increasing.
    let mut last = (0usize, Instant::now());
    let rows = w.wait_for_up_to(Duration::from_secs(120), "the caseload's rows to settle", |s| {
        let n = s
            .execute(
                "return document.querySelectorAll('main a, [role=main] a').length",
                vec![],
            )?
            .as_u64()
            .unwrap_or(0) as usize;
        if n != last.0 {
            last = (n, Instant::now());
            return Ok(None);
        }
        Ok((n > 0 && last.1.elapsed() >= Duration::from_secs(2)).then_some(n))
    });
    let caseload_secs = unlocking.elapsed().as_secs_f64() - 2.0;
    // From the unlock's answer (scrypt done) to the first frame with the cards: the ui's marks.
    let marks = w.wait_for("the caseload's performance marks", |s| {
        let at = s.execute(
            "const at = (n) => performance.getEntriesByName('casebook:' + n)[0]?.startTime;
             const m = ['unlocked', 'caseload-asked', 'caseload-answered', 'caseload-shown'].map(at);
             return m.includes(undefined) ? null : m;",
            vec![],
        )?;
        Ok(at
            .as_array()
            .map(|m| m.iter().filter_map(Value::as_f64).collect::<Vec<f64>>()))
    });
    let [unlocked, asked, answered, shown] = marks[..] else {
        panic!("four marks: {marks:?}")
    };
    let shown_ms = shown - unlocked;
    println!(
        "unlock answered → caseload asked {:.0} ms → answered {:.0} ms → first frame {:.0} ms",
        asked - unlocked,
        answered - asked,
        shown - answered
    );
    std::thread::sleep(Duration::from_secs(3));
    let open = w.app_memory();

    // A long session: screen after screen (settings, the caseload, a case, the caseload), PSS
    // sampled after a warm-up and at the end; the goal is no growth beyond 10 % between them.
    let navigations: usize = std::env::var("CASEBOOK_MEASURE_NAVIGATIONS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(500);
    let mut samples: Vec<(usize, u64)> = Vec::new();
    let pss = |w: &Window| w.app_memory().iter().map(|m| m.pss_kib).sum::<u64>();
    samples.push((0, pss(&w)));
    let session = Instant::now();
    for n in 1..=navigations {
        let link = match n % 4 {
            1 => "header a[href='#settings']",
            2 | 0 => "header a[href='#caseload']",
            _ => "main a[href^='#case/']",
        };
        navigate(&w, link);
        if n == 50.min(navigations) || n % 100 == 0 || n == navigations {
            std::thread::sleep(Duration::from_secs(2));
            samples.push((n, pss(&w)));
        }
    }
    let session_secs = session.elapsed().as_secs_f64();

    let mib = |kib: u64| format!("{:.1}", kib as f64 / 1024.0);
    if let (Some(first), Some(last)) = (samples.first(), samples.last()) {
        println!("\n== a long session: {navigations} navigations in {session_secs:.0} s (total PSS, MiB)");
        for (n, kib) in &samples {
            println!("after {n:>4} navigations: {}", mib(*kib));
        }
        let growth = |from: u64| (last.1 as f64 / from as f64 - 1.0) * 100.0;
        println!("growth from the caseload first shown: {:+.1} %", growth(first.1));
        if let Some((n, warm)) = samples.get(1).filter(|_| samples.len() > 2) {
            println!(
                "growth from navigation {n} (every screen seen) to {}: {:+.1} %",
                last.0,
                growth(*warm)
            );
        }
    }
    println!(
        "\n== casebook-app memory ({cases} demo cases, {} binary)",
        window::app_bin().display()
    );
    println!(
        "demo data: {demo_secs:.1} s; window up: {start_secs:.1} s; unlock to caseload: {caseload_secs:.1} s \
         ({shown_ms:.0} ms from the unlock's answer to the cards' first frame); case links on screen: {rows}"
    );
    println!("MiB; RSS counts shared libraries in every process, PSS divides them among the processes");
    println!(
        "{:<8} {:<22} {:>12} {:>12} {:>14} {:>14}",
        "pid", "process", "locked RSS", "locked PSS", "caseload RSS", "caseload PSS"
    );
    let mut totals = [0u64; 4];
    for m in &open {
        let before = locked.iter().find(|b| b.pid == m.pid);
        let row = [
            before.map_or(0, |b| b.rss_kib),
            before.map_or(0, |b| b.pss_kib),
            m.rss_kib,
            m.pss_kib,
        ];
        for (t, v) in totals.iter_mut().zip(row) {
            *t += v;
        }
        println!(
            "{:<8} {:<22} {:>12} {:>12} {:>14} {:>14}",
            m.pid,
            m.name,
            mib(row[0]),
            mib(row[1]),
            mib(row[2]),
            mib(row[3])
        );
    }
    println!(
        "{:<8} {:<22} {:>12} {:>12} {:>14} {:>14}",
        "",
        "total",
        mib(totals[0]),
        mib(totals[1]),
        mib(totals[2]),
        mib(totals[3])
    );
}

/// Follows the link `selector` picks (the app routes in memory) and waits for the next
/// screen's heading.
fn navigate(w: &Window, selector: &str) {
    let heading = |s: &Session| -> WdResult<String> {
        Ok(s.execute(
            "const h = document.querySelector('h1'); return h ? h.textContent.trim() : ''",
            vec![],
        )?
        .as_str()
        .unwrap_or_default()
        .to_owned())
    };
    let before = heading(&w.s).unwrap_or_default();
    w.wait_for(&format!("a link {selector:?} to follow"), |s| {
        let clicked = s.execute(
            "const a = document.querySelector(arguments[0]); if (!a) return false; a.click(); return true;",
            vec![serde_json::json!(selector)],
        )?;
        Ok(clicked.as_bool().unwrap_or(false).then_some(()))
    });
    w.wait_for(&format!("the screen after {selector:?}"), |s| {
        let now = heading(s)?;
        Ok((!now.is_empty() && now != before).then_some(()))
    });
}
