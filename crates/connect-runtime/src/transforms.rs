//! Transformation chains (Kafka's `TransformationChain` and `TransformationStage`).
//!
//! A connector config names its transformations and predicates by alias:
//!
//! ```properties
//! transforms=dropTest,route
//! transforms.dropTest.type=org.apache.kafka.connect.transforms.Filter
//! transforms.dropTest.predicate=isTest
//! transforms.route.type=org.apache.kafka.connect.transforms.RegexRouter
//! transforms.route.regex=(.*)
//! transforms.route.replacement=$1-copy
//! transforms.route.negate=false
//! predicates=isTest
//! predicates.isTest.type=org.apache.kafka.connect.transforms.predicates.TopicNameMatches
//! predicates.isTest.pattern=test-.*
//! ```
//!
//! Each stage applies its transformation when it has no predicate, or when the predicate's
//! answer differs from `negate` (Kafka's `negate ^ predicate.test(record)`). A stage that
//! answers `None` drops the record and ends the chain. The same config is checked by
//! validate, key by key, under the aliased keys (`transforms.route.regex`, ...), so a
//! mistake is reported where the user wrote it.

use std::collections::BTreeMap;

use connect_api::config::validators::NonEmptyString;
use connect_api::config::{
    ConfigDef, ConfigError, ConfigKey, ConfigType, ConfigValue, ConfigValueT, Importance, Width,
};
use connect_api::plugin::{PluginFactory, PluginType};
use connect_api::sink::SinkRecord;
use connect_api::source::SourceRecord;
use connect_api::transforms::{Predicate, Transformation};
use connect_api::{ConnectError, ConnectRecord, Props};

use crate::config::connector::{PREDICATES, TRANSFORMS};
use crate::plugins::PluginRegistry;

/// Records a chain can be built for: picks the source or sink flavour of a plugin.
pub trait ChainRecord: ConnectRecord {
    fn transformation(factory: &PluginFactory) -> Option<Box<dyn Transformation<Self>>>;
    fn predicate(factory: &PluginFactory) -> Option<Box<dyn Predicate<Self>>>;
}

impl ChainRecord for SourceRecord {
    fn transformation(factory: &PluginFactory) -> Option<Box<dyn Transformation<Self>>> {
        match factory {
            PluginFactory::Transformation { source, .. } => Some(source()),
            _ => None,
        }
    }
    fn predicate(factory: &PluginFactory) -> Option<Box<dyn Predicate<Self>>> {
        match factory {
            PluginFactory::Predicate { source, .. } => Some(source()),
            _ => None,
        }
    }
}

impl ChainRecord for SinkRecord {
    fn transformation(factory: &PluginFactory) -> Option<Box<dyn Transformation<Self>>> {
        match factory {
            PluginFactory::Transformation { sink, .. } => Some(sink()),
            _ => None,
        }
    }
    fn predicate(factory: &PluginFactory) -> Option<Box<dyn Predicate<Self>>> {
        match factory {
            PluginFactory::Predicate { sink, .. } => Some(sink()),
            _ => None,
        }
    }
}

struct Stage<R: ConnectRecord> {
    class_name: String,
    transformation: Box<dyn Transformation<R>>,
    predicate: Option<Box<dyn Predicate<R>>>,
    negate: bool,
}

/// A connector's configured transformations, in order.
pub struct TransformationChain<R: ConnectRecord> {
    stages: Vec<Stage<R>>,
}

/// A stage's failure: the transformation's class and the error.
#[derive(Debug)]
pub struct TransformFailure {
    pub class_name: String,
    pub error: ConnectError,
}

impl<R: ConnectRecord> TransformationChain<R> {
    pub fn empty() -> Self {
        TransformationChain { stages: Vec::new() }
    }

    pub fn is_empty(&self) -> bool {
        self.stages.is_empty()
    }

