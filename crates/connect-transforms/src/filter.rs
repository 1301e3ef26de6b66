//! `Filter`: drops every record it sees. It is meant to be used with a predicate
//! (`transforms.<alias>.predicate`, optionally `.negate`), so that only the records the
//! predicate selects are dropped.

use std::marker::PhantomData;

use connect_api::config::ConfigDef;
use connect_api::transforms::Transformation;
use connect_api::{ConnectRecord, ConnectResult, Props};

use crate::util::parse_config;

pub const OVERVIEW_DOC: &str = "Drops all records, filtering them from subsequent transformations in the chain. This is intended to be used conditionally to filter out records matching (or not matching) a particular Predicate.";

pub fn config_def() -> ConfigDef {
    ConfigDef::new()
}

/// Kafka's `Filter`.
pub struct Filter<R> {
    _record: PhantomData<fn() -> R>,
}

impl<R> Filter<R> {
    pub fn new() -> Self {
        Filter {
            _record: PhantomData,
        }
    }
}

impl<R> Default for Filter<R> {
    fn default() -> Self {
        Self::new()
    }
}

impl<R: ConnectRecord> Transformation<R> for Filter<R> {
    fn config_def(&self) -> ConfigDef {
        config_def()
    }

    fn configure(&mut self, props: &Props) -> ConnectResult<()> {
        parse_config(&config_def(), props).map(|_| ())
    }

    fn apply(&self, _record: R) -> ConnectResult<Option<R>> {
        Ok(None)
    }
}
