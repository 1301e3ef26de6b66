//! Kafka's client configs, as librdkafka understands them.
//!
//! A Kafka Connect user configures the worker's clients with the Java client's keys:
//! `producer.security.protocol=SASL_SSL`, `producer.ssl.truststore.location=/etc/kafka/
//! truststore.jks`, `producer.sasl.jaas.config=org.apache.kafka.common.security.scram.
//! ScramLoginModule required username="connect" password="...";`. Tributary's clients are
//! librdkafka, which shares many keys with the Java client (`acks`, `linger.ms`,
//! `compression.type`, `security.protocol`) but not the security ones: it reads PEM, not
//! key stores, and takes `sasl.username`/`sasl.password` rather than a JAAS line. Existing
//! configs must work unchanged, so every client config goes through [`to_librdkafka`]:
//!
//! - keys both clients share pass through, values checked where librdkafka's differ
//!   (`security.protocol`, `compression.type`, `ssl.endpoint.identification.algorithm`,
//!   where Kafka's empty string means librdkafka's `none`);
//! - `ssl.truststore.*` and `ssl.keystore.*` (JKS, PKCS12, PEM files, or Kafka's inline
//!   `ssl.truststore.certificates` / `ssl.keystore.key` / `ssl.keystore.certificate.chain`)
//!   are read ([`crate::keystores`]) into `ssl.ca.pem`, `ssl.certificate.pem`, `ssl.key.pem`;
//! - `sasl.mechanism` becomes `sasl.mechanisms`, and `sasl.jaas.config` is parsed: Kafka's
//!   `PlainLoginModule` and `ScramLoginModule` give `sasl.username`/`sasl.password`,
//!   `OAuthBearerLoginModule` gives the OIDC client credentials (with
//!   `sasl.oauthbearer.token.endpoint.url`), or librdkafka's unsecured JWT for its
//!   `unsecuredLoginStringClaim_sub` development form;
//! - keys Kafka Connect sets itself (serializers, deserializers) are dropped, as Kafka
//!   overrides them too;
//! - Java keys librdkafka cannot honour (`interceptor.classes`, `max.block.ms`,
//!   Kerberos, ...) are an error naming the key, never a silent drop; so is any other key
//!   librdkafka does not know, which [`check`] finds by building the client config.
//!
//! Errors never carry a secret: the value of a password, a key or a JAAS line is not
//! repeated in any message.

use std::collections::BTreeMap;
use std::path::Path;

use crate::keystores::{self, StoreType};

/// A client config key that cannot be honoured, and why.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("Invalid value for configuration {key}: {reason}")]
pub struct ClientConfigError {
    /// The Kafka key (as the user wrote it, without the `producer.` prefix).
    pub key: String,
    pub reason: String,
}

impl ClientConfigError {
    fn new(key: &str, reason: impl Into<String>) -> ClientConfigError {
        ClientConfigError {
            key: key.to_owned(),
            reason: reason.into(),
        }
    }
}

/// Keys whose values are secrets: never shown in messages.
pub const SECRET_KEYS: [&str; 8] = [
    "sasl.jaas.config",
    "ssl.keystore.password",
    "ssl.key.password",
    "ssl.truststore.password",
    "ssl.keystore.key",
    "sasl.oauthbearer.client.secret",
    "sasl.password",
    "ssl.key.pem",
];

/// True for a client key whose value is a secret (also under `producer.` and the like).
pub fn is_secret_key(key: &str) -> bool {
    SECRET_KEYS
        .iter()
        .any(|secret| key == *secret || key.ends_with(&format!(".{secret}")))
}

/// Keys Kafka Connect sets for its clients whatever the user says: dropped.
const FORCED_BY_CONNECT: [&str; 4] = [
    "key.serializer",
    "value.serializer",
    "key.deserializer",
    "value.deserializer",
];

