//! A minimal, blocking W3C WebDriver client for the window tests: hand-written HTTP/1.1 over
//! `std::net::TcpStream` to 127.0.0.1 (tauri-driver), JSON with `serde_json`. Only what the
//! tests use: sessions, finding elements (CSS, XPath), clicking, typing, reading text and
//! properties, running scripts, screenshots.

use std::fmt;
use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::Duration;

use serde_json::{Value, json};

/// The key of a web element reference in WebDriver JSON.
const ELEMENT_KEY: &str = "element-6066-11e4-a52e-4f735466cecf";

/// An error answer of the driver (or the transport failing).
#[derive(Debug, Clone)]
pub struct WdError {
    /// HTTP status (0: no answer at all).
    pub status: u16,
    /// The WebDriver error code, e.g. `no such element`, `stale element reference`.
    pub error: String,
    pub message: String,
}

impl WdError {
    fn transport(message: String) -> Self {
        Self {
            status: 0,
            error: "transport".into(),
            message,
        }
    }

    /// Errors that mean "the page changed under us; look the element up again".
    pub fn is_retryable(&self) -> bool {
        matches!(
            self.error.as_str(),
            "no such element"
                | "stale element reference"
                | "element click intercepted"
                | "element not interactable"
                | "invalid element state"
        )
    }
}

impl fmt::Display for WdError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} (HTTP {}): {}", self.error, self.status, self.message)
    }
}

pub type WdResult<T> = Result<T, WdError>;

/// A web element reference of the current session.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Element(pub String);

/// One WebDriver session on a driver listening on 127.0.0.1:`port`.
pub struct Session {
    pub port: u16,
    pub id: String,
}

/// Sends one request and reads exactly one answer (by its Content-Length, or chunked).
///
/// No `Connection: close`: tauri-driver forwards request headers to WebKitWebDriver over
/// pooled connections, and a forwarded `close` makes it reuse a connection the native driver
/// is closing ("connection reset by peer"). The answer is read by its length instead.
pub fn request(port: u16, method: &str, path: &str, body: Option<&Value>) -> WdResult<(u16, Value)> {
    request_within(port, method, path, body, Duration::from_secs(60))
}

/// [`request`] with its own limit on waiting for the answer.
pub fn request_within(
    port: u16,
    method: &str,
    path: &str,
    body: Option<&Value>,
    limit: Duration,
) -> WdResult<(u16, Value)> {
    let io = |e: std::io::Error| WdError::transport(format!("{method} {path} on 127.0.0.1:{port}: {e}"));
    let mut stream = TcpStream::connect(("127.0.0.1", port)).map_err(io)?;
    stream.set_read_timeout(Some(limit)).map_err(io)?;
    stream
        .set_write_timeout(Some(Duration::from_secs(30)))
        .map_err(io)?;
    let payload = body.map(|b| b.to_string()).unwrap_or_default();
    let mut head =
        format!("{method} {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nAccept: application/json\r\n");
    if body.is_some() || method == "POST" {
        head.push_str("Content-Type: application/json; charset=utf-8\r\n");
        head.push_str(&format!("Content-Length: {}\r\n", payload.len()));
    }
    head.push_str("\r\n");
    stream.write_all(head.as_bytes()).map_err(io)?;
    stream.write_all(payload.as_bytes()).map_err(io)?;
    stream.flush().map_err(io)?;
    let mut raw = vec![];
    let mut buf = [0u8; 16 * 1024];
    loop {
        if answer_length(&raw).is_some_and(|complete| raw.len() >= complete) {
            break;
        }
        let n = match stream.read(&mut buf) {
            // A signal to this process (another test's child exiting) interrupts the wait; the
            // answer is still coming.
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            other => other.map_err(io)?,
        };
        if n == 0 {
            break;
        }
        raw.extend_from_slice(&buf[..n]);
    }
    let (status, body) = parse_answer(&raw).ok_or_else(|| {
        WdError::transport(format!(
            "{method} {path}: not an HTTP answer: {:?}",
            String::from_utf8_lossy(&raw[..raw.len().min(300)])
        ))
    })?;
    let value: Value = if body.is_empty() {
        Value::Null
    } else {
        serde_json::from_slice(&body).map_err(|e| {
            WdError::transport(format!(
                "{method} {path}: answer is not JSON ({e}): {:?}",
                String::from_utf8_lossy(&body[..body.len().min(300)])
            ))
        })?
    };
    Ok((status, value))
}

