//! Tributary's REST API side by side with Apache Kafka Connect's own.
//!
//! Kafka Connect's standalone worker (`ConnectStandalone`, the pinned Kafka version, with the
//! file connectors loaded from `plugin.path`) and a Tributary standalone worker run at once
//! against the same Apache Kafka broker, with the same worker settings. One scripted
//! sequence of requests goes to both: every endpoint of Kafka's REST API with good and bad
//! input (create, create again, update, config, status, `expand=status`/`expand=info`, tasks,
//! topics and topics reset, validate with good and bad configs, pause, resume, stop, restart
//! with `includeTasks`/`onlyFailed`, offsets GET, PATCH and DELETE while running and while
//! stopped, unknown names, malformed bodies, wrong types, loggers). Where a state changes
//! asynchronously the script waits, on both sides and with a deadline, until it has settled.
//!
//! Every answer is compared: the status code, the `Location` header, and the JSON body
//! recursively: object keys, value types, array elements (arrays of named things, such as
//! validate's `configs`, plugin lists or offsets, are matched by name, and their order
//! compared), and every value. Before comparing, each side's own names are put back into
//! placeholders: its temp dir is `{dir}`, the unique token in its connector and topic names
//! is `{u}`, and its `127.0.0.1:<port>` is `{host}`, so that `worker_id`s, `Location`s,
//! file names and error messages compare exactly.
//!
//! The test fails on any difference that is not in [`DELIBERATE`], the short documented
//! list of differences Tributary makes on purpose, and lists every differing step with both
//! answers. Kafka Connect takes several seconds to start on a small machine; the test
//! allows it two minutes.

mod common;

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::time::{Duration, Instant};

use anyhow::{Context, Result};
use common::{WorkerProcess, append_lines};
use connect_testkit::{KafkaCluster, KafkaConnectWorker, KafkaDist};
use serde_json::{Map, Value, json};

// ------------------------------------------------------------------------------------------
// The deliberate differences.

/// What kind of difference an answer has.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Kind {
    /// The HTTP status code.
    Status,
    /// The `Location` header.
    Location,
    /// One answer has a JSON body and the other has none, or not JSON.
    Body,
    /// The JSON types differ at a path.
    Type,
    /// Kafka's answer has a key (or a named array element) that Tributary's lacks.
    Missing,
    /// Tributary's answer has a key (or a named array element) that Kafka's lacks.
    Extra,
    /// The values differ at a path.
    Value,
    /// Named array elements come in another order.
    Order,
    /// Unnamed arrays differ in length.
    Length,
}

/// A difference Tributary makes on purpose: in the steps whose names match `steps`, the
/// differences of the given kinds at paths matching `path` (globs: `*` is any text).
struct Deliberate {
    steps: &'static str,
    path: &'static str,
    kinds: &'static [Kind],
    why: &'static str,
}

use Kind::*;

/// Any difference at all: for answers that differ on purpose as a whole.
const ANY: &[Kind] = &[
    Status, Location, Body, Type, Missing, Extra, Value, Order, Length,
];

/// The differences Tributary makes on purpose. Everything else must answer as Kafka does.
///
/// Deliberate too, though no step here can show them: PASSWORD values are `[hidden]` in
/// every answer (the file connectors have no PASSWORD keys; see the README); the keys of a
/// JSON object come in another order (JSON objects are unordered); headers other than
/// `Location` are not compared (Tributary's error answers carry `Content-Type:
/// application/json`, Jersey's 404 and 405 answers none).
const DELIBERATE: &[Deliberate] = &[
    Deliberate {
        steps: "*",
        path: "*/version",
        kinds: &[Value],
        why: "Versions are Tributary's own: of the worker (GET /), of each plugin, of each \
              running connector and task.",
    },
    Deliberate {
        steps: "server info",
        path: "/commit",
        kinds: &[Value],
        why: "The commit is Tributary's.",
    },
    Deliberate {
        steps: "*",
        path: "*.plugin.version/*",
        kinds: &[Value, Missing, Extra],
        why: "Plugin versions (`connector.plugin.version` and the like, with their \
              recommended values) are Tributary's own.",
    },
    Deliberate {
        steps: "*",
        path: "*/errors.deadletterqueue.topic.name/*documentation",
        kinds: &[Value],
        why: "The documentation of the dead letter queue topic adds that Tributary \
              accepts it for source connectors too.",
    },
    Deliberate {
        steps: "*",
        path: "*/trace",
        kinds: &[Value],
        why: "Failure traces are Tributary's error chains, not Java stack traces.",
    },
    Deliberate {
        steps: "list *plugins*",
        path: "/*",
        kinds: &[Extra],
        why: "Tributary has plugins of its own (Google Sheets, Datagen, ...) besides Kafka's.",
    },
    Deliberate {
        steps: "*",
        path: "*recommended_values/*",
        kinds: &[Extra],
        why: "Tributary's own plugins are recommended along with Kafka's.",
    },
    Deliberate {
        steps: "*",
        path: "*/errors.restart.*",
        kinds: &[Extra],
        why: "Tributary restarts failed tasks by itself (errors.restart.*, see the README).",
    },
    Deliberate {
        steps: "* source*",
        path: "*/errors.deadletterqueue.*",
        kinds: &[Extra],
        why: "Tributary gives source connectors a dead letter queue too.",
    },
    Deliberate {
        steps: "* source*",
        path: "*/topic.creation.default.*",
        kinds: &[Extra],
        why: "Tributary validates the default topic creation group's keys up front; Kafka \
              only when the task creates a topic.",
    },
    Deliberate {
        steps: "* loggers*",
        path: "/*",
        kinds: &[Missing, Extra, Order],
        why: "Logger names are the worker's own: Java classes in Kafka, Rust modules in \
              Tributary. Only `root` is common.",
    },
    Deliberate {
        steps: "* malformed*",
        path: "*",
        kinds: ANY,
        why: "A body that is not JSON, or JSON of the wrong shape, is a 400 with the parser's \
              message in Tributary; Kafka answers 500 with Jackson's message.",
    },
    Deliberate {
        steps: "* (Kafka fails internally)",
        path: "*",
        kinds: ANY,
        why: "Kafka's standalone herder fails with a 500 (NullPointerException texts, 'No \
              connector configured') on some requests about an unknown connector and on a \
              create without `config`; Tributary answers 404 'Connector x not found' and 400.",
    },
    Deliberate {
        steps: "validate without connector.class",
        path: "*",
        kinds: ANY,
        why: "Validating a config without `connector.class` validates it as the plugin \
              named in the URL; Kafka answers 500 (its BadRequestException \"contains no \
              connector type\", wrapped).",
    },
    Deliberate {
        steps: "* unknown connector class",
        path: "*",
        kinds: ANY,
        why: "Kafka's message lists its Java plugin descriptors (PluginDesc{klass=...}) and \
              its validate endpoint answers 500; Tributary lists class names and answers 400.",
    },
    Deliberate {
        steps: "patch config renaming the connector",
        path: "*",
        kinds: ANY,
        why: "A PATCH may not rename a connector (400); Kafka stores the other name in the \
              config of the connector under the URL's name.",
    },
];

