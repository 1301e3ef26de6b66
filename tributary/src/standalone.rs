//! The standalone worker: one process, offsets and connector configs in local files.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use anyhow::{Context, bail};
use connect_rest::{RestState, TracingLoggerAdmin};
use connect_runtime::config::load_connector_config;
use connect_runtime::herder::Herder;
use connect_runtime::herder::standalone::StandaloneHerder;
use connect_runtime::plugins::PluginRegistry;
use connect_runtime::storage::{
    FileConfigBackingStore, FileOffsetBackingStore, MemoryStatusBackingStore,
};
use connect_runtime::worker::Worker;
use rdkafka::consumer::{BaseConsumer, Consumer};
use tracing_subscriber::{EnvFilter, Registry, reload};

/// Every plugin Tributary ships: converters, transformations, the file and Google Sheets
/// connectors.
pub fn builtin_plugins() -> PluginRegistry {
    let mut registry = PluginRegistry::with_default_converters();
    registry.register(connect_file::plugins());
    registry.register(connect_datagen::plugins());
    registry.register(connect_google_sheets::plugins());
    registry.register(connect_transforms::plugins());
    registry
}

/// The REST listen address from Kafka's `listeners` (`http://host:port`, empty host = all).
pub fn listen_address(listeners: &[String]) -> anyhow::Result<SocketAddr> {
    let first = listeners
        .first()
        .map(String::as_str)
        .unwrap_or("http://:8083");
    let rest = first
        .strip_prefix("http://")
        .with_context(|| format!("listeners: only http:// listeners are supported, got {first}"))?;
    let (host, port) = rest
        .rsplit_once(':')
        .with_context(|| format!("listeners: {first} has no port"))?;
    let port: u16 = port
        .trim_end_matches('/')
        .parse()
        .with_context(|| format!("listeners: {first} has an invalid port"))?;
    let host = match host {
        "" => "0.0.0.0",
        "localhost" => "127.0.0.1",
        other => other.trim_start_matches('[').trim_end_matches(']'),
    };
    format!("{host}:{port}")
        .parse()
        .or_else(|_| format!("[{host}]:{port}").parse())
        .with_context(|| format!("listeners: cannot use host {host}"))
}

async fn kafka_cluster_id(bootstrap: &str) -> Option<String> {
    let bootstrap = bootstrap.to_string();
    tokio::task::spawn_blocking(move || {
        let consumer: BaseConsumer = rdkafka::ClientConfig::new()
            .set("bootstrap.servers", &bootstrap)
            .create()
            .ok()?;
        consumer.client().fetch_cluster_id(Duration::from_secs(5))
    })
    .await
    .ok()
    .flatten()
}

/// SIGTERM and SIGINT (Ctrl-C), listened for from the moment this is made: a signal that
/// arrives while the worker is still starting is kept and stops it gracefully once it has
/// started, instead of killing it half-way (the signals' default action).
struct ShutdownSignal {
    #[cfg(unix)]
    term: Option<tokio::signal::unix::Signal>,
    #[cfg(unix)]
    interrupt: Option<tokio::signal::unix::Signal>,
}

impl ShutdownSignal {
    fn install() -> ShutdownSignal {
        #[cfg(unix)]
        {
            use tokio::signal::unix::{SignalKind, signal};
            ShutdownSignal {
                term: signal(SignalKind::terminate()).ok(),
                interrupt: signal(SignalKind::interrupt()).ok(),
            }
        }
        #[cfg(not(unix))]
        {
            ShutdownSignal {}
        }
    }

    async fn recv(mut self) {
        #[cfg(unix)]
        {
            let term = async {
                match self.term.as_mut() {
                    Some(term) => {
                        term.recv().await;
                    }
                    None => std::future::pending::<()>().await,
                }
            };
            let interrupt = async {
                match self.interrupt.as_mut() {
                    Some(interrupt) => {
                        interrupt.recv().await;
                    }
                    None => {
                        let _ = tokio::signal::ctrl_c().await;
                    }
                }
            };
            tokio::select! {
                () = term => {}
                () = interrupt => {}
            }
        }
        #[cfg(not(unix))]
        {
            let _ = tokio::signal::ctrl_c().await;
        }
    }
}

