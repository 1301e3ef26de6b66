//! `tributary docs`: writes (or checks) the configuration reference in docs/reference.

use std::path::Path;

use anyhow::{Context, bail};

/// Writes every reference page into `out`, or with `check` fails listing the stale ones.
pub fn run(
    plugins: &connect_runtime::plugins::PluginRegistry,
    out: &Path,
    check: bool,
) -> anyhow::Result<()> {
    let pages = connect_runtime::docs::reference_pages(plugins);
    let stale = stale_pages(out, &pages);
    if check {
        if stale.is_empty() {
            println!(
                "{} reference pages are up to date in {}",
                pages.len(),
                out.display()
            );
            return Ok(());
        }
        bail!(
            "the configuration reference is stale ({}); run `cargo run -- docs` and commit the result",
            stale.join(", ")
        );
    }
    std::fs::create_dir_all(out).with_context(|| format!("cannot create {}", out.display()))?;
    for (name, text) in &pages {
        std::fs::write(out.join(name), text)
            .with_context(|| format!("cannot write {}", out.join(name).display()))?;
    }
    // Remove pages of plugins that no longer exist.
    if let Ok(entries) = std::fs::read_dir(out) {
        for entry in entries.flatten() {
            let name = entry.file_name().to_string_lossy().into_owned();
            if name.ends_with(".md") && !pages.iter().any(|(page, _)| *page == name) {
                std::fs::remove_file(entry.path())
                    .with_context(|| format!("cannot remove {}", entry.path().display()))?;
            }
        }
    }
    println!("wrote {} reference pages to {}", pages.len(), out.display());
    Ok(())
}

/// The pages whose file is missing, different, or should not exist.
pub fn stale_pages(out: &Path, pages: &[(String, String)]) -> Vec<String> {
    let mut stale: Vec<String> = pages
        .iter()
        .filter(|(name, text)| {
            std::fs::read_to_string(out.join(name)).ok().as_deref() != Some(text)
        })
        .map(|(name, _)| name.clone())
        .collect();
    if let Ok(entries) = std::fs::read_dir(out) {
        for entry in entries.flatten() {
            let name = entry.file_name().to_string_lossy().into_owned();
            if name.ends_with(".md") && !pages.iter().any(|(page, _)| *page == name) {
                stale.push(name);
            }
        }
    }
    stale
}

#[cfg(test)]
mod tests {
    use super::*;

    /// CI fails here when a config key changed and `tributary docs` was not run.
    #[test]
    fn committed_reference_is_up_to_date() {
        let out = Path::new(env!("CARGO_MANIFEST_DIR")).join("../docs/reference");
        let pages = connect_runtime::docs::reference_pages(&crate::standalone::builtin_plugins());
        let stale = stale_pages(&out, &pages);
        assert!(
            stale.is_empty(),
            "stale reference pages: {stale:?}; run `cargo run -- docs` and commit docs/reference"
        );
        let file_source = pages
            .iter()
            .find(|(name, _)| {
                name == "source-org.apache.kafka.connect.file.FileStreamSourceConnector.md"
            })
            .map(|(_, text)| text.clone())
            .unwrap_or_default();
        assert!(
            file_source.contains("| `topic` | STRING | (required) |"),
            "{file_source}"
        );
    }

    #[test]
    fn check_reports_missing_and_extra_pages() {
        let dir = tempfile::tempdir().expect("tempdir");
        std::fs::write(dir.path().join("gone.md"), "old").expect("write");
        let pages = vec![("a.md".to_string(), "text".to_string())];
        assert_eq!(
            stale_pages(dir.path(), &pages),
            vec!["a.md".to_string(), "gone.md".to_string()]
        );
        std::fs::write(dir.path().join("a.md"), "text").expect("write");
        std::fs::remove_file(dir.path().join("gone.md")).expect("remove");
        assert!(stale_pages(dir.path(), &pages).is_empty());
    }
}
