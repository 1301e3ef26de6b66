//! Runtime log levels behind `/admin/loggers` (Kafka's `LoggingResource`, KIP-495/KIP-976).
//!
//! Kafka changes log4j logger levels while the worker runs. Tributary logs through
//! `tracing`, whose closest equivalent is an [`EnvFilter`] installed through a
//! [`reload`](tracing_subscriber::reload) layer: [`TracingLoggerAdmin`] keeps a model of the
//! filter (a root level plus one level per target) and, on every change, rebuilds the
//! filter from that model and swaps it in.
//!
//! # Logger names
//!
//! - A logger name is a `tracing` target, which by default is the Rust module path of the
//!   code that logs: `connect_runtime`, `connect_runtime::herder`, `rdkafka`.
//! - `root` (any case) is the default level, the bare level in `RUST_LOG`-style directives.
//! - Kafka's own logger names (which kafka-ui and scripts written for Kafka send) stand for
//!   the modules that do that package's work here ([`KAFKA_PACKAGES`]):
//!   `org.apache.kafka.connect.runtime` is `connect_runtime`, `org.apache.kafka.clients` is
//!   librdkafka, `org.apache.kafka.connect` every `connect_*` crate, and so on. A class name
//!   stands for its package's modules (Tributary has no classes to tell apart).
//!
//! A level set on a name applies, as in Kafka, to that name and to every logger already
//! configured below it (a string prefix, which is also how `EnvFilter` matches targets).
//! Setting `root` therefore resets every configured logger.
//!
//! `GET /admin/loggers/{name}` answers the effective level (that of its most specific
//! configured prefix, else root) of a logger that exists: root, a configured name, one of
//! the worker's crates or a module in it ([`KNOWN_TARGETS`]; `tracing` cannot list the
//! targets that exist, so the crates stand for them), or a Kafka name of the table. Any
//! other name answers 404 "Logger x not found.", as Kafka does for a logger log4j has not
//! created; `PUT` creates it, as in Kafka.
//!
//! Levels are Kafka's log4j names in any case: `OFF`, `FATAL` (read as `ERROR`, which
//! `tracing` has no level above), `ERROR`, `WARN`, `INFO`, `DEBUG`, `TRACE`, `ALL` (read as
//! `TRACE`). Only logger names and levels pass through here, never configuration.

use std::collections::BTreeMap;
use std::sync::{Mutex, MutexGuard};
use std::time::{SystemTime, UNIX_EPOCH};

use serde::{Deserialize, Serialize};
use tracing_subscriber::{EnvFilter, Registry, reload};

/// The name Kafka gives the root logger.
pub const ROOT_LOGGER: &str = "root";

/// The `tracing` targets of the worker's own crates and of librdkafka: these loggers, and
/// any module below them (`connect_runtime::task::source`), exist.
pub const KNOWN_TARGETS: &[&str] = &[
    "tributary",
    "connect_api",
    "connect_runtime",
    "connect_rest",
    "connect_json",
    "connect_transforms",
    "connect_file",
    "connect_datagen",
    "connect_google_sheets",
    "librdkafka",
    "rdkafka",
];

/// Kafka's packages (and the connectors' Java-style packages) with the targets that do their
/// work here; the longest matching package wins.
pub const KAFKA_PACKAGES: &[(&str, &[&str])] = &[
    (
        "org.apache.kafka",
        &[
            "connect_api",
            "connect_runtime",
            "connect_rest",
            "connect_json",
            "connect_transforms",
            "connect_file",
            "librdkafka",
            "rdkafka",
        ],
    ),
    (
        "org.apache.kafka.connect",
        &[
            "connect_api",
            "connect_runtime",
            "connect_rest",
            "connect_json",
            "connect_transforms",
            "connect_file",
        ],
    ),
    ("org.apache.kafka.connect.runtime", &["connect_runtime"]),
    ("org.apache.kafka.connect.runtime.rest", &["connect_rest"]),
    (
        "org.apache.kafka.connect.storage",
        &["connect_runtime::storage"],
    ),
    ("org.apache.kafka.connect.util", &["connect_runtime"]),
    ("org.apache.kafka.connect.json", &["connect_json"]),
    (
        "org.apache.kafka.connect.transforms",
        &["connect_transforms"],
    ),
    ("org.apache.kafka.connect.file", &["connect_file"]),
    ("org.apache.kafka.connect.data", &["connect_api"]),
    ("org.apache.kafka.clients", &["librdkafka", "rdkafka"]),
    ("io.tributary.connect.datagen", &["connect_datagen"]),
    (
        "io.tributary.connect.googlesheets",
        &["connect_google_sheets"],
    ),
];

