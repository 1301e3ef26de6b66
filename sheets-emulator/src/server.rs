//! Serving: the router, our own accept loop (so a fault can close a connection without
//! answering), and a self-contained local instance for tests.

use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::body::Body;
use axum::extract::{Request, State};
use axum::response::Response;
use hyper_util::rt::TokioIo;
use tokio::net::TcpListener;
use tokio::sync::Notify;
use tower::ServiceExt;

use crate::api::{self, KillSwitch};
use crate::emulator::{Emulator, EmulatorConfig};
use crate::error::EmulatorError;
use crate::testing::ServiceAccountKey;

/// The whole HTTP surface: the admin API under `/__admin`, everything else through the
/// Sheets API / token dispatcher. Usable without a socket (`tower::ServiceExt::oneshot`);
/// there, dropped-connection faults answer 500 instead.
pub fn app(emulator: Emulator) -> Router {
    Router::new()
        .nest("/__admin", crate::admin::routes())
        .fallback(sheets_api)
        .with_state(emulator)
}

async fn sheets_api(State(emulator): State<Emulator>, request: Request) -> Response {
    let kill = request.extensions().get::<KillSwitch>().cloned();
    api::handle(emulator, request, kill).await
}

/// Serves the emulator on `listener` until `shutdown` completes; then stops accepting,
/// lets in-flight requests finish (for up to a second) and, when a state file is
/// configured, saves the state. While serving, a changed state is saved every half second.
pub async fn serve(
    listener: TcpListener,
    emulator: Emulator,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let router = app(emulator.clone());
    let graceful = hyper_util::server::graceful::GracefulShutdown::new();
    let autosave = emulator.config().state_path.is_some().then(|| {
        let emulator = emulator.clone();
        tokio::spawn(async move {
            let mut interval = tokio::time::interval(Duration::from_millis(500));
            loop {
                interval.tick().await;
                let saver = emulator.clone();
                let saved = tokio::task::spawn_blocking(move || saver.save_if_dirty()).await;
                if let Ok(Err(error)) = saved {
                    tracing::warn!(%error, "could not save the emulator state");
                }
            }
        })
    });
    tokio::pin!(shutdown);
    loop {
        tokio::select! {
            accepted = listener.accept() => {
                let stream = match accepted {
                    Ok((stream, _)) => stream,
                    Err(error) => {
                        tracing::debug!(%error, "accept failed");
                        tokio::time::sleep(Duration::from_millis(10)).await;
                        continue;
                    }
                };
                let _ = stream.set_nodelay(true);
                let kill: KillSwitch = Arc::new(Notify::new());
                let router = router.clone();
                let kill_switch = kill.clone();
                let service = hyper::service::service_fn(move |mut request: hyper::Request<hyper::body::Incoming>| {
                    request.extensions_mut().insert(kill_switch.clone());
                    let router = router.clone();
                    async move { router.oneshot(request.map(Body::new)).await }
                });
                let connection = hyper::server::conn::http1::Builder::new()
                    .serve_connection(TokioIo::new(stream), service);
                let connection = graceful.watch(connection);
                tokio::spawn(async move {
                    tokio::select! {
                        result = connection => {
                            if let Err(error) = result {
                                tracing::debug!(%error, "connection ended with an error");
                            }
                        }
                        // Dropping the connection closes the socket without an answer.
                        () = kill.notified() => {}
                    }
                });
            }
            () = &mut shutdown => break,
        }
    }
    drop(listener);
    tokio::select! {
        () = graceful.shutdown() => {}
        () = tokio::time::sleep(Duration::from_secs(1)) => {}
    }
    if let Some(task) = autosave {
        task.abort();
    }
    if let Some(path) = emulator.config().state_path {
        let saver = emulator.clone();
        let saved = tokio::task::spawn_blocking(move || saver.save_state(&path)).await;
        if let Ok(Err(error)) = saved {
            tracing::warn!(%error, "could not save the emulator state");
        }
    }
    Ok(())
}

/// An emulator served on `127.0.0.1` by its own thread; stops when dropped.
pub struct RunningEmulator {
    emulator: Emulator,
    addr: SocketAddr,
    base_url: String,
    shutdown: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Emulator {
    /// A fresh emulator with the default configuration, served on `127.0.0.1:0`.
    pub fn start_local() -> std::io::Result<RunningEmulator> {
        Emulator::default().serve_local()
    }

    /// A fresh emulator with `config`, served on `127.0.0.1:0`.
    pub fn start_local_with(config: EmulatorConfig) -> Result<RunningEmulator, EmulatorError> {
        Ok(Emulator::new(config)?.serve_local()?)
    }

    /// Serves this emulator on `127.0.0.1:0` from a thread of its own (usable from sync
    /// and async tests alike).
    pub fn serve_local(&self) -> std::io::Result<RunningEmulator> {
        let listener = std::net::TcpListener::bind("127.0.0.1:0")?;
        listener.set_nonblocking(true)?;
        let addr = listener.local_addr()?;
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()?;
        let (shutdown, signal) = tokio::sync::oneshot::channel::<()>();
        let emulator = self.clone();
        let thread = std::thread::Builder::new()
            .name(format!("sheets-emulator-{}", addr.port()))
            .spawn(move || {
                runtime.block_on(async move {
                    let listener = match TcpListener::from_std(listener) {
                        Ok(listener) => listener,
                        Err(error) => {
                            tracing::error!(%error, "cannot serve the emulator");
                            return;
                        }
                    };
                    let signal = async move {
                        let _ = signal.await;
                    };
                    if let Err(error) = serve(listener, emulator, signal).await {
                        tracing::error!(%error, "the emulator stopped");
                    }
                });
            })?;
        Ok(RunningEmulator {
            emulator: self.clone(),
            addr,
            base_url: format!("http://{addr}"),
            shutdown: Some(shutdown),
            thread: Some(thread),
        })
    }
}

impl RunningEmulator {
    /// `http://127.0.0.1:PORT`: the Sheets API root (`{base_url}/v4/spreadsheets/...`).
    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    /// `http://127.0.0.1:PORT/token`: the token URI for key files.
    pub fn token_uri(&self) -> String {
        format!("{}/token", self.base_url)
    }

    /// `http://127.0.0.1:PORT/__admin`.
    pub fn admin_url(&self) -> String {
        format!("{}/__admin", self.base_url)
    }

    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    pub fn emulator(&self) -> &Emulator {
        &self.emulator
    }

    /// A new service account whose key file points at this emulator's token URI.
    pub fn create_service_account(&self, email: &str) -> Result<ServiceAccountKey, EmulatorError> {
        self.emulator
            .create_service_account(email, &self.token_uri())
    }

    /// Stops serving and waits for the server thread.
    pub fn stop(mut self) {
        self.shutdown_and_join();
    }

    fn shutdown_and_join(&mut self) {
        if let Some(shutdown) = self.shutdown.take() {
            let _ = shutdown.send(());
        }
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

impl std::ops::Deref for RunningEmulator {
    type Target = Emulator;

    fn deref(&self) -> &Emulator {
        &self.emulator
    }
}

impl Drop for RunningEmulator {
    fn drop(&mut self) {
        self.shutdown_and_join();
    }
}
