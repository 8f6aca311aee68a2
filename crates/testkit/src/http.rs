//! HTTP for the tests, with reqwest: answers as status + JSON, a blocking client for the tests
//! that are not async, and raw bytes on a socket for the few tests whose point is malformed
//! HTTP (a body cut short of its length, a request line no client would send).

use std::io::{Read, Write};
use std::net::{Shutdown, SocketAddr, TcpStream};
use std::time::Duration;

use casebook_protocol::PROTOCOL_HEADER;
use reqwest::StatusCode;
use serde_json::Value;

/// How long one request may take before the test fails instead of hanging.
pub const REQUEST_TIMEOUT: Duration = Duration::from_secs(60);

/// A reqwest client for tests: no proxy from the environment, a request timeout.
pub fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .no_proxy()
        .timeout(REQUEST_TIMEOUT)
        .build()
        .expect("build a reqwest client")
}

/// Status and JSON body of an answer; panics (showing the text) when the body is not JSON.
pub async fn answer(response: reqwest::Response) -> (StatusCode, Value) {
    let status = response.status();
    let text = response.text().await.expect("read the answer's body");
    let body = serde_json::from_str(&text).unwrap_or_else(|_| panic!("not JSON ({status}): {text}"));
    (status, body)
}

/// A JSON API at a base URL (`http://127.0.0.1:PORT`), speaking protocol version 1.
#[derive(Debug, Clone)]
pub struct Api {
    /// The base URL, without a trailing slash.
    pub url: String,
    /// The client; use it directly for requests the helpers do not make.
    pub http: reqwest::Client,
}

impl Api {
    /// An API client for `url`.
    pub fn new(url: &str) -> Self {
        Self {
            url: url.trim_end_matches('/').to_owned(),
            http: client(),
        }
    }

    /// `POST path` with a JSON body and an optional bearer token.
    pub async fn post(&self, path: &str, token: Option<&str>, body: &Value) -> (StatusCode, Value) {
        let mut req = self
            .http
            .post(format!("{}{path}", self.url))
            .header(PROTOCOL_HEADER, "1")
            .json(body);
        if let Some(token) = token {
            req = req.bearer_auth(token);
        }
        let response = req
            .send()
            .await
            .unwrap_or_else(|e| panic!("POST {path}: no answer: {e}"));
        answer(response).await
    }

    /// `GET path` with an optional bearer token.
    pub async fn get(&self, path: &str, token: Option<&str>) -> (StatusCode, Value) {
        let mut req = self
            .http
            .get(format!("{}{path}", self.url))
            .header(PROTOCOL_HEADER, "1");
        if let Some(token) = token {
            req = req.bearer_auth(token);
        }
        let response = req
            .send()
            .await
            .unwrap_or_else(|e| panic!("GET {path}: no answer: {e}"));
        answer(response).await
    }
}

/// An HTTP answer, whole.
#[derive(Debug, Clone)]
pub struct HttpAnswer {
    /// The status code.
    pub status: u16,
    /// The headers, names lowercased.
    pub headers: Vec<(String, String)>,
    /// The body.
    pub body: Vec<u8>,
}

impl HttpAnswer {
    /// The first value of a header (any case).
    pub fn header(&self, name: &str) -> Option<&str> {
        let name = name.to_lowercase();
        self.headers
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, v)| v.as_str())
    }

    /// The body as JSON (`Value::Null` when it is not JSON).
    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body).unwrap_or(Value::Null)
    }

    /// The body as text.
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
}

/// A blocking HTTP client for tests that are not async: reqwest on a runtime of its own.
/// Headers are sent exactly as given (no protocol header is added).
pub struct Blocking {
    rt: tokio::runtime::Runtime,
    http: reqwest::Client,
    timeout: Duration,
    /// The base URL, without a trailing slash.
    pub url: String,
}

impl Blocking {
    /// A client for `url` (`http://127.0.0.1:PORT`).
    pub fn new(url: &str) -> Self {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("build a tokio runtime");
        // reqwest's client is made inside the runtime it will run on.
        let http = rt.block_on(async { client() });
        Self {
            rt,
            http,
            timeout: REQUEST_TIMEOUT,
            url: url.trim_end_matches('/').to_owned(),
        }
    }

    /// The same client with another limit on each request.
    pub fn with_timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// Sends one request with `body` as is, or the transport error.
    pub fn try_request(
        &self,
        method: &str,
        path: &str,
        headers: &[(&str, &str)],
        body: &[u8],
    ) -> Result<HttpAnswer, reqwest::Error> {
        let method = reqwest::Method::from_bytes(method.as_bytes()).expect("an HTTP method");
        let mut req = self
            .http
            .request(method.clone(), format!("{}{path}", self.url))
            .timeout(self.timeout);
        for (name, value) in headers {
            req = req.header(*name, *value);
        }
        // An empty POST still says `Content-Length: 0`, as a client would.
        if !body.is_empty() || method == reqwest::Method::POST {
            req = req.body(body.to_vec());
        }
        self.rt.block_on(async {
            let response = req.send().await?;
            let status = response.status().as_u16();
            let headers = response
                .headers()
                .iter()
                .map(|(n, v)| {
                    (
                        n.as_str().to_lowercase(),
                        String::from_utf8_lossy(v.as_bytes()).into_owned(),
                    )
                })
                .collect();
            let body = response.bytes().await?.to_vec();
            Ok(HttpAnswer {
                status,
                headers,
                body,
            })
        })
    }

    /// Sends one request; panics when no answer comes.
    #[track_caller]
    pub fn request(&self, method: &str, path: &str, headers: &[(&str, &str)], body: &[u8]) -> HttpAnswer {
        self.try_request(method, path, headers, body)
            .unwrap_or_else(|e| panic!("{method} {path}: no HTTP answer from {}: {e}", self.url))
    }
}

/// Raw bytes on a socket, for the tests whose point is HTTP that no client library sends:
/// writes `request` exactly, closes the writing half, and returns every byte that came back
/// before the server closed (or `limit` passed).
pub fn raw_exchange(addr: SocketAddr, request: &[u8], limit: Duration) -> std::io::Result<Vec<u8>> {
    let mut stream = TcpStream::connect(addr)?;
    stream.set_read_timeout(Some(limit))?;
    stream.set_write_timeout(Some(limit))?;
    stream.write_all(request)?;
    stream.flush()?;
    stream.shutdown(Shutdown::Write)?;
    let mut answer = vec![];
    match stream.read_to_end(&mut answer) {
        Ok(_) => Ok(answer),
        // A server that resets the connection after answering still answered.
        Err(_) if !answer.is_empty() => Ok(answer),
        Err(e) => Err(e),
    }
}
