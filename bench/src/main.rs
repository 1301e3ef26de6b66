//! `tributary-bench [all|throughput|connect|startup|memory|sheets|sustained] [--runs N]
//! [--records N] [--minutes M] ...`: see docs/BENCHMARKS.md.

use std::process::ExitCode;
use std::time::Duration;

use anyhow::Result;
use clap::{Parser, ValueEnum};
use tributary_bench::report::{Table, Verdict, verdict_table};
use tributary_bench::{
    AS_WORKER_ENV, Broker, WorkerBin, connect, memory, sheets, startup, sustained, throughput,
};

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
enum Scenario {
    All,
    Throughput,
    /// The same FileStreamSource pipeline on Apache Kafka Connect and on Tributary.
    Connect,
    Startup,
    Memory,
    Sheets,
    Sustained,
}

/// Tributary's benchmarks. Each starts its own Apache Kafka broker per measurement (the
/// version `scripts/setup-test-env.sh` fetched; the connect scenario one for all its runs,
/// and Kafka Connect from the same installation), or uses TRIBUTARY_BENCH_BOOTSTRAP_SERVERS;
/// the worker binary is TRIBUTARY_BIN, else `tributary` next to this binary.
#[derive(Parser, Debug)]
#[command(name = "tributary-bench")]
struct Cli {
    /// Which benchmark to run.
    #[arg(value_enum, default_value = "all")]
    scenario: Scenario,
    /// Runs per measurement (medians are reported).
    #[arg(long, default_value_t = 5)]
    runs: usize,
    /// Records per run: default 500,000 per throughput run, 200,000 lines per connect run.
    #[arg(long)]
    records: Option<u64>,
    /// Throughput payload sizes in bytes; the connect scenario's line lengths.
    #[arg(long, value_delimiter = ',', default_value = "100,1024")]
    payloads: Vec<usize>,
    /// FileStreamSource's `batch.size` in the connect scenario (both workers).
    #[arg(long, default_value_t = connect::DEFAULT_BATCH_SIZE)]
    batch_size: usize,
    /// The throughput pipeline's tasks.max (the raw producer baseline is one producer).
    #[arg(long, default_value_t = 1)]
    tasks: usize,
    /// A worker config key for every worker, in-process or not (repeatable), e.g.
    /// `--worker-prop producer.queue.buffering.max.messages=10000`; in the connect scenario,
    /// for both Kafka Connect and Tributary.
    #[arg(long = "worker-prop", value_name = "KEY=VALUE", value_parser = parse_prop)]
    worker_props: Vec<(String, String)>,
    /// Length of the sustained run, in minutes.
    #[arg(long, default_value_t = 10.0)]
    minutes: f64,
    /// Records per second of the sustained run.
    #[arg(long, default_value_t = 2_000)]
    rate: u64,
    /// Connectors of the loaded memory measurement.
    #[arg(long, default_value_t = 50)]
    connectors: usize,
    /// Records per second of each connector in the memory measurement.
    #[arg(long, default_value_t = 100)]
    connector_rate: u64,
    /// Seconds the loaded memory measurement lasts once all connectors run.
    #[arg(long, default_value_t = 20)]
    memory_seconds: u64,
    /// Rows of the large Sheets benchmark sheet (a quarter of it is measured too).
    #[arg(long, default_value_t = 200_000)]
    sheet_rows: usize,
    /// Producer throughput (MiB/s) the broker allows in the throttled Sheets ingest.
    #[arg(long, default_value_t = 8.0)]
    throttle_mib_per_sec: f64,
    /// `producer.buffer.memory` (MiB) of the worker in the throttled Sheets ingest.
    #[arg(long, default_value_t = 8)]
    buffer_memory_mib: u64,
    /// Seconds between RSS samples of the sustained run.
    #[arg(long, default_value_t = 5)]
    sample_seconds: u64,
}

fn parse_prop(text: &str) -> Result<(String, String), String> {
    text.split_once('=')
        .map(|(k, v)| (k.trim().to_string(), v.trim().to_string()))
        .ok_or_else(|| format!("expected KEY=VALUE, got {text}"))
}

/// The worker binary's allocator, so that in-process pipelines measure what it runs.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    if std::env::var_os(AS_WORKER_ENV).is_some() {
        return tributary::main_with(tributary::builtin_plugins());
    }
    let cli = Cli::parse();
    let filter = std::env::var("RUST_LOG").unwrap_or_else(|_| "warn,tributary_bench=info".into());
    tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::new(filter))
        .with_writer(std::io::stderr)
        .init();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(e) => {
            eprintln!("tributary-bench: {e}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(run(cli)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("tributary-bench: {e:#}");
            ExitCode::FAILURE
        }
    }
}

fn print(table: &Table) {
    println!("{table}");
}

