//! The REST API end to end through `oneshot` requests over a `FakeHerder`: every route's
//! status, headers and exact JSON, and every error path in Kafka's `{"error_code","message"}`
//! shape.

mod support;

use std::time::Duration;

use axum::http::StatusCode;
use serde_json::{Value, json};

use connect_rest::{LoggerAdmin, RestOptions};
use connect_runtime::herder::entities::{ConnectorOffset, TargetState};
use support::{Harness, WORKER_ID};

const SOURCE: &str = "FileStreamSourceConnector";

fn error(code: u16, message: &str) -> Value {
    json!({"error_code": code, "message": message})
}

fn object(value: Value) -> serde_json::Map<String, Value> {
    match value {
        Value::Object(map) => map,
        other => panic!("not an object: {other}"),
    }
}

// ---------------------------------------------------------------------------------------
// root

#[tokio::test]
async fn root_answers_server_info() {
    let h = Harness::new();
    let (status, _, body) = h.call("GET", "/", None).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        body,
        json!({"version": "0.1.0", "commit": "abc123", "kafka_cluster_id": "fake-cluster"})
    );
}

#[tokio::test]
async fn health_maps_worker_status_to_status_codes() {
    let h = Harness::new();
    let (status, _, body) = h.call("GET", "/health", None).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        body,
        json!({"status": "healthy", "message": "Worker has completed startup and is ready to handle requests."})
    );

    h.herder
        .set_health("starting", "Worker is still starting up.");
    let (status, _, body) = h.call("GET", "/health", None).await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(
        body,
        json!({"status": "starting", "message": "Worker is still starting up."})
    );

    h.herder
        .set_health("unhealthy", "Worker was unable to handle this request.");
    let (status, _, body) = h.call("GET", "/health", None).await;
    assert_eq!(status, StatusCode::INTERNAL_SERVER_ERROR);
    assert_eq!(
        body,
        json!({"status": "unhealthy", "message": "Worker was unable to handle this request."})
    );
}

#[tokio::test]
async fn health_that_does_not_answer_in_time_is_unhealthy() {
    let h = Harness::with_options(RestOptions {
        health_check_timeout: Duration::from_millis(20),
        ..RestOptions::default()
    });
    h.herder.set_health("hang", "");
    let (status, _, body) = h.call("GET", "/health", None).await;
    assert_eq!(status, StatusCode::INTERNAL_SERVER_ERROR);
    assert_eq!(
        body,
        json!({
            "status": "unhealthy",
            "message": "Worker was unable to handle this request and may be unable to handle other requests."
        })
    );
}

// ---------------------------------------------------------------------------------------
// create, read, update, delete

#[tokio::test]
async fn create_connector_answers_201_with_location_and_info() {
    let h = Harness::new();
    let (status, headers, body) = h
        .call(
            "POST",
            "/connectors",
            Some(json!({
                "name": "  local-file-source ",
                "config": {"connector.class": SOURCE, "tasks.max": 2, "file": "/tmp/in.txt"}
            })),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED);
    assert_eq!(
        headers.get("location").and_then(|v| v.to_str().ok()),
        Some("/connectors/local-file-source")
    );
    assert_eq!(
        body,
        json!({
            "name": "local-file-source",
            "config": {
                "connector.class": SOURCE,
                "file": "/tmp/in.txt",
                "name": "local-file-source",
                "tasks.max": "2"
            },
            "tasks": [
                {"connector": "local-file-source", "task": 0},
                {"connector": "local-file-source", "task": 1}
            ],
            "type": "source"
        })
    );
    assert_eq!(
        h.herder.calls(),
        vec!["put local-file-source replace=false initial_state=None"]
    );
}

#[tokio::test]
async fn create_connector_passes_initial_state_and_encodes_location() {
    let h = Harness::new();
    let (status, headers, _) = h
        .call(
            "POST",
            "/connectors/",
            Some(json!({
                "name": "my source/1",
                "config": {"connector.class": SOURCE},
                "initial_state": "STOPPED"
            })),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED);
    assert_eq!(
        headers.get("location").and_then(|v| v.to_str().ok()),
        Some("/connectors/my%20source%2F1")
    );
    assert_eq!(
        h.herder.target_of("my source/1"),
        Some(TargetState::Stopped)
    );
    assert_eq!(
        h.herder.calls(),
        vec!["put my source/1 replace=false initial_state=Some(Stopped)"]
    );

    // The encoded Location leads back to the connector.
    let (status, _, body) = h.call("GET", "/connectors/my%20source%2F1", None).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["name"], json!("my source/1"));
}

