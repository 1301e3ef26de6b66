//! `FileStreamSourceConnector` and `FileStreamSourceTask`: one line of a file (or of the
//! standard input) becomes one record.

use std::io::Read as _;
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use connect_api::config::{ConfigError, ConfigValueT, Validator};
use connect_api::{
    ConfigDef, ConfigKey, ConfigType, ConnectError, ConnectResult, Connector, ConnectorContext,
    Importance, Props, Schema, SourceConnector, SourceOffset, SourcePartition, SourceRecord,
    SourceTask, SourceTaskContext, Value, async_trait,
};
use tokio::io::{AsyncReadExt, AsyncSeekExt};
use tokio::sync::mpsc;

use crate::lines::LineBuffer;

/// The source connector's class name, as in Apache Kafka.
pub const SOURCE_CLASS: &str = "org.apache.kafka.connect.file.FileStreamSourceConnector";

/// The file to read; unset (or empty) for the standard input.
pub const FILE_CONFIG: &str = "file";
/// The topic every record goes to.
pub const TOPIC_CONFIG: &str = "topic";
/// The most records one `poll` returns.
pub const TASK_BATCH_SIZE_CONFIG: &str = "batch.size";
/// The default of [`TASK_BATCH_SIZE_CONFIG`].
pub const DEFAULT_TASK_BATCH_SIZE: i32 = 2000;

/// The key of the source partition: the configured file name.
pub const FILENAME_FIELD: &str = "filename";
/// The key of the source offset: the byte position after the record's line.
pub const POSITION_FIELD: &str = "position";

/// Kafka's message for a `topic` that names several topics.
const SINGLE_TOPIC_MESSAGE: &str =
    "'topic' in FileStreamSourceConnector configuration requires definition of a single topic";

/// How much `poll` asks the file for at a time.
const READ_CHUNK: usize = 64 * 1024;
/// How long `poll` waits for new data before it returns an empty batch (Kafka: 1000 ms).
const IDLE_WAIT: Duration = Duration::from_millis(1000);
/// How often `poll` looks for new data while it waits.
const IDLE_STEP: Duration = Duration::from_millis(100);

/// `topic`: non-empty (Kafka's `NonEmptyString`) and a single topic (no comma).
struct SingleTopic;

impl Validator for SingleTopic {
    fn ensure_valid(&self, name: &str, value: &ConfigValueT) -> Result<(), ConfigError> {
        match value {
            ConfigValueT::String(s) if s.is_empty() => Err(ConfigError::invalid(
                name,
                s.as_str(),
                "String must be non-empty",
            )),
            ConfigValueT::String(s) if s.contains(',') => {
                Err(ConfigError::invalid(name, s.as_str(), SINGLE_TOPIC_MESSAGE))
            }
            _ => Ok(()),
        }
    }

    fn describe(&self) -> Option<String> {
        Some("non-empty string".to_string())
    }
}

/// The source connector's config keys, with Kafka's names, defaults and documentation.
pub fn source_config_def() -> ConfigDef {
    ConfigDef::new()
        .define(
            ConfigKey::new(FILE_CONFIG, ConfigType::String)
                .default_null()
                .importance(Importance::High)
                .doc("Source filename. If not specified, the standard input will be used"),
        )
        .define(
            ConfigKey::new(TOPIC_CONFIG, ConfigType::String)
                .validator(SingleTopic)
                .importance(Importance::High)
                .doc("The topic to publish data to"),
        )
        .define(
            ConfigKey::new(TASK_BATCH_SIZE_CONFIG, ConfigType::Int)
                .default_value(DEFAULT_TASK_BATCH_SIZE.to_string())
                // No validator, as in Kafka: validate accepts any number; a task refuses
                // one that is not positive when it starts.
                .importance(Importance::Low)
                .doc(
                    "The maximum number of records the source task can read from the file each \
                     time it is polled",
                ),
        )
}

/// The configured file, `None` for the standard input (unset or empty, as in Kafka).
fn configured_file(parsed: &connect_api::ParsedConfig) -> Option<String> {
    parsed
        .string(FILE_CONFIG)
        .filter(|f| !f.is_empty())
        .map(str::to_string)
}