/// Java client keys librdkafka has no equivalent for.
const UNSUPPORTED: [(&str, &str); 12] = [
    (
        "interceptor.classes",
        "client interceptors are Java classes",
    ),
    (
        "metric.reporters",
        "client metric reporters are Java classes",
    ),
    (
        "partitioner.class",
        "partitioners are Java classes; use librdkafka's `partitioner`",
    ),
    ("max.block.ms", "librdkafka's producer never blocks a send"),
    (
        "sasl.kerberos.service.name",
        "this build has no GSSAPI (Kerberos)",
    ),
    (
        "sasl.kerberos.kinit.cmd",
        "this build has no GSSAPI (Kerberos)",
    ),
    ("sasl.login.class", "login classes are Java classes"),
    ("ssl.keymanager.algorithm", "key managers are Java's"),
    ("ssl.trustmanager.algorithm", "trust managers are Java's"),
    (
        "ssl.secure.random.implementation",
        "random generators are Java's",
    ),
    ("ssl.engine.factory.class", "SSL engines are Java classes"),
    ("ssl.provider", "security providers are Java's"),
];

/// Kafka's OIDC login callback handlers: librdkafka's own `oidc` method does their work.
const OIDC_HANDLERS: [&str; 2] = [
    "org.apache.kafka.common.security.oauthbearer.OAuthBearerLoginCallbackHandler",
    "org.apache.kafka.common.security.oauthbearer.secured.OAuthBearerLoginCallbackHandler",
];

/// The layers merged (the last one that has a key wins), then translated.
pub fn to_librdkafka(
    layers: &[&BTreeMap<String, String>],
) -> Result<BTreeMap<String, String>, ClientConfigError> {
    let mut merged = BTreeMap::new();
    for layer in layers {
        for (key, value) in layer.iter() {
            merged.insert(key.clone(), value.clone());
        }
    }
    translate(merged)
}

fn translate(
    mut kafka: BTreeMap<String, String>,
) -> Result<BTreeMap<String, String>, ClientConfigError> {
    let mut out = BTreeMap::new();
    for key in FORCED_BY_CONNECT {
        kafka.remove(key);
    }
    for (key, reason) in UNSUPPORTED {
        if kafka.contains_key(key) {
            return Err(ClientConfigError::new(
                key,
                format!("not supported by Tributary's Kafka client (librdkafka): {reason}"),
            ));
        }
    }
    if let Some(protocol) = kafka.remove("security.protocol") {
        let upper = protocol.trim().to_ascii_uppercase();
        if !matches!(
            upper.as_str(),
            "PLAINTEXT" | "SSL" | "SASL_PLAINTEXT" | "SASL_SSL"
        ) {
            return Err(ClientConfigError::new(
                "security.protocol",
                format!("{protocol} is not one of PLAINTEXT, SSL, SASL_PLAINTEXT, SASL_SSL"),
            ));
        }
        out.insert("security.protocol".to_owned(), upper);
    }
    if let Some(codec) = kafka.remove("compression.type") {
        let lower = codec.trim().to_ascii_lowercase();
        if !matches!(lower.as_str(), "none" | "gzip" | "snappy" | "lz4" | "zstd") {
            return Err(ClientConfigError::new(
                "compression.type",
                format!("{codec} is not one of none, gzip, snappy, lz4, zstd"),
            ));
        }
        out.insert("compression.type".to_owned(), lower);
    }
    if let Some(algorithm) = kafka.remove("ssl.endpoint.identification.algorithm") {
        let value = match algorithm.trim().to_ascii_lowercase().as_str() {
            "" | "none" => "none",
            "https" => "https",
            _ => {
                return Err(ClientConfigError::new(
                    "ssl.endpoint.identification.algorithm",
                    format!("{algorithm} is not https or empty"),
                ));
            }
        };
        out.insert(
            "ssl.endpoint.identification.algorithm".to_owned(),
            value.to_owned(),
        );
    }
    // TLS protocol choices: OpenSSL negotiates the best of TLS 1.2 and 1.3, which is what
    // Kafka's defaults allow; other choices cannot be honoured.
    for key in ["ssl.protocol", "ssl.enabled.protocols"] {
        if let Some(value) = kafka.remove(key) {
            let allowed = value
                .split(',')
                .map(str::trim)
                .all(|protocol| matches!(protocol, "TLSv1.2" | "TLSv1.3" | "TLS"));
            if !allowed {
                return Err(ClientConfigError::new(
                    key,
                    format!("{value}: only TLSv1.2 and TLSv1.3 are supported"),
                ));
            }
        }
    }
    translate_truststore(&mut kafka, &mut out)?;
    translate_keystore(&mut kafka, &mut out)?;
    translate_sasl(&mut kafka, &mut out)?;
    // Everything else passes through; librdkafka refuses keys it does not know (see
    // `check`).
    for (key, value) in kafka {
        out.insert(key, value);
    }
    Ok(out)
}

