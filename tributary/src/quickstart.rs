//! `tributary quickstart`: Google Forms responses streaming into Kafka, on a machine with
//! no Kafka, no Google account and no network.
//!
//! It starts, in this one process:
//!
//! - an embedded Kafka-protocol broker: librdkafka's mock cluster. It is part of the
//!   librdkafka every Tributary binary already contains, so nothing is downloaded, built or
//!   started besides this process, and any Kafka client can connect to the address printed.
//!   (Apache Kafka would need Java and a download; the mock cluster keeps records in
//!   memory, which is what a quickstart wants. The tests run on Apache Kafka itself.)
//! - the Sheets API emulator, with a service account and a Google Forms-like response sheet;
//! - a standalone worker with the REST API (port 8083 unless `--port`; when 8083 is taken,
//!   by a Kafka Connect worker for instance, and no `--port` was given, a free port, said so).
//!
//! Then it registers the Google Sheets source through the REST API with the JSON of
//! `docs/quickstart/form-responses.json`, prints every record that reaches the topic, and
//! prints the broker address and a command that appends a new form response. Ctrl-C stops
//! everything and exits 0. The topic has one partition, so the rows print in sheet order
//! (with several, each partition is in order but they interleave, which reads as a bug).

use std::time::Duration;

use anyhow::{Context, bail};
use connect_runtime::plugins::PluginRegistry;
use futures_util::StreamExt;
use rdkafka::ClientConfig;
use rdkafka::consumer::{Consumer, StreamConsumer};
use rdkafka::message::{Headers, Message};
use rdkafka::mocking::MockCluster;
use serde_json::json;
use sheets_emulator::{Emulator, EmulatorConfig, SheetSeed, SpreadsheetSeed, ValueInputOption};
use tracing_subscriber::{EnvFilter, Registry, reload};

/// The connector JSON the docs show; placeholders are filled in at run time.
pub const CONNECTOR_JSON: &str = include_str!("../../docs/quickstart/form-responses.json");

const SHEET: &str = "Form responses 1";
const SERVICE_ACCOUNT: &str = "quickstart@tributary-quickstart.iam.gserviceaccount.com";

#[derive(clap::Args)]
pub struct QuickstartArgs {
    /// Port of the worker's REST API [default: 8083, or a free port when 8083 is taken].
    #[arg(long)]
    port: Option<u16>,
}

/// The port Kafka Connect's REST API listens on by default.
const DEFAULT_PORT: u16 = 8083;

/// The REST port: the one asked for, else 8083, else (8083 taken) a free one, and a note
/// saying so.
fn rest_port(asked: Option<u16>) -> anyhow::Result<(u16, Option<String>)> {
    if let Some(port) = asked {
        return Ok((port, None));
    }
    if std::net::TcpListener::bind(("127.0.0.1", DEFAULT_PORT)).is_ok() {
        return Ok((DEFAULT_PORT, None));
    }
    let port = std::net::TcpListener::bind(("127.0.0.1", 0))
        .and_then(|listener| listener.local_addr())
        .context("cannot find a free port for the REST API")?
        .port();
    Ok((
        port,
        Some(format!(
            "  (port {DEFAULT_PORT} is taken, by another Connect worker perhaps: the REST API \
             is on {port}; --port chooses)"
        )),
    ))
}

fn seed_rows() -> serde_json::Value {
    json!([
        [
            "Timestamp",
            "Email address",
            "How did you hear about Tributary?",
            "How likely are you to recommend it? (1-5)"
        ],
        ["4/6/2025 18:56:53", "ada@example.com", "A friend", "5"],
        [
            "4/6/2025 19:02:10",
            "grace@example.com",
            "The Kafka mailing list",
            "4"
        ],
        [
            "4/7/2025 08:15:42",
            "alan@example.com",
            "A conference talk",
            "5"
        ],
    ])
}

async fn post_json(url: &str, body: &serde_json::Value) -> anyhow::Result<(u16, String)> {
    let response = reqwest::Client::new()
        .post(url)
        .json(body)
        .send()
        .await
        .with_context(|| format!("POST {url}"))?;
    let status = response.status().as_u16();
    let text = response.text().await.unwrap_or_default();
    Ok((status, text))
}