#[tokio::test]
async fn create_duplicate_connector_is_409() {
    let h = Harness::new();
    h.herder.insert("dup", SOURCE, 1);
    let (status, _, body) = h
        .call(
            "POST",
            "/connectors",
            Some(json!({"name": "dup", "config": {"connector.class": SOURCE}})),
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert_eq!(body, error(409, "Connector dup already exists"));
}

#[tokio::test]
async fn create_without_name_is_400() {
    let h = Harness::new();
    for request in [
        json!({"config": {"connector.class": SOURCE}}),
        json!({"name": "   ", "config": {"connector.class": SOURCE}}),
    ] {
        let (status, _, body) = h.call("POST", "/connectors", Some(request)).await;
        assert_eq!(status, StatusCode::BAD_REQUEST);
        assert_eq!(
            body,
            error(
                400,
                "Connector configuration is invalid and contains the following 1 error(s):\n\
                 Invalid value  for configuration name: String may not be empty\n\
                 You can also find the above list of errors at the endpoint \
                 `/connector-plugins/{connectorType}/config/validate`"
            )
        );
    }
    assert!(h.herder.calls().is_empty());
}

/// A misspelt field is refused, as Kafka refuses it, instead of creating a RUNNING
/// connector the user meant to create PAUSED.
#[tokio::test]
async fn create_with_an_unknown_field_is_400() {
    let h = Harness::new();
    let request = json!({
        "name": "typo",
        "config": {"connector.class": SOURCE},
        "initial_stat": "PAUSED"
    });
    let (status, _, body) = h.call("POST", "/connectors", Some(request)).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    assert_eq!(body["error_code"], 400);
    let message = body["message"].as_str().unwrap_or_default();
    assert!(
        message.contains("unknown field `initial_stat`") && message.contains("initial_state"),
        "{message}"
    );
    assert!(h.herder.calls().is_empty());
}

#[tokio::test]
async fn create_without_config_is_400() {
    let h = Harness::new();
    let (status, _, body) = h
        .call("POST", "/connectors", Some(json!({"name": "a"})))
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(
        body,
        error(
            400,
            "Connector config must be provided in the 'config' field of the request"
        )
    );
}

#[tokio::test]
async fn create_with_mismatched_config_name_is_400() {
    let h = Harness::new();
    let (status, _, body) = h
        .call(
            "POST",
            "/connectors",
            Some(json!({"name": "a", "config": {"connector.class": SOURCE, "name": "b"}})),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(
        body,
        error(
            400,
            "Connector name configuration (b) doesn't match connector name in the URL (a)"
        )
    );
    assert!(h.herder.calls().is_empty());
}

#[tokio::test]
async fn create_with_invalid_config_is_400_with_kafkas_message() {
    let h = Harness::new();
    let (status, _, body) = h
        .call(
            "POST",
            "/connectors",
            Some(json!({"name": "bad", "config": {"tasks.max": "many"}})),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(
        body,
        error(
            400,
            "Connector configuration is invalid and contains the following 2 error(s):\n\
             Missing required configuration \"connector.class\" which has no default value.\n\
             Invalid value many for configuration tasks.max: Not a number of type INT\n\
             You can also find the above list of errors at the endpoint \
             `/connector-plugins/{connectorType}/config/validate`"
        )
    );
}

#[tokio::test]
async fn create_with_nested_config_value_is_400_without_echoing_it() {
    let h = Harness::new();
    let (status, _, body) = h
        .call(
            "POST",
            "/connectors",
            Some(json!({"name": "a", "config": {"connector.class": SOURCE, "db.password": ["s3cr3t"]}})),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(
        body,
        error(
            400,
            "Configuration value for 'db.password' must be a string, number or boolean"
        )
    );
}

#[tokio::test]
async fn get_connector_config_status_and_tasks() {
    let h = Harness::new();
    h.herder.insert("src", SOURCE, 2);

    let (status, _, body) = h.call("GET", "/connectors/src", None).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        body,
        json!({
            "name": "src",
            "config": {"connector.class": SOURCE, "name": "src", "tasks.max": "2"},
            "tasks": [{"connector": "src", "task": 0}, {"connector": "src", "task": 1}],
            "type": "source"
        })
    );

    let (status, _, body) = h.call("GET", "/connectors/src/config", None).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        body,
        json!({"connector.class": SOURCE, "name": "src", "tasks.max": "2"})
    );

    let (status, _, body) = h.call("GET", "/connectors/src/status", None).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        body,
        json!({
            "name": "src",
            "connector": {"state": "RUNNING", "worker_id": WORKER_ID, "version": "1.0"},
            "tasks": [
                {"id": 0, "state": "RUNNING", "worker_id": WORKER_ID, "version": "1.0"},
                {"id": 1, "state": "RUNNING", "worker_id": WORKER_ID, "version": "1.0"}
            ],
            "type": "source"
        })
    );

    let (status, _, body) = h.call("GET", "/connectors/src/tasks", None).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        body,
        json!([
            {"id": {"connector": "src", "task": 0}, "config": {"task.class": "FakeTask", "task.id": "0"}},
            {"id": {"connector": "src", "task": 1}, "config": {"task.class": "FakeTask", "task.id": "1"}}
        ])
    );

    let (status, _, body) = h.call("GET", "/connectors/src/tasks/1/status", None).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        body,
        json!({"id": 1, "state": "RUNNING", "worker_id": WORKER_ID, "version": "1.0"})
    );
}

#[tokio::test]
async fn unknown_connector_is_404_json_on_every_route() {
    let h = Harness::new();
    let expected = error(404, "Connector ghost not found");
    for (method, uri, body) in [
        ("GET", "/connectors/ghost", None),
        ("GET", "/connectors/ghost/config", None),
        ("PATCH", "/connectors/ghost/config", Some(json!({"a": "b"}))),
        ("GET", "/connectors/ghost/status", None),
        ("GET", "/connectors/ghost/tasks", None),
        ("GET", "/connectors/ghost/tasks/0/status", None),
        ("POST", "/connectors/ghost/tasks/0/restart", None),
        ("POST", "/connectors/ghost/restart", None),
        ("PUT", "/connectors/ghost/pause", None),
        ("PUT", "/connectors/ghost/resume", None),
        ("PUT", "/connectors/ghost/stop", None),
        ("DELETE", "/connectors/ghost", None),
        ("GET", "/connectors/ghost/topics", None),
        ("PUT", "/connectors/ghost/topics/reset", None),
        ("GET", "/connectors/ghost/offsets", None),
        ("DELETE", "/connectors/ghost/offsets", None),
    ] {
        let (status, headers, answer) = h.call(method, uri, body).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{method} {uri}");
        assert_eq!(answer, expected, "{method} {uri}");
        assert_eq!(
            headers.get("content-type").and_then(|v| v.to_str().ok()),
            Some("application/json"),
            "{method} {uri}"
        );
    }
}