fn source_partition(filename: Option<&str>) -> SourcePartition {
    let mut partition = SourcePartition::new();
    partition.insert(
        FILENAME_FIELD.to_string(),
        filename.map_or(serde_json::Value::Null, serde_json::Value::from),
    );
    partition
}

/// Reads the lines of a file, or of the standard input, into one topic. Offsets are byte
/// positions in the file; see the crate documentation.
#[derive(Debug, Default)]
pub struct FileStreamSourceConnector {
    props: Option<Props>,
}

impl FileStreamSourceConnector {
    pub fn new() -> Self {
        FileStreamSourceConnector::default()
    }
}

#[async_trait]
impl Connector for FileStreamSourceConnector {
    fn version(&self) -> String {
        crate::VERSION.to_string()
    }

    fn config_def(&self) -> ConfigDef {
        source_config_def()
    }

    async fn start(
        &mut self,
        _context: Arc<dyn ConnectorContext>,
        props: Props,
    ) -> ConnectResult<()> {
        let parsed = source_config_def().parse(&props)?;
        let file = configured_file(&parsed);
        tracing::info!(
            "starting file source connector reading from {}",
            file.as_deref().unwrap_or("standard input")
        );
        self.props = Some(props);
        Ok(())
    }

    /// One task, whatever `max_tasks` is: only one reader of a stream makes sense.
    async fn task_configs(&mut self, _max_tasks: usize) -> ConnectResult<Vec<Props>> {
        let props = self.props.clone().ok_or_else(|| {
            ConnectError::other(
                "the file source connector has not been started; call start before task_configs",
            )
        })?;
        Ok(vec![props])
    }

    async fn stop(&mut self) -> ConnectResult<()> {
        // Nothing runs in the background.
        Ok(())
    }
}

impl SourceConnector for FileStreamSourceConnector {
    fn create_task(&self) -> Box<dyn SourceTask> {
        Box::new(FileStreamSourceTask::new())
    }

    /// Kafka's checks: offsets cannot be altered when reading the standard input; a null
    /// offset (a reset) is always accepted; any other offset needs a non-negative integer
    /// `position`, and its partition a `filename`. Whether the position fits the file is
    /// left to the task, as in Kafka.
    fn alter_offsets(
        &self,
        props: &Props,
        offsets: &[(SourcePartition, Option<SourceOffset>)],
    ) -> ConnectResult<bool> {
        let parsed = source_config_def().parse(props)?;
        // Kafka's FileStreamSourceConnector texts, word for word: REST answers show them.
        if configured_file(&parsed).is_none() {
            return Err(ConnectError::other(format!(
                "Offsets cannot be modified if the '{FILE_CONFIG}' configuration is unspecified. \
                 This is because stdin is used for input and offsets are not tracked."
            )));
        }
        for (partition, offset) in offsets {
            let Some(offset) = offset else {
                // Tombstones are allowed for anything, so that garbage can be cleaned up.
                continue;
            };
            let Some(position) = offset.get(POSITION_FIELD) else {
                return Err(ConnectError::other(format!(
                    "Offset objects should either be null or contain the key '{POSITION_FIELD}'"
                )));
            };
            let Some(position) = position.as_i64() else {
                return Err(ConnectError::other(format!(
                    "The value for the '{POSITION_FIELD}' key in the offset is expected to be a \
                     Long value"
                )));
            };
            if position < 0 {
                return Err(ConnectError::other(format!(
                    "The value for the '{POSITION_FIELD}' key in the offset should be a \
                     non-negative value"
                )));
            }
            if !partition.contains_key(FILENAME_FIELD) {
                return Err(ConnectError::other(format!(
                    "Partition objects should contain the key '{FILENAME_FIELD}'"
                )));
            }
        }
        Ok(true)
    }
}

/// Where the task reads from.
enum Input {
    File(tokio::fs::File),
    /// Chunks of the standard input, read by a dedicated thread; `None` once it ended.
    Stdin(Option<mpsc::Receiver<std::io::Result<Vec<u8>>>>),
}

