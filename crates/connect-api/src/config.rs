//! Configuration definitions: Kafka's `ConfigDef`, in Rust.
//!
//! A [`ConfigDef`] is the single source of truth about a plugin's configuration. The same
//! definition parses a config into typed values ([`ConfigDef::parse`]), validates it key by
//! key for `PUT /connector-plugins/{p}/config/validate` ([`ConfigDef::validate`]), describes
//! it for `GET /connector-plugins/{p}/config`, and renders the reference documentation, so
//! the docs cannot drift from the code.
//!
//! Values arrive as strings (properties files, REST JSON) and are converted exactly as
//! Kafka converts them: strings are trimmed, lists are split on commas with surrounding
//! whitespace removed, booleans are `true`/`false` in any case, numbers must fit their type.
//! Error messages are Kafka's, word for word, so scripts that match on them keep working;
//! a `PASSWORD` value never appears in any message, only `[hidden]`.

use std::collections::BTreeMap;
use std::fmt;
use std::sync::Arc;

use indexmap::IndexMap;

/// The redaction marker Kafka prints for passwords.
pub const HIDDEN: &str = "[hidden]";

/// A secret config value: prints as `[hidden]` through `Debug` and `Display`, so it cannot
/// leak through logs, traces or error messages by accident. Use [`Password::value`] to read it.
#[derive(Clone, PartialEq, Eq, Default)]
pub struct Password(String);

impl Password {
    pub fn new(value: impl Into<String>) -> Self {
        Password(value.into())
    }
    /// The secret itself. Never log what this returns.
    pub fn value(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Password {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(HIDDEN)
    }
}

impl fmt::Display for Password {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(HIDDEN)
    }
}

/// The type of a config key, with Kafka's names.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ConfigType {
    Boolean,
    String,
    Int,
    Short,
    Long,
    Double,
    List,
    Class,
    Password,
}

impl ConfigType {
    pub fn name(self) -> &'static str {
        match self {
            ConfigType::Boolean => "BOOLEAN",
            ConfigType::String => "STRING",
            ConfigType::Int => "INT",
            ConfigType::Short => "SHORT",
            ConfigType::Long => "LONG",
            ConfigType::Double => "DOUBLE",
            ConfigType::List => "LIST",
            ConfigType::Class => "CLASS",
            ConfigType::Password => "PASSWORD",
        }
    }
}

impl fmt::Display for ConfigType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Importance {
    High,
    Medium,
    Low,
}

impl Importance {
    pub fn name(self) -> &'static str {
        match self {
            Importance::High => "HIGH",
            Importance::Medium => "MEDIUM",
            Importance::Low => "LOW",
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Width {
    None,
    Short,
    Medium,
    Long,
}

impl Width {
    pub fn name(self) -> &'static str {
        match self {
            Width::None => "NONE",
            Width::Short => "SHORT",
            Width::Medium => "MEDIUM",
            Width::Long => "LONG",
        }
    }
}

/// A typed config value.
#[derive(Clone, Debug, PartialEq)]
pub enum ConfigValueT {
    Null,
    Boolean(bool),
    String(String),
    Int(i32),
    Short(i16),
    Long(i64),
    Double(f64),
    List(Vec<String>),
    Class(String),
    Password(Password),
}

impl ConfigValueT {
    /// Kafka's `ConfigDef.convertToString`: the string form shown by REST and docs.
    /// Passwords render as `[hidden]`; null as `None`.
    pub fn to_config_string(&self) -> Option<String> {
        Some(match self {
            ConfigValueT::Null => return None,
            ConfigValueT::Boolean(b) => b.to_string(),
            ConfigValueT::String(s) | ConfigValueT::Class(s) => s.clone(),
            ConfigValueT::Int(i) => i.to_string(),
            ConfigValueT::Short(i) => i.to_string(),
            ConfigValueT::Long(i) => i.to_string(),
            ConfigValueT::Double(d) => format_java_double(*d),
            ConfigValueT::List(items) => items.join(","),
            ConfigValueT::Password(_) => HIDDEN.to_string(),
        })
    }
}

fn format_java_double(d: f64) -> String {
    if d.fract() == 0.0 && d.abs() < 1e7 {
        format!("{d:.1}")
    } else {
        d.to_string()
    }
}

/// An error about a configuration, with Kafka's messages.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum ConfigError {
    #[error("Missing required configuration \"{name}\" which has no default value.")]
    Missing { name: String },
    /// `value` is already redacted for passwords.
    #[error("Invalid value {value} for configuration {name}{}", reason.as_ref().map(|r| format!(": {r}")).unwrap_or_default())]
    Invalid {
        name: String,
        value: String,
        reason: Option<String>,
    },
    #[error("{0}")]
    Other(String),
}

