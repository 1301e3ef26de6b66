//! Records the git commit being built as `TRIBUTARY_COMMIT` (what `GET /` answers as
//! `commit`). A build outside a git checkout, or with `TRIBUTARY_COMMIT` already set (a
//! packager's), keeps that value or says `unknown`.

use std::path::Path;
use std::process::Command;

fn main() {
    println!("cargo:rerun-if-env-changed=TRIBUTARY_COMMIT");
    let commit = std::env::var("TRIBUTARY_COMMIT").ok().or_else(git_commit);
    println!(
        "cargo:rustc-env=TRIBUTARY_COMMIT={}",
        commit.as_deref().unwrap_or("unknown")
    );
}

fn git_commit() -> Option<String> {
    let output = Command::new("git")
        .args(["rev-parse", "--git-dir", "HEAD"])
        .output()
        .ok()?;
    if !output.status.success() {
        return None;
    }
    let text = String::from_utf8(output.stdout).ok()?;
    let mut lines = text.lines();
    let git_dir = Path::new(lines.next()?.trim()).to_path_buf();
    let commit = lines.next()?.trim().to_string();
    // Build again when HEAD moves: HEAD itself, the branch it names, packed refs.
    println!("cargo:rerun-if-changed={}", git_dir.join("HEAD").display());
    if let Ok(head) = std::fs::read_to_string(git_dir.join("HEAD"))
        && let Some(reference) = head.trim().strip_prefix("ref: ")
    {
        println!(
            "cargo:rerun-if-changed={}",
            git_dir.join(reference).display()
        );
    }
    println!(
        "cargo:rerun-if-changed={}",
        git_dir.join("packed-refs").display()
    );
    (commit.len() == 40 && commit.chars().all(|c| c.is_ascii_hexdigit())).then_some(commit)
}
