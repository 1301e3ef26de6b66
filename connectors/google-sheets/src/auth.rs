//! Authentication: service accounts (OAuth 2.0 JWT bearer grant), OAuth user refresh
//! tokens, and API keys.
//!
//! A **service account** signs a JWT with its private key (RS256; header `kid` = the key's
//! `private_key_id`; claims `iss` = `client_email`, `scope` = read-only Sheets, `aud` = the
//! token URI, `iat` now, `exp` an hour later) and exchanges it at the token URI for an
//! access token (`grant_type=urn:ietf:params:oauth:grant-type:jwt-bearer`). The token URI
//! comes from the key (`token_uri`) unless `oauth.token.uri` overrides it, which is how
//! tests reach a local emulator. A **refresh token** (an OAuth user's consent) is exchanged
//! the same way with `grant_type=refresh_token`. An **API key** reads public sheets only and
//! travels as the `key` query parameter.
//!
//! Access tokens are cached and replaced five minutes before they expire (or halfway
//! through their life when that is shorter), so a request never carries a token about to
//! expire; after a 401 the client drops the token and asks for a new one once. One
//! [`Authenticator`] is shared by every task of the process that uses the same credential
//! and token URI, so ten tasks cost one token request an hour, not ten.
//!
//! Secrets (private keys, client secrets, refresh tokens, API keys, access tokens) are held
//! in [`Password`], whose `Debug` and `Display` print `[hidden]`, and no error message
//! includes one: malformed key JSON is reported by line and column, never by content.

use std::collections::HashMap;
use std::fmt;
use std::hash::{Hash as _, Hasher as _};
use std::sync::{Arc, Mutex, OnceLock, Weak};
use std::time::Duration;

use connect_api::Password;
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use serde::{Deserialize, Serialize};
use tokio::time::Instant;

use crate::retry::{RetryPolicy, parse_retry_after};

/// The scope of every token: the Sheets API, read only.
pub const READONLY_SCOPE: &str = "https://www.googleapis.com/auth/spreadsheets.readonly";
/// Google's token endpoint, the default `token_uri`.
pub const DEFAULT_TOKEN_URI: &str = "https://oauth2.googleapis.com/token";
/// The grant type of the service-account exchange.
pub const JWT_BEARER_GRANT: &str = "urn:ietf:params:oauth:grant-type:jwt-bearer";
/// How long a service-account assertion is valid (Google's maximum).
const ASSERTION_LIFETIME_SECS: i64 = 3600;
/// Tokens are replaced this long before they expire.
const REFRESH_MARGIN: Duration = Duration::from_secs(300);

/// A service account's key, as in the JSON file Google issues.
#[derive(Clone, Debug, PartialEq)]
pub struct ServiceAccountKey {
    pub client_email: String,
    pub private_key_id: Option<String>,
    pub private_key: Password,
    pub token_uri: Option<String>,
    pub project_id: Option<String>,
}

/// Why a service-account key cannot be used. No variant carries key material.
#[derive(Debug, PartialEq, Eq, thiserror::Error)]
pub enum KeyError {
    #[error("is not valid JSON ({category} at line {line} column {column})")]
    NotJson {
        category: &'static str,
        line: usize,
        column: usize,
    },
    #[error("is not a JSON object; expected the service-account key file Google issues")]
    NotAnObject,
    #[error(
        "has \"type\": \"{found}\"; only \"service_account\" keys are supported here (use \
         oauth.refresh.token for a user's OAuth credentials)"
    )]
    WrongType { found: String },
    #[error("has no \"{field}\"")]
    Missing { field: &'static str },
    #[error("has a \"{field}\" that is not a string")]
    NotAString { field: &'static str },
    #[error(
        "private key is not PEM-encoded: expected a block starting with -----BEGIN PRIVATE \
         KEY----- (PKCS#8) or -----BEGIN RSA PRIVATE KEY----- (PKCS#1)"
    )]
    NotPem,
    #[error(
        "private key is PEM but not a usable RSA private key (the block is damaged or holds \
         another kind of key)"
    )]
    NotRsa,
}

/// Restores the line breaks of a PEM block pasted with literal `\n` escapes (as in a
/// properties file or an environment variable).
pub fn normalize_pem(pem: &str) -> String {
    if !pem.contains('\n') && pem.contains("\\n") {
        pem.replace("\\n", "\n")
    } else {
        pem.to_string()
    }
}

