//! A small blocking HTTP client for the tests: real requests over loopback, answers as
//! status + headers + JSON, never an error for a 4xx/5xx.

#![allow(dead_code)]

use std::time::Duration;

use serde_json::Value;
use sheets_emulator::{Emulator, RunningEmulator, SCOPE_SPREADSHEETS};

/// What a client saw.
#[derive(Debug)]
pub struct Reply {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub text: String,
    pub json: Value,
}

impl Reply {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(key, _)| key.eq_ignore_ascii_case(name))
            .map(|(_, value)| value.as_str())
    }
}

pub struct Client {
    pub base: String,
    agent: ureq::Agent,
    pub token: Option<String>,
}

pub const OWNER: &str = "owner@tributary-test.iam.gserviceaccount.com";

impl Client {
    pub fn new(running: &RunningEmulator) -> Client {
        let config = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .timeout_global(Some(Duration::from_secs(20)))
            .build();
        Client {
            base: running.base_url().to_owned(),
            agent: ureq::Agent::new_with_config(config),
            token: None,
        }
    }

    /// A client with a read-write token of [`OWNER`].
    pub fn owner(running: &RunningEmulator) -> Client {
        let mut client = Client::new(running);
        client.token = Some(running.mint_access_token(OWNER, &[SCOPE_SPREADSHEETS], None));
        client
    }

    pub fn with_token(mut self, token: impl Into<String>) -> Client {
        self.token = Some(token.into());
        self
    }

    fn finish(
        result: Result<ureq::http::Response<ureq::Body>, ureq::Error>,
    ) -> Result<Reply, ureq::Error> {
        let mut response = result?;
        let status = response.status().as_u16();
        let headers = response
            .headers()
            .iter()
            .map(|(name, value)| {
                (
                    name.to_string(),
                    value.to_str().unwrap_or_default().to_owned(),
                )
            })
            .collect();
        let text = response.body_mut().read_to_string()?;
        let json = serde_json::from_str(&text).unwrap_or(Value::Null);
        Ok(Reply {
            status,
            headers,
            text,
            json,
        })
    }

    /// GET; `Err` only when no HTTP answer came (dropped connection).
    pub fn try_get(&self, path: &str) -> Result<Reply, ureq::Error> {
        let mut request = self.agent.get(format!("{}{path}", self.base));
        if let Some(token) = &self.token {
            request = request.header("Authorization", format!("Bearer {token}"));
        }
        Client::finish(request.call())
    }

    pub fn get(&self, path: &str) -> Reply {
        self.try_get(path).expect("an HTTP answer")
    }

    pub fn send(&self, method: &str, path: &str, body: &Value) -> Reply {
        let url = format!("{}{path}", self.base);
        let mut request = match method {
            "POST" => self.agent.post(url),
            "PUT" => self.agent.put(url),
            other => panic!("unsupported method {other}"),
        };
        if let Some(token) = &self.token {
            request = request.header("Authorization", format!("Bearer {token}"));
        }
        Client::finish(request.send_json(body)).expect("an HTTP answer")
    }

    pub fn post(&self, path: &str, body: &Value) -> Reply {
        self.send("POST", path, body)
    }

    pub fn put(&self, path: &str, body: &Value) -> Reply {
        self.send("PUT", path, body)
    }

    /// POST a form body (the token endpoint).
    pub fn post_form(&self, path: &str, form: &str) -> Reply {
        let request = self
            .agent
            .post(format!("{}{path}", self.base))
            .header("Content-Type", "application/x-www-form-urlencoded");
        Client::finish(request.send(form)).expect("an HTTP answer")
    }
}

impl Client {
    /// `spreadsheets.batchUpdate` with these requests.
    pub fn batch_update(&self, id: &str, requests: Value) -> Reply {
        self.post(
            &format!("/v4/spreadsheets/{id}:batchUpdate"),
            &serde_json::json!({ "requests": requests }),
        )
    }

    /// A `batchUpdate` that must succeed: its answer.
    pub fn batch_ok(&self, id: &str, requests: Value) -> Value {
        let reply = self.batch_update(id, requests);
        assert_eq!(reply.status, 200, "{}", reply.text);
        reply.json
    }

    /// The `values` a read of the range answers (`[]` when it has none); `query` is
    /// appended to the URL (`valueRenderOption=FORMULA`), may be empty.
    pub fn values(&self, id: &str, range: &str, query: &str) -> Value {
        let reply = self.get(&format!("{}?{query}", values_path(id, range)));
        assert_eq!(reply.status, 200, "{}", reply.text);
        reply
            .json
            .get("values")
            .cloned()
            .unwrap_or(serde_json::json!([]))
    }
}

/// A running emulator with a read-write client of [`OWNER`].
pub fn start() -> (RunningEmulator, Client) {
    let running = Emulator::start_local().expect("emulator starts");
    let client = Client::owner(&running);
    (running, client)
}

/// `%XX`-encodes what a URL path segment may not hold.
pub fn encode(text: &str) -> String {
    let mut encoded = String::new();
    for byte in text.bytes() {
        match byte {
            b'A'..=b'Z'
            | b'a'..=b'z'
            | b'0'..=b'9'
            | b'-'
            | b'_'
            | b'.'
            | b'~'
            | b'!'
            | b':'
            | b'\'' => encoded.push(char::from(byte)),
            other => encoded.push_str(&format!("%{other:02X}")),
        }
    }
    encoded
}

/// `/v4/spreadsheets/{id}/values/{range}` with the range encoded.
pub fn values_path(id: &str, range: &str) -> String {
    format!("/v4/spreadsheets/{id}/values/{}", encode(range))
}
