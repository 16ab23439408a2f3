//! The portal client through the built binary against the sandbox and test
//! servers: every exit-code class, retries, timeouts, redirects, TLS, redaction.

mod common;

use std::time::{Duration, Instant};

use common::{stderr, stdout_json, wav_bytes, write, ConnectionCounter, Sandbox};
use serde_json::Value;

fn attach(sandbox: &Sandbox, call_id: &str, extra: &[&str]) -> std::process::Output {
    let wav = write(sandbox.home.path(), "call.wav", &wav_bytes(800));
    sandbox
        .cmd()
        .args([
            "-o",
            "json",
            "record",
            "attach",
            "--call-id",
            call_id,
            "--file",
        ])
        .arg(&wav)
        .args(extra)
        .output()
        .unwrap()
}

/// Requests the sandbox logged for a method.
fn logged(sandbox: &Sandbox, method: &str) -> usize {
    sandbox.log().lines().filter(|l| l.contains(method)).count()
}

fn error_json(output: &std::process::Output) -> Value {
    let err = stderr(output);
    let line = err
        .lines()
        .rev()
        .find(|l| l.starts_with("{\"error\""))
        .unwrap_or_else(|| panic!("no JSON error: {err}"));
    serde_json::from_str(line).unwrap()
}

#[test]
fn wrong_webhook_code_is_auth_exit_4_without_the_code() {
    let sandbox = Sandbox::start(&[]);
    let call = sandbox.new_call(true);
    let wrong = sandbox.webhook_url.replace(&sandbox.code(), "wrongcode999");
    let wav = write(sandbox.home.path(), "call.wav", &wav_bytes(10));
    let output = sandbox
        .cmd()
        .args([
            "-o",
            "json",
            "--webhook",
            &wrong,
            "record",
            "attach",
            "--call-id",
            &call,
            "--file",
        ])
        .arg(&wav)
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(4));
    let err = stderr(&output);
    assert!(
        err.contains("NO_AUTH_FOUND") && err.contains("Wrong authorization data"),
        "{err}"
    );
    assert!(!err.contains("wrongcode999"), "{err}");
    let json = error_json(&output);
    assert_eq!(json["error"]["kind"], "auth");
    assert_eq!(json["error"]["code"], "NO_AUTH_FOUND");
    assert_eq!(json["error"]["exit_code"], 4);
}

#[test]
fn portal_rejection_is_exit_5_with_code_description_and_hint() {
    let sandbox = Sandbox::start(&[]);
    let unfinished = sandbox.new_call(false);
    let output = attach(&sandbox, &unfinished, &[]);
    assert_eq!(output.status.code(), Some(5));
    let err = stderr(&output);
    assert!(err.contains("ERROR_CORE"), "{err}");
    assert!(
        err.contains("It looks like it is not finished yet"),
        "{err}"
    );
    assert!(
        err.contains("hint:") && err.contains("--wait-for-call"),
        "{err}"
    );
    assert_eq!(
        logged(&sandbox, "attachRecord"),
        1,
        "a rejection is not retried"
    );
}

#[test]
fn query_limit_is_retried_until_success() {
    let sandbox = Sandbox::start(&["--fault", "ratelimit:2@telephony.externalCall.attachRecord"]);
    let call = sandbox.new_call(true);
    let output = attach(&sandbox, &call, &[]);
    assert!(output.status.success(), "{}", stderr(&output));
    assert!(stdout_json(&output)["file_id"].is_i64());
    assert_eq!(logged(&sandbox, "attachRecord"), 3);
    assert_eq!(
        stderr(&output).matches("QUERY_LIMIT_EXCEEDED").count(),
        2,
        "{}",
        stderr(&output)
    );
}

#[test]
fn query_limit_after_retries_is_exit_6() {
    let sandbox = Sandbox::start(&["--fault", "ratelimit:100"]);
    let wav = write(sandbox.home.path(), "call.wav", &wav_bytes(10));
    let output = sandbox
        .cmd()
        .args([
            "--retries",
            "2",
            "record",
            "attach",
            "--call-id",
            "c1",
            "--file",
        ])
        .arg(&wav)
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(6));
    let err = stderr(&output);
    assert!(
        err.contains("QUERY_LIMIT_EXCEEDED") && err.contains("after 2 retries"),
        "{err}"
    );
    assert_eq!(logged(&sandbox, "attachRecord"), 3);
    assert_eq!(err.matches("retrying in").count(), 2, "{err}");
}

#[test]
fn overload_is_never_retried() {
    let sandbox = Sandbox::start(&["--fault", "overload"]);
    let output = attach(&sandbox, "c1", &[]);
    assert_eq!(output.status.code(), Some(6));
    assert!(stderr(&output).contains("OVERLOAD_LIMIT"));
    assert_eq!(logged(&sandbox, "attachRecord"), 1);
}