impl ServiceAccountKey {
    /// Parses the key JSON Google issues. Errors say what is wrong and where, never what
    /// the text holds.
    pub fn from_json(text: &str) -> Result<ServiceAccountKey, KeyError> {
        let value: serde_json::Value =
            serde_json::from_str(text).map_err(|e| KeyError::NotJson {
                category: match e.classify() {
                    serde_json::error::Category::Eof => "unexpected end",
                    serde_json::error::Category::Syntax => "syntax error",
                    serde_json::error::Category::Data => "unexpected value",
                    serde_json::error::Category::Io => "read error",
                },
                line: e.line(),
                column: e.column(),
            })?;
        let object = value.as_object().ok_or(KeyError::NotAnObject)?;
        let string = |field: &'static str| -> Result<Option<String>, KeyError> {
            match object.get(field) {
                None | Some(serde_json::Value::Null) => Ok(None),
                Some(serde_json::Value::String(s)) if s.trim().is_empty() => Ok(None),
                Some(serde_json::Value::String(s)) => Ok(Some(s.trim().to_string())),
                Some(_) => Err(KeyError::NotAString { field }),
            }
        };
        if let Some(kind) = string("type")?
            && kind != "service_account"
        {
            return Err(KeyError::WrongType { found: kind });
        }
        let client_email = string("client_email")?.ok_or(KeyError::Missing {
            field: "client_email",
        })?;
        let private_key = match object.get("private_key") {
            Some(serde_json::Value::String(s)) if !s.trim().is_empty() => {
                Password::new(normalize_pem(s))
            }
            Some(serde_json::Value::String(_)) | None | Some(serde_json::Value::Null) => {
                return Err(KeyError::Missing {
                    field: "private_key",
                });
            }
            Some(_) => {
                return Err(KeyError::NotAString {
                    field: "private_key",
                });
            }
        };
        Ok(ServiceAccountKey {
            client_email,
            private_key_id: string("private_key_id")?,
            private_key,
            token_uri: string("token_uri")?,
            project_id: string("project_id")?,
        })
    }

    /// The RS256 signing key, checked by signing a test message (so a damaged key is
    /// reported when the config is validated, not at the first token request).
    pub fn signing_key(&self) -> Result<EncodingKey, KeyError> {
        let pem = normalize_pem(self.private_key.value());
        if !pem.contains("-----BEGIN") {
            return Err(KeyError::NotPem);
        }
        let key = EncodingKey::from_rsa_pem(pem.as_bytes()).map_err(|_| KeyError::NotRsa)?;
        jsonwebtoken::encode(&Header::new(Algorithm::RS256), &serde_json::json!({}), &key)
            .map_err(|_| KeyError::NotRsa)?;
        Ok(key)
    }
}

/// The claims of a service-account assertion.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AssertionClaims {
    pub iss: String,
    pub scope: String,
    pub aud: String,
    pub iat: i64,
    pub exp: i64,
}

/// Builds the signed JWT a service account exchanges for an access token.
pub fn service_account_assertion(
    key: &EncodingKey,
    client_email: &str,
    private_key_id: Option<&str>,
    token_uri: &str,
    now_unix_secs: i64,
) -> Result<String, jsonwebtoken::errors::Error> {
    let mut header = Header::new(Algorithm::RS256);
    header.kid = private_key_id.map(str::to_string);
    let claims = AssertionClaims {
        iss: client_email.to_string(),
        scope: READONLY_SCOPE.to_string(),
        aud: token_uri.to_string(),
        iat: now_unix_secs,
        exp: now_unix_secs + ASSERTION_LIFETIME_SECS,
    };
    jsonwebtoken::encode(&header, &claims, key)
}

/// An OAuth user's credentials.
#[derive(Clone, Debug, PartialEq)]
pub struct UserCredentials {
    pub client_id: String,
    pub client_secret: Password,
    pub refresh_token: Password,
}

/// The configured credential, validated.
#[derive(Clone, Debug, PartialEq)]
pub enum Credentials {
    ServiceAccount(ServiceAccountKey),
    RefreshToken(UserCredentials),
    ApiKey(Password),
}

impl Credentials {
    /// Who the requests are made as, for messages: never a secret.
    pub fn principal(&self) -> String {
        match self {
            Credentials::ServiceAccount(key) => format!("service account {}", key.client_email),
            Credentials::RefreshToken(user) => format!("OAuth client {}", user.client_id),
            Credentials::ApiKey(_) => "an API key".to_string(),
        }
    }

