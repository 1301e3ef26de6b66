//! Authentication and authorisation as Google does them: the token endpoint (JWT bearer
//! and refresh tokens), bearer tokens, scopes, sharing and API keys.

mod support;

use serde_json::json;
use sheets_emulator::testing::ServiceAccountKey;
use sheets_emulator::{
    Emulator, Role, SCOPE_SPREADSHEETS, SCOPE_SPREADSHEETS_READONLY, SheetSeed, SpreadsheetSeed,
};
use support::{Client, OWNER, values_path};

const ROBOT: &str = "reader@tributary-test.iam.gserviceaccount.com";

fn now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|elapsed| elapsed.as_secs())
        .unwrap_or(0)
}

fn seeded(running: &Emulator) -> String {
    running
        .create_spreadsheet(
            SpreadsheetSeed::new("Private")
                .sheet(SheetSeed::new("Sheet1").rows(json!([["secret"]])))
                .writer(OWNER)
                .reader(ROBOT),
        )
        .expect("seeded")
}

#[test]
fn a_service_account_assertion_buys_a_token_that_reads_shared_sheets() {
    let running = Emulator::start_local().expect("starts");
    let id = seeded(&running);
    let key = running
        .create_service_account(ROBOT)
        .expect("key generated");
    let file = key.to_json();
    assert_eq!(file["type"], "service_account");
    assert_eq!(file["token_uri"], running.token_uri());
    assert_eq!(file["project_id"], "tributary-test");
    assert!(
        file["private_key"]
            .as_str()
            .is_some_and(|pem| pem.starts_with("-----BEGIN PRIVATE KEY-----"))
    );
    for field in [
        "private_key_id",
        "client_email",
        "client_id",
        "auth_uri",
        "auth_provider_x509_cert_url",
        "client_x509_cert_url",
        "universe_domain",
    ] {
        assert!(file[field].is_string(), "{field}");
    }

    let client = Client::new(&running);
    let assertion = key.assertion(SCOPE_SPREADSHEETS_READONLY).expect("signed");
    let granted = client.post_form("/token", &ServiceAccountKey::token_request_body(&assertion));
    assert_eq!(granted.status, 200, "{}", granted.text);
    let object = granted.json.as_object().expect("an object");
    assert_eq!(
        object.keys().collect::<Vec<_>>(),
        vec!["access_token", "expires_in", "token_type"]
    );
    assert_eq!(granted.json["expires_in"], 3599);
    assert_eq!(granted.json["token_type"], "Bearer");
    let token = granted.json["access_token"]
        .as_str()
        .expect("a token")
        .to_owned();
    assert!(token.starts_with("ya29."));

    let reader = Client::new(&running).with_token(token);
    let read = reader.get(&values_path(&id, "Sheet1!A1"));
    assert_eq!(read.json["values"], json!([["secret"]]));

    // yup-oauth2 and gcp_auth pad their base64 segments: accepted too.
    let claims = json!({"iss": ROBOT, "scope": SCOPE_SPREADSHEETS_READONLY, "aud": running.token_uri(), "iat": now(), "exp": now() + 3600});
    let padded = key.sign_claims_padded(&claims).expect("signed");
    assert!(padded.contains('='));
    let padded_grant = client.post_form("/token", &ServiceAccountKey::token_request_body(&padded));
    assert_eq!(padded_grant.status, 200, "{}", padded_grant.text);
}

