//! Waiting, with failures that say what was awaited and show the screen; and reading what the
//! screen says (texts, alerts, the sync status). Every other step of a window waits through
//! [`Window::wait_for`].

use std::fs;
use std::time::{Duration, Instant};

use casebook_testkit::process as procs;

use super::Window;
use super::paths::{failure_dir, step_timeout};
use super::webdriver::{Session, WdError, WdResult};

impl Window {
    /// Polls `probe` until it returns `Some`, at most [`step_timeout`]. Retryable WebDriver
    /// errors (element gone stale, not found) are polled through; a dead session fails at
    /// once. The failure names what was awaited and shows the screen.
    #[track_caller]
    pub fn wait_for<T>(&self, what: &str, probe: impl FnMut(&Session) -> WdResult<Option<T>>) -> T {
        self.wait_for_up_to(step_timeout(), what, probe)
    }

    #[track_caller]
    pub fn wait_for_up_to<T>(
        &self,
        limit: Duration,
        what: &str,
        mut probe: impl FnMut(&Session) -> WdResult<Option<T>>,
    ) -> T {
        let start = Instant::now();
        let mut last_error: Option<WdError> = None;
        loop {
            match probe(&self.s) {
                Ok(Some(v)) => return v,
                Ok(None) => {}
                Err(e) if e.is_fatal() => {
                    panic!(
                        "[{}] lost the app while waiting for {what}: {e}\n--- driver log ---\n{}",
                        self.name,
                        procs::tail(&self.driver.log, 40)
                    )
                }
                Err(e) => last_error = Some(e),
            }
            if start.elapsed() > limit {
                let last = last_error
                    .map(|e| format!("\nlast WebDriver error: {e}"))
                    .unwrap_or_default();
                panic!(
                    "[{}] timed out after {:?} waiting for {what}{last}\n{}",
                    self.name,
                    limit,
                    self.describe_screen()
                );
            }
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    /// What is on screen, for failure messages; also saves a screenshot outside the repo.
    pub fn describe_screen(&self) -> String {
        let summary = self
            .s
            .execute(
                "const t = s => Array.from(document.querySelectorAll(s)).map(e => e.innerText.trim()).filter(x => x);\
                 return {h1: t('h1'), alerts: t('[role=alert]'), body: (document.body ? document.body.innerText : '').slice(0, 1500)};",
                vec![],
            )
            .map(|v| {
                format!(
                    "--- screen ---\nh1: {}\nalerts: {}\ntext:\n{}",
                    v["h1"],
                    v["alerts"],
                    v["body"].as_str().unwrap_or_default()
                )
            })
            .unwrap_or_else(|e| format!("--- screen: unreadable ({e}) ---"));
        let shot = failure_dir().join(format!("{}-{}.png", self.name, std::process::id()));
        let saved = fs::create_dir_all(shot.parent().unwrap())
            .ok()
            .and_then(|_| self.s.screenshot().ok())
            .and_then(|png| fs::write(&shot, png).ok())
            .map(|_| format!("\nscreenshot: {}", shot.display()))
            .unwrap_or_default();
        format!("{summary}{saved}")
    }

    /// Waits until the displayed element matching CSS `selector` has text satisfying `ok`;
    /// returns that text.
    #[track_caller]
    pub fn wait_text(&self, what: &str, selector: &str, ok: impl Fn(&str) -> bool) -> String {
        self.wait_for(what, |s| {
            for el in s.css_all(selector)? {
                if s.is_displayed(&el)? {
                    let text = s.text(&el)?;
                    if ok(&text) {
                        return Ok(Some(text));
                    }
                }
            }
            Ok(None)
        })
    }

    /// Clicks "Sync now" and waits for `#sync-status` to say Synced.
    #[track_caller]
    pub fn sync_now(&self) {
        self.click("Sync now");
        self.wait_text("#sync-status to say Synced", "#sync-status", |t| {
            t.contains("Synced")
        });
    }

    /// Waits for an alert (`[role=alert]`) whose text contains any of `words` (ignoring case).
    #[track_caller]
    pub fn alert_saying(&self, words: &[&str]) -> String {
        let lower: Vec<String> = words.iter().map(|w| w.to_lowercase()).collect();
        self.wait_text(
            &format!("an alert ([role=alert]) saying one of {words:?}"),
            "[role=alert]",
            |t| {
                let t = t.to_lowercase();
                lower.iter().any(|w| t.contains(w.as_str()))
            },
        )
    }

    /// The page's visible text.
    pub fn page_text(&self) -> String {
        self.s
            .execute("return document.body ? document.body.innerText : ''", vec![])
            .ok()
            .and_then(|v| v.as_str().map(str::to_owned))
            .unwrap_or_default()
    }

    /// Waits until the page's visible text contains `text`.
    #[track_caller]
    pub fn wait_page_contains(&self, text: &str) {
        self.wait_for(&format!("the text {text:?} on screen"), |s| {
            let body = s.execute("return document.body ? document.body.innerText : ''", vec![])?;
            Ok(body.as_str().is_some_and(|b| b.contains(text)).then_some(()))
        });
    }
}
