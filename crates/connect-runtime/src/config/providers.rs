//! Config providers (Kafka's KIP-297 `ConfigProvider`s and `ConfigTransformer`).
//!
//! A connector config may hold placeholders instead of secrets:
//!
//! ```properties
//! private_key=${file:/etc/tributary/sheets.properties:private_key}
//! api.key=${env:SHEETS_API_KEY}
//! password=${dir:/run/secrets:db-password}
//! ```
//!
//! The worker declares which providers exist, with Kafka's keys:
//!
//! ```properties
//! config.providers=file,env,dir
//! config.providers.file.class=org.apache.kafka.common.config.provider.FileConfigProvider
//! config.providers.env.class=org.apache.kafka.common.config.provider.EnvVarConfigProvider
//! config.providers.dir.class=org.apache.kafka.common.config.provider.DirectoryConfigProvider
//! ```
//!
//! Placeholders are stored, shown by the REST API and written to the configs file as they
//! are; they are resolved only when a connector or task starts. Task configs a connector
//! derives from resolved values are turned back into placeholders before they are stored
//! ([`ConfigTransformer::reverse_transform`]), so a secret never reaches any store or REST
//! answer. A placeholder whose provider is not declared, or whose key is missing, is left
//! as is (Kafka does the same) and a warning names the config key, never the value.

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::{Arc, LazyLock};

use connect_api::Props;
use connect_api::config::ConfigError;
use regex::Regex;

pub const CONFIG_PROVIDERS: &str = "config.providers";
pub const FILE_PROVIDER_CLASS: &str = "org.apache.kafka.common.config.provider.FileConfigProvider";
pub const ENV_PROVIDER_CLASS: &str = "org.apache.kafka.common.config.provider.EnvVarConfigProvider";
pub const DIRECTORY_PROVIDER_CLASS: &str =
    "org.apache.kafka.common.config.provider.DirectoryConfigProvider";

/// `${provider:[path:]key}`, as Kafka's `ConfigTransformer.DEFAULT_PATTERN`.
static PLACEHOLDER: LazyLock<Option<Regex>> =
    LazyLock::new(|| Regex::new(r"\$\{([^}]*?):(([^}]*?):)?([^}]*?)\}").ok());

/// Supplies values for placeholders (Kafka's `ConfigProvider`).
pub trait ConfigProvider: Send + Sync {
    /// The values of `keys` at `path` (`path` is empty when the placeholder has none).
    /// Missing keys are simply absent from the answer.
    fn get(&self, path: &str, keys: &[String]) -> Result<BTreeMap<String, String>, String>;
}

/// Keys of a Java properties file (`${file:/path/to/file.properties:key}`).
pub struct FileConfigProvider;

impl ConfigProvider for FileConfigProvider {
    fn get(&self, path: &str, keys: &[String]) -> Result<BTreeMap<String, String>, String> {
        if path.is_empty() {
            return Ok(BTreeMap::new());
        }
        let file = std::fs::File::open(path).map_err(|e| format!("cannot read {path}: {e}"))?;
        let all = java_properties::read(std::io::BufReader::new(file))
            .map_err(|e| format!("cannot parse {path}: {e}"))?;
        Ok(keys
            .iter()
            .filter_map(|k| all.get(k).map(|v| (k.clone(), v.clone())))
            .collect())
    }
}

/// Environment variables (`${env:NAME}`); an optional allow-list pattern
/// (`config.providers.env.param.allowlist.pattern`) limits which variables may be read.
pub struct EnvVarConfigProvider {
    allowlist: Option<Regex>,
}

impl ConfigProvider for EnvVarConfigProvider {
    fn get(&self, _path: &str, keys: &[String]) -> Result<BTreeMap<String, String>, String> {
        Ok(keys
            .iter()
            .filter(|k| self.allowlist.as_ref().is_none_or(|re| re.is_match(k)))
            .filter_map(|k| std::env::var(k).ok().map(|v| (k.clone(), v)))
            .collect())
    }
}

/// Files of a directory, one value per file (`${dir:/run/secrets:db-password}`), as
/// Kubernetes and Docker mount secrets.
pub struct DirectoryConfigProvider;

