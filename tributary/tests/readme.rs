//! The README's first command, exactly as written there, from the repository root: what a
//! newcomer runs first must build, start and print a record. The command is read from
//! README.md (the first line of its first `sh` block), so this test breaks when the README
//! does. It builds the release binary, so it runs alone (see .config/nextest.toml).

use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use anyhow::{Context, Result, bail};
use tokio::io::{AsyncBufReadExt, BufReader};

fn repository_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_else(|| PathBuf::from(".."))
}

/// The first line of the README's first ```sh block.
fn first_command(readme: &str) -> Option<&str> {
    let mut lines = readme.lines().skip_while(|l| l.trim() != "```sh");
    lines.next()?;
    lines.map(str::trim).find(|l| !l.is_empty() && *l != "```")
}

#[test]
fn the_first_command_is_the_first_line_of_the_first_sh_block() {
    let readme = "# T\n\ntext\n\n```json\n{}\n```\n```sh\n\nrun this   # comment\nnot this\n```\n";
    assert_eq!(first_command(readme), Some("run this   # comment"));
    assert_eq!(first_command("no block"), None);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_readmes_first_command_prints_form_responses() -> Result<()> {
    let root = repository_root();
    let readme = std::fs::read_to_string(root.join("README.md")).context("reading README.md")?;
    let command = first_command(&readme).context("README.md has no ```sh block")?;
    let build_log = tempfile::NamedTempFile::new()?;
    // `exec`: as from a terminal, Ctrl-C then reaches the command's processes and no shell
    // of ours in between (an `sh -c` would die of the SIGINT itself).
    let mut child = tokio::process::Command::new("sh")
        .arg("-c")
        .arg(format!("exec {command}"))
        .current_dir(&root)
        .stdout(Stdio::piped())
        .stderr(build_log.reopen()?)
        .process_group(0)
        .kill_on_drop(true)
        .spawn()
        .with_context(|| format!("spawning `{command}`"))?;
    let lines = Arc::new(Mutex::new(Vec::<String>::new()));
    let stdout = child.stdout.take().context("stdout")?;
    let collected = Arc::clone(&lines);
    tokio::spawn(async move {
        let mut reader = BufReader::new(stdout).lines();
        while let Ok(Some(line)) = reader.next_line().await {
            if let Ok(mut all) = collected.lock() {
                all.push(line);
            }
        }
    });
    let output = || lines.lock().map(|l| l.clone()).unwrap_or_default();
    let log = || std::fs::read_to_string(build_log.path()).unwrap_or_default();

    // A release build from scratch takes minutes on two cores.
    let printed = connect_testkit::wait_until(
        Duration::from_secs(15 * 60),
        Duration::from_millis(100),
        || {
            let lines = output();
            async move {
                let topic = lines
                    .iter()
                    .find_map(|l| l.trim().strip_prefix("Topic:").map(|t| t.trim().to_owned()));
                topic.is_some_and(|topic| {
                    lines
                        .iter()
                        .any(|l| l.starts_with(&format!("{topic} row=")) && l.contains("value={"))
                })
            }
        },
    )
    .await;
    if printed.is_err() {
        bail!(
            "`{command}` printed no record; stdout:\n{}\nstderr (tail):\n{}",
            output().join("\n"),
            tail(&log(), 4000)
        );
    }

    // Ctrl-C (to the whole process group, as a terminal sends it) stops it cleanly.
    let pid = child.id().context("pid")?;
    let signalled = tokio::process::Command::new("kill")
        .args(["-INT", "--", &format!("-{pid}")])
        .status()
        .await?;
    assert!(signalled.success(), "kill -INT -{pid}");
    let exit = tokio::time::timeout(Duration::from_secs(60), child.wait())
        .await
        .context("the quickstart did not stop on Ctrl-C")??;
    assert!(
        exit.success(),
        "`{command}` exited with {exit}; stderr (tail):\n{}",
        tail(&log(), 4000)
    );
    let stopped =
        connect_testkit::wait_until(Duration::from_secs(10), Duration::from_millis(50), || {
            let done = output().iter().any(|l| l == "Stopped.");
            async move { done }
        })
        .await;
    assert!(
        stopped.is_ok(),
        "no goodbye after Ctrl-C; stdout:\n{}",
        output().join("\n")
    );
    Ok(())
}

fn tail(text: &str, bytes: usize) -> &str {
    let mut start = text.len().saturating_sub(bytes);
    while !text.is_char_boundary(start) {
        start += 1;
    }
    &text[start..]
}