/// How many bytes the whole answer in `raw` has, once that is known: head + Content-Length,
/// or (chunked) up to the final zero-size chunk.
fn answer_length(raw: &[u8]) -> Option<usize> {
    let split = raw.windows(4).position(|w| w == b"\r\n\r\n")?;
    let head = String::from_utf8_lossy(&raw[..split]).to_lowercase();
    if head.contains("transfer-encoding: chunked") {
        let body = &raw[split + 4..];
        return dechunk(body).map(|_| raw.len());
    }
    let len = head
        .lines()
        .find_map(|l| l.strip_prefix("content-length:"))
        .and_then(|v| v.trim().parse::<usize>().ok());
    let no_body = head
        .split_whitespace()
        .nth(1)
        .is_some_and(|status| status == "204" || status == "304" || status.starts_with('1'));
    match len {
        Some(len) => Some(split + 4 + len),
        None if no_body => Some(split + 4),
        // Neither: the body ends when the server closes the connection.
        None => None,
    }
}

/// A WebDriver command: the `value` of a success answer, or the error it carries.
fn command(port: u16, method: &str, path: &str, body: Option<&Value>) -> WdResult<Value> {
    // Starting the app on a loaded 2-core machine takes the longest.
    let limit = if path == "/session" { 180 } else { 90 };
    let (status, answer) = request_within(port, method, path, body, Duration::from_secs(limit))?;
    let value = answer.get("value").cloned().unwrap_or(Value::Null);
    if status >= 400 || value.get("error").and_then(Value::as_str).is_some() {
        return Err(WdError {
            status,
            error: value["error"].as_str().unwrap_or("unknown error").to_owned(),
            message: value["message"]
                .as_str()
                .map(str::to_owned)
                .unwrap_or_else(|| answer.to_string()),
        });
    }
    Ok(value)
}

/// Is a driver answering `/status` on this port?
pub fn is_up(port: u16) -> bool {
    request_within(port, "GET", "/status", None, Duration::from_secs(5))
        .is_ok_and(|(status, _)| status == 200)
}

impl Session {
    /// `POST /session` with these capabilities (`{"alwaysMatch": {...}}`).
    pub fn new(port: u16, capabilities: Value) -> WdResult<Self> {
        let value = command(
            port,
            "POST",
            "/session",
            Some(&json!({ "capabilities": capabilities })),
        )?;
        let id = value["sessionId"]
            .as_str()
            .ok_or_else(|| WdError::transport(format!("new session: no sessionId in {value}")))?
            .to_owned();
        Ok(Self { port, id })
    }

    fn cmd(&self, method: &str, path: &str, body: Option<Value>) -> WdResult<Value> {
        command(
            self.port,
            method,
            &format!("/session/{}{path}", self.id),
            body.as_ref(),
        )
    }

    /// `DELETE /session/{id}`: the driver closes the app.
    pub fn delete(&self) -> WdResult<()> {
        self.cmd("DELETE", "", None).map(|_| ())
    }

    pub fn title(&self) -> WdResult<String> {
        Ok(self
            .cmd("GET", "/title", None)?
            .as_str()
            .unwrap_or_default()
            .to_owned())
    }

    pub fn url(&self) -> WdResult<String> {
        Ok(self
            .cmd("GET", "/url", None)?
            .as_str()
            .unwrap_or_default()
            .to_owned())
    }

    /// Navigates to a URL (used by the harness self-check; the app has one page).
    pub fn navigate(&self, url: &str) -> WdResult<()> {
        self.cmd("POST", "/url", Some(json!({ "url": url }))).map(|_| ())
    }

    fn elements_of(value: Value) -> Vec<Element> {
        value
            .as_array()
            .map(|all| {
                all.iter()
                    .filter_map(|e| e[ELEMENT_KEY].as_str().map(|id| Element(id.to_owned())))
                    .collect()
            })
            .unwrap_or_default()
    }