impl Input {
    /// Starts a thread that reads the standard input in chunks. The thread ends at the end
    /// of the input, on an error, or once the task dropped the receiver and the thread's
    /// next read returned (a read blocked on the standard input cannot be interrupted).
    fn stdin() -> Input {
        let (sender, receiver) = mpsc::channel(4);
        let spawned = std::thread::Builder::new()
            .name("file-source-stdin".to_string())
            .spawn(move || {
                let mut stdin = std::io::stdin().lock();
                loop {
                    let mut chunk = vec![0; READ_CHUNK];
                    let message = match stdin.read(&mut chunk) {
                        Ok(0) => return,
                        Ok(n) => {
                            chunk.truncate(n);
                            Ok(chunk)
                        }
                        Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                        Err(e) => Err(e),
                    };
                    let failed = message.is_err();
                    if sender.blocking_send(message).is_err() || failed {
                        return;
                    }
                }
            });
        match spawned {
            Ok(_) => Input::Stdin(Some(receiver)),
            Err(e) => {
                // Report the failure through the channel, as a read error.
                let (sender, receiver) = mpsc::channel(1);
                let _ = sender.try_send(Err(e));
                Input::Stdin(Some(receiver))
            }
        }
    }

    /// Appends what is available to `buf`; 0 at the end of the input. Cancel safe: when the
    /// future is dropped nothing was appended, and the bytes an in-flight read fetched stay
    /// in the reader for the next call (tokio's `File` keeps them; a channel `recv` that is
    /// dropped takes nothing out of the channel).
    async fn read_into(&mut self, buf: &mut Vec<u8>) -> std::io::Result<usize> {
        match self {
            Input::File(file) => file.read_buf(buf).await,
            Input::Stdin(receiver) => {
                let Some(channel) = receiver.as_mut() else {
                    return Ok(0);
                };
                match channel.recv().await {
                    Some(Ok(chunk)) => {
                        buf.extend_from_slice(&chunk);
                        Ok(chunk.len())
                    }
                    Some(Err(e)) => {
                        *receiver = None;
                        Err(e)
                    }
                    None => {
                        *receiver = None;
                        Ok(0)
                    }
                }
            }
        }
    }
}

/// What a started task holds.
struct Running {
    /// The configured file; `None` for the standard input.
    filename: Option<String>,
    topic: String,
    batch_size: usize,
    partition: SourcePartition,
    /// `None` until the file is opened (it may not exist yet).
    input: Option<Input>,
    /// Bytes read and not yet returned as records, and the position after the last record.
    lines: LineBuffer,
    warned_missing: bool,
}

impl Running {
    fn display_name(&self) -> &str {
        self.filename.as_deref().unwrap_or("stdin")
    }

    /// Opens the file and seeks to the resume position. Returns `None` when the file does
    /// not exist yet. Cancel safe: nothing is stored until the file is open and positioned.
    async fn open(&mut self) -> ConnectResult<Option<Input>> {
        let Some(filename) = self.filename.clone() else {
            return Ok(Some(Input::stdin()));
        };
        let mut file = match tokio::fs::File::open(&filename).await {
            Ok(file) => file,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                if !self.warned_missing {
                    tracing::warn!(
                        "couldn't find file {filename} for FileStreamSourceTask, waiting for it \
                         to be created"
                    );
                    self.warned_missing = true;
                }
                return Ok(None);
            }
            Err(e) => {
                return Err(ConnectError::other_with(
                    format!(
                        "could not open file '{filename}' for FileStreamSourceTask; check that it \
                         is a readable file"
                    ),
                    e,
                ));
            }
        };
        let position = self.lines.position();
        if position > 0 {
            let length = file.metadata().await.map(|m| m.len()).unwrap_or(u64::MAX);
            if position > length {
                tracing::warn!(
                    "the committed position {position} of {filename} is past its end \
                     ({length} bytes); waiting for the file to grow past it. Reset the \
                     connector's offsets if the file was truncated or replaced"
                );
            }
            file.seek(std::io::SeekFrom::Start(position))
                .await
                .map_err(|e| {
                    ConnectError::other_with(
                        format!("could not seek to position {position} in file '{filename}'"),
                        e,
                    )
                })?;
            tracing::debug!("skipped to offset {position} in {filename}");
        }
        tracing::debug!("opened {filename} for reading");
        Ok(Some(Input::File(file)))
    }

    /// Turns up to `batch_size` complete lines into records. Synchronous, so that lines
    /// leave the buffer only when `poll` returns them.
    fn take_records(&mut self) -> Vec<SourceRecord> {
        let lines = self.lines.take_lines(self.batch_size);
        if lines.is_empty() {
            return Vec::new();
        }
        let timestamp = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .ok()
            .and_then(|d| i64::try_from(d.as_millis()).ok());
        let schema = Schema::string();
        let tracked = self.filename.is_some();
        lines
            .into_iter()
            .map(|(line, end)| {
                let mut offset = SourceOffset::new();
                offset.insert(
                    POSITION_FIELD.to_string(),
                    if tracked {
                        serde_json::Value::from(end)
                    } else {
                        serde_json::Value::Null
                    },
                );
                SourceRecord::new(
                    self.partition.clone(),
                    offset,
                    self.topic.clone(),
                    Some(schema.clone()),
                    Value::String(line),
                )
                .with_timestamp(timestamp)
            })
            .collect()
    }
}

