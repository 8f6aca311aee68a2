//! The store benchmark: the store API against raw SQLCipher inserts of the same rows, SQLCipher
//! against plain SQLite, and the facilitator-facing queries on a large store.

use std::time::{Duration, Instant};

use anyhow::Context;
use casebook_domain::{
    CaseId, ConsentDecision, ConsentMethod, ConsentScope, ContactKind, PartyId, PartyRole,
};
use casebook_store::demo::Rng;
use casebook_store::model::{NewConsent, NewContact, NewParty};
use casebook_store::{CaseFilter, SecretString, Store, StorePaths, Window};
use chrono::NaiveDate;
use rusqlite::{Connection, params};
use serde::Serialize;

/// Options of `casebook-bench store`.
#[derive(Debug, clap::Args)]
pub struct Options {
    /// Print one JSON object instead of the table.
    #[arg(long)]
    json: bool,
    /// Cases in the large store.
    #[arg(long, default_value_t = 10_000)]
    cases: usize,
    /// Contacts written in the write comparison.
    #[arg(long, default_value_t = 20_000)]
    records: usize,
}

#[derive(Debug, Serialize)]
struct Results {
    write_ratio: f64,
    store_records_per_s: f64,
    raw_cipher_rows_per_s: f64,
    raw_plain_rows_per_s: f64,
    cipher_ratio: f64,
    read_ratio: f64,
    timeline_store_us: f64,
    timeline_plain_us: f64,
    unlock_ms: f64,
    cases: usize,
    ops: i64,
    list_ms: f64,
    window_ms: f64,
    first_list_ms: f64,
    search_ms: f64,
    timeline_ms: f64,
    db_mib: f64,
}

const NOTE: &str = "Met at home at the kitchen table. Talked through what happened that night and how it has \
                    affected the family since; wants to understand why, and would consider a letter first.";

pub(crate) fn passphrase() -> SecretString {
    SecretString::from("bench passphrase, not a secret".to_owned())
}

fn day() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, 2).unwrap_or_default()
}

/// Adds a party who has given consent for each of `scopes`.
fn consenting_party(
    w: &mut casebook_store::Writer<'_>,
    case: CaseId,
    role: PartyRole,
    name: String,
    scopes: &[ConsentScope],
) -> Result<PartyId, casebook_store::StoreError> {
    let party = w.add_party(
        case,
        NewParty {
            role,
            name,
            phone: None,
            minor: false,
            guardian_of: None,
        },
    )?;
    for scope in scopes {
        w.record_consent(
            case,
            NewConsent {
                party,
                scope: *scope,
                decision: ConsentDecision::Given,
                method: ConsentMethod::Verbal,
                date: Some(day()),
                note: None,
            },
        )?;
    }
    Ok(party)
}

/// A case with two consenting parties, to hang contacts on.
pub(crate) fn seed_case(store: &mut Store) -> anyhow::Result<(CaseId, [PartyId; 2])> {
    Ok(store.write(|w| {
        let case = w.create_case(casebook_store::model::NewCase {
            kind: casebook_domain::CaseKind::RestorativeJustice,
            stage: casebook_domain::JusticeStage::PostSentence,
            source: casebook_domain::ReferralSource::Probation,
            referrer: None,
            summary: "Burglary of a family home while they were away; sentimental items taken.".into(),
            court_date: None,
            pre_sentence: None,
            received_on: Some(day()),
        })?;
        let mut parties = [PartyId::new(); 2];
        for (i, role) in [PartyRole::Victim, PartyRole::Harmer].into_iter().enumerate() {
            parties[i] = consenting_party(w, case.id, role, format!("Person {i}"), &[ConsentScope::Contact])?;
        }
        Ok((case.id, parties))
    })?)
}