#[test]
fn operation_time_limit_waits_for_a_near_reset() {
    let sandbox = Sandbox::start(&["--fault", "timelimit:2"]);
    let call_started = Instant::now();
    // The first request starts the fault's clock; register and finish wait it out too.
    let output = attach(&sandbox, "c1", &[]);
    // Past the reset the call itself is unknown: a rejection, not a rate limit.
    assert_eq!(output.status.code(), Some(5), "{}", stderr(&output));
    assert!(call_started.elapsed() >= Duration::from_secs(1));
    assert!(stderr(&output).contains("OPERATION_TIME_LIMIT"));
}

#[test]
fn operation_time_limit_far_away_fails_naming_the_reset() {
    let sandbox = Sandbox::start(&["--fault", "timelimit:600"]);
    let started = Instant::now();
    let output = attach(&sandbox, "c1", &[]);
    assert_eq!(output.status.code(), Some(6));
    let err = stderr(&output);
    assert!(
        err.contains("OPERATION_TIME_LIMIT") && err.contains("resets at 20"),
        "{err}"
    );
    assert!(started.elapsed() < Duration::from_secs(10));
    assert_eq!(logged(&sandbox, "attachRecord"), 1);
}

#[test]
fn html_error_page_is_a_transport_error_exit_7() {
    let sandbox = Sandbox::start(&["--fault", "html500"]);
    let output = attach(&sandbox, "c1", &["--retries", "1"]);
    assert_eq!(output.status.code(), Some(7));
    let err = stderr(&output);
    assert!(
        err.contains("HTTP 500") && err.contains("not a JSON object"),
        "{err}"
    );
    assert_eq!(logged(&sandbox, "attachRecord"), 2, "5xx is retried");
}

#[test]
fn a_stalled_request_times_out_exit_7() {
    let sandbox = Sandbox::start(&["--fault", "slow:6"]);
    let started = Instant::now();
    let output = attach(&sandbox, "c1", &["--timeout", "1", "--retries", "0"]);
    assert_eq!(output.status.code(), Some(7));
    assert!(
        stderr(&output).contains("no progress for 1 s"),
        "{}",
        stderr(&output)
    );
    assert!(started.elapsed() < Duration::from_secs(5));
}

#[test]
fn redirect_is_refused_and_its_target_redacted() {
    let sandbox = Sandbox::start(&["--fault", "redirect"]);
    let output = attach(&sandbox, "c1", &[]);
    assert_eq!(output.status.code(), Some(7));
    let err = stderr(&output);
    assert!(
        err.contains("redirect") && err.contains("https://127.0.0.1"),
        "{err}"
    );
    assert!(err.contains("/rest/1/***/"), "{err}");
    assert!(!err.contains(&sandbox.code()), "{err}");
    assert_eq!(logged(&sandbox, "attachRecord"), 1);
}

#[test]
fn plain_http_to_a_remote_host_is_refused_before_connecting() {
    let home = tempfile::TempDir::new().unwrap();
    let proxy = ConnectionCounter::start();
    let wav = write(home.path(), "call.wav", &wav_bytes(10));
    // Any connection attempt would go to the proxy, which counts it.
    let run = |config: Option<&std::path::Path>| {
        let mut cmd = common::b24tel(home.path());
        cmd.env("HTTP_PROXY", format!("http://{}", proxy.addr))
            .env("http_proxy", format!("http://{}", proxy.addr))
            .args(["--retries", "0", "--timeout", "2"]);
        match config {
            Some(path) => cmd.arg("--config").arg(path),
            None => cmd.args(["--webhook", "http://portal.example/rest/1/plaincode/"]),
        };
        cmd.args(["record", "attach", "--call-id", "c1", "--file"])
            .arg(&wav)
            .output()
            .unwrap()
    };
    let output = run(None);
    assert_eq!(output.status.code(), Some(8));
    assert!(
        stderr(&output).contains("refusing plain http://"),
        "{}",
        stderr(&output)
    );
    assert!(!stderr(&output).contains("plaincode"));
    assert_eq!(proxy.connections(), 0);

    // The same URL with allow_http does connect: the counter can see attempts.
    let config = common::write_config(
        home.path(),
        "c.toml",
        "default_profile = \"lan\"\n[profiles.lan]\nwebhook_url = \"http://portal.example/rest/1/plaincode/\"\nallow_http = true\n",
    );
    let output = run(Some(&config));
    assert_ne!(output.status.code(), Some(0));
    assert!(proxy.connections() >= 1, "allow_http should have connected");
}