/// Reads lines from a file (or the standard input) and returns them as string records.
pub struct FileStreamSourceTask {
    running: Option<Running>,
}

impl Default for FileStreamSourceTask {
    fn default() -> Self {
        Self::new()
    }
}

impl FileStreamSourceTask {
    pub fn new() -> Self {
        FileStreamSourceTask { running: None }
    }
}

/// The resume position in a committed offset: 0 when there is none.
fn resume_position(filename: &str, offset: Option<&SourceOffset>) -> ConnectResult<u64> {
    let Some(position) = offset.and_then(|o| o.get(POSITION_FIELD)) else {
        return Ok(0);
    };
    if position.is_null() {
        return Ok(0);
    }
    match position.as_i64() {
        Some(p) if p >= 0 => Ok(p.unsigned_abs()),
        Some(p) => Err(ConnectError::other(format!(
            "the committed offset of file '{filename}' has a negative '{POSITION_FIELD}' ({p}); \
             reset or alter the connector's offsets"
        ))),
        None => Err(ConnectError::other(format!(
            "offset position is the incorrect type: the committed offset of file '{filename}' \
             has '{POSITION_FIELD}' = {position}, expected an integer; reset or alter the \
             connector's offsets"
        ))),
    }
}

#[async_trait]
impl SourceTask for FileStreamSourceTask {
    fn version(&self) -> String {
        crate::VERSION.to_string()
    }

    /// No `commit_record`: the worker need not keep a copy of each record in flight.
    fn uses_commit_record(&self) -> bool {
        false
    }

    async fn start(&mut self, context: SourceTaskContext, props: Props) -> ConnectResult<()> {
        let parsed = source_config_def().parse(&props)?;
        let filename = configured_file(&parsed);
        let topic = parsed
            .string(TOPIC_CONFIG)
            .ok_or_else(|| {
                ConnectError::other("FileStreamSourceTask config missing topic setting")
            })?
            .to_string();
        let batch_size = parsed
            .int(TASK_BATCH_SIZE_CONFIG)
            .and_then(|b| usize::try_from(b).ok())
            .filter(|b| *b > 0)
            .ok_or_else(|| {
                ConnectError::other(format!(
                    "'{TASK_BATCH_SIZE_CONFIG}' must be a positive integer"
                ))
            })?;
        let partition = source_partition(filename.as_deref());

        let mut position = 0;
        if let Some(name) = filename.as_deref() {
            let committed = context
                .offset_storage_reader()
                .offset(&partition)
                .await
                .map_err(|e| {
                    let message = format!("could not read the committed offset of file '{name}'");
                    if e.is_retriable() {
                        ConnectError::retriable_with(message, e)
                    } else {
                        ConnectError::other_with(message, e)
                    }
                })?;
            position = resume_position(name, committed.as_ref())?;
            if position > 0 {
                tracing::debug!("found previous offset of {name}, resuming at position {position}");
            }
        }

        self.running = Some(Running {
            filename,
            topic,
            batch_size,
            partition,
            input: None,
            lines: LineBuffer::starting_at(position),
            warned_missing: false,
        });
        Ok(())
    }