impl ConfigError {
    /// An invalid-value error; the value is printed as given, so pass `[hidden]` for secrets.
    pub fn invalid(
        name: impl Into<String>,
        value: impl Into<String>,
        reason: impl Into<String>,
    ) -> Self {
        ConfigError::Invalid {
            name: name.into(),
            value: value.into(),
            reason: Some(reason.into()),
        }
    }

    /// The config key this error is about, when there is one.
    pub fn key(&self) -> Option<&str> {
        match self {
            ConfigError::Missing { name } | ConfigError::Invalid { name, .. } => Some(name),
            ConfigError::Other(_) => None,
        }
    }
}

/// Checks a parsed value (Kafka's `ConfigDef.Validator`).
pub trait Validator: Send + Sync {
    fn ensure_valid(&self, name: &str, value: &ConfigValueT) -> Result<(), ConfigError>;
    /// How the accepted values read in documentation, e.g. `[0,...]`.
    fn describe(&self) -> Option<String> {
        None
    }
    /// Whether a list value loses its repeated entries (the first of each kept) before it
    /// is validated and used, as Kafka 4.3 does for keys with a `ValidList` validator.
    fn removes_duplicates(&self) -> bool {
        false
    }
}

/// A list value with its repeated entries removed when `validator` asks for it.
fn deduplicated(validator: Option<&dyn Validator>, value: ConfigValueT) -> ConfigValueT {
    match value {
        ConfigValueT::List(items) if validator.is_some_and(Validator::removes_duplicates) => {
            let mut seen = std::collections::HashSet::new();
            ConfigValueT::List(
                items
                    .into_iter()
                    .filter(|item| seen.insert(item.clone()))
                    .collect(),
            )
        }
        other => other,
    }
}

/// Suggests values and visibility for a key from the other keys' values (Kafka's
/// `ConfigDef.Recommender`).
pub trait Recommender: Send + Sync {
    fn valid_values(
        &self,
        name: &str,
        parsed: &IndexMap<String, ConfigValueT>,
    ) -> Vec<ConfigValueT>;
    fn visible(&self, _name: &str, _parsed: &IndexMap<String, ConfigValueT>) -> bool {
        true
    }
}

/// How a key's default is set.
#[derive(Clone, Debug, PartialEq)]
pub enum DefaultValue {
    /// No default: the key is required.
    Required,
    /// An explicit default (which may be [`ConfigValueT::Null`]).
    Value(ConfigValueT),
}

/// One key of a [`ConfigDef`].
#[derive(Clone)]
pub struct ConfigKey {
    pub name: String,
    pub config_type: ConfigType,
    pub default: DefaultValue,
    pub validator: Option<Arc<dyn Validator>>,
    pub importance: Importance,
    pub documentation: String,
    pub group: Option<String>,
    pub order_in_group: i32,
    pub width: Width,
    pub display_name: String,
    pub dependents: Vec<String>,
    pub recommender: Option<Arc<dyn Recommender>>,
    pub internal: bool,
}

impl fmt::Debug for ConfigKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ConfigKey")
            .field("name", &self.name)
            .field("type", &self.config_type)
            .field("default", &self.default)
            .finish_non_exhaustive()
    }
}

impl ConfigKey {
    /// A required key (no default) of the given type, importance MEDIUM.
    pub fn new(name: impl Into<String>, config_type: ConfigType) -> Self {
        let name = name.into();
        ConfigKey {
            display_name: name.clone(),
            name,
            config_type,
            default: DefaultValue::Required,
            validator: None,
            importance: Importance::Medium,
            documentation: String::new(),
            group: None,
            order_in_group: -1,
            width: Width::None,
            dependents: Vec::new(),
            recommender: None,
            internal: false,
        }
    }

