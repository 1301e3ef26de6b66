//! Quotas, fault injection, counters, the admin HTTP API and the state file.

mod support;

use std::time::{Duration, Instant};

use serde_json::{Value, json};
use sheets_emulator::testing::ServiceAccountKey;
use sheets_emulator::{
    DropSpec, Emulator, EmulatorConfig, EndpointKind, FaultSpec, LatencySpec, QuotaConfig,
    SCOPE_SPREADSHEETS, SheetSeed, SpreadsheetSeed, ValueInputOption, project_number,
};
use support::{Client, OWNER, start, values_path};

fn seeded(running: &Emulator) -> String {
    running
        .create_spreadsheet(
            SpreadsheetSeed::new("Ops")
                .sheet(SheetSeed::new("Sheet1").rows(json!([["a", 1], ["b", 2]])))
                .writer(OWNER)
                .writer("second@tributary-test.iam.gserviceaccount.com"),
        )
        .expect("seeded")
}

#[test]
fn read_quota_per_user_answers_429_until_the_window_refills() {
    let (running, client) = start();
    let id = seeded(&running);
    running.set_quotas(QuotaConfig {
        read_requests_per_user: 3,
        window: Duration::from_millis(400),
        ..QuotaConfig::default()
    });
    let path = values_path(&id, "Sheet1!A1:B2");
    for _ in 0..3 {
        assert_eq!(client.get(&path).status, 200);
    }
    let refused = client.get(&path);
    assert_eq!(refused.status, 429);
    assert_eq!(refused.json["error"]["status"], "RESOURCE_EXHAUSTED");
    assert_eq!(
        refused.json["error"]["message"],
        format!(
            "Quota exceeded for quota metric 'Read requests' and limit 'Read requests per minute per user' of service 'sheets.googleapis.com' for consumer 'project_number:{}'.",
            project_number("tributary-test")
        )
    );
    assert_eq!(
        refused.json["error"]["details"][0]["reason"],
        "RATE_LIMIT_EXCEEDED"
    );
    // Writes have their own quota.
    let write = client.put(
        &format!("{}?valueInputOption=RAW", values_path(&id, "Sheet1!C1")),
        &json!({"values": [["w"]]}),
    );
    assert_eq!(write.status, 200);

    std::thread::sleep(Duration::from_millis(450));
    assert_eq!(client.get(&path).status, 200);
    assert_eq!(running.counters().status(429), 1);
}

#[test]
fn project_quota_is_shared_by_the_projects_users() {
    let (running, first) = start();
    let id = seeded(&running);
    running.set_quotas(QuotaConfig {
        read_requests_per_project: 2,
        ..QuotaConfig::default()
    });
    let second = Client::new(&running).with_token(running.mint_access_token(
        "second@tributary-test.iam.gserviceaccount.com",
        &[SCOPE_SPREADSHEETS],
        None,
    ));
    let path = values_path(&id, "A1");
    assert_eq!(first.get(&path).status, 200);
    assert_eq!(second.get(&path).status, 200);
    let refused = first.get(&path);
    assert_eq!(refused.status, 429);
    assert!(
        refused.json["error"]["message"]
            .as_str()
            .is_some_and(|message| message.contains("limit 'Read requests per minute' of service"))
    );
    running.reset_quota_usage();
    assert_eq!(second.get(&path).status, 200);
}