// ------------------------------------------------------------------------------------------
// The script.

/// A request body.
#[derive(Clone)]
enum Body {
    None,
    Json(Value),
    /// Raw text with a content type.
    Raw(&'static str, &'static str),
}

/// A condition both workers must reach before the script goes on.
#[derive(Clone)]
enum Cond {
    /// The connector is in `connector` state with exactly these task states.
    State {
        connector: &'static str,
        state: &'static str,
        tasks: &'static [&'static str],
    },
    /// `GET /connectors/{c}/topics` lists these topics.
    Topics {
        connector: &'static str,
        topics: &'static [&'static str],
    },
    /// `GET /connectors/{c}/offsets` answers this body.
    Offsets {
        connector: &'static str,
        offsets: Value,
    },
    /// The side's file has this many lines.
    FileLines { file: &'static str, lines: usize },
}

#[derive(Clone)]
enum Step {
    Call {
        name: &'static str,
        method: &'static str,
        path: &'static str,
        body: Body,
        /// Compare arrays of strings at the top level as sets (Kafka's order is a hash
        /// set's).
        unordered: bool,
    },
    Wait {
        cond: Cond,
    },
}

#[derive(Default)]
struct Script {
    steps: Vec<Step>,
}

impl Script {
    fn call(&mut self, name: &'static str, method: &'static str, path: &'static str, body: Body) {
        self.steps.push(Step::Call {
            name,
            method,
            path,
            body,
            unordered: false,
        });
    }
    fn get(&mut self, name: &'static str, path: &'static str) {
        self.call(name, "GET", path, Body::None);
    }
    fn get_unordered(&mut self, name: &'static str, path: &'static str) {
        self.steps.push(Step::Call {
            name,
            method: "GET",
            path,
            body: Body::None,
            unordered: true,
        });
    }
    fn json(&mut self, name: &'static str, method: &'static str, path: &'static str, body: Value) {
        self.call(name, method, path, Body::Json(body));
    }
    fn raw(
        &mut self,
        name: &'static str,
        method: &'static str,
        path: &'static str,
        text: &'static str,
    ) {
        self.call(name, method, path, Body::Raw(text, "application/json"));
    }
    fn empty(&mut self, name: &'static str, method: &'static str, path: &'static str) {
        self.call(name, method, path, Body::None);
    }
    fn wait(&mut self, cond: Cond) {
        self.steps.push(Step::Wait { cond });
    }
    fn wait_state(
        &mut self,
        connector: &'static str,
        state: &'static str,
        tasks: &'static [&'static str],
    ) {
        self.wait(Cond::State {
            connector,
            state,
            tasks,
        });
    }
}

/// How long a state may take to settle on one side.
const SETTLE_TIMEOUT: Duration = Duration::from_secs(30);

/// Lines in each side's source file.
const LINES: usize = 10;

fn source_config() -> Value {
    json!({
        "connector.class": "FileStreamSource",
        "file": "{dir}/lines.txt",
        "topic": "rvk-{u}-lines",
        "tasks.max": "1"
    })
}

fn sink_config() -> Value {
    json!({
        "connector.class": "org.apache.kafka.connect.file.FileStreamSinkConnector",
        "file": "{dir}/sink.txt",
        "topics": "rvk-{u}-lines"
    })
}

