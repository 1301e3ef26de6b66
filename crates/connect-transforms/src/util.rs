//! What Kafka's transforms share (`connect/transforms/.../util`): the `Requirements`
//! checks with their exact messages, `SchemaUtil`, the validators, a small schema cache,
//! and the key-or-value plumbing every `$Key` / `$Value` pair uses.

use std::sync::{Mutex, PoisonError};

use connect_api::config::{
    ConfigDef, ConfigError, ConfigKey, ConfigType, ConfigValueT, Importance, ParsedConfig,
    Validator,
};
use connect_api::data::logical::{DATE_LOGICAL_NAME, TIME_LOGICAL_NAME, TIMESTAMP_LOGICAL_NAME};
use connect_api::sink::SinkRecord;
use connect_api::source::SourceRecord;
use connect_api::{
    ConnectError, ConnectRecord, ConnectResult, Field, Headers, Props, Schema, SchemaBuilder,
    SchemaType, Struct, Value,
};

/// The config key that KIP-1040 added to the transforms that read struct fields.
pub const REPLACE_NULL_WITH_DEFAULT_CONFIG: &str = "replace.null.with.default";
const REPLACE_NULL_WITH_DEFAULT_DOC: &str = "Whether to replace fields that have a default value and that are null to the default value. When set to true, the default value is used, otherwise null is used.";

/// `replace.null.with.default`, boolean, default `true`, as Kafka defines it.
pub(crate) fn replace_null_with_default_key() -> ConfigKey {
    ConfigKey::new(REPLACE_NULL_WITH_DEFAULT_CONFIG, ConfigType::Boolean)
        .default_value("true")
        .importance(Importance::Medium)
        .doc(REPLACE_NULL_WITH_DEFAULT_DOC)
}

/// Kafka's `SimpleConfig`: parses `props` against `def`, the first problem being the error.
pub(crate) fn parse_config(def: &ConfigDef, props: &Props) -> ConnectResult<ParsedConfig> {
    def.parse(props).map_err(ConnectError::Config)
}

/// The error for a transformation or predicate used before `configure` succeeded.
pub(crate) fn not_configured(name: &str) -> ConnectError {
    ConnectError::Config(ConfigError::Other(format!(
        "{name} was used before it was configured"
    )))
}

/// A config error with only a message (Kafka's `new ConfigException(message)`).
pub(crate) fn config_error(message: impl Into<String>) -> ConnectError {
    ConnectError::Config(ConfigError::Other(message.into()))
}

/// Java's `List.toString()` of a config list, as `ConfigException(name, value, message)`
/// prints it.
pub(crate) fn java_list(items: &[String]) -> String {
    format!("[{}]", items.join(", "))
}

/// Java's `String.split(regex)` for a one-character separator: trailing empty strings are
/// removed.
pub(crate) fn java_split(text: &str, separator: char) -> Vec<&str> {
    let mut parts: Vec<&str> = text.split(separator).collect();
    while parts.len() > 1 && parts.last().is_some_and(|p| p.is_empty()) {
        parts.pop();
    }
    if parts.len() == 1 && parts[0].is_empty() && !text.is_empty() {
        parts.clear();
    }
    parts
}

/// `getClass().toString()` of the Java object a value stands for, e.g. `class java.lang.Integer`.
pub(crate) fn java_class(value: &Value) -> String {
    format!("class {}", value.java_class_name())
}

/// Which half of a record a `$Key` / `$Value` transformation operates on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Side {
    Key,
    Value,
}

impl Side {
    /// `$Key` or `$Value`, the suffix of the Java nested class.
    pub fn class_suffix(self) -> &'static str {
        match self {
            Side::Key => "$Key",
            Side::Value => "$Value",
        }
    }

    pub(crate) fn schema<R: ConnectRecord>(self, record: &R) -> Option<&Schema> {
        match self {
            Side::Key => record.key_schema(),
            Side::Value => record.value_schema(),
        }
    }

    pub(crate) fn value<R: ConnectRecord>(self, record: &R) -> &Value {
        match self {
            Side::Key => record.key(),
            Side::Value => record.value(),
        }
    }

    /// Kafka's `newRecord(record, updatedSchema, updatedValue)`: the other half, the
    /// routing, the timestamp and the headers are kept.
    /// The record with this side replaced, the rest moved along (the record is consumed:
    /// nothing else is copied).
    pub(crate) fn replace<R: ConnectRecord>(
        self,
        record: R,
        schema: Option<Schema>,
        value: Value,
    ) -> R {
        match self {
            Side::Key => record.with_key(schema, value),
            Side::Value => record.with_value(schema, value),
        }
    }

    /// [`Side::replace`], with new headers.
    pub(crate) fn replace_with_headers<R: ConnectRecord>(
        self,
        record: R,
        schema: Option<Schema>,
        value: Value,
        headers: Headers,
    ) -> R {
        let mut record = self.replace(record, schema, value);
        *record.headers_mut() = headers;
        record
    }
}

