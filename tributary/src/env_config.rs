//! Worker settings from `CONNECT_*` environment variables, with the convention of
//! Confluent's `cp-kafka-connect` image, so that the `environment:` block of an existing
//! docker-compose service works for Tributary unchanged.
//!
//! # The naming rule
//!
//! A variable `CONNECT_<NAME>` sets the worker key obtained from `<NAME>` by lower-casing
//! it and replacing each run of underscores by:
//!
//! | in the name | in the key | example |
//! |---|---|---|
//! | `_`   | `.` | `CONNECT_BOOTSTRAP_SERVERS` → `bootstrap.servers` |
//! | `__`  | `_` | `CONNECT_CONFIG_PROVIDERS_ENV_PARAM_ALLOWLIST__PATTERN` → `config.providers.env.param.allowlist_pattern` |
//! | `___` | `-` | `CONNECT_PRODUCER_CLIENT___RACK` → `producer.client-rack` |
//!
//! Source: `ConvertKey` in Confluent's utility belt `ub`, which renders the images'
//! properties templates (confluentinc/common-docker, `base-java/ub/ub.go`: "a single
//! underscore (_) is replaced with a .; a double underscore (__) is replaced with a single
//! underscore; a triple underscore (___) is replaced with a dash; the whole string is
//! converted to lower-case"), applied by `kafka-connect.properties.template` of
//! confluentinc/kafka-images (`kafka-connect-base`) as `env_to_props('CONNECT_', '')` to
//! every `CONNECT_` variable. Confluent's "Docker Image Configuration Reference" states the
//! same rule (`.` → `_`, `_` → `__`, `-` → `___`); its 7.0–7.3 editions had `__` and `___`
//! swapped, which the code never did. Runs of four or more underscores are undefined there;
//! here they are rejected with an error naming the variable.
//!
//! # What is not a worker key
//!
//! The image also reads variables of its own under the same prefix. They are skipped, with
//! a log line, instead of becoming meaningless worker keys:
//!
//! * `CONNECT_LOG4J_*` (`CONNECT_LOG4J_ROOT_LOGLEVEL`, `CONNECT_LOG4J_LOGGERS`,
//!   `CONNECT_LOG4J_APPENDER_STDOUT_LAYOUT_CONVERSIONPATTERN`) and
//!   `CONNECT_TOOLS_LOG4J_LOGLEVEL`: the image's log4j template. Tributary's logging is set
//!   with `RUST_LOG` (and at run time through `/admin/loggers`).
//! * `CONNECT_PROPERTIES_DIR`: where the image's launch script writes the properties file.
//!
//! Everything else is kept, as Kafka keeps unknown worker keys. Two groups get special
//! treatment:
//!
//! * `rest.port` / `rest.host.name` (`CONNECT_REST_PORT`, which the image's `configure`
//!   script sets to 8083 by default, and `CONNECT_REST_HOST_NAME`): Kafka before 3.0 built
//!   `listeners` from them when `listeners` was not set; Tributary does the same (see
//!   [`apply_legacy_rest_keys`]). `CONNECT_REST_ADVERTISED_HOST_NAME`, which the image
//!   requires, is the real worker key `rest.advertised.host.name` and passes through.
//! * The distributed-mode keys the image requires (`group.id`, `config.storage.topic`,
//!   `offset.storage.topic`, `status.storage.topic` and their `*.replication.factor` /
//!   `*.partitions`) are accepted and unused, with a warning, while Tributary runs
//!   standalone: a standalone worker needs `offset.storage.file.filename` instead.
//!
//! # Merging with a file
//!
//! `tributary standalone [worker.properties]` reads the file when given, then applies the
//! `CONNECT_*` variables over it: the environment wins, as in the images (where the file is
//! generated from the environment).

use std::collections::BTreeMap;
use std::path::Path;

use anyhow::{Context, bail};
use connect_api::Props;
use connect_api::config::ConfigError;
use connect_runtime::config::load_properties;
use connect_runtime::config::worker::{
    LISTENERS, OFFSET_STORAGE_FILE_FILENAME, WorkerConfig, worker_config_def,
};

/// The prefix of the variables that set worker keys.
pub const ENV_PREFIX: &str = "CONNECT_";

