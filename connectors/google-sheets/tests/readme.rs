//! The README's configuration reference is generated from the ConfigDef; this test fails
//! when it is stale. `UPDATE_README=1 cargo test -p connect-google-sheets --test readme`
//! rewrites it. It also checks that the example configs parse.

use std::path::Path;

use connect_api::Props;
use connect_google_sheets::config::{Flavor, validate};
use connect_google_sheets::config_reference_markdown;

const BEGIN: &str = "<!-- BEGIN GENERATED CONFIG REFERENCE -->";
const END: &str = "<!-- END GENERATED CONFIG REFERENCE -->";

#[test]
fn the_readme_reference_is_up_to_date() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md");
    let readme = std::fs::read_to_string(&path).expect("README.md is readable");
    let (before, rest) = readme
        .split_once(BEGIN)
        .expect("the README has the begin marker");
    let (current, after) = rest.split_once(END).expect("the README has the end marker");
    let generated = format!("\n{}", config_reference_markdown());
    if current == generated {
        return;
    }
    if std::env::var_os("UPDATE_README").is_some() {
        std::fs::write(&path, format!("{before}{BEGIN}{generated}{END}{after}"))
            .expect("README.md is writable");
        return;
    }
    panic!(
        "the configuration reference in README.md is stale; run \
         UPDATE_README=1 cargo test -p connect-google-sheets --test readme"
    );
}

fn properties(text: &str) -> Props {
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .filter_map(|l| l.split_once('='))
        .map(|(k, v)| (k.trim().to_string(), v.trim().to_string()))
        .collect()
}

#[test]
fn the_forms_example_names_only_known_keys_and_the_seed_example_parses() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("config");
    let forms = std::fs::read_to_string(dir.join("google-sheets-forms.properties"))
        .expect("the forms example");
    let props = properties(&forms);
    let def = connect_google_sheets::config_def();
    for key in props.keys() {
        let runtime_key = ["name", "connector.class", "tasks.max"].contains(&key.as_str())
            || key.starts_with("value.converter")
            || key.starts_with("key.converter");
        assert!(runtime_key || def.key(key).is_some(), "unknown key {key}");
    }
    // Everything but the key file (which does not exist here) validates.
    let errors: Vec<(String, Vec<String>)> = validate(&props, Flavor::Tributary)
        .into_iter()
        .filter(|v| !v.errors.is_empty())
        .map(|v| (v.name, v.errors))
        .collect();
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert_eq!(errors[0].0, "credentials.file");

    let seed: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(dir.join("seed-simple-google-sheet.json")).expect("the seed"),
    )
    .expect("the seed example is JSON");
    assert_eq!(
        seed["config"]["connector.class"],
        connect_google_sheets::SEED_CONNECTOR_CLASS
    );
    let props: Props = seed["config"]
        .as_object()
        .expect("a config object")
        .iter()
        .map(|(k, v)| (k.clone(), v.as_str().unwrap_or_default().to_string()))
        .collect();
    // The seed's sample key is an empty PEM block: validation says so on private_key, and
    // on nothing else.
    let errors: Vec<(String, Vec<String>)> = validate(&props, Flavor::Seed)
        .into_iter()
        .filter(|v| !v.errors.is_empty())
        .map(|v| (v.name, v.errors))
        .collect();
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert_eq!(errors[0].0, "private_key");
    assert!(
        errors[0].1[0].contains("not a usable RSA private key"),
        "{errors:?}"
    );
}