    /// What identifies the credential for sharing budgets and tokens: the service-account
    /// email, or a hash of the secret for the others (the secret itself is never stored).
    pub fn identity(&self) -> String {
        match self {
            Credentials::ServiceAccount(key) => format!("sa:{}", key.client_email),
            Credentials::RefreshToken(user) => format!(
                "oauth:{}:{:016x}",
                user.client_id,
                hash_secret(user.refresh_token.value())
            ),
            Credentials::ApiKey(key) => format!("key:{:016x}", hash_secret(key.value())),
        }
    }

    /// The token endpoint: the override, else the key's `token_uri`, else Google's.
    pub fn token_uri(&self, override_uri: Option<&str>) -> String {
        if let Some(uri) = override_uri.filter(|u| !u.is_empty()) {
            return uri.to_string();
        }
        match self {
            Credentials::ServiceAccount(ServiceAccountKey {
                token_uri: Some(uri),
                ..
            }) => uri.clone(),
            _ => DEFAULT_TOKEN_URI.to_string(),
        }
    }
}

fn hash_secret(secret: &str) -> u64 {
    let mut hasher = std::collections::hash_map::DefaultHasher::new();
    secret.hash(&mut hasher);
    hasher.finish()
}

/// What a request carries to prove who makes it.
#[derive(Clone, Debug, PartialEq)]
pub enum Authorization {
    /// `Authorization: Bearer <token>`.
    Bearer(Password),
    /// `?key=<api key>`.
    ApiKey(Password),
}

/// Why no access token could be had.
#[derive(Debug, thiserror::Error)]
pub enum AuthError {
    #[error(
        "the token endpoint {token_uri} refused {principal}: HTTP {status}{}{}",
        error.as_ref().map(|e| format!(" {e}")).unwrap_or_default(),
        description.as_ref().map(|d| format!(": {d}")).unwrap_or_default()
    )]
    Rejected {
        token_uri: String,
        principal: String,
        status: u16,
        error: Option<String>,
        description: Option<String>,
    },
    #[error("the token endpoint {token_uri} answered {principal} with a body that is not a token")]
    BadResponse {
        token_uri: String,
        principal: String,
        #[source]
        source: serde_json::Error,
    },
    #[error("could not sign the token request of {principal}")]
    Signing {
        principal: String,
        #[source]
        source: jsonwebtoken::errors::Error,
    },
    #[error("the service-account key of {principal} {source}")]
    Key {
        principal: String,
        #[source]
        source: KeyError,
    },
}

#[derive(Clone)]
struct CachedToken {
    token: Password,
    refresh_at: Instant,
}

enum Method {
    Token(TokenGrant),
    ApiKey(Password),
}

/// How an access token is obtained.
enum TokenGrant {
    ServiceAccount {
        key: EncodingKey,
        client_email: String,
        private_key_id: Option<String>,
    },
    RefreshToken(UserCredentials),
}

/// Hands out authorizations for one credential, caching access tokens.
pub struct Authenticator {
    method: Method,
    principal: String,
    token_uri: String,
    http: reqwest::Client,
    retry: RetryPolicy,
    cache: tokio::sync::Mutex<Option<CachedToken>>,
    token_requests: std::sync::atomic::AtomicU64,
}

impl fmt::Debug for Authenticator {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Authenticator")
            .field("principal", &self.principal)
            .field("token_uri", &self.token_uri)
            .finish_non_exhaustive()
    }
}

#[derive(Deserialize)]
struct TokenResponse {
    access_token: String,
    #[serde(default)]
    expires_in: Option<u64>,
}

#[derive(Deserialize)]
struct TokenErrorResponse {
    error: Option<String>,
    error_description: Option<String>,
}

impl Authenticator {
    /// An authenticator for `credentials`, exchanging tokens at `token_uri`.
    pub fn new(
        credentials: &Credentials,
        token_uri: String,
        http: reqwest::Client,
        retry: RetryPolicy,
    ) -> Result<Authenticator, AuthError> {
        let principal = credentials.principal();
        let method = match credentials {
            Credentials::ServiceAccount(key) => Method::Token(TokenGrant::ServiceAccount {
                key: key.signing_key().map_err(|source| AuthError::Key {
                    principal: principal.clone(),
                    source,
                })?,
                client_email: key.client_email.clone(),
                private_key_id: key.private_key_id.clone(),
            }),
            Credentials::RefreshToken(user) => {
                Method::Token(TokenGrant::RefreshToken(user.clone()))
            }
            Credentials::ApiKey(key) => Method::ApiKey(key.clone()),
        };
        Ok(Authenticator {
            method,
            principal,
            token_uri,
            http,
            retry,
            cache: tokio::sync::Mutex::new(None),
            token_requests: std::sync::atomic::AtomicU64::new(0),
        })
    }