#[tokio::test]
async fn put_config_creates_with_201_then_updates_with_200() {
    let h = Harness::new();
    let config = json!({"connector.class": SOURCE, "tasks.max": "1"});

    let (status, headers, body) = h
        .call("PUT", "/connectors/p/config", Some(config.clone()))
        .await;
    assert_eq!(status, StatusCode::CREATED);
    assert_eq!(
        headers.get("location").and_then(|v| v.to_str().ok()),
        Some("/connectors/p")
    );
    assert_eq!(
        body,
        json!({
            "name": "p",
            "config": {"connector.class": SOURCE, "name": "p", "tasks.max": "1"},
            "tasks": [{"connector": "p", "task": 0}],
            "type": "source"
        })
    );

    let (status, headers, body) = h
        .call(
            "PUT",
            "/connectors/p/config",
            Some(json!({"connector.class": SOURCE, "tasks.max": 3, "name": "p"})),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert!(headers.get("location").is_none());
    assert_eq!(body["config"]["tasks.max"], json!("3"));
    assert_eq!(body["tasks"].as_array().map(Vec::len), Some(3));
    assert_eq!(
        h.herder.calls(),
        vec![
            "put p replace=true initial_state=None",
            "put p replace=true initial_state=None"
        ]
    );
}

#[tokio::test]
async fn put_config_with_other_name_is_400() {
    let h = Harness::new();
    let (status, _, body) = h
        .call(
            "PUT",
            "/connectors/p/config",
            Some(json!({"connector.class": SOURCE, "name": "q"})),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(
        body,
        error(
            400,
            "Connector name configuration (q) doesn't match connector name in the URL (p)"
        )
    );
}

#[tokio::test]
async fn patch_config_updates_and_removes_keys() {
    let h = Harness::new();
    h.herder.insert("p", SOURCE, 1);
    let (status, _, body) = h
        .call(
            "PATCH",
            "/connectors/p/config",
            Some(json!({"tasks.max": 2, "file": "/tmp/x", "connector.class": SOURCE, "name": "p"})),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        body["config"],
        json!({"connector.class": SOURCE, "file": "/tmp/x", "name": "p", "tasks.max": "2"})
    );

    let (status, _, body) = h
        .call("PATCH", "/connectors/p/config", Some(json!({"file": null})))
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        body["config"],
        json!({"connector.class": SOURCE, "name": "p", "tasks.max": "2"})
    );

    let (status, _, body) = h
        .call(
            "PATCH",
            "/connectors/p/config",
            Some(json!({"name": "other"})),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(
        body,
        error(
            400,
            "Connector name configuration (other) doesn't match connector name in the URL (p)"
        )
    );
}

#[tokio::test]
async fn delete_connector_is_204() {
    let h = Harness::new();
    h.herder.insert("gone", SOURCE, 1);
    let (status, _, body) = h.call("DELETE", "/connectors/gone", None).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    assert_eq!(body, Value::Null);
    assert_eq!(h.herder.config_of("gone"), None);
}

// ---------------------------------------------------------------------------------------
// listing

#[tokio::test]
async fn list_connectors_plain_and_expanded() {
    let h = Harness::new();
    h.herder.insert("a", SOURCE, 1);
    h.herder.insert("b", "FileStreamSinkConnector", 1);

    let (status, _, body) = h.call("GET", "/connectors", None).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body, json!(["a", "b"]));

    let (status, _, body) = h.call("GET", "/connectors?expand=status", None).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        body,
        json!({
            "a": {"status": {
                "name": "a",
                "connector": {"state": "RUNNING", "worker_id": WORKER_ID, "version": "1.0"},
                "tasks": [{"id": 0, "state": "RUNNING", "worker_id": WORKER_ID, "version": "1.0"}],
                "type": "source"
            }},
            "b": {"status": {
                "name": "b",
                "connector": {"state": "RUNNING", "worker_id": WORKER_ID, "version": "1.0"},
                "tasks": [{"id": 0, "state": "RUNNING", "worker_id": WORKER_ID, "version": "1.0"}],
                "type": "sink"
            }}
        })
    );

    let (status, _, body) = h
        .call(
            "GET",
            "/connectors?expand=status&expand=info&expand=bogus",
            None,
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let body = object(body);
    assert_eq!(body.keys().collect::<Vec<_>>(), vec!["a", "b"]);
    assert_eq!(
        body["a"],
        json!({
            "status": {
                "name": "a",
                "connector": {"state": "RUNNING", "worker_id": WORKER_ID, "version": "1.0"},
                "tasks": [{"id": 0, "state": "RUNNING", "worker_id": WORKER_ID, "version": "1.0"}],
                "type": "source"
            },
            "info": {
                "name": "a",
                "config": {"connector.class": SOURCE, "name": "a", "tasks.max": "1"},
                "tasks": [{"connector": "a", "task": 0}],
                "type": "source"
            }
        })
    );
    assert_eq!(body["b"]["info"]["type"], json!("sink"));

    let (status, _, body) = h.call("GET", "/connectors?expand=info", None).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        object(body["a"].clone()).keys().collect::<Vec<_>>(),
        vec!["info"]
    );
}