    /// Sets a default from its string form; a default that does not parse is a programming
    /// error in the plugin and is reported when the def is used.
    pub fn default_value(mut self, value: impl Into<String>) -> Self {
        let raw: String = value.into();
        self.default = DefaultValue::Value(
            parse_type(&self.name, &raw, self.config_type).unwrap_or(ConfigValueT::String(raw)),
        );
        self
    }

    /// An explicit `null` default: optional with no value.
    pub fn default_null(mut self) -> Self {
        self.default = DefaultValue::Value(ConfigValueT::Null);
        self
    }

    pub fn importance(mut self, importance: Importance) -> Self {
        self.importance = importance;
        self
    }
    pub fn doc(mut self, documentation: impl Into<String>) -> Self {
        self.documentation = documentation.into();
        self
    }
    pub fn group(mut self, group: impl Into<String>, order_in_group: i32) -> Self {
        self.group = Some(group.into());
        self.order_in_group = order_in_group;
        self
    }
    pub fn width(mut self, width: Width) -> Self {
        self.width = width;
        self
    }
    pub fn display_name(mut self, display_name: impl Into<String>) -> Self {
        self.display_name = display_name.into();
        self
    }
    pub fn dependents<S: Into<String>>(mut self, dependents: impl IntoIterator<Item = S>) -> Self {
        self.dependents = dependents.into_iter().map(Into::into).collect();
        self
    }
    pub fn validator(mut self, validator: impl Validator + 'static) -> Self {
        self.validator = Some(Arc::new(validator));
        self
    }
    pub fn recommender(mut self, recommender: impl Recommender + 'static) -> Self {
        self.recommender = Some(Arc::new(recommender));
        self
    }
    pub fn internal(mut self) -> Self {
        self.internal = true;
        self
    }

    pub fn is_required(&self) -> bool {
        self.default == DefaultValue::Required
    }

    /// The default in Kafka's string form (`None` for no default or a null default).
    pub fn default_string(&self) -> Option<String> {
        match &self.default {
            DefaultValue::Required => None,
            DefaultValue::Value(v) => v.to_config_string(),
        }
    }
}

/// The result of validating one key (Kafka's `ConfigValue`).
#[derive(Clone, Debug, PartialEq)]
pub struct ConfigValue {
    pub name: String,
    pub value: ConfigValueT,
    pub recommended_values: Vec<ConfigValueT>,
    pub errors: Vec<String>,
    pub visible: bool,
}

impl ConfigValue {
    pub fn new(name: impl Into<String>) -> Self {
        ConfigValue {
            name: name.into(),
            value: ConfigValueT::Null,
            recommended_values: Vec::new(),
            errors: Vec::new(),
            visible: true,
        }
    }
}

/// Parses `raw` as a value of `config_type`, with Kafka's conversions and messages.
pub fn parse_type(
    name: &str,
    raw: &str,
    config_type: ConfigType,
) -> Result<ConfigValueT, ConfigError> {
    let trimmed = raw.trim();
    let invalid = |reason: &str| {
        let shown = if config_type == ConfigType::Password {
            HIDDEN
        } else {
            trimmed
        };
        ConfigError::invalid(name, shown, reason)
    };
    Ok(match config_type {
        ConfigType::Boolean => {
            if trimmed.eq_ignore_ascii_case("true") {
                ConfigValueT::Boolean(true)
            } else if trimmed.eq_ignore_ascii_case("false") {
                ConfigValueT::Boolean(false)
            } else {
                return Err(invalid("Expected value to be either true or false"));
            }
        }
        ConfigType::String => ConfigValueT::String(trimmed.to_string()),
        ConfigType::Password => ConfigValueT::Password(Password::new(raw)),
        ConfigType::Int => ConfigValueT::Int(
            trimmed
                .parse()
                .map_err(|_| invalid("Not a number of type INT"))?,
        ),
        ConfigType::Short => ConfigValueT::Short(
            trimmed
                .parse()
                .map_err(|_| invalid("Not a number of type SHORT"))?,
        ),
        ConfigType::Long => ConfigValueT::Long(
            trimmed
                .parse()
                .map_err(|_| invalid("Not a number of type LONG"))?,
        ),
        ConfigType::Double => ConfigValueT::Double(
            trimmed
                .parse()
                .map_err(|_| invalid("Not a number of type DOUBLE"))?,
        ),
        ConfigType::List => {
            if trimmed.is_empty() {
                ConfigValueT::List(Vec::new())
            } else {
                ConfigValueT::List(trimmed.split(',').map(|s| s.trim().to_string()).collect())
            }
        }
        ConfigType::Class => ConfigValueT::Class(trimmed.to_string()),
    })
}

