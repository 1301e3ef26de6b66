//! Google's OAuth 2.0 token endpoint and the credentials of Sheets requests.
//!
//! `POST /token` takes a form body, as `https://oauth2.googleapis.com/token` does:
//!
//! - `grant_type=urn:ietf:params:oauth:grant-type:jwt-bearer&assertion=<JWT>`: a
//!   service-account assertion, RS256-signed with the private key of the account's key file.
//!   The emulator finds the account by `iss`, verifies the signature against the public
//!   key registered under the header's `kid` (every key of the account without `kid`),
//!   checks `aud` against the token URI the client used, `iat`/`exp` (at most an hour
//!   apart, not expired, not in the future) and that a scope is asked. Segments encoded
//!   with or without base64 padding are both accepted (yup-oauth2 and gcp_auth pad).
//! - `grant_type=refresh_token&client_id=..&client_secret=..&refresh_token=..`: a user's
//!   refresh token, issued to a registered OAuth client.
//!
//! Answers are Google's: `{"access_token":"ya29...","expires_in":3599,"token_type":"Bearer"}`
//! or `{"error":"invalid_grant","error_description":"Invalid JWT Signature."}` and the like.
//! Scopes are checked by the Sheets endpoints, as Google does: a token for `drive` may read
//! and write spreadsheets, one for `spreadsheets.readonly` may only read.

use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use base64::Engine;
use base64::engine::{DecodePaddingMode, GeneralPurpose, GeneralPurposeConfig};
use serde_json::{Value, json};

use crate::store::{AccessToken, State};

/// The JWT-bearer grant type.
pub const JWT_BEARER: &str = "urn:ietf:params:oauth:grant-type:jwt-bearer";
/// `https://www.googleapis.com/auth/spreadsheets`
pub const SCOPE_SPREADSHEETS: &str = "https://www.googleapis.com/auth/spreadsheets";
/// `https://www.googleapis.com/auth/spreadsheets.readonly`
pub const SCOPE_SPREADSHEETS_READONLY: &str =
    "https://www.googleapis.com/auth/spreadsheets.readonly";

const READ_SCOPES: [&str; 5] = [
    SCOPE_SPREADSHEETS,
    SCOPE_SPREADSHEETS_READONLY,
    "https://www.googleapis.com/auth/drive",
    "https://www.googleapis.com/auth/drive.readonly",
    "https://www.googleapis.com/auth/drive.file",
];
const WRITE_SCOPES: [&str; 3] = [
    SCOPE_SPREADSHEETS,
    "https://www.googleapis.com/auth/drive",
    "https://www.googleapis.com/auth/drive.file",
];

/// Largest allowed `exp - iat`, and the tolerated clock skew.
const MAX_LIFETIME_SECS: i64 = 3600;
const CLOCK_SKEW_SECS: i64 = 300;

/// True when the scopes allow reading spreadsheets.
pub fn can_read(scopes: &[String]) -> bool {
    scopes
        .iter()
        .any(|scope| READ_SCOPES.contains(&scope.as_str()))
}

/// True when the scopes allow writing spreadsheets.
pub fn can_write(scopes: &[String]) -> bool {
    scopes
        .iter()
        .any(|scope| WRITE_SCOPES.contains(&scope.as_str()))
}

/// An OAuth error answer: status and `{"error","error_description"}`.
#[derive(Debug, Clone, PartialEq)]
pub struct OAuthError {
    pub status: u16,
    pub error: &'static str,
    pub description: String,
}

impl OAuthError {
    fn new(status: u16, error: &'static str, description: impl Into<String>) -> OAuthError {
        OAuthError {
            status,
            error,
            description: description.into(),
        }
    }

    fn invalid_grant(description: impl Into<String>) -> OAuthError {
        OAuthError::new(400, "invalid_grant", description)
    }

    pub fn body(&self) -> Value {
        json!({ "error": self.error, "error_description": self.description })
    }
}

