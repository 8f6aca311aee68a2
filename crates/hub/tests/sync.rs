//! Push, pull, history and scope against a real hub over HTTP.
#![allow(missing_docs, clippy::unwrap_used)]

use casebook_domain::{CaseId, Entity, OpId, OpKind};
use casebook_protocol::{OpOutcome, Role};
use casebook_testkit::inproc::{self as common, new_case, note, opened_case, start, supervision_note};
use reqwest::StatusCode;
use serde_json::json;

#[tokio::test]
async fn pushing_the_same_batch_twice_stores_each_op_once() {
    let hub = start().await;
    let fac = hub.user("Femi", Role::Facilitator, Some("north")).await;
    let case = CaseId::new();
    let mut ops = opened_case(&fac, case);
    ops.extend([note(&fac, case, "first visit"), note(&fac, case, "call")]);

    let first = hub.push(&fac, &ops).await;
    let seqs: Vec<u64> = first
        .results
        .iter()
        .map(|r| match r.outcome {
            OpOutcome::Accepted { seq } => seq,
            ref other => panic!("not accepted: {other:?}"),
        })
        .collect();
    assert!(seqs.windows(2).all(|w| w[0] < w[1]));
    assert!(!first.wipe);

    let again = hub.push(&fac, &ops).await;
    let held: Vec<u64> = again
        .results
        .iter()
        .map(|r| match r.outcome {
            OpOutcome::AlreadyHeld { seq } => seq,
            ref other => panic!("not already held: {other:?}"),
        })
        .collect();
    assert_eq!(held, seqs);
    assert_eq!(
        again.results.iter().map(|r| r.op_id).collect::<Vec<_>>(),
        ops.iter().map(|o| o.op_id).collect::<Vec<_>>()
    );
}