/// A set of config keys (Kafka's `ConfigDef`), in definition order.
#[derive(Clone, Debug, Default)]
pub struct ConfigDef {
    keys: IndexMap<String, ConfigKey>,
}

impl ConfigDef {
    pub fn new() -> Self {
        ConfigDef::default()
    }

    /// Adds a key; a later definition of the same name replaces the earlier one.
    pub fn define(mut self, key: ConfigKey) -> Self {
        self.keys.insert(key.name.clone(), key);
        self
    }

    /// Adds every key of `other` that this def does not define yet.
    pub fn merge(mut self, other: &ConfigDef) -> Self {
        for (name, key) in &other.keys {
            self.keys.entry(name.clone()).or_insert_with(|| key.clone());
        }
        self
    }

    pub fn keys(&self) -> impl Iterator<Item = &ConfigKey> {
        self.keys.values()
    }

    pub fn key(&self, name: &str) -> Option<&ConfigKey> {
        self.keys.get(name)
    }

    /// The groups in order of first appearance.
    pub fn groups(&self) -> Vec<String> {
        let mut groups: Vec<String> = Vec::new();
        for key in self.keys.values() {
            if let Some(group) = &key.group
                && !groups.contains(group)
            {
                groups.push(group.clone());
            }
        }
        groups
    }

    /// Parses and validates `props`; the first problem is the error (Kafka's
    /// `ConfigDef.parse`). Keys not defined here are kept as strings in
    /// [`ParsedConfig::originals`].
    pub fn parse(&self, props: &BTreeMap<String, String>) -> Result<ParsedConfig, ConfigError> {
        let mut values = IndexMap::new();
        for key in self.keys.values() {
            let value = deduplicated(
                key.validator.as_deref(),
                parse_value(key, props.get(&key.name))?,
            );
            if let Some(validator) = &key.validator {
                validator.ensure_valid(&key.name, &value)?;
            }
            values.insert(key.name.clone(), value);
        }
        Ok(ParsedConfig {
            values,
            originals: props.clone(),
        })
    }

    /// Validates every key and reports all problems, key by key (Kafka's
    /// `ConfigDef.validate`), with recommended values and visibility.
    ///
    /// As in Kafka, a value that does not parse (or a required key that is missing) is
    /// validated as `null`: its value shows as null, and its validator runs on null too, so
    /// that `tasks.max=x` reports both "Not a number of type INT" and "Value must be
    /// non-null".
    pub fn validate(&self, props: &BTreeMap<String, String>) -> Vec<ConfigValue> {
        let mut parsed = IndexMap::new();
        let mut results: IndexMap<String, ConfigValue> = IndexMap::new();
        for key in self.keys.values() {
            let mut config_value = ConfigValue::new(&key.name);
            let value = match parse_value(key, props.get(&key.name)) {
                Ok(value) => deduplicated(key.validator.as_deref(), value),
                Err(e) => {
                    config_value.errors.push(e.to_string());
                    ConfigValueT::Null
                }
            };
            if let Some(validator) = &key.validator
                && let Err(e) = validator.ensure_valid(&key.name, &value)
            {
                config_value.errors.push(e.to_string());
            }
            config_value.value = value.clone();
            parsed.insert(key.name.clone(), value);
            results.insert(key.name.clone(), config_value);
        }
        for key in self.keys.values() {
            if let (Some(recommender), Some(result)) =
                (&key.recommender, results.get_mut(&key.name))
            {
                result.recommended_values = recommender.valid_values(&key.name, &parsed);
                result.visible = recommender.visible(&key.name, &parsed);
            }
        }
        results.into_values().collect()
    }
}

