//! The REST API of a real standalone worker, endpoint by endpoint, with the error cases a
//! Kafka Connect user meets: unknown classes, invalid configs, name mismatches, malformed
//! bodies, offsets outside STOPPED, and the answers' exact shapes.

mod common;

use std::time::Duration;

use anyhow::Result;
use common::*;
use connect_testkit::KafkaCluster;
use serde_json::{Value, json};

struct Rest {
    base: String,
}

impl Rest {
    async fn call(
        &self,
        method: &'static str,
        path: &str,
        body: Option<String>,
        content_type: &'static str,
    ) -> Result<(u16, Value, Option<String>)> {
        let url = format!("{}{}", self.base, path);
        tokio::task::spawn_blocking(move || -> Result<(u16, Value, Option<String>)> {
            let agent = ureq::Agent::config_builder()
                .http_status_as_error(false)
                .build()
                .new_agent();
            let mut response = match (method, body) {
                ("GET", _) => agent.get(&url).call()?,
                ("DELETE", _) => agent.delete(&url).call()?,
                ("POST", Some(b)) => agent.post(&url).content_type(content_type).send(b)?,
                ("POST", None) => agent.post(&url).send_empty()?,
                ("PUT", Some(b)) => agent.put(&url).content_type(content_type).send(b)?,
                ("PUT", None) => agent.put(&url).send_empty()?,
                ("PATCH", Some(b)) => agent.patch(&url).content_type(content_type).send(b)?,
                (m, _) => anyhow::bail!("unsupported method {m}"),
            };
            let status = response.status().as_u16();
            let location = response
                .headers()
                .get("location")
                .and_then(|v| v.to_str().ok())
                .map(str::to_string);
            let text = response.body_mut().read_to_string()?;
            let value = if text.is_empty() {
                Value::Null
            } else {
                serde_json::from_str(&text)?
            };
            Ok((status, value, location))
        })
        .await?
    }
    async fn get(&self, path: &str) -> Result<(u16, Value)> {
        let (s, v, _) = self.call("GET", path, None, "application/json").await?;
        Ok((s, v))
    }
    async fn send(
        &self,
        method: &'static str,
        path: &str,
        body: Value,
    ) -> Result<(u16, Value, Option<String>)> {
        self.call(method, path, Some(body.to_string()), "application/json")
            .await
    }
    async fn empty(&self, method: &'static str, path: &str) -> Result<(u16, Value)> {
        let (s, v, _) = self.call(method, path, None, "application/json").await?;
        Ok((s, v))
    }
}

/// A worker without connectors, with `settings` in its config, and a REST client of it.
async fn worker_and_rest(
    cluster: &KafkaCluster,
    dir: &std::path::Path,
    settings: &[(&str, String)],
) -> Result<(WorkerProcess, Rest)> {
    let worker = WorkerProcess::start(dir, &cluster.bootstrap_servers(), settings, vec![]).await?;
    let rest = Rest {
        base: worker.rest.clone(),
    };
    Ok((worker, rest))
}