impl ConfigProvider for DirectoryConfigProvider {
    fn get(&self, path: &str, keys: &[String]) -> Result<BTreeMap<String, String>, String> {
        let dir = Path::new(path);
        Ok(keys
            .iter()
            .filter(|k| !k.contains('/') && !k.contains(".."))
            .filter_map(|k| {
                std::fs::read_to_string(dir.join(k))
                    .ok()
                    .map(|v| (k.clone(), v))
            })
            .collect())
    }
}

/// Resolves placeholders with the providers a worker declares.
#[derive(Clone, Default)]
pub struct ConfigTransformer {
    providers: BTreeMap<String, Arc<dyn ConfigProvider>>,
}

impl std::fmt::Debug for ConfigTransformer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ConfigTransformer")
            .field("providers", &self.providers.keys().collect::<Vec<_>>())
            .finish()
    }
}

impl ConfigTransformer {
    /// Builds the providers named by `config.providers` in the worker config.
    pub fn from_worker_props(props: &Props) -> Result<Self, ConfigError> {
        let names: Vec<String> = props
            .get(CONFIG_PROVIDERS)
            .map(|v| {
                v.split(',')
                    .map(|s| s.trim().to_string())
                    .filter(|s| !s.is_empty())
                    .collect()
            })
            .unwrap_or_default();
        let mut providers: BTreeMap<String, Arc<dyn ConfigProvider>> = BTreeMap::new();
        for name in names {
            let class_key = format!("{CONFIG_PROVIDERS}.{name}.class");
            let Some(class) = props.get(&class_key).map(|c| c.trim().to_string()) else {
                return Err(ConfigError::Missing { name: class_key });
            };
            let simple = class.rsplit('.').next().unwrap_or(&class);
            let provider: Arc<dyn ConfigProvider> = match simple {
                "FileConfigProvider" => Arc::new(FileConfigProvider),
                "DirectoryConfigProvider" => Arc::new(DirectoryConfigProvider),
                "EnvVarConfigProvider" => {
                    let pattern_key = format!("{CONFIG_PROVIDERS}.{name}.param.allowlist.pattern");
                    let allowlist = match props.get(&pattern_key) {
                        Some(pattern) => Some(Regex::new(pattern).map_err(|e| {
                            ConfigError::invalid(
                                pattern_key.clone(),
                                pattern.clone(),
                                e.to_string(),
                            )
                        })?),
                        None => None,
                    };
                    Arc::new(EnvVarConfigProvider { allowlist })
                }
                _ => {
                    return Err(ConfigError::invalid(
                        class_key,
                        class.clone(),
                        format!(
                            "unknown config provider; available: {FILE_PROVIDER_CLASS}, {ENV_PROVIDER_CLASS}, {DIRECTORY_PROVIDER_CLASS}"
                        ),
                    ));
                }
            };
            providers.insert(name, provider);
        }
        Ok(ConfigTransformer { providers })
    }

    pub fn is_empty(&self) -> bool {
        self.providers.is_empty()
    }

    /// Whether a value holds a placeholder.
    pub fn has_placeholder(value: &str) -> bool {
        PLACEHOLDER.as_ref().is_some_and(|re| re.is_match(value))
    }