/// The targets a Kafka-style logger name stands for, if it is one of [`KAFKA_PACKAGES`] or
/// below one.
fn kafka_targets(name: &str) -> Option<&'static [&'static str]> {
    KAFKA_PACKAGES
        .iter()
        .filter(|(package, _)| {
            name == *package
                || name
                    .strip_prefix(package)
                    .is_some_and(|rest| rest.starts_with('.'))
        })
        .max_by_key(|(package, _)| package.len())
        .map(|(_, targets)| *targets)
}

/// Whether `name` is one of [`KNOWN_TARGETS`] or a module below one.
fn is_known_target(name: &str) -> bool {
    KNOWN_TARGETS.iter().any(|target| {
        name == *target
            || name
                .strip_prefix(target)
                .is_some_and(|rest| rest.starts_with("::"))
    })
}

/// A log level, with Kafka's (log4j's) names on the wire.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LogLevel {
    Off,
    Error,
    Warn,
    Info,
    Debug,
    Trace,
}

impl LogLevel {
    /// Reads a log4j level name in any case (`FATAL` is `ERROR`, `ALL` is `TRACE`); `WARNING`
    /// is accepted as `tracing` spells it.
    pub fn parse(name: &str) -> Option<LogLevel> {
        let level = match name.to_ascii_uppercase().as_str() {
            "OFF" => LogLevel::Off,
            "FATAL" | "ERROR" => LogLevel::Error,
            "WARN" | "WARNING" => LogLevel::Warn,
            "INFO" => LogLevel::Info,
            "DEBUG" => LogLevel::Debug,
            "TRACE" | "ALL" => LogLevel::Trace,
            _ => return None,
        };
        Some(level)
    }

    /// The name Kafka answers with: `OFF`, `ERROR`, `WARN`, `INFO`, `DEBUG`, `TRACE`.
    pub fn as_str(self) -> &'static str {
        match self {
            LogLevel::Off => "OFF",
            LogLevel::Error => "ERROR",
            LogLevel::Warn => "WARN",
            LogLevel::Info => "INFO",
            LogLevel::Debug => "DEBUG",
            LogLevel::Trace => "TRACE",
        }
    }

    fn directive(self) -> &'static str {
        match self {
            LogLevel::Off => "off",
            LogLevel::Error => "error",
            LogLevel::Warn => "warn",
            LogLevel::Info => "info",
            LogLevel::Debug => "debug",
            LogLevel::Trace => "trace",
        }
    }
}

impl std::fmt::Display for LogLevel {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One logger's level in `/admin/loggers` answers (Kafka's `LoggerLevel`): `last_modified`
/// is the epoch-millisecond time of the last change through the API, `null` if never.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct LoggerLevel {
    pub level: String,
    pub last_modified: Option<i64>,
}