/// Variables (after `CONNECT_`) that Confluent's image reads for itself; never worker keys.
const IMAGE_ONLY_PREFIXES: &[&str] = &["LOG4J_", "TOOLS_LOG4J_"];
const IMAGE_ONLY_NAMES: &[&str] = &["PROPERTIES_DIR"];

/// Kafka's pre-3.0 REST keys, folded into `listeners` by [`apply_legacy_rest_keys`].
pub const REST_PORT: &str = "rest.port";
pub const REST_HOST_NAME: &str = "rest.host.name";

/// Keys of Kafka's distributed worker, unused until Tributary has a distributed mode.
pub const DISTRIBUTED_ONLY_KEYS: &[&str] = &[
    "group.id",
    "config.storage.topic",
    "config.storage.replication.factor",
    "offset.storage.topic",
    "offset.storage.partitions",
    "offset.storage.replication.factor",
    "status.storage.topic",
    "status.storage.partitions",
    "status.storage.replication.factor",
];

/// Key prefixes whose keys the worker passes on (to the Kafka clients, the converters and
/// the config providers) rather than defining them one by one.
pub const PASS_THROUGH_PREFIXES: &[&str] = &[
    "producer.",
    "consumer.",
    "admin.",
    "key.converter.",
    "value.converter.",
    "header.converter.",
    "config.providers.",
];

/// Why a `CONNECT_*` variable could not be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EnvConfigError {
    /// A run of four or more underscores (undefined in Confluent's rule).
    TooManyUnderscores { var: String },
    /// `CONNECT_` alone, or a name that maps to an empty key part (`CONNECT__`).
    EmptyKey { var: String },
    /// The variable's value is not valid UTF-8.
    NotUnicode { var: String },
}

impl std::error::Error for EnvConfigError {}

impl std::fmt::Display for EnvConfigError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            EnvConfigError::TooManyUnderscores { var } => write!(
                f,
                "environment variable {var}: a run of four or more underscores has no meaning \
                 (use _ for '.', __ for '_', ___ for '-')"
            ),
            EnvConfigError::EmptyKey { var } => write!(
                f,
                "environment variable {var} does not name a worker key (expected e.g. \
                 CONNECT_BOOTSTRAP_SERVERS for bootstrap.servers)"
            ),
            EnvConfigError::NotUnicode { var } => {
                write!(f, "environment variable {var} is not valid UTF-8")
            }
        }
    }
}

/// The worker key for an environment variable name without its `CONNECT_` prefix:
/// `BOOTSTRAP_SERVERS` → `bootstrap.servers`, `A__B` → `a_b`, `A___B` → `a-b`.
/// Returns `None` for a run of four or more underscores.
pub fn env_suffix_to_key(suffix: &str) -> Option<String> {
    let mut key = String::with_capacity(suffix.len());
    let mut chars = suffix.chars().peekable();
    while let Some(c) = chars.next() {
        if c != '_' {
            key.extend(c.to_lowercase());
            continue;
        }
        let mut run = 1;
        while chars.peek() == Some(&'_') {
            chars.next();
            run += 1;
        }
        key.push(match run {
            1 => '.',
            2 => '_',
            3 => '-',
            _ => return None,
        });
    }
    Some(key)
}

/// The worker key a `CONNECT_*` variable sets: `Ok(None)` when the variable is not for
/// the worker (no `CONNECT_` prefix, or one of the image's own variables).
pub fn env_var_to_key(var: &str) -> Result<Option<String>, EnvConfigError> {
    let Some(suffix) = var.strip_prefix(ENV_PREFIX) else {
        return Ok(None);
    };
    if is_image_only(suffix) {
        return Ok(None);
    }
    let key = env_suffix_to_key(suffix).ok_or_else(|| EnvConfigError::TooManyUnderscores {
        var: var.to_string(),
    })?;
    if key.is_empty() || key.split('.').any(str::is_empty) {
        return Err(EnvConfigError::EmptyKey {
            var: var.to_string(),
        });
    }
    Ok(Some(key))
}

/// The `CONNECT_*` variable that sets `key` (the inverse of [`env_var_to_key`]):
/// `offset.flush.interval.ms` → `CONNECT_OFFSET_FLUSH_INTERVAL_MS`.
pub fn key_to_env_var(key: &str) -> String {
    let mut var = String::from(ENV_PREFIX);
    for c in key.chars() {
        match c {
            '.' => var.push('_'),
            '_' => var.push_str("__"),
            '-' => var.push_str("___"),
            c => var.extend(c.to_uppercase()),
        }
    }
    var
}