async fn run(cli: Cli) -> Result<()> {
    let mut worker = WorkerBin::locate()?;
    worker.extra_props = cli.worker_props.clone();
    let wants = |s: Scenario| cli.scenario == Scenario::All || cli.scenario == s;
    println!("# tributary-bench\n");
    println!("{}\n", machine_notes(&worker));
    let mut verdicts: Vec<Verdict> = Vec::new();
    if wants(Scenario::Throughput) {
        let config = throughput::ThroughputConfig {
            runs: cli.runs,
            records: cli.records.unwrap_or(500_000),
            payloads: cli.payloads.clone(),
            tasks: cli.tasks,
            worker_props: cli.worker_props.clone(),
        };
        let results = throughput::run(&config).await?;
        let (table, v) = throughput::report(&results, &config);
        print(&table);
        verdicts.extend(v);
    }
    if wants(Scenario::Connect) {
        let config = connect::ConnectConfig {
            runs: cli.runs,
            records: cli.records.unwrap_or(200_000),
            line_sizes: cli.payloads.clone(),
            batch_size: cli.batch_size,
            worker: worker.clone(),
        };
        let results = connect::run(&config).await?;
        let (table, v) = connect::report(&results, &config);
        print(&table);
        verdicts.extend(v);
    }
    if wants(Scenario::Startup) {
        let config = startup::StartupConfig {
            runs: cli.runs,
            worker: worker.clone(),
        };
        let runs = startup::run(&config).await?;
        let (table, v) = startup::report(&runs, &config);
        print(&table);
        verdicts.extend(v);
    }
    if wants(Scenario::Memory) {
        let config = memory::MemoryConfig {
            runs: cli.runs.clamp(1, 3),
            worker: worker.clone(),
            connectors: cli.connectors,
            rate: cli.connector_rate,
            idle_hold: Duration::from_secs(3),
            loaded_hold: Duration::from_secs(cli.memory_seconds),
        };
        let runs = tokio::task::block_in_place(|| memory::run(&config))?;
        let (table, v) = memory::report(&runs, &config);
        print(&table);
        verdicts.extend(v);
    }
    if wants(Scenario::Sheets) {
        let config = sheets::SheetsConfig {
            runs: cli.runs.clamp(1, 3),
            worker: worker.clone(),
            sizes: vec![cli.sheet_rows / 4, cli.sheet_rows],
        };
        // One emulator with the sheets serves the plain and the throttled ingests.
        let fixture = sheets::SheetsFixture::new(&config.sizes)?;
        let runs = tokio::task::block_in_place(|| sheets::run(&config, &fixture))?;
        let (table, v) = sheets::report(&runs, &config);
        print(&table);
        verdicts.extend(v);
        if Broker::is_own() {
            let throttled = sheets::ThrottledConfig {
                sheets: sheets::SheetsConfig {
                    runs: cli.runs.clamp(1, 2),
                    ..config
                },
                bytes_per_sec: (cli.throttle_mib_per_sec * 1024.0 * 1024.0) as u64,
                buffer_memory: cli.buffer_memory_mib * 1024 * 1024,
            };
            let runs = tokio::task::block_in_place(|| sheets::run_throttled(&throttled, &fixture))?;
            let (table, v) = sheets::report_throttled(&runs, &throttled);
            print(&table);
            verdicts.extend(v);
        }
    }
    if wants(Scenario::Sustained) {
        let config = sustained::SustainedConfig {
            worker: worker.clone(),
            duration: Duration::from_secs_f64(cli.minutes * 60.0),
            rate: cli.rate,
            payload: 100,
            sample_every: Duration::from_secs(cli.sample_seconds.max(1)),
        };
        let run = tokio::task::block_in_place(|| sustained::run(&config))?;
        let (table, v) = sustained::report(&run, &config);
        print(&table);
        verdicts.extend(v);
    }
    print(&verdict_table(&verdicts));
    Ok(())
}

/// CPU, cores, memory and the binaries, for the record.
fn machine_notes(worker: &WorkerBin) -> String {
    let cpuinfo = std::fs::read_to_string("/proc/cpuinfo").unwrap_or_default();
    let model = cpuinfo
        .lines()
        .find_map(|l| l.strip_prefix("model name"))
        .map(|m| m.trim_start_matches([' ', '\t', ':']).to_string())
        .unwrap_or_else(|| "unknown CPU".into());
    let cores = std::thread::available_parallelism().map_or(0, std::num::NonZero::get);
    let meminfo = std::fs::read_to_string("/proc/meminfo").unwrap_or_default();
    let mem = meminfo
        .lines()
        .find_map(|l| l.strip_prefix("MemTotal:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
        .map_or_else(
            || "?".into(),
            |kb| format!("{:.1} GiB", kb as f64 / 1024.0 / 1024.0),
        );
    let load = std::fs::read_to_string("/proc/loadavg").unwrap_or_default();
    let broker = Broker::describe();
    format!(
        "machine: {model}, {cores} cores, {mem} RAM; load average at start: {}\n\
         worker: {}{}\nbroker: {broker}",
        load.split_whitespace()
            .take(3)
            .collect::<Vec<_>>()
            .join(" "),
        worker.describe(),
        if worker.extra_props.is_empty() {
            String::new()
        } else {
            let props: Vec<String> = worker
                .extra_props
                .iter()
                .map(|(k, v)| format!("{k}={v}"))
                .collect();
            format!("; worker props: {}", props.join(", "))
        }
    )
}
