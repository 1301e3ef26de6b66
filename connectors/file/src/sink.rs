//! `FileStreamSinkConnector` and `FileStreamSinkTask`: each record's value becomes one line
//! of a file (or of the standard output).

use std::io::Write as _;
use std::sync::Arc;

use connect_api::sink::CommitOffsets;
use connect_api::{
    ConfigDef, ConfigKey, ConfigType, ConnectError, ConnectResult, Connector, ConnectorContext,
    Importance, Props, SinkConnector, SinkRecord, SinkTask, SinkTaskContext, async_trait,
};
use tokio::io::AsyncWriteExt;

use crate::render::render_value;

/// The sink connector's class name, as in Apache Kafka.
pub const SINK_CLASS: &str = "org.apache.kafka.connect.file.FileStreamSinkConnector";

/// The file to append to; unset (or empty) for the standard output. Same key as the
/// source's [`crate::FILE_CONFIG`].
pub const SINK_FILE_CONFIG: &str = "file";

/// Once this much text is buffered, `put` hands it to the OS.
const WRITE_BUFFER: usize = 64 * 1024;

/// The sink connector's config keys (`topics` and `topics.regex` belong to the runtime).
pub fn sink_config_def() -> ConfigDef {
    ConfigDef::new().define(
        ConfigKey::new(SINK_FILE_CONFIG, ConfigType::String)
            .default_null()
            .importance(Importance::High)
            .doc("Destination filename. If not specified, the standard output will be used"),
    )
}

fn configured_file(props: &Props) -> ConnectResult<Option<String>> {
    let parsed = sink_config_def().parse(props)?;
    Ok(parsed
        .string(SINK_FILE_CONFIG)
        .filter(|f| !f.is_empty())
        .map(str::to_string))
}

/// Appends the values of the records of its topics to a file, one per line.
#[derive(Debug, Default)]
pub struct FileStreamSinkConnector {
    props: Option<Props>,
}

impl FileStreamSinkConnector {
    pub fn new() -> Self {
        FileStreamSinkConnector::default()
    }
}

#[async_trait]
impl Connector for FileStreamSinkConnector {
    fn version(&self) -> String {
        crate::VERSION.to_string()
    }

    fn config_def(&self) -> ConfigDef {
        sink_config_def()
    }

    async fn start(
        &mut self,
        _context: Arc<dyn ConnectorContext>,
        props: Props,
    ) -> ConnectResult<()> {
        let file = configured_file(&props)?;
        tracing::info!(
            "starting file sink connector writing to {}",
            file.as_deref().unwrap_or("standard output")
        );
        self.props = Some(props);
        Ok(())
    }

    /// `max_tasks` copies of the config, as Kafka does: every task appends to the same file.
    async fn task_configs(&mut self, max_tasks: usize) -> ConnectResult<Vec<Props>> {
        let props = self.props.as_ref().ok_or_else(|| {
            ConnectError::other(
                "the file sink connector has not been started; call start before task_configs",
            )
        })?;
        Ok(vec![props.clone(); max_tasks])
    }

    async fn stop(&mut self) -> ConnectResult<()> {
        Ok(())
    }
}

impl SinkConnector for FileStreamSinkConnector {
    fn create_task(&self) -> Box<dyn SinkTask> {
        Box::new(FileStreamSinkTask::new())
    }
}

enum Output {
    File(tokio::fs::File),
    /// The standard output, written from the blocking pool so a slow reader of the pipe
    /// does not stall the runtime.
    Stdout,
}

struct Open {
    /// The configured file; `None` for the standard output.
    filename: Option<String>,
    output: Output,
    /// Rendered lines not handed to the OS yet.
    pending: Vec<u8>,
    /// Scratch space for rendering non-string values.
    scratch: String,
}

impl Open {
    fn display_name(&self) -> &str {
        self.filename.as_deref().unwrap_or("stdout")
    }