fn store_type(
    kafka: &mut BTreeMap<String, String>,
    key: &str,
) -> Result<StoreType, ClientConfigError> {
    match kafka.remove(key) {
        None => Ok(StoreType::Jks),
        Some(name) => {
            StoreType::parse(&name).map_err(|error| ClientConfigError::new(key, error.to_string()))
        }
    }
}

fn translate_truststore(
    kafka: &mut BTreeMap<String, String>,
    out: &mut BTreeMap<String, String>,
) -> Result<(), ClientConfigError> {
    let kind = store_type(kafka, "ssl.truststore.type")?;
    let password = kafka.remove("ssl.truststore.password");
    if let Some(pem) = kafka.remove("ssl.truststore.certificates") {
        out.insert("ssl.ca.pem".to_owned(), pem);
    }
    let Some(location) = kafka.remove("ssl.truststore.location") else {
        return Ok(());
    };
    let contents = keystores::read_store(
        Path::new(&location),
        kind,
        password.as_deref().filter(|password| !password.is_empty()),
        None,
    )
    .map_err(|error| ClientConfigError::new("ssl.truststore.location", error.to_string()))?;
    if contents.certificates.is_empty() {
        return Err(ClientConfigError::new(
            "ssl.truststore.location",
            format!("{location} holds no certificate"),
        ));
    }
    out.insert("ssl.ca.pem".to_owned(), contents.certificates.concat());
    Ok(())
}

fn translate_keystore(
    kafka: &mut BTreeMap<String, String>,
    out: &mut BTreeMap<String, String>,
) -> Result<(), ClientConfigError> {
    let kind = store_type(kafka, "ssl.keystore.type")?;
    let password = kafka.remove("ssl.keystore.password");
    let key_password = kafka.remove("ssl.key.password");
    if let Some(key) = kafka.remove("ssl.keystore.key") {
        // Kafka's inline PEM key (and chain), possibly encrypted with ssl.key.password.
        let contents =
            keystores::read_pem(key.as_bytes(), "ssl.keystore.key", key_password.as_deref())
                .map_err(|error| ClientConfigError::new("ssl.keystore.key", error.to_string()))?;
        let key = contents
            .private_key
            .ok_or_else(|| ClientConfigError::new("ssl.keystore.key", "holds no private key"))?;
        out.insert("ssl.key.pem".to_owned(), key);
        if let Some(chain) = kafka.remove("ssl.keystore.certificate.chain") {
            out.insert("ssl.certificate.pem".to_owned(), chain);
        }
    }
    let Some(location) = kafka.remove("ssl.keystore.location") else {
        return Ok(());
    };
    let contents = keystores::read_store(
        Path::new(&location),
        kind,
        password.as_deref(),
        key_password.as_deref(),
    )
    .map_err(|error| ClientConfigError::new("ssl.keystore.location", error.to_string()))?;
    let key = contents.private_key.ok_or_else(|| {
        ClientConfigError::new(
            "ssl.keystore.location",
            format!("{location} holds no private key"),
        )
    })?;
    if contents.certificates.is_empty() {
        return Err(ClientConfigError::new(
            "ssl.keystore.location",
            format!("{location} holds no certificate for its key"),
        ));
    }
    out.insert("ssl.key.pem".to_owned(), key);
    out.insert(
        "ssl.certificate.pem".to_owned(),
        contents.certificates.concat(),
    );
    Ok(())
}

