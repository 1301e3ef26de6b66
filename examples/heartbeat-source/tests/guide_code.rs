//! The guide (docs/guides/writing-a-connector.md) shows this crate's real code. A fenced
//! block after `<!-- file: PATH -->` is (a piece of) that file: all such blocks of one
//! file, joined by a blank line, must be the whole file, so the guide shows every line.
//! A block after `<!-- excerpt: PATH -->` must appear in that file word for word. Rust
//! blocks without either marker are not allowed, and the line counts the guide states
//! must be the file's.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

const GUIDE: &str = "docs/guides/writing-a-connector.md";

fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn read(path: &str) -> String {
    let full = workspace_root().join(path);
    std::fs::read_to_string(&full).unwrap_or_else(|e| panic!("reading {}: {e}", full.display()))
}

enum Marker {
    File(String),
    Excerpt(String),
}

/// Every fenced block of `markdown`: its language, its text and the marker on the line
/// before it, if any.
fn blocks(markdown: &str) -> Vec<(String, String, Option<Marker>)> {
    let mut found = Vec::new();
    let mut lines = markdown.lines().peekable();
    let mut previous = "";
    while let Some(line) = lines.next() {
        let Some(language) = line.strip_prefix("```") else {
            previous = line;
            continue;
        };
        let mut text = String::new();
        for line in lines.by_ref() {
            if line == "```" {
                break;
            }
            text.push_str(line);
            text.push('\n');
        }
        let marker = previous
            .strip_prefix("<!-- ")
            .and_then(|rest| rest.strip_suffix(" -->"))
            .and_then(|inner| {
                if let Some(path) = inner.strip_prefix("file: ") {
                    Some(Marker::File(path.to_string()))
                } else {
                    inner
                        .strip_prefix("excerpt: ")
                        .map(|path| Marker::Excerpt(path.to_string()))
                }
            });
        found.push((language.to_string(), text, marker));
        previous = "```";
    }
    found
}

#[test]
fn the_guides_code_is_the_crates_code() {
    let guide = read(GUIDE);
    let mut files: BTreeMap<String, Vec<String>> = BTreeMap::new();
    let mut excerpts = 0;
    for (language, text, marker) in blocks(&guide) {
        match marker {
            Some(Marker::File(path)) => files.entry(path).or_default().push(text),
            Some(Marker::Excerpt(path)) => {
                excerpts += 1;
                assert!(
                    read(&path).contains(&text),
                    "this excerpt of {path} in {GUIDE} is not in the file any more:\n{text}"
                );
            }
            None => assert_ne!(
                language, "rust",
                "a Rust block in {GUIDE} without a file or excerpt marker:\n{text}"
            ),
        }
    }
    for (path, pieces) in &files {
        let shown = pieces.join("\n");
        let actual = read(path);
        assert!(
            shown == actual,
            "{GUIDE} shows {path} differently; copy the file into its blocks again.\n\
             --- the guide:\n{shown}\n--- the file:\n{actual}"
        );
    }
    for path in [
        "examples/heartbeat-source/Cargo.toml",
        "examples/heartbeat-source/src/lib.rs",
        "examples/heartbeat-source/src/main.rs",
        "examples/heartbeat-source/config/worker.properties",
        "examples/heartbeat-source/config/heartbeat-source.properties",
        "examples/heartbeat-source/config/heartbeat-source.json",
    ] {
        assert!(files.contains_key(path), "{GUIDE} no longer shows {path}");
    }
    assert!(excerpts >= 4, "{GUIDE} shows only {excerpts} test excerpts");
}

fn code_lines(text: &str) -> usize {
    text.lines()
        .map(str::trim)
        .filter(|line| !line.is_empty() && !line.starts_with("//"))
        .count()
}

#[test]
fn the_guide_states_the_connectors_real_size() {
    let lib = read("examples/heartbeat-source/src/lib.rs");
    let total = lib.lines().count();
    let code = code_lines(&lib);
    let start = lib.find("pub fn config_def").expect("config_def in lib.rs");
    let end = lib
        .find("/// The plugins this crate")
        .expect("plugins in lib.rs");
    let connector = code_lines(&lib[start..end]);
    assert!(code < 100, "the connector grew to {code} lines of code");

    let guide = read(GUIDE).split_whitespace().collect::<Vec<_>>().join(" ");
    let sentence = format!(
        "`src/lib.rs` is {total} lines, {code} lines of code (without blank and comment \
         lines), and the config, the connector and the task are {connector} of them"
    );
    assert!(guide.contains(&sentence), "{GUIDE} should say: {sentence}");
}
