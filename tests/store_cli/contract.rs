//! The CLI contract: exit codes for unknown records and usage errors, `export` encrypted to
//! the passphrase, `--json` ids, `CASEBOOK_STORE`, and `case list` ordered by deadline.

use std::fs;

use serde_json::Value;

use crate::assert_no_plaintext;
use crate::common::*;

/// Done when #8 (exit codes): unknown cases exit 4, usage errors exit 2, nothing is written.
#[test]
fn unknown_records_exit_4_and_usage_errors_exit_2() {
    let store = Store::new();
    let (case_id, _) = store.new_case("Dispute over a shared driveway");
    let before = store.hash();
    let missing = "0190b2c4-0000-7000-8000-000000000000";
    for args in [
        &["case", "show", missing][..],
        &["case", "show", "P-ZZZZZZ"],
        &["party", "add", missing, "--role", "victim", "--name", "Nobody"],
        &[
            "contact",
            "add",
            &case_id,
            "--party",
            "No Such Person",
            "--kind",
            "call",
            "--date",
            "2026-11-01",
            "--notes",
            "x",
        ],
    ] {
        let out = store.run(args);
        let what = format!("casebook {}", args.join(" "));
        assert_code(&out, EXIT_NOT_FOUND, &what);
        assert_plain_error(&out, &what);
    }
    for args in [
        &["case", "list", "--no-such-flag"][..],
        &[
            "case",
            "new",
            "--kind",
            "martian",
            "--stage",
            "none",
            "--source",
            "self",
            "--summary",
            "x",
        ],
        &[
            "case",
            "new",
            "--kind",
            "rj",
            "--stage",
            "none",
            "--source",
            "self",
            "--summary",
            "x",
            "--court-date",
            "tomorrow",
        ],
        &["no-such-command"],
    ] {
        let out = store.run(args);
        assert_code(&out, EXIT_USAGE, &format!("casebook {}", args.join(" ")));
    }
    assert_eq!(store.hash(), before, "refused commands changed files");
    let out = store.run(&["case", "show", missing, "--json"]);
    assert_code(&out, EXIT_NOT_FOUND, "case show of an unknown id with --json");
}

/// Done when #8 (export): the export file holds no plaintext and decrypts with age and the
/// passphrase to JSON holding the data; `--case` exports that case only.
#[test]
fn export_is_age_encrypted_to_the_passphrase_and_holds_the_data() {
    let store = Store::new();
    let (m1, m2) = (marker(), marker());
    let (_, ref1) = store.new_case(&format!("Theft from a parked van {m1}"));
    store.create(&[
        "party",
        "add",
        &ref1,
        "--role",
        "victim",
        "--name",
        &format!("Victor {m1}"),
    ]);
    store.new_case(&format!("Noise between flats {m2}"));

    let all = store.outside("all.age");
    let one = store.outside("one.age");
    store.ok(&["export", "--out", all.to_str().unwrap()]);
    store.ok(&["export", "--out", one.to_str().unwrap(), "--case", &ref1]);

    for (file, present, absent) in [(&all, vec![&m1, &m2], vec![]), (&one, vec![&m1], vec![&m2])] {
        let bytes = fs::read(file).unwrap_or_else(|e| panic!("export made no {}: {e}", file.display()));
        for m in present.iter().chain(&absent) {
            assert!(
                !bytes.windows(m.len()).any(|w| w == m.as_bytes()),
                "{}: marker in plaintext",
                file.display()
            );
        }
        let plain = age_decrypt(&bytes, PASSPHRASE)
            .unwrap_or_else(|e| panic!("{} should decrypt with age + the passphrase: {e}", file.display()));
        let json: Value = serde_json::from_slice(&plain)
            .unwrap_or_else(|e| panic!("{} does not decrypt to JSON: {e}", file.display()));
        let text = json.to_string();
        for m in present {
            assert!(
                text.contains(m.as_str()),
                "{}: exported JSON lacks {m}",
                file.display()
            );
        }
        for m in absent {
            assert!(
                !text.contains(m.as_str()),
                "{}: --case export holds another case ({m})",
                file.display()
            );
        }
        assert!(
            age_decrypt(&bytes, "not the passphrase").is_err(),
            "export decrypts with a wrong passphrase"
        );
    }
    assert_no_plaintext(&store, &m1, "after export");
}

/// Done when #8 (`--json`, ordering): created records carry ids, `CASEBOOK_STORE` is honoured,
/// and `case list` puts the pre-sentence case with the soonest court date first.
#[test]
fn case_list_puts_the_soonest_court_date_first() {
    let store = Store::new();
    let new_case = |stage: &str, court: Option<&str>, summary: &str| {
        let mut args = vec![
            "case",
            "new",
            "--kind",
            "rj",
            "--stage",
            stage,
            "--source",
            "court",
            "--summary",
            summary,
        ];
        if let Some(d) = court {
            args.extend(["--court-date", d]);
        }
        let v = store.json(&args);
        assert!(
            v["id"].as_str().is_some_and(is_uuid),
            "case new --json: no id in {v}"
        );
        let reference = v["reference"]
            .as_str()
            .unwrap_or_else(|| panic!("case new --json: no reference in {v}"));
        assert!(
            reference.len() == 8
                && reference.starts_with("P-")
                && reference[2..].chars().all(|c| c.is_ascii_alphanumeric()),
            "reference {reference:?} is not P-XXXXXX"
        );
        v["id"].as_str().unwrap().to_owned()
    };
    // Received today: the first-contact target is 10 days away, so a court date 3 days away
    // is the soonest deadline of all; the other cases are created first.
    let soon = date_from_today(3);
    let later = date_from_today(60);
    let post = new_case("post-sentence", None, "Robbery, post-sentence");
    let far = new_case("pre-sentence", Some(&later), "Burglary, court in two months");
    let first = new_case("pre-sentence", Some(&soon), "Burglary, court in three days");

    let out = store
        .command_via_env(&["case", "list", "--json"])
        .output()
        .unwrap();
    assert_code(
        &out,
        EXIT_OK,
        "case list --json with CASEBOOK_STORE and no --store",
    );
    let v: Value =
        serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("not JSON ({e})\n{}", describe(&out)));
    let ids: Vec<&str> = v["cases"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|c| c["id"].as_str())
        .collect();
    assert_eq!(ids.len(), 3, "{v:#}");
    assert_eq!(
        ids[0], first,
        "the case with the court date {soon} should come first: {v:#}"
    );
    assert!(
        ids.contains(&far.as_str()) && ids.contains(&post.as_str()),
        "{v:#}"
    );
    let top = &v["cases"][0];
    assert_eq!(top["court_date"], soon.as_str(), "{top}");
    assert!(
        top["next_deadline"].to_string().contains(&soon),
        "next deadline should be the court date: {top}"
    );

    // Moving the far court date to tomorrow puts that case first.
    let tomorrow = date_from_today(1);
    store.ok(&["case", "edit", &far, "--court-date", &tomorrow]);
    let cases = store.cases();
    assert_eq!(
        cases[0]["id"],
        far.as_str(),
        "after case edit, the court date {tomorrow} should come first: {cases:#?}"
    );
}