pub async fn run(
    plugins: PluginRegistry,
    worker_config_path: Option<&Path>,
    connector_config_paths: &[PathBuf],
    log_handle: reload::Handle<EnvFilter, Registry>,
    log_directives: &str,
) -> anyhow::Result<()> {
    let shutdown = ShutdownSignal::install();
    // The file (when given) with the CONNECT_* environment variables over it.
    let config = crate::env_config::standalone_worker_config(worker_config_path)?;
    let mut connector_configs = Vec::new();
    for path in connector_config_paths {
        let props = load_connector_config(path)?;
        let Some(name) = props.get("name").cloned() else {
            bail!("connector config {} has no \"name\"", path.display());
        };
        connector_configs.push((name, props));
    }
    let address = listen_address(&config.listeners())?;
    let listener = tokio::net::TcpListener::bind(address)
        .await
        .with_context(|| format!("cannot listen on {address}"))?;
    let bound = listener.local_addr().unwrap_or(address);
    let worker_id = format!(
        "{}:{}",
        if bound.ip().is_unspecified() {
            "127.0.0.1".to_string()
        } else {
            bound.ip().to_string()
        },
        bound.port()
    );

    let offsets_path = config
        .offset_storage_file()
        .context("offset.storage.file.filename is required")?;
    let offset_store = Arc::new(FileOffsetBackingStore::open(&offsets_path)?);
    let config_store = match config.config_storage_file() {
        Some(path) => Arc::new(FileConfigBackingStore::open(path)?),
        None => bail!("config.storage.file.filename could not be derived"),
    };
    let cluster_id = kafka_cluster_id(&config.bootstrap_servers()).await;
    if cluster_id.is_none() {
        tracing::warn!(bootstrap = %config.bootstrap_servers(), "could not reach the Kafka cluster yet; tasks will keep trying");
    }
    let worker = Arc::new(Worker::new(
        worker_id,
        config,
        Arc::new(plugins),
        offset_store,
        Arc::new(MemoryStatusBackingStore::new()),
    ));
    worker.watch_cluster();
    let metrics = Arc::clone(worker.metrics());
    connect_api::metrics::install(metrics.clone());
    let herder = StandaloneHerder::start(worker, config_store, cluster_id).await;
    // The REST API serves from here on; /health answers 503 "starting" until the
    // connectors named on the command line exist.
    let loggers = Arc::new(TracingLoggerAdmin::new(log_handle, log_directives)?);
    let state = RestState {
        herder: herder.clone() as Arc<dyn Herder>,
        loggers,
    };
    let (stop_rest, rest_stopped) = tokio::sync::oneshot::channel::<()>();
    let router = connect_rest::app(state).route(
        "/metrics",
        axum::routing::get(move || {
            let metrics = Arc::clone(&metrics);
            async move {
                (
                    [(
                        axum::http::header::CONTENT_TYPE,
                        "text/plain; version=0.0.4; charset=utf-8",
                    )],
                    metrics.encode(),
                )
            }
        }),
    );
    let rest = tokio::spawn(connect_rest::serve_router(listener, router, async move {
        let _ = rest_stopped.await;
    }));
    for (name, props) in connector_configs {
        let changed = herder
            .apply_command_line_config(&name, props)
            .await
            .with_context(|| format!("failed to create connector {name}"))?;
        if changed {
            tracing::info!(connector = %name, "created connector from the command line");
        } else {
            tracing::info!(connector = %name, "connector from the command line is unchanged since the last start; left running as stored");
        }
    }
    herder.mark_ready();
    tracing::info!(address = %bound, "tributary standalone worker started; REST API on http://{bound}");
    shutdown.recv().await;
    tracing::info!("stopping: flushing offsets and stopping tasks");
    herder.shutdown().await;
    let _ = stop_rest.send(());
    match tokio::time::timeout(Duration::from_secs(5), rest).await {
        Ok(Ok(Err(e))) => tracing::warn!(error = %e, "rest server error"),
        Ok(_) => {}
        Err(_) => tracing::warn!("rest server did not stop in time"),
    }
    tracing::info!("tributary stopped");
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn listeners_follow_kafkas_syntax() {
        let addr = listen_address(&["http://:8083".to_string()]).expect("valid");
        assert_eq!(addr.to_string(), "0.0.0.0:8083");
        let addr = listen_address(&["http://localhost:9000".to_string()]).expect("valid");
        assert_eq!(addr.to_string(), "127.0.0.1:9000");
        assert!(listen_address(&["https://:8443".to_string()]).is_err());
        assert!(listen_address(&["http://host".to_string()]).is_err());
    }

    #[test]
    fn file_connectors_are_registered_under_kafkas_names() {
        let registry = builtin_plugins();
        for name in [
            "org.apache.kafka.connect.file.FileStreamSourceConnector",
            "FileStreamSource",
            "FileStreamSinkConnector",
        ] {
            assert!(registry.connector(name).is_ok(), "{name}");
        }
        let err = registry.connector("NoSuchConnector").expect_err("unknown");
        assert!(err.to_string().contains("FileStreamSinkConnector"), "{err}");
    }
}