#[tokio::test]
async fn list_connectors_when_empty() {
    let h = Harness::new();
    assert_eq!(h.call("GET", "/connectors", None).await.2, json!([]));
    assert_eq!(
        h.call("GET", "/connectors?expand=status", None).await.2,
        json!({})
    );
}

// ---------------------------------------------------------------------------------------
// lifecycle

#[tokio::test]
async fn pause_resume_stop() {
    let h = Harness::new();
    h.herder.insert("c", SOURCE, 1);

    let (status, _, body) = h.call("PUT", "/connectors/c/pause", None).await;
    assert_eq!((status, body), (StatusCode::ACCEPTED, Value::Null));
    assert_eq!(h.herder.target_of("c"), Some(TargetState::Paused));

    let (status, _, body) = h.call("PUT", "/connectors/c/resume", None).await;
    assert_eq!((status, body), (StatusCode::ACCEPTED, Value::Null));
    assert_eq!(h.herder.target_of("c"), Some(TargetState::Running));

    let (status, _, body) = h.call("PUT", "/connectors/c/stop", None).await;
    assert_eq!((status, body), (StatusCode::NO_CONTENT, Value::Null));
    assert_eq!(h.herder.target_of("c"), Some(TargetState::Stopped));

    let (_, _, body) = h.call("GET", "/connectors/c/status", None).await;
    assert_eq!(
        body,
        json!({
            "name": "c",
            "connector": {"state": "STOPPED", "worker_id": WORKER_ID, "version": "1.0"},
            "tasks": [],
            "type": "source"
        })
    );
}

#[tokio::test]
async fn restart_connector_only_is_204() {
    let h = Harness::new();
    h.herder.insert("r", SOURCE, 1);
    for uri in [
        "/connectors/r/restart",
        "/connectors/r/restart?includeTasks=false&onlyFailed=false",
    ] {
        let (status, _, body) = h.call("POST", uri, None).await;
        assert_eq!(
            (status, body),
            (StatusCode::NO_CONTENT, Value::Null),
            "{uri}"
        );
    }
    assert_eq!(
        h.herder.calls(),
        vec![
            "restart r include_tasks=false only_failed=false",
            "restart r include_tasks=false only_failed=false"
        ]
    );
}

#[tokio::test]
async fn restart_with_tasks_is_202_with_restarting_status() {
    let h = Harness::new();
    h.herder.insert("r", SOURCE, 2);
    let (status, _, body) = h
        .call("POST", "/connectors/r/restart?includeTasks=true", None)
        .await;
    assert_eq!(status, StatusCode::ACCEPTED);
    assert_eq!(
        body,
        json!({
            "name": "r",
            "connector": {"state": "RESTARTING", "worker_id": WORKER_ID, "version": "1.0"},
            "tasks": [
                {"id": 0, "state": "RESTARTING", "worker_id": WORKER_ID, "version": "1.0"},
                {"id": 1, "state": "RESTARTING", "worker_id": WORKER_ID, "version": "1.0"}
            ],
            "type": "source"
        })
    );

    let (status, _, body) = h
        .call(
            "POST",
            "/connectors/r/restart?includeTasks=TRUE&onlyFailed=true",
            None,
        )
        .await;
    assert_eq!(status, StatusCode::ACCEPTED);
    assert_eq!(body["connector"]["state"], json!("RUNNING"));
    assert_eq!(
        h.herder.calls(),
        vec![
            "restart r include_tasks=true only_failed=false",
            "restart r include_tasks=true only_failed=true"
        ]
    );
}

/// As in Kafka (Jersey), a flag that is not `true` is false: `includeTasks=yes` restarts
/// the connector alone.
#[tokio::test]
async fn restart_with_a_non_boolean_flag_reads_it_as_false() {
    let h = Harness::new();
    h.herder.insert("r", SOURCE, 1);
    let (status, _, body) = h
        .call("POST", "/connectors/r/restart?includeTasks=yes", None)
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT, "{body}");
    assert_eq!(
        h.herder.calls(),
        vec!["restart r include_tasks=false only_failed=false"]
    );
}

#[tokio::test]
async fn restart_task_is_204() {
    let h = Harness::new();
    h.herder.insert("t", SOURCE, 2);
    let (status, _, body) = h.call("POST", "/connectors/t/tasks/1/restart", None).await;
    assert_eq!((status, body), (StatusCode::NO_CONTENT, Value::Null));
    assert_eq!(h.herder.calls(), vec!["restart task t-1"]);

    let (status, _, body) = h.call("POST", "/connectors/t/tasks/7/restart", None).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(body, error(404, "Task t-7 not found"));
}

#[tokio::test]
async fn task_id_that_is_not_a_number_is_404() {
    let h = Harness::new();
    h.herder.insert("t", SOURCE, 1);
    let (status, _, body) = h.call("GET", "/connectors/t/tasks/x/status", None).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    // Jersey's plain 404, as Kafka Connect 4.3.1 answers.
    assert_eq!(body, error(404, "HTTP 404 Not Found"));
}

// ---------------------------------------------------------------------------------------
// topics and offsets

#[tokio::test]
async fn active_topics_and_reset() {
    let h = Harness::new();
    h.herder.insert("c", SOURCE, 1);
    let (status, _, body) = h.call("GET", "/connectors/c/topics", None).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body, json!({"c": {"topics": ["c-topic"]}}));

    let (status, _, body) = h.call("PUT", "/connectors/c/topics/reset", None).await;
    assert_eq!((status, body), (StatusCode::ACCEPTED, Value::Null));
    assert_eq!(
        h.call("GET", "/connectors/c/topics", None).await.2,
        json!({"c": {"topics": []}})
    );
}

