//! Faults against the Sheets API emulator: transient errors are retried without losing or
//! repeating a row, expired tokens are replaced, permanent errors say what to do, and the
//! other credentials work.

mod common;

use std::time::Duration;

use common::*;
use connect_api::SourceTask;
use connect_google_sheets::config::Flavor;
use serde_json::json;
use sheets_emulator::{DropSpec, EndpointKind, FaultSpec, SpreadsheetSeed, ValueInputOption};

const SHEET: &str = "Form responses 1";

#[tokio::test]
async fn injected_500s_429s_and_dropped_connections_lose_and_repeat_nothing() {
    let harness = Harness::start("faults-transient@tributary-test.iam.gserviceaccount.com");
    let id = harness.spreadsheet(SpreadsheetSeed::new("F").sheet(sheet(SHEET, forms_rows(200))));
    let offsets = Offsets::new();
    // Small windows, so that the sheet takes many requests and faults land in between.
    let props = harness.props(&id, &[("fetch.max.rows", "15")]);
    let emulator = harness.emulator();
    emulator.inject_fault(FaultSpec::status(500, 3).path_prefix("/v4/"));
    emulator.inject_fault(
        FaultSpec::status(429, 2)
            .path_prefix("/v4/")
            .retry_after_secs(0),
    );
    emulator.inject_fault(FaultSpec::status(503, 1).path_prefix("/token"));
    emulator.drop_connections(DropSpec::new(1).path_prefix("/v4/"));

    let mut task = start_task(&props, &offsets, Flavor::Tributary).await;
    let mut seen = Vec::new();
    for round in 0..6 {
        if round == 3 {
            // More faults while reading, and more rows.
            emulator.inject_fault(FaultSpec::status(502, 2).path_prefix("/v4/"));
            emulator.inject_fault(FaultSpec::status(429, 1).path_prefix("/v4/"));
            let more: Vec<serde_json::Value> = (200..230).map(response).collect();
            emulator
                .append_rows(
                    &id,
                    SHEET,
                    serde_json::Value::Array(more),
                    ValueInputOption::Raw,
                )
                .expect("appended");
        }
        seen.extend(emails(&poll_idle(&mut task, &offsets).await));
    }
    assert_eq!(seen, users(0..230), "every row once, in order");
    let counters = emulator.counters();
    assert!(counters.injected_faults >= 9, "{counters:?}");
    assert!(counters.dropped_connections >= 1, "{counters:?}");
    let client = task.client_stats().expect("started");
    assert!(client.retries.load(std::sync::atomic::Ordering::Relaxed) >= 9);
    task.stop().await.expect("stops");
}

#[tokio::test]
async fn an_expired_token_is_replaced_once() {
    let harness = Harness::start("faults-token@tributary-test.iam.gserviceaccount.com");
    let id = harness.spreadsheet(SpreadsheetSeed::new("F").sheet(sheet(SHEET, forms_rows(2))));
    let offsets = Offsets::new();
    let props = harness.props(&id, &[]);
    let mut task = start_task(&props, &offsets, Flavor::Tributary).await;
    assert_eq!(poll_idle(&mut task, &offsets).await.len(), 2);
    let tokens_before = harness.emulator().counters().endpoint(EndpointKind::Token);
    harness.emulator().expire_access_tokens();
    harness
        .emulator()
        .append_rows(&id, SHEET, json!([response(2)]), ValueInputOption::Raw)
        .expect("appended");
    assert_eq!(emails(&poll_idle(&mut task, &offsets).await), users(2..3));
    let counters = harness.emulator().counters();
    assert_eq!(counters.endpoint(EndpointKind::Token), tokens_before + 1);
    assert!(counters.status(401) >= 1, "{counters:?}");
    task.stop().await.expect("stops");
}

