//! The documents as a reader sees them: each PDF is written to a temporary directory and read
//! back with poppler's `pdftotext`, `pdffonts` and `pdfinfo` (installed by scripts/setup).

use std::path::{Path, PathBuf};
use std::process::Command;

use casebook_documents::{
    AgreementAction, AgreementDoc, CourtReport, DRAFT_MARK, PartyWords, PreparationBrief, agreement,
    british_date, court_report, preparation_brief,
};
use chrono::NaiveDate;

fn day(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).expect("a valid date")
}

/// Runs a poppler tool on `pdf`; fails the test, saying how to get it, if it is missing.
fn poppler(tool: &str, args: &[&str], pdf: &Path) -> String {
    let output = Command::new(tool)
        .args(args)
        .arg(pdf)
        .args(if tool == "pdftotext" { &["-"][..] } else { &[][..] })
        .output()
        .unwrap_or_else(|e| {
            panic!(
                "`{tool}` could not be run ({e}). These tests read the PDFs back with poppler: \
                 install poppler-utils (`source scripts/setup` does) and run them again."
            )
        });
    assert!(
        output.status.success(),
        "`{tool}` failed on {}: {}",
        pdf.display(),
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout).expect("poppler writes UTF-8")
}

/// A PDF written to disk, with what poppler reads from it.
struct Read {
    _dir: tempfile::TempDir,
    path: PathBuf,
    /// `pdftotext -layout` output, one entry per page.
    pages: Vec<String>,
}

impl Read {
    fn new(pdf: &[u8]) -> Self {
        assert!(pdf.starts_with(b"%PDF-"), "not a PDF");
        let dir = tempfile::tempdir().expect("a temporary directory");
        let path = dir.path().join("document.pdf");
        std::fs::write(&path, pdf).expect("the PDF is written");
        let text = poppler("pdftotext", &["-layout", "-enc", "UTF-8"], &path);
        // pdftotext ends every page with a form feed.
        let pages: Vec<String> = text.split('\x0c').map(str::to_owned).collect();
        let pages = match pages.split_last() {
            Some((last, rest)) if last.trim().is_empty() => rest.to_vec(),
            _ => pages,
        };
        Self {
            _dir: dir,
            path,
            pages,
        }
    }

    /// All the text with runs of whitespace (line breaks from wrapping, layout padding) made
    /// single spaces, so wrapped sentences can be found whole.
    fn flat(&self) -> String {
        flatten(&self.pages.join(" "))
    }

    fn assert_contains(&self, needle: &str) {
        let flat = self.flat();
        assert!(
            flat.contains(&flatten(needle)),
            "{needle:?} is not in the PDF's text:\n{}",
            self.pages.join("\n---- page break ----\n")
        );
    }

    fn info(&self) -> String {
        poppler("pdfinfo", &[], &self.path)
    }
}