fn parse_value(key: &ConfigKey, raw: Option<&String>) -> Result<ConfigValueT, ConfigError> {
    match raw {
        Some(raw) => parse_type(&key.name, raw, key.config_type),
        None => match &key.default {
            DefaultValue::Required => Err(ConfigError::Missing {
                name: key.name.clone(),
            }),
            DefaultValue::Value(v) => Ok(v.clone()),
        },
    }
}

/// A config parsed against a [`ConfigDef`]: typed values for the defined keys, and the
/// original strings for everything (so prefixed pass-through keys stay reachable).
/// `Debug` shows typed values (passwords as `[hidden]`) and only the *keys* of the
/// originals, which may hold secrets the def does not know about.
#[derive(Clone, Default)]
pub struct ParsedConfig {
    values: IndexMap<String, ConfigValueT>,
    originals: BTreeMap<String, String>,
}

impl fmt::Debug for ParsedConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ParsedConfig")
            .field("values", &self.values)
            .field("original_keys", &self.originals.keys().collect::<Vec<_>>())
            .finish()
    }
}

impl ParsedConfig {
    pub fn get(&self, name: &str) -> Option<&ConfigValueT> {
        self.values.get(name)
    }
    pub fn string(&self, name: &str) -> Option<&str> {
        match self.values.get(name)? {
            ConfigValueT::String(s) | ConfigValueT::Class(s) => Some(s),
            _ => None,
        }
    }
    pub fn int(&self, name: &str) -> Option<i32> {
        match self.values.get(name)? {
            ConfigValueT::Int(i) => Some(*i),
            _ => None,
        }
    }
    pub fn long(&self, name: &str) -> Option<i64> {
        match self.values.get(name)? {
            ConfigValueT::Long(i) => Some(*i),
            ConfigValueT::Int(i) => Some(i64::from(*i)),
            _ => None,
        }
    }
    pub fn double(&self, name: &str) -> Option<f64> {
        match self.values.get(name)? {
            ConfigValueT::Double(d) => Some(*d),
            _ => None,
        }
    }
    pub fn boolean(&self, name: &str) -> Option<bool> {
        match self.values.get(name)? {
            ConfigValueT::Boolean(b) => Some(*b),
            _ => None,
        }
    }
    pub fn list(&self, name: &str) -> Option<&[String]> {
        match self.values.get(name)? {
            ConfigValueT::List(items) => Some(items),
            _ => None,
        }
    }
    pub fn password(&self, name: &str) -> Option<&Password> {
        match self.values.get(name)? {
            ConfigValueT::Password(p) => Some(p),
            _ => None,
        }
    }
    /// Every original key and value, including keys the def does not know.
    pub fn originals(&self) -> &BTreeMap<String, String> {
        &self.originals
    }
    /// The originals whose key starts with `prefix`, with the prefix removed (Kafka's
    /// `originalsWithPrefix(prefix, true)`).
    pub fn originals_with_prefix(&self, prefix: &str) -> BTreeMap<String, String> {
        self.originals
            .iter()
            .filter_map(|(k, v)| {
                k.strip_prefix(prefix)
                    .map(|rest| (rest.to_string(), v.clone()))
            })
            .collect()
    }
}

/// Validators with Kafka's behaviour and messages.
pub mod validators {
    use super::*;

    /// A numeric range (Kafka's `ConfigDef.Range`).
    pub struct Range {
        min: Option<f64>,
        max: Option<f64>,
    }

    impl Range {
        pub fn at_least(min: impl Into<f64>) -> Self {
            Range {
                min: Some(min.into()),
                max: None,
            }
        }
        pub fn between(min: impl Into<f64>, max: impl Into<f64>) -> Self {
            Range {
                min: Some(min.into()),
                max: Some(max.into()),
            }
        }
    }