fn translate_sasl(
    kafka: &mut BTreeMap<String, String>,
    out: &mut BTreeMap<String, String>,
) -> Result<(), ClientConfigError> {
    let mechanism = kafka
        .remove("sasl.mechanism")
        .or_else(|| kafka.remove("sasl.mechanisms"))
        .map(|mechanism| mechanism.trim().to_ascii_uppercase());
    if let Some(mechanism) = &mechanism {
        if !matches!(
            mechanism.as_str(),
            "PLAIN" | "SCRAM-SHA-256" | "SCRAM-SHA-512" | "OAUTHBEARER"
        ) {
            return Err(ClientConfigError::new(
                "sasl.mechanism",
                format!(
                    "{mechanism} is not supported: use PLAIN, SCRAM-SHA-256, SCRAM-SHA-512 or OAUTHBEARER"
                ),
            ));
        }
        out.insert("sasl.mechanisms".to_owned(), mechanism.clone());
    }
    if let Some(handler) = kafka.remove("sasl.login.callback.handler.class")
        && !OIDC_HANDLERS.contains(&handler.trim())
    {
        return Err(ClientConfigError::new(
            "sasl.login.callback.handler.class",
            format!("{handler} is a Java class; only Kafka's OIDC handler is understood"),
        ));
    }
    if let Some(url) = kafka.remove("sasl.oauthbearer.token.endpoint.url") {
        out.insert("sasl.oauthbearer.token.endpoint.url".to_owned(), url);
    }
    let Some(jaas) = kafka.remove("sasl.jaas.config") else {
        return Ok(());
    };
    let login = JaasLogin::parse(&jaas)
        .map_err(|reason| ClientConfigError::new("sasl.jaas.config", reason))?;
    let option = |name: &str| login.options.get(name).cloned();
    match login.module.rsplit('.').next().unwrap_or_default() {
        "PlainLoginModule" | "ScramLoginModule" => {
            let (Some(username), Some(password)) = (option("username"), option("password")) else {
                return Err(ClientConfigError::new(
                    "sasl.jaas.config",
                    format!("{} needs username and password", login.module),
                ));
            };
            out.insert("sasl.username".to_owned(), username);
            out.insert("sasl.password".to_owned(), password);
        }
        "OAuthBearerLoginModule" => {
            if let Some(subject) = option("unsecuredLoginStringClaim_sub") {
                out.insert(
                    "enable.sasl.oauthbearer.unsecure.jwt".to_owned(),
                    "true".to_owned(),
                );
                out.insert(
                    "sasl.oauthbearer.config".to_owned(),
                    format!("principal={subject}"),
                );
            } else {
                let (Some(client_id), Some(secret)) = (option("clientId"), option("clientSecret"))
                else {
                    return Err(ClientConfigError::new(
                        "sasl.jaas.config",
                        "OAuthBearerLoginModule needs clientId and clientSecret (or unsecuredLoginStringClaim_sub)",
                    ));
                };
                if !out.contains_key("sasl.oauthbearer.token.endpoint.url") {
                    return Err(ClientConfigError::new(
                        "sasl.oauthbearer.token.endpoint.url",
                        "must be set for OAUTHBEARER with client credentials",
                    ));
                }
                out.insert("sasl.oauthbearer.method".to_owned(), "oidc".to_owned());
                out.insert("sasl.oauthbearer.client.id".to_owned(), client_id);
                out.insert("sasl.oauthbearer.client.secret".to_owned(), secret);
                if let Some(scope) = option("scope") {
                    out.insert("sasl.oauthbearer.scope".to_owned(), scope);
                }
            }
        }
        _ => {
            return Err(ClientConfigError::new(
                "sasl.jaas.config",
                format!(
                    "login module {} is not supported: use PlainLoginModule, ScramLoginModule or OAuthBearerLoginModule",
                    login.module
                ),
            ));
        }
    }
    Ok(())
}

