//! Filling forms: typing into labelled fields, date values, selects and checkboxes.

use serde_json::json;

use super::Window;
use super::webdriver::Session;

impl Window {
    /// Replaces the text of the field labelled `label` by typing `text`.
    #[track_caller]
    pub fn fill(&self, label: &str, text: &str) {
        let el = self.field(label);
        self.s
            .clear(&el)
            .unwrap_or_else(|e| panic!("clear {label:?}: {e}"));
        self.s
            .send_keys(&el, text)
            .unwrap_or_else(|e| panic!("type into {label:?}: {e}"));
    }

    /// Types `text` at the end of the field labelled `label`.
    #[track_caller]
    pub fn type_into(&self, label: &str, text: &str) {
        let el = self.field(label);
        self.s
            .send_keys(&el, text)
            .unwrap_or_else(|e| panic!("type into {label:?}: {e}"));
    }

    /// The current value of the field labelled `label`.
    #[track_caller]
    pub fn value_of(&self, label: &str) -> String {
        let el = self.field(label);
        self.s
            .value(&el)
            .unwrap_or_else(|e| panic!("value of {label:?}: {e}"))
    }

    /// Sets a field's value as its own picker would (date fields): the value, then `input`
    /// and `change` events.
    #[track_caller]
    pub fn set_value(&self, label: &str, value: &str) {
        let el = self.field(label);
        self.s
            .execute(
                "const [el, v] = arguments;\
                 const proto = Object.getPrototypeOf(el);\
                 Object.getOwnPropertyDescriptor(proto, 'value').set.call(el, v);\
                 el.dispatchEvent(new Event('input', {bubbles: true}));\
                 el.dispatchEvent(new Event('change', {bubbles: true}));",
                vec![Session::el_arg(&el), json!(value)],
            )
            .unwrap_or_else(|e| panic!("set {label:?} to {value:?}: {e}"));
    }

    /// Chooses an option of the select labelled `label`: by value, else by text (whole or
    /// part, ignoring case).
    #[track_caller]
    pub fn select(&self, label: &str, option: &str) {
        let el = self.field(label);
        let chosen = self.wait_for(&format!("option {option:?} in {label:?}"), |s| {
            let v = s.execute(
                "const [sel, want] = arguments; const w = want.toLowerCase();\
                 const opts = Array.from(sel.options);\
                 const o = opts.find(o => o.value === want)\
                   || opts.find(o => o.text.trim().toLowerCase() === w)\
                   || opts.find(o => o.text.toLowerCase().includes(w));\
                 if (!o) return null;\
                 sel.value = o.value;\
                 sel.dispatchEvent(new Event('input', {bubbles: true}));\
                 sel.dispatchEvent(new Event('change', {bubbles: true}));\
                 return o.text;",
                vec![Session::el_arg(&el), json!(option)],
            )?;
            Ok(v.as_str().map(str::to_owned))
        });
        assert!(!chosen.is_empty(), "chose an empty option for {label:?}");
    }

    /// Ticks the checkbox labelled `label` (no-op when ticked).
    #[track_caller]
    pub fn check(&self, label: &str) {
        self.set_checked(label, true);
    }

    /// Unticks the checkbox labelled `label` (if ticked).
    pub fn uncheck(&self, label: &str) {
        self.set_checked(label, false);
    }

    fn set_checked(&self, label: &str, want: bool) {
        let el = self.field(label);
        let checked = self
            .s
            .property(&el, "checked")
            .unwrap()
            .as_bool()
            .unwrap_or(false);
        if checked != want {
            self.s
                .click(&el)
                .unwrap_or_else(|e| panic!("tick {label:?}: {e}"));
        }
    }
}
