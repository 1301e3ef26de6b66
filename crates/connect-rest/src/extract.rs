//! Extractors that turn every malformed request into an [`ApiError`], and the lenient
//! reading of configuration maps that Kafka's Jackson does.
//!
//! axum's own `Json`, `Query` and `Path` answer a bad request with a plain-text body; these
//! wrappers answer with Kafka's `{"error_code","message"}` instead, and with a message that
//! says what is wrong (the line and column of a syntax error, the field of a type error).
//! The status is 400 where Kafka answers 500: Jackson's exceptions reach Kafka's generic
//! exception mapper, but the request is the client's mistake, and a 5xx makes clients and
//! proxies retry a request that can never succeed. A deliberate difference, listed in the
//! README and in the REST comparison test.
//!
//! Configuration maps are `Map<String, String>` in Kafka, and Jackson accepts scalar JSON
//! values for them: `{"tasks.max": 1}` and `{"errors.log.enable": true}` are read as the
//! strings `"1"` and `"true"`. Many existing connector JSON files rely on that, so
//! [`config_from_json`] does the same. Objects and arrays are rejected with the key that
//! holds them, never with the value (values can be secrets).

use axum::Json;
use axum::extract::{FromRequest, FromRequestParts, Path, Query, Request};
use axum::http::request::Parts;
use serde::de::DeserializeOwned;
use serde_json::{Map, Value};

use connect_api::Props;

use crate::error::ApiError;

/// A JSON request body; a missing content type, bad syntax or a wrong shape answer 415 or 400
/// in the REST API's error shape.
pub struct JsonBody<T>(pub T);

impl<S, T> FromRequest<S> for JsonBody<T>
where
    T: DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request(request: Request, state: &S) -> Result<Self, Self::Rejection> {
        let Json(value) = Json::<T>::from_request(request, state).await?;
        Ok(JsonBody(value))
    }
}

/// Path parameters, with rejections in the REST API's error shape.
pub struct PathParams<T>(pub T);

impl<S, T> FromRequestParts<S> for PathParams<T>
where
    T: DeserializeOwned + Send,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let Path(value) = Path::<T>::from_request_parts(parts, state).await?;
        Ok(PathParams(value))
    }
}

/// The query string as an ordered list of pairs, so that a parameter may repeat
/// (`?expand=status&expand=info`).
pub struct QueryParams(pub Vec<(String, String)>);

impl<S> FromRequestParts<S> for QueryParams
where
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        let Query(pairs) = Query::<Vec<(String, String)>>::try_from_uri(&parts.uri)?;
        Ok(QueryParams(pairs))
    }
}

impl QueryParams {
    pub fn contains(&self, name: &str) -> bool {
        self.0.iter().any(|(key, _)| key == name)
    }

    /// Every value of a repeated parameter, in request order.
    pub fn all<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a str> + 'a {
        self.0
            .iter()
            .filter(move |(key, _)| key == name)
            .map(|(_, value)| value.as_str())
    }

    /// The first value of a parameter, as JAX-RS's `@QueryParam` reads it.
    pub fn first(&self, name: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(key, _)| key == name)
            .map(|(_, value)| value.as_str())
    }

    /// A boolean parameter as Jersey reads Kafka's `@QueryParam boolean`: `true` in any case
    /// is true, `default` when absent, anything else false. A value that is neither `true`
    /// nor `false` is logged, since `includeTasks=yes` then means false: scripts written
    /// against Kafka Connect get the same answer here, and the operator sees why.
    pub fn bool(&self, name: &str, default: bool) -> Result<bool, ApiError> {
        match self.first(name) {
            None => Ok(default),
            Some(value) if value.eq_ignore_ascii_case("true") => Ok(true),
            Some(value) if value.eq_ignore_ascii_case("false") => Ok(false),
            Some(value) => {
                tracing::warn!(
                    parameter = name,
                    value,
                    "query parameter is neither true nor false; read as false, as Kafka Connect does"
                );
                Ok(false)
            }
        }
    }
}

/// A scalar JSON value as Kafka's Jackson reads it into a `String`; `None` for `null`.
fn scalar_to_string(key: &str, value: Value) -> Result<Option<String>, ApiError> {
    match value {
        Value::Null => Ok(None),
        Value::String(text) => Ok(Some(text)),
        Value::Bool(flag) => Ok(Some(flag.to_string())),
        Value::Number(number) => Ok(Some(number.to_string())),
        Value::Array(_) | Value::Object(_) => Err(ApiError::bad_request(format!(
            "Configuration value for '{key}' must be a string, number or boolean"
        ))),
    }
}

/// A full connector configuration (`POST /connectors`, `PUT .../config`, validate): every
/// value a scalar, none `null`.
pub fn config_from_json(map: Map<String, Value>) -> Result<Props, ApiError> {
    let mut props = Props::new();
    for (key, value) in map {
        match scalar_to_string(&key, value)? {
            Some(text) => {
                props.insert(key, text);
            }
            None => {
                return Err(ApiError::bad_request(format!(
                    "Configuration value for '{key}' must not be null"
                )));
            }
        }
    }
    Ok(props)
}

/// A configuration patch (`PATCH .../config`): `null` removes the key.
pub fn config_patch_from_json(
    map: Map<String, Value>,
) -> Result<std::collections::BTreeMap<String, Option<String>>, ApiError> {
    map.into_iter()
        .map(|(key, value)| {
            let text = scalar_to_string(&key, value)?;
            Ok((key, text))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn object(value: Value) -> Map<String, Value> {
        match value {
            Value::Object(map) => map,
            _ => Map::new(),
        }
    }

    #[test]
    fn scalars_become_strings_like_jackson() {
        let props = config_from_json(object(json!({
            "tasks.max": 2,
            "errors.log.enable": true,
            "topic": "t",
            "ratio": 1.5
        })));
        let expected: Props = [
            ("errors.log.enable", "true"),
            ("ratio", "1.5"),
            ("tasks.max", "2"),
            ("topic", "t"),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
        .collect();
        assert_eq!(props.ok(), Some(expected));
    }

    #[test]
    fn nested_values_and_nulls_are_rejected_without_echoing_them() {
        let nested = config_from_json(object(json!({"password": {"secret": "s3cr3t"}})));
        let message = nested
            .err()
            .map(|e| e.message().to_owned())
            .unwrap_or_default();
        assert_eq!(
            message,
            "Configuration value for 'password' must be a string, number or boolean"
        );
        assert!(!message.contains("s3cr3t"));

        let null = config_from_json(object(json!({"topic": null})));
        assert_eq!(
            null.err().map(|e| e.message().to_owned()).as_deref(),
            Some("Configuration value for 'topic' must not be null")
        );
    }

    #[test]
    fn patch_keeps_nulls_as_removals() {
        let patch = config_patch_from_json(object(json!({"a": null, "b": 3})));
        let expected = [
            ("a".to_owned(), None),
            ("b".to_owned(), Some("3".to_owned())),
        ]
        .into_iter()
        .collect();
        assert_eq!(patch.ok(), Some(expected));
    }
}
