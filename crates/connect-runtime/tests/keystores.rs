//! Java key stores as Java users have them (made by the JDK's keytool at test time), read
//! into what librdkafka takes: the same certificates keytool exports, the private key,
//! wrong passwords named as such.

use std::collections::BTreeMap;

use anyhow::Result;
use connect_runtime::client_configs::to_librdkafka;
use connect_runtime::keystores::{StoreError, StoreType, read_store};
use connect_testkit::KafkaDist;
use connect_testkit::tls::{STORE_PASSWORD, TestPki};

fn pki() -> Result<(tempfile::TempDir, TestPki)> {
    let dir = tempfile::tempdir()?;
    let pki = TestPki::generate(&KafkaDist::locate()?, dir.path())?;
    Ok((dir, pki))
}

fn pem_body(pem: &str) -> String {
    pem.lines()
        .filter(|line| !line.starts_with("-----"))
        .collect()
}

#[test]
fn truststores_in_jks_pkcs12_and_pem_give_the_ca_certificate() -> Result<()> {
    let (_dir, pki) = pki()?;
    let expected = pem_body(&std::fs::read_to_string(&pki.ca_pem)?);
    for (path, kind) in [
        (&pki.truststore_jks, StoreType::Jks),
        (&pki.truststore_p12, StoreType::Pkcs12),
        (&pki.ca_pem, StoreType::Pem),
    ] {
        let contents = read_store(path, kind, Some(STORE_PASSWORD), None)?;
        assert_eq!(contents.certificates.len(), 1, "{kind:?}");
        assert_eq!(pem_body(&contents.certificates[0]), expected, "{kind:?}");
        assert_eq!(contents.private_key, None);
    }
    // A JKS truststore without a password is read without its integrity check, as Java does.
    let unchecked = read_store(&pki.truststore_jks, StoreType::Jks, None, None)?;
    assert_eq!(unchecked.certificates.len(), 1);
    Ok(())
}

#[test]
fn keystores_give_the_key_and_its_chain_and_name_a_wrong_password() -> Result<()> {
    let (_dir, pki) = pki()?;
    for (path, kind) in [
        (&pki.client_keystore_jks, StoreType::Jks),
        (&pki.client_keystore_p12, StoreType::Pkcs12),
    ] {
        let contents = read_store(path, kind, Some(STORE_PASSWORD), None)?;
        let key = contents.private_key.expect("a private key");
        assert!(key.starts_with("-----BEGIN PRIVATE KEY-----"), "{kind:?}");
        // The client's certificate, then the CA that signed it.
        assert_eq!(contents.certificates.len(), 2, "{kind:?}");
        let wrong = read_store(path, kind, Some("not-the-password"), None);
        assert_eq!(
            wrong,
            Err(StoreError::WrongPassword {
                path: path.display().to_string()
            }),
            "{kind:?}"
        );
    }
    Ok(())
}

#[test]
fn kafka_ssl_keys_become_librdkafka_pem_settings() -> Result<()> {
    let (_dir, pki) = pki()?;
    let config: BTreeMap<String, String> = [
        ("security.protocol", "SSL"),
        (
            "ssl.truststore.location",
            pki.truststore_jks.to_str().unwrap_or_default(),
        ),
        ("ssl.truststore.password", STORE_PASSWORD),
        (
            "ssl.keystore.location",
            pki.client_keystore_p12.to_str().unwrap_or_default(),
        ),
        ("ssl.keystore.type", "PKCS12"),
        ("ssl.keystore.password", STORE_PASSWORD),
        ("ssl.key.password", STORE_PASSWORD),
    ]
    .into_iter()
    .map(|(key, value)| (key.to_owned(), value.to_owned()))
    .collect();
    let settings = to_librdkafka(&[&config])?;
    let keys: Vec<&str> = settings.keys().map(String::as_str).collect();
    assert_eq!(
        keys,
        [
            "security.protocol",
            "ssl.ca.pem",
            "ssl.certificate.pem",
            "ssl.key.pem"
        ]
    );
    connect_runtime::client_configs::check(&settings)?;
    // A wrong truststore password names the key, and not the password.
    let mut wrong = config.clone();
    wrong.insert("ssl.truststore.password".into(), "hunter2-wrong".into());
    let error = to_librdkafka(&[&wrong]).expect_err("wrong password");
    assert_eq!(error.key, "ssl.truststore.location");
    assert!(error.reason.contains("password"), "{error}");
    assert!(!error.to_string().contains("hunter2"), "{error}");
    Ok(())
}