#[tokio::test]
async fn a_rejected_op_does_not_block_the_ops_behind_it() {
    let hub = start().await;
    let fac = hub.user("Femi", Role::Facilitator, Some("north")).await;
    let case = CaseId::new();
    let mut bad = note(&fac, case, "x");
    bad.fields.insert("summary; DROP TABLE ops".into(), json!(1));
    let mut forged = note(&fac, case, "as someone else");
    forged.author = casebook_domain::UserId::new();
    let good = note(&fac, case, "kept");
    let mut unreadable = serde_json::to_value(note(&fac, case, "from the future")).unwrap();
    unreadable["entity"] = json!("hologram");

    let [create, party] = <[_; 2]>::try_from(opened_case(&fac, case)).expect("two ops");
    let body = json!({"ops": [create, party, bad, forged, unreadable, good]});
    let (status, body) = hub.post("/v1/push", Some(&fac.token), &body).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let outcomes: Vec<&str> = body["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["outcome"]["status"].as_str().unwrap())
        .collect();
    assert_eq!(
        outcomes,
        [
            "accepted", "accepted", "rejected", "rejected", "rejected", "accepted"
        ]
    );
    assert_eq!(body["results"][5]["op_id"], json!(good.op_id));

    let pulled = hub.pull(&fac, 0, &[], 100).await;
    assert!(pulled.ops.iter().any(|p| p.op.op_id == good.op_id));
    assert!(!pulled.ops.iter().any(|p| p.op.op_id == bad.op_id));
}

#[tokio::test]
async fn a_new_case_gets_a_reference_from_the_hub_as_an_op() {
    let hub = start().await;
    let fac = hub.user("Femi", Role::Facilitator, Some("north")).await;
    let case = CaseId::new();
    let create = new_case(&fac, case);
    hub.push(&fac, std::slice::from_ref(&create)).await;
    let pulled = hub.pull(&fac, 0, &[], 100).await;
    assert_eq!(pulled.ops.len(), 2);
    let reference = &pulled.ops[1].op;
    assert_eq!((reference.entity, reference.kind), (Entity::Case, OpKind::Update));
    let text = reference.fields["reference"].as_str().unwrap();
    assert!(text.starts_with("RH-") && text.ends_with("-0001"), "{text}");
    assert_eq!(reference.replaces["reference"], create.op_id);
    assert!(reference.hlc > create.hlc);
    let listed = hub.admin().cases().unwrap();
    assert_eq!(
        (listed[0].reference.as_str(), listed[0].lead.as_deref()),
        (text, Some("Femi"))
    );
}

#[tokio::test]
async fn pulls_page_by_cursor_without_gaps_or_repeats() {
    let hub = start().await;
    let fac = hub.user("Femi", Role::Facilitator, Some("north")).await;
    let case = CaseId::new();
    let mut ops = opened_case(&fac, case);
    ops.extend((0..9).map(|i| note(&fac, case, &format!("note {i}"))));
    hub.push(&fac, &ops).await;

    let (mut cursor, mut seen, mut pages) = (0, Vec::new(), 0);
    loop {
        let page = hub.pull(&fac, cursor, &[case], 3).await;
        assert!(page.ops.len() <= 3);
        seen.extend(page.ops.iter().map(|p| p.seq));
        cursor = page.next_cursor;
        pages += 1;
        if !page.more {
            break;
        }
    }
    assert_eq!(
        pages, 4,
        "12 ops (case, party, 9 notes + the reference) in pages of 3"
    );
    assert_eq!(seen, (1..=12).collect::<Vec<u64>>());
    let after = hub.pull(&fac, cursor, &[case], 3).await;
    assert!(after.ops.is_empty() && !after.more && after.next_cursor == cursor);
}

#[tokio::test]
async fn each_role_sees_only_its_scope() {
    let hub = start().await;
    let femi = hub.user("Femi", Role::Facilitator, Some("north")).await;
    let farah = hub.user("Farah", Role::Facilitator, Some("north")).await;
    let sol = hub.user("Sol", Role::Facilitator, Some("south")).await;
    let sunita = hub.user("Sunita", Role::Supervisor, Some("north")).await;
    let cora = hub.user("Cora", Role::Coordinator, None).await;
    let admin = hub.user("Ada", Role::Admin, None).await;
    let (a, b, c) = (CaseId::new(), CaseId::new(), CaseId::new());
    hub.push(&femi, &opened_case(&femi, a)).await;
    hub.push(&farah, &opened_case(&farah, b)).await;
    hub.push(&sol, &opened_case(&sol, c)).await;

    let cases_of = |page: &casebook_protocol::PullResponse| {
        let mut cases: Vec<CaseId> = page.ops.iter().map(|p| p.op.case_id).collect();
        cases.dedup();
        cases.sort();
        cases
    };
    let sorted = |mut v: Vec<CaseId>| {
        v.sort();
        v
    };
    assert_eq!(cases_of(&hub.pull(&femi, 0, &[], 100).await), vec![a]);
    assert_eq!(cases_of(&hub.pull(&farah, 0, &[], 100).await), vec![b]);
    assert_eq!(
        cases_of(&hub.pull(&sunita, 0, &[], 100).await),
        sorted(vec![a, b])
    );
    assert_eq!(
        cases_of(&hub.pull(&cora, 0, &[], 100).await),
        sorted(vec![a, b, c])
    );
    assert_eq!(
        cases_of(&hub.pull(&admin, 0, &[], 100).await),
        sorted(vec![a, b, c])
    );

    // Femi cannot read Farah's case by asking for it either.
    let (status, body) = hub
        .get(&format!("/v1/cases/{b}/history"), Some(&femi.token))
        .await;
    assert_eq!(
        (status, body["code"].as_str()),
        (StatusCode::NOT_FOUND, Some("not_found"))
    );
    let (status, _) = hub
        .get(&format!("/v1/cases/{b}/history"), Some(&sunita.token))
        .await;
    assert_eq!(status, StatusCode::OK);
    let (status, _) = hub
        .get(&format!("/v1/cases/{c}/history"), Some(&sunita.token))
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND, "another team's case");
}