    fn number(value: &ConfigValueT) -> Option<f64> {
        match value {
            ConfigValueT::Int(i) => Some(f64::from(*i)),
            ConfigValueT::Short(i) => Some(f64::from(*i)),
            ConfigValueT::Long(i) => Some(*i as f64),
            ConfigValueT::Double(d) => Some(*d),
            _ => None,
        }
    }

    fn fmt_bound(bound: f64) -> String {
        if bound.fract() == 0.0 {
            format!("{}", bound as i64)
        } else {
            bound.to_string()
        }
    }

    impl Validator for Range {
        fn ensure_valid(&self, name: &str, value: &ConfigValueT) -> Result<(), ConfigError> {
            let Some(n) = number(value) else {
                if *value == ConfigValueT::Null {
                    return Err(ConfigError::invalid(name, "null", "Value must be non-null"));
                }
                return Ok(());
            };
            let shown = value.to_config_string().unwrap_or_default();
            if let Some(min) = self.min
                && n < min
            {
                return Err(ConfigError::invalid(
                    name,
                    shown,
                    format!("Value must be at least {}", fmt_bound(min)),
                ));
            }
            if let Some(max) = self.max
                && n > max
            {
                return Err(ConfigError::invalid(
                    name,
                    shown,
                    format!("Value must be no more than {}", fmt_bound(max)),
                ));
            }
            Ok(())
        }
        fn describe(&self) -> Option<String> {
            Some(match (self.min, self.max) {
                (Some(min), None) => format!("[{},...]", fmt_bound(min)),
                (Some(min), Some(max)) => format!("[{},...,{}]", fmt_bound(min), fmt_bound(max)),
                (None, Some(max)) => format!("[...,{}]", fmt_bound(max)),
                (None, None) => "[...]".to_string(),
            })
        }
    }

    /// One of a fixed set of strings (Kafka's `ValidString`, or `CaseInsensitiveValidString`).
    pub struct ValidString {
        allowed: Vec<String>,
        case_insensitive: bool,
    }

    impl ValidString {
        pub fn one_of<S: Into<String>>(allowed: impl IntoIterator<Item = S>) -> Self {
            ValidString {
                allowed: allowed.into_iter().map(Into::into).collect(),
                case_insensitive: false,
            }
        }
        pub fn one_of_ignore_case<S: Into<String>>(allowed: impl IntoIterator<Item = S>) -> Self {
            ValidString {
                allowed: allowed.into_iter().map(Into::into).collect(),
                case_insensitive: true,
            }
        }
    }

    impl Validator for ValidString {
        fn ensure_valid(&self, name: &str, value: &ConfigValueT) -> Result<(), ConfigError> {
            // Kafka's ValidString rejects null too (it is in no list of valid strings).
            let s = match value {
                ConfigValueT::String(s) => s.as_str(),
                ConfigValueT::Null => "null",
                _ => return Ok(()),
            };
            let is_null = *value == ConfigValueT::Null;
            let ok = !is_null
                && self.allowed.iter().any(|a| {
                    if self.case_insensitive {
                        a.eq_ignore_ascii_case(s)
                    } else {
                        a == s
                    }
                });
            if ok {
                Ok(())
            } else {
                Err(ConfigError::invalid(
                    name,
                    s,
                    format!(
                        "String must be one of{}: {}",
                        if self.case_insensitive {
                            " (case insensitive)"
                        } else {
                            ""
                        },
                        self.allowed.join(", ")
                    ),
                ))
            }
        }
        fn describe(&self) -> Option<String> {
            Some(format!("[{}]", self.allowed.join(", ")))
        }
    }

    /// A list (Kafka 4.3's `ConfigDef.ValidList`): repeated entries are dropped before it
    /// is checked; then it must not be null (unless allowed) or empty (unless allowed), no
    /// entry may be the empty string, and with `allowed` values every entry must be one.
    pub struct ValidList {
        allowed: Vec<String>,
        empty_allowed: bool,
        null_allowed: bool,
    }

    impl ValidList {
        /// Kafka's `ValidList.anyNonDuplicateValues(isEmptyAllowed, isNullAllowed)`.
        pub fn any_non_duplicate_values(empty_allowed: bool, null_allowed: bool) -> Self {
            ValidList {
                allowed: Vec::new(),
                empty_allowed,
                null_allowed,
            }
        }

