//! A test PKI made at test time with the JDK's `keytool`: a CA, a broker certificate for
//! `127.0.0.1`/`localhost` signed by it, a client certificate signed by it, and the stores
//! Kafka users hold them in (JKS and PKCS12 truststores, PKCS12 keystores, PEM). A second,
//! unrelated CA gives the "untrusted certificate" cases.
//!
//! `keytool` rather than `openssl` the command: the JDK is what every machine running the
//! Kafka tests has, and the stores it writes are exactly the ones Java users bring.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use anyhow::{Context, Result, bail};

use crate::kafka::KafkaDist;

/// Passwords of the generated stores (test material only).
pub const STORE_PASSWORD: &str = "tributary-test-pass";

/// The files of a generated PKI, all under one directory.
#[derive(Debug, Clone)]
pub struct TestPki {
    pub dir: PathBuf,
    /// The CA certificate, PEM.
    pub ca_pem: PathBuf,
    /// Truststores holding the CA (password [`STORE_PASSWORD`]).
    pub truststore_jks: PathBuf,
    pub truststore_p12: PathBuf,
    /// The broker's key and certificate chain (PKCS12, password [`STORE_PASSWORD`]).
    pub broker_keystore: PathBuf,
    /// A client's key and certificate chain, signed by the CA: PKCS12 and JKS.
    pub client_keystore_p12: PathBuf,
    pub client_keystore_jks: PathBuf,
    /// A truststore holding another CA, which did not sign the broker's certificate.
    pub untrusted_truststore_jks: PathBuf,
}

impl TestPki {
    /// Generates everything in `dir` (created if needed). Takes a few seconds: RSA keys.
    pub fn generate(dist: &KafkaDist, dir: &Path) -> Result<TestPki> {
        std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
        let keytool = keytool(dist);
        let run = |args: &[&str]| -> Result<()> {
            let output = Command::new(&keytool)
                .args(args)
                .current_dir(dir)
                .stdin(Stdio::null())
                .output()
                .with_context(|| format!("running {}", keytool.display()))?;
            if !output.status.success() {
                bail!(
                    "keytool {} failed: {}{}",
                    args.first().copied().unwrap_or_default(),
                    String::from_utf8_lossy(&output.stdout),
                    String::from_utf8_lossy(&output.stderr)
                );
            }
            Ok(())
        };
        let pass = STORE_PASSWORD;
        let san = "SAN=ip:127.0.0.1,dns:localhost";
        for (alias, store) in [("ca", "ca.p12"), ("other-ca", "other-ca.p12")] {
            run(&[
                "-genkeypair",
                "-alias",
                alias,
                "-dname",
                &format!("CN=Tributary test {alias}"),
                "-ext",
                "bc:c",
                "-keyalg",
                "RSA",
                "-keysize",
                "2048",
                "-validity",
                "3",
                "-keystore",
                store,
                "-storetype",
                "PKCS12",
                "-storepass",
                pass,
            ])?;
            run(&[
                "-exportcert",
                "-alias",
                alias,
                "-keystore",
                store,
                "-storepass",
                pass,
                "-rfc",
                "-file",
                &format!("{alias}.pem"),
            ])?;
        }
        // The broker's and the client's keys, signed by the CA, with the chain imported.
        for (alias, dname) in [
            ("broker", "CN=localhost"),
            ("client", "CN=tributary-client"),
        ] {
            let store = format!("{alias}.p12");
            run(&[
                "-genkeypair",
                "-alias",
                alias,
                "-dname",
                dname,
                "-keyalg",
                "RSA",
                "-keysize",
                "2048",
                "-validity",
                "3",
                "-ext",
                san,
                "-keystore",
                &store,
                "-storetype",
                "PKCS12",
                "-storepass",
                pass,
            ])?;
            run(&[
                "-certreq",
                "-alias",
                alias,
                "-keystore",
                &store,
                "-storepass",
                pass,
                "-file",
                &format!("{alias}.csr"),
            ])?;
            run(&[
                "-gencert",
                "-alias",
                "ca",
                "-keystore",
                "ca.p12",
                "-storepass",
                pass,
                "-infile",
                &format!("{alias}.csr"),
                "-outfile",
                &format!("{alias}.crt"),
                "-ext",
                san,
                "-rfc",
                "-validity",
                "3",
            ])?;
            run(&[
                "-importcert",
                "-noprompt",
                "-alias",
                "ca",
                "-file",
                "ca.pem",
                "-keystore",
                &store,
                "-storepass",
                pass,
            ])?;
            run(&[
                "-importcert",
                "-alias",
                alias,
                "-file",
                &format!("{alias}.crt"),
                "-keystore",
                &store,
                "-storepass",
                pass,
            ])?;
        }
        run(&[
            "-importkeystore",
            "-srckeystore",
            "client.p12",
            "-srcstoretype",
            "PKCS12",
            "-srcstorepass",
            pass,
            "-destkeystore",
            "client.jks",
            "-deststoretype",
            "JKS",
            "-deststorepass",
            pass,
            "-destkeypass",
            pass,
            "-noprompt",
        ])?;
        for (file, kind, ca) in [
            ("truststore.jks", "JKS", "ca.pem"),
            ("truststore.p12", "PKCS12", "ca.pem"),
            ("untrusted.jks", "JKS", "other-ca.pem"),
        ] {
            run(&[
                "-importcert",
                "-noprompt",
                "-alias",
                "ca",
                "-file",
                ca,
                "-keystore",
                file,
                "-storetype",
                kind,
                "-storepass",
                pass,
            ])?;
        }
        Ok(TestPki {
            dir: dir.to_path_buf(),
            ca_pem: dir.join("ca.pem"),
            truststore_jks: dir.join("truststore.jks"),
            truststore_p12: dir.join("truststore.p12"),
            broker_keystore: dir.join("broker.p12"),
            client_keystore_p12: dir.join("client.p12"),
            client_keystore_jks: dir.join("client.jks"),
            untrusted_truststore_jks: dir.join("untrusted.jks"),
        })
    }
}

/// `keytool` of the JDK that runs Kafka.
pub fn keytool(dist: &KafkaDist) -> PathBuf {
    let java = dist.java();
    match java.parent() {
        Some(bin) if bin.join("keytool").exists() => bin.join("keytool"),
        _ => PathBuf::from("keytool"),
    }
}