fn is_image_only(suffix: &str) -> bool {
    IMAGE_ONLY_NAMES.contains(&suffix) || IMAGE_ONLY_PREFIXES.iter().any(|p| suffix.starts_with(p))
}

/// Whether the worker knows `key`: defined by the worker's ConfigDef, passed on by prefix
/// ([`PASS_THROUGH_PREFIXES`]), or one of the legacy REST keys folded into `listeners`.
/// Distributed-mode keys are not known (yet).
pub fn is_worker_key(key: &str) -> bool {
    worker_config_def().key(key).is_some()
        || PASS_THROUGH_PREFIXES
            .iter()
            .any(|p| key.len() > p.len() && key.starts_with(p))
        || key == REST_PORT
        || key == REST_HOST_NAME
}

/// The worker settings found in an environment.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct EnvSettings {
    /// Worker key → value.
    pub props: Props,
    /// Worker key → the variable that set it.
    pub sources: BTreeMap<String, String>,
    /// `CONNECT_*` variables skipped as the image's own (`CONNECT_LOG4J_*`, ...).
    pub skipped: Vec<String>,
}

impl EnvSettings {
    /// Reads the worker settings from `(name, value)` pairs (an environment).
    pub fn from_vars<I, K, V>(vars: I) -> Result<EnvSettings, EnvConfigError>
    where
        I: IntoIterator<Item = (K, V)>,
        K: AsRef<str>,
        V: AsRef<str>,
    {
        let mut settings = EnvSettings::default();
        // Sorted, so that variables naming the same key (`CONNECT_Foo` and `CONNECT_FOO`
        // are both `foo`) resolve the same way every time: the last in byte order wins.
        let mut vars: Vec<(String, String)> = vars
            .into_iter()
            .map(|(k, v)| (k.as_ref().to_string(), v.as_ref().to_string()))
            .collect();
        vars.sort();
        for (var, value) in vars {
            match env_var_to_key(&var)? {
                Some(key) => {
                    settings.props.insert(key.clone(), value);
                    settings.sources.insert(key, var);
                }
                None if var.starts_with(ENV_PREFIX) => settings.skipped.push(var),
                None => {}
            }
        }
        Ok(settings)
    }

    /// Reads the worker settings from this process's environment.
    pub fn from_process_env() -> Result<EnvSettings, EnvConfigError> {
        let mut vars = Vec::new();
        for (name, value) in std::env::vars_os() {
            // A variable whose name is not UTF-8 cannot be a CONNECT_ variable we read.
            let Ok(name) = name.into_string() else {
                continue;
            };
            if !name.starts_with(ENV_PREFIX) {
                continue;
            }
            let value = value
                .into_string()
                .map_err(|_| EnvConfigError::NotUnicode { var: name.clone() })?;
            vars.push((name, value));
        }
        EnvSettings::from_vars(vars)
    }

    pub fn is_empty(&self) -> bool {
        self.props.is_empty()
    }
}

/// Kafka before 3.0 listened on `http://{rest.host.name}:{rest.port}` when `listeners` was
/// not set; Confluent's image still sets `CONNECT_REST_PORT=8083` by default. When
/// `listeners` is absent and `rest.port` is given, `listeners` is built from the two. Both
/// legacy keys are then removed (`listeners` is the only key the worker reads). Returns the
/// `listeners` value it built.
pub fn apply_legacy_rest_keys(props: &mut Props) -> Option<String> {
    let port = props.remove(REST_PORT);
    let host = props.remove(REST_HOST_NAME);
    if props.contains_key(LISTENERS) {
        return None;
    }
    let port = port.filter(|p| !p.trim().is_empty())?;
    let host = host.unwrap_or_default();
    let host = host.trim();
    let host = if host.contains(':') && !host.starts_with('[') {
        format!("[{host}]")
    } else {
        host.to_string()
    };
    let listeners = format!("http://{host}:{}", port.trim());
    props.insert(LISTENERS.to_string(), listeners.clone());
    Some(listeners)
}