#[test]
fn tls_with_private_ca_works_only_through_ca_cert() {
    let home = tempfile::TempDir::new().unwrap();
    let portal = common::tls::TlsPortal::start(home.path());
    let with_ca = common::write_config(
        home.path(),
        "ca.toml",
        &format!(
            "[profiles.tls]\nwebhook_url = \"{}\"\nca_cert = \"{}\"\n",
            portal.webhook_url,
            portal.ca_pem.display()
        ),
    );
    let output = common::b24tel(home.path())
        .arg("--config")
        .arg(&with_ca)
        .args(["-p", "tls", "-o", "json", "doctor"])
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}\n{}",
        common::stdout(&output),
        stderr(&output)
    );
    let checks = stdout_json(&output)["checks"].as_array().unwrap().clone();
    assert!(checks.iter().all(|c| c["ok"] == true), "{checks:?}");

    let without = common::write_config(
        home.path(),
        "noca.toml",
        &format!("[profiles.tls]\nwebhook_url = \"{}\"\n", portal.webhook_url),
    );
    let output = common::b24tel(home.path())
        .arg("--config")
        .arg(&without)
        .args(["-p", "tls", "--retries", "0", "doctor"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(7));
    let err = stderr(&output);
    assert!(
        err.contains("ca_cert") && err.contains("certificate"),
        "{err}"
    );
    assert!(!err.contains("tlscode123"), "{err}");
}

#[test]
fn verbose_logs_each_exchange_with_the_code_redacted() {
    let sandbox = Sandbox::start(&[]);
    let call = sandbox.new_call(true);
    let output = attach(&sandbox, &call, &["-v"]);
    assert!(output.status.success(), "{}", stderr(&output));
    let err = stderr(&output);
    let line = err
        .lines()
        .find(|l| l.contains("attachRecord"))
        .unwrap_or_else(|| panic!("{err}"));
    assert!(
        line.contains("POST http://127.0.0.1:")
            && line.contains("/rest/1/***/")
            && line.contains(" 200 "),
        "{line}"
    );
    assert!(line.contains("ms"), "{line}");
    assert!(!err.contains(&sandbox.code()) && !common::stdout(&output).contains(&sandbox.code()));
}

#[test]
fn oauth_token_from_env_overrides_the_profile() {
    let sandbox = Sandbox::start(&[]);
    let call = sandbox.new_call(true);
    let config = common::write_config(
        sandbox.home.path(),
        "oauth.toml",
        &format!(
            "[profiles.app]\nportal_url = \"{}\"\naccess_token = \"stale-token\"\n",
            sandbox.portal_url
        ),
    );
    let wav = write(sandbox.home.path(), "call.wav", &wav_bytes(10));
    let run = |token: Option<&str>| {
        let mut cmd = common::b24tel(sandbox.home.path());
        if let Some(token) = token {
            cmd.env("B24TEL_ACCESS_TOKEN", token);
        }
        cmd.arg("--config")
            .arg(&config)
            .args([
                "-p",
                "app",
                "-v",
                "record",
                "attach",
                "--call-id",
                &call,
                "--file",
            ])
            .arg(&wav)
            .output()
            .unwrap()
    };
    let stale = run(None);
    assert_eq!(stale.status.code(), Some(4), "{}", stderr(&stale));
    let fresh = run(Some(&sandbox.access_token));
    assert!(fresh.status.success(), "{}", stderr(&fresh));
    let err = stderr(&fresh);
    assert!(
        err.contains("/rest/telephony.externalCall.attachRecord 200"),
        "{err}"
    );
    assert!(!err.contains(&sandbox.access_token), "token leaked: {err}");
}

#[test]
fn doctor_passes_against_the_sandbox() {
    let sandbox = Sandbox::start(&[]);
    let output = sandbox
        .cmd()
        .args(["doctor", "-o", "json"])
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", stderr(&output));
    let checks = stdout_json(&output)["checks"].as_array().unwrap().clone();
    let names: Vec<&str> = checks.iter().map(|c| c["name"].as_str().unwrap()).collect();
    assert_eq!(
        names,
        [
            "config file",
            "profile",
            "portal url",
            "connection",
            "clock",
            "authentication",
            "telephony scope",
            "call statistics",
            "ffmpeg"
        ]
    );
    assert!(checks.iter().all(|c| c["ok"] == true), "{checks:?}");
}

#[test]
fn doctor_fails_without_the_telephony_scope() {
    let sandbox = Sandbox::start(&["--scope", "user,crm"]);
    let output = sandbox
        .cmd()
        .args(["doctor", "-o", "json"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(4));
    let checks = stdout_json(&output)["checks"].as_array().unwrap().clone();
    let scope = checks
        .iter()
        .find(|c| c["name"] == "telephony scope")
        .unwrap();
    assert_eq!(scope["ok"], false);
    assert!(scope["detail"].as_str().unwrap().contains("telephony"));
    assert!(stderr(&output).contains("doctor: telephony scope"));
}

#[test]
fn doctor_fails_on_a_wrong_code_with_exit_4() {
    let sandbox = Sandbox::start(&[]);
    let wrong = sandbox.webhook_url.replace(&sandbox.code(), "nope0000");
    let output = sandbox
        .cmd()
        .args(["doctor", "--webhook", &wrong])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(4));
    assert!(!common::stdout(&output).contains("nope0000") && !stderr(&output).contains("nope0000"));
}
