//! Shapes answers for people (aligned text) or scripts (`--json`, one document on stdout).

use std::io::Write;

/// Prints a line to stdout, returning the error (a closed pipe) instead of panicking.
macro_rules! say {
    ($($t:tt)*) => {
        writeln!(std::io::stdout().lock(), $($t)*)?
    };
}

use casebook_store::VerifyReport;
use casebook_store::model::{CaseDetail, CaseSummary, SearchHit, TimelineEntry};
use serde::Serialize;
use serde_json::json;

/// Where and how to print.
pub struct Out {
    /// One JSON document instead of text.
    pub json: bool,
}

/// A date as people here read it: "27 Nov 2026".
pub fn day(date: chrono::NaiveDate) -> String {
    date.format("%-d %b %Y").to_string()
}

fn clip(text: &str, max: usize) -> String {
    let one_line = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if one_line.chars().count() <= max {
        return one_line;
    }
    let mut s: String = one_line.chars().take(max.saturating_sub(1)).collect();
    s.push('…');
    s
}

impl Out {
    pub(crate) fn print_json<T: Serialize>(&self, value: &T) -> anyhow::Result<()> {
        let mut stdout = std::io::stdout().lock();
        serde_json::to_writer_pretty(&mut stdout, value).map_err(|e| match e.io_error_kind() {
            // Surface a closed pipe as the io error main() treats as a quiet exit.
            Some(kind) => anyhow::Error::from(std::io::Error::from(kind)),
            None => anyhow::Error::from(e),
        })?;
        writeln!(stdout)?;
        Ok(())
    }

    /// A change was made: its ids as JSON, or a sentence.
    pub fn created(&self, json: serde_json::Value, text: &str) -> anyhow::Result<()> {
        if self.json {
            return self.print_json(&json);
        }
        say!("{text}");
        Ok(())
    }

    /// The passphrase was changed: and when a rekey is worth doing too.
    pub fn passphrase_changed(&self) -> anyhow::Result<()> {
        const REKEY_ADVICE: &str = "If a copy of the old store.key may exist (a backup, another disk), run `casebook rekey` too: a new passphrase alone does not change the database key.";
        if self.json {
            return self.print_json(&json!({"changed": true, "advice": REKEY_ADVICE}));
        }
        say!("Passphrase changed. The old one no longer opens this store.key.");
        say!("{REKEY_ADVICE}");
        Ok(())
    }

    /// The caseload.
    pub fn cases(&self, cases: &[CaseSummary]) -> anyhow::Result<()> {
        if self.json {
            return self.print_json(&json!({ "cases": cases }));
        }
        if cases.is_empty() {
            say!("No open cases.");
            return Ok(());
        }
        say!(
            "{:<12} {:<10} {:<26} {:<15} {:<14} {:<28} SUMMARY",
            "REF",
            "DUE",
            "WHAT",
            "STATUS",
            "STAGE",
            "PARTIES"
        );
        let today = chrono::Local::now().date_naive();
        for c in cases {
            let (due, what) = match c.next_deadline {
                Some(d) if d.date < today => (d.date.to_string(), format!("OVERDUE {}", d.kind.label())),
                Some(d) => (d.date.to_string(), d.kind.label().to_owned()),
                None => ("-".into(), String::new()),
            };
            let drafts = if c.drafts > 0 {
                format!(" ({} draft)", c.drafts)
            } else {
                String::new()
            };
            say!(
                "{:<12} {:<10} {:<26} {:<15} {:<14} {:<28} {}{}",
                c.reference,
                due,
                what,
                c.status.label(),
                c.stage.label(),
                clip(&c.parties.join(", "), 28),
                clip(&c.summary, 50),
                drafts
            );
        }
        Ok(())
    }

