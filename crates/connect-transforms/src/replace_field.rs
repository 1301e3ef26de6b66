//! `ReplaceField$Key` / `ReplaceField$Value`: drops, keeps and renames fields.
//!
//! A field is kept when it is not in `exclude` and, if `include` is set, it is in
//! `include`; `exclude` wins. Kept fields are renamed by `renames` (`old:new`). The output
//! schema is built once per input schema and cached; the values of the output fields are
//! then read from the input by their original names (the renames reversed), so the cache
//! stays correct whatever order the fields come in. The deprecated `blacklist` and
//! `whitelist` keys still work as `exclude` and `include` when those are not set: Kafka 4
//! dropped them (it ignores them now, so a `blacklist` kept from a 3.x config silently lets
//! the fields through); Tributary keeps honouring them, as Kafka 3.x did. A null
//! key or value is passed through.

use std::marker::PhantomData;

use connect_api::config::validators::FnValidator;
use connect_api::config::{
    ConfigDef, ConfigError, ConfigKey, ConfigType, ConfigValueT, Importance,
};
use connect_api::transforms::Transformation;
use connect_api::{
    ConnectError, ConnectRecord, ConnectResult, Props, SchemaBuilder, Struct, Value,
};

use crate::util::{
    REPLACE_NULL_WITH_DEFAULT_CONFIG, SchemaCache, Side, copy_schema_basics, field_value_by_name,
    java_list, java_split, map_put, not_configured, parse_config, replace_null_with_default_key,
    require_map, require_struct, string_key,
};

pub const OVERVIEW_DOC: &str = "Filter or rename fields.<p/>Use the concrete transformation type designed for the record key (<code>org.apache.kafka.connect.transforms.ReplaceField$Key</code>) or value (<code>org.apache.kafka.connect.transforms.ReplaceField$Value</code>).";
pub const EXCLUDE: &str = "exclude";
pub const INCLUDE: &str = "include";
pub const RENAMES: &str = "renames";
const BLACKLIST: &str = "blacklist";
const WHITELIST: &str = "whitelist";
const PURPOSE: &str = "field replacement";

pub fn config_def() -> ConfigDef {
    ConfigDef::new()
        .define(
            ConfigKey::new(EXCLUDE, ConfigType::List)
                .default_value("")
                .validator(
                    connect_api::config::validators::ValidList::any_non_duplicate_values(
                        true, false,
                    ),
                )
                .importance(Importance::Medium)
                .doc("Fields to exclude. This takes precedence over the fields to include."),
        )
        .define(
            ConfigKey::new(BLACKLIST, ConfigType::List)
                .default_null()
                .importance(Importance::Low)
                .doc("Deprecated. Use exclude instead."),
        )
        .define(
            ConfigKey::new(INCLUDE, ConfigType::List)
                .default_value("")
                .validator(
                    connect_api::config::validators::ValidList::any_non_duplicate_values(
                        true, false,
                    ),
                )
                .importance(Importance::Medium)
                .doc("Fields to include. If specified, only these fields will be used."),
        )
        .define(
            ConfigKey::new(WHITELIST, ConfigType::List)
                .default_null()
                .importance(Importance::Low)
                .doc("Deprecated. Use include instead."),
        )
        .define(
            ConfigKey::new(RENAMES, ConfigType::List)
                .default_value("")
                .validator(FnValidator::new(
                    |_name: &str, value: &ConfigValueT| match value {
                        ConfigValueT::List(items) => parse_rename_mappings(items).map(|_| ()),
                        _ => Ok(()),
                    },
                    Some(
                        "list of colon-delimited pairs, e.g. <code>foo:bar,abc:xyz</code>"
                            .to_string(),
                    ),
                ))
                .importance(Importance::Medium)
                .doc("Field rename mappings."),
        )
        .define(replace_null_with_default_key())
}

/// Kafka's `parseRenameMappings`: `old:new` pairs; a later pair for the same field wins.
fn parse_rename_mappings(mappings: &[String]) -> Result<Vec<(String, String)>, ConfigError> {
    let mut renames: Vec<(String, String)> = Vec::new();
    for mapping in mappings {
        let parts = java_split(mapping, ':');
        if parts.len() != 2 {
            return Err(ConfigError::invalid(
                RENAMES,
                java_list(mappings),
                format!("Invalid rename mapping: {mapping}"),
            ));
        }
        let (from, to) = (parts[0].to_string(), parts[1].to_string());
        match renames.iter_mut().find(|(f, _)| *f == from) {
            Some(existing) => existing.1 = to,
            None => renames.push((from, to)),
        }
    }
    Ok(renames)
}

/// Kafka's `ConfigUtils.translateDeprecatedConfigs` for this transform's two aliases:
/// a deprecated key is used only when its replacement is not set.
fn translate_deprecated(props: &Props) -> Props {
    let mut translated: Props = props
        .iter()
        .filter(|(k, _)| k.as_str() != BLACKLIST && k.as_str() != WHITELIST)
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    for (target, alias) in [(INCLUDE, WHITELIST), (EXCLUDE, BLACKLIST)] {
        if !props.contains_key(target)
            && let Some(value) = props.get(alias)
        {
            translated.insert(target.to_string(), value.clone());
        }
    }
    translated
}

