//! Plugin descriptors: how a crate offers its connectors, converters, transformations and
//! predicates to a worker.
//!
//! There is no classpath scanning and no dynamic loading: a worker binary is built with an
//! explicit list of [`PluginDesc`]s, so an unknown class name can be answered with the
//! list of the known ones. A plugin is found by its full class name (Kafka's, where
//! Tributary implements a Kafka plugin), by its simple name, or, for connectors, by the
//! simple name without the `Connector` suffix, as Kafka Connect's aliases work.

use std::fmt;
use std::sync::Arc;

use crate::sink::{SinkConnector, SinkRecord};
use crate::source::{SourceConnector, SourceRecord};
use crate::storage::{Converter, HeaderConverter};
use crate::transforms::{Predicate, Transformation};

/// The kinds of plugin, with the names `GET /connector-plugins` uses.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum PluginType {
    Source,
    Sink,
    Converter,
    HeaderConverter,
    Transformation,
    Predicate,
}

impl PluginType {
    pub fn name(self) -> &'static str {
        match self {
            PluginType::Source => "source",
            PluginType::Sink => "sink",
            PluginType::Converter => "converter",
            PluginType::HeaderConverter => "header_converter",
            PluginType::Transformation => "transformation",
            PluginType::Predicate => "predicate",
        }
    }
}

type Factory<T> = Arc<dyn Fn() -> Box<T> + Send + Sync>;

/// Makes new instances of a plugin.
#[derive(Clone)]
pub enum PluginFactory {
    Source(Factory<dyn SourceConnector>),
    Sink(Factory<dyn SinkConnector>),
    Converter(Factory<dyn Converter>),
    HeaderConverter(Factory<dyn HeaderConverter>),
    Transformation {
        source: Factory<dyn Transformation<SourceRecord>>,
        sink: Factory<dyn Transformation<SinkRecord>>,
    },
    Predicate {
        source: Factory<dyn Predicate<SourceRecord>>,
        sink: Factory<dyn Predicate<SinkRecord>>,
    },
}

impl PluginFactory {
    pub fn plugin_type(&self) -> PluginType {
        match self {
            PluginFactory::Source(_) => PluginType::Source,
            PluginFactory::Sink(_) => PluginType::Sink,
            PluginFactory::Converter(_) => PluginType::Converter,
            PluginFactory::HeaderConverter(_) => PluginType::HeaderConverter,
            PluginFactory::Transformation { .. } => PluginType::Transformation,
            PluginFactory::Predicate { .. } => PluginType::Predicate,
        }
    }
}

/// One plugin: its class name, extra aliases, version and factory.
#[derive(Clone)]
pub struct PluginDesc {
    pub class_name: String,
    /// Aliases beyond the automatic ones (simple name, simple name without `Connector`).
    pub extra_aliases: Vec<String>,
    pub version: String,
    /// What the plugin does, for generated reference documentation.
    pub doc: Option<String>,
    pub factory: PluginFactory,
}

impl fmt::Debug for PluginDesc {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PluginDesc")
            .field("class_name", &self.class_name)
            .field("type", &self.plugin_type())
            .field("version", &self.version)
            .finish()
    }
}

impl PluginDesc {
    pub fn new(
        class_name: impl Into<String>,
        version: impl Into<String>,
        factory: PluginFactory,
    ) -> Self {
        PluginDesc {
            class_name: class_name.into(),
            extra_aliases: Vec::new(),
            version: version.into(),
            doc: None,
            factory,
        }
    }

    pub fn source<F>(class_name: impl Into<String>, version: impl Into<String>, factory: F) -> Self
    where
        F: Fn() -> Box<dyn SourceConnector> + Send + Sync + 'static,
    {
        Self::new(
            class_name,
            version,
            PluginFactory::Source(Arc::new(factory)),
        )
    }

    pub fn sink<F>(class_name: impl Into<String>, version: impl Into<String>, factory: F) -> Self
    where
        F: Fn() -> Box<dyn SinkConnector> + Send + Sync + 'static,
    {
        Self::new(class_name, version, PluginFactory::Sink(Arc::new(factory)))
    }

    pub fn converter<F>(
        class_name: impl Into<String>,
        version: impl Into<String>,
        factory: F,
    ) -> Self
    where
        F: Fn() -> Box<dyn Converter> + Send + Sync + 'static,
    {
        Self::new(
            class_name,
            version,
            PluginFactory::Converter(Arc::new(factory)),
        )
    }

    pub fn header_converter<F>(
        class_name: impl Into<String>,
        version: impl Into<String>,
        factory: F,
    ) -> Self
    where
        F: Fn() -> Box<dyn HeaderConverter> + Send + Sync + 'static,
    {
        Self::new(
            class_name,
            version,
            PluginFactory::HeaderConverter(Arc::new(factory)),
        )
    }

    pub fn with_doc(mut self, doc: impl Into<String>) -> Self {
        self.doc = Some(doc.into());
        self
    }

    pub fn with_alias(mut self, alias: impl Into<String>) -> Self {
        self.extra_aliases.push(alias.into());
        self
    }

    pub fn plugin_type(&self) -> PluginType {
        self.factory.plugin_type()
    }

    /// The simple class name: what follows the last `.` (and, for nested Java classes such
    /// as `Cast$Value`, the whole `Outer$Inner`).
    pub fn simple_name(&self) -> &str {
        self.class_name
            .rsplit('.')
            .next()
            .unwrap_or(&self.class_name)
    }

    /// Every name this plugin answers to.
    pub fn aliases(&self) -> Vec<String> {
        let mut names = vec![self.simple_name().to_string()];
        if let Some(short) = self.simple_name().strip_suffix("Connector")
            && !short.is_empty()
        {
            names.push(short.to_string());
        }
        names.extend(self.extra_aliases.iter().cloned());
        names
    }

    /// Whether `name` names this plugin (class name or alias, exact).
    pub fn matches(&self, name: &str) -> bool {
        self.class_name == name || self.aliases().iter().any(|a| a == name)
    }
}