/// The Kafka offset of a record, which only sink records have (Kafka's
/// `requireSinkRecord`). Implemented for [`SinkRecord`] and [`SourceRecord`]; a custom
/// record type implements it to be used with `InsertField`.
pub trait RecordOffset {
    /// The offset of a sink record; `None` for a record that has none.
    fn kafka_offset(&self) -> Option<i64>;
    /// The Java class name Kafka would report for this record.
    fn record_class_name(&self) -> &'static str;
}

impl RecordOffset for SinkRecord {
    fn kafka_offset(&self) -> Option<i64> {
        Some(self.kafka_offset)
    }
    fn record_class_name(&self) -> &'static str {
        "org.apache.kafka.connect.sink.SinkRecord"
    }
}

impl RecordOffset for SourceRecord {
    fn kafka_offset(&self) -> Option<i64> {
        None
    }
    fn record_class_name(&self) -> &'static str {
        "org.apache.kafka.connect.source.SourceRecord"
    }
}

/// `Requirements.requireSinkRecord`.
pub(crate) fn require_sink_offset<R: RecordOffset>(
    record: &R,
    purpose: &str,
) -> ConnectResult<i64> {
    record.kafka_offset().ok_or_else(|| {
        ConnectError::data(format!(
            "Only SinkRecord supported for [{purpose}], found: {}",
            record.record_class_name()
        ))
    })
}

/// `Requirements.requireSchema`.
pub(crate) fn require_schema<'a>(
    schema: Option<&'a Schema>,
    purpose: &str,
) -> ConnectResult<&'a Schema> {
    schema.ok_or_else(|| ConnectError::data(format!("Schema required for [{purpose}]")))
}

/// `Requirements.requireMap`: the entries of a schemaless map.
pub(crate) fn require_map<'a>(
    value: &'a Value,
    purpose: &str,
) -> ConnectResult<&'a [(Value, Value)]> {
    match value {
        Value::Map(entries) => Ok(entries),
        other => Err(ConnectError::data(format!(
            "Only Map objects supported in absence of schema for [{purpose}], found: {}",
            other.java_class_name()
        ))),
    }
}

/// `Requirements.requireMapOrNull`.
pub(crate) fn require_map_or_null<'a>(
    value: &'a Value,
    purpose: &str,
) -> ConnectResult<Option<&'a [(Value, Value)]>> {
    if value.is_null() {
        return Ok(None);
    }
    require_map(value, purpose).map(Some)
}

/// Java's `String.hashCode()`: over UTF-16 code units, `31 * h + c`, wrapping.
pub(crate) fn java_string_hash(text: &str) -> i32 {
    text.encode_utf16().fold(0i32, |h, unit| {
        h.wrapping_mul(31).wrapping_add(i32::from(unit))
    })
}

/// The order in which a `java.util.HashMap` that had `keys` put into it (in this order,
/// repeats keeping their first place) iterates them: by bucket of the table it ended with
/// (16 slots, doubled whenever more than three quarters are used), then by insertion within
/// a bucket. Kafka's transformations build `HashMap`s whose order decides which entry wins
/// when several map to one name; this tells which.
pub(crate) fn java_hash_map_order<'a>(keys: &[&'a str]) -> Vec<&'a str> {
    let mut distinct: Vec<&str> = Vec::new();
    for key in keys {
        if !distinct.contains(key) {
            distinct.push(key);
        }
    }
    let mut capacity: usize = 16;
    while distinct.len() * 4 > capacity * 3 {
        capacity *= 2;
    }
    let bucket = |key: &str| {
        let h = java_string_hash(key) as u32;
        ((h ^ (h >> 16)) as usize) & (capacity - 1)
    };
    let mut ordered: Vec<(usize, usize, &str)> = distinct
        .iter()
        .enumerate()
        .map(|(i, key)| (bucket(key), i, *key))
        .collect();
    ordered.sort_unstable();
    ordered.into_iter().map(|(_, _, key)| key).collect()
}

/// `Requirements.requireStruct`. `schema` is the value's, for the Java class the message
/// names (a logical date under it is a `java.util.Date`).
pub(crate) fn require_struct<'a>(
    value: &'a Value,
    schema: Option<&Schema>,
    purpose: &str,
) -> ConnectResult<&'a Struct> {
    match value {
        Value::Struct(s) => Ok(s),
        other => Err(ConnectError::data(format!(
            "Only Struct objects supported for [{purpose}], found: {}",
            other.java_class_name_under(schema)
        ))),
    }
}

