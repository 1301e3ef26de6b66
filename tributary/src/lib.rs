//! `tributary`: the worker, as a library so that a worker binary with extra plugins is
//! three lines (see `examples/`).
//!
//! `tributary standalone worker.properties [connector.properties|connector.json ...]` runs a
//! standalone worker exactly like Kafka's `connect-standalone.sh`: the worker config names
//! the Kafka cluster, the converters and the offsets file; each connector file is created
//! (or updated) at start; the REST API serves on `listeners`.

mod docs;
mod emulator;
pub mod env_config;
mod health;
mod quickstart;
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
    /// Log format on stderr: human-readable text, or one JSON object per line.
    #[arg(
        long,
        global = true,
        value_enum,
        env = "TRIBUTARY_LOG_FORMAT",
        default_value = "text"
    )]
    log_format: LogFormat,
    #[command(subcommand)]
    command: Command,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
enum LogFormat {
    Text,
    Json,
}

#[derive(Subcommand)]
enum Command {
    /// Run a standalone worker (like connect-standalone.sh).
    Standalone {
        /// The worker configuration (Java .properties with Kafka Connect's keys). Optional:
        /// CONNECT_* environment variables (Confluent's image convention) are applied over
        /// it, or make the whole configuration without it (see deploy/README.md).
        worker_config: Option<std::path::PathBuf>,
        /// Connector configurations to create or update at start (.properties or .json).
        connector_configs: Vec<std::path::PathBuf>,
    },
    /// Google Forms responses streaming into Kafka with no Kafka, no Google account and no
    /// network: an embedded broker, the Sheets API emulator and a worker, in one process.
    Quickstart(quickstart::QuickstartArgs),
    /// Serve the Google Sheets API emulator (Sheets API v4 and Google's OAuth token
    /// endpoint), to develop and test pipelines offline.
    SheetsEmulator(emulator::EmulatorArgs),
    /// Ask a worker's GET /health; exit 0 when healthy (the container's HEALTHCHECK).
    Health(health::HealthArgs),
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
    connect_runtime::herder::set_build_commit(env!("TRIBUTARY_COMMIT"));
    let cli = Cli::parse();
    // The quickstart prints records on stdout; only problems go to the log by default.
    let default_directives = match cli.command {
        Command::Quickstart(_) => "warn,librdkafka=error,rdkafka=error",
        _ => "info,librdkafka=warn,rdkafka=warn",
    };
    let directives = std::env::var("RUST_LOG").unwrap_or_else(|_| default_directives.to_string());
    let filter = EnvFilter::try_new(&directives).unwrap_or_else(|_| EnvFilter::new("info"));
    let (filter, handle) = reload::Layer::<EnvFilter, Registry>::new(filter);
    let (text, json) = match cli.log_format {
        LogFormat::Text => (
            Some(tracing_subscriber::fmt::layer().with_writer(std::io::stderr)),
            None,
        ),
        LogFormat::Json => (
            None,
            Some(
                tracing_subscriber::fmt::layer()
                    .json()
                    .with_writer(std::io::stderr),
            ),
        ),
    };
    tracing_subscriber::registry()
        .with(filter)
        .with(text)
        .with(json)
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
                    worker_config.as_deref(),
                    &connector_configs,
                    handle,
                    &directives,
                )
                .await
            }
            Command::Docs { out, check } => docs::run(&plugins, &out, check),
            Command::SheetsEmulator(args) => emulator::run(args).await,
            Command::Quickstart(args) => quickstart::run(plugins, args, handle, &directives).await,
            Command::Health(args) => health::run(args).await,
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