    /// Runs the record through every stage; `Ok(None)` when a stage dropped it.
    pub fn apply(&self, record: R) -> Result<Option<R>, TransformFailure> {
        let mut record = record;
        for stage in &self.stages {
            if let Some(predicate) = &stage.predicate
                && predicate.test(&record) == stage.negate
            {
                continue;
            }
            match stage.transformation.apply(record) {
                Ok(Some(next)) => record = next,
                Ok(None) => return Ok(None),
                Err(error) => {
                    return Err(TransformFailure {
                        class_name: stage.class_name.clone(),
                        error,
                    });
                }
            }
        }
        Ok(Some(record))
    }
}

fn aliases(props: &Props, key: &str) -> Result<Vec<String>, ConfigError> {
    let list: Vec<String> = props
        .get(key)
        .map(|v| {
            v.split(',')
                .map(|s| s.trim().to_string())
                .filter(|s| !s.is_empty())
                .collect()
        })
        .unwrap_or_default();
    let mut seen = std::collections::BTreeSet::new();
    for alias in &list {
        if !seen.insert(alias) {
            return Err(ConfigError::invalid(
                key,
                props.get(key).cloned().unwrap_or_default(),
                "Duplicate alias provided.",
            ));
        }
    }
    Ok(list)
}

/// The keys under `prefix`, with it removed.
fn under(props: &Props, prefix: &str) -> Props {
    props
        .iter()
        .filter_map(|(k, v)| {
            k.strip_prefix(prefix)
                .map(|rest| (rest.to_string(), v.clone()))
        })
        .collect()
}

/// The keys every transformation stage has besides its plugin's (Kafka's
/// `ConnectorConfig.enrich` adds them to each transformation's group).
fn stage_config_def() -> ConfigDef {
    ConfigDef::new()
        .define(
            ConfigKey::new("negate", ConfigType::Boolean)
                .default_value("false")
                .importance(Importance::Medium)
                .doc("Whether the configured predicate should be negated."),
        )
        .define(
            ConfigKey::new("predicate", ConfigType::String)
                .default_null()
                .importance(Importance::Medium)
                .doc("The alias of a predicate used to determine whether to apply this transformation."),
        )
}

fn lookup_error(key: &str, class: &str) -> ConfigError {
    ConfigError::invalid(key, class, format!("Class {class} could not be found."))
}

fn configure_error(prefix: &str, error: ConnectError) -> ConfigError {
    match error {
        ConnectError::Config(ConfigError::Invalid {
            name,
            value,
            reason,
        }) => ConfigError::Invalid {
            name: format!("{prefix}{name}"),
            value,
            reason,
        },
        ConnectError::Config(ConfigError::Missing { name }) => ConfigError::Missing {
            name: format!("{prefix}{name}"),
        },
        other => ConfigError::Other(format!("{prefix}: {other}")),
    }
}

