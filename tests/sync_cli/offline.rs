//! A hub that is down: sync says so and keeps every pending change for the next sync.

use crate::common::*;
use crate::{show_text, timeline_notes};

/// Done when #6: with the hub down, sync exits 1 saying the hub cannot be reached and that the
/// changes are kept; nothing pending is lost, and the next sync with the hub up delivers it.
#[test]
fn a_hub_that_is_down_keeps_the_changes_for_the_next_sync() {
    let mut hub = start_hub();
    let f = member(&hub, "fay", "facilitator", Some("north"));
    let (case, _) = f.new_case(&format!("Before the outage {}", marker()));
    sync(&f, &hub);

    hub.kill();
    let note = format!("Written while the hub was down {}", marker());
    f.create(&["party", "add", &case, "--role", "victim", "--name", "Ann"]);
    add_note(&f, &case, &note);
    let pending = num(&status(&f), "pending_ops");
    assert!(
        pending >= 2,
        "the party and the note should be pending: {pending}"
    );

    for args in [&["sync"][..], &["sync", "--json"][..]] {
        let out = f.run(args);
        let what = format!(
            "casebook {} with nothing listening on the hub's port",
            args.join(" ")
        );
        assert_code(&out, EXIT_OTHER, &what);
        let err = stderr(&out);
        assert!(
            mentions_any(&err, &["cannot be reached", "can't be reached", "unreachable"]),
            "{what}: should say the hub cannot be reached\n{}",
            describe(&out)
        );
        assert!(
            mentions_any(&err, &["kept"]),
            "{what}: should say the changes are kept\n{}",
            describe(&out)
        );
        assert_plain_error(&out, &what);
        assert_eq!(
            num(&status(&f), "pending_ops"),
            pending,
            "{what}: the pending ops changed"
        );
    }
    assert!(timeline_notes(&f, &case).contains(&note), "the note is gone");

    hub.restart();
    let r = sync(&f, &hub);
    assert_eq!(num(&r, "pushed"), pending, "{r}");
    assert_eq!(num(&r, "pending"), 0, "{r}");
    assert_eq!(num(&status(&f), "pending_ops"), 0);
    assert_eq!(hub.ops_containing(&note), 1, "the hub should hold the note once");
    assert!(show_text(&f, &case).contains(&note));
}