fn lenient_base64url() -> GeneralPurpose {
    GeneralPurpose::new(
        &base64::alphabet::URL_SAFE,
        GeneralPurposeConfig::new().with_decode_padding_mode(DecodePaddingMode::Indifferent),
    )
}

fn unix_now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |elapsed| elapsed.as_secs() as i64)
}

/// Mints an access token for an account.
pub fn issue_token(
    state: &mut State,
    email: &str,
    scopes: Vec<String>,
    project_id: &str,
    lifetime: Duration,
) -> String {
    let token = format!("ya29.c.{}", crate::random_token(96));
    let now = Instant::now();
    state
        .access_tokens
        .retain(|_, token| token.expires_at > now);
    state.access_tokens.insert(
        token.clone(),
        AccessToken {
            email: email.to_lowercase(),
            scopes,
            project_id: project_id.to_owned(),
            expires_at: now + lifetime,
        },
    );
    token
}

/// The audiences Google accepts in a service account's JWT-bearer assertion: its token
/// endpoint, and the two older addresses of it (documented for the OAuth 2.0 service
/// account flow). The first is the one Google names when the check fails.
pub const GOOGLE_TOKEN_AUDIENCES: [&str; 3] = [
    "https://oauth2.googleapis.com/token",
    "https://www.googleapis.com/oauth2/v4/token",
    "https://accounts.google.com/o/oauth2/token",
];

/// Handles a token request: the form's pairs, the audiences an assertion may name.
/// Returns the status and body to answer.
pub fn token_request(
    state: &mut State,
    form: &[(String, String)],
    audiences: &[String],
    lifetime: Duration,
) -> Result<Value, OAuthError> {
    let field = |name: &str| {
        form.iter()
            .find(|(key, _)| key == name)
            .map(|(_, value)| value.as_str())
    };
    let expires_in = lifetime.as_secs().saturating_sub(1);
    match field("grant_type") {
        None => Err(OAuthError::new(
            400,
            "invalid_request",
            "Required parameter is missing: grant_type",
        )),
        Some(JWT_BEARER) => {
            let assertion = field("assertion").ok_or_else(|| {
                OAuthError::new(
                    400,
                    "invalid_request",
                    "Required parameter is missing: assertion",
                )
            })?;
            let (email, project_id, scopes) = verify_assertion(state, assertion, audiences)?;
            let token = issue_token(state, &email, scopes, &project_id, lifetime);
            Ok(json!({ "access_token": token, "expires_in": expires_in, "token_type": "Bearer" }))
        }
        Some("refresh_token") => {
            let client_id = field("client_id").unwrap_or_default();
            let client = state.oauth_clients.get(client_id).cloned().ok_or_else(|| {
                OAuthError::new(401, "invalid_client", "The OAuth client was not found.")
            })?;
            if field("client_secret") != Some(client.client_secret.as_str()) {
                return Err(OAuthError::new(401, "invalid_client", "Unauthorized"));
            }
            let refresh_token = field("refresh_token").ok_or_else(|| {
                OAuthError::new(
                    400,
                    "invalid_request",
                    "Missing required parameter: refresh_token",
                )
            })?;
            let grant = state
                .refresh_tokens
                .get(refresh_token)
                .filter(|grant| grant.client_id == client.client_id)
                .cloned()
                .ok_or_else(|| OAuthError::invalid_grant("Token has been expired or revoked."))?;
            let token = issue_token(
                state,
                &grant.email,
                grant.scopes.clone(),
                &client.project_id,
                lifetime,
            );
            Ok(json!({
                "access_token": token,
                "expires_in": expires_in,
                "scope": grant.scopes.join(" "),
                "token_type": "Bearer",
            }))
        }
        Some(other) => Err(OAuthError::new(
            400,
            "unsupported_grant_type",
            format!("Invalid grant_type: {other}"),
        )),
    }
}