#[derive(Debug, thiserror::Error)]
pub enum LoggerAdminError {
    /// The name cannot be a `tracing` target (400).
    #[error("Invalid logger name '{0}': use letters, digits and '_', ':', '.', '-' only")]
    InvalidLoggerName(String),
    /// A startup directive this admin cannot model (span or field filters).
    #[error("unsupported log directive '{0}'")]
    UnsupportedDirective(String),
    /// The new filter could not be installed (500).
    #[error("could not apply the new log levels")]
    Apply(#[source] Box<dyn std::error::Error + Send + Sync>),
}

/// What `/admin/loggers` needs: read all levels, read one, set one namespace.
pub trait LoggerAdmin: Send + Sync {
    /// Every logger with a level set, including `root`, except those set to `OFF` (as Kafka
    /// lists them).
    fn all_levels(&self) -> BTreeMap<String, LoggerLevel>;

    /// The level of one logger, `None` if there is no such logger (404).
    fn level(&self, logger: &str) -> Option<LoggerLevel>;

    /// Sets `namespace` and every configured logger below it to `level`; answers the sorted
    /// names of the loggers changed.
    fn set_level(&self, namespace: &str, level: LogLevel) -> Result<Vec<String>, LoggerAdminError>;
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Setting {
    level: LogLevel,
    last_modified: Option<i64>,
}

impl Setting {
    fn to_logger_level(self) -> LoggerLevel {
        LoggerLevel {
            level: self.level.as_str().to_owned(),
            last_modified: self.last_modified,
        }
    }
}

/// The model of the installed filter.
#[derive(Clone, Debug, PartialEq)]
struct Levels {
    root: Setting,
    targets: BTreeMap<String, Setting>,
}

impl Levels {
    /// Reads `RUST_LOG`-style directives: `level` and `target=level`, comma separated. A bare
    /// target means `target=trace`, as in `EnvFilter`.
    fn parse(directives: &str) -> Result<Levels, LoggerAdminError> {
        let mut levels = Levels {
            // EnvFilter's default when no bare level is given.
            root: Setting {
                level: LogLevel::Error,
                last_modified: None,
            },
            targets: BTreeMap::new(),
        };
        for directive in directives
            .split(',')
            .map(str::trim)
            .filter(|d| !d.is_empty())
        {
            if directive.contains(['[', '{', ']', '}']) {
                return Err(LoggerAdminError::UnsupportedDirective(directive.to_owned()));
            }
            let (target, level) = match directive.split_once('=') {
                Some((target, level)) => {
                    let level = LogLevel::parse(level.trim()).ok_or_else(|| {
                        LoggerAdminError::UnsupportedDirective(directive.to_owned())
                    })?;
                    (Some(target.trim()), level)
                }
                None => match LogLevel::parse(directive) {
                    Some(level) => (None, level),
                    None => (Some(directive), LogLevel::Trace),
                },
            };
            let setting = Setting {
                level,
                last_modified: None,
            };
            match target {
                None => levels.root = setting,
                Some(target) => {
                    validate_target(target)?;
                    levels.targets.insert(target.to_owned(), setting);
                }
            }
        }
        Ok(levels)
    }

    fn directives(&self) -> String {
        let mut out = self.root.level.directive().to_owned();
        for (target, setting) in &self.targets {
            out.push(',');
            out.push_str(target);
            out.push('=');
            out.push_str(setting.level.directive());
        }
        out
    }

    fn effective(&self, target: &str) -> Setting {
        if let Some(setting) = self.targets.get(target) {
            return *setting;
        }
        let inherited = self
            .targets
            .iter()
            .filter(|(prefix, _)| target.starts_with(prefix.as_str()))
            .max_by_key(|(prefix, _)| prefix.len())
            .map(|(_, setting)| setting.level)
            .unwrap_or(self.root.level);
        Setting {
            level: inherited,
            last_modified: None,
        }
    }
}

fn is_root_alias(name: &str) -> bool {
    name.eq_ignore_ascii_case(ROOT_LOGGER)
}

fn validate_target(name: &str) -> Result<(), LoggerAdminError> {
    let valid = !name.is_empty()
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | ':' | '.' | '-'));
    if valid {
        Ok(())
    } else {
        Err(LoggerAdminError::InvalidLoggerName(name.to_owned()))
    }
}

