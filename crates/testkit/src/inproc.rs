//! The hub in-process: `casebook_hub::Server` on 127.0.0.1:0 over a scratch [`HubStore`], on the
//! caller's tokio runtime, with its admin storage, enrollment and the sync endpoints over
//! reqwest.
//!
//! ```ignore
//! let hub = TestHub::start().await;
//! let fay = hub.user("Fay", Role::Facilitator, Some("north")).await; // a Device: token, ids
//! let case = CaseId::new();
//! hub.push(&fay, &[ops::new_case(&fay, case)]).await;
//! let (status, body) = hub.post("/v1/push", Some(&fay.token), &json!({"ops": []})).await;
//! ```

use casebook_domain::{CaseId, DeviceId, UserId};
use casebook_hub::storage::UserRow;
use casebook_hub::{ServeConfig, Server, Storage};
use casebook_protocol::{EnrollResponse, PullResponse, PushResponse, Role};
use reqwest::StatusCode;
use serde_json::{Value, json};
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

use crate::http::Api;
pub use crate::http::answer;
pub use crate::ops::{new_case, note, op, opened_case, party_of, supervision_note, update};
pub use crate::store::HubStore;
pub use crate::util::now_ms as now;

/// A hub serving in this process until dropped or [`TestHub::stop`]ped: on a scratch data dir,
/// or, when `CASEBOOK_TEST_DATABASE` names a scratch PostgreSQL cluster (the test command
/// starts one), on a new database of it, so the same tests check both backends.
pub struct TestHub {
    /// Its data dir (`hub.db`, `hub.key`); empty on PostgreSQL.
    pub dir: tempfile::TempDir,
    /// Where it stores: `dir`, or a database of the scratch cluster.
    store: HubStore,
    /// `http://127.0.0.1:PORT`
    pub url: String,
    /// A client for requests the helpers do not make.
    pub http: reqwest::Client,
    api: Api,
    stop: Option<oneshot::Sender<()>>,
    task: Option<JoinHandle<()>>,
}

/// An enrolled device: what a laptop holds after `POST /v1/enroll`.
#[derive(Debug, Clone)]
pub struct Device {
    /// The bearer token.
    pub token: String,
    /// The hub's id for the device.
    pub id: DeviceId,
    /// The user it belongs to.
    pub user: UserId,
}

/// A user added straight into `storage` with one device enrolled for them, for tests of the
/// storage layer without HTTP: the user to push as, and the device (its token is not kept).
pub fn enrolled_in(storage: &mut Storage, name: &str, role: Role, team: Option<&str>) -> (UserRow, Device) {
    let user = storage
        .add_user(name, role, team, now())
        .unwrap_or_else(|e| panic!("add user {name}: {e}"));
    let code = format!("code-hash-{}", user.id);
    storage
        .add_code(user.id, &code, now(), i64::MAX)
        .unwrap_or_else(|e| panic!("a code for {name}: {e}"));
    let enrolled = storage
        .enroll(
            &code,
            &format!("{name}'s laptop"),
            &format!("token-hash-{}", user.id),
            now(),
        )
        .unwrap_or_else(|e| panic!("enroll {name}: {e}"))
        .unwrap_or_else(|| panic!("the code just made for {name} was refused"));
    let device = Device {
        token: String::new(),
        id: enrolled.device.id,
        user: user.id,
    };
    (user, device)
}

/// A hub with the default configuration.
pub async fn start() -> TestHub {
    TestHub::start().await
}

/// A hub with this configuration.
pub async fn start_with(config: ServeConfig) -> TestHub {
    TestHub::start_with(config).await
}

impl TestHub {
    /// A hub with the default configuration.
    pub async fn start() -> Self {
        Self::start_with(ServeConfig::default()).await
    }

    /// A hub with this configuration, serving on the current tokio runtime.
    pub async fn start_with(config: ServeConfig) -> Self {
        let dir = tempfile::tempdir().expect("make the hub's data dir");
        let store = HubStore::scratch(dir.path());
        let storage = store.open();
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind 127.0.0.1:0");
        let server = Server::new(listener, storage, config).expect("a hub on 127.0.0.1");
        let url = server.url();
        let (stop, stopped) = oneshot::channel::<()>();
        let task = tokio::spawn(async move {
            let shutdown = async move {
                let _ = stopped.await;
            };
            if let Err(e) = server.run(shutdown).await {
                panic!("the in-process hub failed: {e}");
            }
        });
        let api = Api::new(&url);
        Self {
            dir,
            store,
            http: api.http.clone(),
            url,
            api,
            stop: Some(stop),
            task: Some(task),
        }
    }