    /// One case.
    pub fn case(&self, d: &CaseDetail) -> anyhow::Result<()> {
        if self.json {
            return self.print_json(d);
        }
        let c = &d.case;
        say!("{}  {} · {} · {}", c.reference, c.kind, c.stage, c.status);
        say!(
            "Referred by {} on {}{}",
            c.source,
            c.received_on,
            c.referrer
                .as_deref()
                .map(|r| format!(" ({r})"))
                .unwrap_or_default()
        );
        if let Some(date) = c.court_date {
            match c
                .pre_sentence
                .filter(|_| c.stage == casebook_domain::JusticeStage::PreSentence)
            {
                Some(kind) => say!("Court date: {date} ({})", kind.label()),
                None => say!("Court date: {date}"),
            }
        }
        if let Some(next) = d.next_deadline {
            say!("Next: {} on {}", next.kind.label(), next.date);
        }
        say!("\n{}", c.summary);
        if let Some(outcome) = &c.outcome {
            say!("Outcome: {outcome}");
        }
        for w in &d.warnings {
            say!("\n! {w}");
        }
        say!("\nParties");
        for p in &d.parties {
            let minor = if p.minor { ", minor" } else { "" };
            say!("  {} ({}{}) {}", p.name, p.role.label(), minor, p.id);
            for consent in &p.consents {
                say!(
                    "      {:<40} {} ({}, {})",
                    consent.scope.label(),
                    consent.decision,
                    consent.method,
                    consent.date
                );
            }
        }
        say!("\nTimeline");
        for entry in &d.timeline {
            match entry {
                TimelineEntry::Contact(k) => {
                    let amends = k.amends.map(|a| format!(", amends {a}")).unwrap_or_default();
                    say!(
                        "  {}  {} [{}{}] {}",
                        k.date,
                        k.kind.label(),
                        k.state,
                        amends,
                        k.id
                    );
                    if let Some(reason) = &k.flagged {
                        say!("      ! flagged for review: {reason}");
                    }
                    for line in k.notes.lines() {
                        say!("      {line}");
                    }
                }
                TimelineEntry::Consent(e) => {
                    say!(
                        "  {}  {}: consent to {} {} ({})",
                        e.date,
                        e.party_name,
                        e.scope.label(),
                        e.decision,
                        e.method
                    );
                }
                TimelineEntry::Status(s) => {
                    let outcome = s.outcome.as_deref().map(|o| format!(": {o}")).unwrap_or_default();
                    say!(
                        "  {}  status {} → {}{}",
                        s.date,
                        s.from.label(),
                        s.to.label(),
                        outcome
                    );
                }
                TimelineEntry::Supervision(n) => {
                    let who = n.author_name.as_deref().unwrap_or("a supervisor");
                    say!("  {}  supervision note by {} {}", n.date, who, n.id);
                    for line in n.text.lines() {
                        say!("      {line}");
                    }
                }
            }
        }
        Ok(())
    }

    /// Each party's current consent.
    pub fn consents(&self, d: &CaseDetail) -> anyhow::Result<()> {
        if self.json {
            return self
                .print_json(&json!({ "case": d.case.id, "parties": d.parties, "warnings": d.warnings }));
        }
        for p in &d.parties {
            say!("{} ({})", p.name, p.role.label());
            if p.consents.is_empty() {
                say!("    no consent recorded yet");
            }
            for c in &p.consents {
                say!(
                    "    {:<40} {} ({}, {})",
                    c.scope.label(),
                    c.decision,
                    c.method,
                    c.date
                );
            }
        }
        for w in &d.warnings {
            say!("! {w}");
        }
        Ok(())
    }

    /// Search hits.
    pub fn search(&self, hits: &[SearchHit]) -> anyhow::Result<()> {
        if self.json {
            return self.print_json(&json!({ "hits": hits }));
        }
        if hits.is_empty() {
            say!("Nothing found.");
        }
        for h in hits {
            say!("{:<10} {:<8} {}", h.reference, h.entity, clip(&h.snippet, 100));
        }
        Ok(())
    }

    /// The verify report.
    pub fn verify(&self, r: &VerifyReport) -> anyhow::Result<()> {
        if self.json {
            return self.print_json(r);
        }
        let mark = |ok: bool| if ok { "ok" } else { "FAILED" };
        say!(
            "cipher integrity (every page authenticated)  {}",
            mark(r.cipher_errors.is_empty())
        );
        say!(
            "database integrity                           {}",
            mark(r.integrity_errors.is_empty())
        );
        say!(
            "references between records                   {}",
            mark(r.foreign_key_errors == 0)
        );
        say!(
            "op log rebuilds every record ({} ops)  {}",
            r.ops,
            mark(r.replay_mismatches.is_empty())
        );
        if r.set_aside_ops > 0 {
            say!(
                "changes from the hub set aside (see `casebook status`)  {}",
                r.set_aside_ops
            );
        }
        for problem in r
            .cipher_errors
            .iter()
            .chain(&r.integrity_errors)
            .chain(&r.replay_mismatches)
        {
            say!("  - {problem}");
        }
        say!(
            "{}",
            if r.ok {
                "The store is intact."
            } else {
                "The store has problems (listed above)."
            }
        );
        Ok(())
    }
}