fn now_millis() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|elapsed| i64::try_from(elapsed.as_millis()).unwrap_or(i64::MAX))
        .unwrap_or(0)
}

/// [`LoggerAdmin`] over the reload handle of the worker's `EnvFilter`.
///
/// ```no_run
/// use tracing_subscriber::{EnvFilter, Registry, prelude::*, reload};
/// # fn main() -> Result<(), Box<dyn std::error::Error>> {
/// let directives = "info,connect_runtime=debug";
/// let (filter, handle) = reload::Layer::<EnvFilter, Registry>::new(EnvFilter::try_new(directives)?);
/// tracing_subscriber::registry().with(filter).with(tracing_subscriber::fmt::layer()).init();
/// let loggers = connect_rest::TracingLoggerAdmin::new(handle, directives)?;
/// # Ok(()) }
/// ```
pub struct TracingLoggerAdmin {
    handle: reload::Handle<EnvFilter, Registry>,
    levels: Mutex<Levels>,
}

impl TracingLoggerAdmin {
    /// `directives` are those the filter was built from (`RUST_LOG` syntax, without span or
    /// field filters); the filter is rebuilt from them at once so model and filter agree.
    pub fn new(
        handle: reload::Handle<EnvFilter, Registry>,
        directives: &str,
    ) -> Result<Self, LoggerAdminError> {
        let levels = Levels::parse(directives)?;
        install(&handle, &levels)?;
        Ok(TracingLoggerAdmin {
            handle,
            levels: Mutex::new(levels),
        })
    }

    /// The directives of the installed filter, as `EnvFilter` prints them.
    pub fn current_directives(&self) -> Option<String> {
        self.handle.with_current(|filter| filter.to_string()).ok()
    }

    fn lock(&self) -> MutexGuard<'_, Levels> {
        // The model is replaced whole, so a panic elsewhere cannot leave it half-written.
        self.levels
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

fn install(
    handle: &reload::Handle<EnvFilter, Registry>,
    levels: &Levels,
) -> Result<(), LoggerAdminError> {
    let filter = EnvFilter::try_new(levels.directives())
        .map_err(|error| LoggerAdminError::Apply(Box::new(error)))?;
    handle
        .reload(filter)
        .map_err(|error| LoggerAdminError::Apply(Box::new(error)))
}

impl LoggerAdmin for TracingLoggerAdmin {
    fn all_levels(&self) -> BTreeMap<String, LoggerLevel> {
        let levels = self.lock();
        std::iter::once((ROOT_LOGGER, &levels.root))
            .chain(levels.targets.iter().map(|(name, s)| (name.as_str(), s)))
            .filter(|(_, setting)| setting.level != LogLevel::Off)
            .map(|(name, setting)| (name.to_owned(), setting.to_logger_level()))
            .collect()
    }

    fn level(&self, logger: &str) -> Option<LoggerLevel> {
        let levels = self.lock();
        if is_root_alias(logger) {
            return Some(levels.root.to_logger_level());
        }
        if let Some(setting) = levels.targets.get(logger) {
            return Some(setting.to_logger_level());
        }
        if let Some(targets) = kafka_targets(logger) {
            return targets
                .first()
                .map(|target| levels.effective(target).to_logger_level());
        }
        is_known_target(logger).then(|| levels.effective(logger).to_logger_level())
    }