#[test]
fn bad_assertions_get_googles_oauth_errors() {
    let running = Emulator::start_local().expect("starts");
    let key = running
        .create_service_account(ROBOT)
        .expect("key generated");
    let client = Client::new(&running);
    let grant =
        |jwt: String| client.post_form("/token", &ServiceAccountKey::token_request_body(&jwt));
    let claims = |aud: &str, iat: u64, exp: u64| json!({"iss": ROBOT, "scope": SCOPE_SPREADSHEETS, "aud": aud, "iat": iat, "exp": exp});
    let token_uri = running.token_uri();

    // Signed by another key that claims the same key id.
    let mut impostor = ServiceAccountKey::generate_for(ROBOT, &token_uri).expect("key generated");
    impostor.private_key_id = key.private_key_id.clone();
    let forged = grant(
        impostor
            .sign_claims(&claims(&token_uri, now(), now() + 3600))
            .expect("signed"),
    );
    assert_eq!(forged.status, 400);
    assert_eq!(
        forged.json,
        json!({"error": "invalid_grant", "error_description": "Invalid JWT Signature."})
    );

    let timeframe = json!({"error": "invalid_grant", "error_description": "Invalid JWT: Token must be a short-lived token (60 minutes) and in a reasonable timeframe. Check your iat and exp values in the JWT claim."});
    let expired = grant(
        key.sign_claims(&claims(&token_uri, now() - 7200, now() - 3600))
            .expect("signed"),
    );
    assert_eq!(expired.json, timeframe);
    let too_long = grant(
        key.sign_claims(&claims(&token_uri, now(), now() + 7200))
            .expect("signed"),
    );
    assert_eq!(too_long.json, timeframe);

    // Google's token endpoint is an audience as good as the emulator's own address:
    // google-auth signs for it whatever the key's token_uri says.
    for google in [
        "https://oauth2.googleapis.com/token",
        "https://www.googleapis.com/oauth2/v4/token",
        "https://accounts.google.com/o/oauth2/token",
    ] {
        let granted = grant(
            key.sign_claims(&claims(google, now(), now() + 3600))
                .expect("signed"),
        );
        assert_eq!(granted.status, 200, "{google}: {}", granted.json);
        assert!(granted.json["access_token"].is_string(), "{}", granted.json);
    }
    let wrong_audience = grant(
        key.sign_claims(&claims("https://example.com/token", now(), now() + 3600))
            .expect("signed"),
    );
    assert_eq!(
        wrong_audience.json,
        json!({"error": "invalid_grant", "error_description": "Invalid JWT: Failed audience check. The right audience is https://oauth2.googleapis.com/token"})
    );

    let stranger =
        ServiceAccountKey::generate_for("nobody@elsewhere.iam.gserviceaccount.com", &token_uri)
            .expect("key generated");
    let unknown = grant(stranger.assertion(SCOPE_SPREADSHEETS).expect("signed"));
    assert_eq!(
        unknown.json,
        json!({"error": "invalid_grant", "error_description": "Invalid grant: account not found"})
    );

    let no_scope = grant(
        key.sign_claims(&json!({"iss": ROBOT, "aud": token_uri, "iat": now(), "exp": now() + 60}))
            .expect("signed"),
    );
    assert_eq!(
        no_scope.json,
        json!({"error": "invalid_scope", "error_description": "Invalid OAuth scope or ID token audience provided."})
    );

    let unsupported = client.post_form("/token", "grant_type=password&username=x");
    assert_eq!(
        unsupported.json,
        json!({"error": "unsupported_grant_type", "error_description": "Invalid grant_type: password"})
    );
    assert_eq!(running.counters().status(400), 7);
}

#[test]
fn missing_unknown_and_expired_tokens_are_refused() {
    let running = Emulator::start_local().expect("starts");
    let id = seeded(&running);
    let path = values_path(&id, "Sheet1!A1");

    let unauthenticated = json!({"error": {
        "code": 401,
        "message": "Request had invalid authentication credentials. Expected OAuth 2 access token, login cookie or other valid authentication credential. See https://developers.google.com/identity/sign-in/web/devconsole-project.",
        "status": "UNAUTHENTICATED"
    }});
    let unknown = Client::new(&running).with_token("ya29.made-up").get(&path);
    assert_eq!(unknown.status, 401);
    assert_eq!(unknown.json, unauthenticated);
    assert!(
        unknown
            .header("www-authenticate")
            .is_some_and(|value| value.contains("invalid_token"))
    );

    let token = running.mint_access_token(OWNER, &[SCOPE_SPREADSHEETS], None);
    let owner = Client::new(&running).with_token(token);
    assert_eq!(owner.get(&path).status, 200);
    running.expire_access_tokens();
    assert_eq!(owner.get(&path).json, unauthenticated);

    // No credentials at all: Google asks for an API key.
    let anonymous = Client::new(&running).get(&path);
    assert_eq!(
        anonymous.json,
        json!({"error": {"code": 403, "message": "The request is missing a valid API key.", "status": "PERMISSION_DENIED"}})
    );
}

