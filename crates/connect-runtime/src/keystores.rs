//! Java key stores (JKS, PKCS12) and PEM files, read into the PEM that librdkafka takes.
//!
//! Kafka users hold their trust and identity in Java key stores: `ssl.truststore.location`
//! names a JKS or PKCS12 file of trusted CA certificates, `ssl.keystore.location` one with
//! the client's private key and certificate chain. librdkafka reads PEM (and PKCS12 for
//! its keystore), so a config written for Kafka's Java clients would not work as it is.
//! This module reads all three formats:
//!
//! - **PEM**: certificates and a private key in `-----BEGIN ...-----` blocks, as Kafka's
//!   `ssl.truststore.type=PEM` / `ssl.keystore.type=PEM` files hold them.
//! - **PKCS12**: through OpenSSL (the library librdkafka is built with).
//! - **JKS**: Sun's own format, read here (it is small and fixed): a header, entries of
//!   trusted certificates (DER) and private keys (PKCS#8 encrypted with Sun's
//!   `KeyProtector`, a SHA-1 keystream), and a SHA-1 digest keyed by the store password
//!   that proves the file is whole and the password right.
//!
//! The key material never leaves memory as a file: the resulting PEM strings are handed
//! to librdkafka's `ssl.ca.pem`, `ssl.certificate.pem` and `ssl.key.pem`.

use std::path::Path;

use openssl::pkcs12::Pkcs12;
use openssl::pkey::PKey;
use openssl::x509::X509;

/// What reading a store found.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct StoreContents {
    /// Certificates, PEM, in the store's order (a keystore's chain starts with the
    /// client's own certificate).
    pub certificates: Vec<String>,
    /// The private key (PKCS#8 PEM, unencrypted), for keystores.
    pub private_key: Option<String>,
}

/// Why a store could not be read; the message says what to fix.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum StoreError {
    #[error("cannot read {path}: {cause}")]
    Io { path: String, cause: String },
    #[error("{path} is not a {kind} store: {cause}")]
    Format {
        path: String,
        kind: &'static str,
        cause: String,
    },
    #[error("the password of {path} is wrong (the store's integrity check failed)")]
    WrongPassword { path: String },
    #[error("{path} holds no {what}")]
    Empty { path: String, what: &'static str },
    #[error("store type {0} is not supported: use JKS, PKCS12 or PEM")]
    UnknownType(String),
}

/// The formats of `ssl.truststore.type` / `ssl.keystore.type`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StoreType {
    Jks,
    Pkcs12,
    Pem,
}

impl StoreType {
    /// Kafka's names, case-insensitive (`JKS`, `PKCS12`, `PEM`).
    pub fn parse(name: &str) -> Result<StoreType, StoreError> {
        match name.trim().to_ascii_uppercase().as_str() {
            "JKS" => Ok(StoreType::Jks),
            "PKCS12" | "P12" => Ok(StoreType::Pkcs12),
            "PEM" => Ok(StoreType::Pem),
            _ => Err(StoreError::UnknownType(name.to_owned())),
        }
    }
}

/// Reads a store file. `password` is the store password (`None`: not given; a JKS store is
/// then read without its integrity check, as Java does for truststores); `key_password`
/// the private key's (`ssl.key.password`, defaulting to the store password).
pub fn read_store(
    path: &Path,
    kind: StoreType,
    password: Option<&str>,
    key_password: Option<&str>,
) -> Result<StoreContents, StoreError> {
    let shown = path.display().to_string();
    let bytes = std::fs::read(path).map_err(|error| StoreError::Io {
        path: shown.clone(),
        cause: error.to_string(),
    })?;
    match kind {
        StoreType::Pem => read_pem(&bytes, &shown, key_password),
        StoreType::Pkcs12 => read_pkcs12(&bytes, &shown, password.unwrap_or_default()),
        StoreType::Jks => read_jks(&bytes, &shown, password, key_password.or(password)),
    }
}

/// PEM text: its certificates, and its private key (decrypted with `key_password` when
/// it is encrypted).
pub fn read_pem(
    bytes: &[u8],
    shown: &str,
    key_password: Option<&str>,
) -> Result<StoreContents, StoreError> {
    let format = |cause: String| StoreError::Format {
        path: shown.to_owned(),
        kind: "PEM",
        cause,
    };
    let certificates = X509::stack_from_pem(bytes)
        .map_err(|error| format(error.to_string()))?
        .iter()
        .map(|certificate| certificate_pem(certificate))
        .collect::<Result<Vec<_>, _>>()
        .map_err(format)?;
    let text = String::from_utf8_lossy(bytes);
    let private_key = if text.contains("PRIVATE KEY-----") {
        let key = match key_password {
            Some(password) => PKey::private_key_from_pem_passphrase(bytes, password.as_bytes()),
            None => PKey::private_key_from_pem(bytes),
        }
        .map_err(|_| match key_password {
            Some(_) => StoreError::WrongPassword {
                path: shown.to_owned(),
            },
            None => format("its private key is encrypted: set ssl.key.password".into()),
        })?;
        Some(private_key_pem(&key).map_err(format)?)
    } else {
        None
    };
    Ok(StoreContents {
        certificates,
        private_key,
    })
}