/// One JAAS login entry as Kafka writes it in `sasl.jaas.config`:
/// `<module class> <flag> [name=value ...];` with values quoted or bare.
#[derive(Debug, PartialEq, Eq)]
pub struct JaasLogin {
    pub module: String,
    pub flag: String,
    pub options: BTreeMap<String, String>,
}

impl JaasLogin {
    /// Parses a JAAS line; the error never repeats option values (they hold passwords).
    pub fn parse(text: &str) -> Result<JaasLogin, String> {
        let mut rest = text.trim();
        let word = |rest: &mut &str| -> Option<String> {
            let trimmed = rest.trim_start();
            let end = trimmed
                .find(|c: char| c.is_whitespace() || c == ';' || c == '=')
                .unwrap_or(trimmed.len());
            if end == 0 {
                return None;
            }
            let found = trimmed[..end].to_owned();
            *rest = &trimmed[end..];
            Some(found)
        };
        let module =
            word(&mut rest).ok_or("is empty: expected `<LoginModule class> required ...;`")?;
        let flag =
            word(&mut rest).ok_or("has no control flag (required) after the login module")?;
        if !matches!(
            flag.as_str(),
            "required" | "requisite" | "sufficient" | "optional"
        ) {
            return Err(format!(
                "control flag `{flag}` is not required, requisite, sufficient or optional"
            ));
        }
        let mut options = BTreeMap::new();
        loop {
            rest = rest.trim_start();
            if rest.is_empty() {
                return Err("must end with `;`".into());
            }
            if let Some(after) = rest.strip_prefix(';') {
                if !after.trim().is_empty() {
                    return Err("holds more than one login module; Kafka clients take one".into());
                }
                break;
            }
            let name = word(&mut rest).ok_or("has an option without a name")?;
            rest = rest.trim_start();
            rest = rest
                .strip_prefix('=')
                .ok_or_else(|| format!("option {name} has no `=value`"))?
                .trim_start();
            let value = if let Some(quoted) = rest.strip_prefix('"') {
                let mut value = String::new();
                let mut characters = quoted.char_indices();
                let mut end = None;
                while let Some((index, character)) = characters.next() {
                    match character {
                        '\\' => {
                            if let Some((_, escaped)) = characters.next() {
                                value.push(escaped);
                            }
                        }
                        '"' => {
                            end = Some(index);
                            break;
                        }
                        other => value.push(other),
                    }
                }
                let end =
                    end.ok_or_else(|| format!("the value of option {name} has no closing quote"))?;
                rest = &quoted[end + 1..];
                value
            } else {
                word(&mut rest).ok_or_else(|| format!("option {name} has an empty value"))?
            };
            options.insert(name, value);
        }
        Ok(JaasLogin {
            module,
            flag,
            options,
        })
    }
}