/// The scripted sequence: every endpoint, with good and bad input.
fn script(source_bytes: usize) -> Script {
    let mut s = Script::default();

    // The server and its plugins.
    s.get("server info", "/");
    s.get("health", "/health");
    s.get("list connectors (none)", "/connectors");
    s.get("list connector plugins", "/connector-plugins");
    s.get(
        "list all plugins",
        "/connector-plugins?connectorsOnly=false",
    );
    s.get(
        "list plugins with a non-boolean flag",
        "/connector-plugins?connectorsOnly=maybe",
    );
    s.get(
        "plugin config of a source",
        "/connector-plugins/FileStreamSource/config",
    );
    s.get(
        "plugin config of a sink",
        "/connector-plugins/org.apache.kafka.connect.file.FileStreamSinkConnector/config",
    );
    s.get(
        "plugin config of a transformation",
        "/connector-plugins/org.apache.kafka.connect.transforms.RegexRouter/config",
    );
    s.get(
        "plugin config of an unknown plugin",
        "/connector-plugins/NoSuchPlugin/config",
    );

    // Validate.
    let mut good = source_config();
    good["name"] = json!("src-{u}");
    s.json(
        "validate a good source config",
        "PUT",
        "/connector-plugins/FileStreamSourceConnector/config/validate",
        good,
    );
    s.json(
        "validate a bad source config",
        "PUT",
        "/connector-plugins/FileStreamSource/config/validate",
        json!({
            "connector.class": "FileStreamSource",
            "name": "x",
            "batch.size": "many",
            "tasks.max": "0",
            "errors.tolerance": "some"
        }),
    );
    s.json(
        "validate a bad sink config",
        "PUT",
        "/connector-plugins/FileStreamSinkConnector/config/validate",
        json!({
            "connector.class": "org.apache.kafka.connect.file.FileStreamSinkConnector",
            "name": "x",
            "topics": "a",
            "topics.regex": "b.*",
            "tasks.max": "x",
            "key.converter": "NoSuchConverter",
            "transforms": "missing"
        }),
    );
    s.json(
        "validate a sink config with transforms and predicates",
        "PUT",
        "/connector-plugins/FileStreamSink/config/validate",
        json!({
            "connector.class": "FileStreamSink",
            "name": "x",
            "topics": "a",
            "transforms": "route",
            "transforms.route.type": "org.apache.kafka.connect.transforms.RegexRouter",
            "transforms.route.regex": "(.*)",
            "transforms.route.replacement": "$1-copy",
            "transforms.route.predicate": "isA",
            "predicates": "isA",
            "predicates.isA.type": "org.apache.kafka.connect.transforms.predicates.TopicNameMatches",
            "predicates.isA.pattern": "a"
        }),
    );
    s.json(
        "validate a config of another plugin",
        "PUT",
        "/connector-plugins/FileStreamSinkConnector/config/validate",
        json!({"connector.class": "FileStreamSource"}),
    );
    s.json(
        "validate without connector.class",
        "PUT",
        "/connector-plugins/FileStreamSourceConnector/config/validate",
        json!({"name": "x"}),
    );
    s.json(
        "validate an unknown connector class",
        "PUT",
        "/connector-plugins/NoSuchConnector/config/validate",
        json!({"connector.class": "NoSuchConnector"}),
    );
    s.raw(
        "validate a malformed body",
        "PUT",
        "/connector-plugins/FileStreamSource/config/validate",
        "{\"connector.class\": ",
    );
    s.json(
        "validate a malformed value (an object)",
        "PUT",
        "/connector-plugins/FileStreamSource/config/validate",
        json!({"connector.class": "FileStreamSource", "topic": {"a": 1}}),
    );

    // Create.
    s.json(
        "create a source",
        "POST",
        "/connectors",
        json!({"name": "src-{u}", "config": source_config()}),
    );
    s.json(
        "create the source again",
        "POST",
        "/connectors",
        json!({"name": "src-{u}", "config": source_config()}),
    );
    s.json(
        "create an invalid source",
        "POST",
        "/connectors",
        json!({"name": "invalid-{u}", "config": {"connector.class": "FileStreamSource", "tasks.max": "0"}}),
    );
    s.json(
        "create an unknown connector class",
        "POST",
        "/connectors",
        json!({"name": "unknown-{u}", "config": {"connector.class": "NoSuchConnector"}}),
    );
    s.json(
        "create without connector.class",
        "POST",
        "/connectors",
        json!({"name": "noclass-{u}", "config": {}}),
    );
    s.json(
        "create without a name",
        "POST",
        "/connectors",
        json!({"config": source_config()}),
    );
    s.json(
        "create with a name of control characters",
        "POST",
        "/connectors",
        json!({"name": "bad\u{1}name-{u}", "config": source_config()}),
    );
    s.json(
        "create with no config field (Kafka fails internally)",
        "POST",
        "/connectors",
        json!({"name": "noconfig-{u}"}),
    );
    s.raw(
        "create with a malformed body",
        "POST",
        "/connectors",
        "{\"name\": ",
    );
    s.json(
        "create with a malformed config (a string)",
        "POST",
        "/connectors",
        json!({"name": "strconfig-{u}", "config": "x"}),
    );
    s.json(
        "create with a malformed initial state",
        "POST",
        "/connectors",
        json!({"name": "bogus-{u}", "config": source_config(), "initial_state": "BOGUS"}),
    );
    s.call(
        "create with a text/plain body",
        "POST",
        "/connectors",
        Body::Raw("{\"name\": \"x\", \"config\": {}}", "text/plain"),
    );
    let mut numbers = source_config();
    numbers["topic"] = json!("rvk-{u}-number");
    numbers["tasks.max"] = json!(1);
    numbers["batch.size"] = json!(100);
    s.json(
        "create with a number as name and numbers as values",
        "POST",
        "/connectors",
        json!({"name": 4711, "config": numbers}),
    );
    s.json(
        "create with a malformed field name",
        "POST",
        "/connectors",
        json!({"name": "typo-{u}", "config": source_config(), "initial_stat": "PAUSED"}),
    );
    s.json(
        "create a sink",
        "POST",
        "/connectors",
        json!({"name": "sink-{u}", "config": sink_config()}),
    );
    let mut paused = source_config();
    paused["topic"] = json!("rvk-{u}-paused");
    s.json(
        "create a source PAUSED",
        "POST",
        "/connectors",
        json!({"name": "paused-{u}", "config": paused, "initial_state": "PAUSED"}),
    );
    let mut stopped = source_config();
    stopped["topic"] = json!("rvk-{u}-stopped");
    s.json(
        "create a source STOPPED",
        "POST",
        "/connectors",
        json!({"name": "stopped-{u}", "config": stopped, "initial_state": "STOPPED"}),
    );
    s.wait_state("src-{u}", "RUNNING", &["RUNNING"]);
    s.wait_state("sink-{u}", "RUNNING", &["RUNNING"]);
    s.wait_state("4711", "RUNNING", &["RUNNING"]);
    s.wait_state("paused-{u}", "PAUSED", &[]);
    s.wait_state("stopped-{u}", "STOPPED", &[]);

    // Read.
    s.get_unordered("list connectors", "/connectors");
    s.get("list connectors expand=status", "/connectors?expand=status");
    s.get("list connectors expand=info", "/connectors?expand=info");
    s.get(
        "list connectors expand=status&expand=info",
        "/connectors?expand=status&expand=info",
    );
    s.get("list connectors expand=bogus", "/connectors?expand=bogus");
    s.get("source info", "/connectors/src-{u}");
    s.get("source config", "/connectors/src-{u}/config");
    s.get("source status", "/connectors/src-{u}/status");
    s.get("source tasks", "/connectors/src-{u}/tasks");
    s.get("source task status", "/connectors/src-{u}/tasks/0/status");
    s.get(
        "source status of a task it lacks",
        "/connectors/src-{u}/tasks/7/status",
    );
    s.get(
        "source status of task x",
        "/connectors/src-{u}/tasks/x/status",
    );
    s.get(
        "source tasks-config (removed in Kafka 4)",
        "/connectors/src-{u}/tasks-config",
    );
    s.get("sink info", "/connectors/sink-{u}");
    s.get("sink status", "/connectors/sink-{u}/status");
    s.get("sink tasks", "/connectors/sink-{u}/tasks");
    s.get("paused source info", "/connectors/paused-{u}");
    s.get("paused source status", "/connectors/paused-{u}/status");
    s.get("paused source tasks", "/connectors/paused-{u}/tasks");
    s.get("stopped source info", "/connectors/stopped-{u}");
    s.get("stopped source status", "/connectors/stopped-{u}/status");
    s.get("stopped source tasks", "/connectors/stopped-{u}/tasks");
    s.get("info of an unknown connector", "/connectors/nope-{u}");
    s.get(
        "config of an unknown connector",
        "/connectors/nope-{u}/config",
    );
    s.get(
        "status of an unknown connector",
        "/connectors/nope-{u}/status",
    );
    s.get(
        "tasks of an unknown connector",
        "/connectors/nope-{u}/tasks",
    );
    s.get(
        "task status of an unknown connector",
        "/connectors/nope-{u}/tasks/0/status",
    );
    s.get(
        "topics of an unknown connector",
        "/connectors/nope-{u}/topics",
    );
    s.get(
        "offsets of an unknown connector",
        "/connectors/nope-{u}/offsets",
    );

    // Topics.
    s.wait(Cond::Topics {
        connector: "src-{u}",
        topics: &["rvk-{u}-lines"],
    });
    s.wait(Cond::FileLines {
        file: "sink.txt",
        lines: LINES,
    });
    s.wait(Cond::Topics {
        connector: "sink-{u}",
        topics: &["rvk-{u}-lines"],
    });
    s.get("source topics", "/connectors/src-{u}/topics");
    s.get("sink topics", "/connectors/sink-{u}/topics");
    s.empty(
        "reset the source's topics",
        "PUT",
        "/connectors/src-{u}/topics/reset",
    );
    s.get("source topics after a reset", "/connectors/src-{u}/topics");
    s.empty(
        "reset the topics of an unknown connector",
        "PUT",
        "/connectors/nope-{u}/topics/reset",
    );

    // Update.
    let mut update = source_config();
    update["tasks.max"] = json!(1);
    s.json(
        "update the source",
        "PUT",
        "/connectors/src-{u}/config",
        update,
    );
    let mut renamed = source_config();
    renamed["name"] = json!("other-{u}");
    s.json(
        "update the source with another name",
        "PUT",
        "/connectors/src-{u}/config",
        renamed,
    );
    s.json(
        "update the source with an invalid config",
        "PUT",
        "/connectors/src-{u}/config",
        json!({"connector.class": "FileStreamSource", "file": "{dir}/lines.txt"}),
    );
    s.json(
        "create by PUT without connector.class",
        "PUT",
        "/connectors/put-{u}/config",
        json!({}),
    );
    let mut put = source_config();
    put["topic"] = json!("rvk-{u}-put");
    s.json(
        "create by PUT",
        "PUT",
        "/connectors/put-{u}/config",
        put.clone(),
    );
    s.json("update by PUT", "PUT", "/connectors/put-{u}/config", put);
    s.raw(
        "update with a malformed body (an array)",
        "PUT",
        "/connectors/put-{u}/config",
        "[1, 2]",
    );
    s.json(
        "patch the source",
        "PATCH",
        "/connectors/src-{u}/config",
        json!({"batch.size": "5"}),
    );
    s.json(
        "patch the source removing a key",
        "PATCH",
        "/connectors/src-{u}/config",
        json!({"batch.size": null}),
    );
    s.json(
        "patch the source removing a required key",
        "PATCH",
        "/connectors/src-{u}/config",
        json!({"topic": null}),
    );
    s.json(
        "patch an unknown connector",
        "PATCH",
        "/connectors/nope-{u}/config",
        json!({"batch.size": "5"}),
    );
    s.json(
        "patch config renaming the connector",
        "PATCH",
        "/connectors/put-{u}/config",
        json!({"name": "renamed-{u}"}),
    );
    s.wait_state("src-{u}", "RUNNING", &["RUNNING"]);
    s.get("source config after updates", "/connectors/src-{u}/config");

    // Pause, resume, restart.
    s.empty("pause the source", "PUT", "/connectors/src-{u}/pause");
    s.wait_state("src-{u}", "PAUSED", &["PAUSED"]);
    s.get(
        "paused source status after pause",
        "/connectors/src-{u}/status",
    );
    s.empty("pause the source again", "PUT", "/connectors/src-{u}/pause");
    s.empty("resume the source", "PUT", "/connectors/src-{u}/resume");
    s.wait_state("src-{u}", "RUNNING", &["RUNNING"]);
    s.empty(
        "pause an unknown connector",
        "PUT",
        "/connectors/nope-{u}/pause",
    );
    s.empty(
        "resume an unknown connector",
        "PUT",
        "/connectors/nope-{u}/resume",
    );
    s.empty(
        "resume the source created PAUSED",
        "PUT",
        "/connectors/paused-{u}/resume",
    );
    s.wait_state("paused-{u}", "RUNNING", &["RUNNING"]);
    s.get("resumed source tasks", "/connectors/paused-{u}/tasks");
    s.empty("restart the source", "POST", "/connectors/src-{u}/restart");
    s.wait_state("src-{u}", "RUNNING", &["RUNNING"]);
    s.empty(
        "restart the source and its tasks",
        "POST",
        "/connectors/src-{u}/restart?includeTasks=true",
    );
    s.wait_state("src-{u}", "RUNNING", &["RUNNING"]);
    s.empty(
        "restart the source if failed",
        "POST",
        "/connectors/src-{u}/restart?onlyFailed=true",
    );
    s.empty(
        "restart the source and its tasks if failed",
        "POST",
        "/connectors/src-{u}/restart?includeTasks=true&onlyFailed=true",
    );
    s.empty(
        "restart the source with a non-boolean flag",
        "POST",
        "/connectors/src-{u}/restart?includeTasks=maybe",
    );
    s.wait_state("src-{u}", "RUNNING", &["RUNNING"]);
    s.empty(
        "restart an unknown connector (Kafka fails internally)",
        "POST",
        "/connectors/nope-{u}/restart",
    );
    s.empty(
        "restart an unknown connector and its tasks",
        "POST",
        "/connectors/nope-{u}/restart?includeTasks=true",
    );
    s.empty(
        "restart the source's task",
        "POST",
        "/connectors/src-{u}/tasks/0/restart",
    );
    s.wait_state("src-{u}", "RUNNING", &["RUNNING"]);
    s.empty(
        "restart task x",
        "POST",
        "/connectors/src-{u}/tasks/x/restart",
    );
    s.empty(
        "restart a task of an unknown connector (Kafka fails internally)",
        "POST",
        "/connectors/nope-{u}/tasks/0/restart",
    );
    s.empty(
        "restart a stopped connector",
        "POST",
        "/connectors/stopped-{u}/restart",
    );
    s.wait_state("stopped-{u}", "STOPPED", &[]);
    s.empty(
        "restart a stopped connector and its tasks",
        "POST",
        "/connectors/stopped-{u}/restart?includeTasks=true",
    );
    s.wait_state("stopped-{u}", "STOPPED", &[]);
    s.get(
        "stopped source status after restarts",
        "/connectors/stopped-{u}/status",
    );
    s.empty(
        "restart a task a stopped connector lacks",
        "POST",
        "/connectors/stopped-{u}/tasks/0/restart",
    );

    // A failed task.
    s.json(
        "create a sink that fails",
        "POST",
        "/connectors",
        json!({"name": "failing-{u}", "config": {
            "connector.class": "FileStreamSink",
            "file": "{dir}/no-such-dir/sink.txt",
            "topics": "rvk-{u}-lines"
        }}),
    );
    s.wait_state("failing-{u}", "RUNNING", &["FAILED"]);
    s.get("failed sink status", "/connectors/failing-{u}/status");
    s.get(
        "failed task status",
        "/connectors/failing-{u}/tasks/0/status",
    );
    s.empty(
        "restart the failed sink's failed tasks",
        "POST",
        "/connectors/failing-{u}/restart?includeTasks=true&onlyFailed=true",
    );
    s.wait_state("failing-{u}", "RUNNING", &["FAILED"]);
    s.empty(
        "delete the failed sink",
        "DELETE",
        "/connectors/failing-{u}",
    );

    // Offsets of a source.
    let at = |position: usize| json!({"offsets": [{"partition": {"filename": "{dir}/lines.txt"}, "offset": {"position": position}}]});
    s.wait(Cond::Offsets {
        connector: "src-{u}",
        offsets: at(source_bytes),
    });
    s.get(
        "source offsets while running",
        "/connectors/src-{u}/offsets",
    );
    s.json(
        "alter source offsets while running",
        "PATCH",
        "/connectors/src-{u}/offsets",
        at(10),
    );
    s.empty(
        "reset source offsets while running",
        "DELETE",
        "/connectors/src-{u}/offsets",
    );
    s.json(
        "alter source offsets with an empty list",
        "PATCH",
        "/connectors/src-{u}/offsets",
        json!({"offsets": []}),
    );
    s.json(
        "alter source offsets without offsets",
        "PATCH",
        "/connectors/src-{u}/offsets",
        json!({}),
    );
    s.json(
        "alter offsets of an unknown connector",
        "PATCH",
        "/connectors/nope-{u}/offsets",
        at(10),
    );
    s.empty("stop the source", "PUT", "/connectors/src-{u}/stop");
    s.wait_state("src-{u}", "STOPPED", &[]);
    s.get(
        "stopped source status after stop",
        "/connectors/src-{u}/status",
    );
    s.get(
        "stopped source tasks after stop",
        "/connectors/src-{u}/tasks",
    );
    s.get("stopped source info after stop", "/connectors/src-{u}");
    s.empty("stop the source again", "PUT", "/connectors/src-{u}/stop");
    s.empty(
        "stop an unknown connector (Kafka fails internally)",
        "PUT",
        "/connectors/nope-{u}/stop",
    );
    s.get("stopped source offsets", "/connectors/src-{u}/offsets");
    s.json(
        "alter stopped source offsets",
        "PATCH",
        "/connectors/src-{u}/offsets",
        at(10),
    );
    s.get(
        "stopped source offsets after alter",
        "/connectors/src-{u}/offsets",
    );
    s.json(
        "alter source offsets to a non-number",
        "PATCH",
        "/connectors/src-{u}/offsets",
        json!({"offsets": [{"partition": {"filename": "{dir}/lines.txt"}, "offset": {"position": "ten"}}]}),
    );
    s.json(
        "alter source offsets of a partition without filename",
        "PATCH",
        "/connectors/src-{u}/offsets",
        json!({"offsets": [{"partition": {"file": "{dir}/lines.txt"}, "offset": {"position": 3}}]}),
    );
    s.json(
        "alter source offsets without position",
        "PATCH",
        "/connectors/src-{u}/offsets",
        json!({"offsets": [{"partition": {"filename": "{dir}/lines.txt"}, "offset": {"pos": 3}}]}),
    );
    s.json(
        "alter source offsets to null",
        "PATCH",
        "/connectors/src-{u}/offsets",
        json!({"offsets": [{"partition": {"filename": "{dir}/other.txt"}, "offset": null}]}),
    );
    s.json(
        "alter source offsets with a malformed body",
        "PATCH",
        "/connectors/src-{u}/offsets",
        json!({"offsets": "x"}),
    );
    s.empty(
        "reset stopped source offsets",
        "DELETE",
        "/connectors/src-{u}/offsets",
    );
    s.get(
        "stopped source offsets after reset",
        "/connectors/src-{u}/offsets",
    );
    s.empty(
        "resume the stopped source",
        "PUT",
        "/connectors/src-{u}/resume",
    );
    s.wait_state("src-{u}", "RUNNING", &["RUNNING"]);

    // Offsets of a sink.
    let sink_at = |offset: usize| json!({"offsets": [{"partition": {"kafka_topic": "rvk-{u}-lines", "kafka_partition": 0}, "offset": {"kafka_offset": offset}}]});
    // The source sent its lines twice: again after its offsets were reset.
    s.wait(Cond::Offsets {
        connector: "sink-{u}",
        offsets: sink_at(2 * LINES),
    });
    s.get("sink offsets while running", "/connectors/sink-{u}/offsets");
    s.empty("stop the sink", "PUT", "/connectors/sink-{u}/stop");
    s.wait_state("sink-{u}", "STOPPED", &[]);
    s.get("stopped sink offsets", "/connectors/sink-{u}/offsets");
    s.json(
        "alter stopped sink offsets",
        "PATCH",
        "/connectors/sink-{u}/offsets",
        sink_at(3),
    );
    s.get(
        "stopped sink offsets after alter",
        "/connectors/sink-{u}/offsets",
    );
    s.json(
        "alter sink offsets with a bad partition",
        "PATCH",
        "/connectors/sink-{u}/offsets",
        json!({"offsets": [{"partition": {"kafka_topic": "rvk-{u}-lines", "kafka_partition": "x"}, "offset": {"kafka_offset": 1}}]}),
    );
    s.json(
        "alter sink offsets without a topic",
        "PATCH",
        "/connectors/sink-{u}/offsets",
        json!({"offsets": [{"partition": {"kafka_partition": 0}, "offset": {"kafka_offset": 1}}]}),
    );
    s.json(
        "alter sink offsets with a negative offset",
        "PATCH",
        "/connectors/sink-{u}/offsets",
        json!({"offsets": [{"partition": {"kafka_topic": "rvk-{u}-lines", "kafka_partition": 0}, "offset": {"kafka_offset": -5}}]}),
    );
    s.empty(
        "reset stopped sink offsets",
        "DELETE",
        "/connectors/sink-{u}/offsets",
    );
    s.get(
        "stopped sink offsets after reset",
        "/connectors/sink-{u}/offsets",
    );

    // The inter-worker endpoints of distributed mode.
    s.raw(
        "hand task configs to the worker",
        "POST",
        "/connectors/src-{u}/tasks",
        "[]",
    );
    s.empty(
        "fence the source's zombies",
        "PUT",
        "/connectors/src-{u}/fence",
    );

    // Delete.
    s.empty("delete the source", "DELETE", "/connectors/src-{u}");
    s.empty("delete the source again", "DELETE", "/connectors/src-{u}");
    s.get("info of the deleted source", "/connectors/src-{u}");
    s.get("status of the deleted source", "/connectors/src-{u}/status");
    for (name, path) in [
        ("delete the sink", "/connectors/sink-{u}"),
        ("delete the source created PAUSED", "/connectors/paused-{u}"),
        (
            "delete the source created STOPPED",
            "/connectors/stopped-{u}",
        ),
        ("delete the connector created by PUT", "/connectors/put-{u}"),
        ("delete the connector named by a number", "/connectors/4711"),
    ] {
        s.empty(name, "DELETE", path);
    }
    s.get("list connectors after deletes", "/connectors");

    // HTTP details.
    s.get("an unknown path", "/no/such/path");
    s.empty("a method the path lacks", "DELETE", "/connectors");
    s.get("list connectors with a trailing slash", "/connectors/");

    // Loggers.
    s.get("list loggers", "/admin/loggers");
    s.get("the root logger", "/admin/loggers/root");
    s.get("an unknown logger", "/admin/loggers/no.such.logger");
    s.json(
        "set loggers level",
        "PUT",
        "/admin/loggers/root",
        json!({"level": "INFO"}),
    );
    s.json(
        "set a cluster-wide loggers level",
        "PUT",
        "/admin/loggers/root?scope=cluster",
        json!({"level": "INFO"}),
    );
    s.json(
        "set a level without level",
        "PUT",
        "/admin/loggers/root",
        json!({}),
    );
    s.json(
        "set an unknown level",
        "PUT",
        "/admin/loggers/root",
        json!({"level": "LOUD"}),
    );
    s.json(
        "set a level that is a number",
        "PUT",
        "/admin/loggers/root",
        json!({"level": 5}),
    );
    s.get("the root logger after changes", "/admin/loggers/root");
    s
}