#[tokio::test]
async fn a_spreadsheet_not_shared_fails_with_what_to_do() {
    let harness = Harness::start("faults-unshared@tributary-test.iam.gserviceaccount.com");
    let id = harness
        .emulator()
        .create_spreadsheet(SpreadsheetSeed::new("Private").sheet(sheet(SHEET, forms_rows(1))))
        .expect("a spreadsheet");
    let offsets = Offsets::new();
    let props = harness.props(&id, &[]);
    let mut task = start_task(&props, &offsets, Flavor::Tributary).await;
    let error = tokio::time::timeout(Duration::from_secs(20), task.poll())
        .await
        .expect("a poll ends")
        .expect_err("not shared");
    let trace = error.trace();
    assert!(trace.contains(&id), "{trace}");
    assert!(trace.contains("403"), "{trace}");
    assert!(trace.contains(&harness.key.client_email), "{trace}");
    assert!(trace.contains("share the spreadsheet with"), "{trace}");
    assert!(!trace.contains("PRIVATE KEY"), "{trace}");
    task.stop().await.expect("stops");
}

#[tokio::test]
async fn a_missing_sheet_is_named_with_the_sheets_there_are() {
    let harness = Harness::start("faults-nosheet@tributary-test.iam.gserviceaccount.com");
    let id = harness.spreadsheet(SpreadsheetSeed::new("F").sheet(sheet(SHEET, forms_rows(1))));
    let offsets = Offsets::new();
    let props = harness.props(&id, &[("sheets", "Responses")]);
    let mut task = start_task(&props, &offsets, Flavor::Tributary).await;
    let error = task.poll().await.expect_err("no such sheet");
    let trace = error.trace();
    assert!(trace.contains("no sheet named 'Responses'"), "{trace}");
    assert!(trace.contains("'Form responses 1'"), "{trace}");
}

#[tokio::test]
async fn a_bad_key_fails_at_the_token_endpoint_with_the_account_named() {
    let harness = Harness::start("faults-badkey@tributary-test.iam.gserviceaccount.com");
    let id = harness.spreadsheet(SpreadsheetSeed::new("F").sheet(sheet(SHEET, forms_rows(1))));
    // A valid key the emulator does not know for this account.
    let stranger = sheets_emulator::testing::ServiceAccountKey::generate_for(
        &harness.key.client_email,
        &harness.emulator.token_uri(),
    )
    .expect("a key");
    let mut props = harness.props(&id, &[]);
    props.insert("credentials.json".into(), stranger.to_json_string());
    let offsets = Offsets::new();
    let mut task = start_task(&props, &offsets, Flavor::Tributary).await;
    let error = task.poll().await.expect_err("unknown key");
    let trace = error.trace();
    assert!(trace.contains(&harness.key.client_email), "{trace}");
    assert!(trace.contains("token endpoint"), "{trace}");
    assert!(!trace.contains("PRIVATE KEY"), "{trace}");
    let first_key_line = stranger.private_key_pem.lines().nth(1).unwrap_or("-");
    assert!(!trace.contains(first_key_line), "{trace}");
}

#[tokio::test]
async fn api_keys_read_public_spreadsheets() {
    let harness = Harness::start("faults-apikey@tributary-test.iam.gserviceaccount.com");
    let id = harness
        .emulator()
        .create_spreadsheet(
            SpreadsheetSeed::new("Public")
                .public(true)
                .sheet(sheet(SHEET, forms_rows(2))),
        )
        .expect("a spreadsheet");
    harness
        .emulator()
        .register_api_key("AIzaTributaryTestKey0001", None);
    let mut props = harness.props(&id, &[("api.key", "AIzaTributaryTestKey0001")]);
    props.remove("credentials.json");
    let offsets = Offsets::new();
    let mut task = start_task(&props, &offsets, Flavor::Tributary).await;
    assert_eq!(emails(&poll_idle(&mut task, &offsets).await), users(0..2));
    task.stop().await.expect("stops");
}