/// Worker properties from an optional file and the `CONNECT_*` variables, the latter
/// winning, with the legacy REST keys folded into `listeners`.
#[derive(Debug, Clone)]
pub struct WorkerSettings {
    pub props: Props,
    pub env: EnvSettings,
    pub file: Option<std::path::PathBuf>,
}

impl WorkerSettings {
    /// Merges `env` over the file's properties (when a file is given).
    pub fn load(file: Option<&Path>, env: EnvSettings) -> anyhow::Result<WorkerSettings> {
        let mut props = match file {
            Some(path) => load_properties(path)?,
            None => {
                if env.is_empty() {
                    bail!(
                        "no worker configuration: pass a worker.properties file, or set \
                         CONNECT_* environment variables (Confluent's convention: \
                         CONNECT_BOOTSTRAP_SERVERS=kafka:9092 sets bootstrap.servers; \
                         CONNECT_KEY_CONVERTER, CONNECT_VALUE_CONVERTER and \
                         CONNECT_OFFSET_STORAGE_FILE_FILENAME are required)"
                    );
                }
                Props::new()
            }
        };
        for (key, value) in &env.props {
            props.insert(key.clone(), value.clone());
        }
        apply_legacy_rest_keys(&mut props);
        Ok(WorkerSettings {
            props,
            env,
            file: file.map(Path::to_path_buf),
        })
    }

    /// Where the configuration came from, for messages.
    fn origin(&self) -> String {
        match (&self.file, self.env.is_empty()) {
            (Some(path), true) => path.display().to_string(),
            (Some(path), false) => {
                format!("{} and CONNECT_* environment variables", path.display())
            }
            (None, _) => "CONNECT_* environment variables".to_string(),
        }
    }

    /// Parses the standalone worker config. An error names the key, the variable that set
    /// it when it came from the environment, and the variable to set when one is missing.
    pub fn standalone_config(&self) -> anyhow::Result<WorkerConfig> {
        WorkerConfig::new_standalone(self.props.clone()).map_err(|error| {
            let hint = self.hint(&error);
            anyhow::Error::new(error).context(format!(
                "invalid worker configuration from {}{hint}",
                self.origin()
            ))
        })
    }

    fn hint(&self, error: &ConfigError) -> String {
        let Some(key) = error.key() else {
            return String::new();
        };
        if let Some(var) = self.env.sources.get(key) {
            return format!(" ({key} is set by {var})");
        }
        if matches!(error, ConfigError::Missing { .. }) {
            let mut hint = format!(" (set {} or {key} in a file)", key_to_env_var(key));
            if key == OFFSET_STORAGE_FILE_FILENAME
                && self.env.props.contains_key("offset.storage.topic")
            {
                hint.push_str(
                    "; Tributary runs standalone until its distributed mode exists, so \
                     CONNECT_OFFSET_STORAGE_TOPIC is not used",
                );
            }
            return hint;
        }
        String::new()
    }

    /// Logs what came from the environment (key names only: values may be secrets), what
    /// was skipped, and keys the worker does not use.
    pub fn log_summary(&self) {
        if !self.env.sources.is_empty() {
            let vars: Vec<&str> = self.env.sources.values().map(String::as_str).collect();
            tracing::info!(
                variables = %vars.join(","),
                "worker configuration from CONNECT_* environment variables"
            );
        }
        for var in &self.env.skipped {
            tracing::info!(
                variable = %var,
                "skipping a variable of Confluent's image that is not a worker key (logging is set with RUST_LOG)"
            );
        }
        for (key, var) in &self.env.sources {
            if DISTRIBUTED_ONLY_KEYS.contains(&key.as_str()) {
                tracing::warn!(
                    variable = %var,
                    key = %key,
                    "distributed-mode setting is not used: Tributary runs a standalone worker until its distributed mode exists"
                );
            } else if !is_worker_key(key) {
                tracing::warn!(
                    variable = %var,
                    key = %key,
                    "not a worker key Tributary knows; kept, as Kafka keeps unknown keys"
                );
            }
        }
    }
}