// ------------------------------------------------------------------------------------------
// One side: a worker, its data dir, its unique token.

struct Side {
    label: &'static str,
    base: String,
    dir: PathBuf,
    token: String,
}

/// An answer.
#[derive(Clone, Debug)]
struct Answer {
    status: u16,
    location: Option<String>,
    /// The body: JSON, or the raw text when it is not JSON (`None` when empty).
    body: Option<Result<Value, String>>,
}

impl Side {
    fn host(&self) -> &str {
        self.base.trim_start_matches("http://")
    }

    /// A template with this side's names.
    fn fill(&self, text: &str) -> String {
        text.replace("{dir}", &self.dir.display().to_string())
            .replace("{u}", &self.token)
    }

    fn fill_json(&self, value: &Value) -> Value {
        map_strings(value, &|s| self.fill(s))
    }

    /// This side's names put back into placeholders.
    fn normalise(&self, text: &str) -> String {
        text.replace(&self.base, "{base}")
            .replace(&self.dir.display().to_string(), "{dir}")
            .replace(self.host(), "{host}")
            .replace(&self.token, "{u}")
    }

    fn normalise_json(&self, value: &Value) -> Value {
        map_strings(value, &|s| self.normalise(s))
    }

    async fn call(&self, method: &'static str, path: &str, body: &Body) -> Result<Answer> {
        let url = format!("{}{}", self.base, self.fill(path));
        let body = match body {
            Body::None => None,
            Body::Json(value) => Some((self.fill_json(value).to_string(), "application/json")),
            Body::Raw(text, content_type) => Some((self.fill(text), *content_type)),
        };
        let answer = tokio::task::spawn_blocking(move || -> Result<Answer> {
            let agent = ureq::Agent::config_builder()
                .http_status_as_error(false)
                .timeout_global(Some(Duration::from_secs(100)))
                .build()
                .new_agent();
            let mut response = match (method, body) {
                ("GET", _) => agent.get(&url).call()?,
                ("DELETE", _) => agent.delete(&url).call()?,
                ("POST", Some((b, ct))) => agent.post(&url).content_type(ct).send(b)?,
                ("PUT", Some((b, ct))) => agent.put(&url).content_type(ct).send(b)?,
                ("PATCH", Some((b, ct))) => agent.patch(&url).content_type(ct).send(b)?,
                ("POST", None) => agent.post(&url).send_empty()?,
                ("PUT", None) => agent.put(&url).send_empty()?,
                (m, _) => anyhow::bail!("unsupported method {m}"),
            };
            let status = response.status().as_u16();
            let location = response
                .headers()
                .get("location")
                .and_then(|v| v.to_str().ok())
                .map(str::to_owned);
            let text = response.body_mut().read_to_string()?;
            let body = if text.is_empty() {
                None
            } else {
                Some(serde_json::from_str::<Value>(&text).map_err(|_| text))
            };
            Ok(Answer {
                status,
                location,
                body,
            })
        })
        .await??;
        Ok(Answer {
            location: answer.location.map(|l| self.normalise(&l)),
            body: answer.body.map(|b| match b {
                Ok(v) => Ok(self.normalise_json(&v)),
                Err(t) => Err(self.normalise(&t)),
            }),
            ..answer
        })
    }