/// `Requirements.requireStructOrNull`.
pub(crate) fn require_struct_or_null<'a>(
    value: &'a Value,
    schema: Option<&Schema>,
    purpose: &str,
) -> ConnectResult<Option<&'a Struct>> {
    if value.is_null() {
        return Ok(None);
    }
    require_struct(value, schema, purpose).map(Some)
}

/// A map key as the `String` Kafka's transforms cast it to.
pub(crate) fn string_key<'a>(key: &'a Value, purpose: &str) -> ConnectResult<&'a str> {
    key.as_str().ok_or_else(|| {
        ConnectError::data(format!(
            "Only Map objects with String keys supported for [{purpose}], found key of type: {}",
            key.java_class_name()
        ))
    })
}

/// `map.get(key)` on a schemaless map; `None` when absent.
pub(crate) fn map_get<'a>(entries: &'a [(Value, Value)], key: &str) -> Option<&'a Value> {
    entries
        .iter()
        .find(|(k, _)| k.as_str() == Some(key))
        .map(|(_, v)| v)
}

/// `map.put(key, value)`: replaces in place, or appends.
pub(crate) fn map_put(entries: &mut Vec<(Value, Value)>, key: &str, value: Value) {
    match entries.iter_mut().find(|(k, _)| k.as_str() == Some(key)) {
        Some(entry) => entry.1 = value,
        None => entries.push((Value::String(key.to_string()), value)),
    }
}

/// `map.remove(key)`.
pub(crate) fn map_remove(entries: &mut Vec<(Value, Value)>, key: &str) {
    entries.retain(|(k, _)| k.as_str() != Some(key));
}

/// `ConnectSchema.field(name)`, which refuses non-struct schemas with Kafka's message.
pub(crate) fn lookup_field<'a>(schema: &'a Schema, name: &str) -> ConnectResult<Option<&'a Field>> {
    if schema.schema_type() != SchemaType::Struct {
        return Err(ConnectError::data(
            "Cannot look up fields on non-struct type",
        ));
    }
    schema.field(name)
}

/// A struct field's value, with or without the fallback to the field's default
/// (`replace.null.with.default`).
pub(crate) fn field_value<'a>(
    value: &'a Struct,
    field: &'a Field,
    replace_null_with_default: bool,
) -> ConnectResult<&'a Value> {
    if replace_null_with_default {
        Ok(value.get_by_field(field))
    } else {
        value.get_without_default(field.name())
    }
}

/// The same, by field name.
pub(crate) fn field_value_by_name<'a>(
    value: &'a Struct,
    name: &str,
    replace_null_with_default: bool,
) -> ConnectResult<&'a Value> {
    if replace_null_with_default {
        value.get(name)
    } else {
        value.get_without_default(name)
    }
}

/// `SchemaUtil.copySchemaBasics(source, builder)`: name, version, doc and parameters;
/// not optionality, not the default.
pub(crate) fn copy_schema_basics(source: &Schema, builder: SchemaBuilder) -> SchemaBuilder {
    let mut builder = builder;
    if let Some(name) = source.name() {
        builder = builder.name(name);
    }
    if let Some(version) = source.version() {
        builder = builder.version(version);
    }
    if let Some(doc) = source.doc() {
        builder = builder.doc(doc);
    }
    if let Some(parameters) = source.parameters() {
        builder = builder.parameters(parameters.iter().map(|(k, v)| (k.clone(), v.clone())));
    }
    builder
}

/// `SchemaUtil.copySchemaBasics(source)`: a builder of the same type (with the element
/// schemas of arrays and maps) and the same basics.
pub(crate) fn copy_schema_basics_of(source: &Schema) -> ConnectResult<SchemaBuilder> {
    let builder = match source.schema_type() {
        SchemaType::Array => SchemaBuilder::array(source.value_schema()?.clone()),
        SchemaType::Map => {
            SchemaBuilder::map(source.key_schema()?.clone(), source.value_schema()?.clone())
        }
        other => SchemaBuilder::new(other),
    };
    Ok(copy_schema_basics(source, builder))
}

/// Whether a schema is one of the temporal logical types (Java `java.util.Date` values).
pub(crate) fn is_temporal(schema: Option<&Schema>) -> bool {
    matches!(
        schema.and_then(Schema::name),
        Some(DATE_LOGICAL_NAME | TIME_LOGICAL_NAME | TIMESTAMP_LOGICAL_NAME)
    )
}

/// Kafka's `LRUCache<Schema, Schema>(16)` behind a lock: a transformed schema per input
/// schema, so that records of one schema share one output schema.
#[derive(Debug, Default)]
pub(crate) struct SchemaCache {
    entries: Mutex<Vec<(Schema, Schema)>>,
}

const SCHEMA_CACHE_SIZE: usize = 16;

