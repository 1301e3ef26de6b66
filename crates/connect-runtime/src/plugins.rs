//! The plugin registry: the explicit list of plugins a worker binary was built with.
//!
//! Lookup is by full class name or alias, exactly as Kafka Connect resolves
//! `connector.class`, `key.converter` and `transforms.<a>.type`. An unknown name is answered
//! with the names that would have worked.

use connect_api::Connector;
use connect_api::plugin::{PluginDesc, PluginFactory, PluginType};
use connect_api::sink::SinkConnector;
use connect_api::source::SourceConnector;
use connect_api::storage::{Converter, HeaderConverter};

/// A new connector instance of either kind.
pub enum ConnectorInstance {
    Source(Box<dyn SourceConnector>),
    Sink(Box<dyn SinkConnector>),
}

impl ConnectorInstance {
    pub fn as_connector(&self) -> &dyn Connector {
        match self {
            ConnectorInstance::Source(c) => c.as_ref(),
            ConnectorInstance::Sink(c) => c.as_ref(),
        }
    }

    pub fn as_connector_mut(&mut self) -> &mut dyn Connector {
        match self {
            ConnectorInstance::Source(c) => c.as_mut(),
            ConnectorInstance::Sink(c) => c.as_mut(),
        }
    }

    pub fn is_sink(&self) -> bool {
        matches!(self, ConnectorInstance::Sink(_))
    }
}

#[derive(Debug, thiserror::Error)]
pub enum PluginError {
    #[error(
        "Failed to find any class that implements Connector and which name matches {name}, available connectors are: {available}"
    )]
    UnknownConnector { name: String, available: String },
    #[error(
        "Failed to find any class that implements {kind} and which name matches {name}, available are: {available}"
    )]
    UnknownPlugin {
        kind: &'static str,
        name: String,
        available: String,
    },
}

/// The plugins available to a worker.
#[derive(Clone, Debug, Default)]
pub struct PluginRegistry {
    plugins: Vec<PluginDesc>,
}

impl PluginRegistry {
    pub fn new(plugins: Vec<PluginDesc>) -> Self {
        PluginRegistry { plugins }
    }

    /// The converters every worker has (`connect-json`).
    pub fn with_default_converters() -> Self {
        PluginRegistry::new(connect_json::plugins())
    }

    pub fn register(&mut self, plugins: impl IntoIterator<Item = PluginDesc>) {
        self.plugins.extend(plugins);
    }

    pub fn all(&self) -> &[PluginDesc] {
        &self.plugins
    }

    fn find(&self, name: &str, types: &[PluginType]) -> Option<&PluginDesc> {
        let name = name.trim();
        let candidates = || {
            self.plugins
                .iter()
                .filter(|p| types.contains(&p.plugin_type()))
        };
        candidates()
            .find(|p| p.class_name == name)
            .or_else(|| candidates().find(|p| p.matches(name)))
    }

    fn names(&self, types: &[PluginType]) -> String {
        self.plugins
            .iter()
            .filter(|p| types.contains(&p.plugin_type()))
            .map(|p| p.class_name.clone())
            .collect::<Vec<_>>()
            .join(", ")
    }

    /// The connector plugin `name` refers to.
    pub fn connector(&self, name: &str) -> Result<&PluginDesc, PluginError> {
        let types = [PluginType::Source, PluginType::Sink];
        self.find(name, &types)
            .ok_or_else(|| PluginError::UnknownConnector {
                name: name.to_string(),
                available: self.names(&types),
            })
    }

    /// A new instance of the connector `name` refers to.
    pub fn new_connector(&self, name: &str) -> Result<ConnectorInstance, PluginError> {
        let desc = self.connector(name)?;
        Ok(match &desc.factory {
            PluginFactory::Source(factory) => ConnectorInstance::Source(factory()),
            PluginFactory::Sink(factory) => ConnectorInstance::Sink(factory()),
            _ => {
                return Err(PluginError::UnknownConnector {
                    name: name.to_string(),
                    available: self.names(&[PluginType::Source, PluginType::Sink]),
                });
            }
        })
    }

    /// A new, unconfigured converter.
    pub fn new_converter(&self, name: &str) -> Result<Box<dyn Converter>, PluginError> {
        match self
            .find(name, &[PluginType::Converter])
            .map(|d| &d.factory)
        {
            Some(PluginFactory::Converter(factory)) => Ok(factory()),
            _ => Err(PluginError::UnknownPlugin {
                kind: "Converter",
                name: name.to_string(),
                available: self.names(&[PluginType::Converter]),
            }),
        }
    }

    /// A new, unconfigured header converter.
    pub fn new_header_converter(
        &self,
        name: &str,
    ) -> Result<Box<dyn HeaderConverter>, PluginError> {
        match self
            .find(name, &[PluginType::HeaderConverter])
            .map(|d| &d.factory)
        {
            Some(PluginFactory::HeaderConverter(factory)) => Ok(factory()),
            _ => Err(PluginError::UnknownPlugin {
                kind: "HeaderConverter",
                name: name.to_string(),
                available: self.names(&[PluginType::HeaderConverter]),
            }),
        }
    }

    /// The transformation `name` refers to, for source and sink records.
    pub fn transformation(&self, name: &str) -> Result<&PluginDesc, PluginError> {
        self.find(name, &[PluginType::Transformation])
            .ok_or_else(|| PluginError::UnknownPlugin {
                kind: "Transformation",
                name: name.to_string(),
                available: self.names(&[PluginType::Transformation]),
            })
    }

    /// The predicate `name` refers to.
    pub fn predicate(&self, name: &str) -> Result<&PluginDesc, PluginError> {
        self.find(name, &[PluginType::Predicate])
            .ok_or_else(|| PluginError::UnknownPlugin {
                kind: "Predicate",
                name: name.to_string(),
                available: self.names(&[PluginType::Predicate]),
            })
    }

    /// The converter `name` refers to.
    pub fn converter_desc(&self, name: &str) -> Option<&PluginDesc> {
        self.find(name, &[PluginType::Converter])
    }

    /// The header converter `name` refers to.
    pub fn header_converter_desc(&self, name: &str) -> Option<&PluginDesc> {
        self.find(name, &[PluginType::HeaderConverter])
    }

    /// The class names of every plugin of one type, sorted: the recommended values of the
    /// keys that name such a plugin, as Kafka's recommenders list them.
    pub fn class_names(&self, plugin_type: PluginType) -> Vec<String> {
        let mut names: Vec<String> = self
            .plugins
            .iter()
            .filter(|p| p.plugin_type() == plugin_type)
            .map(|p| p.class_name.clone())
            .collect();
        names.sort();
        names.dedup();
        names
    }

    /// A plugin of any kind by name, for `GET /connector-plugins/{p}/config`.
    pub fn any(&self, name: &str) -> Option<&PluginDesc> {
        self.find(
            name,
            &[
                PluginType::Source,
                PluginType::Sink,
                PluginType::Converter,
                PluginType::HeaderConverter,
                PluginType::Transformation,
                PluginType::Predicate,
            ],
        )
    }
}
