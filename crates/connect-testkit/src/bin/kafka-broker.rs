//! `cargo run -p connect-testkit --bin kafka-broker [-- PORT]`: the Apache Kafka broker the
//! tests run on (the version `scripts/setup-test-env.sh` fetched), on 127.0.0.1:PORT
//! (default 9092), in the foreground, for trying Tributary by hand. Its data lives in a temp
//! dir that is removed when it stops (Ctrl-C).

use std::process::ExitCode;
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use connect_testkit::{KafkaBroker, KafkaDist};

fn main() -> ExitCode {
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("kafka-broker: {e:#}");
            ExitCode::FAILURE
        }
    }
}

fn run() -> Result<()> {
    let port: u16 = match std::env::args().nth(1) {
        Some(arg) => arg
            .parse()
            .with_context(|| format!("the port must be a number, not {arg:?}"))?,
        None => 9092,
    };
    let dist = KafkaDist::locate()?;
    let mut broker = KafkaBroker::spawn_on(&dist, Some(port))?;
    let deadline = Instant::now() + Duration::from_secs(120);
    while !broker.accepts_connections() {
        if let Some(status) = broker.exit_status() {
            bail!("kafka exited with {status}:\n{}", broker.log_tail(4000));
        }
        if Instant::now() > deadline {
            bail!(
                "kafka did not listen within 2 minutes:\n{}",
                broker.log_tail(4000)
            );
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    eprintln!(
        "Apache Kafka {} on {} (log {}); Ctrl-C stops it and removes its data",
        dist.version(),
        broker.bootstrap_servers(),
        broker.log_path().display()
    );
    // Ctrl-C: stop the broker in order (it gets the SIGINT too), then drop it, which
    // removes its data.
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    runtime.block_on(async {
        tokio::select! {
            result = tokio::signal::ctrl_c() => result.context("waiting for Ctrl-C"),
            () = async {
                while broker.exit_status().is_none() {
                    tokio::time::sleep(Duration::from_millis(200)).await;
                }
            } => Ok(()),
        }
    })?;
    broker.stop(Duration::from_secs(30))?;
    eprintln!("kafka stopped");
    Ok(())
}
