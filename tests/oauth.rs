//! OAuth app profiles through the built binary against the sandbox's token server
//! (`--token-lifetime 2`): cron runs longer than a token's life, parallel runs that
//! hit expiry at once, kills during a refresh, private token files, refused refreshes.

mod common;

use std::path::Path;
use std::process::{Child, Stdio};
use std::time::{Duration, Instant};

use common::oauth_app::App;
use common::{stderr, stdout_json, write, write_config};
use serde_json::{json, Value};

fn stored(path: &Path) -> Value {
    let text = std::fs::read_to_string(path).unwrap();
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("token file does not parse ({e})"))
}

#[test]
fn login_writes_a_private_token_file_and_status_shows_no_token() {
    let app = App::start("2");
    let out = app
        .cmd()
        .args(["auth", "login", "--code", &app.field("auth_code")])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let shown = stdout_json(&out);
    assert_eq!(shown["profile"], "app");
    app.assert_no_secret(&out);

    use std::os::unix::fs::PermissionsExt;
    let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode(&app.token_file()), 0o600);
    assert_eq!(mode(app.token_file().parent().unwrap()), 0o700);
    let file = stored(&app.token_file());
    for key in [
        "access_token",
        "refresh_token",
        "expires_at",
        "server_endpoint",
        "client_endpoint",
    ] {
        assert!(!file[key].is_null(), "token file lacks {key}");
    }

    let status = app.cmd().args(["auth", "status"]).output().unwrap();
    assert!(status.status.success(), "{}", stderr(&status));
    let status_json = stdout_json(&status);
    let keys: Vec<&String> = status_json.as_object().unwrap().keys().collect();
    assert_eq!(
        keys,
        ["profile", "expires_at", "expires_in", "token_server"]
    );
    assert_eq!(
        status_json["token_server"],
        format!("{}/oauth/", app.field("portal_url"))
    );
    app.assert_no_secret(&status);

    // The code works once, as a real authorization code.
    let again = app
        .cmd()
        .args(["auth", "login", "--code", &app.field("auth_code")])
        .output()
        .unwrap();
    assert_eq!(again.status.code(), Some(4), "{}", stderr(&again));
}

#[test]
fn a_cron_run_longer_than_the_token_life_refreshes_and_never_fails() {
    let app = App::start("2");
    app.login();
    let call_id = app.finished_call();
    let wav = write(app.dir(), "call.wav", &common::wav_bytes(800));
    let started = Instant::now();
    let mut runs = 0;
    while started.elapsed() < Duration::from_secs(7) {
        let out = app.attach(&call_id).output().unwrap();
        assert!(out.status.success(), "run {runs}: {}", stderr(&out));
        assert_eq!(stdout_json(&out)["messages"], 1);
        assert_eq!(stderr(&out), "", "nothing but results is printed");
        app.assert_no_secret(&out);
        // A streamed record body is sent again whole after the refresh.
        let out = app
            .cmd()
            .args(["record", "attach", "--call-id", &call_id, "--file"])
            .arg(&wav)
            .output()
            .unwrap();
        assert!(out.status.success(), "run {runs}: {}", stderr(&out));
        assert_eq!(stdout_json(&out)["size"], 1644);
        runs += 1;
    }
    // 7 s of 2 s tokens: at least 3 refreshes beyond the login, each rotation spent.
    assert!(app.refreshes() >= 4, "{}", app.log());
    assert!(!app.log().contains("invalid_grant"));
}