/// Checks translated settings the way librdkafka will read them: an unknown key or a bad
/// value is an error naming the key (and, for secrets, not the value).
pub fn check(settings: &BTreeMap<String, String>) -> Result<(), ClientConfigError> {
    let mut config = rdkafka::ClientConfig::new();
    for (key, value) in settings {
        config.set(key, value);
    }
    match config.create_native_config() {
        Ok(_) => Ok(()),
        Err(rdkafka::error::KafkaError::ClientConfig(_, description, key, _)) => {
            let description = if description.is_empty() {
                "librdkafka does not accept it".to_owned()
            } else {
                description
            };
            // librdkafka repeats a refused value in its message: not a secret's.
            let description = match settings.get(&key) {
                Some(value) if is_secret_key(&key) && !value.is_empty() => {
                    description.replace(value.as_str(), "[hidden]")
                }
                _ => description,
            };
            Err(ClientConfigError::new(&key, description))
        }
        Err(other) => Err(ClientConfigError::new("", other.to_string())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn layer(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs
            .iter()
            .map(|(key, value)| (key.to_string(), value.to_string()))
            .collect()
    }

    #[test]
    fn jaas_lines_parse_as_kafka_writes_them() {
        let login = JaasLogin::parse(
            r#"org.apache.kafka.common.security.scram.ScramLoginModule required username="connect" password="p\"w;d" tokenauth=false;"#,
        )
        .expect("parses");
        assert_eq!(
            login.module,
            "org.apache.kafka.common.security.scram.ScramLoginModule"
        );
        assert_eq!(login.flag, "required");
        assert_eq!(login.options["password"], "p\"w;d");
        assert_eq!(login.options["tokenauth"], "false");
        let missing_end =
            JaasLogin::parse(r#"x.PlainLoginModule required username="a" password="secret""#);
        assert_eq!(missing_end, Err("must end with `;`".to_owned()));
        let unclosed = JaasLogin::parse(r#"x.PlainLoginModule required password="secret"#)
            .expect_err("no closing quote");
        assert!(!unclosed.contains("secret"), "{unclosed}");
    }

    #[test]
    fn kafka_security_keys_become_librdkafka_keys() {
        let worker = layer(&[("security.protocol", "sasl_ssl"), ("linger.ms", "5")]);
        let connector = layer(&[
            ("sasl.mechanism", "SCRAM-SHA-512"),
            (
                "sasl.jaas.config",
                r#"org.apache.kafka.common.security.scram.ScramLoginModule required username="alice" password="alice-secret";"#,
            ),
            ("ssl.endpoint.identification.algorithm", ""),
            ("compression.type", "ZSTD"),
            (
                "key.serializer",
                "org.apache.kafka.common.serialization.StringSerializer",
            ),
        ]);
        let settings = to_librdkafka(&[&worker, &connector]).expect("translates");
        assert_eq!(
            settings,
            layer(&[
                ("compression.type", "zstd"),
                ("linger.ms", "5"),
                ("sasl.mechanisms", "SCRAM-SHA-512"),
                ("sasl.password", "alice-secret"),
                ("sasl.username", "alice"),
                ("security.protocol", "SASL_SSL"),
                ("ssl.endpoint.identification.algorithm", "none"),
            ])
        );
        check(&settings).expect("librdkafka accepts them");
    }

    #[test]
    fn keys_that_cannot_be_honoured_are_named() {
        let cases = [
            (layer(&[("security.protocol", "TLS")]), "security.protocol"),
            (layer(&[("sasl.mechanism", "GSSAPI")]), "sasl.mechanism"),
            (
                layer(&[("interceptor.classes", "a.B")]),
                "interceptor.classes",
            ),
            (layer(&[("compression.type", "brotli")]), "compression.type"),
            (
                layer(&[(
                    "sasl.jaas.config",
                    "com.sun.security.auth.module.Krb5LoginModule required;",
                )]),
                "sasl.jaas.config",
            ),
            (
                layer(&[("ssl.truststore.location", "/nonexistent/truststore.jks")]),
                "ssl.truststore.location",
            ),
        ];
        for (config, key) in cases {
            let error = to_librdkafka(&[&config]).expect_err(key);
            assert_eq!(error.key, key, "{error}");
        }
        let unknown =
            to_librdkafka(&[&layer(&[("no.such.client.key", "1")])]).expect("passes through");
        assert_eq!(
            check(&unknown).map_err(|error| error.key),
            Err("no.such.client.key".to_owned())
        );
    }

    #[test]
    fn secrets_never_appear_in_errors() {
        let config = layer(&[(
            "sasl.jaas.config",
            r#"org.apache.kafka.common.security.plain.PlainLoginModule required username="u" password="hunter2""#,
        )]);
        let error = to_librdkafka(&[&config]).expect_err("no `;`");
        assert!(!error.to_string().contains("hunter2"), "{error}");
        assert!(is_secret_key("producer.override.sasl.jaas.config"));
        assert!(is_secret_key("ssl.truststore.password"));
        assert!(!is_secret_key("ssl.truststore.location"));
    }
}
