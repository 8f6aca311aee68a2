//! A blocking W3C WebDriver client for the window tests: `fantoccini` (async) on a tokio
//! runtime of its own, with the few calls the tests make, and errors that say whether the page
//! merely changed under us (look again) or the session is gone.

use std::fmt;
use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use fantoccini::error::CmdError;
use fantoccini::wd::{Capabilities, Locator, TimeoutConfiguration};
use serde_json::Value;

pub use fantoccini::elements::Element;

/// How long one command may take (starting the app on a loaded 2-core machine takes longest).
const COMMAND_LIMIT: Duration = Duration::from_secs(90);
const NEW_SESSION_LIMIT: Duration = Duration::from_secs(180);

/// An error answer of the driver, or the transport failing.
#[derive(Debug, Clone)]
pub struct WdError {
    /// HTTP status (0: no answer at all: the driver or the connection is gone).
    pub status: u16,
    /// The WebDriver error code, e.g. `no such element`, `stale element reference`.
    pub error: String,
    /// What the driver said.
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

    /// Errors that mean the session or the driver is gone: waiting longer cannot help.
    pub fn is_fatal(&self) -> bool {
        self.status == 0 || self.error == "invalid session id"
    }
}

impl From<CmdError> for WdError {
    fn from(e: CmdError) -> Self {
        match e {
            CmdError::Standard(wd) => Self {
                status: wd.http_status().as_u16(),
                error: wd.error(),
                message: wd.message.into_owned(),
            },
            CmdError::Failed(_) | CmdError::FailedC(_) | CmdError::Lost(_) => Self::transport(e.to_string()),
            other => Self {
                status: 500,
                error: "unknown error".into(),
                message: format!("{other} ({other:?})"),
            },
        }
    }
}

impl fmt::Display for WdError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} (HTTP {}): {}", self.error, self.status, self.message)
    }
}

/// What a WebDriver call returns.
pub type WdResult<T> = Result<T, WdError>;

/// One WebDriver session on a driver listening on 127.0.0.1:`port`. Clones share the session
/// (a second thread can type while the first one watches).
#[derive(Clone)]
pub struct Session {
    rt: Arc<tokio::runtime::Runtime>,
    client: fantoccini::Client,
    /// The driver's port.
    pub port: u16,
}

impl fmt::Debug for Session {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Session")
            .field("port", &self.port)
            .finish_non_exhaustive()
    }
}

/// Runs `fut` on `rt`, failing as a transport error after `limit`.
fn run<T>(
    rt: &tokio::runtime::Runtime,
    limit: Duration,
    what: &str,
    fut: impl Future<Output = Result<T, CmdError>>,
) -> WdResult<T> {
    rt.block_on(async {
        match tokio::time::timeout(limit, fut).await {
            Ok(result) => result.map_err(WdError::from),
            Err(_) => Err(WdError::transport(format!("{what}: no answer within {limit:?}"))),
        }
    })
}

impl Session {
    /// `POST /session` with these `alwaysMatch` capabilities (a JSON object).
    pub fn new(port: u16, always_match: Value) -> WdResult<Self> {
        // One worker: the session's task keeps running between calls from any thread.
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .enable_all()
            .build()
            .map_err(|e| WdError::transport(format!("tokio runtime: {e}")))?;
        let caps: Capabilities = match always_match {
            Value::Object(map) => map,
            other => {
                return Err(WdError::transport(format!(
                    "capabilities must be an object, not {other}"
                )));
            }
        };
        let url = format!("http://127.0.0.1:{port}");
        let client = rt
            .block_on(async {
                let connector = hyper_util::client::legacy::connect::HttpConnector::new();
                let mut builder = fantoccini::ClientBuilder::new(connector);
                builder.capabilities(caps);
                tokio::time::timeout(NEW_SESSION_LIMIT, builder.connect(&url)).await
            })
            .map_err(|_| WdError::transport(format!("new session: no answer within {NEW_SESSION_LIMIT:?}")))?
            .map_err(|e| WdError::transport(format!("new session: {e} ({e:?})")))?;
        Ok(Self {
            rt: Arc::new(rt),
            client,
            port,
        })
    }

    fn run<T>(&self, what: &str, fut: impl Future<Output = Result<T, CmdError>>) -> WdResult<T> {
        run(&self.rt, COMMAND_LIMIT, what, fut)
    }

    /// `DELETE /session/{id}`: the driver closes the app.
    pub fn delete(&self) -> WdResult<()> {
        self.run("delete session", self.client.clone().close())
    }