fn assert_error(code: u16, body: &Value, expected: u16, needle: &str) {
    assert_eq!(code, expected, "{body}");
    assert_eq!(body["error_code"], expected, "{body}");
    let message = body["message"].as_str().unwrap_or_default();
    assert!(
        message.contains(needle),
        "message {message:?} should contain {needle:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rest_api_answers_like_kafka_connect() -> Result<()> {
    let cluster = KafkaCluster::start().await?;
    let dir = tempfile::tempdir()?;
    let input = dir.path().join("in.txt");
    append_lines(&input, 0, 10)?;
    let (worker, rest) = worker_and_rest(
        &cluster,
        dir.path(),
        &[("offset.flush.interval.ms", "100".to_string())],
    )
    .await?;
    let topic = cluster.unique_topic("rest");

    let (code, root) = rest.get("/").await?;
    assert_eq!(code, 200);
    assert!(root["version"].is_string());
    // The commit the worker was built from, as Kafka's worker names its own.
    let head = std::process::Command::new("git")
        .args(["rev-parse", "HEAD"])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .ok()
        .filter(|o| o.status.success())
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string());
    assert_eq!(
        root["commit"].as_str(),
        Some(head.as_deref().unwrap_or("unknown")),
        "{root}"
    );
    let (code, health) = rest.get("/health").await?;
    assert_eq!((code, health["status"].as_str()), (200, Some("healthy")));

    // Plugins: connectors only by default, everything with connectorsOnly=false.
    let (code, plugins) = rest.get("/connector-plugins").await?;
    assert_eq!(code, 200);
    let types: Vec<&str> = plugins
        .as_array()
        .map(|a| a.iter().filter_map(|p| p["type"].as_str()).collect())
        .unwrap_or_default();
    assert!(
        types.iter().all(|t| *t == "source" || *t == "sink"),
        "{plugins}"
    );
    let (_, all) = rest.get("/connector-plugins?connectorsOnly=false").await?;
    let has = |class: &str, kind: &str| {
        all.as_array()
            .is_some_and(|a| a.iter().any(|p| p["class"] == class && p["type"] == kind))
    };
    assert!(
        has("org.apache.kafka.connect.json.JsonConverter", "converter"),
        "{all}"
    );
    assert!(
        has(
            "org.apache.kafka.connect.storage.SimpleHeaderConverter",
            "header_converter"
        ),
        "{all}"
    );
    let (code, keys) = rest
        .get("/connector-plugins/FileStreamSource/config")
        .await?;
    assert_eq!(code, 200);
    let topic_key = keys
        .as_array()
        .and_then(|a| a.iter().find(|k| k["name"] == "topic"))
        .cloned()
        .unwrap_or_default();
    assert_eq!(topic_key["type"], "STRING");
    assert_eq!(topic_key["required"], true);

    // Validate: per-key errors, and the class in the URL must match the body.
    let (code, infos, _) = rest
        .send(
            "PUT",
            "/connector-plugins/FileStreamSourceConnector/config/validate",
            json!({"connector.class": "FileStreamSource", "name": "x", "batch.size": "many"}),
        )
        .await?;
    assert_eq!(code, 200);
    // The class as the config names it, as Kafka Connect 4.3.1 answers.
    assert_eq!(infos["name"], "FileStreamSource");
    let errors_of = |name: &str| {
        infos["configs"]
            .as_array()
            .and_then(|c| c.iter().find(|c| c["value"]["name"] == name))
            .map(|c| c["value"]["errors"].clone())
            .unwrap_or_default()
    };
    assert_eq!(
        errors_of("topic"),
        json!(["Missing required configuration \"topic\" which has no default value."])
    );
    assert_eq!(
        errors_of("batch.size"),
        json!(["Invalid value many for configuration batch.size: Not a number of type INT"])
    );
    assert_eq!(infos["error_count"], 2);
    let (code, body, _) = rest
        .send(
            "PUT",
            "/connector-plugins/FileStreamSinkConnector/config/validate",
            json!({"connector.class": "FileStreamSource"}),
        )
        .await?;
    assert_eq!(code, 400, "{body}");

    // Create: unknown class lists the known ones; invalid config gives Kafka's message.
    let (code, body, _) = rest
        .send(
            "POST",
            "/connectors",
            json!({"name": "c1", "config": {"connector.class": "NoSuchConnector"}}),
        )
        .await?;
    assert_error(
        code,
        &body,
        400,
        "org.apache.kafka.connect.file.FileStreamSourceConnector",
    );
    let (code, body, _) = rest
        .send(
            "POST",
            "/connectors",
            json!({"name": "c1", "config": {"connector.class": "FileStreamSource"}}),
        )
        .await?;
    assert_error(
        code,
        &body,
        400,
        "Connector configuration is invalid and contains the following 1 error(s):",
    );
    assert!(
        body["message"]
            .as_str()
            .unwrap_or_default()
            .contains("Missing required configuration \"topic\""),
        "{body}"
    );
    let (code, body) = rest
        .call(
            "POST",
            "/connectors",
            Some("{\"name\": ".to_string()),
            "application/json",
        )
        .await
        .map(|(c, b, _)| (c, b))?;
    assert_eq!(
        (code, body["error_code"].as_u64()),
        (400, Some(400)),
        "{body}"
    );
    let (code, body, _) = rest
        .send(
            "POST",
            "/connectors",
            json!({"config": {"connector.class": "FileStreamSource"}}),
        )
        .await?;
    assert_eq!(
        (code, body["error_code"].as_u64()),
        (400, Some(400)),
        "{body}"
    );

    let config = json!({"connector.class": "FileStreamSource", "file": input.display().to_string(), "topic": topic,
        "topic.creation.default.partitions": "1", "topic.creation.default.replication.factor": "1"});
    let (code, created, location) = rest
        .send(
            "POST",
            "/connectors",
            json!({"name": "c1", "config": config}),
        )
        .await?;
    assert_eq!(code, 201, "{created}");
    assert_eq!(
        location.as_deref().map(|l| l.ends_with("/connectors/c1")),
        Some(true),
        "{location:?}"
    );
    assert_eq!(created["name"], "c1");
    assert_eq!(created["config"]["name"], "c1");
    assert_eq!(created["type"], "source");
    let (code, body, _) = rest
        .send(
            "POST",
            "/connectors",
            json!({"name": "c1", "config": config}),
        )
        .await?;
    assert_error(code, &body, 409, "c1");

    worker
        .wait_for_state("c1", "RUNNING", Duration::from_secs(30))
        .await?;
    let (code, expanded) = rest.get("/connectors?expand=status&expand=info").await?;
    assert_eq!(code, 200);
    assert_eq!(expanded["c1"]["status"]["connector"]["state"], "RUNNING");
    assert_eq!(expanded["c1"]["info"]["config"]["topic"], topic);
    let (_, names) = rest.get("/connectors").await?;
    assert_eq!(names, json!(["c1"]));
    let (code, tasks) = rest.get("/connectors/c1/tasks").await?;
    assert_eq!(code, 200);
    assert_eq!(tasks[0]["id"], json!({"connector": "c1", "task": 0}));
    let (code, task) = rest.get("/connectors/c1/tasks/0/status").await?;
    assert_eq!(
        (code, task["state"].as_str(), task["id"].as_u64()),
        (200, Some("RUNNING"), Some(0))
    );
    let (code, body) = rest.get("/connectors/c1/tasks/7/status").await?;
    assert_eq!(code, 404, "{body}");
    // Active topics are those records went to (as Kafka tracks them): the topic shows up
    // once the source has sent a record.
    let active = json!({"c1": {"topics": [topic.clone()]}});
    connect_testkit::wait_until(
        Duration::from_secs(30),
        Duration::from_millis(100),
        || async {
            rest.get("/connectors/c1/topics")
                .await
                .is_ok_and(|(code, topics)| code == 200 && topics == active)
        },
    )
    .await?;

    // PUT config: name mismatch is 400; an update is 200; a new name is 201.
    let mut mismatched = config.clone();
    mismatched["name"] = json!("other");
    let (code, body, _) = rest
        .send("PUT", "/connectors/c1/config", mismatched)
        .await?;
    assert_error(code, &body, 400, "other");
    let (code, updated, _) = rest
        .send("PUT", "/connectors/c1/config", config.clone())
        .await?;
    assert_eq!(code, 200, "{updated}");
    let (code, patched, _) = rest
        .send("PATCH", "/connectors/c1/config", json!({"batch.size": "5"}))
        .await?;
    assert_eq!(code, 200, "{patched}");
    assert_eq!(patched["config"]["batch.size"], "5");
    let (code, got) = rest.get("/connectors/c1/config").await?;
    assert_eq!((code, got["batch.size"].as_str()), (200, Some("5")));

    // Offsets only while STOPPED.
    let partition = json!({"filename": input.display().to_string()});
    let (code, body, _) = rest
        .send("PATCH", "/connectors/c1/offsets", json!({"offsets": []}))
        .await?;
    assert_error(code, &body, 400, "Partitions / offsets need to be provided");
    let one_offset = json!({"offsets": [{"partition": partition, "offset": {"position": 0}}]});
    let (code, body, _) = rest
        .send("PATCH", "/connectors/c1/offsets", one_offset)
        .await?;
    assert_error(code, &body, 400, "STOPPED");
    let (code, body) = rest.empty("DELETE", "/connectors/c1/offsets").await?;
    assert_error(code, &body, 400, "STOPPED");
    connect_testkit::wait_until(
        Duration::from_secs(30),
        Duration::from_millis(100),
        || async {
            rest.get("/connectors/c1/offsets")
                .await
                .map(|(_, o)| o["offsets"][0]["offset"]["position"] == json!(390))
                .unwrap_or(false)
        },
    )
    .await?;
    let (code, _) = rest.empty("PUT", "/connectors/c1/stop").await?;
    assert_eq!(code, 204);
    let (_, status) = rest.get("/connectors/c1/status").await?;
    assert_eq!(status["connector"]["state"], "STOPPED");
    assert_eq!(status["tasks"], json!([]));
    let (code, altered, _) = rest
        .send(
            "PATCH",
            "/connectors/c1/offsets",
            json!({"offsets": [{"partition": partition, "offset": {"position": 39}}]}),
        )
        .await?;
    assert_eq!(code, 200, "{altered}");
    assert!(altered["message"].is_string());
    let (_, offsets) = rest.get("/connectors/c1/offsets").await?;
    assert_eq!(
        offsets,
        json!({"offsets": [{"partition": partition, "offset": {"position": 39}}]})
    );
    let (code, _) = rest.empty("PUT", "/connectors/c1/resume").await?;
    assert_eq!(code, 202);
    worker
        .wait_for_state("c1", "RUNNING", Duration::from_secs(30))
        .await?;
    // Resuming from position 39 re-reads lines 1..9 into the topic: 10 + 9 records.
    connect_testkit::wait_until(
        Duration::from_secs(30),
        Duration::from_millis(100),
        || async {
            cluster
                .end_offsets(&topic)
                .await
                .map(|o| o.values().sum::<i64>() == 19)
                .unwrap_or(false)
        },
    )
    .await?;

    // Pause, restart variants, delete.
    let (code, _) = rest.empty("PUT", "/connectors/c1/pause").await?;
    assert_eq!(code, 202);
    worker
        .wait_for_state("c1", "PAUSED", Duration::from_secs(30))
        .await?;
    let (code, _) = rest.empty("PUT", "/connectors/c1/resume").await?;
    assert_eq!(code, 202);
    worker
        .wait_for_state("c1", "RUNNING", Duration::from_secs(30))
        .await?;
    let (code, _) = rest.empty("POST", "/connectors/c1/restart").await?;
    assert_eq!(code, 204);
    let (code, restarting) = rest
        .empty("POST", "/connectors/c1/restart?includeTasks=true")
        .await?;
    assert_eq!(code, 202, "{restarting}");
    assert_eq!(restarting["connector"]["state"], "RESTARTING");
    assert_eq!(restarting["tasks"][0]["state"], "RESTARTING");
    let (code, _) = rest.empty("POST", "/connectors/c1/tasks/0/restart").await?;
    assert_eq!(code, 204);
    worker
        .wait_for_state("c1", "RUNNING", Duration::from_secs(30))
        .await?;
    let (code, _) = rest.empty("DELETE", "/connectors/c1").await?;
    assert_eq!(code, 204);
    for path in [
        "/connectors/c1",
        "/connectors/c1/status",
        "/connectors/c1/config",
        "/connectors/c1/offsets",
    ] {
        let (code, body) = rest.get(path).await?;
        assert_error(code, &body, 404, "c1");
    }
    let (code, body) = rest.get("/no/such/path").await?;
    assert_eq!((code, body["error_code"].as_u64()), (404, Some(404)));

    // Loggers.
    let (code, loggers) = rest.get("/admin/loggers").await?;
    assert_eq!(code, 200);
    assert!(loggers["root"]["level"].is_string(), "{loggers}");
    let (code, changed, _) = rest
        .send(
            "PUT",
            "/admin/loggers/connect_runtime",
            json!({"level": "DEBUG"}),
        )
        .await?;
    assert_eq!(code, 200, "{changed}");
    let (_, level) = rest.get("/admin/loggers/connect_runtime").await?;
    assert_eq!(level["level"], "DEBUG");
    Ok(())
}

