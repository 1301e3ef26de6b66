//! `DropHeaders`: removes the headers with the configured names.

use std::marker::PhantomData;

use connect_api::config::{ConfigDef, ConfigKey, ConfigType, Importance};
use connect_api::transforms::Transformation;
use connect_api::{ConnectRecord, ConnectResult, Headers, Props};

use crate::util::{not_configured, parse_config};

pub const OVERVIEW_DOC: &str = "Removes one or more headers from each record.";
pub const HEADERS_FIELD: &str = "headers";

pub fn config_def() -> ConfigDef {
    ConfigDef::new().define(
        ConfigKey::new(HEADERS_FIELD, ConfigType::List)
            .validator(
                connect_api::config::validators::ValidList::any_non_duplicate_values(false, false),
            )
            .importance(Importance::High)
            .doc("The name of the headers to be removed."),
    )
}

/// Kafka's `DropHeaders`.
pub struct DropHeaders<R> {
    headers: Option<Vec<String>>,
    _record: PhantomData<fn() -> R>,
}

impl<R> DropHeaders<R> {
    pub fn new() -> Self {
        DropHeaders {
            headers: None,
            _record: PhantomData,
        }
    }
}

impl<R> Default for DropHeaders<R> {
    fn default() -> Self {
        Self::new()
    }
}

impl<R: ConnectRecord> Transformation<R> for DropHeaders<R> {
    fn config_def(&self) -> ConfigDef {
        config_def()
    }

    fn configure(&mut self, props: &Props) -> ConnectResult<()> {
        let parsed = parse_config(&config_def(), props)?;
        self.headers = Some(parsed.list(HEADERS_FIELD).unwrap_or_default().to_vec());
        Ok(())
    }

    fn apply(&self, record: R) -> ConnectResult<Option<R>> {
        let names = self
            .headers
            .as_ref()
            .ok_or_else(|| not_configured("DropHeaders"))?;
        let updated: Headers = record
            .headers()
            .iter()
            .filter(|h| !names.contains(&h.key))
            .cloned()
            .collect();
        let mut record = record;
        *record.headers_mut() = updated;
        Ok(Some(record))
    }
}