    /// The page's title.
    pub fn title(&self) -> WdResult<String> {
        self.run("title", self.client.title())
    }

    /// The page's URL.
    pub fn url(&self) -> WdResult<String> {
        self.run("url", async { self.client.current_url().await.map(String::from) })
    }

    /// Navigates to a URL (used by the harness self-check; the app has one page).
    pub fn navigate(&self, url: &str) -> WdResult<()> {
        self.run("navigate", self.client.goto(url))
    }

    /// All elements matching a CSS selector.
    pub fn css_all(&self, selector: &str) -> WdResult<Vec<Element>> {
        self.run("find (css)", self.client.find_all(Locator::Css(selector)))
    }

    /// All elements matching an XPath expression.
    pub fn xpath_all(&self, xpath: &str) -> WdResult<Vec<Element>> {
        self.run("find (xpath)", self.client.find_all(Locator::XPath(xpath)))
    }

    /// Elements under `parent` matching an XPath expression.
    pub fn xpath_all_in(&self, parent: &Element, xpath: &str) -> WdResult<Vec<Element>> {
        self.run("find in (xpath)", parent.find_all(Locator::XPath(xpath)))
    }

    /// Clicks the element.
    pub fn click(&self, el: &Element) -> WdResult<()> {
        self.run("click", el.click())
    }

    /// Types `text` into the element (real key events).
    pub fn send_keys(&self, el: &Element, text: &str) -> WdResult<()> {
        self.run("send keys", el.send_keys(text))
    }

    /// Empties a field.
    pub fn clear(&self, el: &Element) -> WdResult<()> {
        self.run("clear", el.clear())
    }

    /// The rendered text of the element.
    pub fn text(&self, el: &Element) -> WdResult<String> {
        self.run("text", el.text())
    }

    /// A DOM property (`value`, `checked`, ...), as JSON.
    pub fn property(&self, el: &Element, name: &str) -> WdResult<Value> {
        self.execute(
            "return arguments[0][arguments[1]];",
            vec![Self::el_arg(el), Value::String(name.to_owned())],
        )
    }

    /// An attribute (`None` when absent).
    pub fn attribute(&self, el: &Element, name: &str) -> WdResult<Option<String>> {
        self.run("attribute", el.attr(name))
    }

    /// The `value` property as a string.
    pub fn value(&self, el: &Element) -> WdResult<String> {
        Ok(self
            .property(el, "value")?
            .as_str()
            .unwrap_or_default()
            .to_owned())
    }

    /// Is the element displayed?
    pub fn is_displayed(&self, el: &Element) -> WdResult<bool> {
        self.run("displayed", el.is_displayed())
    }

    /// Is the element enabled?
    pub fn is_enabled(&self, el: &Element) -> WdResult<bool> {
        self.run("enabled", el.is_enabled())
    }

    /// Runs `script` as the body of a function with `args` (elements: [`Session::el_arg`]).
    pub fn execute(&self, script: &str, args: Vec<Value>) -> WdResult<Value> {
        self.run("execute", self.client.execute(script, args))
    }

    /// Like [`Session::execute`], but the script calls its last argument with the result.
    pub fn execute_async(&self, script: &str, args: Vec<Value>) -> WdResult<Value> {
        self.run("execute async", self.client.execute_async(script, args))
    }

    /// An element as a script argument.
    pub fn el_arg(el: &Element) -> Value {
        serde_json::to_value(el).expect("an element reference is JSON")
    }

    /// Sets the session's script timeout.
    pub fn set_script_timeout(&self, timeout: Duration) -> WdResult<()> {
        self.run(
            "timeouts",
            self.client
                .update_timeouts(TimeoutConfiguration::new(Some(timeout), None, None)),
        )
    }

    /// A PNG of the window.
    pub fn screenshot(&self) -> WdResult<Vec<u8>> {
        self.run("screenshot", self.client.screenshot())
    }
}

/// Is a driver answering `GET /status` on this port?
pub fn is_up(port: u16) -> bool {
    let http =
        crate::http::Blocking::new(&format!("http://127.0.0.1:{port}")).with_timeout(Duration::from_secs(5));
    http.try_request("GET", "/status", &[], b"")
        .is_ok_and(|a| a.status == 200)
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
    fn xpath_literals_quote_anything() {
        assert_eq!(xpath_literal("Keep other"), "'Keep other'");
        assert_eq!(xpath_literal("Keep this laptop's"), "\"Keep this laptop's\"");
        assert_eq!(xpath_literal("a'b\"c"), "concat('a', \"'\", 'b\"c')");
    }
}