    /// Waits until `cond` holds; the last observation on failure.
    async fn wait(&self, cond: &Cond) -> Result<(), String> {
        let last = std::sync::Mutex::new(String::new());
        let outcome =
            connect_testkit::wait_until(SETTLE_TIMEOUT, Duration::from_millis(100), || async {
                let (holds, seen) = self.check(cond).await;
                *last.lock().unwrap_or_else(|e| e.into_inner()) = seen;
                holds
            })
            .await;
        match outcome {
            Ok(()) => Ok(()),
            Err(e) => Err(format!(
                "{e}; last seen: {}",
                last.lock().unwrap_or_else(|e| e.into_inner())
            )),
        }
    }

    async fn check(&self, cond: &Cond) -> (bool, String) {
        let get = |path: String| async move {
            match self.call("GET", &path, &Body::None).await {
                Ok(Answer {
                    status: 200,
                    body: Some(Ok(body)),
                    ..
                }) => Some(body),
                _ => None,
            }
        };
        match cond {
            Cond::State {
                connector,
                state,
                tasks,
            } => {
                let Some(status) = get(format!("/connectors/{connector}/status")).await else {
                    return (false, "no status".into());
                };
                let task_states: Vec<&str> = status["tasks"]
                    .as_array()
                    .map(|t| t.iter().filter_map(|t| t["state"].as_str()).collect())
                    .unwrap_or_default();
                let holds = status["connector"]["state"] == *state && task_states == *tasks;
                (holds, status.to_string())
            }
            Cond::Topics { connector, topics } => {
                let Some(answer) = get(format!("/connectors/{connector}/topics")).await else {
                    return (false, "no topics".into());
                };
                let holds = answer[*connector]["topics"] == json!(topics);
                (holds, answer.to_string())
            }
            Cond::Offsets { connector, offsets } => {
                let Some(answer) = get(format!("/connectors/{connector}/offsets")).await else {
                    return (false, "no offsets".into());
                };
                (answer == *offsets, answer.to_string())
            }
            Cond::FileLines { file, lines } => {
                let text = std::fs::read_to_string(self.dir.join(file)).unwrap_or_default();
                let count = text.lines().count();
                (count == *lines, format!("{count} lines in {file}"))
            }
        }
    }
}

