//! Real Bitrix24 clients run their telephony flow against the built sandbox, over https
//! with the sandbox's own CA: PHP curl + http_build_query, fast_bitrix24 and b24pysdk
//! (a venv made by tests/compat/setup.sh), @bitrix24/b24jssdk (npm); each with a
//! webhook and with OAuth (a refreshed, rotated token). The stored record must be the
//! bytes the client sent, the transcript the messages it sent, and the sandbox's log
//! must name no secret it was given.
//! A client whose runtime cannot be installed is skipped with a loud message.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Once;

use serde_json::Value;

fn compat_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("target/compat")
}

fn scripts() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/compat")
}

/// Installs the clients once per test run (a no-op when they are there).
fn set_up() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        let status = Command::new("sh")
            .arg(scripts().join("setup.sh"))
            .arg(compat_dir())
            .status();
        if !matches!(status, Ok(s) if s.success()) {
            eprintln!("compat setup did not run: {status:?}");
        }
    });
}

fn skip(client: &str, why: &str) {
    eprintln!("\n=============================================================");
    eprintln!("SKIPPED {client}: {why}");
    eprintln!("(.ci/run installs it; locally: sh tests/compat/setup.sh, apt-get install php-cli php-curl)");
    eprintln!("=============================================================\n");
}

struct Sandbox {
    child: Child,
    ready: Value,
    data_dir: PathBuf,
    log: PathBuf,
    _dir: tempfile::TempDir,
}

impl Sandbox {
    fn start() -> Sandbox {
        let dir = tempfile::tempdir().unwrap();
        let data_dir = dir.path().join("data");
        let log = dir.path().join("sandbox.log");
        let mut child = Command::new(assert_cmd::cargo::cargo_bin("b24tel"))
            .args(["sandbox", "-o", "json", "--tls", "--addr", "127.0.0.1:0"])
            .arg("--data-dir")
            .arg(&data_dir)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(std::fs::File::create(&log).unwrap())
            .spawn()
            .unwrap();
        let mut first = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut first)
            .unwrap();
        let ready: Value = serde_json::from_str(&first).unwrap();
        assert_eq!(
            Path::new(ready["ca_path"].as_str().unwrap()),
            data_dir.join("ca.pem")
        );
        Sandbox {
            child,
            ready,
            data_dir,
            log,
            _dir: dir,
        }
    }

    fn text(&self, key: &str) -> &str {
        self.ready[key].as_str().unwrap()
    }
}

