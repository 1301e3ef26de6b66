//! Apache Kafka's file connectors, in Rust: `FileStreamSourceConnector` turns the lines of a
//! file (or of the standard input) into records, `FileStreamSinkConnector` writes record
//! values to a file (or the standard output), one per line. Class names, config keys,
//! defaults, documentation and offsets are Kafka's, so a Kafka Connect config for
//! `org.apache.kafka.connect.file.FileStreamSourceConnector` (or the `FileStreamSource`
//! alias) works unchanged, and offsets written by either implementation resume in the other
//! (for ASCII files; see below).
//!
//! # Source: lines, offsets and resuming
//!
//! The source task reads the file `file` and emits one record per complete line to `topic`:
//! no key, value schema `STRING`, the line without its terminator as the value, and the
//! time it was read as the timestamp. A line ends at `\n`, `\r\n` or a lone `\r` (Kafka's
//! splitting); a `\r` that is the last byte so far waits for the next byte. A final line
//! without a terminator is *not* emitted until its terminator is written, so a line being
//! appended is never cut in two. Invalid UTF-8 becomes U+FFFD, as Java's decoder does.
//!
//! Each record carries
//!
//! * the source partition `{"filename": <file as configured>}`, and
//! * the source offset `{"position": <n>}`, where `n` is the byte position just *after*
//!   the record's line terminator, a JSON integer.
//!
//! So the committed offset of a partition is where reading resumes: on `start` the task asks
//! the offset storage reader for `{"filename": <file>}` and, if there is an offset, seeks to
//! its `position` when it opens the file. Offsets are committed only after Kafka
//! acknowledged the records, so after a crash the lines since the last offset flush are sent
//! again (at-least-once); after a graceful stop nothing is repeated or skipped. The file is
//! assumed to be only appended to: if it is truncated or replaced, the position points
//! somewhere else; reset the connector's offsets (`DELETE`/`PATCH /connectors/{c}/offsets`,
//! which [`FileStreamSourceConnector`] validates as Kafka does) to start over.
//!
//! Positions count bytes. Kafka counts decoded characters in the offsets it writes but skips
//! bytes when it resumes, which only agree for ASCII content; this implementation is
//! consistent in bytes, so a file with multi-byte characters resumes exactly.
//!
//! `poll` returns at most `batch.size` lines. When no complete line is available it waits up
//! to one second (re-checking every 100 ms) and then returns an empty batch; a file that
//! does not exist yet is waited for in the same way. `poll` is cancel safe: read bytes are
//! kept in the task and lines leave it only in the synchronous step that builds the returned
//! batch, so dropping a `poll` future at any await point loses and repeats nothing.
//!
//! Without `file` (or with an empty one) the task reads the standard input; its records have
//! the partition `{"filename": null}` and the offset `{"position": null}`, as in Kafka, and it
//! never resumes. The connector always creates exactly one task, whatever `tasks.max` is.
//!
//! # Sink
//!
//! The sink task appends each record's value and `\n` to `file` (created if missing), or to
//! the standard output without `file`. A string value is written as is; a null value as
//! `null`, exactly as Kafka's `println(record.value())` does; other values in Java's
//! `toString` form (see the table in the `render` module source: `[a, b]`, `{k=v}`,
//! `Struct{f=v}`, `1.0E10`, bytes as UTF-8). Writes are buffered; `flush` (called before
//! offsets are committed) hands everything to the OS and fsyncs the file, so committed
//! offsets never get ahead of the file. The connector creates `tasks.max` identical tasks,
//! as Kafka does; they all append to the same file.

mod lines;
mod render;
pub mod sink;
pub mod source;

use connect_api::plugin::PluginDesc;

pub use sink::{FileStreamSinkConnector, FileStreamSinkTask, SINK_CLASS, sink_config_def};
pub use source::{
    DEFAULT_TASK_BATCH_SIZE, FILE_CONFIG, FILENAME_FIELD, FileStreamSourceConnector,
    FileStreamSourceTask, POSITION_FIELD, SOURCE_CLASS, TASK_BATCH_SIZE_CONFIG, TOPIC_CONFIG,
    source_config_def,
};

/// The crate's version, reported by both connectors and their tasks.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");

/// Both connectors, for a worker's plugin list. Each answers to its Kafka class name, its
/// simple name and the simple name without `Connector` (`FileStreamSource`,
/// `FileStreamSink`).
pub fn plugins() -> Vec<PluginDesc> {
    vec![
        PluginDesc::source(SOURCE_CLASS, VERSION, || {
            Box::new(FileStreamSourceConnector::new())
        }),
        PluginDesc::sink(SINK_CLASS, VERSION, || {
            Box::new(FileStreamSinkConnector::new())
        }),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;
    use connect_api::plugin::PluginType;

    #[test]
    fn plugins_answer_to_kafkas_names() {
        let plugins = plugins();
        assert_eq!(plugins.len(), 2);
        let source = &plugins[0];
        assert_eq!(source.plugin_type(), PluginType::Source);
        assert_eq!(source.version, VERSION);
        for name in [
            SOURCE_CLASS,
            "FileStreamSourceConnector",
            "FileStreamSource",
        ] {
            assert!(source.matches(name), "{name}");
        }
        let sink = &plugins[1];
        assert_eq!(sink.plugin_type(), PluginType::Sink);
        for name in [SINK_CLASS, "FileStreamSinkConnector", "FileStreamSink"] {
            assert!(sink.matches(name), "{name}");
        }
        assert!(!sink.matches("FileStreamSource"));
    }
}