/// What a case holds after its visits: a submitted risk assessment, a planned meeting and an
/// agreement, so the store's figures include the process tables.
fn process_records(
    w: &mut casebook_store::Writer<'_>,
    case: CaseId,
    parties: &[PartyId],
) -> Result<(), casebook_store::StoreError> {
    use casebook_domain::risk::{RiskFactor, RiskLevel};
    let factors = RiskFactor::ALL
        .iter()
        .map(|f| {
            (
                *f,
                casebook_store::risk::factor(RiskLevel::Low, "Discussed at the first visit."),
            )
        })
        .collect();
    let risk = w.new_risk_assessment(
        case,
        casebook_store::risk::NewRiskAssessment {
            rating: RiskLevel::Low,
            factors,
            mitigations: "Separate arrival times and waiting rooms.".into(),
        },
    )?;
    w.submit_risk_assessment(risk)?;
    w.plan_meeting(
        case,
        casebook_store::meeting::NewMeeting {
            kind: casebook_domain::meeting::MeetingKind::Conference,
            planned_on: day(),
            planned_time: Some("14:00".into()),
            venue: "Community centre, room 2".into(),
            attendees: parties.to_vec(),
        },
    )?;
    let action =
        casebook_domain::agreement::parse_action("Write a letter of apology|Responsible person|2026-12-15")?;
    w.record_agreement(case, None, vec![action], "Both agreed in the room.", None)?;
    Ok(())
}

fn contact(party: PartyId, i: usize) -> NewContact {
    NewContact {
        shareable: None,
        party_ids: vec![party],
        kind: ContactKind::Visit,
        date: day(),
        notes: format!("{NOTE} Visit {i}."),
        initiated_by_party: false,
        draft: false,
        amends: None,
    }
}

/// Records/s through the store API: each contact checked against the rules, applied, logged.
fn store_writes(store: &mut Store, n: usize) -> anyhow::Result<f64> {
    let (case, parties) = seed_case(store)?;
    let start = Instant::now();
    store.write(|w| {
        for i in 0..n {
            w.add_contact(case, contact(parties[i % 2], i))?;
        }
        Ok(())
    })?;
    Ok(n as f64 / start.elapsed().as_secs_f64())
}

/// Rows/s of the same contact rows inserted raw: one prepared statement, one transaction.
fn raw_writes(conn: &Connection, case: CaseId, parties: [PartyId; 2], n: usize) -> anyhow::Result<f64> {
    let start = Instant::now();
    let tx = conn.unchecked_transaction()?;
    {
        let mut stmt = tx.prepare(
            "INSERT INTO contacts (id, case_id, kind, date, notes, state, initiated_by_party, party_ids, amends,
                                   finalised_on, created_at, created_by, device_id, created_op)
             VALUES (?1, ?2, 'visit', ?3, ?4, 'finalised', 0, ?5, NULL, ?3, ?6, ?7, ?8, ?9)",
        )?;
        let (user, device) = (uuid_text(), uuid_text());
        for i in 0..n {
            stmt.execute(params![
                uuid_text(),
                case.to_string(),
                day(),
                format!("{NOTE} Visit {i}."),
                format!("[\"{}\"]", parties[i % 2]),
                "2026-11-02T10:00:00.000Z",
                user,
                device,
                uuid_text(),
            ])?;
        }
    }
    tx.commit()?;
    Ok(n as f64 / start.elapsed().as_secs_f64())
}

fn uuid_text() -> String {
    casebook_domain::OpId::new().to_string()
}

/// A plain (unencrypted) SQLite database with the same schema and settings.
fn plain_copy(encrypted: &Connection, path: &std::path::Path) -> anyhow::Result<Connection> {
    // The store's connection may not create files, so ATTACH needs the (empty) file to exist.
    std::fs::File::create(path)?;
    encrypted.execute(
        "ATTACH DATABASE ?1 AS plaintext KEY ''",
        params![path.to_string_lossy()],
    )?;
    encrypted.query_row("SELECT sqlcipher_export('plaintext')", [], |_| Ok(()))?;
    encrypted.execute_batch("DETACH DATABASE plaintext")?;
    let plain = Connection::open(path)?;
    plain.execute_batch("PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL; PRAGMA foreign_keys = ON;")?;
    Ok(plain)
}

pub(crate) fn median(mut samples: Vec<Duration>) -> Duration {
    samples.sort();
    samples.get(samples.len() / 2).copied().unwrap_or_default()
}