impl Drop for Sandbox {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn record_bytes() -> Vec<u8> {
    // Every byte value, so that `+` and `/` appear in the Base64.
    let mut bytes = b"ID3\x04\x00\x00\x00\x00\x00\x00".to_vec();
    for i in 0..40_000u32 {
        bytes.push((i.wrapping_mul(2_654_435_761) >> 13) as u8);
    }
    bytes
}

#[derive(Clone, Copy)]
enum Auth {
    Webhook,
    OAuth,
}

/// Runs one client's flow and checks what the sandbox stored.
fn run_client(client: &str, auth: Auth, mut command: Command, filename: &str) {
    set_up();
    let sandbox = Sandbox::start();
    let record = sandbox.data_dir.parent().unwrap().join("record.mp3");
    let bytes = record_bytes();
    std::fs::write(&record, &bytes).unwrap();
    let ca = sandbox.data_dir.join("ca.pem");
    let mode = match auth {
        Auth::Webhook => "webhook",
        Auth::OAuth => "oauth",
    };
    let output = command
        .env("MODE", mode)
        .env("WEBHOOK", sandbox.text("webhook_url"))
        .env("PORTAL", sandbox.text("portal_url"))
        .env("ACCESS_TOKEN", sandbox.text("access_token"))
        .env("REFRESH_TOKEN", sandbox.text("refresh_token"))
        .env("CLIENT_ID", sandbox.text("client_id"))
        .env("CLIENT_SECRET", sandbox.text("client_secret"))
        .env("RECORD", &record)
        .env("CA_FILE", &ca)
        .env("SSL_CERT_FILE", &ca)
        .env("REQUESTS_CA_BUNDLE", &ca)
        .env("NODE_EXTRA_CA_CERTS", &ca)
        .env("NODE_PATH_MODULES", compat_dir().join("node_modules"))
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    let log = std::fs::read_to_string(&sandbox.log).unwrap_or_default();
    assert!(
        output.status.success(),
        "{client} ({mode}) failed: {}\nstdout: {stdout}\nstderr: {}\nsandbox log:\n{log}",
        output.status,
        String::from_utf8_lossy(&output.stderr)
    );
    let code = sandbox.text("webhook_url").trim_end_matches('/');
    let code = code.rsplit('/').next().unwrap();
    for (name, secret) in [
        ("webhook code", code),
        ("access token", sandbox.text("access_token")),
        ("refresh token", sandbox.text("refresh_token")),
        ("client secret", sandbox.text("client_secret")),
    ] {
        assert!(
            !log.contains(secret),
            "{client}: the log shows the {name}:\n{log}"
        );
    }
    // The OAuth runs went through /rest/METHOD with a token, not the webhook path.
    if let Auth::OAuth = auth {
        assert!(!log.contains("/rest/1/***/telephony"), "{client}:\n{log}");
        assert!(
            log.lines()
                .any(|l| l.contains(" /oauth/token/") && l.contains(" 200 ")),
            "{client} never refreshed:\n{log}"
        );
    }
    let last = stdout.lines().last().unwrap_or_default();
    let summary: Value =
        serde_json::from_str(last).unwrap_or_else(|e| panic!("{client} printed {stdout:?}: {e}"));
    let file_id = summary["file_id"].as_u64().unwrap();
    let stored = sandbox
        .data_dir
        .join("records")
        .join(file_id.to_string())
        .join(filename);
    assert!(
        std::fs::read(&stored).unwrap() == bytes,
        "{client}: the stored record differs"
    );
    let transcript_id = summary["transcript_id"].as_u64().unwrap();
    let transcript: Value = serde_json::from_slice(
        &std::fs::read(
            sandbox
                .data_dir
                .join(format!("transcripts/{transcript_id}.json")),
        )
        .unwrap(),
    )
    .unwrap();
    // Every message as sent; times as numbers or as the strings a form carries them in.
    let number = |v: &Value| match v {
        Value::String(s) => s.parse::<i64>().ok(),
        other => other.as_i64(),
    };
    let messages: Vec<(String, Option<i64>, Option<i64>, String)> = transcript["MESSAGES"]
        .as_array()
        .unwrap_or_else(|| panic!("{client}: {transcript}"))
        .iter()
        .map(|m| {
            (
                m["SIDE"].as_str().unwrap_or_default().to_string(),
                number(&m["START_TIME"]),
                number(&m["STOP_TIME"]),
                m["MESSAGE"].as_str().unwrap_or_default().to_string(),
            )
        })
        .collect();
    assert_eq!(
        messages,
        [
            ("User".into(), Some(0), Some(2), "Good afternoon".into()),
            (
                "Client".into(),
                Some(2),
                Some(5),
                "Hello + welcome & co".into()
            ),
        ],
        "{client}: {transcript}"
    );
}

fn runs(program: &str, arg: &str) -> bool {
    Command::new(program)
        .arg(arg)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

fn php_curl(auth: Auth) {
    if !runs("php", "-r") && !runs("php", "--version") {
        return skip("PHP curl", "php is not installed");
    }
    if !Command::new("php")
        .args(["-r", "exit(function_exists('curl_init') ? 0 : 1);"])
        .status()
        .is_ok_and(|s| s.success())
    {
        return skip("PHP curl", "php has no curl extension (php-curl)");
    }
    let mut command = Command::new("php");
    command.arg(scripts().join("php_curl.php"));
    run_client("PHP curl", auth, command, "php.mp3");
}

fn python_with(module: &str) -> Option<PathBuf> {
    let python = compat_dir().join("venv/bin/python");
    Command::new(&python)
        .args(["-c", &format!("import {module}")])
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
        .then_some(python)
}

fn fast_bitrix24(auth: Auth) {
    set_up();
    let Some(python) = python_with("fast_bitrix24") else {
        return skip(
            "fast_bitrix24",
            "the venv with fast_bitrix24 could not be made",
        );
    };
    let mut command = Command::new(python);
    command.arg(scripts().join("fast_bitrix24_flow.py"));
    run_client("fast_bitrix24", auth, command, "fast.mp3");
}

fn b24pysdk(auth: Auth) {
    set_up();
    let Some(python) = python_with("b24pysdk") else {
        return skip("b24pysdk", "the venv with b24pysdk could not be made");
    };
    let mut command = Command::new(python);
    command.arg(scripts().join("b24pysdk_flow.py"));
    run_client("b24pysdk", auth, command, "pysdk.mp3");
}

fn b24jssdk(auth: Auth) {
    set_up();
    if !runs("node", "--version") {
        return skip("@bitrix24/b24jssdk", "node is not installed");
    }
    if !compat_dir()
        .join("node_modules/@bitrix24/b24jssdk")
        .is_dir()
    {
        return skip("@bitrix24/b24jssdk", "npm could not install it");
    }
    let mut command = Command::new("node");
    command.arg(scripts().join("b24jssdk_flow.mjs"));
    run_client("@bitrix24/b24jssdk", auth, command, "js.mp3");
}

#[test]
fn php_curl_and_http_build_query_with_a_webhook() {
    php_curl(Auth::Webhook);
}

#[test]
fn php_curl_and_http_build_query_with_oauth_and_the_upload_url() {
    php_curl(Auth::OAuth);
}

#[test]
fn fast_bitrix24_with_a_webhook() {
    fast_bitrix24(Auth::Webhook);
}

#[test]
fn fast_bitrix24_with_oauth() {
    fast_bitrix24(Auth::OAuth);
}

#[test]
fn b24pysdk_with_a_webhook() {
    b24pysdk(Auth::Webhook);
}

#[test]
fn b24pysdk_with_oauth() {
    b24pysdk(Auth::OAuth);
}

#[test]
fn b24jssdk_with_a_webhook() {
    b24jssdk(Auth::Webhook);
}

#[test]
fn b24jssdk_with_oauth() {
    b24jssdk(Auth::OAuth);
}
