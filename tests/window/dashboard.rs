//! The supervisor's dashboard in the window: two facilitators of one team write six cases with
//! the `casebook` command line on their own laptops (dates chosen so every figure has a known
//! answer), a real hub carries them to their supervisor, whose dashboard must show exactly those
//! numbers in its accessible tables, draw each group as an SVG chart whose bars have the same
//! proportions, and open each figure's cases, exactly those, from a table's count and from a bar.
//! No meeting was held, so that group says so in a sentence.
//! Declared from tests/app_window.rs, whose steps it uses.

use std::collections::{BTreeMap, BTreeSet};

use crate::join_hub;
use crate::window::{Profile, Window, marker, start_hub, webdriver::xpath_literal};
use casebook_testkit::util::date_from_today;

/// One case of the fixture, written on a facilitator's laptop.
struct Fixture {
    name: &'static str,
    stage: &'static str,
    source: &'static str,
    received: i64,
    court: Option<i64>,
    /// The day of the first contact, from today.
    contact: Option<i64>,
    /// Status changes, in order (`closed` with an outcome).
    moves: &'static [&'static str],
}

/// Today is day 0. A supervision is due every 84 days; first contacts count from day -90;
/// the first-contact target is 10 working days (at most 16 calendar days here).
const FAY: [Fixture; 3] = [
    // No contact, and its target long past: first contact overdue.
    Fixture {
        name: "A",
        stage: "out-of-court",
        source: "police",
        received: -30,
        court: None,
        contact: None,
        moves: &[],
    },
    // Court in a week: due soon. Received two days ago: its target has not passed.
    Fixture {
        name: "B",
        stage: "pre-sentence",
        source: "court",
        received: -2,
        court: Some(7),
        contact: None,
        moves: &[],
    },
    // Contacted 2 days after the referral: within the target.
    Fixture {
        name: "C",
        stage: "out-of-court",
        source: "police",
        received: -20,
        court: None,
        contact: Some(-18),
        moves: &["contacting"],
    },
];

const FEMI: [Fixture; 3] = [
    // Contacted 90 days after the referral: not within the target; no supervision for 12 weeks.
    Fixture {
        name: "D",
        stage: "post-sentence",
        source: "probation",
        received: -100,
        court: None,
        contact: Some(-10),
        moves: &["contacting"],
    },
    // First contacted before the 13 weeks counted; no supervision for 12 weeks.
    Fixture {
        name: "E",
        stage: "out-of-court",
        source: "police",
        received: -100,
        court: None,
        contact: Some(-96),
        moves: &["contacting"],
    },
    // Closed: no open figure counts it, but its first contact (1 day, within) does.
    Fixture {
        name: "F",
        stage: "out-of-court",
        source: "school",
        received: -10,
        court: None,
        contact: Some(-9),
        moves: &["contacting", "closed"],
    },
];

/// Enrolls `profile` with `code` and writes `cases` there; returns name → case id.
fn write_cases(
    profile: &Profile,
    hub_url: &str,
    code: &str,
    cases: &[Fixture],
) -> BTreeMap<&'static str, String> {
    std::fs::create_dir_all(&profile.store).unwrap();
    profile.cli_json(&["enroll", "--hub", hub_url, "--code", code, "--name", "laptop"]);
    let mut ids = BTreeMap::new();
    for f in cases {
        let summary = format!("Case {} of the dashboard fixture {}", f.name, marker());
        let received = date_from_today(f.received);
        let court = f.court.map(date_from_today);
        let mut args = vec![
            "case",
            "new",
            "--kind",
            "rj",
            "--stage",
            f.stage,
            "--source",
            f.source,
            "--summary",
            &summary,
            "--received",
            &received,
        ];
        if let Some(court) = &court {
            args.extend(["--court-date", court.as_str()]);
        }
        let case = profile.cli_json(&args)["id"].as_str().unwrap().to_owned();
        if let Some(day) = f.contact {
            let party = format!("Party {}", f.name);
            profile.cli_json(&["party", "add", &case, "--role", "victim", "--name", &party]);
            profile.cli_json(&[
                "contact",
                "add",
                &case,
                "--party",
                &party,
                "--kind",
                "call",
                "--date",
                &date_from_today(day),
                "--notes",
                "First call.",
            ]);
        }
        for to in f.moves {
            let mut args = vec!["case", "status", &case, "--to", to];
            if *to == "closed" {
                args.extend(["--outcome", "Agreement completed"]);
            }
            profile.cli_json(&args);
        }
        ids.insert(f.name, case);
    }
    profile.cli_json(&["sync"]);
    ids
}