fn flatten(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn action(what: &str, by_whom: &str, by_when: NaiveDate, status: &str) -> AgreementAction {
    AgreementAction {
        what: what.into(),
        by_whom: by_whom.into(),
        by_when,
        status: status.into(),
    }
}

fn report() -> CourtReport {
    CourtReport {
        reference: "RJ-2026-0042".into(),
        court_date: day(2026, 12, 10),
        court_date_is: Some("sentencing adjourned".into()),
        prepared_on: day(2026, 11, 27),
        facilitator: "Femi Adeyemi".into(),
        summary_of_referral: "Referred by the court before sentence after a burglary at a \
                              corner shop. Both the shopkeeper and the young man who broke in \
                              agreed to take part."
            .into(),
        what_took_place: vec![
            "Preparation visit with the responsible person on 3 Nov 2026.".into(),
            "Preparation visit with the victim on 5 Nov 2026.".into(),
            "Face-to-face meeting at the community centre on 20 Nov 2026.".into(),
        ],
        agreement: vec![
            action(
                "Write a letter of apology",
                "Responsible person",
                day(2027, 1, 8),
                "Agreed",
            ),
            action(
                "Help repaint the shop front",
                "Responsible person",
                day(2027, 2, 15),
                "Agreed",
            ),
        ],
        parties_words: vec![
            PartyWords {
                role: "Victim".into(),
                words: "I wanted him to see what it did to my family. I think he understands \
                        now, and I hope he gets the chance to put things right."
                    .into(),
            },
            PartyWords {
                role: "Responsible person".into(),
                words: "I did not think about who owned the shop. I am sorry and I will do \
                        what I said."
                    .into(),
            },
        ],
        approved_by: None,
    }
}

#[test]
fn a_draft_court_report_reads_back_with_its_reference_dates_and_words() {
    let report = report();
    let read = Read::new(&court_report(&report).expect("the report is made"));

    read.assert_contains("RJ-2026-0042");
    read.assert_contains("Report to the court");
    read.assert_contains("10 Dec 2026 (sentencing adjourned)");
    read.assert_contains("27 Nov 2026");
    read.assert_contains("Femi Adeyemi");
    read.assert_contains(&report.summary_of_referral);
    for line in &report.what_took_place {
        read.assert_contains(line);
    }
    read.assert_contains("Write a letter of apology — Responsible person, by 8 Jan 2027 (Agreed)");
    read.assert_contains("15 Feb 2027");
    for party in &report.parties_words {
        read.assert_contains(&party.role);
        read.assert_contains(&party.words);
    }
    let flat = read.flat();
    assert!(
        !flat.contains("2026-12-10"),
        "an ISO date slipped through:\n{flat}"
    );
    assert!(!flat.contains("12/10/2026") && !flat.contains("10/12/2026"));

    assert_eq!(read.pages.len(), 1, "a short report fits one page");
    assert!(read.pages[0].contains(DRAFT_MARK));
    assert!(read.pages[0].contains("Page 1 of 1"));
}

#[test]
fn a_long_draft_flows_onto_more_pages_each_marked_as_a_draft() {
    let mut report = report();
    report.what_took_place = (1..=90)
        .map(|n| {
            format!(
                "Visit {n}: the facilitator met the responsible person at home to talk through \
                 how the meeting will run, who will be there and what support he wants."
            )
        })
        .collect();
    let read = Read::new(&court_report(&report).expect("the report is made"));

    let total = read.pages.len();
    assert!(total >= 2, "90 long lines fit on {total} page(s)");
    for (n, page) in read.pages.iter().enumerate() {
        assert!(
            page.contains(DRAFT_MARK),
            "page {} of {total} has no draft mark:\n{page}",
            n + 1
        );
        assert!(
            page.contains(&format!("Page {} of {total}", n + 1)),
            "page {} has no page number:\n{page}",
            n + 1
        );
        assert!(page.contains("RJ-2026-0042"), "page {} has no reference", n + 1);
    }
    // Nothing is lost at the page breaks.
    for n in [1, 45, 90] {
        read.assert_contains(&format!("Visit {n}: the facilitator met"));
    }
    read.assert_contains(&report.parties_words[1].words);
    // pdftotext and pdfinfo agree on the page count.
    let info = read.info();
    let pages: Option<usize> = info
        .lines()
        .find_map(|l| l.strip_prefix("Pages:"))
        .and_then(|n| n.trim().parse().ok());
    assert_eq!(pages, Some(total), "{info}");
}

#[test]
fn an_approved_report_has_no_draft_mark_and_names_its_approver() {
    let mut report = report();
    report.approved_by = Some(("Sunita Rao".into(), day(2026, 11, 30)));
    let read = Read::new(&court_report(&report).expect("the report is made"));

    for page in &read.pages {
        assert!(!page.contains(DRAFT_MARK), "approved, yet marked:\n{page}");
        assert!(!page.contains("DRAFT"), "approved, yet marked:\n{page}");
    }
    read.assert_contains("Approved by Sunita Rao on 30 Nov 2026");
}

#[test]
fn the_pdf_is_a4_and_embeds_its_fonts() {
    let read = Read::new(&court_report(&report()).expect("the report is made"));

    let info = read.info();
    let size = info
        .lines()
        .find_map(|l| l.strip_prefix("Page size:"))
        .unwrap_or_else(|| panic!("pdfinfo gives no page size:\n{info}"));
    let numbers: Vec<f32> = size.split_whitespace().filter_map(|w| w.parse().ok()).collect();
    assert!(
        numbers.len() >= 2 && (numbers[0] - 595.28).abs() < 0.5 && (numbers[1] - 841.89).abs() < 0.5,
        "not A4: {size}"
    );

    let fonts = poppler("pdffonts", &[], &read.path);
    let dejavu: Vec<&str> = fonts.lines().filter(|l| l.contains("DejaVuSans")).collect();
    assert!(!dejavu.is_empty(), "no DejaVu font in:\n{fonts}");
    assert!(
        dejavu.iter().any(|l| l.contains("DejaVuSans-Bold")),
        "the bold face is missing:\n{fonts}"
    );
    // Columns: name type encoding emb sub uni object-id; "emb" is the first yes/no column.
    for line in fonts.lines().skip(2) {
        let columns: Vec<&str> = line.split_whitespace().collect();
        let yes_no: Vec<&&str> = columns.iter().filter(|c| **c == "yes" || **c == "no").collect();
        assert_eq!(
            yes_no.first().map(|c| **c),
            Some("yes"),
            "a font is not embedded: {line}\n{fonts}"
        );
    }
}

#[test]
fn an_agreement_reads_back_with_its_parties_actions_and_reviews() {
    let doc = AgreementDoc {
        reference: "RJ-2026-0042".into(),
        meeting_on: day(2026, 11, 20),
        parties: vec!["Jordan Smith".into(), "Amira Khan".into()],
        actions: vec![
            action(
                "Write a letter of apology",
                "Jordan Smith",
                day(2026, 12, 10),
                "Agreed",
            ),
            action(
                "Two Saturdays helping at the shop",
                "Jordan Smith",
                day(2027, 1, 31),
                "Agreed",
            ),
        ],
        reviews: vec![day(2026, 12, 18), day(2027, 2, 5)],
        how_agreed: vec![
            "Everyone read the agreement back and said it was fair.".into(),
            "Both parties agreed it may be shared with the court.".into(),
        ],
    };
    let read = Read::new(&agreement(&doc).expect("the agreement is made"));

    read.assert_contains("Restorative agreement");
    read.assert_contains("RJ-2026-0042");
    read.assert_contains("20 Nov 2026");
    read.assert_contains("Jordan Smith, Amira Khan");
    read.assert_contains("Write a letter of apology — Jordan Smith, by 10 Dec 2026 (Agreed)");
    read.assert_contains("Two Saturdays helping at the shop");
    read.assert_contains("Review on 18 Dec 2026");
    read.assert_contains("Review on 5 Feb 2027");
    for line in &doc.how_agreed {
        read.assert_contains(line);
    }
    for page in &read.pages {
        assert!(!page.contains("DRAFT"));
    }
    assert!(read.pages[0].contains("Page 1 of"));
}

#[test]
fn a_preparation_brief_carries_what_the_others_shared() {
    let brief = PreparationBrief {
        reference: "RJ-2026-0042".into(),
        for_party: "Amira Khan".into(),
        prepared_on: day(2026, 12, 1),
        shared_by_others: vec![PartyWords {
            role: "Responsible person".into(),
            words: "I want to say sorry to her face and hear how it affected her.".into(),
        }],
    };
    let read = Read::new(&preparation_brief(&brief).expect("the brief is made"));

    read.assert_contains("Preparing for the meeting");
    read.assert_contains("RJ-2026-0042");
    read.assert_contains("Amira Khan");
    read.assert_contains("1 Dec 2026");
    read.assert_contains("Responsible person");
    read.assert_contains(&brief.shared_by_others[0].words);

    let nothing_shared = PreparationBrief {
        shared_by_others: Vec::new(),
        ..brief
    };
    let read = Read::new(&preparation_brief(&nothing_shared).expect("the brief is made"));
    read.assert_contains("No one else taking part has shared anything with you yet.");
}

#[test]
fn text_outside_latin_script_and_awkward_input_still_make_a_document() {
    let mut report = report();
    report.facilitator = "Zoë Ó Briain".into();
    report.summary_of_referral = format!(
        "First line.\nSecond paragraph\twith a tab, a £10 note and an unbroken {}",
        "x".repeat(400)
    );
    report.parties_words = vec![PartyWords {
        role: "Victim".into(),
        words: String::new(),
    }];
    report.what_took_place.clear();
    report.agreement.clear();
    let read = Read::new(&court_report(&report).expect("the report is made"));

    read.assert_contains("Zoë Ó Briain");
    read.assert_contains("a £10 note");
    read.assert_contains("No meetings or visits are recorded.");
    read.assert_contains("No agreement has been recorded.");
}

#[test]
fn british_dates_are_day_month_year() {
    assert_eq!(british_date(day(2026, 11, 27)), "27 Nov 2026");
    assert_eq!(british_date(day(2026, 12, 10)), "10 Dec 2026");
}