#[test]
fn a_batch_longer_than_the_token_life_completes_with_refreshes() {
    let app = App::start("2");
    app.login();
    let dir = app.dir();
    let mut manifest = String::from("call_id,transcript\n");
    for n in 0..10 {
        let call_id = app.finished_call();
        write(
            dir,
            &format!("t{n}.srt"),
            format!("1\n00:00:00,000 --> 00:00:02,000\nUser: hello {n}\n").as_bytes(),
        );
        manifest.push_str(&format!("{call_id},t{n}.srt\n"));
    }
    let manifest = write(dir, "calls.csv", manifest.as_bytes());
    let started = Instant::now();
    let out = app
        .cmd()
        .args([
            "batch",
            "--min-age",
            "0",
            "--jobs",
            "4",
            "--burst",
            "1",
            "--rate",
            "3",
        ])
        .arg("--manifest")
        .arg(&manifest)
        .output()
        .unwrap();
    assert!(
        started.elapsed() > Duration::from_secs(2),
        "the batch outlived no token"
    );
    assert!(
        out.status.success(),
        "{}{}",
        common::stdout(&out),
        stderr(&out)
    );
    let rows: Vec<Value> = String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(rows.len(), 10);
    for row in &rows {
        assert_eq!(row["transcript"]["status"], "attached", "{row}");
    }
    // Four workers meet each expiry together; one refresh per token life serves them all.
    let lives = started.elapsed().as_secs_f64() / 2.0;
    let refreshes = app.refreshes() - 1;
    assert!(refreshes >= 1, "{}", app.log());
    assert!(
        refreshes as f64 <= lives.ceil() + 1.0,
        "{refreshes} refreshes in {lives:.1} token lives"
    );
    assert!(!app.log().contains("invalid_grant"));
    app.assert_no_secret(&out);
}

#[test]
fn eight_parallel_runs_at_expiry_refresh_exactly_once() {
    // A slow token server keeps the first refresh open while the other seven arrive.
    let app = App::start_with("2", &["--fault", "slow:1@token"]);
    app.login();
    let calls: Vec<String> = (0..8).map(|_| app.finished_call()).collect();
    app.until_expired();
    let before = app.refreshes();
    let children: Vec<Child> = calls
        .iter()
        .map(|call_id| {
            app.attach(call_id)
                .stdout(Stdio::piped())
                .stderr(Stdio::piped())
                .spawn()
                .unwrap()
        })
        .collect();
    for child in children {
        let out = child.wait_with_output().unwrap();
        assert!(out.status.success(), "{}", stderr(&out));
        assert_eq!(stdout_json(&out)["messages"], 1);
    }
    assert_eq!(app.refreshes() - before, 1, "{}", app.log());
    assert_eq!(
        app.log()
            .lines()
            .filter(|l| l.contains(" /rest/") && l.contains(" 401 "))
            .count(),
        8,
        "every run met the expired token"
    );
}

