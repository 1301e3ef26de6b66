//! `tributary`: the worker, as a library so that a worker binary with extra plugins is
//! three lines (see `examples/`).
//!
//! `tributary standalone worker.properties [connector.properties|connector.json ...]` runs a
//! standalone worker exactly like Kafka's `connect-standalone.sh`: the worker config names
//! the Kafka cluster, the converters and the offsets file; each connector file is created
//! (or updated) at start; the REST API serves on `listeners`.

mod docs;
mod emulator;
pub mod standalone;

pub use standalone::builtin_plugins;

use connect_runtime::plugins::PluginRegistry;

use clap::{Parser, Subcommand};
use tracing_subscriber::layer::SubscriberExt;
use tracing_subscriber::util::SubscriberInitExt;
use tracing_subscriber::{EnvFilter, Registry, reload};

#[derive(Parser)]
#[command(
    name = "tributary",
    version,
    about = "A Kafka Connect-compatible connector runtime"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run a standalone worker (like connect-standalone.sh).
    Standalone {
        /// The worker configuration (Java .properties with Kafka Connect's keys).
        worker_config: std::path::PathBuf,
        /// Connector configurations to create or update at start (.properties or .json).
        connector_configs: Vec<std::path::PathBuf>,
    },
    /// Serve the Google Sheets API emulator (Sheets API v4 and Google's OAuth token
    /// endpoint), to develop and test pipelines offline.
    SheetsEmulator(emulator::EmulatorArgs),
    /// Write the configuration reference (docs/reference) from the config definitions.
    Docs {
        /// Where to write the pages.
        #[arg(long, default_value = "docs/reference")]
        out: std::path::PathBuf,
        /// Do not write: fail when the pages on disk differ from the generated ones.
        #[arg(long)]
        check: bool,
    },
}

/// Runs the `tributary` command line with the given plugins (normally
/// [`builtin_plugins`], plus a custom worker's own).
pub fn main_with(plugins: PluginRegistry) -> std::process::ExitCode {
    let cli = Cli::parse();
    let directives = std::env::var("RUST_LOG")
        .unwrap_or_else(|_| "info,librdkafka=warn,rdkafka=warn".to_string());
    let filter = EnvFilter::try_new(&directives).unwrap_or_else(|_| EnvFilter::new("info"));
    let (filter, handle) = reload::Layer::<EnvFilter, Registry>::new(filter);
    tracing_subscriber::registry()
        .with(filter)
        .with(tracing_subscriber::fmt::layer().with_writer(std::io::stderr))
        .init();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(e) => {
            eprintln!("tributary: cannot start the async runtime: {e}");
            return std::process::ExitCode::FAILURE;
        }
    };
    let result = runtime.block_on(async move {
        match cli.command {
            Command::Standalone {
                worker_config,
                connector_configs,
            } => {
                standalone::run(
                    plugins,
                    &worker_config,
                    &connector_configs,
                    handle,
                    &directives,
                )
                .await
            }
            Command::Docs { out, check } => docs::run(&plugins, &out, check),
            Command::SheetsEmulator(args) => emulator::run(args).await,
        }
    });
    match result {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            tracing::error!("{e:#}");
            eprintln!("tributary: {e:#}");
            std::process::ExitCode::FAILURE
        }
    }
}
