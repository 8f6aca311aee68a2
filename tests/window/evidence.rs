//! Evidence of a screen: waiting for it to settle, a screenshot in docs/screenshots/, and the
//! axe-core accessibility check (serious and critical WCAG A/AA violations fail).

use std::fs;
use std::path::PathBuf;

use serde_json::Value;

use super::Window;
use super::paths::repo_root;

impl Window {
    /// Waits until the page has no running animation or transition and has painted twice
    /// since (two animation frames), so a screenshot shows the screen at rest.
    #[track_caller]
    pub fn wait_settled(&self) {
        self.wait_for("the screen to settle (no running animations)", |s| {
            let busy = s.execute(
                "return document.getAnimations ? \
                 document.getAnimations().filter(a => a.playState === 'running' && \
                 a.effect && a.effect.getComputedTiming().endTime !== Infinity).length : 0",
                vec![],
            )?;
            Ok((busy.as_u64() == Some(0)).then_some(()))
        });
        let _ = self.s.execute_async(
            "const done = arguments[arguments.length - 1];\
             requestAnimationFrame(() => requestAnimationFrame(() => done(true)));",
            vec![],
        );
    }

    /// Saves a PNG of the window as docs/screenshots/`name`.png (overwritten).
    #[track_caller]
    pub fn save_screenshot(&self, name: &str) -> PathBuf {
        self.wait_settled();
        // WebKitWebDriver answers a screenshot after the window's next presentation update; with
        // the app's webview drawing on the CPU (no compositing) a still screen never presents
        // one, and the answer never comes. A one-pixel dot repainted around the request gives it
        // one; the dot is removed again after the last repaint.
        let _ = self.s.execute(
            "const dot = document.createElement('div');\
             dot.setAttribute('aria-hidden', 'true');\
             dot.style.cssText = 'position:fixed;left:0;top:0;width:1px;height:1px;pointer-events:none';\
             document.body.append(dot);\
             [30, 120, 300, 800, 2000, 5000].forEach((ms, i, all) => setTimeout(() => {\
               dot.style.background = i % 2 ? 'transparent' : 'rgba(0,0,0,0.02)';\
               if (i === all.length - 1) dot.remove();\
             }, ms));",
            vec![],
        );
        let png = self
            .s
            .screenshot()
            .unwrap_or_else(|e| panic!("[{}] screenshot {name}: {e}", self.name));
        assert!(png.starts_with(b"\x89PNG"), "screenshot {name}: not a PNG");
        let dir = repo_root().join("docs/screenshots");
        fs::create_dir_all(&dir).unwrap();
        let path = dir.join(format!("{name}.png"));
        fs::write(&path, png).unwrap();
        path
    }

    /// Runs axe-core (WCAG 2.0/2.1 A and AA, 2.2 AA) on the current screen and fails on every
    /// serious or critical violation, listing rule, impact, help and the elements.
    #[track_caller]
    pub fn axe_check(&self, screen: &str) {
        let path = repo_root().join("node_modules/axe-core/axe.min.js");
        let source = fs::read_to_string(&path).unwrap_or_else(|e| {
            panic!(
                "cannot read {} ({e}): run `npm ci` (scripts/setup does)",
                path.display()
            )
        });
        let loaded = self
            .s
            .execute("return typeof window.axe === 'object'", vec![])
            .unwrap_or(Value::Bool(false));
        if loaded != Value::Bool(true) {
            self.s
                .execute(&format!("{source}\n;return typeof window.axe;"), vec![])
                .unwrap_or_else(|e| panic!("[{screen}] injecting axe-core: {e}"));
        }
        let result = self
            .s
            .execute_async(
                "const done = arguments[arguments.length - 1];\
                 window.axe.run(document, {runOnly: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa']})\
                   .then(r => done(JSON.stringify(r.violations.map(v => ({\
                       id: v.id, impact: v.impact, help: v.help,\
                       targets: v.nodes.map(n => n.target.join(' '))})))))\
                   .catch(e => done(JSON.stringify({error: String(e)})));",
                vec![],
            )
            .unwrap_or_else(|e| panic!("[{screen}] running axe-core: {e}"));
        let parsed: Value = serde_json::from_str(result.as_str().unwrap_or("null"))
            .unwrap_or_else(|e| panic!("[{screen}] axe-core result is not JSON ({e}): {result}"));
        if let Some(error) = parsed.get("error") {
            panic!("[{screen}] axe-core failed: {error}");
        }
        let bad: Vec<String> = parsed
            .as_array()
            .into_iter()
            .flatten()
            .filter(|v| matches!(v["impact"].as_str(), Some("serious" | "critical")))
            .map(|v| {
                format!(
                    "- {} ({}): {}\n    {}",
                    v["id"].as_str().unwrap_or("?"),
                    v["impact"].as_str().unwrap_or("?"),
                    v["help"].as_str().unwrap_or("?"),
                    v["targets"]
                        .as_array()
                        .into_iter()
                        .flatten()
                        .filter_map(Value::as_str)
                        .collect::<Vec<_>>()
                        .join("\n    ")
                )
            })
            .collect();
        assert!(
            bad.is_empty(),
            "[{screen}] accessibility: {} serious or critical axe-core violation(s):\n{}",
            bad.len(),
            bad.join("\n")
        );
    }

    /// Screenshot to docs/screenshots/`name`.png, then the axe check.
    #[track_caller]
    pub fn evidence(&self, name: &str) {
        self.save_screenshot(name);
        self.axe_check(name);
    }
}