fn certificate_pem(certificate: &openssl::x509::X509Ref) -> Result<String, String> {
    certificate
        .to_pem()
        .map_err(|error| error.to_string())
        .map(|pem| String::from_utf8_lossy(&pem).into_owned())
}

fn private_key_pem(key: &PKey<openssl::pkey::Private>) -> Result<String, String> {
    key.private_key_to_pem_pkcs8()
        .map_err(|error| error.to_string())
        .map(|pem| String::from_utf8_lossy(&pem).into_owned())
}

fn read_pkcs12(bytes: &[u8], shown: &str, password: &str) -> Result<StoreContents, StoreError> {
    let format = |cause: String| StoreError::Format {
        path: shown.to_owned(),
        kind: "PKCS12",
        cause,
    };
    let parsed = Pkcs12::from_der(bytes)
        .map_err(|error| format(error.to_string()))?
        .parse2(password)
        .map_err(|_| StoreError::WrongPassword {
            path: shown.to_owned(),
        })?;
    let mut certificates = Vec::new();
    if let Some(certificate) = &parsed.cert {
        certificates.push(certificate_pem(certificate).map_err(format)?);
    }
    if let Some(chain) = &parsed.ca {
        for certificate in chain {
            // A CA both trusted and in the key's chain is listed twice; once is enough.
            let pem = certificate_pem(certificate).map_err(format)?;
            if !certificates.contains(&pem) {
                certificates.push(pem);
            }
        }
    }
    let private_key = match &parsed.pkey {
        Some(key) => Some(private_key_pem(key).map_err(format)?),
        None => None,
    };
    Ok(StoreContents {
        certificates,
        private_key,
    })
}

const JKS_MAGIC: u32 = 0xFEED_FEED;
const TAG_PRIVATE_KEY: u32 = 1;
const TAG_TRUSTED_CERT: u32 = 2;

/// Reads a JKS store. The trailing digest is checked when a password is given.
fn read_jks(
    bytes: &[u8],
    shown: &str,
    password: Option<&str>,
    key_password: Option<&str>,
) -> Result<StoreContents, StoreError> {
    let format = |cause: &str| StoreError::Format {
        path: shown.to_owned(),
        kind: "JKS",
        cause: cause.to_owned(),
    };
    let mut reader = Reader { bytes, at: 0 };
    if reader.u32() != Some(JKS_MAGIC) {
        return Err(format("it does not start with JKS's magic number"));
    }
    let version = reader.u32().ok_or_else(|| format("truncated header"))?;
    if version != 1 && version != 2 {
        return Err(format(&std::format!("unknown version {version}")));
    }
    let count = reader.u32().ok_or_else(|| format("truncated header"))?;
    let mut contents = StoreContents::default();
    // A keystore's certificates are its key's chain; a truststore's, its trusted entries.
    let mut key_chain = Vec::new();
    for _ in 0..count {
        let truncated = || format("truncated entry");
        let tag = reader.u32().ok_or_else(truncated)?;
        reader.utf().ok_or_else(truncated)?; // alias
        reader.take(8).ok_or_else(truncated)?; // creation time
        match tag {
            TAG_TRUSTED_CERT => {
                let der = reader.certificate(version).ok_or_else(truncated)?;
                contents
                    .certificates
                    .push(der_certificate_pem(der).map_err(|c| format(&c))?);
            }
            TAG_PRIVATE_KEY => {
                let length = reader.u32().ok_or_else(truncated)? as usize;
                let protected = reader.take(length).ok_or_else(truncated)?;
                let chain = reader.u32().ok_or_else(truncated)?;
                let mut chain_pems = Vec::new();
                for _ in 0..chain {
                    let der = reader.certificate(version).ok_or_else(truncated)?;
                    chain_pems.push(der_certificate_pem(der).map_err(|c| format(&c))?);
                }
                if contents.private_key.is_none() {
                    let password = key_password.ok_or_else(|| {
                        format("its private key is protected: set ssl.keystore.password or ssl.key.password")
                    })?;
                    let pkcs8 = unprotect_key(protected, password).ok_or_else(|| {
                        StoreError::WrongPassword {
                            path: shown.to_owned(),
                        }
                    })?;
                    let key = PKey::private_key_from_pkcs8(&pkcs8)
                        .map_err(|error| format(&error.to_string()))?;
                    contents.private_key = Some(private_key_pem(&key).map_err(|c| format(&c))?);
                    key_chain = chain_pems;
                }
            }
            other => return Err(format(&std::format!("unknown entry tag {other}"))),
        }
    }
    if contents.private_key.is_some() {
        contents.certificates = key_chain;
    }
    let signed = reader.at;
    let digest = reader
        .take(20)
        .ok_or_else(|| format("no integrity digest"))?;
    if let Some(password) = password {
        let mut input = utf16_be(password);
        input.extend_from_slice(b"Mighty Aphrodite");
        input.extend_from_slice(&bytes[..signed]);
        if openssl::sha::sha1(&input) != digest {
            return Err(StoreError::WrongPassword {
                path: shown.to_owned(),
            });
        }
    }
    Ok(contents)
}