    /// All elements matching `value` under strategy `using` ("css selector", "xpath").
    pub fn find_all(&self, using: &str, value: &str) -> WdResult<Vec<Element>> {
        let found = self.cmd(
            "POST",
            "/elements",
            Some(json!({ "using": using, "value": value })),
        )?;
        Ok(Self::elements_of(found))
    }

    /// All elements matching a CSS selector.
    pub fn css_all(&self, selector: &str) -> WdResult<Vec<Element>> {
        self.find_all("css selector", selector)
    }

    /// All elements matching an XPath expression.
    pub fn xpath_all(&self, xpath: &str) -> WdResult<Vec<Element>> {
        self.find_all("xpath", xpath)
    }

    /// Elements under `parent` matching `value`.
    pub fn find_all_in(&self, parent: &Element, using: &str, value: &str) -> WdResult<Vec<Element>> {
        let found = self.cmd(
            "POST",
            &format!("/element/{}/elements", parent.0),
            Some(json!({ "using": using, "value": value })),
        )?;
        Ok(Self::elements_of(found))
    }

    pub fn click(&self, el: &Element) -> WdResult<()> {
        self.cmd("POST", &format!("/element/{}/click", el.0), Some(json!({})))
            .map(|_| ())
    }

    /// Types `text` into the element (real key events).
    pub fn send_keys(&self, el: &Element, text: &str) -> WdResult<()> {
        self.cmd(
            "POST",
            &format!("/element/{}/value", el.0),
            Some(json!({ "text": text })),
        )
        .map(|_| ())
    }

    pub fn clear(&self, el: &Element) -> WdResult<()> {
        self.cmd("POST", &format!("/element/{}/clear", el.0), Some(json!({})))
            .map(|_| ())
    }

    /// The rendered text of the element.
    pub fn text(&self, el: &Element) -> WdResult<String> {
        Ok(self
            .cmd("GET", &format!("/element/{}/text", el.0), None)?
            .as_str()
            .unwrap_or_default()
            .to_owned())
    }

    /// A DOM property (`value`, `checked`, ...), as JSON.
    pub fn property(&self, el: &Element, name: &str) -> WdResult<Value> {
        self.cmd("GET", &format!("/element/{}/property/{name}", el.0), None)
    }

    /// An attribute (`None` when absent).
    pub fn attribute(&self, el: &Element, name: &str) -> WdResult<Option<String>> {
        Ok(self
            .cmd("GET", &format!("/element/{}/attribute/{name}", el.0), None)?
            .as_str()
            .map(str::to_owned))
    }

    /// The `value` property as a string.
    pub fn value(&self, el: &Element) -> WdResult<String> {
        Ok(self
            .property(el, "value")?
            .as_str()
            .unwrap_or_default()
            .to_owned())
    }

    pub fn is_displayed(&self, el: &Element) -> WdResult<bool> {
        Ok(self
            .cmd("GET", &format!("/element/{}/displayed", el.0), None)?
            .as_bool()
            .unwrap_or(false))
    }

    pub fn is_enabled(&self, el: &Element) -> WdResult<bool> {
        Ok(self
            .cmd("GET", &format!("/element/{}/enabled", el.0), None)?
            .as_bool()
            .unwrap_or(false))
    }

    /// Runs `script` as the body of a function with `args` (elements: [`Session::el_arg`]).
    pub fn execute(&self, script: &str, args: Vec<Value>) -> WdResult<Value> {
        self.cmd(
            "POST",
            "/execute/sync",
            Some(json!({ "script": script, "args": args })),
        )
    }

    /// Like [`Session::execute`], but the script calls its last argument with the result.
    pub fn execute_async(&self, script: &str, args: Vec<Value>) -> WdResult<Value> {
        self.cmd(
            "POST",
            "/execute/async",
            Some(json!({ "script": script, "args": args })),
        )
    }

    /// An element as a script argument.
    pub fn el_arg(el: &Element) -> Value {
        json!({ ELEMENT_KEY: el.0 })
    }

    /// Sets the session's script timeout.
    pub fn set_script_timeout(&self, timeout: Duration) -> WdResult<()> {
        self.cmd(
            "POST",
            "/timeouts",
            Some(json!({ "script": timeout.as_millis() as u64 })),
        )
        .map(|_| ())
    }

