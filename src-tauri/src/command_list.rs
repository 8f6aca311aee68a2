//! The ui's command names, read from the one list of them: `generate_handler![…]` in
//! `commands.rs`.
//!
//! Adding a command touches five files. Rather than a code generator (one more build step to
//! learn, and generated TypeScript the ui's own checks must then trust), the names are read
//! from the handler list: build.rs makes each command's permission from it, and the test below
//! fails naming every command that the capability, `ui/src/lib/api.ts`, `ui/src/lib/devMock.ts`
//! or the table in docs/app.md lacks or has in excess. The parsing is plain text search over
//! files whose shape the repository controls; a file reshaped beyond it fails the test loudly
//! (it finds no names) rather than passing quietly.
//!
//! Shared with build.rs through `#[path]`, so it uses nothing but `std`.

/// The command names in `generate_handler![…]`, in order; empty when there is no such list.
pub fn handler_names(commands_rs: &str) -> Vec<String> {
    let Some((_, rest)) = commands_rs.split_once("generate_handler![") else {
        return Vec::new();
    };
    let list = rest.split_once(']').map_or("", |(list, _)| list);
    list.split(',')
        .map(str::trim)
        .filter(|name| !name.is_empty())
        .map(str::to_owned)
        .collect()
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use super::handler_names;

    const COMMANDS_RS: &str = include_str!("commands.rs");
    const CAPABILITY: &str = include_str!("../capabilities/main.json");
    const API_TS: &str = include_str!("../../ui/src/lib/api.ts");
    const DEV_MOCK_TS: &str = include_str!("../../ui/src/lib/devMock.ts");
    const APP_MD: &str = include_str!("../../docs/app.md");

    fn is_name(s: &str) -> bool {
        !s.is_empty() && s.chars().all(|c| c.is_ascii_lowercase() || c == '_')
    }

    /// `allow-case-detail` → `case_detail`; the core permissions (`core:…`) are not commands.
    fn capability_names(json: &str) -> Vec<String> {
        let value: serde_json::Value = serde_json::from_str(json).expect("capabilities/main.json is JSON");
        value["permissions"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|p| p.as_str()?.strip_prefix("allow-"))
            .map(|name| name.replace('-', "_"))
            .collect()
    }

    /// Every `call<T>('name'` in api.ts.
    fn api_names(ts: &str) -> Vec<String> {
        ts.split("call<")
            .skip(1)
            .filter_map(|after| {
                let (_, quoted) = after.split_once(">('")?;
                let (name, _) = quoted.split_once('\'')?;
                is_name(name).then(|| name.to_owned())
            })
            .collect()
    }

    /// The keys of devMock.ts's `const commands = { … }`: its lines at the first key's indent.
    fn mock_names(ts: &str) -> Vec<String> {
        let Some((_, body)) = ts.split_once("const commands: Record<") else {
            return Vec::new();
        };
        let body = body.split_once("\n  };").map_or(body, |(b, _)| b);
        let indent_of = |line: &str| line.len() - line.trim_start().len();
        let mut lines = body.lines().skip(1);
        let Some(first) = lines.next() else {
            return Vec::new();
        };
        let indent = indent_of(first);
        std::iter::once(first)
            .chain(lines)
            .filter(|line| indent_of(line) == indent)
            .filter_map(|line| {
                let (key, _) = line.trim_start().split_once(':')?;
                is_name(key).then(|| key.to_owned())
            })
            .collect()
    }

    /// The first column of docs/app.md's command table: lines "| `name` | …".
    fn doc_names(md: &str) -> Vec<String> {
        md.lines()
            .filter_map(|line| {
                let rest = line.strip_prefix("| `")?;
                let (name, _) = rest.split_once("` |")?;
                is_name(name).then(|| name.to_owned())
            })
            .collect()
    }

    #[test]
    fn every_command_is_in_every_list_and_nothing_else_is() {
        let handler = handler_names(COMMANDS_RS);
        assert!(
            handler.len() > 20,
            "generate_handler! not found in commands.rs: {handler:?}"
        );
        let wanted: BTreeSet<&str> = handler.iter().map(String::as_str).collect();
        assert_eq!(
            wanted.len(),
            handler.len(),
            "a command is listed twice in generate_handler!"
        );

        let mut problems = Vec::new();
        for (file, names) in [
            ("src-tauri/capabilities/main.json", capability_names(CAPABILITY)),
            ("ui/src/lib/api.ts", api_names(API_TS)),
            ("ui/src/lib/devMock.ts", mock_names(DEV_MOCK_TS)),
            ("docs/app.md (the command table)", doc_names(APP_MD)),
        ] {
            let found: BTreeSet<&str> = names.iter().map(String::as_str).collect();
            let missing: Vec<&str> = wanted.difference(&found).copied().collect();
            let extra: Vec<&str> = found.difference(&wanted).copied().collect();
            if !missing.is_empty() {
                problems.push(format!("{file} lacks {}", missing.join(", ")));
            }
            if !extra.is_empty() {
                problems.push(format!(
                    "{file} has {}, not in generate_handler! in src-tauri/src/commands.rs",
                    extra.join(", ")
                ));
            }
        }
        assert!(
            problems.is_empty(),
            "the command lists disagree:\n{}",
            problems.join("\n")
        );
    }

    #[test]
    fn the_parsers_read_each_files_shape() {
        assert_eq!(
            handler_names("x tauri::generate_handler![\n  a_b,\n  c,\n ]\n"),
            ["a_b", "c"]
        );
        assert_eq!(
            capability_names(r#"{"permissions": ["core:event:allow-listen", "allow-case-detail"]}"#),
            ["case_detail"]
        );
        assert_eq!(
            api_names(
                "export const x = (id: string) =>\n  call<Foo[]>('a_b', { id });\nconst y = () => call<null>('c');"
            ),
            ["a_b", "c"]
        );
        let mock = "  const commands: Record<string, X> = {\n    a_b: () => 1,\n    c: (a) => {\n      const d: number = 1;\n      return { e: 1 };\n    },\n  };\n  f: 1";
        assert_eq!(mock_names(mock), ["a_b", "c"]);
        assert_eq!(doc_names("| `a_b` | x |\n|---|\n| `Nope` | |"), ["a_b"]);
    }
}
