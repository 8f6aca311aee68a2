//! Finding controls the way a person does, by label text, button text and heading, and clicking
//! them. The XPaths are here in one place so every test names controls alike.

use super::Window;
use super::webdriver::{Element, Session, WdResult, xpath_literal};

impl Window {
    /// The first displayed element matching an XPath, if any.
    pub fn displayed(s: &Session, xpath: &str) -> WdResult<Option<Element>> {
        for el in s.xpath_all(xpath)? {
            if s.is_displayed(&el)? {
                return Ok(Some(el));
            }
        }
        Ok(None)
    }

    /// Waits for a displayed element matching an XPath.
    #[track_caller]
    pub fn el(&self, what: &str, xpath: &str) -> Element {
        self.wait_for(what, |s| Self::displayed(s, xpath))
    }

    /// XPath of form controls labelled `label`: `<label for>`, a control inside the label,
    /// or `aria-label`.
    pub fn label_xpath(label: &str) -> String {
        let t = xpath_literal(label);
        let control = "(self::input or self::select or self::textarea)";
        let lab = format!("//label[normalize-space(.)={t} or normalize-space(text())={t}]");
        format!(
            "//*[{control} and @id={lab}/@for] | {lab}//*[{control}] | //*[{control} and @aria-label={t}]"
        )
    }

    /// XPath of buttons (or links, tabs) whose text is `text`.
    pub fn button_xpath(text: &str) -> String {
        let t = xpath_literal(text);
        format!(
            "//button[normalize-space(.)={t} or @aria-label={t}] | //a[normalize-space(.)={t}] \
             | //*[(@role='button' or @role='tab' or @role='link')][normalize-space(.)={t}] \
             | //input[(@type='submit' or @type='button') and @value={t}]"
        )
    }

    /// The displayed form control labelled `label`.
    #[track_caller]
    pub fn field(&self, label: &str) -> Element {
        self.el(&format!("a field labelled {label:?}"), &Self::label_xpath(label))
    }

    /// The displayed button (or link) with this text.
    #[track_caller]
    pub fn button(&self, text: &str) -> Element {
        self.el(&format!("a button {text:?}"), &Self::button_xpath(text))
    }

    /// Is a button (or link) with this text displayed right now?
    pub fn has_button(&self, text: &str) -> bool {
        Self::displayed(&self.s, &Self::button_xpath(text))
            .ok()
            .flatten()
            .is_some()
    }

    /// Clicks the displayed, enabled button (or link) with this text.
    #[track_caller]
    pub fn click(&self, text: &str) {
        let xpath = Self::button_xpath(text);
        self.wait_for(&format!("an enabled button {text:?} to click"), |s| {
            let Some(el) = Self::displayed(s, &xpath)? else {
                return Ok(None);
            };
            if !s.is_enabled(&el)? {
                return Ok(None);
            }
            match s.click(&el) {
                Ok(()) => Ok(Some(())),
                Err(e) if e.is_retryable() => Ok(None),
                Err(e) => Err(e),
            }
        });
    }

    /// Clicks the first displayed link/button whose text contains `text`.
    #[track_caller]
    pub fn click_containing(&self, text: &str) {
        let t = xpath_literal(text);
        let xpath =
            format!("//a[contains(normalize-space(.), {t})] | //button[contains(normalize-space(.), {t})]");
        self.wait_for(&format!("a link containing {text:?} to click"), |s| {
            let Some(el) = Self::displayed(s, &xpath)? else {
                return Ok(None);
            };
            match s.click(&el) {
                Ok(()) => Ok(Some(())),
                Err(e) if e.is_retryable() => Ok(None),
                Err(e) => Err(e),
            }
        });
    }

    /// Waits for the `h1` to read `text`.
    #[track_caller]
    pub fn heading(&self, text: &str) {
        self.el(
            &format!("the screen {text:?} (h1)"),
            &format!("//h1[normalize-space(.)={}]", xpath_literal(text)),
        );
    }

    /// The text of the displayed `h1` (waits for one).
    #[track_caller]
    pub fn h1(&self) -> String {
        let el = self.el("an h1", "//h1");
        self.s.text(&el).unwrap_or_default().trim().to_owned()
    }
}