/// Active topics (KIP-558) are the topics records really went to or came from: a source
/// routed by RegexRouter reports the routed topic, never its configured one; a
/// `topics.regex` sink reports the topics it consumed; a reset forgets them until used
/// again. `topic.tracking.enable=false` and `topic.tracking.allow.reset=false` answer 403
/// with Kafka's messages.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn active_topics_are_the_ones_used_and_tracking_can_be_switched_off() -> Result<()> {
    let cluster = KafkaCluster::start().await?;
    let dir = tempfile::tempdir()?;
    let configured = cluster.unique_topic("configured");
    let routed = cluster.unique_topic("routed");
    let input = dir.path().join("in.txt");
    append_lines(&input, 0, 3)?;
    let (worker, rest) = worker_and_rest(
        &cluster,
        dir.path(),
        &[("offset.flush.interval.ms", "500".to_string())],
    )
    .await?;
    let (code, body, _) = rest
        .send(
            "POST",
            "/connectors",
            json!({"name": "routed-source", "config": {
                "connector.class": "FileStreamSource",
                "file": input.display().to_string(),
                "topic": configured,
                "transforms": "route",
                "transforms.route.type": "org.apache.kafka.connect.transforms.RegexRouter",
                "transforms.route.regex": ".*",
                "transforms.route.replacement": routed,
            }}),
        )
        .await?;
    assert_eq!(code, 201, "{body}");
    let (code, body, _) = rest
        .send(
            "POST",
            "/connectors",
            json!({"name": "pattern-sink", "config": {
                "connector.class": "FileStreamSink",
                "file": dir.path().join("out.txt").display().to_string(),
                "topics.regex": format!("{routed}|nothing-matches-this"),
                "consumer.override.topic.metadata.refresh.interval.ms": "1000",
            }}),
        )
        .await?;
    assert_eq!(code, 201, "{body}");
    let active = |connector: &str, topic: &str| json!({connector: {"topics": [topic]}});
    for (connector, topic) in [("routed-source", &routed), ("pattern-sink", &routed)] {
        let expected = active(connector, topic);
        let path = format!("/connectors/{connector}/topics");
        connect_testkit::wait_until(Duration::from_secs(60), Duration::from_millis(100), || {
            let (rest, path, expected) = (&rest, path.clone(), expected.clone());
            async move {
                rest.get(&path)
                    .await
                    .is_ok_and(|(code, topics)| code == 200 && topics == expected)
            }
        })
        .await
        .map_err(|e| {
            anyhow::anyhow!(
                "{connector} reports {expected}: {e}; log:\n{}",
                worker.log_text()
            )
        })?;
    }
    // A reset forgets the source's topic until it sends again.
    let (code, body) = rest
        .empty("PUT", "/connectors/routed-source/topics/reset")
        .await?;
    assert_eq!(code, 202, "{body}");
    let (code, body) = rest.get("/connectors/routed-source/topics").await?;
    assert_eq!(
        (code, body),
        (200, json!({"routed-source": {"topics": []}}))
    );
    append_lines(&input, 3, 1)?;
    let expected = active("routed-source", &routed);
    connect_testkit::wait_until(Duration::from_secs(60), Duration::from_millis(100), || {
        let expected = expected.clone();
        let rest = &rest;
        async move {
            rest.get("/connectors/routed-source/topics")
                .await
                .is_ok_and(|(code, topics)| code == 200 && topics == expected)
        }
    })
    .await?;
    drop(worker);

    // The two switches, each on a worker of its own.
    for (key, path, method, message) in [
        (
            "topic.tracking.enable",
            "/connectors/any/topics",
            "GET",
            "Topic tracking is disabled.",
        ),
        (
            "topic.tracking.enable",
            "/connectors/any/topics/reset",
            "PUT",
            "Topic tracking is disabled.",
        ),
        (
            "topic.tracking.allow.reset",
            "/connectors/any/topics/reset",
            "PUT",
            "Topic tracking reset is disabled.",
        ),
    ] {
        let dir = tempfile::tempdir()?;
        // The worker runs until the end of the iteration.
        let (_worker, rest) =
            worker_and_rest(&cluster, dir.path(), &[(key, "false".to_string())]).await?;
        let (code, body) = rest.empty(method, path).await?;
        assert_error(code, &body, 403, message);
        assert_eq!(body["message"], message, "{key}: {body}");
    }
    Ok(())
}

/// A backup script GETs a config (secrets shown as `[hidden]`) and POSTs it as a new
/// connector: the answer says which key holds the redaction and how to pass the secret.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_hidden_secret_in_a_new_connector_says_how_to_pass_it() -> Result<()> {
    let cluster = KafkaCluster::start().await?;
    let dir = tempfile::tempdir()?;
    let (_worker, rest) = worker_and_rest(&cluster, dir.path(), &[]).await?;
    let (code, body, _) = rest
        .send(
            "POST",
            "/connectors",
            json!({"name": "restored", "config": {
                "connector.class": "GoogleSheetsSource",
                "spreadsheet.id": "1abc",
                "topic": "responses",
                "api.key": "[hidden]",
            }}),
        )
        .await?;
    assert_error(code, &body, 400, "api.key");
    let message = body["message"].as_str().unwrap_or_default();
    assert!(
        message.contains("[hidden]")
            && message.contains("send the secret itself")
            && message.contains("${file:"),
        "{message}"
    );
    let (code, _) = rest.get("/connectors/restored").await?;
    assert_eq!(code, 404, "nothing was created");
    Ok(())
}