    /// Returns up to `batch.size` complete lines. With no complete line available it waits
    /// up to a second for one, then returns an empty batch. Cancel safe: bytes are only
    /// appended to the task's buffer when a read completes, and lines leave the buffer only
    /// in the synchronous step that builds the returned batch.
    async fn poll(&mut self) -> ConnectResult<Vec<SourceRecord>> {
        let running = self.running.as_mut().ok_or_else(|| {
            ConnectError::other("the file source task has not been started; call start before poll")
        })?;

        if running.input.is_none() {
            match running.open().await? {
                Some(input) => running.input = Some(input),
                None => {
                    tokio::time::sleep(IDLE_WAIT).await;
                    return Ok(Vec::new());
                }
            }
        }

        let deadline = tokio::time::Instant::now() + IDLE_WAIT;
        loop {
            running.lines.scan();
            if running.lines.ready_lines() >= running.batch_size {
                break;
            }
            let Some(input) = running.input.as_mut() else {
                break;
            };
            let read = input.read_into(running.lines.read_target(READ_CHUNK)).await;
            let n = match read {
                Ok(n) => n,
                Err(e) => {
                    let name = running.display_name().to_string();
                    return Err(ConnectError::other_with(
                        format!("could not read from {name}"),
                        e,
                    ));
                }
            };
            tracing::trace!("read {n} bytes from {}", running.display_name());
            if n == 0 {
                running.lines.scan();
                if running.lines.ready_lines() > 0 {
                    break;
                }
                let now = tokio::time::Instant::now();
                if now >= deadline {
                    break;
                }
                tokio::time::sleep(IDLE_STEP.min(deadline - now)).await;
            }
        }
        Ok(running.take_records())
    }

    async fn stop(&mut self) -> ConnectResult<()> {
        tracing::trace!("stopping file source task");
        // Dropping the file closes it; the standard input stays open for the process.
        self.running = None;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn props(pairs: &[(&str, &str)]) -> Props {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn resume_position_accepts_integers_and_rejects_the_rest() {
        let mut offset = SourceOffset::new();
        assert_eq!(resume_position("f", None).ok(), Some(0));
        offset.insert(POSITION_FIELD.into(), serde_json::json!(42));
        assert_eq!(resume_position("f", Some(&offset)).ok(), Some(42));
        offset.insert(POSITION_FIELD.into(), serde_json::Value::Null);
        assert_eq!(resume_position("f", Some(&offset)).ok(), Some(0));
        offset.insert(POSITION_FIELD.into(), serde_json::json!("42"));
        let err = resume_position("f", Some(&offset)).expect_err("a string is not a position");
        assert!(err.to_string().contains("incorrect type"), "{err}");
        offset.insert(POSITION_FIELD.into(), serde_json::json!(-1));
        let err = resume_position("f", Some(&offset)).expect_err("negative");
        assert!(err.to_string().contains("negative"), "{err}");
    }

    #[test]
    fn config_def_matches_kafka() {
        let def = source_config_def();
        let file = def.key(FILE_CONFIG).expect("file key");
        assert_eq!(file.default_string(), None);
        assert!(!file.is_required());
        assert!(def.key(TOPIC_CONFIG).expect("topic key").is_required());
        let batch = def.key(TASK_BATCH_SIZE_CONFIG).expect("batch key");
        assert_eq!(batch.default_string().as_deref(), Some("2000"));
        assert_eq!(batch.config_type, ConfigType::Int);
    }

    #[test]
    fn a_list_of_topics_is_rejected_with_kafkas_message() {
        let err = source_config_def()
            .parse(&props(&[(TOPIC_CONFIG, "a,b")]))
            .expect_err("two topics");
        assert_eq!(err.key(), Some(TOPIC_CONFIG));
        assert!(err.to_string().contains(SINGLE_TOPIC_MESSAGE), "{err}");
    }
}
