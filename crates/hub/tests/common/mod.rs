//! A real hub on 127.0.0.1:0 with a scratch data dir, and helpers to talk to it over HTTP.
#![allow(dead_code, missing_docs, clippy::unwrap_used)]

use std::collections::BTreeMap;

use casebook_domain::{CaseId, DeviceId, Entity, Hlc, Op, OpId, OpKind, SCHEMA_VERSION, UserId};
use casebook_hub::{ServeConfig, Server, Storage};
use casebook_protocol::{EnrollResponse, PROTOCOL_HEADER, PullResponse, PushResponse, Role};
use reqwest::StatusCode;
use serde_json::{Value, json};
use uuid::Uuid;

pub struct TestHub {
    pub dir: tempfile::TempDir,
    pub url: String,
    pub http: reqwest::Client,
}

pub async fn start() -> TestHub {
    start_with(ServeConfig::default()).await
}

pub async fn start_with(config: ServeConfig) -> TestHub {
    let dir = tempfile::tempdir().unwrap();
    let storage = Storage::open(dir.path(), None).unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let server = Server::new(listener, storage, config).unwrap();
    let url = server.url();
    tokio::spawn(server.run(std::future::pending()));
    TestHub {
        dir,
        url,
        http: reqwest::Client::new(),
    }
}

/// An enrolled device.
#[derive(Debug, Clone)]
pub struct Device {
    pub token: String,
    pub id: DeviceId,
    pub user: UserId,
}

impl TestHub {
    /// A second connection to the same data dir, as an admin command would open.
    pub fn admin(&self) -> Storage {
        Storage::open(self.dir.path(), None).unwrap()
    }

    pub fn add_user(&self, name: &str, role: Role, team: Option<&str>) -> String {
        let mut admin = self.admin();
        let user = admin.add_user(name, role, team, now()).unwrap();
        casebook_hub::enroll::issue_code(&mut admin, &user, now()).unwrap()
    }

    pub async fn enroll(&self, code: &str) -> Device {
        let (status, body) = self
            .post(
                "/v1/enroll",
                None,
                &json!({"code": code, "device_name": "laptop"}),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        let answer: EnrollResponse = serde_json::from_value(body).unwrap();
        Device {
            token: answer.token,
            id: answer.device_id,
            user: answer.user.id,
        }
    }

    pub async fn user(&self, name: &str, role: Role, team: Option<&str>) -> Device {
        let code = self.add_user(name, role, team);
        self.enroll(&code).await
    }

    pub async fn post(&self, path: &str, token: Option<&str>, body: &Value) -> (StatusCode, Value) {
        let mut req = self
            .http
            .post(format!("{}{path}", self.url))
            .header(PROTOCOL_HEADER, "1")
            .json(body);
        if let Some(token) = token {
            req = req.bearer_auth(token);
        }
        answer(req.send().await.unwrap()).await
    }

    pub async fn get(&self, path: &str, token: Option<&str>) -> (StatusCode, Value) {
        let mut req = self
            .http
            .get(format!("{}{path}", self.url))
            .header(PROTOCOL_HEADER, "1");
        if let Some(token) = token {
            req = req.bearer_auth(token);
        }
        answer(req.send().await.unwrap()).await
    }

    pub async fn push(&self, device: &Device, ops: &[Op]) -> PushResponse {
        let (status, body) = self
            .post("/v1/push", Some(&device.token), &json!({ "ops": ops }))
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        serde_json::from_value(body).unwrap()
    }

    pub async fn pull(&self, device: &Device, cursor: u64, held: &[CaseId], limit: u32) -> PullResponse {
        let body = json!({"cursor": cursor, "held_cases": held, "limit": limit});
        let (status, body) = self.post("/v1/pull", Some(&device.token), &body).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        serde_json::from_value(body).unwrap()
    }
}

pub async fn answer(response: reqwest::Response) -> (StatusCode, Value) {
    let status = response.status();
    let text = response.text().await.unwrap();
    let body = serde_json::from_str(&text).unwrap_or_else(|_| panic!("not JSON ({status}): {text}"));
    (status, body)
}

pub fn now() -> i64 {
    chrono::Utc::now().timestamp_millis()
}

fn op(device: &Device, case_id: CaseId, entity: Entity, entity_id: Uuid, kind: OpKind, fields: Value) -> Op {
    let fields: BTreeMap<String, Value> = serde_json::from_value(fields).unwrap();
    Op {
        op_id: OpId::new(),
        case_id,
        entity,
        entity_id,
        kind,
        fields,
        replaces: BTreeMap::new(),
        hlc: Hlc {
            wall_ms: u64::try_from(now()).unwrap(),
            counter: 0,
            device: device.id,
        },
        author: device.user,
        device: device.id,
        schema_version: SCHEMA_VERSION,
    }
}

/// Creates a case offline.
pub fn new_case(device: &Device, case_id: CaseId) -> Op {
    let fields = json!({
        "kind": "restorative_justice", "status": "referred", "reference": "P-ABC123", "summary": "s",
        "lead": device.user, "stage": "out_of_court", "source": "police", "received_on": "2026-11-02",
    });
    op(
        device,
        case_id,
        Entity::Case,
        case_id.as_uuid(),
        OpKind::Create,
        fields,
    )
}

/// A contact with notes on a case.
pub fn note(device: &Device, case_id: CaseId, text: &str) -> Op {
    op(
        device,
        case_id,
        Entity::Contact,
        Uuid::now_v7(),
        OpKind::Create,
        json!({"kind": "visit", "notes": text, "date": "2026-11-03", "state": "finalised", "party_ids": "[]"}),
    )
}

/// A supervision note on a case.
pub fn supervision_note(device: &Device, case_id: CaseId, text: &str) -> Op {
    op(
        device,
        case_id,
        Entity::SupervisionNote,
        Uuid::now_v7(),
        OpKind::Create,
        json!({"text": text, "date": "2026-11-04"}),
    )
}