    fn set_level(&self, namespace: &str, level: LogLevel) -> Result<Vec<String>, LoggerAdminError> {
        if let Some(targets) = kafka_targets(namespace) {
            let mut changed = Vec::new();
            for target in targets {
                changed.extend(self.set_level(target, level)?);
            }
            changed.sort();
            changed.dedup();
            return Ok(changed);
        }
        let root = is_root_alias(namespace);
        if !root {
            validate_target(namespace)?;
        }
        let now = now_millis();
        // As in Kafka, a logger already at the level keeps its last modification time.
        let update = |setting: &mut Setting| {
            if setting.level != level {
                *setting = Setting {
                    level,
                    last_modified: Some(now),
                };
            }
        };
        let mut current = self.lock();
        let mut next = current.clone();
        let mut changed = Vec::new();
        if root {
            update(&mut next.root);
            changed.push(ROOT_LOGGER.to_owned());
        } else if !next.targets.contains_key(namespace) {
            let inherited = next.effective(namespace);
            next.targets.insert(namespace.to_owned(), inherited);
        }
        for (target, target_setting) in next.targets.iter_mut() {
            if root || target.starts_with(namespace) {
                update(target_setting);
                changed.push(target.clone());
            }
        }
        install(&self.handle, &next)?;
        *current = next;
        drop(current);
        changed.sort();
        tracing::info!(
            logger = namespace,
            level = level.as_str(),
            "changed log level"
        );
        Ok(changed)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn levels_read_kafka_names() {
        assert_eq!(LogLevel::parse("debug"), Some(LogLevel::Debug));
        assert_eq!(LogLevel::parse("FATAL"), Some(LogLevel::Error));
        assert_eq!(LogLevel::parse("All"), Some(LogLevel::Trace));
        assert_eq!(LogLevel::parse("verbose"), None);
    }

    #[test]
    fn directives_round_trip() -> Result<(), LoggerAdminError> {
        let levels = Levels::parse("info, connect_runtime=debug,rdkafka=WARN,my_crate")?;
        assert_eq!(levels.root.level, LogLevel::Info);
        assert_eq!(
            levels.directives(),
            "info,connect_runtime=debug,my_crate=trace,rdkafka=warn"
        );
        assert_eq!(Levels::parse("")?.directives(), "error");
        Ok(())
    }

    #[test]
    fn span_filters_are_refused() {
        assert!(matches!(
            Levels::parse("connect_runtime[task]=debug"),
            Err(LoggerAdminError::UnsupportedDirective(_))
        ));
    }

    #[test]
    fn effective_level_uses_the_longest_prefix() -> Result<(), LoggerAdminError> {
        let levels = Levels::parse("warn,connect_runtime=debug,connect_runtime::herder=trace")?;
        assert_eq!(
            levels.effective("connect_runtime::task").level,
            LogLevel::Debug
        );
        assert_eq!(
            levels.effective("connect_runtime::herder::x").level,
            LogLevel::Trace
        );
        assert_eq!(levels.effective("hyper").level, LogLevel::Warn);
        Ok(())
    }

    fn admin_levels(directives: &str) -> Levels {
        Levels::parse(directives).unwrap_or_else(|e| panic!("{e}"))
    }

    #[test]
    fn kafka_names_stand_for_the_modules_doing_their_work() {
        assert_eq!(
            kafka_targets("org.apache.kafka.connect.runtime"),
            Some(&["connect_runtime"][..])
        );
        // A class is its package; the longest package wins.
        assert_eq!(
            kafka_targets("org.apache.kafka.connect.runtime.rest.RestServer"),
            Some(&["connect_rest"][..])
        );
        assert_eq!(
            kafka_targets("org.apache.kafka.clients.producer.KafkaProducer"),
            Some(&["librdkafka", "rdkafka"][..])
        );
        assert!(kafka_targets("org.apache.kafka.connect").is_some_and(|t| t.len() > 1));
        // Only whole package segments match.
        assert_eq!(kafka_targets("org.apache.kafkaesque"), None);
        assert_eq!(kafka_targets("com.example.Thing"), None);
    }

    #[test]
    fn known_targets_are_the_crates_and_their_modules() {
        assert!(is_known_target("connect_runtime"));
        assert!(is_known_target("connect_runtime::task::source"));
        assert!(is_known_target("connect_google_sheets::client"));
        assert!(!is_known_target("connect_runtimes"));
        assert!(!is_known_target("nothing_here"));
        let levels = admin_levels("info,connect_runtime=debug");
        assert_eq!(
            levels.effective("connect_runtime::task").level,
            LogLevel::Debug
        );
    }
}