/// Every table of the dashboard: the heading of its section → (row name, count) in order.
fn tables(w: &Window) -> BTreeMap<String, Vec<(String, u64)>> {
    let found = w
        .s
        .execute(
            "return Array.from(document.querySelectorAll('main section')).filter(s => s.querySelector('table'))\
               .map(s => [s.querySelector('h2').textContent.trim(),\
                 Array.from(s.querySelectorAll('table tbody tr')).map(tr =>\
                   [tr.querySelector('th').textContent.trim(), tr.querySelector('td').textContent.trim()])]);",
            vec![],
        )
        .unwrap();
    found
        .as_array()
        .unwrap()
        .iter()
        .map(|t| {
            let rows = t[1]
                .as_array()
                .unwrap()
                .iter()
                .map(|r| {
                    let count = r[1].as_str().unwrap();
                    let count = count
                        .parse()
                        .unwrap_or_else(|_| panic!("not a count: {count:?} in {t}"));
                    (r[0].as_str().unwrap().to_owned(), count)
                })
                .collect();
            (t[0].as_str().unwrap().to_owned(), rows)
        })
        .collect()
}

fn rows(pairs: &[(&str, u64)]) -> Vec<(String, u64)> {
    pairs.iter().map(|(n, c)| ((*n).to_owned(), *c)).collect()
}

/// Waits for the chart labelled `label` and returns its bars' widths, in the order drawn.
fn bar_widths(w: &Window, label: &str) -> Vec<f64> {
    let xpath = format!(
        "//*[local-name()='svg' and @role='img' and @aria-label={}]",
        xpath_literal(label)
    );
    let svg = w.el(&format!("the chart {label:?} (an SVG image)"), &xpath);
    let widths =
        w.s.execute(
            "return Array.from(arguments[0].querySelectorAll('g[data-mark=\"bar\"] > rect'))\
               .map(r => r.getBBox().width);",
            vec![casebook_testkit::webdriver::Session::el_arg(&svg)],
        )
        .unwrap();
    widths
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_f64().unwrap())
        .collect()
}

/// Each bar is as long as its count: proportional to the table's numbers.
fn assert_bars_match(w: &Window, label: &str, counts: &[(String, u64)]) {
    let widths = bar_widths(w, label);
    assert_eq!(widths.len(), counts.len(), "{label}: one bar per row: {widths:?}");
    let unit = counts
        .iter()
        .zip(&widths)
        .find(|((_, c), _)| *c > 0)
        .map(|((_, c), w)| w / *c as f64)
        .unwrap();
    for ((name, count), width) in counts.iter().zip(&widths) {
        let expected = unit * *count as f64;
        assert!(
            (width - expected).abs() < 1.5,
            "{label}: the bar of {name} is {width}px wide, {count} cases would be {expected}px"
        );
    }
}

/// The references listed on a figure's screen (its case rows), sorted.
fn listed_references(w: &Window, expected: usize) -> BTreeSet<String> {
    w.wait_for(&format!("{expected} case rows listed"), |s| {
        let refs = s.execute(
            "return Array.from(document.querySelectorAll('main a.case .ref')).map(e => e.textContent.trim());",
            vec![],
        )?;
        let refs: BTreeSet<String> = refs
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|v| v.as_str().map(str::to_owned))
            .collect();
        Ok((refs.len() == expected).then_some(refs))
    })
}

fn references(
    refs: &BTreeMap<String, String>,
    ids: &BTreeMap<&str, String>,
    names: &[&str],
) -> BTreeSet<String> {
    names
        .iter()
        .map(|n| {
            let id = &ids[n];
            refs.get(id)
                .unwrap_or_else(|| panic!("the hub has no reference for case {n} ({id})"))
                .clone()
        })
        .collect()
}