async fn wait_healthy(url: &str) -> anyhow::Result<()> {
    let client = reqwest::Client::new();
    let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
    loop {
        if let Ok(response) = client.get(url).send().await
            && response.status().is_success()
        {
            return Ok(());
        }
        if tokio::time::Instant::now() > deadline {
            bail!("the worker did not become healthy at {url}");
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

pub async fn run(
    plugins: PluginRegistry,
    args: QuickstartArgs,
    log_handle: reload::Handle<EnvFilter, Registry>,
    log_directives: &str,
) -> anyhow::Result<()> {
    let data = tempfile::tempdir().context("cannot create a temporary directory")?;

    // 1. The broker, and the connector's topic with one partition.
    let text = CONNECTOR_JSON;
    let template: serde_json::Value =
        serde_json::from_str(text).context("the quickstart connector JSON is not valid JSON")?;
    let topic = template["config"]["topic"]
        .as_str()
        .unwrap_or("form-responses")
        .to_string();
    let cluster = MockCluster::new(1).context("cannot start the embedded Kafka broker")?;
    cluster
        .create_topic(&topic, 1, 1)
        .context("cannot create the topic")?;
    let bootstrap = cluster.bootstrap_servers();
    let (port, port_note) = rest_port(args.port)?;

    // 2. The Sheets API emulator with a response sheet shared with a service account.
    let emulator = Emulator::new(EmulatorConfig::default())
        .context("cannot start the Sheets API emulator")?
        .serve_local()
        .context("cannot serve the Sheets API emulator")?;
    let key = emulator
        .create_service_account(SERVICE_ACCOUNT)
        .context("cannot create the service account")?;
    let spreadsheet = emulator
        .create_spreadsheet(
            SpreadsheetSeed::new("Tributary feedback (Responses)")
                .locale("en_US")
                .time_zone("Europe/London")
                .value_input_option(ValueInputOption::Raw)
                .reader(SERVICE_ACCOUNT)
                .sheet(SheetSeed::new(SHEET).rows(seed_rows())),
        )
        .context("cannot create the response sheet")?;
    let key_file = data.path().join("service-account.json");
    std::fs::write(&key_file, key.to_json_string()).context("cannot write the key file")?;

    // 3. The worker. The mock cluster creates topics on first use and does not implement
    //    CreateTopics, so the worker does not try to.
    let worker_properties = data.path().join("worker.properties");
    std::fs::write(
        &worker_properties,
        format!(
            "bootstrap.servers={bootstrap}\n\
             key.converter=org.apache.kafka.connect.storage.StringConverter\n\
             value.converter=org.apache.kafka.connect.json.JsonConverter\n\
             offset.storage.file.filename={}\n\
             offset.flush.interval.ms=1000\n\
             topic.creation.enable=false\n\
             listeners=http://127.0.0.1:{}\n",
            data.path().join("connect.offsets").display(),
            port
        ),
    )
    .context("cannot write the worker config")?;
    let directives = log_directives.to_string();
    let worker = tokio::spawn(async move {
        crate::standalone::run(
            plugins,
            Some(&worker_properties),
            &[],
            log_handle,
            &directives,
        )
        .await
    });
    let rest = format!("http://127.0.0.1:{port}");
    if let Err(not_ready) = wait_healthy(&format!("{rest}/health")).await {
        if worker.is_finished() {
            return match worker.await {
                Ok(Err(error)) => Err(error),
                _ => Err(not_ready),
            };
        }
        return Err(not_ready);
    }

    // 4. The connector, through the REST API, with the JSON the docs show.
    let text = text
        .replace("SPREADSHEET_ID", &spreadsheet)
        .replace("KEY_FILE", &key_file.display().to_string())
        .replace("SHEETS_API_URL", emulator.base_url());
    let body: serde_json::Value =
        serde_json::from_str(&text).context("the quickstart connector JSON is not valid JSON")?;
    let (status, answer) = post_json(&format!("{rest}/connectors"), &body).await?;
    if status != 201 {
        bail!("registering the connector failed ({status}): {answer}");
    }

    // 5. What to look at.
    let append = format!(
        "curl -s -X POST '{}/__admin/spreadsheets/{spreadsheet}/sheets/Form%20responses%201/append' -H 'content-type: application/json' -d '{{\"rows\":[[\"4/8/2025 12:00:00\",\"you@example.com\",\"The quickstart\",\"5\"]]}}'",
        emulator.base_url()
    );
    println!("Tributary quickstart");
    println!("  Kafka broker (embedded):  {bootstrap}");
    println!("  Topic:                    {topic}");
    println!("  Connect REST API:         {rest}  (try {rest}/connectors?expand=status)");
    if let Some(note) = port_note {
        println!("{note}");
    }
    println!("  Sheets API emulator:      {}", emulator.base_url());
    println!("  Connector config:         docs/quickstart/form-responses.json");
    println!("Append a form response:");
    println!("  {append}");
    println!("Records reaching {topic} (Ctrl-C to stop):");

    // 6. Print the records as they arrive, until Ctrl-C stops the worker.
    let consumer: StreamConsumer = ClientConfig::new()
        .set("bootstrap.servers", &bootstrap)
        .set("group.id", "tributary-quickstart-printer")
        .set("auto.offset.reset", "earliest")
        .set("enable.auto.commit", "false")
        .create()
        .context("cannot create the printing consumer")?;
    consumer
        .subscribe(&[&topic])
        .context("cannot subscribe to the topic")?;
    let mut stream = consumer.stream();
    let mut worker = worker;
    loop {
        tokio::select! {
            finished = &mut worker => {
                match finished {
                    Ok(result) => result?,
                    Err(e) => bail!("the worker task failed: {e}"),
                }
                break;
            }
            message = stream.next() => {
                let Some(Ok(message)) = message else { continue };
                let key = message.key().map(String::from_utf8_lossy).unwrap_or_default();
                let value = message.payload().map(String::from_utf8_lossy).unwrap_or_default();
                let row = message
                    .headers()
                    .and_then(|h| h.iter().find(|h| h.key == "google.sheets.row"))
                    .and_then(|h| h.value)
                    .map(String::from_utf8_lossy)
                    .unwrap_or_default();
                println!("{topic} row={row} key={key} value={value}");
            }
        }
    }
    drop(stream);
    drop(consumer);
    drop(emulator);
    drop(cluster);
    println!("Stopped.");
    Ok(())
}