    /// Who the requests are made as (never a secret).
    pub fn principal(&self) -> &str {
        &self.principal
    }

    /// How many token requests this authenticator made.
    pub fn token_requests(&self) -> u64 {
        self.token_requests
            .load(std::sync::atomic::Ordering::Relaxed)
    }

    /// The authorization for the next request: a cached token while it is fresh, else a
    /// new one. Transient failures of the token endpoint are retried with backoff; a
    /// refusal (a bad key, a revoked refresh token) is an error. Cancel safe: the cache is
    /// only written once a token was received.
    pub async fn authorization(&self) -> Result<Authorization, AuthError> {
        let grant = match &self.method {
            Method::ApiKey(key) => return Ok(Authorization::ApiKey(key.clone())),
            Method::Token(grant) => grant,
        };
        let mut cache = self.cache.lock().await;
        if let Some(cached) = cache.as_ref()
            && Instant::now() < cached.refresh_at
        {
            return Ok(Authorization::Bearer(cached.token.clone()));
        }
        let fresh = self.fetch_token(grant).await?;
        let token = fresh.token.clone();
        *cache = Some(fresh);
        Ok(Authorization::Bearer(token))
    }

    /// Forgets `rejected` (after the API answered 401 to it), so the next
    /// [`Authenticator::authorization`] fetches a new token.
    pub async fn invalidate(&self, rejected: &Authorization) {
        let Authorization::Bearer(rejected) = rejected else {
            return;
        };
        let mut cache = self.cache.lock().await;
        if cache.as_ref().is_some_and(|c| &c.token == rejected) {
            *cache = None;
        }
    }

    async fn fetch_token(&self, grant: &TokenGrant) -> Result<CachedToken, AuthError> {
        let mut attempt: u32 = 0;
        loop {
            attempt += 1;
            let form: Vec<(&str, String)> = match grant {
                TokenGrant::ServiceAccount {
                    key,
                    client_email,
                    private_key_id,
                } => {
                    let now = jiff::Timestamp::now().as_second();
                    let assertion = service_account_assertion(
                        key,
                        client_email,
                        private_key_id.as_deref(),
                        &self.token_uri,
                        now,
                    )
                    .map_err(|source| AuthError::Signing {
                        principal: self.principal.clone(),
                        source,
                    })?;
                    vec![
                        ("grant_type", JWT_BEARER_GRANT.to_string()),
                        ("assertion", assertion),
                    ]
                }
                TokenGrant::RefreshToken(user) => vec![
                    ("grant_type", "refresh_token".to_string()),
                    ("client_id", user.client_id.clone()),
                    ("client_secret", user.client_secret.value().to_string()),
                    ("refresh_token", user.refresh_token.value().to_string()),
                ],
            };
            self.token_requests
                .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            let sent_at = Instant::now();
            let response = self.http.post(&self.token_uri).form(&form).send().await;
            let transient = match response {
                Err(e) => crate::client::describe_transport_error(&e),
                Ok(response) => {
                    let status = response.status().as_u16();
                    let retry_after = response
                        .headers()
                        .get(reqwest::header::RETRY_AFTER)
                        .and_then(|v| v.to_str().ok())
                        .and_then(|v| parse_retry_after(v, jiff::Timestamp::now()));
                    match response.bytes().await {
                        Err(e) => crate::client::describe_transport_error(&e),
                        Ok(body) if (200..300).contains(&status) => {
                            let parsed: TokenResponse =
                                serde_json::from_slice(&body).map_err(|source| {
                                    AuthError::BadResponse {
                                        token_uri: self.token_uri.clone(),
                                        principal: self.principal.clone(),
                                        source,
                                    }
                                })?;
                            let lifetime = Duration::from_secs(parsed.expires_in.unwrap_or(3600));
                            let margin = REFRESH_MARGIN.min(lifetime / 2);
                            tracing::debug!(
                                "obtained an access token for {} valid for {} s",
                                self.principal,
                                lifetime.as_secs()
                            );
                            return Ok(CachedToken {
                                token: Password::new(parsed.access_token),
                                refresh_at: sent_at + lifetime - margin,
                            });
                        }
                        Ok(body) if status == 429 || status >= 500 => {
                            let wait = self.retry.delay(attempt, retry_after);
                            tracing::warn!(
                                "token endpoint {} answered HTTP {status} for {} (attempt \
                                 {attempt}); retrying in {} ms",
                                self.token_uri,
                                self.principal,
                                wait.as_millis()
                            );
                            drop(body);
                            tokio::time::sleep(wait).await;
                            continue;
                        }
                        Ok(body) => {
                            let parsed: Option<TokenErrorResponse> =
                                serde_json::from_slice(&body).ok();
                            return Err(AuthError::Rejected {
                                token_uri: self.token_uri.clone(),
                                principal: self.principal.clone(),
                                status,
                                error: parsed.as_ref().and_then(|p| p.error.clone()),
                                description: parsed.and_then(|p| p.error_description),
                            });
                        }
                    }
                }
            };
            let wait = self.retry.delay(attempt, None);
            tracing::warn!(
                "could not reach the token endpoint {} for {} (attempt {attempt}): {transient}; \
                 retrying in {} ms",
                self.token_uri,
                self.principal,
                wait.as_millis()
            );
            tokio::time::sleep(wait).await;
        }
    }
}