#[test]
fn injected_failures_latency_and_dropped_connections() {
    let (running, client) = start();
    let id = seeded(&running);
    let path = values_path(&id, "Sheet1!A1");

    running.inject_fault(
        FaultSpec::status(503, 2)
            .path_prefix("/v4/")
            .retry_after_secs(7),
    );
    for _ in 0..2 {
        let failed = client.get(&path);
        assert_eq!(failed.status, 503);
        assert_eq!(
            failed.json,
            json!({"error": {"code": 503, "message": "The service is currently unavailable.", "status": "UNAVAILABLE"}})
        );
        assert_eq!(failed.header("retry-after"), Some("7"));
    }
    assert_eq!(client.get(&path).status, 200);

    // The prefix keeps the rule off other paths; the token endpoint is one of them.
    running.inject_fault(
        FaultSpec::status(500, 1)
            .path_prefix(format!("/v4/spreadsheets/{id}/values"))
            .message("boom"),
    );
    let token = client.post_form("/token", "grant_type=nope");
    assert_eq!(token.status, 400);
    let boom = client.get(&path);
    assert_eq!(
        boom.json,
        json!({"error": {"code": 500, "message": "boom", "status": "INTERNAL"}})
    );

    running.inject_fault(FaultSpec::status(429, 1));
    assert_eq!(
        client.get(&path).json["error"]["status"],
        "RESOURCE_EXHAUSTED"
    );

    running.add_latency(LatencySpec::new(Duration::from_millis(300), Some(1)));
    let started = Instant::now();
    assert_eq!(client.get(&path).status, 200);
    assert!(started.elapsed() >= Duration::from_millis(300));

    running.drop_connections(DropSpec::new(1));
    let dropped = client.try_get(&path);
    assert!(dropped.is_err(), "expected no answer, got {dropped:?}");
    assert_eq!(client.get(&path).status, 200);

    let counters = running.counters();
    assert_eq!(counters.injected_faults, 4);
    assert_eq!(counters.dropped_connections, 1);
    assert_eq!(counters.delayed_requests, 1);
    assert_eq!(counters.status(503), 2);
    assert_eq!(counters.endpoint(EndpointKind::Token), 1);
    assert_eq!(counters.endpoint(EndpointKind::ValuesGet), 8);
    assert_eq!(counters.total, 9);

    running.inject_fault(FaultSpec::status(500, 5));
    running.reset();
    assert_eq!(client.get(&path).status, 200);
    assert_eq!(running.counters().total, 1);
}

#[test]
fn counters_count_endpoints_and_the_bytes_clients_received() {
    let (running, client) = start();
    let id = seeded(&running);
    let mut received = 0;
    let mut tally = |reply: support::Reply| {
        received += reply.text.len() as u64;
        reply
    };
    tally(client.get(&format!("/v4/spreadsheets/{id}")));
    tally(client.get(&values_path(&id, "A1")));
    tally(client.get(&format!(
        "/v4/spreadsheets/{id}/values:batchGet?ranges=A1&ranges=B1"
    )));
    tally(client.post(
        &format!("/v4/spreadsheets/{id}/values/Sheet1:append?valueInputOption=RAW"),
        &json!({"values": [["c", 3]]}),
    ));
    tally(client.post_form("/token", "grant_type=refresh_token&client_id=none"));
    let compact = tally(client.get(&format!("{}?prettyPrint=false", values_path(&id, "A1"))));
    assert_eq!(
        compact.text,
        r#"{"range":"Sheet1!A1","majorDimension":"ROWS","values":[["a"]]}"#
    );

    let counters = running.counters();
    assert_eq!(counters.total, 6);
    assert_eq!(counters.endpoint(EndpointKind::Metadata), 1);
    assert_eq!(counters.endpoint(EndpointKind::ValuesGet), 2);
    assert_eq!(counters.endpoint(EndpointKind::BatchGet), 1);
    assert_eq!(counters.endpoint(EndpointKind::Append), 1);
    assert_eq!(counters.endpoint(EndpointKind::Token), 1);
    assert_eq!(counters.response_bytes, received);

    // The same over the admin API, with Google's endpoint names.
    let admin = Client::new(&running);
    let over_http = admin.get("/__admin/counters");
    assert_eq!(over_http.json["total"], 6);
    assert_eq!(over_http.json["byEndpoint"]["values.get"], 2);
    assert_eq!(over_http.json["byEndpoint"]["batchGet"], 1);
    assert_eq!(over_http.json["responseBytes"], received);
    // Admin calls are not counted.
    assert_eq!(running.counters().total, 6);

    let log = running.requests();
    assert_eq!(log.len(), 6);
    assert_eq!(log[3].endpoint, EndpointKind::Append);
    assert_eq!(log[3].status, Some(200));
    assert_eq!(log[3].principal.as_deref(), Some(OWNER));
    assert!(log[3].uri.ends_with(":append?valueInputOption=RAW"));
}