        /// Kafka's `ValidList.in(isEmptyAllowed, validStrings...)`.
        pub fn one_of<S: Into<String>>(
            empty_allowed: bool,
            allowed: impl IntoIterator<Item = S>,
        ) -> Self {
            ValidList {
                allowed: allowed.into_iter().map(Into::into).collect(),
                empty_allowed,
                null_allowed: false,
            }
        }
    }

    impl Validator for ValidList {
        fn ensure_valid(&self, name: &str, value: &ConfigValueT) -> Result<(), ConfigError> {
            let items = match value {
                ConfigValueT::Null if self.null_allowed => return Ok(()),
                ConfigValueT::Null => {
                    return Err(ConfigError::Other(format!(
                        "Configuration '{name}' values must not be null."
                    )));
                }
                ConfigValueT::List(items) => items,
                _ => return Ok(()),
            };
            if !self.empty_allowed && items.is_empty() {
                let valid = if self.allowed.is_empty() {
                    "any non-empty value".to_string()
                } else {
                    format!("[{}]", self.allowed.join(", "))
                };
                return Err(ConfigError::Other(format!(
                    "Configuration '{name}' must not be empty. Valid values include: {valid}"
                )));
            }
            for item in items {
                if item.is_empty() {
                    return Err(ConfigError::Other(format!(
                        "Configuration '{name}' values must not be empty."
                    )));
                }
                if !self.allowed.is_empty() && !self.allowed.contains(item) {
                    return Err(ConfigError::invalid(
                        name,
                        item.as_str(),
                        format!("String must be one of: {}", self.allowed.join(", ")),
                    ));
                }
            }
            Ok(())
        }
        fn describe(&self) -> Option<String> {
            (!self.allowed.is_empty()).then(|| format!("[{}]", self.allowed.join(", ")))
        }
        fn removes_duplicates(&self) -> bool {
            true
        }
    }

    /// A non-empty string (Kafka's `NonEmptyString`).
    pub struct NonEmptyString;

    impl Validator for NonEmptyString {
        fn ensure_valid(&self, name: &str, value: &ConfigValueT) -> Result<(), ConfigError> {
            match value {
                ConfigValueT::String(s) if s.is_empty() => Err(ConfigError::invalid(
                    name,
                    s.as_str(),
                    "String must be non-empty",
                )),
                _ => Ok(()),
            }
        }
        fn describe(&self) -> Option<String> {
            Some("non-empty string".to_string())
        }
    }

    /// A non-empty string without ISO control characters (Kafka's
    /// `ConnectorConfig.NonEmptyStringWithoutControlChars`, the validator of connector
    /// names); null passes, since a missing name is reported as missing.
    pub struct NonEmptyStringWithoutControlChars;

    impl Validator for NonEmptyStringWithoutControlChars {
        fn ensure_valid(&self, name: &str, value: &ConfigValueT) -> Result<(), ConfigError> {
            let ConfigValueT::String(s) = value else {
                return Ok(());
            };
            if s.is_empty() {
                return Err(ConfigError::invalid(name, "", "String may not be empty"));
            }
            // Java's Character.isISOControl: U+0000..U+001F and U+007F..U+009F.
            let controls: Vec<String> = s
                .chars()
                .filter(|c| c.is_control())
                .map(|c| u32::from(c).to_string())
                .collect();
            if controls.is_empty() {
                return Ok(());
            }
            Err(ConfigError::invalid(
                name,
                s.as_str(),
                format!(
                    "String may not contain control sequences but had the following ASCII \
                     chars: {}",
                    controls.join(", ")
                ),
            ))
        }
        fn describe(&self) -> Option<String> {
            Some("non-empty string without ISO control characters".to_string())
        }
    }

    /// A non-null value (Kafka's `NonNullValidator`).
    pub struct NonNull;

    impl Validator for NonNull {
        fn ensure_valid(&self, name: &str, value: &ConfigValueT) -> Result<(), ConfigError> {
            if *value == ConfigValueT::Null {
                return Err(ConfigError::invalid(name, "null", "entry must be non null"));
            }
            Ok(())
        }
        fn describe(&self) -> Option<String> {
            Some("non-null string".to_string())
        }
    }