type AuthRegistry = Mutex<HashMap<u64, Weak<Authenticator>>>;

fn registry() -> &'static AuthRegistry {
    static REGISTRY: OnceLock<AuthRegistry> = OnceLock::new();
    REGISTRY.get_or_init(|| Mutex::new(HashMap::new()))
}

/// The authenticator shared by every task of the process with the same credential and
/// token endpoint; made on first use, dropped when the last task using it is gone.
pub fn shared_authenticator(
    credentials: &Credentials,
    token_uri: &str,
    http: &reqwest::Client,
    retry: RetryPolicy,
) -> Result<Arc<Authenticator>, AuthError> {
    let mut hasher = std::collections::hash_map::DefaultHasher::new();
    token_uri.hash(&mut hasher);
    credentials.identity().hash(&mut hasher);
    match credentials {
        Credentials::ServiceAccount(key) => {
            key.private_key.value().hash(&mut hasher);
            key.private_key_id.hash(&mut hasher);
        }
        Credentials::RefreshToken(user) => user.client_secret.value().hash(&mut hasher),
        Credentials::ApiKey(_) => {}
    }
    let slot = hasher.finish();
    let mut authenticators = match registry().lock() {
        Ok(map) => map,
        Err(poisoned) => poisoned.into_inner(),
    };
    authenticators.retain(|_, weak| weak.strong_count() > 0);
    if let Some(existing) = authenticators.get(&slot).and_then(Weak::upgrade) {
        return Ok(existing);
    }
    let created = Arc::new(Authenticator::new(
        credentials,
        token_uri.to_string(),
        http.clone(),
        retry,
    )?);
    authenticators.insert(slot, Arc::downgrade(&created));
    Ok(created)
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use std::sync::LazyLock;

    /// A 2048-bit test key, generated once per test binary.
    pub(crate) static TEST_KEY: LazyLock<(String, String)> = LazyLock::new(|| {
        use rsa::pkcs8::{EncodePrivateKey, EncodePublicKey, LineEnding};
        let mut rng = rand::thread_rng();
        let private = rsa::RsaPrivateKey::new(&mut rng, 2048).unwrap_or_else(|e| panic!("{e}"));
        let public = rsa::RsaPublicKey::from(&private);
        (
            private
                .to_pkcs8_pem(LineEnding::LF)
                .map(|p| p.to_string())
                .unwrap_or_else(|e| panic!("{e}")),
            public
                .to_public_key_pem(LineEnding::LF)
                .unwrap_or_else(|e| panic!("{e}")),
        )
    });

    pub(crate) fn key_json(private_pem: &str) -> String {
        serde_json::json!({
            "type": "service_account",
            "project_id": "tributary-test",
            "private_key_id": "kid-123",
            "private_key": private_pem,
            "client_email": "reader@tributary-test.iam.gserviceaccount.com",
            "client_id": "1234567890",
            "auth_uri": "https://accounts.google.com/o/oauth2/auth",
            "token_uri": "https://oauth2.googleapis.com/token",
            "universe_domain": "googleapis.com"
        })
        .to_string()
    }

    #[test]
    fn the_assertion_has_googles_header_and_claims_and_verifies() {
        let (private_pem, public_pem) = &*TEST_KEY;
        let key =
            ServiceAccountKey::from_json(&key_json(private_pem)).unwrap_or_else(|e| panic!("{e}"));
        let signing = key.signing_key().unwrap_or_else(|e| panic!("{e}"));
        let jwt = service_account_assertion(
            &signing,
            &key.client_email,
            key.private_key_id.as_deref(),
            "http://127.0.0.1:9/token",
            1_743_966_000,
        )
        .unwrap_or_else(|e| panic!("{e}"));

        let header = jsonwebtoken::decode_header(&jwt).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(header.alg, Algorithm::RS256);
        assert_eq!(header.typ.as_deref(), Some("JWT"));
        assert_eq!(header.kid.as_deref(), Some("kid-123"));

        let decoding = jsonwebtoken::DecodingKey::from_rsa_pem(public_pem.as_bytes())
            .unwrap_or_else(|e| panic!("{e}"));
        let mut validation = jsonwebtoken::Validation::new(Algorithm::RS256);
        validation.set_audience(&["http://127.0.0.1:9/token"]);
        validation.validate_exp = false;
        let decoded = jsonwebtoken::decode::<AssertionClaims>(&jwt, &decoding, &validation)
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(
            decoded.claims,
            AssertionClaims {
                iss: "reader@tributary-test.iam.gserviceaccount.com".to_string(),
                scope: READONLY_SCOPE.to_string(),
                aud: "http://127.0.0.1:9/token".to_string(),
                iat: 1_743_966_000,
                exp: 1_743_966_000 + 3600,
            }
        );
    }

    #[test]
    fn keys_with_escaped_newlines_are_accepted() {
        let (private_pem, _) = &*TEST_KEY;
        let escaped = private_pem.replace('\n', "\\n");
        let key = ServiceAccountKey {
            client_email: "a@b".into(),
            private_key_id: None,
            private_key: Password::new(escaped),
            token_uri: None,
            project_id: None,
        };
        assert!(key.signing_key().is_ok());
    }

    #[test]
    fn malformed_keys_are_explained_without_their_content() {
        let (private_pem, _) = &*TEST_KEY;
        let secret_line = private_pem.lines().nth(3).unwrap_or_default().to_string();
        assert!(secret_line.len() > 20);

        let truncated = key_json(private_pem);
        let truncated = &truncated[..truncated.len() / 2];
        let err = ServiceAccountKey::from_json(truncated).expect_err("truncated");
        assert!(matches!(err, KeyError::NotJson { .. }), "{err}");
        assert!(!err.to_string().contains(&secret_line));

        let as_string = serde_json::Value::String(key_json(private_pem)).to_string();
        let err = ServiceAccountKey::from_json(&as_string).expect_err("a string");
        assert_eq!(err, KeyError::NotAnObject);

        let err = ServiceAccountKey::from_json(r#"{"type":"authorized_user","client_email":"x"}"#)
            .expect_err("user creds");
        assert!(err.to_string().contains("authorized_user"), "{err}");

        let err = ServiceAccountKey::from_json(r#"{"client_email":"x@y"}"#).expect_err("no key");
        assert_eq!(
            err,
            KeyError::Missing {
                field: "private_key"
            }
        );

        let damaged = private_pem.replace(&secret_line, &"A".repeat(secret_line.len()));
        let key =
            ServiceAccountKey::from_json(&key_json(&damaged)).unwrap_or_else(|e| panic!("{e}"));
        let err = key.signing_key().expect_err("damaged");
        assert_eq!(err, KeyError::NotRsa);
        assert!(!err.to_string().contains(&secret_line));

        let key =
            ServiceAccountKey::from_json(&key_json("not a pem")).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(key.signing_key().expect_err("no pem"), KeyError::NotPem);
        assert!(!format!("{key:?}").contains("not a pem"));
    }

    #[test]
    fn principals_and_identities_never_show_secrets() {
        let api = Credentials::ApiKey(Password::new("AIzaSECRET"));
        assert!(!api.principal().contains("SECRET"));
        assert!(!api.identity().contains("SECRET"));
        let user = Credentials::RefreshToken(UserCredentials {
            client_id: "client.apps".into(),
            client_secret: Password::new("shh"),
            refresh_token: Password::new("1//refresh"),
        });
        assert_eq!(user.principal(), "OAuth client client.apps");
        assert!(!user.identity().contains("refresh"));
        assert!(!format!("{user:?}").contains("shh"));
        assert_eq!(user.token_uri(None), DEFAULT_TOKEN_URI);
        assert_eq!(user.token_uri(Some("http://x/token")), "http://x/token");
    }
}