#[tokio::test]
async fn offsets_get_alter_reset() {
    let h = Harness::new();
    h.herder.insert("c", SOURCE, 1);
    h.herder.set_offsets(
        "c",
        vec![ConnectorOffset {
            partition: object(json!({"filename": "/tmp/in.txt"})),
            offset: Some(object(json!({"position": 42}))),
        }],
    );

    let (status, _, body) = h.call("GET", "/connectors/c/offsets", None).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        body,
        json!({"offsets": [{"partition": {"filename": "/tmp/in.txt"}, "offset": {"position": 42}}]})
    );

    // Only a STOPPED connector's offsets may change.
    let alter =
        json!({"offsets": [{"partition": {"filename": "/tmp/in.txt"}, "offset": {"position": 7}}]});
    let (status, _, body) = h
        .call("PATCH", "/connectors/c/offsets", Some(alter.clone()))
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(
        body,
        error(
            400,
            "Connectors must be in the STOPPED state before their offsets can be modified."
        )
    );

    h.call("PUT", "/connectors/c/stop", None).await;
    let (status, _, body) = h.call("PATCH", "/connectors/c/offsets", Some(alter)).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        body,
        json!({"message": "The offsets for this connector have been altered successfully"})
    );
    assert_eq!(
        h.call("GET", "/connectors/c/offsets", None).await.2,
        json!({"offsets": [{"partition": {"filename": "/tmp/in.txt"}, "offset": {"position": 7}}]})
    );

    // A null offset resets one partition.
    let reset_one =
        json!({"offsets": [{"partition": {"filename": "/tmp/in.txt"}, "offset": null}]});
    let (status, _, _) = h
        .call("PATCH", "/connectors/c/offsets", Some(reset_one))
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        h.call("GET", "/connectors/c/offsets", None).await.2,
        json!({"offsets": []})
    );

    let (status, _, body) = h.call("DELETE", "/connectors/c/offsets", None).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        body,
        json!({"message": "The offsets for this connector have been reset successfully"})
    );
}

#[tokio::test]
async fn alter_offsets_without_offsets_is_400() {
    let h = Harness::new();
    h.herder.insert("c", SOURCE, 1);
    for body in [json!({}), json!({"offsets": []}), json!({"offsets": null})] {
        let (status, _, answer) = h.call("PATCH", "/connectors/c/offsets", Some(body)).await;
        assert_eq!(status, StatusCode::BAD_REQUEST);
        assert_eq!(
            answer,
            error(
                400,
                "Partitions / offsets need to be provided for an alter offsets request"
            )
        );
    }
}

// ---------------------------------------------------------------------------------------
// plugins

#[tokio::test]
async fn list_plugins_connectors_only_by_default() {
    let h = Harness::new();
    let connectors = json!([
        {"class": "FileStreamSinkConnector", "type": "sink", "version": "0.1.0"},
        {"class": "FileStreamSourceConnector", "type": "source", "version": "0.1.0"}
    ]);
    assert_eq!(
        h.call("GET", "/connector-plugins", None).await.2,
        connectors
    );
    assert_eq!(
        h.call("GET", "/connector-plugins?connectorsOnly=true", None)
            .await
            .2,
        connectors
    );

    let (status, _, body) = h
        .call("GET", "/connector-plugins?connectorsOnly=false", None)
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        body,
        json!([
            {"class": "FileStreamSinkConnector", "type": "sink", "version": "0.1.0"},
            {"class": "FileStreamSourceConnector", "type": "source", "version": "0.1.0"},
            {"class": "JsonConverter", "type": "converter", "version": "0.1.0"},
            {"class": "InsertField", "type": "transformation", "version": "0.1.0"}
        ])
    );

    // Not `true` is false, as in Kafka: every plugin.
    let (status, _, body) = h
        .call("GET", "/connector-plugins?connectorsOnly=nope", None)
        .await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        body.as_array()
            .is_some_and(|plugins| plugins.iter().any(|p| p["type"] == "converter")),
        "{body}"
    );
}

#[tokio::test]
async fn plugin_config_definitions() {
    let h = Harness::new();
    let (status, _, body) = h
        .call("GET", "/connector-plugins/FileStreamSource/config", None)
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        body,
        json!([
            {
                "name": "file", "type": "STRING", "required": true, "default_value": null,
                "importance": "HIGH", "documentation": "the file", "group": "Common",
                "order_in_group": 1, "width": "MEDIUM", "display_name": "file", "dependents": []
            },
            {
                "name": "topic", "type": "STRING", "required": true, "default_value": null,
                "importance": "HIGH", "documentation": "the topic", "group": "Common",
                "order_in_group": 1, "width": "MEDIUM", "display_name": "topic", "dependents": []
            }
        ])
    );

    let (status, _, body) = h.call("GET", "/connector-plugins/Nope/config", None).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(body, error(404, "Unknown plugin Nope."));
}