/// Builds and configures the chain a connector config describes.
pub fn build_chain<R: ChainRecord>(
    registry: &PluginRegistry,
    props: &Props,
) -> Result<TransformationChain<R>, ConfigError> {
    let predicate_aliases = aliases(props, PREDICATES)?;
    let mut predicates: BTreeMap<String, (String, Props)> = BTreeMap::new();
    for alias in &predicate_aliases {
        let type_key = format!("{PREDICATES}.{alias}.type");
        let class = props.get(&type_key).ok_or_else(|| ConfigError::Missing {
            name: type_key.clone(),
        })?;
        predicates.insert(
            alias.clone(),
            (
                class.clone(),
                under(props, &format!("{PREDICATES}.{alias}.")),
            ),
        );
    }
    let mut stages = Vec::new();
    for alias in aliases(props, TRANSFORMS)? {
        let prefix = format!("{TRANSFORMS}.{alias}.");
        let type_key = format!("{prefix}type");
        let class = props.get(&type_key).ok_or_else(|| ConfigError::Missing {
            name: type_key.clone(),
        })?;
        let desc = registry
            .transformation(class)
            .map_err(|_| lookup_error(&type_key, class))?;
        let mut transformation =
            R::transformation(&desc.factory).ok_or_else(|| lookup_error(&type_key, class))?;
        let mut own = under(props, &prefix);
        own.remove("type");
        let predicate_alias = own.remove("predicate").filter(|p| !p.trim().is_empty());
        let negate = match own.remove("negate") {
            None => false,
            Some(v) if v.trim().eq_ignore_ascii_case("true") => true,
            Some(v) if v.trim().eq_ignore_ascii_case("false") => false,
            Some(v) => {
                return Err(ConfigError::invalid(
                    format!("{prefix}negate"),
                    v,
                    "Expected value to be either true or false",
                ));
            }
        };
        transformation
            .configure(&own)
            .map_err(|e| configure_error(&prefix, e))?;
        let predicate = match predicate_alias {
            None => None,
            Some(p) => {
                let p = p.trim().to_string();
                let Some((class, predicate_props)) = predicates.get(&p) else {
                    return Err(ConfigError::invalid(
                        format!("{prefix}predicate"),
                        p.clone(),
                        format!("Predicate alias {p} not found in {PREDICATES}"),
                    ));
                };
                let predicate_key = format!("{PREDICATES}.{p}.type");
                let desc = registry
                    .predicate(class)
                    .map_err(|_| lookup_error(&predicate_key, class))?;
                let mut predicate = R::predicate(&desc.factory)
                    .ok_or_else(|| lookup_error(&predicate_key, class))?;
                let mut own = predicate_props.clone();
                own.remove("type");
                predicate
                    .configure(&own)
                    .map_err(|e| configure_error(&format!("{PREDICATES}.{p}."), e))?;
                Some(predicate)
            }
        };
        stages.push(Stage {
            class_name: desc.class_name.clone(),
            transformation,
            predicate,
            negate,
        });
    }
    Ok(TransformationChain { stages })
}

/// Recommends a fixed list of values (the class names a `.type` key may take, a plugin's
/// version), as Kafka's plugin recommenders do.
pub struct FixedRecommender(pub Vec<String>);

impl connect_api::config::Recommender for FixedRecommender {
    fn valid_values(
        &self,
        _name: &str,
        _parsed: &indexmap::IndexMap<String, ConfigValueT>,
    ) -> Vec<ConfigValueT> {
        self.0.iter().cloned().map(ConfigValueT::String).collect()
    }
}