    /// Hands the buffered text to the OS. Bytes leave `pending` only once a write accepted
    /// them, so an interrupted call neither loses nor repeats any.
    async fn write_pending(&mut self) -> ConnectResult<()> {
        match &mut self.output {
            Output::File(file) => {
                while !self.pending.is_empty() {
                    let written = match file.write(&self.pending).await {
                        Ok(0) => Err(std::io::Error::from(std::io::ErrorKind::WriteZero)),
                        other => other,
                    };
                    match written {
                        Ok(n) => {
                            self.pending.drain(..n);
                        }
                        Err(e) => {
                            return Err(ConnectError::other_with(
                                format!("could not write to {}", self.display_name()),
                                e,
                            ));
                        }
                    }
                }
                Ok(())
            }
            Output::Stdout => {
                if self.pending.is_empty() {
                    return Ok(());
                }
                // Handed over whole: if this call is dropped, the write still completes.
                let text = std::mem::take(&mut self.pending);
                let written = tokio::task::spawn_blocking(move || {
                    let mut stdout = std::io::stdout().lock();
                    stdout.write_all(&text)?;
                    stdout.flush()
                })
                .await;
                match written {
                    Ok(Ok(())) => Ok(()),
                    Ok(Err(e)) => Err(ConnectError::other_with("could not write to stdout", e)),
                    Err(e) => Err(ConnectError::other_with("could not write to stdout", e)),
                }
            }
        }
    }

    /// Everything written so far reaches the OS, and, for a file, the disk.
    async fn flush_and_sync(&mut self) -> ConnectResult<()> {
        self.write_pending().await?;
        if let Output::File(file) = &mut self.output {
            let name = self.filename.as_deref().unwrap_or("stdout");
            file.flush()
                .await
                .map_err(|e| ConnectError::other_with(format!("could not write to {name}"), e))?;
            file.sync_all().await.map_err(|e| {
                ConnectError::other_with(format!("could not sync {name} to disk"), e)
            })?;
        }
        Ok(())
    }
}

/// Writes each record's value, then `\n`, to a file or the standard output.
///
/// Values are rendered as Java's `String.valueOf(value)` would (see [`crate`] docs): a
/// string as itself, a null value as `null` (exactly what Kafka writes), other values in
/// Java's `toString` form.
pub struct FileStreamSinkTask {
    open: Option<Open>,
}

impl Default for FileStreamSinkTask {
    fn default() -> Self {
        Self::new()
    }
}

impl FileStreamSinkTask {
    pub fn new() -> Self {
        FileStreamSinkTask { open: None }
    }

    fn open_mut(&mut self) -> ConnectResult<&mut Open> {
        self.open.as_mut().ok_or_else(|| {
            ConnectError::other("the file sink task has not been started; call start first")
        })
    }
}

#[async_trait]
impl SinkTask for FileStreamSinkTask {
    fn version(&self) -> String {
        crate::VERSION.to_string()
    }

    async fn start(&mut self, _context: SinkTaskContext, props: Props) -> ConnectResult<()> {
        let filename = configured_file(&props)?;
        let output = match &filename {
            None => Output::Stdout,
            Some(name) => {
                let file = tokio::fs::OpenOptions::new()
                    .create(true)
                    .append(true)
                    .open(name)
                    .await
                    .map_err(|e| {
                        ConnectError::other_with(
                            format!(
                                "couldn't find or create file '{name}' for FileStreamSinkTask; \
                                 check that its directory exists and is writable"
                            ),
                            e,
                        )
                    })?;
                Output::File(file)
            }
        };
        self.open = Some(Open {
            filename,
            output,
            pending: Vec::with_capacity(WRITE_BUFFER * 2),
            scratch: String::new(),
        });
        Ok(())
    }

    async fn put(&mut self, records: Vec<SinkRecord>) -> ConnectResult<()> {
        let open = self.open_mut()?;
        for record in &records {
            match record.value.as_str() {
                Some(text) => open.pending.extend_from_slice(text.as_bytes()),
                None => {
                    open.scratch.clear();
                    render_value(&record.value, &mut open.scratch);
                    open.pending.extend_from_slice(open.scratch.as_bytes());
                }
            }
            open.pending.push(b'\n');
            if open.pending.len() >= WRITE_BUFFER {
                open.write_pending().await?;
            }
        }
        tracing::trace!("wrote {} lines to {}", records.len(), open.display_name());
        Ok(())
    }

    /// Hands everything buffered to the OS and fsyncs the file.
    async fn flush(&mut self, _offsets: &CommitOffsets) -> ConnectResult<()> {
        let open = self.open_mut()?;
        tracing::trace!("flushing output stream for {}", open.display_name());
        open.flush_and_sync().await
    }

    async fn stop(&mut self) -> ConnectResult<()> {
        if let Some(mut open) = self.open.take() {
            open.flush_and_sync().await?;
        }
        Ok(())
    }
}