    /// Replaces every resolvable placeholder with its value.
    pub fn transform(&self, props: &Props) -> Props {
        let Some(pattern) = PLACEHOLDER.as_ref() else {
            return props.clone();
        };
        props
            .iter()
            .map(|(key, value)| {
                if !pattern.is_match(value) {
                    return (key.clone(), value.clone());
                }
                let resolved = pattern.replace_all(value, |caps: &regex::Captures<'_>| {
                    let whole = caps.get(0).map_or("", |m| m.as_str()).to_string();
                    let provider_name = caps.get(1).map_or("", |m| m.as_str());
                    let path = caps.get(3).map_or("", |m| m.as_str());
                    let variable = caps.get(4).map_or("", |m| m.as_str()).to_string();
                    let Some(provider) = self.providers.get(provider_name) else {
                        tracing::warn!(config_key = %key, provider = provider_name, "placeholder names an undeclared config provider; left unresolved");
                        return whole;
                    };
                    match provider.get(path, std::slice::from_ref(&variable)) {
                        Ok(mut found) => found.remove(&variable).unwrap_or_else(|| {
                            tracing::warn!(config_key = %key, provider = provider_name, "config provider has no value for the placeholder; left unresolved");
                            whole
                        }),
                        Err(reason) => {
                            tracing::warn!(config_key = %key, provider = provider_name, %reason, "config provider failed; placeholder left unresolved");
                            whole
                        }
                    }
                });
                (key.clone(), resolved.into_owned())
            })
            .collect()
    }

    /// Turns values of `resolved_task` that came from a placeholder of `raw_connector`
    /// (same key, equal to the resolved value) back into the placeholder, so that task
    /// configs can be stored and shown without secrets (Kafka's `reverseTransform`).
    pub fn reverse_transform(&self, raw_connector: &Props, resolved_task: Props) -> Props {
        let resolved_connector = self.transform(raw_connector);
        resolved_task
            .into_iter()
            .map(|(key, value)| match raw_connector.get(&key) {
                Some(raw)
                    if Self::has_placeholder(raw)
                        && resolved_connector.get(&key) == Some(&value) =>
                {
                    (key, raw.clone())
                }
                _ => (key, value),
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn props(pairs: &[(&str, &str)]) -> Props {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn file_and_directory_providers_resolve_and_reverse() {
        let dir = tempfile::tempdir().expect("tempdir");
        let file = dir.path().join("creds.properties");
        std::fs::write(&file, "private_key=-----BEGIN KEY-----\\nabc\nuser=svc\n").expect("write");
        std::fs::write(dir.path().join("db-password"), "s3cret").expect("write");
        let transformer = ConfigTransformer::from_worker_props(&props(&[
            ("config.providers", "file, dir"),
            ("config.providers.file.class", FILE_PROVIDER_CLASS),
            ("config.providers.dir.class", "DirectoryConfigProvider"),
        ]))
        .expect("providers");
        let raw = props(&[
            ("key", &format!("${{file:{}:private_key}}", file.display())),
            (
                "greeting",
                &format!("hello ${{file:{}:user}}!", file.display()),
            ),
            (
                "password",
                &format!("${{dir:{}:db-password}}", dir.path().display()),
            ),
            ("missing", "${file:/nonexistent:x}"),
            ("undeclared", "${vault:secret/x:y}"),
            ("plain", "value"),
        ]);
        let resolved = transformer.transform(&raw);
        assert_eq!(resolved["key"], "-----BEGIN KEY-----\nabc");
        assert_eq!(resolved["greeting"], "hello svc!");
        assert_eq!(resolved["password"], "s3cret");
        assert_eq!(resolved["missing"], "${file:/nonexistent:x}");
        assert_eq!(resolved["undeclared"], "${vault:secret/x:y}");
        assert_eq!(resolved["plain"], "value");
        let task = props(&[
            ("key", "-----BEGIN KEY-----\nabc"),
            ("plain", "value"),
            ("extra", "x"),
        ]);
        let stored = transformer.reverse_transform(&raw, task);
        assert_eq!(stored["key"], raw["key"]);
        assert_eq!(stored["extra"], "x");
    }

    #[test]
    fn env_provider_honours_its_allowlist() {
        // PATH is set in every test environment.
        let transformer = ConfigTransformer::from_worker_props(&props(&[
            ("config.providers", "env"),
            ("config.providers.env.class", ENV_PROVIDER_CLASS),
            ("config.providers.env.param.allowlist.pattern", "^P.*"),
        ]))
        .expect("providers");
        let resolved = transformer.transform(&props(&[("a", "${env:PATH}"), ("b", "${env:HOME}")]));
        assert_eq!(resolved["a"], std::env::var("PATH").unwrap_or_default());
        assert_eq!(resolved["b"], "${env:HOME}");
    }

    #[test]
    fn bad_provider_declarations_name_the_key() {
        let err = ConfigTransformer::from_worker_props(&props(&[("config.providers", "x")]))
            .expect_err("class missing");
        assert!(
            err.to_string().contains("config.providers.x.class"),
            "{err}"
        );
        let err = ConfigTransformer::from_worker_props(&props(&[
            ("config.providers", "x"),
            ("config.providers.x.class", "com.example.Vault"),
        ]))
        .expect_err("unknown class");
        assert!(
            err.to_string().contains("config.providers.x.class"),
            "{err}"
        );
    }
}