fn time<T>(runs: usize, mut f: impl FnMut() -> anyhow::Result<T>) -> anyhow::Result<Duration> {
    let mut samples = Vec::with_capacity(runs);
    for _ in 0..runs {
        let start = Instant::now();
        f()?;
        samples.push(start.elapsed());
    }
    Ok(median(samples))
}

/// A large store: `cases` cases of 30 ops each (case, 2 parties, 4 consents, 20 contacts, a
/// status change and an edit), written through the API in batches of 100 cases.
pub(crate) fn fill(store: &mut Store, cases: usize) -> anyhow::Result<()> {
    use casebook_store::demo::{NOTES, RJ_HARMS};
    let mut rng = Rng::new(7);
    let mut done = 0;
    while done < cases {
        let batch = (cases - done).min(100);
        store.write(|w| {
            for _ in 0..batch {
                let case = w.create_case(casebook_store::model::NewCase {
                    kind: casebook_domain::CaseKind::RestorativeJustice,
                    stage: casebook_domain::JusticeStage::PreSentence,
                    source: casebook_domain::ReferralSource::Court,
                    referrer: None,
                    summary: rng.pick(RJ_HARMS).to_owned(),
                    court_date: day().checked_add_days(chrono::Days::new(rng.below(120) as u64)),
                    pre_sentence: None,
                    received_on: Some(day()),
                })?;
                let mut parties = Vec::new();
                for role in [PartyRole::Victim, PartyRole::Harmer] {
                    let name = format!(
                        "{} {}",
                        rng.pick(&["Amara", "Ben", "Chloe", "Dev"]),
                        rng.below(100_000)
                    );
                    let scopes = [ConsentScope::Participation, ConsentScope::Contact];
                    let p = consenting_party(w, case.id, role, name, &scopes)?;
                    parties.push(p);
                }
                w.change_status(case.id, casebook_domain::CaseStatus::Contacting, None)?;
                for i in 0..20 {
                    let mut c = contact(parties[i % 2], i);
                    c.notes = format!("{} {}", rng.pick(NOTES), rng.below(1_000_000));
                    w.add_contact(case.id, c)?;
                }
                w.edit_case(
                    case.id,
                    casebook_store::model::CaseEdit {
                        summary: Some(rng.pick(RJ_HARMS).to_owned() + " Updated."),
                        ..Default::default()
                    },
                )?;
                process_records(w, case.id, &parties)?;
            }
            Ok(())
        })?;
        done += batch;
    }
    Ok(())
}

