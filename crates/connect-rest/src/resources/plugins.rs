//! `/connector-plugins/...` (Kafka's `ConnectorPluginsResource`).
//!
//! `GET /connector-plugins` lists connectors only unless `connectorsOnly=false`, which adds
//! converters, header converters, transformations and predicates. Validation compares the
//! body's `connector.class` with the plugin in the URL as Kafka does: both names lose a
//! trailing `Connector`, and the class must end with the URL's name, so a full class name,
//! its simple name and its alias all match (`org.acme.FileStreamSourceConnector`,
//! `FileStreamSourceConnector`, `FileStreamSource`).

use axum::Json;
use axum::Router;
use axum::extract::State;
use axum::routing::{get, put};
use serde_json::{Map, Value};

use connect_runtime::herder::entities::{ConfigInfos, ConfigKeyInfo, PluginInfo};

use crate::AppState;
use crate::error::ApiError;
use crate::extract::{JsonBody, PathParams, QueryParams, config_from_json};

type ApiResult<T> = Result<T, ApiError>;

const CONNECTOR_CLASS_CONFIG: &str = "connector.class";
const ALIAS_SUFFIX: &str = "Connector";

pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        .route("/connector-plugins", get(list_plugins))
        .route("/connector-plugins/", get(list_plugins))
        .route("/connector-plugins/{plugin}/config", get(plugin_config))
        .route(
            "/connector-plugins/{plugin}/config/validate",
            put(validate_config),
        )
}

async fn list_plugins(
    State(state): State<AppState>,
    query: QueryParams,
) -> ApiResult<Json<Vec<PluginInfo>>> {
    let connectors_only = query.bool("connectorsOnly", true)?;
    Ok(Json(state.herder.plugins(connectors_only)))
}

async fn plugin_config(
    State(state): State<AppState>,
    PathParams(plugin): PathParams<String>,
) -> ApiResult<Json<Vec<ConfigKeyInfo>>> {
    Ok(Json(state.herder.connector_plugin_config(&plugin)?))
}

/// `PUT /connector-plugins/{p}/config/validate`. A body without `connector.class` is
/// validated as the plugin in the URL (Kafka answers 400 "contains no connector type").
async fn validate_config(
    State(state): State<AppState>,
    PathParams(plugin): PathParams<String>,
    JsonBody(body): JsonBody<Map<String, Value>>,
) -> ApiResult<Json<ConfigInfos>> {
    let mut config = config_from_json(body)?;
    match config.get(CONNECTOR_CLASS_CONFIG) {
        Some(included) if !plugin_matches(included, &plugin) => {
            return Err(ApiError::bad_request(format!(
                "Included connector type {included} does not match request type {plugin}"
            )));
        }
        Some(_) => {}
        None => {
            config.insert(CONNECTOR_CLASS_CONFIG.to_owned(), plugin.clone());
        }
    }
    Ok(Json(state.herder.validate_connector_config(config).await?))
}

/// Kafka's `normalizedPluginName`: strips a trailing `Connector` unless that is all there is.
fn normalized_plugin_name(name: &str) -> &str {
    match name.strip_suffix(ALIAS_SUFFIX) {
        Some(stripped) if !stripped.is_empty() => stripped,
        _ => name,
    }
}

fn plugin_matches(included_class: &str, plugin: &str) -> bool {
    normalized_plugin_name(included_class).ends_with(normalized_plugin_name(plugin))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plugin_names_match_by_class_simple_name_and_alias() {
        let class = "org.apache.kafka.connect.file.FileStreamSourceConnector";
        assert!(plugin_matches(class, class));
        assert!(plugin_matches(class, "FileStreamSourceConnector"));
        assert!(plugin_matches(class, "FileStreamSource"));
        assert!(!plugin_matches(class, "FileStreamSink"));
        assert_eq!(normalized_plugin_name("Connector"), "Connector");
    }
}
