//! `tributary sheets-emulator`: the Google Sheets API emulator as a server.

use std::net::SocketAddr;
use std::path::PathBuf;

use anyhow::Context;
use sheets_emulator::{Emulator, EmulatorConfig};

#[derive(clap::Args)]
pub struct EmulatorArgs {
    /// Port to listen on (0 picks a free one).
    #[arg(long, default_value_t = 8089)]
    port: u16,
    /// Address to bind.
    #[arg(long, default_value = "127.0.0.1")]
    host: String,
    /// Load spreadsheets and credentials from this JSON file, and save them back to it.
    #[arg(long)]
    state: Option<PathBuf>,
    /// Read requests per minute per user (Google: 60).
    #[arg(long, default_value_t = 60)]
    read_quota_per_user: u32,
    /// Read requests per minute per project (Google: 300).
    #[arg(long, default_value_t = 300)]
    read_quota_per_project: u32,
}

pub async fn run(args: EmulatorArgs) -> anyhow::Result<()> {
    let mut config = EmulatorConfig {
        state_path: args.state.clone(),
        ..EmulatorConfig::default()
    };
    config.quotas.read_requests_per_user = args.read_quota_per_user;
    config.quotas.read_requests_per_project = args.read_quota_per_project;
    let emulator = Emulator::new(config).context("cannot start the emulator")?;
    let address: SocketAddr = format!("{}:{}", args.host, args.port)
        .parse()
        .with_context(|| format!("invalid address {}:{}", args.host, args.port))?;
    let listener = tokio::net::TcpListener::bind(address)
        .await
        .with_context(|| format!("cannot listen on {address}"))?;
    let bound = listener.local_addr().unwrap_or(address);
    println!("Sheets API emulator on http://{bound}");
    println!("  Sheets API base URL: http://{bound}");
    println!("  OAuth token URI:     http://{bound}/token");
    println!("  Admin API:           http://{bound}/__admin/ (see sheets-emulator/README.md)");
    sheets_emulator::serve(listener, emulator, async {
        let _ = tokio::signal::ctrl_c().await;
    })
    .await
    .context("emulator server failed")?;
    Ok(())
}
