//! Test credentials: service-account keys generated on the spot.
//!
//! [`ServiceAccountKey::generate_for`] makes a 2048-bit RSA key pair and the key file
//! Google would hand out for it (`type`, `project_id`, `private_key_id`, `private_key`,
//! `client_email`, `client_id`, `auth_uri`, `token_uri`, ...), with `token_uri` pointing
//! wherever the test wants, usually a running emulator's `/token`. Register the public half
//! with [`crate::Emulator::register_service_account`] (or let
//! [`crate::Emulator::create_service_account`] do both) and any Google client library
//! reading that key file authenticates against the emulator.

use base64::Engine;
use rand::Rng;
use rsa::pkcs8::{EncodePrivateKey, EncodePublicKey, LineEnding};
use serde_json::{Value, json};

use crate::error::EmulatorError;

/// RSA modulus size of generated keys (Google's).
pub const KEY_BITS: usize = 2048;

/// A generated service-account key: the key file's fields and both PEM halves.
#[derive(Clone)]
pub struct ServiceAccountKey {
    pub client_email: String,
    pub project_id: String,
    /// The key's id (`kid` of assertions).
    pub private_key_id: String,
    pub client_id: String,
    pub token_uri: String,
    /// PKCS#8 (`-----BEGIN PRIVATE KEY-----`), as in Google's key files.
    pub private_key_pem: String,
    /// SubjectPublicKeyInfo (`-----BEGIN PUBLIC KEY-----`).
    pub public_key_pem: String,
}

impl std::fmt::Debug for ServiceAccountKey {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter
            .debug_struct("ServiceAccountKey")
            .field("client_email", &self.client_email)
            .field("private_key_id", &self.private_key_id)
            .field("token_uri", &self.token_uri)
            .field("private_key_pem", &"[redacted]")
            .finish_non_exhaustive()
    }
}

impl ServiceAccountKey {
    /// A key for `emulator@tributary-emulator.iam.gserviceaccount.com` whose key file
    /// names Google's token URI (change `token_uri` before use with an emulator).
    pub fn generate() -> Result<ServiceAccountKey, EmulatorError> {
        ServiceAccountKey::generate_for(
            "emulator@tributary-emulator.iam.gserviceaccount.com",
            "https://oauth2.googleapis.com/token",
        )
    }

    /// A key for `client_email` whose key file names `token_uri`. The project is the one
    /// the email names (`name@PROJECT.iam.gserviceaccount.com`), else
    /// `tributary-emulator`.
    pub fn generate_for(
        client_email: &str,
        token_uri: &str,
    ) -> Result<ServiceAccountKey, EmulatorError> {
        let mut rng = rand::thread_rng();
        let private_key = rsa::RsaPrivateKey::new(&mut rng, KEY_BITS)
            .map_err(|error| EmulatorError::Key(error.to_string()))?;
        let private_key_pem = private_key
            .to_pkcs8_pem(LineEnding::LF)
            .map_err(|error| EmulatorError::Key(error.to_string()))?
            .to_string();
        let public_key_pem = rsa::RsaPublicKey::from(&private_key)
            .to_public_key_pem(LineEnding::LF)
            .map_err(|error| EmulatorError::Key(error.to_string()))?;
        let project_id = client_email
            .split_once('@')
            .and_then(|(_, domain)| domain.strip_suffix(".iam.gserviceaccount.com"))
            .unwrap_or("tributary-emulator")
            .to_owned();
        let private_key_id: String = (0..40)
            .map(|_| char::from_digit(rng.gen_range(0..16), 16).unwrap_or('0'))
            .collect();
        let client_id: String = std::iter::once(char::from(b'1' + rng.gen_range(0..9)))
            .chain((0..20).map(|_| char::from(b'0' + rng.gen_range(0..10))))
            .collect();
        Ok(ServiceAccountKey {
            client_email: client_email.to_owned(),
            project_id,
            private_key_id,
            client_id,
            token_uri: token_uri.to_owned(),
            private_key_pem,
            public_key_pem,
        })
    }

    /// The key file, as Google's console downloads it.
    pub fn to_json(&self) -> Value {
        let encoded_email: String = self
            .client_email
            .chars()
            .map(|character| match character {
                '@' => "%40".to_owned(),
                other => other.to_string(),
            })
            .collect();
        json!({
            "type": "service_account",
            "project_id": self.project_id,
            "private_key_id": self.private_key_id,
            "private_key": self.private_key_pem,
            "client_email": self.client_email,
            "client_id": self.client_id,
            "auth_uri": "https://accounts.google.com/o/oauth2/auth",
            "token_uri": self.token_uri,
            "auth_provider_x509_cert_url": "https://www.googleapis.com/oauth2/v1/certs",
            "client_x509_cert_url": format!("https://www.googleapis.com/robot/v1/metadata/x509/{encoded_email}"),
            "universe_domain": "googleapis.com",
        })
    }

    /// The key file as text.
    pub fn to_json_string(&self) -> String {
        serde_json::to_string_pretty(&self.to_json()).unwrap_or_default()
    }

    /// Signs claims as an RS256 JWT with this key (`kid` = `private_key_id`).
    pub fn sign_claims(&self, claims: &Value) -> Result<String, EmulatorError> {
        let mut header = jsonwebtoken::Header::new(jsonwebtoken::Algorithm::RS256);
        header.kid = Some(self.private_key_id.clone());
        let key = jsonwebtoken::EncodingKey::from_rsa_pem(self.private_key_pem.as_bytes())
            .map_err(|error| EmulatorError::Key(error.to_string()))?;
        jsonwebtoken::encode(&header, claims, &key)
            .map_err(|error| EmulatorError::Key(error.to_string()))
    }

    /// Signs claims the way yup-oauth2 and gcp_auth do: every segment base64url-encoded
    /// *with* padding, the signature computed over the padded text.
    pub fn sign_claims_padded(&self, claims: &Value) -> Result<String, EmulatorError> {
        let padded = base64::engine::general_purpose::URL_SAFE;
        let header = json!({"alg": "RS256", "typ": "JWT", "kid": self.private_key_id});
        let message = format!(
            "{}.{}",
            padded.encode(header.to_string()),
            padded.encode(claims.to_string())
        );
        let key = jsonwebtoken::EncodingKey::from_rsa_pem(self.private_key_pem.as_bytes())
            .map_err(|error| EmulatorError::Key(error.to_string()))?;
        let signature =
            jsonwebtoken::crypto::sign(message.as_bytes(), &key, jsonwebtoken::Algorithm::RS256)
                .map_err(|error| EmulatorError::Key(error.to_string()))?;
        let signature = base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(signature)
            .map_err(|error| EmulatorError::Key(error.to_string()))?;
        Ok(format!("{message}.{}", padded.encode(signature)))
    }

    /// A JWT-bearer assertion for `scope`, audience `token_uri`, valid for an hour from now.
    pub fn assertion(&self, scope: &str) -> Result<String, EmulatorError> {
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |elapsed| elapsed.as_secs());
        self.sign_claims(&json!({
            "iss": self.client_email,
            "scope": scope,
            "aud": self.token_uri,
            "iat": now,
            "exp": now + 3600,
        }))
    }

    /// The token request body (`application/x-www-form-urlencoded`) for an assertion.
    pub fn token_request_body(assertion: &str) -> String {
        format!(
            "grant_type=urn%3Aietf%3Aparams%3Aoauth%3Agrant-type%3Ajwt-bearer&assertion={assertion}"
        )
    }
}