/// `value` with `f` applied to every string and object key.
fn map_strings(value: &Value, f: &dyn Fn(&str) -> String) -> Value {
    match value {
        Value::String(s) => Value::String(f(s)),
        Value::Array(items) => Value::Array(items.iter().map(|v| map_strings(v, f)).collect()),
        Value::Object(map) => Value::Object(
            map.iter()
                .map(|(k, v)| (f(k), map_strings(v, f)))
                .collect::<Map<String, Value>>(),
        ),
        other => other.clone(),
    }
}

// ------------------------------------------------------------------------------------------
// Comparing answers.

#[derive(Clone, Debug)]
struct Diff {
    kind: Kind,
    path: String,
    kafka: String,
    ours: String,
}

fn short(value: &Value) -> String {
    truncate(&value.to_string(), 300)
}

fn truncate(text: &str, max: usize) -> String {
    if text.len() <= max {
        return text.to_owned();
    }
    let mut end = max;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}...", &text[..end])
}

fn type_name(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

/// The name an array element is matched by: a string itself, or the name of a config key,
/// a plugin, an offset's partition or a task.
fn element_key(value: &Value) -> Option<String> {
    match value {
        Value::String(s) => Some(s.clone()),
        Value::Object(map) => {
            if let Some(name) = value["definition"]["name"].as_str() {
                Some(name.to_owned())
            } else if let (Some(class), Some(kind)) = (map.get("class"), map.get("type")) {
                Some(format!("{}|{}", class.as_str()?, kind.as_str()?))
            } else if let Some(partition) = map.get("partition") {
                Some(canonical(partition))
            } else if let Some(Value::Number(id)) = map.get("id") {
                Some(format!("task {id}"))
            } else {
                map.get("name").and_then(Value::as_str).map(str::to_owned)
            }
        }
        _ => None,
    }
}

/// JSON text with object keys sorted, whatever order they came in.
fn canonical(value: &Value) -> String {
    match value {
        Value::Object(map) => {
            let sorted: BTreeMap<&String, String> =
                map.iter().map(|(k, v)| (k, canonical(v))).collect();
            let fields: Vec<String> = sorted
                .iter()
                .map(|(k, v)| format!("{}:{v}", Value::String((*k).clone())))
                .collect();
            format!("{{{}}}", fields.join(","))
        }
        Value::Array(items) => {
            let items: Vec<String> = items.iter().map(canonical).collect();
            format!("[{}]", items.join(","))
        }
        other => other.to_string(),
    }
}

/// The keys of all elements, if every element has one and none repeats.
fn keyed(items: &[Value]) -> Option<Vec<String>> {
    let keys: Vec<String> = items.iter().map(element_key).collect::<Option<_>>()?;
    let mut sorted = keys.clone();
    sorted.sort();
    sorted.dedup();
    (sorted.len() == keys.len()).then_some(keys)
}

fn compare(path: &str, kafka: &Value, ours: &Value, out: &mut Vec<Diff>) {
    let diff = |kind, kafka: String, ours: String| Diff {
        kind,
        path: if path.is_empty() {
            "/".into()
        } else {
            path.into()
        },
        kafka,
        ours,
    };
    match (kafka, ours) {
        (Value::Object(k), Value::Object(o)) => {
            for (key, kv) in k {
                let sub = format!("{path}/{key}");
                match o.get(key) {
                    Some(ov) => compare(&sub, kv, ov, out),
                    None => out.push(Diff {
                        kind: Missing,
                        path: sub,
                        kafka: short(kv),
                        ours: "-".into(),
                    }),
                }
            }
            for (key, ov) in o {
                if !k.contains_key(key) {
                    out.push(Diff {
                        kind: Extra,
                        path: format!("{path}/{key}"),
                        kafka: "-".into(),
                        ours: short(ov),
                    });
                }
            }
        }
        (Value::Array(k), Value::Array(o)) => {
            let keys = match (keyed(k), keyed(o)) {
                (Some(kk), Some(ok)) if !(kk.is_empty() && ok.is_empty()) => Some((kk, ok)),
                (Some(kk), None) if o.is_empty() => Some((kk, Vec::new())),
                (None, Some(ok)) if k.is_empty() => Some((Vec::new(), ok)),
                _ => None,
            };
            match keys {
                Some((kk, ok)) => {
                    let ours_by: BTreeMap<&String, &Value> = ok.iter().zip(o).collect();
                    let kafka_by: BTreeMap<&String, &Value> = kk.iter().zip(k).collect();
                    for (key, kv) in kk.iter().zip(k) {
                        let sub = format!("{path}/{key}");
                        match ours_by.get(key) {
                            Some(ov) => compare(&sub, kv, ov, out),
                            None => out.push(Diff {
                                kind: Missing,
                                path: sub,
                                kafka: short(kv),
                                ours: "-".into(),
                            }),
                        }
                    }
                    for (key, ov) in ok.iter().zip(o) {
                        if !kafka_by.contains_key(key) {
                            out.push(Diff {
                                kind: Extra,
                                path: format!("{path}/{key}"),
                                kafka: "-".into(),
                                ours: short(ov),
                            });
                        }
                    }
                    let common_k: Vec<&String> =
                        kk.iter().filter(|key| ours_by.contains_key(key)).collect();
                    let common_o: Vec<&String> =
                        ok.iter().filter(|key| kafka_by.contains_key(key)).collect();
                    if common_k != common_o {
                        out.push(diff(
                            Order,
                            truncate(&format!("{common_k:?}"), 600),
                            truncate(&format!("{common_o:?}"), 600),
                        ));
                    }
                }
                None => {
                    if k.len() != o.len() {
                        out.push(diff(Length, short(kafka), short(ours)));
                    }
                    for (i, (kv, ov)) in k.iter().zip(o).enumerate() {
                        compare(&format!("{path}/{i}"), kv, ov, out);
                    }
                }
            }
        }
        (k, o) if type_name(k) != type_name(o) => {
            out.push(diff(Type, short(k), short(o)));
        }
        (k, o) => {
            if k != o {
                out.push(diff(Value, short(k), short(o)));
            }
        }
    }
}

/// Every difference between two answers to one request.
fn compare_answers(kafka: &Answer, ours: &Answer, unordered: bool) -> Vec<Diff> {
    let mut out = Vec::new();
    if kafka.status != ours.status {
        out.push(Diff {
            kind: Status,
            path: "(status)".into(),
            kafka: kafka.status.to_string(),
            ours: ours.status.to_string(),
        });
    }
    if kafka.location != ours.location {
        out.push(Diff {
            kind: Location,
            path: "(location)".into(),
            kafka: format!("{:?}", kafka.location),
            ours: format!("{:?}", ours.location),
        });
    }
    let sorted = |v: &Value| match v {
        Value::Array(items) if unordered => {
            let mut items = items.clone();
            items.sort_by_key(canonical);
            Value::Array(items)
        }
        other => other.clone(),
    };
    match (&kafka.body, &ours.body) {
        (None, None) => {}
        (Some(Ok(k)), Some(Ok(o))) => compare("", &sorted(k), &sorted(o), &mut out),
        (k, o) => out.push(Diff {
            kind: Body,
            path: "(body)".into(),
            kafka: truncate(&format!("{k:?}"), 300),
            ours: truncate(&format!("{o:?}"), 300),
        }),
    }
    out
}

/// `*` matches any text.
fn glob(pattern: &str, text: &str) -> bool {
    let parts: Vec<&str> = pattern.split('*').collect();
    if parts.len() == 1 {
        return pattern == text;
    }
    let mut rest = text;
    for (i, part) in parts.iter().enumerate() {
        if i == 0 {
            let Some(r) = rest.strip_prefix(part) else {
                return false;
            };
            rest = r;
        } else if i == parts.len() - 1 {
            return rest.ends_with(part);
        } else {
            match rest.find(part) {
                Some(at) => rest = &rest[at + part.len()..],
                None => return false,
            }
        }
    }
    true
}

fn deliberate(step: &str, diff: &Diff) -> Option<usize> {
    DELIBERATE.iter().position(|d| {
        d.kinds.contains(&diff.kind) && glob(d.steps, step) && glob(d.path, &diff.path)
    })
}

// ------------------------------------------------------------------------------------------
// The test.

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rest_api_answers_as_kafka_connect_does() -> Result<()> {
    let started = Instant::now();
    let cluster = KafkaCluster::start().await?;
    let dist = KafkaDist::locate()?;
    let kafka_dir = tempfile::tempdir()?;
    let ours_dir = tempfile::tempdir()?;
    let ours_worker_dir = tempfile::tempdir()?;
    for dir in [kafka_dir.path(), ours_dir.path()] {
        append_lines(&dir.join("lines.txt"), 0, LINES)?;
    }
    let source_bytes = std::fs::metadata(kafka_dir.path().join("lines.txt"))?.len() as usize;

    // Both workers at once: Kafka Connect's JVM takes several seconds to start.
    let bootstrap = cluster.bootstrap_servers();
    let ours_extra = [
        ("offset.flush.interval.ms", "500".to_string()),
        // Kafka leaves a failed task FAILED; so must Tributary here.
        ("errors.restart.enable", "false".to_string()),
    ];
    let (kafka_worker, ours_worker) = tokio::join!(
        KafkaConnectWorker::start(&dist, &bootstrap, &[("offset.flush.interval.ms", "500")],),
        WorkerProcess::start(ours_worker_dir.path(), &bootstrap, &ours_extra, vec![],),
    );
    let kafka_worker = kafka_worker.context("starting Kafka Connect")?;
    let ours_worker = ours_worker.context("starting Tributary")?;
    eprintln!(
        "workers up after {:?}: Kafka Connect {} (log {}), Tributary {} (log {})",
        started.elapsed(),
        kafka_worker.rest_url(),
        kafka_worker.log_path().display(),
        ours_worker.rest,
        ours_worker.log.display()
    );
    let token = || connect_testkit::unique_suffix()[..12].to_owned();
    let kafka = Side {
        label: "kafka",
        base: kafka_worker.rest_url(),
        dir: kafka_dir.path().to_path_buf(),
        token: token(),
    };
    let ours = Side {
        label: "tributary",
        base: ours_worker.rest.clone(),
        dir: ours_dir.path().to_path_buf(),
        token: token(),
    };

    let mut report = String::new();
    let mut differing = 0usize;
    let mut allowed: BTreeMap<usize, usize> = BTreeMap::new();
    let script = script(source_bytes);
    for step in &script.steps {
        match step {
            Step::Wait { cond } => {
                let (k, o) = tokio::join!(kafka.wait(cond), ours.wait(cond));
                for (side, outcome) in [(&kafka, k), (&ours, o)] {
                    if let Err(e) = outcome {
                        differing += 1;
                        report.push_str(&format!(
                            "\n--- wait on {}: {} did not settle: {}\n",
                            side.label,
                            describe(cond),
                            truncate(&e, 600)
                        ));
                    }
                }
            }
            Step::Call {
                name,
                method,
                path,
                body,
                unordered,
            } => {
                let (k, o) = tokio::join!(
                    kafka.call(method, path, body),
                    ours.call(method, path, body)
                );
                let (k, o) = (
                    k.with_context(|| format!("{name}: calling Kafka Connect"))?,
                    o.with_context(|| format!("{name}: calling Tributary"))?,
                );
                let mut unexpected = Vec::new();
                for diff in compare_answers(&k, &o, *unordered) {
                    match deliberate(name, &diff) {
                        Some(i) => *allowed.entry(i).or_default() += 1,
                        None => unexpected.push(diff),
                    }
                }
                if !unexpected.is_empty() {
                    differing += 1;
                    report.push_str(&format!(
                        "\n--- {name}: {method} {path}\n    kafka:     {} {}\n    tributary: {} {}\n",
                        k.status,
                        truncate(&body_text(&k), 700),
                        o.status,
                        truncate(&body_text(&o), 700)
                    ));
                    for d in unexpected {
                        report.push_str(&format!(
                            "    {:?} at {}: kafka {} | tributary {}\n",
                            d.kind, d.path, d.kafka, d.ours
                        ));
                    }
                }
            }
        }
    }
    eprintln!("deliberate differences seen:");
    for (i, count) in &allowed {
        eprintln!("  {count:>4} x {}", DELIBERATE[*i].why);
    }
    eprintln!(
        "compared {} steps in {:?}",
        script.steps.len(),
        started.elapsed()
    );
    assert!(
        differing == 0,
        "{differing} steps answer differently from Kafka Connect {}:\n{report}\n\
         logs: {} and {}",
        dist.version(),
        kafka_worker.log_path().display(),
        ours_worker.log.display()
    );
    Ok(())
}

fn body_text(answer: &Answer) -> String {
    let body = match &answer.body {
        None => String::new(),
        Some(Ok(v)) => v.to_string(),
        Some(Err(t)) => format!("(not JSON) {t}"),
    };
    match &answer.location {
        Some(l) => format!("Location: {l} {body}"),
        None => body,
    }
}

fn describe(cond: &Cond) -> String {
    match cond {
        Cond::State {
            connector,
            state,
            tasks,
        } => format!("{connector} {state} with tasks {tasks:?}"),
        Cond::Topics { connector, topics } => format!("topics of {connector} = {topics:?}"),
        Cond::Offsets { connector, offsets } => format!("offsets of {connector} = {offsets}"),
        Cond::FileLines { file, lines } => format!("{lines} lines in {file}"),
    }
}