/// The aliased keys of a config's transformations and predicates, with their validation,
/// for the validate endpoint (Kafka's `ConnectorConfig.enrich`): per alias, in the group
/// `Transforms: <alias>` (or `Predicates: <alias>`), the `type` key, the `plugin.version`
/// key, the plugin's own keys under their own display names, and for a transformation its
/// `negate` and `predicate` keys.
pub fn validate_chain(registry: &PluginRegistry, props: &Props) -> (ConfigDef, Vec<ConfigValue>) {
    let mut def = ConfigDef::new();
    let mut values: Vec<ConfigValue> = Vec::new();
    fn add(key: ConfigKey, value: ConfigValue, def: &mut ConfigDef, values: &mut Vec<ConfigValue>) {
        *def = std::mem::take(def).define(key);
        values.push(value);
    }
    for (list_key, kind) in [(TRANSFORMS, "Transforms"), (PREDICATES, "Predicates")] {
        let Ok(list) = aliases(props, list_key) else {
            continue;
        };
        let (what, plugin_type) = if list_key == TRANSFORMS {
            ("transformation", PluginType::Transformation)
        } else {
            ("predicate", PluginType::Predicate)
        };
        let label = if list_key == TRANSFORMS {
            "Transformation"
        } else {
            "Predicate"
        };
        for alias in list {
            let prefix = format!("{list_key}.{alias}.");
            let group = format!("{kind}: {alias}");
            let type_key = format!("{prefix}type");
            let mut type_value = ConfigValue::new(&type_key);
            let class = props.get(&type_key).cloned();
            let found = class.as_deref().and_then(|c| {
                if list_key == TRANSFORMS {
                    registry.transformation(c).ok()
                } else {
                    registry.predicate(c).ok()
                }
            });
            match (&class, found) {
                (None, _) => type_value.errors.push(
                    ConfigError::Missing {
                        name: type_key.clone(),
                    }
                    .to_string(),
                ),
                (Some(c), None) => type_value
                    .errors
                    .push(lookup_error(&type_key, c).to_string()),
                (Some(c), Some(_)) => type_value.value = ConfigValueT::Class(c.clone()),
            }
            type_value.recommended_values = registry
                .class_names(plugin_type)
                .into_iter()
                .map(ConfigValueT::String)
                .collect();
            add(
                ConfigKey::new(&type_key, ConfigType::Class)
                    .importance(Importance::High)
                    .doc(format!("Class for the '{alias}' {what}."))
                    .group(&group, 0)
                    .width(Width::Long)
                    .display_name(format!("{label} type for {alias}"))
                    .validator(NonEmptyString),
                type_value,
                &mut def,
                &mut values,
            );
            let version_key_name = format!("{prefix}plugin.version");
            let mut version_key = ConfigKey::new(&version_key_name, ConfigType::String)
                .importance(Importance::High)
                .doc(format!("Version of the '{alias}' {what}."))
                .group(&group, 1)
                .width(Width::Long)
                .display_name(format!("{label} version for {alias}"));
            version_key = match found {
                Some(desc) => version_key
                    .default_value(desc.version.clone())
                    .recommender(FixedRecommender(vec![desc.version.clone()])),
                None => version_key.default_null(),
            };
            let version_value = ConfigDef::new()
                .define(version_key.clone())
                .validate(props)
                .into_iter()
                .next()
                .unwrap_or_else(|| ConfigValue::new(&version_key_name));
            add(version_key, version_value, &mut def, &mut values);
            let Some(desc) = found else { continue };
            let plugin_def = match &desc.factory {
                PluginFactory::Transformation { source, .. } => source().config_def(),
                PluginFactory::Predicate { source, .. } => source().config_def(),
                _ => ConfigDef::new(),
            };
            let own = under(props, &prefix);
            let mut order = 2;
            let mut own_values = plugin_def.validate(&own);
            if list_key == TRANSFORMS {
                own_values.extend(stage_config_def().validate(&own));
            }
            let stage_def = stage_config_def();
            for value in own_values {
                let Some(key) = plugin_def.key(&value.name).or(stage_def.key(&value.name)) else {
                    continue;
                };
                let mut key = key.clone();
                let name = format!("{prefix}{}", key.name);
                key.name = name.clone();
                key.group = Some(group.clone());
                key.order_in_group = order;
                order += 1;
                let mut value = value;
                value.errors = value
                    .errors
                    .into_iter()
                    .map(|e| {
                        e.replace(
                            &format!("configuration {}", value.name),
                            &format!("configuration {name}"),
                        )
                        .replace(&format!("\"{}\"", value.name), &format!("\"{name}\""))
                    })
                    .collect();
                value.name = name;
                add(key, value, &mut def, &mut values);
            }
            // Build once to surface checks that only configure() performs.
            if list_key == TRANSFORMS
                && let PluginFactory::Transformation { source, .. } = &desc.factory
            {
                let mut transformation = source();
                let mut own = own.clone();
                for key in ["type", "predicate", "negate"] {
                    own.remove(key);
                }
                if let Err(e) = transformation.configure(&own) {
                    let error = configure_error(&prefix, e);
                    // Report it once: under its own key when it names one validate knows,
                    // else under the type key, unless a key of this alias already
                    // explains the problem.
                    let already_reported = values
                        .iter()
                        .any(|v| v.name.starts_with(&prefix) && !v.errors.is_empty());
                    let own_slot = error
                        .key()
                        .and_then(|key| values.iter().position(|v| v.name == key));
                    let slot = match own_slot {
                        Some(index) => Some(index),
                        None if already_reported => None,
                        None => values.iter().position(|v| v.name == type_key),
                    };
                    if let Some(v) = slot.and_then(|index| values.get_mut(index))
                        && v.errors.is_empty()
                    {
                        v.errors.push(error.to_string());
                    }
                }
            }
        }
    }
    (def, values)
}
