//! `tributary health`: asks a worker's `GET /health` and exits 0 when it answers 2xx, 1
//! otherwise. It is the container's `HEALTHCHECK`, so the runtime image needs no curl.
//!
//! Without `--url` it asks the worker configured by this process's environment:
//! `http://127.0.0.1:{port}/health`, the port taken from `CONNECT_LISTENERS` (or
//! `CONNECT_REST_PORT`), 8083 by default — the same variables the worker in the container
//! reads.

use std::time::Duration;

use anyhow::{Context, bail};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

use crate::env_config::{EnvSettings, apply_legacy_rest_keys};

#[derive(clap::Args)]
pub struct HealthArgs {
    /// The health endpoint (http only). Default: the worker configured by the CONNECT_*
    /// variables, on 127.0.0.1.
    #[arg(long)]
    url: Option<String>,
    /// How long to wait for the answer, in seconds (the worker itself gives up after 10).
    #[arg(long, default_value_t = 15)]
    timeout_secs: u64,
}

/// The URL of the local worker's `/health`, from the `CONNECT_*` variables.
pub fn default_url(env: &EnvSettings) -> String {
    let mut props = env.props.clone();
    apply_legacy_rest_keys(&mut props);
    let listeners: Vec<String> = props
        .get("listeners")
        .map(|l| l.split(',').map(|s| s.trim().to_string()).collect())
        .unwrap_or_default();
    let port = crate::standalone::listen_address(&listeners)
        .map(|address| address.port())
        .unwrap_or(8083);
    format!("http://127.0.0.1:{port}/health")
}

/// `http://host[:port]/path` → (`host:port`, `host`, `/path`).
fn split_url(url: &str) -> anyhow::Result<(String, String, String)> {
    let rest = url
        .strip_prefix("http://")
        .with_context(|| format!("only http:// URLs are supported, got {url}"))?;
    let (authority, path) = match rest.find('/') {
        Some(i) => (&rest[..i], &rest[i..]),
        None => (rest, "/"),
    };
    if authority.is_empty() {
        bail!("{url} has no host");
    }
    let has_port = match authority.rfind(']') {
        Some(end) => authority[end..].contains(':'),
        None => authority.contains(':'),
    };
    let address = if has_port {
        authority.to_string()
    } else {
        format!("{authority}:80")
    };
    Ok((address, authority.to_string(), path.to_string()))
}

/// One `GET`: the status code and the body.
async fn get(url: &str) -> anyhow::Result<(u16, String)> {
    let (address, host, path) = split_url(url)?;
    let mut stream = tokio::net::TcpStream::connect(&address)
        .await
        .with_context(|| format!("cannot connect to {address}"))?;
    let request =
        format!("GET {path} HTTP/1.1\r\nHost: {host}\r\nAccept: */*\r\nConnection: close\r\n\r\n");
    stream.write_all(request.as_bytes()).await?;
    let mut response = Vec::new();
    stream.read_to_end(&mut response).await?;
    let response = String::from_utf8_lossy(&response);
    let (head, body) = response.split_once("\r\n\r\n").unwrap_or((&response, ""));
    let status_line = head.lines().next().unwrap_or_default();
    let code = status_line
        .split_whitespace()
        .nth(1)
        .and_then(|c| c.parse::<u16>().ok())
        .with_context(|| format!("not an HTTP answer from {url}: {status_line:?}"))?;
    // A chunked body would carry chunk sizes; the worker's JSON answers have a length, and
    // the body is only printed.
    Ok((code, body.trim().to_string()))
}

pub async fn run(args: HealthArgs) -> anyhow::Result<()> {
    let url = match args.url {
        Some(url) => url,
        None => default_url(&EnvSettings::from_process_env().unwrap_or_default()),
    };
    let (code, body) = tokio::time::timeout(Duration::from_secs(args.timeout_secs), get(&url))
        .await
        .with_context(|| format!("no answer from {url} within {}s", args.timeout_secs))??;
    if (200..300).contains(&code) {
        println!("{code} {body}");
        Ok(())
    } else {
        bail!("{url} answered {code}: {body}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_split_into_address_host_and_path() {
        assert_eq!(
            split_url("http://127.0.0.1:8083/health").expect("valid"),
            (
                "127.0.0.1:8083".to_string(),
                "127.0.0.1:8083".to_string(),
                "/health".to_string()
            )
        );
        assert_eq!(
            split_url("http://localhost").expect("valid"),
            (
                "localhost:80".to_string(),
                "localhost".to_string(),
                "/".to_string()
            )
        );
        assert_eq!(
            split_url("http://[::1]:9000/health").expect("valid").0,
            "[::1]:9000"
        );
        assert!(split_url("https://x/health").is_err());
        assert!(split_url("http:///health").is_err());
    }

    #[test]
    fn the_default_url_follows_the_workers_listeners() {
        let env =
            |pairs: &[(&str, &str)]| EnvSettings::from_vars(pairs.iter().copied()).expect("valid");
        assert_eq!(default_url(&env(&[])), "http://127.0.0.1:8083/health");
        assert_eq!(
            default_url(&env(&[("CONNECT_LISTENERS", "http://0.0.0.0:9083")])),
            "http://127.0.0.1:9083/health"
        );
        assert_eq!(
            default_url(&env(&[("CONNECT_REST_PORT", "8084")])),
            "http://127.0.0.1:8084/health"
        );
    }
}