struct Config {
    exclude: Vec<String>,
    include: Vec<String>,
    renames: Vec<(String, String)>,
    replace_null_with_default: bool,
}

impl Config {
    fn filter(&self, name: &str) -> bool {
        !self.exclude.iter().any(|f| f == name)
            && (self.include.is_empty() || self.include.iter().any(|f| f == name))
    }

    fn renamed<'a>(&'a self, name: &'a str) -> &'a str {
        self.renames
            .iter()
            .find(|(from, _)| from == name)
            .map_or(name, |(_, to)| to)
    }

    fn reverse_renamed<'a>(&'a self, name: &'a str) -> &'a str {
        // Kafka inverts its rename HashMap: where several fields are renamed to one name,
        // the one the map iterates last wins.
        let sources: Vec<&str> = self
            .renames
            .iter()
            .filter(|(_, to)| to == name)
            .map(|(from, _)| from.as_str())
            .collect();
        if sources.len() <= 1 {
            return sources.first().copied().unwrap_or(name);
        }
        let all: Vec<&str> = self.renames.iter().map(|(from, _)| from.as_str()).collect();
        crate::util::java_hash_map_order(&all)
            .into_iter()
            .rev()
            .find(|from| sources.contains(from))
            .unwrap_or(name)
    }
}

/// Kafka's `ReplaceField`.
pub struct ReplaceField<R> {
    side: Side,
    config: Option<Config>,
    cache: SchemaCache,
    _record: PhantomData<fn() -> R>,
}

impl<R> ReplaceField<R> {
    pub fn new(side: Side) -> Self {
        ReplaceField {
            side,
            config: None,
            cache: SchemaCache::new(),
            _record: PhantomData,
        }
    }
    pub fn key() -> Self {
        Self::new(Side::Key)
    }
    pub fn value() -> Self {
        Self::new(Side::Value)
    }
}

impl<R: ConnectRecord> Transformation<R> for ReplaceField<R> {
    fn config_def(&self) -> ConfigDef {
        config_def()
    }

    fn configure(&mut self, props: &Props) -> ConnectResult<()> {
        let parsed = parse_config(&config_def(), &translate_deprecated(props))?;
        let renames = parse_rename_mappings(parsed.list(RENAMES).unwrap_or_default())
            .map_err(ConnectError::Config)?;
        self.config = Some(Config {
            exclude: parsed.list(EXCLUDE).unwrap_or_default().to_vec(),
            include: parsed.list(INCLUDE).unwrap_or_default().to_vec(),
            renames,
            replace_null_with_default: parsed
                .boolean(REPLACE_NULL_WITH_DEFAULT_CONFIG)
                .unwrap_or(true),
        });
        self.cache.clear();
        Ok(())
    }

    fn apply(&self, record: R) -> ConnectResult<Option<R>> {
        let config = self
            .config
            .as_ref()
            .ok_or_else(|| not_configured("ReplaceField"))?;
        let value = self.side.value(&record);
        if value.is_null() {
            return Ok(Some(record));
        }
        if self.side.schema(&record).is_none() {
            let original = require_map(value, PURPOSE)?;
            let mut updated = Vec::with_capacity(original.len());
            for (key, field_value) in original {
                // A null key passes Kafka's filter unless fields are included by name, and
                // stays null (it is never renamed).
                if key.is_null() {
                    if config.include.is_empty() {
                        updated.retain(|(k, _): &(Value, Value)| !k.is_null());
                        updated.push((Value::Null, field_value.clone()));
                    }
                    continue;
                }
                let name = string_key(key, PURPOSE)?;
                if config.filter(name) {
                    map_put(&mut updated, config.renamed(name), field_value.clone());
                }
            }
            return Ok(Some(self.side.replace(record, None, Value::Map(updated))));
        }
        let original = require_struct(value, self.side.schema(&record), PURPOSE)?;
        let updated_schema = self.cache.get_or_build(original.schema(), || {
            let schema = original.schema();
            let mut builder = copy_schema_basics(schema, SchemaBuilder::struct_());
            for field in schema.fields()? {
                if config.filter(field.name()) {
                    builder =
                        builder.field(config.renamed(field.name()), field.schema().clone())?;
                }
            }
            Ok(builder.build())
        })?;
        let mut updated = Struct::new(updated_schema.clone())?;
        for field in updated_schema.fields()? {
            let field_value = field_value_by_name(
                original,
                config.reverse_renamed(field.name()),
                config.replace_null_with_default,
            )?;
            updated.put(field.name(), field_value.clone())?;
        }
        Ok(Some(self.side.replace(
            record,
            Some(updated_schema),
            Value::Struct(updated),
        )))
    }
}