    /// A PNG of the window.
    pub fn screenshot(&self) -> WdResult<Vec<u8>> {
        let b64 = self.cmd("GET", "/screenshot", None)?;
        let b64 = b64.as_str().unwrap_or_default();
        base64_decode(b64)
            .ok_or_else(|| WdError::transport("screenshot: the answer is not base64".to_owned()))
    }
}

/// Splits a raw HTTP/1.1 answer into status and body (Content-Length or chunked).
fn parse_answer(raw: &[u8]) -> Option<(u16, Vec<u8>)> {
    let split = raw.windows(4).position(|w| w == b"\r\n\r\n")?;
    let head = std::str::from_utf8(&raw[..split]).ok()?;
    let mut lines = head.split("\r\n");
    let status = lines.next()?.split_whitespace().nth(1)?.parse().ok()?;
    let headers: Vec<(String, String)> = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(n, v)| (n.trim().to_lowercase(), v.trim().to_owned()))
        .collect();
    let mut body = raw[split + 4..].to_vec();
    if headers
        .iter()
        .any(|(n, v)| n == "transfer-encoding" && v.to_lowercase().contains("chunked"))
    {
        body = dechunk(&body)?;
    } else if let Some(len) = headers
        .iter()
        .find(|(n, _)| n == "content-length")
        .and_then(|(_, v)| v.parse::<usize>().ok())
    {
        body.truncate(len);
    }
    Some((status, body))
}

fn dechunk(mut data: &[u8]) -> Option<Vec<u8>> {
    let mut out = vec![];
    loop {
        let line_end = data.windows(2).position(|w| w == b"\r\n")?;
        let size_text = std::str::from_utf8(&data[..line_end]).ok()?;
        let size = usize::from_str_radix(size_text.split(';').next()?.trim(), 16).ok()?;
        data = &data[line_end + 2..];
        if size == 0 {
            return Some(out);
        }
        out.extend_from_slice(data.get(..size)?);
        data = data.get(size + 2..)?;
    }
}

/// Standard base64 (with or without padding; whitespace ignored).
pub fn base64_decode(text: &str) -> Option<Vec<u8>> {
    fn sextet(c: u8) -> Option<u32> {
        Some(match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'+' => 62,
            b'/' => 63,
            _ => return None,
        } as u32)
    }
    let clean: Vec<u8> = text
        .bytes()
        .filter(|c| !c.is_ascii_whitespace() && *c != b'=')
        .collect();
    let mut out = Vec::with_capacity(clean.len() * 3 / 4);
    for chunk in clean.chunks(4) {
        let mut acc = 0u32;
        for (i, &c) in chunk.iter().enumerate() {
            acc |= sextet(c)? << (18 - 6 * i);
        }
        let bytes = acc.to_be_bytes();
        match chunk.len() {
            4 => out.extend_from_slice(&bytes[1..4]),
            3 => out.extend_from_slice(&bytes[1..3]),
            2 => out.push(bytes[1]),
            _ => return None,
        }
    }
    Some(out)
}

/// An XPath string literal for any text (quotes handled with `concat`).
pub fn xpath_literal(text: &str) -> String {
    if !text.contains('\'') {
        format!("'{text}'")
    } else if !text.contains('"') {
        format!("\"{text}\"")
    } else {
        let parts: Vec<String> = text.split('\'').map(|p| format!("'{p}'")).collect();
        format!("concat({})", parts.join(", \"'\", "))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64_round_trips_known_values() {
        assert_eq!(base64_decode("aGVsbG8=").unwrap(), b"hello");
        assert_eq!(base64_decode("aGVsbG8h").unwrap(), b"hello!");
        assert_eq!(base64_decode("aGk=").unwrap(), b"hi");
        assert_eq!(base64_decode("iVBORw0KGgo=").unwrap(), b"\x89PNG\r\n\x1a\n");
        assert!(base64_decode("a$==").is_none());
    }

    #[test]
    fn xpath_literals_quote_anything() {
        assert_eq!(xpath_literal("Keep other"), "'Keep other'");
        assert_eq!(xpath_literal("Keep this laptop's"), "\"Keep this laptop's\"");
        assert_eq!(xpath_literal("a'b\"c"), "concat('a', \"'\", 'b\"c')");
    }
}