    /// Stops serving and waits until the server has let go of its port (so a client then
    /// finds the hub gone, not merely slow).
    pub async fn stop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(task) = self.task.take() {
            // Graceful: idle keep-alive connections close at once, open requests finish.
            let limit = std::time::Duration::from_secs(30);
            tokio::time::timeout(limit, task)
                .await
                .unwrap_or_else(|_| panic!("the in-process hub did not stop within {limit:?}"))
                .expect("the in-process hub's task");
        }
    }

    /// A second connection to the same data dir or database, as an admin command would open.
    pub fn admin(&self) -> Storage {
        self.store.open()
    }

    /// Where it stores, for the admin commands and the checks of a test.
    pub fn store(&self) -> &HubStore {
        &self.store
    }

    /// A new user; returns their one-time enrollment code.
    pub fn add_user(&self, name: &str, role: Role, team: Option<&str>) -> String {
        let mut admin = self.admin();
        let user = admin
            .add_user(name, role, team, now())
            .unwrap_or_else(|e| panic!("add user {name}: {e}"));
        casebook_hub::enroll::issue_code(&mut admin, &user, now())
            .unwrap_or_else(|e| panic!("issue a code for {name}: {e}"))
    }

    /// Another one-time enrollment code for an existing user (a second laptop).
    pub fn user_code(&self, name: &str) -> String {
        let mut admin = self.admin();
        let user = admin
            .user_by_name(name)
            .unwrap_or_else(|e| panic!("no user {name}: {e}"));
        casebook_hub::enroll::issue_code(&mut admin, &user, now())
            .unwrap_or_else(|e| panic!("issue a code for {name}: {e}"))
    }

    /// Enrolls a device with `code` over HTTP (asserting 200).
    pub async fn enroll(&self, code: &str) -> Device {
        let (status, body) = self
            .post(
                "/v1/enroll",
                None,
                &json!({"code": code, "device_name": "laptop"}),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "enroll: {body}");
        let answer: EnrollResponse =
            serde_json::from_value(body).unwrap_or_else(|e| panic!("enroll answer: {e}"));
        Device {
            token: answer.token,
            id: answer.device_id,
            user: answer.user.id,
        }
    }

    /// A new user with one enrolled device.
    pub async fn user(&self, name: &str, role: Role, team: Option<&str>) -> Device {
        let code = self.add_user(name, role, team);
        self.enroll(&code).await
    }

    /// `POST path` with a JSON body and an optional token: status and JSON answer.
    pub async fn post(&self, path: &str, token: Option<&str>, body: &Value) -> (StatusCode, Value) {
        self.api.post(path, token, body).await
    }

    /// `GET path` with an optional token: status and JSON answer.
    pub async fn get(&self, path: &str, token: Option<&str>) -> (StatusCode, Value) {
        self.api.get(path, token).await
    }

    /// `POST /v1/push` of `ops` (asserting 200).
    pub async fn push(&self, device: &Device, ops: &[casebook_domain::Op]) -> PushResponse {
        let (status, body) = self
            .post("/v1/push", Some(&device.token), &json!({ "ops": ops }))
            .await;
        assert_eq!(status, StatusCode::OK, "push: {body}");
        serde_json::from_value(body).unwrap_or_else(|e| panic!("push answer: {e}"))
    }

    /// `POST /v1/pull` from `cursor` (asserting 200).
    pub async fn pull(&self, device: &Device, cursor: u64, held: &[CaseId], limit: u32) -> PullResponse {
        let body = json!({"cursor": cursor, "held_cases": held, "limit": limit});
        let (status, body) = self.post("/v1/pull", Some(&device.token), &body).await;
        assert_eq!(status, StatusCode::OK, "pull: {body}");
        serde_json::from_value(body).unwrap_or_else(|e| panic!("pull answer: {e}"))
    }
}

impl Drop for TestHub {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
    }
}