#[tokio::test]
async fn refresh_tokens_read_as_their_user() {
    let harness = Harness::start("faults-oauth@tributary-test.iam.gserviceaccount.com");
    let user = "reader@example.com";
    let id = harness
        .emulator()
        .create_spreadsheet(
            SpreadsheetSeed::new("Mine")
                .reader(user)
                .sheet(sheet(SHEET, forms_rows(2))),
        )
        .expect("a spreadsheet");
    harness
        .emulator()
        .register_oauth_client("client-1.apps.example", "client-secret", None);
    let refresh = harness
        .emulator()
        .issue_refresh_token(
            "client-1.apps.example",
            user,
            &[sheets_emulator::SCOPE_SPREADSHEETS_READONLY],
        )
        .expect("a refresh token");
    let mut props = harness.props(
        &id,
        &[
            ("oauth.client.id", "client-1.apps.example"),
            ("oauth.client.secret", "client-secret"),
            ("oauth.refresh.token", refresh.as_str()),
            ("oauth.token.uri", &harness.emulator.token_uri()),
        ],
    );
    props.remove("credentials.json");
    let offsets = Offsets::new();
    let mut task = start_task(&props, &offsets, Flavor::Tributary).await;
    assert_eq!(emails(&poll_idle(&mut task, &offsets).await), users(0..2));
    task.stop().await.expect("stops");
}

#[tokio::test]
async fn stopping_interrupts_a_wait_at_once() {
    let harness = Harness::start("faults-stop@tributary-test.iam.gserviceaccount.com");
    let id = harness.spreadsheet(SpreadsheetSeed::new("F").sheet(sheet(SHEET, forms_rows(1))));
    let offsets = Offsets::new();
    let props = harness.props(&id, &[("poll.interval.ms", "3600000")]);
    let mut task = start_task(&props, &offsets, Flavor::Tributary).await;
    assert_eq!(poll_idle_once(&mut task, &offsets).await, 1);
    // The next poll waits an hour; dropping it (what the worker does to stop) is immediate
    // and loses nothing.
    let started = std::time::Instant::now();
    let dropped = tokio::time::timeout(Duration::from_millis(200), task.poll()).await;
    assert!(dropped.is_err());
    assert!(started.elapsed() < Duration::from_secs(2));
    task.stop().await.expect("stops");
}

async fn poll_idle_once(
    task: &mut connect_google_sheets::GoogleSheetsSourceTask,
    offsets: &Offsets,
) -> usize {
    let records = task
        .poll()
        .await
        .unwrap_or_else(|e| panic!("{}", e.trace()));
    offsets.commit(&records);
    records.len()
}

#[tokio::test]
async fn tokens_are_renewed_before_they_expire() {
    let emulator = sheets_emulator::Emulator::start_local_with(sheets_emulator::EmulatorConfig {
        access_token_lifetime: Duration::from_secs(3),
        ..sheets_emulator::EmulatorConfig::default()
    })
    .expect("the emulator starts");
    let key = emulator
        .create_service_account("faults-renew@tributary-test.iam.gserviceaccount.com")
        .expect("a service account");
    let harness = Harness { emulator, key };
    let id = harness.spreadsheet(SpreadsheetSeed::new("F").sheet(sheet(SHEET, forms_rows(1))));
    let offsets = Offsets::new();
    let props = harness.props(&id, &[]);
    let mut task = start_task(&props, &offsets, Flavor::Tributary).await;
    assert_eq!(poll_idle(&mut task, &offsets).await.len(), 1);
    // Tokens live 3 s (expires_in 2): the next one is fetched halfway, before any 401.
    tokio::time::sleep(Duration::from_millis(1_500)).await;
    harness
        .emulator()
        .append_rows(&id, SHEET, json!([response(1)]), ValueInputOption::Raw)
        .expect("appended");
    assert_eq!(emails(&poll_idle(&mut task, &offsets).await), users(1..2));
    let counters = harness.emulator().counters();
    assert_eq!(counters.endpoint(EndpointKind::Token), 2, "{counters:?}");
    assert_eq!(counters.status(401), 0, "{counters:?}");
    task.stop().await.expect("stops");
}