#[tokio::test]
async fn reassignment_moves_a_case_and_quarantines_a_late_note() {
    let hub = start().await;
    let femi = hub.user("Femi", Role::Facilitator, Some("north")).await;
    let farah = hub.user("Farah", Role::Facilitator, Some("north")).await;
    let sunita = hub.user("Sunita", Role::Supervisor, Some("north")).await;
    let case = CaseId::new();
    let mut history = opened_case(&femi, case);
    history.extend((0..4).map(|i| note(&femi, case, &format!("note {i}"))));
    hub.push(&femi, &history).await;
    let femi_cursor = hub.pull(&femi, 0, &[], 100).await.next_cursor;
    let farah_cursor = hub.pull(&farah, 0, &[], 100).await.next_cursor;
    assert_eq!(
        farah_cursor, femi_cursor,
        "the cursor moves past ops out of scope too"
    );

    // Femi, offline, writes one more note; an admin reassigns the case before it arrives.
    let late = note(&femi, case, "written offline before the reassignment");
    tokio::time::sleep(std::time::Duration::from_millis(5)).await;
    hub.admin()
        .assign(&case.to_string(), "Farah", None, common::now())
        .unwrap();
    let pushed = hub.push(&femi, std::slice::from_ref(&late)).await;
    let OpOutcome::Quarantined { seq, reason } = &pushed.results[0].outcome else {
        panic!("{:?}", pushed.results[0].outcome)
    };
    assert!(reason.contains("no longer holds"), "{reason}");

    let femi_page = hub.pull(&femi, femi_cursor, &[case], 100).await;
    assert_eq!(femi_page.cases_removed, vec![case]);
    assert!(femi_page.ops.is_empty());

    let farah_page = hub.pull(&farah, farah_cursor, &[], 100).await;
    assert_eq!(farah_page.cases_added, vec![case]);
    let flagged = farah_page
        .ops
        .iter()
        .find(|p| p.seq == *seq)
        .expect("the new lead receives the late note");
    assert_eq!(
        flagged.quarantined.as_deref(),
        Some(reason.as_str()),
        "flagged as such"
    );

    // The whole history, in pages.
    let (mut after, mut fetched) = (0, Vec::new());
    loop {
        let (status, body) = hub
            .get(
                &format!("/v1/cases/{case}/history?after={after}&limit=2"),
                Some(&farah.token),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        let page: casebook_protocol::HistoryResponse = serde_json::from_value(body).unwrap();
        fetched.extend(page.ops.into_iter().map(|p| p.op.op_id));
        after = page.next_after;
        if !page.more {
            break;
        }
    }
    for op in &history {
        assert!(fetched.contains(&op.op_id));
    }
    assert!(fetched.contains(&late.op_id), "the late note is kept on the case");
    assert_eq!(
        fetched.len(),
        history.len() + 3,
        "plus the hub's reference and lead ops and the late note"
    );
    let lead_op = farah_page
        .ops
        .iter()
        .map(|p| &p.op)
        .find(|op| op.fields.contains_key("lead"))
        .unwrap();
    assert_eq!(lead_op.fields["lead"], json!(farah.user));
    assert_eq!(
        lead_op.replaces["lead"], history[0].op_id,
        "it succeeds the create's lead"
    );
    assert!(lead_op.hlc > history[0].hlc);

    // The supervisor sees the flagged note, with its reason.
    let sup = hub.pull(&sunita, 0, &[], 100).await;
    let flagged = sup.ops.iter().find(|p| p.op.op_id == late.op_id).unwrap();
    assert_eq!(flagged.quarantined.as_deref(), Some(reason.as_str()));
    assert_eq!(hub.admin().cases().unwrap()[0].quarantined, 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_pushes_get_unique_gap_free_sequence_numbers() {
    let hub = std::sync::Arc::new(start().await);
    let cora = hub.user("Cora", Role::Coordinator, None).await;
    let mut pushes = tokio::task::JoinSet::new();
    for i in 0..6 {
        let device = hub.user(&format!("F{i}"), Role::Facilitator, Some("north")).await;
        let hub = std::sync::Arc::clone(&hub);
        pushes.spawn(async move {
            let case = CaseId::new();
            hub.push(&device, &opened_case(&device, case)).await;
            for round in 0..4 {
                let batch: Vec<_> = (0..3)
                    .map(|i| note(&device, case, &format!("{round}/{i}")))
                    .collect();
                hub.push(&device, &batch).await;
            }
        });
    }
    while let Some(done) = pushes.join_next().await {
        done.unwrap();
    }

    let (mut cursor, mut seqs) = (0, Vec::new());
    loop {
        let page = hub.pull(&cora, cursor, &[], 7).await;
        seqs.extend(page.ops.iter().map(|p| p.seq));
        cursor = page.next_cursor;
        if !page.more {
            break;
        }
    }
    // 6 devices x (create + party + reference + 12 notes).
    assert_eq!(seqs, (1..=6 * 15).collect::<Vec<u64>>());
    let all = hub.pull(&cora, 0, &[], 1000).await.ops;
    let mut hub_stamps: Vec<_> = all
        .iter()
        .filter(|p| p.op.fields.contains_key("reference") && p.op.kind == OpKind::Update)
        .map(|p| p.op.hlc)
        .collect();
    hub_stamps.sort();
    hub_stamps.dedup();
    assert_eq!(hub_stamps.len(), 6, "the hub never reuses a timestamp");
}

#[tokio::test]
async fn a_co_facilitator_keeps_the_case() {
    let hub = start().await;
    let femi = hub.user("Femi", Role::Facilitator, Some("north")).await;
    let farah = hub.user("Farah", Role::Facilitator, Some("north")).await;
    let case = CaseId::new();
    hub.push(&femi, &opened_case(&femi, case)).await;
    hub.admin()
        .assign(&case.to_string(), "Farah", Some("Femi"), common::now())
        .unwrap();
    let late = hub.push(&femi, &[note(&femi, case, "still mine to write")]).await;
    assert!(matches!(late.results[0].outcome, OpOutcome::Accepted { .. }));
    assert!(hub.pull(&femi, 0, &[case], 100).await.cases_removed.is_empty());
    assert_eq!(
        hub.pull(&farah, 0, &[], 100).await.ops.len(),
        5,
        "create, party, reference, lead, note"
    );
}

#[tokio::test]
async fn only_a_supervisors_supervision_note_is_held_and_it_reaches_the_lead() {
    let hub = start().await;
    let femi = hub.user("Femi", Role::Facilitator, Some("north")).await;
    let sunita = hub.user("Sunita", Role::Supervisor, Some("north")).await;
    let case = CaseId::new();
    hub.push(&femi, &opened_case(&femi, case)).await;

    let own = supervision_note(&femi, case, "I supervise myself");
    let answer = hub.push(&femi, std::slice::from_ref(&own)).await;
    match &answer.results[0].outcome {
        OpOutcome::Rejected { reason, code } => {
            assert_eq!(code, "role_may_not", "{reason}");
            assert!(
                reason.contains("a facilitator cannot create a supervision note"),
                "{reason}"
            );
        }
        other => panic!("a facilitator's note was not rejected: {other:?}"),
    }

    let signed = supervision_note(&sunita, case, "Check the school's consent first.");
    let answer = hub.push(&sunita, std::slice::from_ref(&signed)).await;
    assert!(
        matches!(answer.results[0].outcome, OpOutcome::Accepted { .. }),
        "{:?}",
        answer.results[0]
    );

    let pulled = hub.pull(&femi, 0, &[], 100).await;
    let ids: Vec<_> = pulled.ops.iter().map(|p| p.op.op_id).collect();
    assert!(ids.contains(&signed.op_id), "the lead receives the note");
    assert!(!ids.contains(&own.op_id));
}

#[tokio::test]
async fn pulls_carry_the_team_directory() {
    let hub = start().await;
    let femi = hub.user("Femi", Role::Facilitator, Some("north")).await;
    let sunita = hub.user("Sunita", Role::Supervisor, Some("north")).await;
    hub.user("Sol", Role::Facilitator, Some("south")).await;
    let cora = hub.user("Cora", Role::Coordinator, None).await;

    let names = |people: &[casebook_protocol::Person]| -> Vec<(String, String)> {
        people.iter().map(|p| (p.name.clone(), p.role.clone())).collect()
    };
    let pulled = hub.pull(&sunita, 0, &[], 100).await;
    assert_eq!(
        names(&pulled.people),
        [
            ("Femi".to_owned(), "facilitator".to_owned()),
            ("Sunita".to_owned(), "supervisor".to_owned())
        ]
    );
    assert_eq!(pulled.people[0].id, femi.user);
    // A coordinator allocates cases across teams, so their directory is everyone.
    let pulled = hub.pull(&cora, 0, &[], 100).await;
    assert_eq!(
        names(&pulled.people),
        [
            ("Cora".to_owned(), "coordinator".to_owned()),
            ("Femi".to_owned(), "facilitator".to_owned()),
            ("Sol".to_owned(), "facilitator".to_owned()),
            ("Sunita".to_owned(), "supervisor".to_owned())
        ]
    );
    // With each one's team, so the coordinator's dashboard can count one team alone.
    let teams: Vec<Option<&str>> = pulled.people.iter().map(|p| p.team.as_deref()).collect();
    assert_eq!(teams, [None, Some("north"), Some("south"), Some("north")]);
}

/// A pull that says how many of its own ops the device holds as held.
async fn pull_holding_own(hub: &common::TestHub, device: &common::Device, own: u64) -> Vec<OpId> {
    let body = json!({"cursor": 0, "held_cases": [], "limit": 100, "own_ops_held": own});
    let (status, body) = hub.post("/v1/pull", Some(&device.token), &body).await;
    assert_eq!(status, StatusCode::OK, "pull: {body}");
    let page: casebook_protocol::PullResponse = serde_json::from_value(body).unwrap();
    assert!(!page.more);
    page.ops.iter().map(|p| p.op.op_id).collect()
}

#[tokio::test]
async fn a_device_holding_all_it_pushed_is_not_sent_its_own_ops_back() {
    let hub = start().await;
    let femi = hub.user("Femi", Role::Facilitator, Some("north")).await;
    let sunita = hub.user("Sunita", Role::Supervisor, Some("north")).await;
    let case = CaseId::new();
    let mut mine = opened_case(&femi, case);
    mine.push(note(&femi, case, "first visit"));
    hub.push(&femi, &mine).await;
    let theirs = supervision_note(&sunita, case, "discussed in supervision");
    hub.push(&sunita, std::slice::from_ref(&theirs)).await;
    // Answered again (a lost answer): the hub's count of Femi's laptop does not grow.
    hub.push(&femi, &mine).await;
    let everything = hub.pull(&femi, 0, &[], 100).await;
    assert_eq!(
        everything.ops.len(),
        mine.len() + 2,
        "his ops, the reference, her note"
    );
    let others: Vec<OpId> = everything
        .ops
        .iter()
        .map(|p| p.op.op_id)
        .filter(|id| !mine.iter().any(|o| o.op_id == *id))
        .collect();

    let count = u64::try_from(mine.len()).unwrap();
    assert_eq!(
        pull_holding_own(&hub, &femi, count).await,
        others,
        "the hub's reference and the supervisor's note only"
    );
    // A count that differs (a store copied back from an older file): everything, as before.
    let all: Vec<OpId> = everything.ops.iter().map(|p| p.op.op_id).collect();
    assert_eq!(pull_holding_own(&hub, &femi, count - 1).await, all);
    assert_eq!(pull_holding_own(&hub, &femi, count + 1).await, all);
    // Per device, not per user: his second laptop pushed nothing and is sent everything.
    let second = hub.enroll(&hub.user_code("Femi")).await;
    assert_eq!(pull_holding_own(&hub, &second, 0).await, all);
}
