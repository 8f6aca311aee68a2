//! The agreement reached at a restorative meeting: actions (what, by whom, by when, how far
//! along) and the reviews that follow them up. Due dates and reviews feed the caseload's
//! deadlines; nothing here is typed twice.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::case::{Deadline, DeadlineKind, sooner};
use crate::error::RuleError;

labelled_enum!(
    /// How far an agreed action has got.
    ActionStatus {
        /// Not done yet.
        Open = "open" / "open",
        /// Done.
        Done = "done" / "done",
        /// Will not be done.
        NotDone = "not_done" / "not done",
    }
);

/// One agreed action.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Action {
    /// What will be done.
    pub what: String,
    /// By whom (a party's name, or the service).
    pub by: String,
    /// By when.
    pub due: NaiveDate,
    /// How far it has got.
    pub status: ActionStatus,
}

/// Whether `text` is a stored list of actions (used by the field table): at least one, each
/// saying what and by whom.
pub fn is_actions(text: &str) -> bool {
    serde_json::from_str::<Vec<Action>>(text)
        .is_ok_and(|actions| !actions.is_empty() && actions.iter().all(|a| check_action(a).is_ok()))
}

/// Reads `WHAT|BY|YYYY-MM-DD`, as typed on the command line.
pub fn parse_action(given: &str) -> Result<Action, RuleError> {
    let bad = || RuleError::BadAction {
        given: given.chars().take(80).collect(),
    };
    let mut parts = given.split('|');
    let (Some(what), Some(by), Some(due), None) = (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(bad());
    };
    let action = Action {
        what: what.trim().to_owned(),
        by: by.trim().to_owned(),
        due: due.trim().parse().map_err(|_| bad())?,
        status: ActionStatus::Open,
    };
    check_action(&action)?;
    Ok(action)
}

fn check_action(a: &Action) -> Result<(), RuleError> {
    if a.what.trim().is_empty() {
        return Err(RuleError::Empty {
            field: "What an action is",
        });
    }
    if a.by.trim().is_empty() {
        return Err(RuleError::Empty {
            field: "Who does an action",
        });
    }
    Ok(())
}

/// The open actions past their due date on `today`.
pub fn overdue(actions: &[Action], today: NaiveDate) -> Vec<&Action> {
    actions
        .iter()
        .filter(|a| a.status == ActionStatus::Open && a.due < today)
        .collect()
}

/// What an agreement asks for next: its earliest open action's day or its review, whichever
/// comes first (the action on the same day: it is the thing to do).
pub fn next_due(actions: &[Action], review_on: Option<NaiveDate>) -> Option<Deadline> {
    let open = actions
        .iter()
        .filter(|a| a.status == ActionStatus::Open)
        .map(|a| a.due)
        .min();
    due_of(open, review_on)
}

/// [`next_due`] from the earliest open action's day and the earliest review, as a query over
/// many agreements finds them without reading each one's actions.
pub fn due_of(open_action: Option<NaiveDate>, review_on: Option<NaiveDate>) -> Option<Deadline> {
    let action = open_action.map(|date| Deadline {
        date,
        kind: DeadlineKind::ActionDue,
    });
    let review = review_on.map(|date| Deadline {
        date,
        kind: DeadlineKind::ReviewDue,
    });
    sooner(action, review)
}

/// Whether every action is settled (done or not done): the agreement can be closed.
pub fn settled(actions: &[Action]) -> bool {
    actions.iter().all(|a| a.status != ActionStatus::Open)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_next_thing_an_agreement_asks_is_its_earliest_open_action_or_its_review() {
        let action = |due, status| Action {
            what: "Repair the fence".into(),
            by: "Bob".into(),
            due,
            status,
        };
        let actions = [
            action(d(1, 10), ActionStatus::Done),
            action(d(2, 1), ActionStatus::Open),
            action(d(1, 20), ActionStatus::Open),
        ];
        assert_eq!(
            next_due(&actions, Some(d(3, 1))),
            Some(Deadline {
                date: d(1, 20),
                kind: DeadlineKind::ActionDue
            }),
            "a done action asks for nothing"
        );
        assert_eq!(
            next_due(&actions, Some(d(1, 15))).map(|x| x.kind),
            Some(DeadlineKind::ReviewDue)
        );
        assert_eq!(
            next_due(&actions, Some(d(1, 20))).map(|x| x.kind),
            Some(DeadlineKind::ActionDue),
            "on one day the action comes first"
        );
        assert_eq!(next_due(&actions[..1], None), None, "settled, no review: nothing");
    }

    fn d(m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2027, m, day).expect("date")
    }

    #[test]
    fn actions_are_typed_as_what_by_whom_and_when() {
        let a = parse_action("Repair the fence | Bob | 2027-01-15").expect("action");
        assert_eq!(
            (a.what.as_str(), a.by.as_str(), a.due),
            ("Repair the fence", "Bob", d(1, 15))
        );
        assert_eq!(a.status, ActionStatus::Open);
        for bad in [
            "Repair the fence|Bob",
            "|Bob|2027-01-15",
            "Fence| |2027-01-15",
            "Fence|Bob|15/01/2027",
            "a|b|2027-01-01|x",
        ] {
            assert!(parse_action(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn stored_actions_are_checked() {
        let one = serde_json::to_string(&[parse_action("Write a letter|Bob|2027-02-01").expect("action")])
            .expect("json");
        assert!(is_actions(&one));
        assert!(!is_actions("[]"), "an agreement agrees something");
        assert!(!is_actions(
            r#"[{"what": "", "by": "Bob", "due": "2027-01-01", "status": "open"}]"#
        ));
        assert!(!is_actions(
            r#"[{"what": "x", "by": "Bob", "due": "2027-01-01", "status": "maybe"}]"#
        ));
    }

    #[test]
    fn overdue_and_settled_follow_the_statuses() {
        let mut actions = vec![
            parse_action("Fence|Bob|2027-01-15").expect("action"),
            parse_action("Letter|Bob|2027-02-15").expect("action"),
        ];
        assert_eq!(overdue(&actions, d(1, 16)).len(), 1);
        assert_eq!(overdue(&actions, d(1, 15)).len(), 0, "due today is not overdue");
        assert!(!settled(&actions));
        actions[0].status = ActionStatus::Done;
        actions[1].status = ActionStatus::NotDone;
        assert!(settled(&actions) && overdue(&actions, d(3, 1)).is_empty());
    }
}
