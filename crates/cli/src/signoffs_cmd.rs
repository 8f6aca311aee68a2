//! `casebook signoffs`: what waits for a supervisor's answer, oldest first, with the command
//! that answers each. The queue is `Store::signoffs`'; this only prints it.

use std::io::Write;

use casebook_domain::Role;
use casebook_store::Store;
use serde_json::json;

use crate::output::Out;

/// Prints the sign-off queue.
pub fn run(store: &Store, out: &Out) -> anyhow::Result<()> {
    let queue = store.signoffs()?;
    if out.json {
        return out.print_json(&json!({ "waiting": queue }));
    }
    let own = !matches!(
        store.hub_link()?.map(|l| l.role),
        Some(Role::Supervisor | Role::Coordinator | Role::Admin)
    );
    let mut w = std::io::stdout().lock();
    if queue.is_empty() {
        let nothing = if own {
            "None of your submissions is waiting for a supervisor's answer."
        } else {
            "Nothing is waiting for a sign-off."
        };
        writeln!(w, "{nothing}")?;
        return Ok(());
    }
    let whose = if own { "Your submissions" } else { "Submissions" };
    writeln!(
        w,
        "{whose} waiting for a supervisor's answer, oldest first ({}):",
        queue.len()
    )?;
    for s in &queue {
        let when = s
            .submitted_at
            .with_timezone(&chrono::Local)
            .format("%-d %b %Y %H:%M");
        let by = s.submitted_by_name.as_deref().unwrap_or("a facilitator");
        writeln!(
            w,
            "\n{}  {}, submitted by {by} on {when}",
            s.reference,
            s.what.label()
        )?;
        writeln!(w, "    {}", s.approve)?;
        writeln!(w, "    {}", s.return_with)?;
    }
    Ok(())
}