#[tokio::test]
async fn validate_answers_config_infos() {
    let h = Harness::new();
    let (status, _, body) = h
        .call(
            "PUT",
            "/connector-plugins/FileStreamSource/config/validate",
            Some(
                json!({"connector.class": "org.acme.FileStreamSourceConnector", "tasks.max": "x"}),
            ),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        body,
        json!({
            "name": "org.acme.FileStreamSourceConnector",
            "error_count": 1,
            "groups": ["Common"],
            "configs": [
                {
                    "definition": {
                        "name": "connector.class", "type": "STRING", "required": true,
                        "default_value": null, "importance": "HIGH",
                        "documentation": "the connector.class", "group": "Common", "order_in_group": 1,
                        "width": "MEDIUM", "display_name": "connector.class", "dependents": []
                    },
                    "value": {
                        "name": "connector.class", "value": "org.acme.FileStreamSourceConnector",
                        "recommended_values": [], "errors": [], "visible": true
                    }
                },
                {
                    "definition": {
                        "name": "tasks.max", "type": "STRING", "required": true,
                        "default_value": null, "importance": "HIGH",
                        "documentation": "the tasks.max", "group": "Common", "order_in_group": 1,
                        "width": "MEDIUM", "display_name": "tasks.max", "dependents": []
                    },
                    "value": {
                        "name": "tasks.max", "value": "x", "recommended_values": [],
                        "errors": ["Invalid value x for configuration tasks.max: Not a number of type INT"],
                        "visible": true
                    }
                }
            ]
        })
    );
}

#[tokio::test]
async fn validate_matches_class_alias_and_fills_a_missing_class() {
    let h = Harness::new();
    let (status, _, _) = h
        .call(
            "PUT",
            "/connector-plugins/FileStreamSourceConnector/config/validate",
            Some(json!({"connector.class": "FileStreamSource"})),
        )
        .await;
    assert_eq!(status, StatusCode::OK);

    let (status, _, body) = h
        .call(
            "PUT",
            "/connector-plugins/FileStreamSource/config/validate",
            Some(json!({"tasks.max": 1})),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["name"], json!("FileStreamSource"));
    assert_eq!(body["error_count"], json!(0));
    assert_eq!(
        h.herder.calls(),
        vec!["validate FileStreamSource", "validate FileStreamSource"]
    );
}

#[tokio::test]
async fn validate_with_another_class_is_400() {
    let h = Harness::new();
    let (status, _, body) = h
        .call(
            "PUT",
            "/connector-plugins/FileStreamSink/config/validate",
            Some(json!({"connector.class": "FileStreamSourceConnector"})),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(
        body,
        error(
            400,
            "Included connector type FileStreamSourceConnector does not match request type FileStreamSink"
        )
    );
    assert!(h.herder.calls().is_empty());
}

// ---------------------------------------------------------------------------------------
// loggers

#[tokio::test]
async fn list_and_get_loggers() {
    let h = Harness::new();
    let (status, _, body) = h.call("GET", "/admin/loggers", None).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        body,
        json!({
            "connect_runtime": {"level": "DEBUG", "last_modified": null},
            "root": {"level": "INFO", "last_modified": null}
        })
    );

    let (status, _, body) = h.call("GET", "/admin/loggers/root", None).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body, json!({"level": "INFO", "last_modified": null}));

    // Inherited from the most specific configured prefix.
    let (_, _, body) = h
        .call("GET", "/admin/loggers/connect_runtime::herder", None)
        .await;
    assert_eq!(body, json!({"level": "DEBUG", "last_modified": null}));

    // Kafka's names stand for the modules doing that package's work: the runtime's
    // package is connect_runtime (DEBUG here), its REST package connect_rest (root's INFO).
    let (_, _, body) = h
        .call(
            "GET",
            "/admin/loggers/org.apache.kafka.connect.runtime",
            None,
        )
        .await;
    assert_eq!(body, json!({"level": "DEBUG", "last_modified": null}));
    let (_, _, body) = h
        .call(
            "GET",
            "/admin/loggers/org.apache.kafka.connect.runtime.rest.RestServer",
            None,
        )
        .await;
    assert_eq!(body, json!({"level": "INFO", "last_modified": null}));

    // A logger that does not exist is 404, as in Kafka; a module of ours exists.
    let (status, _, body) = h.call("GET", "/admin/loggers/no.such.logger", None).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "{body}");
    assert_eq!(
        body,
        json!({"error_code": 404, "message": "Logger no.such.logger not found."})
    );
    let (status, _, _) = h
        .call("GET", "/admin/loggers/connect_google_sheets::client", None)
        .await;
    assert_eq!(status, StatusCode::OK);
}