#[test]
fn the_dashboard_shows_the_fixtures_figures_and_opens_the_cases_behind_each() {
    let hub = start_hub();
    let fay_code = hub.add_user("fay", "facilitator", Some("north"));
    let femi_code = hub.add_user("femi", "facilitator", Some("north"));
    let sol_code = hub.add_user("sol", "supervisor", Some("north"));

    let fay = Profile::new();
    let femi = Profile::new();
    let mut ids = write_cases(&fay, &hub.url, &fay_code, &FAY);
    ids.extend(write_cases(&femi, &hub.url, &femi_code, &FEMI));
    let refs: BTreeMap<String, String> = hub
        .cases()
        .into_iter()
        .filter_map(|c| {
            Some((
                c["case_id"].as_str()?.to_owned(),
                c["reference"].as_str()?.to_owned(),
            ))
        })
        .collect();
    assert_eq!(refs.len(), 6, "the hub holds the six cases: {refs:?}");

    let sol = Profile::new();
    let w = Window::open(&sol, "dashboard");
    join_hub(&w, &hub.url, &sol_code);
    w.click("Sync now");
    w.wait_text("#sync-status to say Synced", "#sync-status", |t| {
        t.contains("Synced")
    });
    w.click("Dashboard");
    w.heading("Team dashboard");
    w.wait_text("#dashboard-open", "#dashboard-open", |t| t == "5 open cases");
    w.wait_text("#dashboard-signoffs", "#dashboard-signoffs", |t| {
        t == "No sign-offs waiting"
    });

    // The numbers, read from the accessible tables.
    let by_stage = rows(&[
        ("Out of court", 3),
        ("Pre-sentence", 1),
        ("Post-sentence", 1),
        ("Not applicable", 0),
    ]);
    let by_status = rows(&[
        ("Referred", 2),
        ("Contacting", 3),
        ("Preparing", 0),
        ("Meeting planned", 0),
        ("Follow-up", 0),
    ]);
    let by_facilitator = rows(&[("fay", 3), ("femi", 2)]);
    let overdue = rows(&[
        ("First contact overdue", 1),
        ("Court date within 14 days", 1),
        ("No case supervision for 12 weeks", 2),
        ("Agreement actions overdue", 0),
        ("Agreement review overdue", 0),
    ]);
    // F's closing, the only one of the last 12 months.
    let outcomes = rows(&[("Agreement completed", 1)]);
    let expected: BTreeMap<String, Vec<(String, u64)>> = [
        ("Open cases by stage", &by_stage),
        ("Open cases by status", &by_status),
        ("Load per facilitator", &by_facilitator),
        ("Overdue work", &overdue),
        ("Cases closed by outcome", &outcomes),
    ]
    .into_iter()
    .map(|(h, r)| (h.to_owned(), r.clone()))
    .collect();
    assert_eq!(tables(&w), expected);

    // First contact over the last 13 weeks: C (2 days), D (90 days), F (1 day, closed).
    w.wait_text("#first-contact-median", "#first-contact-median", |t| {
        t.trim() == "2 days"
    });
    let share = w.wait_text("#first-contact-share", "#first-contact-share", |t| {
        t.contains("67%")
    });
    assert!(
        share.contains("2 cases") && share.contains("of the 3 first contacted"),
        "{share:?}"
    );

    // Each group is drawn: one SVG image per group, its bars as long as the table's numbers.
    assert_bars_match(&w, "Open cases by stage, bar chart", &by_stage);
    assert_bars_match(&w, "Open cases by status, bar chart", &by_status);
    assert_bars_match(&w, "Load per facilitator, bar chart", &by_facilitator);
    assert_bars_match(&w, "Overdue work, bar chart", &overdue);
    assert_bars_match(&w, "Cases closed by outcome, bar chart", &outcomes);
    // No meeting was held: a sentence says so, and no chart stands empty.
    w.wait_page_contains("No meeting was held from ");
    let charts = w
        .s
        .execute(
            "return document.querySelectorAll('svg[aria-label=\"Meetings held per month, bar chart\"]').length;",
            vec![],
        )
        .unwrap();
    assert_eq!(charts, 0, "no chart of meetings");
    w.evidence("dashboard");

    // A count in a table opens exactly its cases.
    let contacting = w.el(
        "the count of contacting cases",
        "//section[h2='Open cases by status']//tr[th='Contacting']//a",
    );
    w.s.click(&contacting).unwrap();
    w.heading("Open cases by status: Contacting");
    w.wait_text("#figure-count", "#figure-count", |t| {
        t.starts_with("3 cases, as counted on ")
    });
    assert_eq!(
        listed_references(&w, 3),
        references(&refs, &ids, &["C", "D", "E"])
    );
    w.evidence("dashboard-drilldown");
    w.click("Back to the dashboard");
    w.heading("Team dashboard");

    // So does a bar (with the pointer): fay's load.
    bar_widths(&w, "Load per facilitator, bar chart");
    let fay_bar = w.el(
        "fay's bar in the load per facilitator",
        "//*[local-name()='svg' and @aria-label='Load per facilitator, bar chart']\
         //*[local-name()='g' and @data-mark='bar']/*[local-name()='rect'][1]",
    );
    w.s.click(&fay_bar).unwrap();
    w.heading("Load per facilitator: fay");
    assert_eq!(
        listed_references(&w, 3),
        references(&refs, &ids, &["A", "B", "C"])
    );

    // A figure's cases include closed ones: F was first contacted within the target.
    w.click("Back to the dashboard");
    w.heading("Team dashboard");
    w.click("2 cases");
    w.heading("Referral to first contact: within 10 working days");
    assert_eq!(listed_references(&w, 2), references(&refs, &ids, &["C", "F"]));
    w.wait_page_contains("Closed");

    // The figures for commissioners, saved from the dashboard, are exactly what `casebook
    // figures --csv` prints on the same laptop.
    w.click("Back to the dashboard");
    w.heading("Team dashboard");
    let (from, to) = ("2020-01-01", date_from_today(0));
    w.set_value("From", from);
    w.set_value("To", &to);
    let file = sol.root.join("home").join("figures.csv");
    w.fill("Save figures as", &file.to_string_lossy());
    w.s.execute(
        "document.getElementById(document.querySelector('form input[type=date]').id).closest('section').scrollIntoView({block: 'start'})",
        vec![],
    )
    .unwrap();
    w.evidence("dashboard-figures");
    w.click("Save figures");
    w.wait_page_contains(&format!("Saved {} (", file.display()));
    let saved = std::fs::read_to_string(&file).unwrap();
    let printed = sol.cli(&["figures", "--from", from, "--to", &to, "--csv"]);
    assert!(printed.status.success(), "{printed:?}");
    assert_eq!(saved, String::from_utf8_lossy(&printed.stdout));
    assert!(
        saved.lines().any(|l| l == format!("{from},{to},,referrals,,6")),
        "the six referrals are counted:\n{saved}"
    );
    w.click("Save figures");
    w.alert_saying(&["already exists"]);
    drop(w);
    drop(hub);
}