/// The standalone worker's configuration from an optional properties file and this
/// process's `CONNECT_*` variables.
pub fn standalone_worker_config(file: Option<&Path>) -> anyhow::Result<WorkerConfig> {
    let env = EnvSettings::from_process_env().context("cannot read CONNECT_* variables")?;
    let settings = WorkerSettings::load(file, env)?;
    settings.log_summary();
    settings.standalone_config()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(var: &str) -> Option<String> {
        env_var_to_key(var).expect("valid name")
    }

    #[test]
    fn single_underscores_become_dots_and_names_are_lower_cased() {
        assert_eq!(
            key("CONNECT_BOOTSTRAP_SERVERS").as_deref(),
            Some("bootstrap.servers")
        );
        assert_eq!(
            key("CONNECT_OFFSET_FLUSH_INTERVAL_MS").as_deref(),
            Some("offset.flush.interval.ms")
        );
        assert_eq!(
            key("CONNECT_VALUE_CONVERTER_SCHEMAS_ENABLE").as_deref(),
            Some("value.converter.schemas.enable")
        );
        assert_eq!(key("CONNECT_LISTENERS").as_deref(), Some("listeners"));
        // Single-letter words too (Confluent's regexp skips some of these; the rule does not).
        assert_eq!(key("CONNECT_A_B_C").as_deref(), Some("a.b.c"));
    }

    #[test]
    fn double_underscores_are_literal_underscores() {
        assert_eq!(
            key("CONNECT_CONFIG_PROVIDERS_ENV_PARAM_ALLOWLIST__PATTERN").as_deref(),
            Some("config.providers.env.param.allowlist_pattern")
        );
        assert_eq!(
            key("CONNECT_KEY__UNDERSCORE").as_deref(),
            Some("key_underscore")
        );
        // ub_test.go's cases.
        assert_eq!(
            key("CONNECT_KEY_WITH__UNDERSCORE_AND__MORE").as_deref(),
            Some("key.with_underscore.and_more")
        );
    }

    #[test]
    fn triple_underscores_are_dashes() {
        assert_eq!(
            key("CONNECT_PRODUCER_CLIENT___RACK").as_deref(),
            Some("producer.client-rack")
        );
        assert_eq!(
            key("CONNECT_KEY_WITH___DASH_AND___MORE__UNDERSCORE").as_deref(),
            Some("key.with-dash.and-more_underscore")
        );
    }

    #[test]
    fn four_or_more_underscores_and_empty_names_are_errors() {
        assert_eq!(
            env_var_to_key("CONNECT_A____B"),
            Err(EnvConfigError::TooManyUnderscores {
                var: "CONNECT_A____B".to_string()
            })
        );
        assert!(matches!(
            env_var_to_key("CONNECT_"),
            Err(EnvConfigError::EmptyKey { .. })
        ));
        assert!(matches!(
            env_var_to_key("CONNECT__BOOTSTRAP"),
            Err(EnvConfigError::EmptyKey { .. })
        ));
        assert!(matches!(
            env_var_to_key("CONNECT_BOOTSTRAP_"),
            Err(EnvConfigError::EmptyKey { .. })
        ));
        let err = env_var_to_key("CONNECT_A____B").expect_err("invalid");
        assert!(err.to_string().contains("CONNECT_A____B"), "{err}");
    }

    #[test]
    fn only_the_connect_prefix_counts() {
        assert_eq!(key("BOOTSTRAP_SERVERS"), None);
        assert_eq!(key("KAFKA_BOOTSTRAP_SERVERS"), None);
        assert_eq!(key("KAFKA_CONNECT_BOOTSTRAP_SERVERS"), None);
        assert_eq!(
            key("connect_bootstrap_servers"),
            None,
            "the prefix is case-sensitive"
        );
        assert_eq!(key("PATH"), None);
        assert_eq!(key("CONNECTOR_CLASS"), None, "CONNECTOR_ is not CONNECT_");
    }

    #[test]
    fn the_images_own_variables_are_skipped() {
        for var in [
            "CONNECT_LOG4J_ROOT_LOGLEVEL",
            "CONNECT_LOG4J_LOGGERS",
            "CONNECT_LOG4J_APPENDER_STDOUT_LAYOUT_CONVERSIONPATTERN",
            "CONNECT_TOOLS_LOG4J_LOGLEVEL",
            "CONNECT_PROPERTIES_DIR",
        ] {
            assert_eq!(key(var), None, "{var}");
        }
        // Real worker keys that look like image settings are kept.
        assert_eq!(
            key("CONNECT_REST_ADVERTISED_HOST_NAME").as_deref(),
            Some("rest.advertised.host.name")
        );
        assert_eq!(key("CONNECT_PLUGIN_PATH").as_deref(), Some("plugin.path"));
        assert_eq!(key("CONNECT_REST_PORT").as_deref(), Some("rest.port"));
    }

    #[test]
    fn keys_map_back_to_their_variables() {
        for key in [
            "bootstrap.servers",
            "offset.flush.interval.ms",
            "config.providers.env.param.allowlist_pattern",
            "producer.client-rack",
        ] {
            let var = key_to_env_var(key);
            assert_eq!(env_var_to_key(&var).expect("valid").as_deref(), Some(key));
        }
        assert_eq!(
            key_to_env_var("offset.storage.file.filename"),
            "CONNECT_OFFSET_STORAGE_FILE_FILENAME"
        );
    }

    #[test]
    fn settings_collect_keys_their_sources_and_skipped_variables() {
        let settings = EnvSettings::from_vars([
            ("PATH", "/usr/bin"),
            ("HOME", "/root"),
            ("CONNECT_BOOTSTRAP_SERVERS", "kafka:29092"),
            (
                "CONNECT_KEY_CONVERTER",
                "org.apache.kafka.connect.json.JsonConverter",
            ),
            ("CONNECT_LOG4J_ROOT_LOGLEVEL", "INFO"),
            ("KAFKA_HEAP_OPTS", "-Xmx1G"),
        ])
        .expect("valid");
        assert_eq!(
            settings.props,
            Props::from([
                ("bootstrap.servers".to_string(), "kafka:29092".to_string()),
                (
                    "key.converter".to_string(),
                    "org.apache.kafka.connect.json.JsonConverter".to_string()
                ),
            ])
        );
        assert_eq!(
            settings
                .sources
                .get("bootstrap.servers")
                .map(String::as_str),
            Some("CONNECT_BOOTSTRAP_SERVERS")
        );
        assert_eq!(
            settings.skipped,
            vec!["CONNECT_LOG4J_ROOT_LOGLEVEL".to_string()]
        );
        assert!(EnvSettings::from_vars([("CONNECT_X____Y", "1")]).is_err());
    }

    #[test]
    fn worker_keys_are_the_defined_ones_and_the_pass_through_prefixes() {
        for key in [
            "bootstrap.servers",
            "key.converter",
            "value.converter.schemas.enable",
            "offset.storage.file.filename",
            "listeners",
            "rest.advertised.host.name",
            "plugin.path",
            "producer.linger.ms",
            "consumer.max.poll.records",
            "config.providers",
            "config.providers.env.class",
            "errors.restart.enable",
            "rest.port",
        ] {
            assert!(is_worker_key(key), "{key}");
        }
        for key in [
            "group.id",
            "offset.storage.topic",
            "log4j.root.loglevel",
            "producer.",
            "bootstrap.server",
        ] {
            assert!(!is_worker_key(key), "{key}");
        }
    }

    #[test]
    fn legacy_rest_port_builds_listeners_unless_listeners_is_set() {
        let mut props = Props::from([("rest.port".to_string(), "8083".to_string())]);
        assert_eq!(
            apply_legacy_rest_keys(&mut props).as_deref(),
            Some("http://:8083")
        );
        assert_eq!(
            props.get("listeners").map(String::as_str),
            Some("http://:8083")
        );
        assert!(!props.contains_key("rest.port"));

        let mut props = Props::from([
            ("rest.port".to_string(), "9000".to_string()),
            ("rest.host.name".to_string(), "0.0.0.0".to_string()),
        ]);
        apply_legacy_rest_keys(&mut props);
        assert_eq!(
            props.get("listeners").map(String::as_str),
            Some("http://0.0.0.0:9000")
        );

        let mut props = Props::from([
            ("rest.port".to_string(), "9000".to_string()),
            ("listeners".to_string(), "http://:8083".to_string()),
        ]);
        assert_eq!(apply_legacy_rest_keys(&mut props), None);
        assert_eq!(
            props.get("listeners").map(String::as_str),
            Some("http://:8083")
        );
        assert!(!props.contains_key("rest.port"));
    }

    fn env(pairs: &[(&str, &str)]) -> EnvSettings {
        EnvSettings::from_vars(pairs.iter().copied()).expect("valid")
    }

    const REQUIRED: &[(&str, &str)] = &[
        ("CONNECT_BOOTSTRAP_SERVERS", "kafka:29092"),
        (
            "CONNECT_KEY_CONVERTER",
            "org.apache.kafka.connect.storage.StringConverter",
        ),
        (
            "CONNECT_VALUE_CONVERTER",
            "org.apache.kafka.connect.json.JsonConverter",
        ),
        (
            "CONNECT_OFFSET_STORAGE_FILE_FILENAME",
            "/var/lib/tributary/connect.offsets",
        ),
    ];

    #[test]
    fn a_standalone_config_from_the_environment_alone() {
        let mut vars = REQUIRED.to_vec();
        vars.push(("CONNECT_REST_PORT", "8084"));
        vars.push(("CONNECT_VALUE_CONVERTER_SCHEMAS_ENABLE", "false"));
        let settings = WorkerSettings::load(None, env(&vars)).expect("loads");
        let config = settings.standalone_config().expect("valid");
        assert_eq!(config.bootstrap_servers(), "kafka:29092");
        assert_eq!(config.listeners(), vec!["http://:8084".to_string()]);
        assert_eq!(
            config
                .converter_props("value.converter")
                .get("schemas.enable")
                .map(String::as_str),
            Some("false")
        );
        assert_eq!(
            config.offset_storage_file(),
            Some(std::path::PathBuf::from(
                "/var/lib/tributary/connect.offsets"
            ))
        );
    }

    #[test]
    fn the_environment_wins_over_the_file() {
        let dir = tempfile::tempdir().expect("tempdir");
        let file = dir.path().join("worker.properties");
        std::fs::write(
            &file,
            "bootstrap.servers=localhost:9092\n\
             key.converter=org.apache.kafka.connect.storage.StringConverter\n\
             value.converter=org.apache.kafka.connect.storage.StringConverter\n\
             offset.storage.file.filename=/tmp/file.offsets\n\
             offset.flush.interval.ms=1000\n",
        )
        .expect("write");
        let settings = WorkerSettings::load(
            Some(&file),
            env(&[
                ("CONNECT_BOOTSTRAP_SERVERS", "kafka:29092"),
                ("CONNECT_OFFSET_FLUSH_INTERVAL_MS", "250"),
            ]),
        )
        .expect("loads");
        let config = settings.standalone_config().expect("valid");
        assert_eq!(config.bootstrap_servers(), "kafka:29092");
        assert_eq!(
            config.offset_flush_interval(),
            std::time::Duration::from_millis(250)
        );
        assert_eq!(
            config.offset_storage_file(),
            Some(std::path::PathBuf::from("/tmp/file.offsets")),
            "keys the environment does not set come from the file"
        );
    }

    #[test]
    fn nothing_at_all_is_an_error_that_says_what_to_set() {
        let err = WorkerSettings::load(None, EnvSettings::default()).expect_err("empty");
        assert!(
            err.to_string().contains("CONNECT_BOOTSTRAP_SERVERS"),
            "{err}"
        );
    }

    #[test]
    fn errors_name_the_key_and_the_variable() {
        let mut vars = REQUIRED.to_vec();
        vars.push(("CONNECT_OFFSET_FLUSH_INTERVAL_MS", "soon"));
        let err = WorkerSettings::load(None, env(&vars))
            .expect("loads")
            .standalone_config()
            .expect_err("not a number");
        let text = format!("{err:#}");
        assert!(text.contains("offset.flush.interval.ms"), "{text}");
        assert!(text.contains("CONNECT_OFFSET_FLUSH_INTERVAL_MS"), "{text}");

        let vars: Vec<_> = REQUIRED
            .iter()
            .copied()
            .filter(|(k, _)| *k != "CONNECT_OFFSET_STORAGE_FILE_FILENAME")
            .chain([("CONNECT_OFFSET_STORAGE_TOPIC", "connect-offsets")])
            .collect();
        let err = WorkerSettings::load(None, env(&vars))
            .expect("loads")
            .standalone_config()
            .expect_err("no offsets file");
        let text = format!("{err:#}");
        assert!(
            text.contains("CONNECT_OFFSET_STORAGE_FILE_FILENAME"),
            "{text}"
        );
        assert!(text.contains("CONNECT_OFFSET_STORAGE_TOPIC"), "{text}");
    }
}