#[test]
fn the_admin_http_api_seeds_reads_and_injects() {
    let running = Emulator::start_local().expect("starts");
    let admin = Client::new(&running);

    let created = admin.post(
        "/__admin/spreadsheets",
        &json!({
            "title": "Survey",
            "sheets": [{"title": "Form responses 1", "frozenRowCount": 1, "rows": [["Timestamp", "Answer"]]}],
            "writers": [OWNER]
        }),
    );
    assert_eq!(created.status, 200, "{}", created.text);
    let id = created.json["spreadsheetId"]
        .as_str()
        .expect("an id")
        .to_owned();

    let appended = admin.post(
        &format!("/__admin/spreadsheets/{id}/sheets/Form%20responses%201/append"),
        &json!({"rows": [["4/6/2025 18:56:53", "yes"]]}),
    );
    assert_eq!(
        appended.json,
        json!({"updatedRange": "'Form responses 1'!A2:B2"})
    );
    let values = admin.get(&format!(
        "/__admin/spreadsheets/{id}/sheets/Form%20responses%201/values?valueRenderOption=FORMATTED_VALUE"
    ));
    assert_eq!(
        values.json,
        json!({"values": [["Timestamp", "Answer"], ["4/6/2025 18:56:53", "yes"]]})
    );

    let inserted = admin.post(
        &format!("/__admin/spreadsheets/{id}/sheets/Form%20responses%201/insert-rows"),
        &json!({"startIndex": 1, "rows": [["early", "row"]], "valueInputOption": "RAW"}),
    );
    assert_eq!(inserted.status, 200, "{}", inserted.text);
    let deleted = admin.post(
        &format!("/__admin/spreadsheets/{id}/sheets/Form%20responses%201/delete-rows"),
        &json!({"startIndex": 2, "count": 1}),
    );
    assert_eq!(deleted.status, 200);
    assert_eq!(
        running
            .sheet_values_formatted(&id, "Form responses 1")
            .expect("values"),
        vec![
            vec!["Timestamp".to_owned(), "Answer".to_owned()],
            vec!["early".to_owned(), "row".to_owned()]
        ]
    );

    // Generated service account: the key file points here and works.
    let key = admin.post(
        "/__admin/service-accounts/generate",
        &json!({"email": "gen@tributary-test.iam.gserviceaccount.com"}),
    );
    assert_eq!(key.json["token_uri"], running.token_uri());
    let sharing = admin.post(
        &format!("/__admin/spreadsheets/{id}/share"),
        &json!({"email": "gen@tributary-test.iam.gserviceaccount.com", "role": "reader"}),
    );
    assert_eq!(sharing.status, 200);
    let signing_key = ServiceAccountKey {
        client_email: key.json["client_email"]
            .as_str()
            .unwrap_or_default()
            .to_owned(),
        project_id: key.json["project_id"]
            .as_str()
            .unwrap_or_default()
            .to_owned(),
        private_key_id: key.json["private_key_id"]
            .as_str()
            .unwrap_or_default()
            .to_owned(),
        client_id: key.json["client_id"]
            .as_str()
            .unwrap_or_default()
            .to_owned(),
        token_uri: running.token_uri(),
        private_key_pem: key.json["private_key"]
            .as_str()
            .unwrap_or_default()
            .to_owned(),
        public_key_pem: String::new(),
    };
    let assertion = signing_key.assertion(SCOPE_SPREADSHEETS).expect("signed");
    let granted = admin.post_form("/token", &ServiceAccountKey::token_request_body(&assertion));
    assert_eq!(granted.status, 200, "{}", granted.text);

    let fault = admin.post(
        "/__admin/faults",
        &json!({"status": 500, "count": 1, "pathPrefix": "/v4/"}),
    );
    assert_eq!(fault.status, 200);
    let minted = admin.post(
        "/__admin/access-tokens",
        &json!({"email": OWNER, "scopes": [SCOPE_SPREADSHEETS]}),
    );
    let client =
        Client::new(&running).with_token(minted.json["accessToken"].as_str().unwrap_or_default());
    assert_eq!(client.get(&values_path(&id, "A1")).status, 500);
    assert_eq!(client.get(&values_path(&id, "A1")).status, 200);

    let quotas = admin.put("/__admin/quotas", &json!({"readRequestsPerUser": 1}));
    assert_eq!(quotas.status, 200);
    assert_eq!(admin.get("/__admin/quotas").json["readRequestsPerUser"], 1);
    assert_eq!(client.get(&values_path(&id, "A1")).status, 429);

    let bad = admin.post(
        "/__admin/spreadsheets/nope/sheets/x/append",
        &json!({"rows": []}),
    );
    assert_eq!(bad.status, 404);
    assert_eq!(bad.json["error"]["status"], "NOT_FOUND");
    let listed = admin.get("/__admin/spreadsheets");
    assert_eq!(
        listed.json["spreadsheets"][0]["sheets"],
        json!(["Form responses 1"])
    );
}

