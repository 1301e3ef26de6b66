//! The harness against a real broker: the test run's shared Apache Kafka broker, a broker
//! of a test's own, or the external cluster named by TRIBUTARY_TEST_BOOTSTRAP_SERVERS.

use std::collections::BTreeSet;
use std::net::TcpStream;
use std::time::Duration;

use anyhow::{Result, ensure};
use connect_testkit::{
    KafkaCluster, ProduceRecord, PyClient, PythonEnv, Record, sort_by_position, wait_until,
};

const T: Duration = Duration::from_secs(60);

fn sample_records() -> Vec<ProduceRecord> {
    let mut records: Vec<ProduceRecord> = (0..20)
        .map(|i| ProduceRecord::kv(format!("key-{i}"), format!("{{\"n\":{i}}}")))
        .collect();
    records.push(
        ProduceRecord::new()
            .key([0xff, 0x00, 0xfe])
            .value([0x80, 0x81])
            .header("h1", "one")
            .header("bin", [0xc3, 0x28])
            .null_header("nul")
            .header("h1", "again")
            .partition(1)
            .timestamp(1_700_000_000_123),
    );
    records.push(ProduceRecord::new().key("tombstone").partition(2));
    records.push(ProduceRecord::new().value("no key").partition(0));
    records
}

fn same_content(rust: &[Record], other: &[Record]) -> Result<()> {
    let mut a = rust.to_vec();
    let mut b = other.to_vec();
    sort_by_position(&mut a);
    sort_by_position(&mut b);
    ensure!(a.len() == b.len(), "{} vs {} records", a.len(), b.len());
    for (x, y) in a.iter().zip(&b) {
        ensure!(
            x.topic == y.topic
                && x.partition == y.partition
                && x.offset == y.offset
                && x.key == y.key
                && x.value == y.value
                && x.headers == y.headers
                && x.timestamp == y.timestamp,
            "differ:\n  {x:?}\n  {y:?}"
        );
    }
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn produce_consume_and_verify_with_python() -> Result<()> {
    let cluster = KafkaCluster::start().await?;
    let topic = cluster.unique_topic("roundtrip");
    cluster.create_topic(&topic, 3).await?;
    // Creating it again is fine.
    cluster.create_topic(&topic, 3).await?;
    assert_eq!(cluster.partitions(&topic).await?, vec![0, 1, 2]);
    assert!(cluster.topics().await?.contains(&topic));

    let sent = sample_records();
    let delivered = cluster.produce_batch(&topic, sent.clone()).await?;
    assert_eq!(delivered.len(), sent.len());
    let single = cluster.produce(&topic, "last", "value").await?;

    let total = sent.len() + 1;
    let ends = cluster.end_offsets(&topic).await?;
    assert_eq!(
        ends.values().sum::<i64>(),
        i64::try_from(total)?,
        "{ends:?}"
    );
    assert!(ends[&single.partition] > single.offset);

    let records = cluster.consume_all(&topic, total, T).await?;
    assert_eq!(records.len(), total);
    let to_end = cluster.consume_to_end(&topic, T).await?;
    same_content(&records, &to_end)?;

    // Every produced record came back once, with its bytes, headers and timestamp.
    let special = records
        .iter()
        .find(|r| r.key.as_deref() == Some(&[0xff, 0x00, 0xfe][..]))
        .expect("binary-keyed record");
    assert_eq!(special.partition, 1);
    assert_eq!(special.value.as_deref(), Some(&[0x80, 0x81][..]));
    assert_eq!(special.timestamp, Some(1_700_000_000_123));
    assert_eq!(
        special.headers,
        vec![
            ("h1".to_owned(), Some(b"one".to_vec())),
            ("bin".to_owned(), Some(vec![0xc3, 0x28])),
            ("nul".to_owned(), None),
            ("h1".to_owned(), Some(b"again".to_vec())),
        ]
    );
    assert_eq!(special.header("h1"), Some(&b"again"[..]));
    let tombstone = records
        .iter()
        .find(|r| r.key.as_deref() == Some(&b"tombstone"[..]))
        .expect("tombstone");
    assert_eq!((tombstone.partition, tombstone.value.as_ref()), (2, None));
    assert!(
        records
            .iter()
            .any(|r| r.key.is_none() && r.value_str().as_deref() == Some("no key"))
    );
    let values: BTreeSet<_> = records.iter().filter_map(Record::value_str).collect();
    for i in 0..20 {
        assert!(values.contains(&format!("{{\"n\":{i}}}")), "missing {i}");
    }
    // Records with the same key land in the same partition, in order per partition.
    for p in 0..3 {
        let offsets: Vec<i64> = records
            .iter()
            .filter(|r| r.partition == p)
            .map(|r| r.offset)
            .collect();
        assert!(offsets.windows(2).all(|w| w[0] < w[1]), "{offsets:?}");
    }

    // Independent clients read exactly the same records.
    let py = PythonEnv::get()?;
    let bootstrap = cluster.bootstrap_servers();
    let confluent = py.consume_with_python(&bootstrap, &topic, total, T).await?;
    same_content(&records, &confluent)?;
    let kafka_python = py
        .consume_with_python_client(PyClient::KafkaPython, &bootstrap, &topic, total, T)
        .await?;
    same_content(&records, &kafka_python)?;
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_tests_of_a_run_share_one_broker() -> Result<()> {
    let (a, b) = tokio::join!(KafkaCluster::start(), KafkaCluster::start());
    let (a, b) = (a?, b?);
    assert_eq!(a.bootstrap_servers(), b.bootstrap_servers());
    if !a.is_external() {
        assert!(!a.is_dedicated());
        let log = a.broker_log_path().expect("the shared broker has a log");
        assert_eq!(Some(&log), b.broker_log_path().as_ref());
        // Recorded for the run's other test processes, next to the log.
        let run_dir = log
            .parent()
            .and_then(|broker_dir| broker_dir.parent())
            .expect("run dir");
        let recorded: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(run_dir.join("broker.json"))?)?;
        assert_eq!(recorded["bootstrap"], a.bootstrap_servers().as_str());
        let tail = a.broker_log_tail(1 << 20).unwrap_or_default();
        assert!(tail.contains("Kafka Server started"), "{tail}");
    }
    let topic = a.unique_topic("two");
    a.create_topic(&topic, 1).await?;
    b.create_topic(&topic, 1).await?;
    a.produce(&topic, "k", "in a").await?;
    b.produce(&topic, "k", "in b").await?;
    assert_eq!(b.consume_to_end(&topic, T).await?.len(), 2);
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn consume_all_fails_when_records_are_missing() -> Result<()> {
    let cluster = KafkaCluster::start().await?;
    let topic = cluster.unique_topic("short");
    cluster.create_topic(&topic, 2).await?;
    cluster.produce(&topic, "only", "one").await?;
    let err = cluster
        .consume_all(&topic, 2, Duration::from_secs(2))
        .await
        .expect_err("only one record exists");
    assert!(err.to_string().contains("read 1 of 2"), "{err:#}");
    // An empty topic reads to its end at once.
    let empty = cluster.unique_topic("empty");
    cluster.create_topic(&empty, 2).await?;
    assert!(cluster.consume_to_end(&empty, T).await?.is_empty());
    // A missing topic is an error after the timeout.
    let missing = cluster.unique_topic("missing");
    assert!(
        cluster
            .consume_all(&missing, 1, Duration::from_secs(1))
            .await
            .is_err()
    );
    let py = PythonEnv::get()?;
    let err = py
        .consume_with_python(
            &cluster.bootstrap_servers(),
            &topic,
            2,
            Duration::from_secs(3),
        )
        .await
        .expect_err("only one record exists");
    assert!(err.to_string().contains("read 1 of 2"), "{err:#}");
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn topic_configs() -> Result<()> {
    let cluster = KafkaCluster::start().await?;
    let topic = cluster.unique_topic("compacted");
    cluster
        .create_topic_with_config(&topic, 1, &[("cleanup.policy", "compact")])
        .await?;
    let config = cluster.topic_config(&topic).await?;
    assert_eq!(
        config.get("cleanup.policy").map(String::as_str),
        Some("compact"),
        "{config:?}"
    );
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn deleting_a_topic_leaves_the_others() -> Result<()> {
    let cluster = KafkaCluster::start().await?;
    let doomed = cluster.unique_topic("doomed");
    let bystander = cluster.unique_topic("bystander");
    cluster.create_topic(&doomed, 1).await?;
    cluster.create_topic(&bystander, 1).await?;
    cluster.delete_topic(&doomed).await?;
    wait_until(T, Duration::from_millis(50), || async {
        cluster.topics().await.is_ok_and(|ts| !ts.contains(&doomed))
    })
    .await?;
    assert!(cluster.topics().await?.contains(&bystander));
    // Deleting a missing topic is fine.
    cluster.delete_topic(&doomed).await?;
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn broker_restart_keeps_data_and_drop_kills_it() -> Result<()> {
    if std::env::var_os(connect_testkit::BOOTSTRAP_SERVERS_ENV).is_some() {
        // No broker of its own against an external cluster: start_dedicated says so.
        assert!(KafkaCluster::start_dedicated().await.is_err());
        return Ok(());
    }
    let mut cluster = KafkaCluster::start_dedicated().await?;
    assert!(cluster.is_dedicated());
    let shared = KafkaCluster::start().await?;
    assert_ne!(cluster.bootstrap_servers(), shared.bootstrap_servers());
    let mut shared = shared;
    assert!(
        shared.stop_broker().is_err(),
        "the shared broker is not the test's to stop"
    );
    let topic = cluster.unique_topic("durable");
    cluster.create_topic(&topic, 2).await?;
    let batch = (0..1000).map(|i| ProduceRecord::kv(format!("k{i}"), format!("v{i}")));
    cluster.produce_batch(&topic, batch).await?;
    let before = cluster.end_offsets(&topic).await?;
    assert_eq!(before.values().sum::<i64>(), 1000);

    cluster.stop_broker()?;
    cluster.restart_broker().await?;
    assert_eq!(cluster.end_offsets(&topic).await?, before);
    cluster.kill_broker()?;
    cluster.restart_broker().await?;
    assert_eq!(cluster.end_offsets(&topic).await?, before);
    cluster.produce(&topic, "after", "restart").await?;
    assert_eq!(cluster.consume_to_end(&topic, T).await?.len(), 1001);

    let log = cluster.broker_log_path().expect("own broker").to_path_buf();
    assert!(log.is_file());
    let dir = cluster.broker_data_dir().expect("own broker").to_path_buf();
    assert!(dir.join("data/meta.properties").is_file());
    let addr = cluster.bootstrap_servers().parse()?;
    drop(cluster);
    assert!(
        TcpStream::connect_timeout(&addr, Duration::from_millis(500)).is_err(),
        "the broker still listens on {addr} after drop"
    );
    assert!(!dir.exists(), "temp dir {} not removed", dir.display());
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn external_cluster_is_used_without_a_process() -> Result<()> {
    let own = KafkaCluster::start().await?;
    let ext = KafkaCluster::external(&own.bootstrap_servers()).await?;
    assert!(ext.is_external());
    assert!(ext.broker_log_path().is_none());
    let topic = ext.unique_topic("ext");
    ext.create_topic(&topic, 1).await?;
    ext.produce(&topic, "k", "v").await?;
    assert_eq!(
        own.consume_all(&topic, 1, T).await?[0]
            .value_str()
            .as_deref(),
        Some("v")
    );
    let mut ext = ext;
    assert!(ext.stop_broker().is_err());
    Ok(())
}

#[tokio::test]
async fn python_scripts_run() -> Result<()> {
    let py = PythonEnv::get()?;
    let out = py
        .run_python_script("tests/python/consume.py", ["--help"])
        .await?
        .ensure_success()?;
    assert!(out.stdout.contains("--bootstrap-servers"), "{}", out.stdout);
    let out = py
        .run_python_script("tests/python/consume.py", ["--no-such-flag"])
        .await?;
    assert!(!out.status.success());
    assert!(out.clone().ensure_success().is_err());
    let out = py
        .run_python_script("tests/python/check_clients.py", Vec::<String>::new())
        .await?
        .ensure_success()?;
    assert!(out.stdout.contains("kafka_connect"), "{}", out.stdout);
    Ok(())
}