#[test]
fn sharing_roles_and_scopes_decide_who_reads_and_writes() {
    let running = Emulator::start_local().expect("starts");
    let id = seeded(&running);
    let path = values_path(&id, "Sheet1!A1");
    let write_path = format!("{}?valueInputOption=RAW", values_path(&id, "Sheet1!B1"));
    let body = json!({"values": [["x"]]});
    let denied = json!({"error": {"code": 403, "message": "The caller does not have permission", "status": "PERMISSION_DENIED"}});

    let outsider = Client::new(&running).with_token(running.mint_access_token(
        "outsider@example.com",
        &[SCOPE_SPREADSHEETS],
        None,
    ));
    assert_eq!(outsider.get(&path).json, denied);
    // Existence is not secret to the 404: unknown ids are 404 for everyone.
    assert_eq!(outsider.get(&values_path("nope", "A1")).status, 404);

    let reader = Client::new(&running).with_token(running.mint_access_token(
        ROBOT,
        &[SCOPE_SPREADSHEETS],
        None,
    ));
    assert_eq!(reader.get(&path).status, 200);
    assert_eq!(reader.put(&write_path, &body).json, denied);

    running.share(&id, ROBOT, Role::Writer).expect("shared");
    assert_eq!(reader.put(&write_path, &body).status, 200);
    running
        .share(&id, "outsider@example.com", Role::Reader)
        .expect("shared");
    assert_eq!(outsider.get(&path).status, 200);
    running
        .unshare(&id, "outsider@example.com")
        .expect("unshared");
    assert_eq!(outsider.get(&path).status, 403);

    // A read-only token may not write, whatever the sharing.
    let read_only = Client::new(&running).with_token(running.mint_access_token(
        OWNER,
        &[SCOPE_SPREADSHEETS_READONLY],
        None,
    ));
    assert_eq!(read_only.get(&path).status, 200);
    let refused = read_only.put(&write_path, &body);
    assert_eq!(refused.status, 403);
    assert_eq!(
        refused.json["error"]["message"],
        "Request had insufficient authentication scopes."
    );
    assert_eq!(refused.json["error"]["status"], "PERMISSION_DENIED");
    // Drive scopes cover spreadsheets.
    let drive = Client::new(&running).with_token(running.mint_access_token(
        OWNER,
        &["https://www.googleapis.com/auth/drive"],
        None,
    ));
    assert_eq!(drive.put(&write_path, &body).status, 200);
}

#[test]
fn api_keys_read_public_spreadsheets_only() {
    let running = Emulator::start_local().expect("starts");
    let id = seeded(&running);
    running.register_api_key("AIzaTestKey", Some("keys-project"));
    let anonymous = Client::new(&running);
    let with_key = |range: &str, key: &str| format!("{}?key={key}", values_path(&id, range));

    assert_eq!(
        anonymous.get(&with_key("Sheet1!A1", "AIzaTestKey")).status,
        403
    );
    running.set_public(&id, true).expect("public");
    let read = anonymous.get(&with_key("Sheet1!A1", "AIzaTestKey"));
    assert_eq!(read.json["values"], json!([["secret"]]));

    let bad_key = anonymous.get(&with_key("Sheet1!A1", "AIzaWrong"));
    assert_eq!(bad_key.status, 400);
    assert_eq!(
        bad_key.json["error"]["message"],
        "API key not valid. Please pass a valid API key."
    );
    assert_eq!(bad_key.json["error"]["status"], "INVALID_ARGUMENT");

    let write = anonymous.put(
        &format!(
            "{}&valueInputOption=RAW",
            with_key("Sheet1!A1", "AIzaTestKey")
        ),
        &json!({"values": [["x"]]}),
    );
    assert_eq!(write.status, 401);
    assert_eq!(write.json["error"]["status"], "UNAUTHENTICATED");
    assert!(
        write.json["error"]["message"]
            .as_str()
            .is_some_and(|message| message.starts_with("API keys are not supported by this API."))
    );
}

#[test]
fn refresh_tokens_of_registered_clients_are_exchanged() {
    let running = Emulator::start_local().expect("starts");
    let id = seeded(&running);
    running.register_oauth_client("client-1.apps.googleusercontent.com", "s3cret", None);
    let refresh = running
        .issue_refresh_token(
            "client-1.apps.googleusercontent.com",
            OWNER,
            &[SCOPE_SPREADSHEETS_READONLY],
        )
        .expect("issued");
    let client = Client::new(&running);
    let form = |secret: &str, token: &str| {
        format!(
            "grant_type=refresh_token&client_id=client-1.apps.googleusercontent.com&client_secret={secret}&refresh_token={token}"
        )
    };

    let granted = client.post_form("/token", &form("s3cret", &refresh));
    assert_eq!(granted.status, 200, "{}", granted.text);
    assert_eq!(granted.json["scope"], SCOPE_SPREADSHEETS_READONLY);
    assert_eq!(granted.json["expires_in"], 3599);
    let token = granted.json["access_token"]
        .as_str()
        .expect("a token")
        .to_owned();
    assert_eq!(
        Client::new(&running)
            .with_token(token)
            .get(&values_path(&id, "A1"))
            .status,
        200
    );

    let wrong_secret = client.post_form("/token", &form("nope", &refresh));
    assert_eq!(wrong_secret.status, 401);
    assert_eq!(
        wrong_secret.json,
        json!({"error": "invalid_client", "error_description": "Unauthorized"})
    );

    running.revoke_refresh_token(&refresh);
    let revoked = client.post_form("/token", &form("s3cret", &refresh));
    assert_eq!(revoked.status, 400);
    assert_eq!(
        revoked.json,
        json!({"error": "invalid_grant", "error_description": "Token has been expired or revoked."})
    );
}