#[test]
fn the_state_file_round_trips_and_is_saved_at_shutdown() {
    let directory = tempfile::tempdir().expect("a temporary directory");
    let path = directory.path().join("state.json");
    let config = EmulatorConfig {
        state_path: Some(path.clone()),
        ..EmulatorConfig::default()
    };

    let running = Emulator::start_local_with(config.clone()).expect("starts");
    let id = running
        .create_spreadsheet(
            SpreadsheetSeed::new("Kept")
                .locale("de_DE")
                .sheet(SheetSeed::new("Daten").frozen_rows(1).rows(json!([
                    ["Zeit", "Wert", "ok"],
                    ["6.4.2025 18:56:53", "1,5", true]
                ])))
                .writer(OWNER)
                .public(true),
        )
        .expect("seeded");
    running.register_api_key("AIzaKept", None);
    let key = running
        .create_service_account("kept@tributary-test.iam.gserviceaccount.com")
        .expect("key");
    let client = Client::owner(&running);
    let appended = client.post(
        &format!("/v4/spreadsheets/{id}/values/Daten:append?valueInputOption=USER_ENTERED"),
        &json!({"values": [["=A2", "2,25", "FALSE"]]}),
    );
    assert_eq!(appended.status, 200, "{}", appended.text);
    let before_values = running
        .sheet_values_formatted(&id, "Daten")
        .expect("values");
    let before_metadata = running.spreadsheet_json(&id).expect("metadata");
    running.stop();

    let saved: Value =
        serde_json::from_slice(&std::fs::read(&path).expect("saved at shutdown")).expect("JSON");
    assert_eq!(saved["version"], 1);
    assert_eq!(
        saved["spreadsheets"][0]["sheets"][0]["rows"][2][0],
        json!({"formulaValue": "=A2"})
    );
    assert_eq!(
        saved["spreadsheets"][0]["sheets"][0]["rows"][1][1],
        json!({"numberValue": 1.5})
    );

    let reloaded = Emulator::new(config).expect("loads");
    assert_eq!(
        reloaded
            .sheet_values_formatted(&id, "Daten")
            .expect("values"),
        before_values
    );
    assert_eq!(
        before_values[1],
        vec![
            "06.04.2025 18:56:53".to_owned(),
            "1,5".to_owned(),
            "TRUE".to_owned()
        ]
    );
    assert_eq!(
        reloaded.spreadsheet_json(&id).expect("metadata"),
        before_metadata
    );
    assert_eq!(reloaded.state_json(), saved);

    // Credentials survive too: the key still buys tokens, the API key still reads.
    let running = reloaded.serve_local().expect("serves");
    let anonymous = Client::new(&running);
    let by_key = anonymous.get(&format!("{}?key=AIzaKept", values_path(&id, "Daten!A1")));
    assert_eq!(by_key.json["values"], json!([["Zeit"]]));
    let mut key = key;
    key.token_uri = running.token_uri();
    let granted = anonymous.post_form(
        "/token",
        &ServiceAccountKey::token_request_body(&key.assertion(SCOPE_SPREADSHEETS).expect("signed")),
    );
    assert_eq!(granted.status, 200, "{}", granted.text);

    // Explicit save and load through the in-process API.
    let copy = directory.path().join("copy.json");
    running.save_state(&copy).expect("saved");
    let other = Emulator::default();
    let text = std::fs::read(&copy).expect("read");
    other
        .load_state_json(serde_json::from_slice(&text).expect("JSON"))
        .expect("loaded");
    assert_eq!(
        other.sheet_values(&id, "Daten").expect("values"),
        running.sheet_values(&id, "Daten").expect("values")
    );
    running
        .append_rows(&id, "Daten", json!([["x"]]), ValueInputOption::Raw)
        .expect("appended");
    assert_ne!(
        other.sheet_values(&id, "Daten").expect("values"),
        running.sheet_values(&id, "Daten").expect("values")
    );
}

#[test]
fn the_router_works_without_a_socket() {
    use tower::ServiceExt;

    let emulator = Emulator::default();
    let id = seeded(&emulator);
    let token = emulator.mint_access_token(OWNER, &[SCOPE_SPREADSHEETS], None);
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    let (status, body) = runtime.block_on(async {
        let request = axum::http::Request::get(format!("/v4/spreadsheets/{id}/values/A1:B1"))
            .header("authorization", format!("Bearer {token}"))
            .body(axum::body::Body::empty())
            .expect("request");
        let response = sheets_emulator::app(emulator.clone())
            .oneshot(request)
            .await
            .expect("answer");
        let status = response.status().as_u16();
        let bytes = axum::body::to_bytes(response.into_body(), 1 << 20)
            .await
            .expect("body");
        (
            status,
            serde_json::from_slice::<Value>(&bytes).expect("JSON"),
        )
    });
    assert_eq!(status, 200);
    assert_eq!(
        body,
        json!({"range": "Sheet1!A1:B1", "majorDimension": "ROWS", "values": [["a", "1"]]})
    );
}