#[test]
fn a_coordinator_counts_the_whole_service_or_one_team() {
    let hub = start_hub();
    let fay_code = hub.add_user("fay", "facilitator", Some("north"));
    let olu_code = hub.add_user("olu", "facilitator", Some("south"));
    let cora_code = hub.add_user("cora", "coordinator", None);
    write_cases(&Profile::new(), &hub.url, &fay_code, &FAY[..2]);
    write_cases(&Profile::new(), &hub.url, &olu_code, &FEMI[..1]);

    let cora = Profile::new();
    cora.enroll(&hub.url, &cora_code, "cora-laptop");
    let w = Window::open(&cora, "dashboard-team");
    w.heading("Unlock Casebook");
    w.fill("Passphrase", &cora.passphrase);
    w.click("Unlock");
    w.heading("The service's caseload");
    w.sync_now();
    w.click("Dashboard");
    w.heading("The service's dashboard");
    let open_is = |text: &str| {
        w.wait_text(
            &format!("#dashboard-open to say {text}"),
            "#dashboard-open",
            |t| t == text,
        );
    };
    open_is("3 open cases");
    w.select("Team", "south");
    open_is("1 open case");
    w.wait_page_contains("whose lead is in team south");
    w.select("Team", "north");
    open_is("2 open cases");
    w.evidence("dashboard-team");
    // The choice stays while the cases behind a figure are open, and back again.
    w.click_containing("2 open cases");
    w.click_containing("Back to the dashboard");
    open_is("2 open cases");
    assert_eq!(w.value_of("Team"), "north");
    w.select("Team", "");
    open_is("3 open cases");
    drop(w);
    drop(hub);
}
