//! Reading configuration files: Java `.properties` for workers and connectors, and JSON
//! for connectors (`{"name": ..., "config": {...}}` as POSTed to the REST API, or a flat
//! map of keys to values).

use std::path::Path;

use connect_api::Props;

/// Why a configuration file could not be read.
#[derive(Debug, thiserror::Error)]
pub enum ConfigFileError {
    #[error("cannot read config file {path}")]
    Io {
        path: String,
        #[source]
        source: std::io::Error,
    },
    #[error("cannot parse properties file {path}")]
    Properties {
        path: String,
        #[source]
        source: java_properties::PropertiesError,
    },
    #[error("cannot parse JSON connector config {path}")]
    Json {
        path: String,
        #[source]
        source: serde_json::Error,
    },
    #[error("invalid connector config {path}: {reason}")]
    Shape { path: String, reason: String },
}

/// Reads a Java `.properties` file (with its escapes, continuations and comments).
pub fn load_properties(path: &Path) -> Result<Props, ConfigFileError> {
    let file = std::fs::File::open(path).map_err(|source| ConfigFileError::Io {
        path: path.display().to_string(),
        source,
    })?;
    let map = java_properties::read(std::io::BufReader::new(file)).map_err(|source| {
        ConfigFileError::Properties {
            path: path.display().to_string(),
            source,
        }
    })?;
    Ok(map.into_iter().collect())
}

/// Reads a connector config from a `.properties` or `.json` file (JSON is recognised by
/// the extension or by a leading `{`).
pub fn load_connector_config(path: &Path) -> Result<Props, ConfigFileError> {
    let text = std::fs::read_to_string(path).map_err(|source| ConfigFileError::Io {
        path: path.display().to_string(),
        source,
    })?;
    let is_json = path
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("json"))
        || text.trim_start().starts_with('{');
    if !is_json {
        return load_properties(path);
    }
    let value: serde_json::Value =
        serde_json::from_str(&text).map_err(|source| ConfigFileError::Json {
            path: path.display().to_string(),
            source,
        })?;
    connector_config_from_json(&value).map_err(|reason| ConfigFileError::Shape {
        path: path.display().to_string(),
        reason,
    })
}

/// Turns `{"name","config"}` or a flat JSON object into a config map; scalar values are
/// turned into their string form, as Kafka does for REST bodies.
pub fn connector_config_from_json(value: &serde_json::Value) -> Result<Props, String> {
    let object = value
        .as_object()
        .ok_or_else(|| "expected a JSON object".to_string())?;
    if let Some(config) = object.get("config") {
        let config = config
            .as_object()
            .ok_or_else(|| "\"config\" must be a JSON object".to_string())?;
        let mut props = json_object_to_props(config)?;
        if let Some(name) = object.get("name") {
            let name = name
                .as_str()
                .ok_or_else(|| "\"name\" must be a string".to_string())?;
            props
                .entry("name".to_string())
                .or_insert_with(|| name.to_string());
        }
        return Ok(props);
    }
    json_object_to_props(object)
}

fn json_object_to_props(
    object: &serde_json::Map<String, serde_json::Value>,
) -> Result<Props, String> {
    object
        .iter()
        .map(|(key, value)| {
            let text = match value {
                serde_json::Value::String(s) => s.clone(),
                serde_json::Value::Number(n) => n.to_string(),
                serde_json::Value::Bool(b) => b.to_string(),
                serde_json::Value::Null => {
                    return Err(format!("the value of \"{key}\" must not be null"));
                }
                _ => return Err(format!("the value of \"{key}\" must be a string")),
            };
            Ok((key.clone(), text))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    fn write(dir: &tempfile::TempDir, name: &str, text: &str) -> std::path::PathBuf {
        let path = dir.path().join(name);
        let mut file = std::fs::File::create(&path).expect("create");
        file.write_all(text.as_bytes()).expect("write");
        path
    }

    #[test]
    fn properties_files_follow_java_rules() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = write(
            &dir,
            "w.properties",
            "# comment\nbootstrap.servers=localhost:9092\nkey.converter = org.apache.kafka.connect.storage.StringConverter\nlong=a\\\n  b\n",
        );
        let props = load_properties(&path).expect("parse");
        assert_eq!(props["bootstrap.servers"], "localhost:9092");
        assert_eq!(
            props["key.converter"],
            "org.apache.kafka.connect.storage.StringConverter"
        );
        assert_eq!(props["long"], "ab");
    }

    #[test]
    fn json_connector_configs_in_both_shapes() {
        let dir = tempfile::tempdir().expect("tempdir");
        let nested = write(
            &dir,
            "c.json",
            r#"{"name":"src","config":{"connector.class":"FileStreamSource","tasks.max":1}}"#,
        );
        let props = load_connector_config(&nested).expect("parse");
        assert_eq!(props["name"], "src");
        assert_eq!(props["tasks.max"], "1");
        let flat = write(&dir, "flat.json", r#"{"name":"x","topic":"t"}"#);
        let props = load_connector_config(&flat).expect("parse");
        assert_eq!(props["topic"], "t");
        let bad = write(&dir, "bad.json", r#"{"name": [1]}"#);
        let err = load_connector_config(&bad).expect_err("array value");
        assert!(err.to_string().contains("\"name\""), "{err}");
    }
}