pub fn run(o: &Options) -> anyhow::Result<()> {
    let scratch = tempfile::tempdir().context("scratch directory")?;
    let dir = |name: &str| StorePaths::new(scratch.path().join(name));

    // Writes: the store API vs the same rows raw, encrypted and plain.
    let mut api = Store::create(&dir("api"), &passphrase())?;
    let store_rate = store_writes(&mut api, o.records)?;
    drop(api);
    let mut raw = Store::create(&dir("raw"), &passphrase())?;
    let (case, parties) = seed_case(&mut raw)?;
    let cipher_rate = raw_writes(raw.connection(), case, parties, o.records)?;
    let mut plain_src = Store::create(&dir("plain-src"), &passphrase())?;
    let (pcase, pparties) = seed_case(&mut plain_src)?;
    let plain = plain_copy(plain_src.connection(), &scratch.path().join("plain.db"))?;
    let plain_rate = raw_writes(&plain, pcase, pparties, o.records)?;
    drop((raw, plain, plain_src));

    // Unlock: scrypt at the chosen work factor plus opening the database.
    let unlock = time(3, || Ok(Store::open(&dir("api"), &passphrase())?))?;

    // The large store.
    let big_paths = dir("big");
    let mut big = Store::create(&big_paths, &passphrase())?;
    fill(&mut big, o.cases)?;
    drop(big);
    let big = Store::open(&big_paths, &passphrase())?;
    let ops: i64 = big
        .connection()
        .query_row("SELECT count(*) FROM ops", [], |r| r.get(0))?;
    // The first caseload after the fill recomputes every case's kept row, as after a first sync.
    let started = std::time::Instant::now();
    let cases = big.list_cases(CaseFilter { include_closed: true })?;
    let first_list = started.elapsed();
    let probe = cases.get(cases.len() / 2).map(|c| c.id).context("no cases")?;
    let list = time(7, || Ok(big.list_cases(CaseFilter::default())?))?;
    let window = time(7, || {
        Ok(big.caseload_window(
            CaseFilter::default(),
            Window {
                offset: 0,
                limit: 100,
            },
        )?)
    })?;
    let search = time(7, || Ok(big.search("kitchen table", 50)?))?;
    let timeline = time(7, || Ok(big.case_detail(probe)?))?;

    // Reads: the same timeline query, encrypted (warm cache) vs a plain copy.
    let plain_big = plain_copy(big.connection(), &scratch.path().join("plain-big.db"))?;
    let read_runs = 200;
    let enc_read = time(read_runs, || Ok(big.case_detail(probe)?))?;
    let plain_read = time(read_runs, || {
        Ok(casebook_store::case_detail_on(&plain_big, probe)?)
    })?;
    let db_bytes = std::fs::metadata(big_paths.db()).map(|m| m.len()).unwrap_or(0);

    let ms = |d: Duration| d.as_secs_f64() * 1e3;
    let r = Results {
        write_ratio: store_rate / cipher_rate,
        store_records_per_s: store_rate,
        raw_cipher_rows_per_s: cipher_rate,
        raw_plain_rows_per_s: plain_rate,
        cipher_ratio: cipher_rate / plain_rate,
        read_ratio: plain_read.as_secs_f64() / enc_read.as_secs_f64(),
        timeline_store_us: enc_read.as_secs_f64() * 1e6,
        timeline_plain_us: plain_read.as_secs_f64() * 1e6,
        unlock_ms: ms(unlock),
        cases: cases.len(),
        ops,
        list_ms: ms(list),
        window_ms: ms(window),
        first_list_ms: ms(first_list),
        search_ms: ms(search),
        timeline_ms: ms(timeline),
        db_mib: db_bytes as f64 / (1024.0 * 1024.0),
    };
    if o.json {
        println!("{}", serde_json::to_string_pretty(&r)?);
        return Ok(());
    }
    println!(
        "casebook-bench store ({} contacts written; {} cases, {} ops read)",
        o.records, r.cases, r.ops
    );
    println!("{:<14} {:>12}  {:<12} meaning", "metric", "value", "goal");
    let rows: [(&str, f64, &str, &str); 10] = [
        (
            "write_ratio",
            r.write_ratio,
            ">= 0.5",
            "store API records/s ÷ raw SQLCipher rows/s",
        ),
        (
            "cipher_ratio",
            r.cipher_ratio,
            "report",
            "raw SQLCipher rows/s ÷ raw plain SQLite rows/s",
        ),
        (
            "read_ratio",
            r.read_ratio,
            ">= 0.8",
            "plain timeline time ÷ store timeline time (warm)",
        ),
        ("unlock_ms", r.unlock_ms, "300–1000", "scrypt + open"),
        ("list_ms", r.list_ms, "< 50", "caseload of every open case"),
        (
            "window_ms",
            r.window_ms,
            "a few ms",
            "the caseload's first window of 100 cases",
        ),
        (
            "first_list_ms",
            r.first_list_ms,
            "report",
            "first caseload after every case changed (rows recomputed)",
        ),
        ("search_ms", r.search_ms, "< 100", "full-text search, 50 hits"),
        (
            "timeline_ms",
            r.timeline_ms,
            "< 20",
            "one case: parties, consents, timeline",
        ),
        ("db_mib", r.db_mib, "report", "size of the large store"),
    ];
    for (name, value, goal, meaning) in rows {
        println!("{name:<14} {value:>12.2}  {goal:<12} {meaning}");
    }
    println!(
        "(store {:.0} records/s, raw SQLCipher {:.0} rows/s, raw plain {:.0} rows/s; timeline {:.0} µs vs {:.0} µs plain)",
        r.store_records_per_s,
        r.raw_cipher_rows_per_s,
        r.raw_plain_rows_per_s,
        r.timeline_store_us,
        r.timeline_plain_us
    );
    Ok(())
}