#[test]
fn a_kill_before_the_rename_leaves_a_usable_token_file() {
    let app = App::start("2");
    app.login();
    let call_id = app.finished_call();
    app.until_expired();
    let marker = app.dir().join("paused");
    let mut refresh = app
        .cmd()
        .args(["auth", "refresh"])
        .env("B24TEL_TEST_PAUSE_BEFORE_RENAME", &marker)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    // Waits on the line the paused run writes, not on time.
    while !marker.exists() {
        assert!(
            refresh.try_wait().unwrap().is_none(),
            "the refresh ended early"
        );
        std::thread::sleep(Duration::from_millis(5));
    }
    refresh.kill().unwrap();
    refresh.wait().unwrap();
    let refreshes = app.refreshes();
    // The old file is whole; the new pair waits complete beside it.
    stored(&app.token_file());

    let out = app.attach(&call_id).output().unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(
        app.refreshes(),
        refreshes,
        "the killed run's tokens were taken over"
    );

    // Kills at random points of a refresh: the file always parses.
    for n in 0..12u64 {
        let mut child = app
            .cmd()
            .args(["auth", "refresh"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        std::thread::sleep(Duration::from_millis(n * 3 % 25));
        let _ = child.kill();
        child.wait().unwrap();
        let file = stored(&app.token_file());
        assert!(file["access_token"].is_string() && file["refresh_token"].is_string());
    }
}

#[test]
fn a_token_file_others_can_read_is_refused() {
    use std::os::unix::fs::PermissionsExt;
    let app = App::start("2");
    app.login();
    std::fs::set_permissions(app.token_file(), std::fs::Permissions::from_mode(0o644)).unwrap();
    let call_id = app.finished_call();
    let out = app.attach(&call_id).output().unwrap();
    assert_eq!(out.status.code(), Some(8), "{}", stderr(&out));
    let text = stderr(&out);
    assert!(text.contains("accessible by other users"), "{text}");
    assert!(text.contains("chmod 600"), "{text}");
    assert!(
        !app.log().contains("attachTranscription"),
        "nothing was sent"
    );
    app.assert_no_secret(&out);
}

#[test]
fn a_refused_refresh_is_exit_4_with_the_login_hint() {
    let app = App::start("2");
    app.login();
    // Keep the pair, spend its refresh token, then put the spent pair back.
    let spent = std::fs::read(app.token_file()).unwrap();
    let out = app.cmd().args(["auth", "refresh"]).output().unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    std::fs::write(app.token_file(), spent).unwrap();
    let call_id = app.finished_call();
    app.until_expired();

    let out = app.attach(&call_id).arg("-v").output().unwrap();
    assert_eq!(out.status.code(), Some(4), "{}", stderr(&out));
    let text = stderr(&out);
    assert!(text.contains("invalid_grant"), "{text}");
    assert!(
        text.contains("/oauth/token/ 400"),
        "-v shows the exchange: {text}"
    );
    assert!(
        text.contains("hint: run `b24tel auth login -p app"),
        "{text}"
    );
    app.assert_no_secret(&out);

    // A seed token that was already used is refused the same way.
    let out = app
        .cmd()
        .args([
            "auth",
            "login",
            "--refresh-token",
            &app.field("refresh_token"),
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(4), "{}", stderr(&out));
    assert!(stderr(&out).contains("b24tel auth login"));
}

#[test]
fn a_profile_access_token_still_works_without_refresh() {
    let app = App::start("600");
    let portal = app.field("portal_url");
    let config = write_config(
        app.dir(),
        "plain.toml",
        &format!(
            "[profiles.app]\nportal_url = \"{portal}\"\naccess_token = \"{}\"\nclient_id = \"x\"\n",
            app.field("access_token")
        ),
    );
    let call_id = app.finished_call();
    let out = app
        .attach(&call_id)
        .env("B24TEL_CONFIG", &config)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(app.refreshes(), 0);
}

#[test]
fn the_sandbox_token_server_rotates_refresh_tokens_and_expires_access_tokens() {
    let app = App::start("1");
    let token_url = format!("{}/oauth/token/", app.field("portal_url"));
    let post = |form: &[(&str, &str)]| {
        let response = reqwest::blocking::Client::new()
            .post(&token_url)
            .form(form)
            .send()
            .unwrap();
        (
            response.status().as_u16(),
            response.json::<Value>().unwrap(),
        )
    };
    let (client_id, secret) = (app.field("client_id"), app.field("client_secret"));
    let refresh = |token: &str| {
        post(&[
            ("grant_type", "refresh_token"),
            ("client_id", &client_id),
            ("client_secret", &secret),
            ("refresh_token", token),
        ])
    };
    let (status, pair) = refresh(&app.field("refresh_token"));
    assert_eq!(status, 200, "{pair}");
    assert_eq!(
        pair["server_endpoint"],
        format!("{}/oauth/", app.field("portal_url"))
    );
    assert_eq!(
        pair["client_endpoint"],
        format!("{}/rest/", app.field("portal_url"))
    );
    assert_eq!(pair["expires_in"], 1);
    // The old refresh token is spent; the new one works once.
    let (status, spent) = refresh(&app.field("refresh_token"));
    assert_eq!(
        (status, spent["error"].as_str()),
        (400, Some("invalid_grant"))
    );
    let (status, _) = refresh(pair["refresh_token"].as_str().unwrap());
    assert_eq!(status, 200);
    let (status, wrong) = post(&[
        ("grant_type", "refresh_token"),
        ("client_id", &client_id),
        ("client_secret", "nope"),
        ("refresh_token", "x"),
    ]);
    assert_eq!(
        (status, wrong["error"].as_str()),
        (401, Some("invalid_client"))
    );

    // An access token answers expired_token once its life is over.
    let scope = |token: &str| {
        let response = reqwest::blocking::Client::new()
            .post(format!("{}/rest/scope", app.field("portal_url")))
            .json(&json!({"auth": token}))
            .send()
            .unwrap();
        (
            response.status().as_u16(),
            response.json::<Value>().unwrap(),
        )
    };
    let access = pair["access_token"].as_str().unwrap().to_string();
    assert_eq!(scope(&access).0, 200);
    std::thread::sleep(Duration::from_millis(1100));
    let (status, expired) = scope(&access);
    assert_eq!(
        (status, expired["error"].as_str()),
        (401, Some("expired_token"))
    );
    assert!(app.log().contains("oauth refresh #2"));
}
