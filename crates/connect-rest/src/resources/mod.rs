//! The REST resources, one module per Kafka `rest/resources` class, each with its routes
//! next to its handlers.

pub mod connectors;
pub mod loggers;
pub mod plugins;
pub mod root;