/// Setting a Kafka package's level sets the modules doing its work, not the root logger.
#[tokio::test]
async fn a_kafka_package_level_sets_its_modules_only() {
    let h = Harness::new();
    let (status, _, body) = h
        .call(
            "PUT",
            "/admin/loggers/org.apache.kafka.connect.runtime",
            Some(json!({"level": "TRACE"})),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body, json!(["connect_runtime"]));
    let (_, _, body) = h.call("GET", "/admin/loggers", None).await;
    assert_eq!(body["connect_runtime"]["level"], "TRACE", "{body}");
    assert_eq!(body["root"]["level"], "INFO", "{body}");
    // The client package is librdkafka's two targets.
    let (_, _, body) = h
        .call(
            "PUT",
            "/admin/loggers/org.apache.kafka.clients",
            Some(json!({"level": "DEBUG"})),
        )
        .await;
    assert_eq!(body, json!(["librdkafka", "rdkafka"]));
    // A new name is created, as Kafka creates a logger, and exists from then on.
    let (status, _, _) = h
        .call(
            "PUT",
            "/admin/loggers/my_plugin",
            Some(json!({"level": "WARN"})),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let (status, _, body) = h.call("GET", "/admin/loggers/my_plugin", None).await;
    assert_eq!(
        (status, body["level"].clone()),
        (StatusCode::OK, json!("WARN"))
    );
}

#[tokio::test]
async fn set_logger_level_answers_affected_loggers_and_reloads_the_filter() {
    let h = Harness::new();
    h.loggers
        .set_level("connect_runtime::herder", connect_rest::LogLevel::Info)
        .ok();

    let (status, _, body) = h
        .call(
            "PUT",
            "/admin/loggers/connect_runtime",
            Some(json!({"level": "trace"})),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body, json!(["connect_runtime", "connect_runtime::herder"]));
    let mut directives: Vec<String> = h
        .loggers
        .current_directives()
        .unwrap_or_default()
        .split(',')
        .map(str::to_owned)
        .collect();
    directives.sort();
    assert_eq!(
        directives,
        vec![
            "connect_runtime::herder=trace",
            "connect_runtime=trace",
            "info"
        ]
    );

    let (_, _, body) = h.call("GET", "/admin/loggers/connect_runtime", None).await;
    assert_eq!(body["level"], json!("TRACE"));
    assert!(
        body["last_modified"].as_i64().is_some_and(|t| t > 0),
        "{body}"
    );

    // A new namespace.
    let (status, _, body) = h
        .call(
            "PUT",
            "/admin/loggers/hyper",
            Some(json!({"level": "WARN"})),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body, json!(["hyper"]));

    // Root changes every configured logger.
    let (status, _, body) = h
        .call(
            "PUT",
            "/admin/loggers/root",
            Some(json!({"level": "ERROR"})),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        body,
        json!([
            "connect_runtime",
            "connect_runtime::herder",
            "hyper",
            "root"
        ])
    );
    let levels = h.loggers.all_levels();
    assert!(
        levels.values().all(|level| level.level == "ERROR"),
        "{levels:?}"
    );
}

#[tokio::test]
async fn set_logger_level_with_cluster_scope_is_204() {
    let h = Harness::new();
    let (status, _, body) = h
        .call(
            "PUT",
            "/admin/loggers/connect_rest?scope=cluster",
            Some(json!({"level": "DEBUG"})),
        )
        .await;
    assert_eq!((status, body), (StatusCode::NO_CONTENT, Value::Null));
    assert_eq!(
        h.call("GET", "/admin/loggers/connect_rest", None).await.2["level"],
        json!("DEBUG")
    );

    // An unknown scope is read as worker.
    let (status, _, body) = h
        .call(
            "PUT",
            "/admin/loggers/connect_rest?scope=galaxy",
            Some(json!({"level": "INFO"})),
        )
        .await;
    assert_eq!((status, body), (StatusCode::OK, json!(["connect_rest"])));
}

#[tokio::test]
async fn set_logger_level_errors() {
    let h = Harness::new();
    let (status, _, body) = h
        .call("PUT", "/admin/loggers/root", Some(json!({"levl": "DEBUG"})))
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(
        body,
        error(
            400,
            "Desired 'level' parameter was not specified in request."
        )
    );

    let (status, _, body) = h
        .call("PUT", "/admin/loggers/root", Some(json!({"level": "LOUD"})))
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(body, error(404, "invalid log level 'LOUD'."));

    let (status, _, body) = h
        .call(
            "PUT",
            "/admin/loggers/a%3Db",
            Some(json!({"level": "DEBUG"})),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(
        body,
        error(
            400,
            "Invalid logger name 'a=b': use letters, digits and '_', ':', '.', '-' only"
        )
    );
}

// ---------------------------------------------------------------------------------------
// protocol errors

#[tokio::test]
async fn malformed_json_is_400() {
    let h = Harness::new();
    let (status, _, body) = h
        .call_raw(
            "POST",
            "/connectors",
            Some("application/json"),
            "{\"name\": \"a\",",
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(
        body,
        error(
            400,
            "Request body is not valid JSON: EOF while parsing a value at line 1 column 13"
        )
    );

    let (status, _, body) = h
        .call_raw("PUT", "/connectors/a/config", Some("application/json"), "")
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(
        body,
        error(
            400,
            "Request body is not valid JSON: EOF while parsing a value at line 1 column 0"
        )
    );
}

#[tokio::test]
async fn json_of_the_wrong_shape_is_400() {
    let h = Harness::new();
    let (status, _, body) = h
        .call_raw(
            "PUT",
            "/connectors/a/config",
            Some("application/json"),
            "[1, 2]",
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(
        body,
        error(
            400,
            "Request body does not have the expected shape: invalid type: sequence, expected a map at line 1 column 0"
        )
    );

    let (status, _, body) = h
        .call(
            "POST",
            "/connectors",
            Some(json!({"name": "a", "config": {}, "initial_state": "SLEEPING"})),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    let message = body["message"].as_str().unwrap_or_default();
    assert!(
        message.starts_with("Request body does not have the expected shape: initial_state: unknown variant `SLEEPING`"),
        "{message}"
    );
    assert_eq!(body["error_code"], json!(400));
}

#[tokio::test]
async fn wrong_or_missing_content_type_is_415() {
    let h = Harness::new();
    // Jersey's text, as Kafka Connect 4.3.1 answers.
    let expected = error(415, "HTTP 415 Unsupported Media Type");
    for content_type in [
        Some("application/x-www-form-urlencoded"),
        Some("text/plain"),
        None,
    ] {
        let (status, _, body) = h
            .call_raw(
                "PUT",
                "/connectors/a/config",
                content_type,
                "{\"connector.class\": \"x\"}",
            )
            .await;
        assert_eq!(
            status,
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "{content_type:?}"
        );
        assert_eq!(body, expected, "{content_type:?}");
    }

    // Parameters on the media type are fine.
    let (status, _, _) = h
        .call_raw(
            "PUT",
            "/connectors/a/config",
            Some("application/json; charset=utf-8"),
            "{\"connector.class\": \"x\"}",
        )
        .await;
    assert_eq!(status, StatusCode::CREATED);
}

#[tokio::test]
async fn unknown_route_is_404_json() {
    let h = Harness::new();
    for uri in ["/nope", "/connectors/a/b/c", "/connector-plugins/x"] {
        let (status, headers, body) = h.call("GET", uri, None).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{uri}");
        assert_eq!(body, error(404, "HTTP 404 Not Found"), "{uri}");
        assert_eq!(
            headers.get("content-type").and_then(|v| v.to_str().ok()),
            Some("application/json")
        );
    }
}

#[tokio::test]
async fn wrong_method_is_405_json_with_allow() {
    let h = Harness::new();
    let (status, headers, body) = h.call("DELETE", "/connectors", None).await;
    assert_eq!(status, StatusCode::METHOD_NOT_ALLOWED);
    assert_eq!(body, error(405, "HTTP 405 Method Not Allowed"));
    let allow = headers
        .get("allow")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    assert!(allow.contains("GET") && allow.contains("POST"), "{allow}");

    let (status, _, body) = h.call("POST", "/connectors/a/pause", None).await;
    assert_eq!(status, StatusCode::METHOD_NOT_ALLOWED);
    assert_eq!(body, error(405, "HTTP 405 Method Not Allowed"));
}

#[tokio::test]
async fn herder_internal_error_is_500_json() {
    let h = Harness::new();
    let (status, _, body) = h.call("GET", "/connectors/explode", None).await;
    assert_eq!(status, StatusCode::INTERNAL_SERVER_ERROR);
    // The message, not the cause, reaches the client.
    assert_eq!(body, error(500, "Failed to read the config topic"));
}

#[tokio::test]
async fn panicking_handler_is_500_json() {
    let h = Harness::new();
    let (status, _, body) = h.call("GET", "/connectors/panic/status", None).await;
    assert_eq!(status, StatusCode::INTERNAL_SERVER_ERROR);
    assert_eq!(body, error(500, "Request failed unexpectedly"));

    // The router still serves.
    assert_eq!(h.call("GET", "/connectors", None).await.0, StatusCode::OK);
}

#[tokio::test]
async fn slow_request_times_out_with_500() {
    let h = Harness::with_options(RestOptions {
        request_timeout: Duration::from_millis(50),
        ..RestOptions::default()
    });
    let (status, _, body) = h.call("GET", "/connectors/slow/config", None).await;
    assert_eq!(status, StatusCode::INTERNAL_SERVER_ERROR);
    assert_eq!(body, error(500, "Request timed out"));
}

#[tokio::test]
async fn serve_answers_on_a_socket_and_shuts_down() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};

    let listener = match tokio::net::TcpListener::bind("127.0.0.1:0").await {
        Ok(listener) => listener,
        Err(error) => panic!("bind: {error}"),
    };
    let address = listener.local_addr().ok();
    let h = Harness::new();
    let state = connect_rest::RestState {
        herder: h.herder.clone(),
        loggers: h.loggers.clone(),
    };
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(connect_rest::serve(listener, state, async {
        let _ = stopped.await;
    }));

    let Some(address) = address else {
        panic!("no local address")
    };
    let mut stream = match tokio::net::TcpStream::connect(address).await {
        Ok(stream) => stream,
        Err(error) => panic!("connect: {error}"),
    };
    let request = "GET /connectors HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n";
    assert!(stream.write_all(request.as_bytes()).await.is_ok());
    let mut answer = String::new();
    assert!(stream.read_to_string(&mut answer).await.is_ok());
    assert!(answer.starts_with("HTTP/1.1 200 OK"), "{answer}");
    assert!(answer.ends_with("[]"), "{answer}");

    let _ = stop.send(());
    let finished = tokio::time::timeout(Duration::from_secs(5), server).await;
    assert!(matches!(finished, Ok(Ok(Ok(())))), "{finished:?}");
}

#[tokio::test]
async fn requests_are_logged_at_debug_without_bodies() {
    use std::sync::{Arc, Mutex};

    #[derive(Clone, Default)]
    struct Captured(Arc<Mutex<Vec<u8>>>);

    impl std::io::Write for Captured {
        fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
            match self.0.lock() {
                Ok(mut buffer) => buffer.extend_from_slice(bytes),
                Err(poisoned) => poisoned.into_inner().extend_from_slice(bytes),
            }
            Ok(bytes.len())
        }

        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    let captured = Captured::default();
    let writer = captured.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::DEBUG)
        .with_ansi(false)
        .with_writer(move || writer.clone())
        .finish();
    // The test runtime has one thread, so the spawned handlers log here too.
    let _guard = tracing::subscriber::set_default(subscriber);

    let h = Harness::new();
    let (status, _, _) = h
        .call(
            "POST",
            "/connectors",
            Some(json!({"name": "db", "config": {"connector.class": SOURCE, "db.password": "s3cr3t"}})),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED);
    let (status, _, _) = h
        .call(
            "POST",
            "/connectors",
            Some(
                json!({"name": "db", "config": {"connector.class": SOURCE, "tasks.max": "s3cr3t"}}),
            ),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);

    let logs = match captured.0.lock() {
        Ok(buffer) => String::from_utf8_lossy(&buffer).into_owned(),
        Err(poisoned) => String::from_utf8_lossy(&poisoned.into_inner()).into_owned(),
    };
    assert!(logs.contains("handled rest request"), "{logs}");
    assert!(
        logs.contains("method=POST path=/connectors status=201"),
        "{logs}"
    );
    assert!(logs.contains("status=400"), "{logs}");
    assert!(!logs.contains("s3cr3t"), "{logs}");
}