fn der_certificate_pem(der: &[u8]) -> Result<String, String> {
    X509::from_der(der)
        .map_err(|error| error.to_string())
        .and_then(|certificate| certificate_pem(&certificate))
}

fn utf16_be(text: &str) -> Vec<u8> {
    text.encode_utf16().flat_map(u16::to_be_bytes).collect()
}

/// Undoes Sun's `KeyProtector` (OID 1.3.6.1.4.1.42.2.17.1.1): the `EncryptedPrivateKeyInfo`
/// holds `salt(20) || key XOR keystream || check(20)`, the keystream being SHA-1 chained
/// from the password and the salt, the check SHA-1 of the password and the key. `None`
/// when the check fails (a wrong password) or the structure is not that.
fn unprotect_key(encrypted_info: &[u8], password: &str) -> Option<Vec<u8>> {
    // EncryptedPrivateKeyInfo ::= SEQUENCE { AlgorithmIdentifier, OCTET STRING }
    let (sequence, _) = der_element(encrypted_info, 0x30)?;
    let (_, after_algorithm) = der_element(sequence, 0x30)?;
    let (protected, _) = der_element(after_algorithm, 0x04)?;
    if protected.len() < 40 {
        return None;
    }
    let (salt, rest) = protected.split_at(20);
    let (masked, check) = rest.split_at(rest.len() - 20);
    let password = utf16_be(password);
    let mut key = Vec::with_capacity(masked.len());
    let mut digest = {
        let mut input = password.clone();
        input.extend_from_slice(salt);
        openssl::sha::sha1(&input)
    };
    for chunk in masked.chunks(20) {
        key.extend(
            chunk
                .iter()
                .zip(digest.iter())
                .map(|(byte, mask)| byte ^ mask),
        );
        let mut input = password.clone();
        input.extend_from_slice(&digest);
        digest = openssl::sha::sha1(&input);
    }
    let mut input = password;
    input.extend_from_slice(&key);
    (openssl::sha::sha1(&input) == check).then_some(key)
}

/// One DER element of `tag` at the start of `bytes`: its content and what follows it.
fn der_element(bytes: &[u8], tag: u8) -> Option<(&[u8], &[u8])> {
    if *bytes.first()? != tag {
        return None;
    }
    let first = *bytes.get(1)?;
    let (length, header) = if first < 0x80 {
        (first as usize, 2)
    } else {
        let octets = (first & 0x7f) as usize;
        if octets == 0 || octets > 4 {
            return None;
        }
        let length = bytes
            .get(2..2 + octets)?
            .iter()
            .fold(0usize, |length, byte| (length << 8) | *byte as usize);
        (length, 2 + octets)
    };
    let content = bytes.get(header..header.checked_add(length)?)?;
    Some((content, &bytes[header + length..]))
}

/// A cursor over big-endian JKS data.
struct Reader<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl<'a> Reader<'a> {
    fn take(&mut self, length: usize) -> Option<&'a [u8]> {
        let slice = self.bytes.get(self.at..self.at.checked_add(length)?)?;
        self.at += length;
        Some(slice)
    }

    fn u32(&mut self) -> Option<u32> {
        Some(u32::from_be_bytes(self.take(4)?.try_into().ok()?))
    }

    fn u16(&mut self) -> Option<u16> {
        Some(u16::from_be_bytes(self.take(2)?.try_into().ok()?))
    }

    /// Java's `writeUTF`: a length and (modified) UTF-8, skipped here.
    fn utf(&mut self) -> Option<&'a [u8]> {
        let length = self.u16()? as usize;
        self.take(length)
    }

    /// A certificate: in version 2 stores its type (`X.509`) first, then DER.
    fn certificate(&mut self, version: u32) -> Option<&'a [u8]> {
        if version == 2 {
            self.utf()?;
        }
        let length = self.u32()? as usize;
        self.take(length)
    }
}