/// Verifies a service-account assertion; the account's email, project and the scopes.
fn verify_assertion(
    state: &State,
    assertion: &str,
    audiences: &[String],
) -> Result<(String, String, Vec<String>), OAuthError> {
    let malformed =
        || OAuthError::invalid_grant("Invalid JWT: the assertion is not a well-formed JWT.");
    let segments: Vec<&str> = assertion.split('.').collect();
    let [header_segment, claims_segment, signature_segment] = segments[..] else {
        return Err(malformed());
    };
    let engine = lenient_base64url();
    let header: Value = engine
        .decode(header_segment)
        .ok()
        .and_then(|bytes| serde_json::from_slice(&bytes).ok())
        .ok_or_else(malformed)?;
    let claims: Value = engine
        .decode(claims_segment)
        .ok()
        .and_then(|bytes| serde_json::from_slice(&bytes).ok())
        .ok_or_else(malformed)?;
    let issuer = claims
        .get("iss")
        .and_then(Value::as_str)
        .ok_or_else(|| OAuthError::invalid_grant("Invalid JWT: missing iss claim."))?;
    let account = state
        .service_accounts
        .get(&issuer.to_lowercase())
        .ok_or_else(|| OAuthError::invalid_grant("Invalid grant: account not found"))?;
    if header.get("alg").and_then(Value::as_str) != Some("RS256") {
        return Err(OAuthError::invalid_grant("Invalid JWT Signature."));
    }
    let key_id = header.get("kid").and_then(Value::as_str);
    let message = &assertion[..header_segment.len() + 1 + claims_segment.len()];
    let signature = signature_segment.trim_end_matches('=');
    let verified = account
        .keys
        .iter()
        .filter(|key| key_id.is_none_or(|key_id| key.key_id == key_id))
        .any(|key| {
            jsonwebtoken::DecodingKey::from_rsa_pem(key.public_key_pem.as_bytes())
                .ok()
                .and_then(|decoding| {
                    jsonwebtoken::crypto::verify(
                        signature,
                        message.as_bytes(),
                        &decoding,
                        jsonwebtoken::Algorithm::RS256,
                    )
                    .ok()
                })
                .unwrap_or(false)
        });
    if !verified {
        return Err(OAuthError::invalid_grant("Invalid JWT Signature."));
    }
    let audience = claims
        .get("aud")
        .and_then(Value::as_str)
        .unwrap_or_default();
    if !audiences.iter().any(|expected| expected == audience) {
        return Err(OAuthError::invalid_grant(format!(
            "Invalid JWT: Failed audience check. The right audience is {}",
            audiences.first().map(String::as_str).unwrap_or_default()
        )));
    }
    let number = |name: &str| {
        claims
            .get(name)
            .and_then(Value::as_f64)
            .map(|value| value as i64)
    };
    let timeframe = || {
        OAuthError::invalid_grant(
            "Invalid JWT: Token must be a short-lived token (60 minutes) and in a reasonable timeframe. Check your iat and exp values in the JWT claim.",
        )
    };
    let (Some(issued_at), Some(expires_at)) = (number("iat"), number("exp")) else {
        return Err(timeframe());
    };
    let now = unix_now();
    if expires_at <= issued_at
        || expires_at - issued_at > MAX_LIFETIME_SECS
        || expires_at <= now
        || issued_at > now + CLOCK_SKEW_SECS
    {
        return Err(timeframe());
    }
    if let Some(subject) = claims.get("sub").and_then(Value::as_str)
        && !subject.eq_ignore_ascii_case(issuer)
    {
        return Err(OAuthError::new(
            401,
            "unauthorized_client",
            "Client is unauthorized to retrieve access tokens using this method, or client not authorized for any of the scopes requested.",
        ));
    }
    let scopes: Vec<String> = claims
        .get("scope")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .split_whitespace()
        .map(str::to_owned)
        .collect();
    if scopes.is_empty() {
        return Err(OAuthError::new(
            400,
            "invalid_scope",
            "Invalid OAuth scope or ID token audience provided.",
        ));
    }
    Ok((account.email.clone(), account.project_id.clone(), scopes))
}