    /// A validator from a closure, with a description for docs.
    pub struct FnValidator<F> {
        check: F,
        description: Option<String>,
    }

    impl<F> FnValidator<F>
    where
        F: Fn(&str, &ConfigValueT) -> Result<(), ConfigError> + Send + Sync,
    {
        pub fn new(check: F, description: Option<String>) -> Self {
            FnValidator { check, description }
        }
    }

    impl<F> Validator for FnValidator<F>
    where
        F: Fn(&str, &ConfigValueT) -> Result<(), ConfigError> + Send + Sync,
    {
        fn ensure_valid(&self, name: &str, value: &ConfigValueT) -> Result<(), ConfigError> {
            (self.check)(name, value)
        }
        fn describe(&self) -> Option<String> {
            self.description.clone()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::validators::*;
    use super::*;

    fn def() -> ConfigDef {
        ConfigDef::new()
            .define(
                ConfigKey::new("topic", ConfigType::String)
                    .importance(Importance::High)
                    .doc("the topic"),
            )
            .define(
                ConfigKey::new("batch.size", ConfigType::Int)
                    .default_value("2000")
                    .validator(Range::at_least(1)),
            )
            .define(ConfigKey::new("secret", ConfigType::Password).default_null())
            .define(ConfigKey::new("list", ConfigType::List).default_value(""))
            .define(ConfigKey::new("flag", ConfigType::Boolean).default_value("false"))
    }

    fn props(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn parse_converts_types_like_kafka() {
        let parsed = def()
            .parse(&props(&[
                ("topic", " t "),
                ("list", "a, b ,c"),
                ("flag", "TRUE"),
                ("extra", "x"),
            ]))
            .expect("valid");
        assert_eq!(parsed.string("topic"), Some("t"));
        assert_eq!(parsed.int("batch.size"), Some(2000));
        assert_eq!(
            parsed.list("list"),
            Some(&["a".to_string(), "b".into(), "c".into()][..])
        );
        assert_eq!(parsed.boolean("flag"), Some(true));
        assert_eq!(
            parsed.originals().get("extra").map(String::as_str),
            Some("x")
        );
    }

    #[test]
    fn parse_reports_kafkas_messages() {
        let missing = def().parse(&props(&[])).expect_err("topic required");
        assert_eq!(
            missing.to_string(),
            "Missing required configuration \"topic\" which has no default value."
        );
        let bad = def()
            .parse(&props(&[("topic", "t"), ("batch.size", "many")]))
            .expect_err("not int");
        assert_eq!(
            bad.to_string(),
            "Invalid value many for configuration batch.size: Not a number of type INT"
        );
        let small = def()
            .parse(&props(&[("topic", "t"), ("batch.size", "0")]))
            .expect_err("range");
        assert_eq!(
            small.to_string(),
            "Invalid value 0 for configuration batch.size: Value must be at least 1"
        );
    }

    #[test]
    fn passwords_never_print() {
        let parsed = def()
            .parse(&props(&[("topic", "t"), ("secret", "hunter2")]))
            .expect("valid");
        let password = parsed.password("secret").expect("password");
        assert_eq!(password.value(), "hunter2");
        assert_eq!(format!("{password:?} {password}"), "[hidden] [hidden]");
        assert!(!format!("{parsed:?}").contains("hunter2"));
        let validated = def().validate(&props(&[("secret", "hunter2")]));
        assert!(!format!("{validated:?}").contains("hunter2"));
    }

    #[test]
    fn validate_reports_every_key() {
        let results = def().validate(&props(&[("batch.size", "0")]));
        let errors: Vec<(String, Vec<String>)> = results
            .iter()
            .filter(|v| !v.errors.is_empty())
            .map(|v| (v.name.clone(), v.errors.clone()))
            .collect();
        assert_eq!(errors.len(), 2, "{errors:?}");
        assert_eq!(errors[0].0, "topic");
        assert_eq!(errors[1].0, "batch.size");
    }
}