impl SchemaCache {
    pub(crate) fn new() -> Self {
        SchemaCache::default()
    }

    /// The cached schema for `key`, or the one `build` makes, which is then cached.
    pub(crate) fn get_or_build(
        &self,
        key: &Schema,
        build: impl FnOnce() -> ConnectResult<Schema>,
    ) -> ConnectResult<Schema> {
        {
            let mut entries = self.entries.lock().unwrap_or_else(PoisonError::into_inner);
            if let Some(index) = entries.iter().position(|(k, _)| k == key) {
                let entry = entries.remove(index);
                let schema = entry.1.clone();
                entries.push(entry);
                return Ok(schema);
            }
        }
        let built = build()?;
        let mut entries = self.entries.lock().unwrap_or_else(PoisonError::into_inner);
        if entries.len() >= SCHEMA_CACHE_SIZE {
            entries.remove(0);
        }
        entries.push((key.clone(), built.clone()));
        Ok(built)
    }

    pub(crate) fn clear(&self) {
        self.entries
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clear();
    }
}

/// Kafka's `NonEmptyListValidator`.
pub(crate) struct NonEmptyList;

impl Validator for NonEmptyList {
    fn ensure_valid(&self, name: &str, value: &ConfigValueT) -> Result<(), ConfigError> {
        match value {
            ConfigValueT::List(items) if !items.is_empty() => Ok(()),
            ConfigValueT::List(items) => {
                Err(ConfigError::invalid(name, java_list(items), "Empty list"))
            }
            _ => Err(ConfigError::invalid(name, "null", "Empty list")),
        }
    }
    fn describe(&self) -> Option<String> {
        Some("non-empty list".to_string())
    }
}

/// Kafka's `RegexValidator`: the value compiles as a regular expression.
pub(crate) struct RegexValidator;

impl Validator for RegexValidator {
    fn ensure_valid(&self, name: &str, value: &ConfigValueT) -> Result<(), ConfigError> {
        if let ConfigValueT::String(pattern) = value
            && let Err(e) = regex::Regex::new(pattern)
        {
            return Err(ConfigError::invalid(
                name,
                pattern.as_str(),
                format!("Invalid regex: {e}"),
            ));
        }
        Ok(())
    }
    fn describe(&self) -> Option<String> {
        Some("valid regex".to_string())
    }
}

/// Kafka's `ConfigDef.CompositeValidator`: every validator in turn.
pub(crate) struct AllOf(pub Vec<Box<dyn Validator>>);

impl Validator for AllOf {
    fn ensure_valid(&self, name: &str, value: &ConfigValueT) -> Result<(), ConfigError> {
        self.0.iter().try_for_each(|v| v.ensure_valid(name, value))
    }
    fn describe(&self) -> Option<String> {
        let parts: Vec<String> = self.0.iter().filter_map(|v| v.describe()).collect();
        Some(parts.join(", "))
    }
}

/// Compiles `pattern` for Java's `Matcher.matches()`: the whole input must match.
pub(crate) fn full_match_regex(pattern: &str) -> Result<regex::Regex, regex::Error> {
    regex::Regex::new(&format!("^(?:{pattern})$"))
}

#[cfg(test)]
mod java_hash_tests {
    use super::*;

    #[test]
    fn string_hashes_are_javas() {
        assert_eq!(java_string_hash(""), 0);
        assert_eq!(java_string_hash("a"), 97);
        assert_eq!(java_string_hash("hello"), 99_162_322);
        assert_eq!(java_string_hash("😀"), 1_772_899);
    }

    #[test]
    fn hash_map_order_follows_buckets_then_insertion() {
        // "b" (98) lands in bucket 2, "a" (97) in 1, "q" (113) in 1 after "a".
        assert_eq!(java_hash_map_order(&["b", "q", "a"]), vec!["q", "a", "b"]);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn java_split_drops_trailing_empties() {
        assert_eq!(java_split("a:b", ':'), vec!["a", "b"]);
        assert_eq!(java_split("a:", ':'), vec!["a"]);
        assert_eq!(java_split("a::b", ':'), vec!["a", "", "b"]);
        assert_eq!(java_split(":b", ':'), vec!["", "b"]);
        assert_eq!(java_split("a:b:c", ':'), vec!["a", "b", "c"]);
    }

    #[test]
    fn cache_keeps_sixteen_schemas() {
        let cache = SchemaCache::new();
        for i in 0..20 {
            let key = SchemaBuilder::int32().version(i).build();
            let built = cache
                .get_or_build(&key, || Ok(Schema::string()))
                .expect("built");
            assert_eq!(built, Schema::string());
        }
        let len = cache.entries.lock().map(|e| e.len()).unwrap_or_default();
        assert_eq!(len, SCHEMA_CACHE_SIZE);
    }
}
