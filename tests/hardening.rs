//! Issue 8 (hardening) outside batch: each test is named after the defect it
//! proves fixed, and runs the built binary against the sandbox or a small
//! hostile server on loopback (answers early, trickles, answers garbage).

mod common;

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::process::{Command as StdCommand, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use common::{
    b24tel, bin, stderr, stdout, stdout_json, wav_bytes, write, ConnectionCounter, Sandbox,
};
use serde_json::Value;
use tempfile::TempDir;

const CODE: &str = "hostilecode4242";

/// One request's head as the hostile server saw it.
struct Head {
    content_length: usize,
    /// The request line: `POST /rest/1/CODE/method HTTP/1.1`.
    line: String,
}

/// A loopback "portal" whose every connection runs `handler`; counts requests.
/// `voximplant.statistic.get` (asked by `transcript attach` for the call's
/// duration) is answered with no rows and not counted: the attacks here are on
/// the method that carries the data.
struct Hostile {
    webhook_url: String,
    requests: Arc<AtomicUsize>,
}

impl Hostile {
    fn start(handler: impl Fn(&mut TcpStream, &Head) + Send + Sync + 'static) -> Hostile {
        Hostile::with_statistics("200 OK", br#"{"result":[]}"#, handler)
    }

    /// As `start`, with `voximplant.statistic.get` answered `status` + `statistics`.
    fn with_statistics(
        status: &'static str,
        statistics: &'static [u8],
        handler: impl Fn(&mut TcpStream, &Head) + Send + Sync + 'static,
    ) -> Hostile {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap();
        let requests = Arc::new(AtomicUsize::new(0));
        let counted = requests.clone();
        let handler = Arc::new(handler);
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                let Ok(mut stream) = stream else { continue };
                let handler = handler.clone();
                let counted = counted.clone();
                std::thread::spawn(move || {
                    let Some(head) = read_head(&mut stream) else {
                        return;
                    };
                    if head.line.contains("voximplant.statistic.get") {
                        drain(&mut stream, head.content_length);
                        answer(&mut stream, status, "", statistics);
                        return;
                    }
                    counted.fetch_add(1, Ordering::SeqCst);
                    handler(&mut stream, &head);
                });
            }
        });
        Hostile {
            webhook_url: format!("http://{addr}/rest/1/{CODE}/"),
            requests,
        }
    }

    fn requests(&self) -> usize {
        self.requests.load(Ordering::SeqCst)
    }
}

fn read_head(stream: &mut TcpStream) -> Option<Head> {
    let mut head = Vec::new();
    let mut byte = [0u8; 1];
    while !head.ends_with(b"\r\n\r\n") {
        if stream.read(&mut byte).ok()? == 0 {
            return None;
        }
        head.push(byte[0]);
    }
    let text = String::from_utf8_lossy(&head).into_owned();
    let content_length = text
        .lines()
        .find_map(|l| {
            let (k, v) = l.split_once(':')?;
            k.eq_ignore_ascii_case("content-length")
                .then(|| v.trim().parse().ok())?
        })
        .unwrap_or(0);
    let line = text.lines().next().unwrap_or_default().to_string();
    Some(Head {
        content_length,
        line,
    })
}

fn drain(stream: &mut TcpStream, mut n: usize) {
    let mut buf = vec![0u8; 64 * 1024];
    while n > 0 {
        match stream.read(&mut buf[..n.min(64 * 1024)]) {
            Ok(0) | Err(_) => return,
            Ok(got) => n -= got,
        }
    }
}

fn answer(stream: &mut TcpStream, status: &str, extra_headers: &str, body: &[u8]) {
    let _ = write!(
        stream,
        "HTTP/1.1 {status}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n{extra_headers}\r\n",
        body.len()
    );
    let _ = stream.write_all(body);
    let _ = stream.flush();
}

/// A server that reads the whole request, then answers `status` + `body`.
fn answering(status: &'static str, headers: &'static str, body: Vec<u8>) -> Hostile {
    Hostile::start(move |stream, head| {
        drain(stream, head.content_length);
        answer(stream, status, headers, &body);
    })
}

fn run(home: &TempDir, webhook: &str, args: &[&str]) -> std::process::Output {
    b24tel(home.path())
        .args(["-o", "json", "--webhook", webhook])
        .args(args)
        .output()
        .unwrap()
}

fn transcript_args() -> Vec<&'static str> {
    vec![
        "transcript",
        "attach",
        "--call-id",
        "c1",
        "--message",
        "User:0:1:hello",
    ]
}

fn no_panic(output: &std::process::Output) {
    assert!(
        !stderr(output).contains("internal error"),
        "{}",
        stderr(output)
    );
}

// ---- 6: stdout failures -------------------------------------------------

fn std_cmd(sandbox: &Sandbox) -> StdCommand {
    let mut cmd = StdCommand::new(bin());
    cmd.env_clear()
        .env("HOME", sandbox.home.path())
        .env("XDG_CONFIG_HOME", sandbox.home.path().join(".config"))
        .env("B24TEL_WEBHOOK", &sandbox.webhook_url)
        .stdin(Stdio::null())
        .stderr(Stdio::piped());
    cmd
}

#[test]
fn defect_06_upload_url_to_dev_full_exits_10() {
    let sandbox = Sandbox::start(&[]);
    let call = sandbox.new_call(true);
    let full = std::fs::OpenOptions::new()
        .write(true)
        .open("/dev/full")
        .unwrap();
    let output = std_cmd(&sandbox)
        .args(["-o", "json", "record", "upload-url", "--call-id", &call])
        .args(["--filename", "call.mp3"])
        .stdout(full)
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(10), "{}", stderr(&output));
    let err = stderr(&output);
    assert!(err.contains("could not be written"), "{err}");
    assert!(!err.contains(&sandbox.code()), "{err}");
}

#[test]
fn defect_06_closed_stdout_pipe_exits_10() {
    let sandbox = Sandbox::start(&[]);
    let call = sandbox.new_call(true);
    let mut child = std_cmd(&sandbox)
        .args(["-o", "json", "record", "upload-url", "--call-id", &call])
        .args(["--filename", "call.mp3"])
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    // The reader goes away before anything is written: the write meets EPIPE.
    drop(child.stdout.take());
    let output = child.wait_with_output().unwrap();
    assert_eq!(output.status.code(), Some(10), "{}", stderr(&output));
    assert!(stderr(&output).contains("stdout was closed"));
}

#[test]
fn defect_06_plain_line_and_completions_to_dev_full_exit_10() {
    let home = TempDir::new().unwrap();
    for args in [
        &["-o", "table", "config", "path"][..],
        &["completions", "bash"][..],
    ] {
        let full = std::fs::OpenOptions::new()
            .write(true)
            .open("/dev/full")
            .unwrap();
        let output = StdCommand::new(bin())
            .env_clear()
            .env("HOME", home.path())
            .args(args)
            .stdout(full)
            .stderr(Stdio::piped())
            .output()
            .unwrap();
        assert_eq!(
            output.status.code(),
            Some(10),
            "{args:?}: {}",
            stderr(&output)
        );
        no_panic(&output);
    }
}

// ---- 7: absurd numbers --------------------------------------------------

#[test]
fn defect_07_absurd_reset_time_exit_6() {
    let now_ms = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_millis();
    for reset in [
        now_ms.to_string(),
        "1e19".into(),
        "1e300".into(),
        "-1e300".into(),
    ] {
        let body = format!(
            r#"{{"error":"OPERATION_TIME_LIMIT","error_description":"Method is blocked","time":{{"operating_reset_at":{reset}}}}}"#
        );
        let portal = answering("429 Too Many Requests", "", body.into_bytes());
        let home = TempDir::new().unwrap();
        let output = run(&home, &portal.webhook_url, &transcript_args());
        no_panic(&output);
        assert_eq!(
            output.status.code(),
            Some(6),
            "reset {reset}: {}",
            stderr(&output)
        );
        assert!(stderr(&output).contains("OPERATION_TIME_LIMIT"));
    }
}

#[test]
fn defect_07_huge_wait_for_call_does_not_panic() {
    let sandbox = Sandbox::start(&[]);
    let call = sandbox.new_call(true);
    let wav = write(sandbox.home.path(), "call.wav", &wav_bytes(100));
    let output = sandbox
        .cmd()
        .args([
            "-o",
            "json",
            "record",
            "attach",
            "--call-id",
            &call,
            "--file",
        ])
        .arg(&wav)
        .args(["--wait-for-call", "18446744073709551615"])
        .output()
        .unwrap();
    no_panic(&output);
    assert!(output.status.success(), "{}", stderr(&output));
    let output = sandbox
        .cmd()
        .args(["-o", "json", "transcript", "attach", "--call-id", &call])
        .args([
            "--message",
            "User:0:1:hi",
            "--wait-for-call",
            "18446744073709551615",
        ])
        .output()
        .unwrap();
    no_panic(&output);
    assert!(output.status.success(), "{}", stderr(&output));
    assert_eq!(sandbox.transcripts().len(), 1);
    // Absurd --timeout and --retries are taken as "very long" and "many".
    let output = sandbox
        .cmd()
        .args([
            "--timeout",
            "18446744073709551615",
            "--retries",
            "4294967295",
        ])
        .args(["-o", "json", "transcript", "attach", "--call-id", &call])
        .args(["--message", "User:0:1:hi"])
        .output()
        .unwrap();
    no_panic(&output);
    assert!(output.status.success(), "{}", stderr(&output));
}

// ---- 8: unusable 2xx to a transcript ------------------------------------

#[test]
fn defect_08_unusable_success_to_a_transcript_is_outcome_unknown() {
    for body in [
        b"{\"result\":{\"TRANSCRIPT_ID\":\xff\xfe}}".to_vec(),
        br#"{"result":null}"#.to_vec(),
        br#"{"result":{"TRANSCRIPT_ID":"twelve"}}"#.to_vec(),
        br#"{"result":{"TRANSCRIPT_ID":1.5}}"#.to_vec(),
    ] {
        let shown = String::from_utf8_lossy(&body).into_owned();
        let portal = answering("200 OK", "", body);
        let home = TempDir::new().unwrap();
        let output = run(&home, &portal.webhook_url, &transcript_args());
        assert_eq!(
            output.status.code(),
            Some(7),
            "{shown}: {}",
            stderr(&output)
        );
        let err = stderr(&output);
        assert!(
            err.contains("outcome is unknown") && err.contains("probably landed"),
            "{shown}: {err}"
        );
        assert_eq!(portal.requests(), 1, "{shown}: never sent twice");
    }
}

// ---- 9: a 2xx before the whole body was sent ----------------------------

/// Reads the head and a little of the body, answers 200, and keeps the
/// connection open without reading more.
fn early_answer(body: &'static [u8]) -> Hostile {
    Hostile::start(move |stream, _head| {
        drain(stream, 64 * 1024);
        answer(stream, "200 OK", "", body);
        std::thread::sleep(Duration::from_secs(5));
    })
}

#[test]
fn defect_09_success_before_the_body_was_sent_is_exit_7() {
    let portal = early_answer(br#"{"result":{"FILE_ID":77}}"#);
    let home = TempDir::new().unwrap();
    let wav = write(home.path(), "big.wav", &wav_bytes(12 * 1024 * 1024));
    let output = b24tel(home.path())
        .args(["-o", "json", "--webhook", &portal.webhook_url])
        .args(["record", "attach", "--call-id", "c1", "--file"])
        .arg(&wav)
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(7), "{}", stderr(&output));
    assert!(
        stderr(&output).contains("bytes were sent"),
        "{}",
        stderr(&output)
    );
    assert!(stdout(&output).is_empty());
}

#[test]
fn defect_09_transcript_answered_early_is_outcome_unknown() {
    let portal = early_answer(br#"{"result":{"TRANSCRIPT_ID":5}}"#);
    let home = TempDir::new().unwrap();
    let text = "a".repeat(24 * 1024 * 1024);
    let file = write(
        home.path(),
        "long.json",
        format!(r#"[{{"side":"User","start":0,"stop":1,"message":"{text}"}}]"#).as_bytes(),
    );
    let output = b24tel(home.path())
        .args(["-o", "json", "--webhook", &portal.webhook_url])
        .args(["transcript", "attach", "--call-id", "c1", "--file"])
        .arg(&file)
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(7), "{}", stderr(&output));
    let err = stderr(&output);
    assert!(err.contains("outcome is unknown"), "{err}");
    assert_eq!(portal.requests(), 1);
}

// ---- 10: unbounded reads ------------------------------------------------

#[test]
fn defect_10_devices_and_oversized_inputs_are_refused_naming_the_cap() {
    let counter = ConnectionCounter::start();
    let webhook = format!("http://{}/rest/1/{CODE}/", counter.addr);
    let home = TempDir::new().unwrap();

    let output = run(
        &home,
        &webhook,
        &[
            "transcript",
            "attach",
            "--call-id",
            "c1",
            "--file",
            "/dev/zero",
        ],
    );
    assert_eq!(output.status.code(), Some(3), "{}", stderr(&output));
    assert!(
        stderr(&output).contains("not a regular file"),
        "{}",
        stderr(&output)
    );

    let big = home.path().join("big.srt");
    std::fs::File::create(&big)
        .unwrap()
        .set_len(257 * 1024 * 1024)
        .unwrap();
    let output = run(
        &home,
        &webhook,
        &[
            "transcript",
            "attach",
            "--call-id",
            "c1",
            "--file",
            big.to_str().unwrap(),
        ],
    );
    assert_eq!(output.status.code(), Some(3), "{}", stderr(&output));
    assert!(
        stderr(&output).contains("256 MiB cap for transcripts"),
        "{}",
        stderr(&output)
    );

    // stdin is read only up to the cap.
    let started = Instant::now();
    let output = StdCommand::new(bin())
        .env_clear()
        .env("HOME", home.path())
        .args([
            "--webhook",
            &webhook,
            "transcript",
            "attach",
            "--call-id",
            "c1",
        ])
        .args(["--file", "-"])
        .stdin(std::fs::File::open("/dev/zero").unwrap())
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(3), "{}", stderr(&output));
    assert!(stderr(&output).contains("256 MiB cap for transcripts"));
    assert!(started.elapsed() < Duration::from_secs(30));

    let output = b24tel(home.path())
        .args(["--config", "/dev/zero", "-p", "x", "transcript", "attach"])
        .args(["--call-id", "c1", "--message", "User:0:1:hi"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(8), "{}", stderr(&output));
    assert!(stderr(&output).contains("not a regular file"));

    let config = home.path().join("config.toml");
    std::fs::File::create(&config)
        .unwrap()
        .set_len(2 * 1024 * 1024)
        .unwrap();
    let output = b24tel(home.path())
        .arg("--config")
        .arg(&config)
        .args([
            "-p",
            "x",
            "transcript",
            "attach",
            "--call-id",
            "c1",
            "--message",
            "User:0:1:hi",
        ])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(8), "{}", stderr(&output));
    assert!(
        stderr(&output).contains("1 MiB cap for config files"),
        "{}",
        stderr(&output)
    );
    assert_eq!(counter.connections(), 0);
}

// ---- 12: overall deadline on an answer ----------------------------------

#[test]
fn defect_12_trickled_answer_times_out_within_timeout() {
    let portal = Hostile::start(|stream, head| {
        drain(stream, head.content_length);
        let _ = write!(
            stream,
            "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 4000\r\n\r\n"
        );
        for _ in 0..200 {
            if stream.write_all(b"  ").is_err() {
                return;
            }
            std::thread::sleep(Duration::from_millis(500));
        }
    });
    let home = TempDir::new().unwrap();
    let started = Instant::now();
    let mut args = vec!["--timeout", "2", "--retries", "0"];
    args.extend(transcript_args());
    let output = run(&home, &portal.webhook_url, &args);
    assert_eq!(output.status.code(), Some(7), "{}", stderr(&output));
    assert!(
        stderr(&output).contains("did not arrive in full within 2 s"),
        "{}",
        stderr(&output)
    );
    assert!(
        started.elapsed() < Duration::from_secs(6),
        "{:?}",
        started.elapsed()
    );
}

#[test]
fn defect_12_an_upload_that_keeps_moving_is_not_cut() {
    // Reads the body at about 4 MB/s: longer in all than --timeout, never idle.
    let portal = Hostile::start(|stream, head| {
        let mut left = head.content_length;
        let mut buf = vec![0u8; 32 * 1024];
        while left > 0 {
            match stream.read(&mut buf[..left.min(32 * 1024)]) {
                Ok(0) | Err(_) => return,
                Ok(n) => left -= n,
            }
            std::thread::sleep(Duration::from_millis(8));
        }
        answer(stream, "200 OK", "", br#"{"result":{"FILE_ID":9}}"#);
    });
    let home = TempDir::new().unwrap();
    let wav = write(home.path(), "big.wav", &wav_bytes(6 * 1024 * 1024));
    let started = Instant::now();
    let output = b24tel(home.path())
        .args([
            "-o",
            "json",
            "--webhook",
            &portal.webhook_url,
            "--timeout",
            "2",
        ])
        .args(["record", "attach", "--call-id", "c1", "--file"])
        .arg(&wav)
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", stderr(&output));
    assert_eq!(stdout_json(&output)["file_id"], 9);
    assert!(
        started.elapsed() > Duration::from_secs(2),
        "the test must outlast --timeout"
    );
}

// ---- 13: --retries and Retry-After --------------------------------------

fn throttled() -> Hostile {
    answering(
        "503 Service Unavailable",
        "Retry-After: 1\r\n",
        br#"{"error":"QUERY_LIMIT_EXCEEDED","error_description":"Too many requests"}"#.to_vec(),
    )
}

#[test]
fn defect_13_retries_and_retry_after_are_honoured_with_a_warning_each() {
    let portal = throttled();
    let home = TempDir::new().unwrap();
    let mut args = vec!["--retries", "0"];
    args.extend(transcript_args());
    let output = run(&home, &portal.webhook_url, &args);
    assert_eq!(output.status.code(), Some(6));
    assert_eq!(portal.requests(), 1, "--retries 0 sends once");

    let portal = throttled();
    let started = Instant::now();
    let mut args = vec!["--retries", "2"];
    args.extend(transcript_args());
    let output = run(&home, &portal.webhook_url, &args);
    assert_eq!(output.status.code(), Some(6));
    assert_eq!(portal.requests(), 3);
    let err = stderr(&output);
    assert_eq!(err.matches("warning:").count(), 2, "{err}");
    assert_eq!(
        err.matches("retrying in 1.0 s").count(),
        2,
        "Retry-After: 1 is the wait: {err}"
    );
    assert!(started.elapsed() >= Duration::from_secs(2));

    let portal = throttled();
    let mut args = vec!["-q", "--retries", "1"];
    args.extend(transcript_args());
    let output = run(&home, &portal.webhook_url, &args);
    assert_eq!(portal.requests(), 2);
    assert!(!stderr(&output).contains("warning:"), "{}", stderr(&output));
}

#[test]
fn defect_13_a_long_retry_after_fails_instead_of_asking_early() {
    let portal = answering(
        "503 Service Unavailable",
        "Retry-After: 3600\r\n",
        br#"{"error":"QUERY_LIMIT_EXCEEDED","error_description":"Too many requests"}"#.to_vec(),
    );
    let home = TempDir::new().unwrap();
    let started = Instant::now();
    let output = run(&home, &portal.webhook_url, &transcript_args());
    assert_eq!(output.status.code(), Some(6));
    assert_eq!(portal.requests(), 1);
    assert!(
        stderr(&output).contains("wait 3600 s"),
        "{}",
        stderr(&output)
    );
    assert!(started.elapsed() < Duration::from_secs(10));
}

// ---- 14: portal answers never echoed ------------------------------------

#[test]
fn defect_14_unexpected_answer_is_named_by_shape_not_echoed() {
    let portal = answering(
        "200 OK",
        "",
        br#"{"result":{"uploadUrl":"https://p.example/rest/upload.json?auth=SECRETTOKEN77&token=telephony%7CSECRET88","fieldName":"file"}}"#.to_vec(),
    );
    let home = TempDir::new().unwrap();
    let wav = write(home.path(), "call.wav", &wav_bytes(100));
    let output = b24tel(home.path())
        .args(["-o", "json", "--webhook", &portal.webhook_url])
        .args(["record", "attach", "--call-id", "c1", "--file"])
        .arg(&wav)
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(7), "{}", stderr(&output));
    let err = stderr(&output);
    assert!(!err.contains("SECRET"), "{err}");
    assert!(err.contains("uploadUrl, fieldName"), "{err}");
}

// ---- 15: doubled slashes and relative redirects --------------------------

#[test]
fn defect_15_relative_redirect_with_doubled_slash_is_redacted() {
    let portal = answering(
        "302 Found",
        "Location: /rest/1//SECRETCODE99/x\r\n",
        Vec::new(),
    );
    let home = TempDir::new().unwrap();
    let mut args = vec!["-v"];
    args.extend(transcript_args());
    let output = run(&home, &portal.webhook_url, &args);
    assert_eq!(output.status.code(), Some(7), "{}", stderr(&output));
    let err = stderr(&output);
    assert!(err.contains("redirect"), "{err}");
    assert!(!err.contains("SECRETCODE99"), "{err}");
}

#[test]
fn defect_15_doubled_slash_webhook_is_normalised_and_never_shown() {
    let sandbox = Sandbox::start(&[]);
    let call = sandbox.new_call(true);
    let code = sandbox.code();
    let doubled = sandbox
        .webhook_url
        .replace(&format!("/{code}/"), &format!("//{code}/"));
    assert!(doubled.contains("//"));
    // -v and the real request: works, and the code never shows.
    let output = b24tel(sandbox.home.path())
        .args(["-v", "-o", "json", "--webhook", &doubled])
        .args([
            "transcript",
            "attach",
            "--call-id",
            &call,
            "--message",
            "User:0:1:hi",
        ])
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", stderr(&output));
    assert!(!stderr(&output).contains(&code), "{}", stderr(&output));
    assert!(
        stderr(&output).contains("/rest/1/***/"),
        "{}",
        stderr(&output)
    );
    // --dry-run
    let output = b24tel(sandbox.home.path())
        .args(["--dry-run", "-o", "json", "--webhook", &doubled])
        .args([
            "transcript",
            "attach",
            "--call-id",
            &call,
            "--message",
            "User:0:1:hi",
        ])
        .output()
        .unwrap();
    assert!(output.status.success());
    assert!(!stdout(&output).contains(&code), "{}", stdout(&output));
    // config show
    let config = common::write_config(
        sandbox.home.path(),
        "config.toml",
        &format!("default_profile = \"a\"\n[profiles.a]\nwebhook_url = \"{doubled}\"\n"),
    );
    let output = b24tel(sandbox.home.path())
        .arg("--config")
        .arg(&config)
        .args(["-o", "json", "config", "show"])
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", stderr(&output));
    assert!(!stdout(&output).contains(&code), "{}", stdout(&output));
    // an error that names the URL (plain http to a remote host)
    let remote = doubled.replace("127.0.0.1", "portal.example");
    let output = b24tel(sandbox.home.path())
        .args([
            "--webhook",
            &remote,
            "transcript",
            "attach",
            "--call-id",
            "c1",
        ])
        .args(["--message", "User:0:1:hi"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(8));
    assert!(!stderr(&output).contains(&code), "{}", stderr(&output));
}

// ---- 16: config type errors ---------------------------------------------

#[test]
fn defect_16_config_type_errors_name_key_and_type_only() {
    let home = TempDir::new().unwrap();
    for (text, key, secret) in [
        (
            "[profiles.a]\nportal_url = \"https://p.example\"\naccess_token = 918273645123\n",
            "access_token",
            "918273645123",
        ),
        (
            "[profiles.a]\nwebhook_url = \"https://p.example/rest/1/abc/\"\ntimeout_secs = \"https://p.example/rest/1/SECRETCODE5/\"\n",
            "timeout_secs",
            "SECRETCODE5",
        ),
    ] {
        let config = common::write_config(home.path(), "config.toml", text);
        let output = b24tel(home.path())
            .arg("--config")
            .arg(&config)
            .args(["-o", "json", "-p", "a", "transcript", "attach", "--call-id", "c1"])
            .args(["--message", "User:0:1:hi"])
            .output()
            .unwrap();
        assert_eq!(output.status.code(), Some(8), "{}", stderr(&output));
        let err = stderr(&output);
        assert!(!err.contains(secret), "{err}");
        assert!(err.contains(key), "{err}");
        assert!(err.contains("config.toml:3"), "{err}");
    }
}

// ---- 17: loopback never proxied -----------------------------------------

#[test]
fn defect_17_loopback_request_never_goes_through_a_proxy() {
    let sandbox = Sandbox::start(&[]);
    let call = sandbox.new_call(true);
    let proxy = ConnectionCounter::start();
    let proxy_url = format!("http://{}", proxy.addr);
    let output = sandbox
        .cmd()
        .env("HTTP_PROXY", &proxy_url)
        .env("http_proxy", &proxy_url)
        .env("ALL_PROXY", &proxy_url)
        .args(["-o", "json", "transcript", "attach", "--call-id", &call])
        .args(["--message", "User:0:1:hi"])
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", stderr(&output));
    assert_eq!(proxy.connections(), 0);
}

// ---- 18: format characters in call ids ----------------------------------

#[test]
fn defect_18_call_ids_with_format_characters_are_refused() {
    let counter = ConnectionCounter::start();
    let webhook = format!("http://{}/rest/1/{CODE}/", counter.addr);
    let home = TempDir::new().unwrap();
    for id in ["abc\u{202e}fed", "ab\u{200b}c", "\u{feff}abc", "a\u{2066}b"] {
        let output = run(
            &home,
            &webhook,
            &[
                "transcript",
                "attach",
                "--call-id",
                id,
                "--message",
                "User:0:1:hi",
            ],
        );
        assert_eq!(output.status.code(), Some(3), "{id:?}: {}", stderr(&output));
        let err = stderr(&output);
        assert!(err.contains("format characters"), "{err}");
        assert!(!err.contains(id), "the raw id is escaped: {err}");
    }
    assert_eq!(counter.connections(), 0);
}

// ---- 19: --dry-run writes and sends nothing ------------------------------

#[test]
fn defect_19_config_init_dry_run_writes_nothing() {
    let home = TempDir::new().unwrap();
    let config = home.path().join("b24tel.toml");
    let output = b24tel(home.path())
        .arg("--config")
        .arg(&config)
        .args(["--dry-run", "-o", "json", "-p", "office"])
        .args([
            "--webhook",
            "https://p.example/rest/1/SECRETCODE7/",
            "config",
            "init",
        ])
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", stderr(&output));
    assert!(!config.exists(), "--dry-run wrote the config file");
    let plan = stdout_json(&output);
    assert_eq!(plan["dry_run"], true);
    assert!(!stdout(&output).contains("SECRETCODE7"));
}

#[test]
fn defect_19_oauth_dry_run_shows_the_redacted_token_in_the_body() {
    let sandbox = Sandbox::start(&[]);
    let config = common::write_config(
        sandbox.home.path(),
        "config.toml",
        &format!(
            "[profiles.app]\nportal_url = \"{}\"\naccess_token = \"{}\"\n",
            sandbox.portal_url, sandbox.access_token
        ),
    );
    let output = b24tel(sandbox.home.path())
        .arg("--config")
        .arg(&config)
        .args([
            "--dry-run",
            "-o",
            "json",
            "-p",
            "app",
            "transcript",
            "attach",
        ])
        .args(["--call-id", "c1", "--message", "User:0:1:hi"])
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", stderr(&output));
    let plan: Value = stdout_json(&output);
    assert_eq!(plan["params"]["auth"], "***", "{plan}");
    assert!(!stdout(&output).contains(&sandbox.access_token));
    assert!(sandbox.transcripts().is_empty());
}

// ---- 20: smaller ---------------------------------------------------------

#[test]
fn defect_20_tls_certificate_failure_is_not_retried() {
    let home = TempDir::new().unwrap();
    let portal = common::tls::TlsPortal::start(home.path());
    let started = Instant::now();
    let output = b24tel(home.path())
        .args(["--webhook", &portal.webhook_url, "--retries", "3"])
        .args([
            "transcript",
            "attach",
            "--call-id",
            "c1",
            "--message",
            "User:0:1:hi",
        ])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(7), "{}", stderr(&output));
    let err = stderr(&output);
    assert!(err.contains("ca_cert"), "{err}");
    assert!(!err.contains("retrying"), "{err}");
    assert!(started.elapsed() < Duration::from_secs(5));
}

#[test]
fn defect_20_a_file_that_grows_mid_upload_fails_once() {
    // The server takes the head, lets the test grow the file, then reads on.
    let (grown_tx, grown_rx) = std::sync::mpsc::channel::<()>();
    let (head_tx, head_rx) = std::sync::mpsc::channel::<()>();
    let grown_rx = std::sync::Mutex::new(grown_rx);
    let head_tx = std::sync::Mutex::new(head_tx);
    let portal = Hostile::start(move |stream, head| {
        let _ = head_tx.lock().unwrap().send(());
        let _ = grown_rx
            .lock()
            .unwrap()
            .recv_timeout(Duration::from_secs(10));
        drain(stream, head.content_length);
        answer(stream, "200 OK", "", br#"{"result":{"FILE_ID":3}}"#);
    });
    let home = TempDir::new().unwrap();
    let wav = write(home.path(), "grow.wav", &wav_bytes(8 * 1024 * 1024));
    let child = StdCommand::new(bin())
        .env_clear()
        .env("HOME", home.path())
        .args([
            "-o",
            "json",
            "--webhook",
            &portal.webhook_url,
            "--retries",
            "3",
        ])
        .args(["record", "attach", "--call-id", "c1", "--file"])
        .arg(&wav)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    head_rx.recv_timeout(Duration::from_secs(20)).unwrap();
    std::fs::OpenOptions::new()
        .append(true)
        .open(&wav)
        .unwrap()
        .write_all(&[0u8; 4096])
        .unwrap();
    grown_tx.send(()).unwrap();
    let output = child.wait_with_output().unwrap();
    assert!(!output.status.success(), "{}", stderr(&output));
    let err = stderr(&output);
    assert!(err.contains("changed size"), "{err}");
    assert!(!err.contains("retrying"), "{err}");
    assert_eq!(portal.requests(), 1);
}

#[test]
fn defect_20_paths_in_errors_cannot_forge_lines() {
    let counter = ConnectionCounter::start();
    let webhook = format!("http://{}/rest/1/{CODE}/", counter.addr);
    let home = TempDir::new().unwrap();
    let output = run(
        &home,
        &webhook,
        &[
            "transcript",
            "attach",
            "--call-id",
            "c1",
            "--file",
            "x.srt\nerror: forged line",
        ],
    );
    assert_eq!(output.status.code(), Some(3));
    let err = stderr(&output);
    assert!(
        !err.lines().any(|l| l.starts_with("error: forged")),
        "{err}"
    );
    assert!(err.contains("x.srt\\nerror: forged line"), "{err}");
}

#[test]
fn defect_20_record_paths_in_errors_cannot_forge_lines() {
    let counter = ConnectionCounter::start();
    let webhook = format!("http://{}/rest/1/{CODE}/", counter.addr);
    let home = TempDir::new().unwrap();
    let output = run(
        &home,
        &webhook,
        &[
            "record",
            "attach",
            "--call-id",
            "c1",
            "--file",
            "a.wav\nerror: forged",
        ],
    );
    assert_eq!(output.status.code(), Some(3));
    let err = stderr(&output);
    assert!(
        !err.lines().any(|l| l.starts_with("error: forged")),
        "{err}"
    );
    assert_eq!(counter.connections(), 0);
}

#[test]
fn defect_20_config_init_with_an_empty_profile_name_is_refused() {
    let home = TempDir::new().unwrap();
    let config = home.path().join("c.toml");
    let output = b24tel(home.path())
        .arg("--config")
        .arg(&config)
        .args([
            "-p",
            "",
            "--webhook",
            "https://p.example/rest/1/abc/",
            "config",
            "init",
        ])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2), "{}", stderr(&output));
    assert!(!config.exists());
}

// ---- 2, 3, 8 in batch: outcomes that stay unknown --------------------------

/// The call `c1` as a portal that has not (yet) indexed any transcript shows it.
const FINISHED_C1: &[u8] = br#"{"result":[{"CALL_ID":"c1","CALL_DURATION":60}]}"#;

/// A manifest of one transcript row for `c1`, in its own folder.
fn one_row_manifest(dir: &TempDir) -> std::path::PathBuf {
    write(
        dir.path(),
        "t.srt",
        b"1\n00:00:00,000 --> 00:00:02,000\nUser: hello\n\n",
    );
    write(dir.path(), "m.csv", b"call_id,transcript\nc1,t.srt\n")
}

fn run_batch(
    home: &TempDir,
    webhook: &str,
    manifest: &std::path::Path,
    extra: &[&str],
) -> std::process::Output {
    let manifest = manifest.to_str().unwrap();
    let mut args = vec!["batch", "--min-age", "0", "--manifest", manifest];
    args.extend_from_slice(extra);
    run(home, webhook, &args)
}

/// The one row's transcript outcome.
fn transcript_row(output: &std::process::Output) -> Value {
    let text = stdout(output);
    let line = text
        .lines()
        .find(|l| l.contains("\"row\""))
        .unwrap_or_else(|| panic!("no row in {text}"));
    serde_json::from_str::<Value>(line).unwrap()["transcript"].clone()
}

#[test]
fn defect_02_a_timed_out_transcript_is_not_resent_within_settle() {
    // The portal stores the transcript but answers after --timeout, and its
    // statistics do not show it yet: an immediate re-run must not send it again.
    let portal = Hostile::with_statistics("200 OK", FINISHED_C1, |stream, head| {
        drain(stream, head.content_length);
        std::thread::sleep(Duration::from_secs(3));
        answer(stream, "200 OK", "", br#"{"result":{"TRANSCRIPT_ID":7}}"#);
    });
    let home = TempDir::new().unwrap();
    let dir = TempDir::new().unwrap();
    let manifest = one_row_manifest(&dir);

    let output = run_batch(&home, &portal.webhook_url, &manifest, &["--timeout", "1"]);
    no_panic(&output);
    assert_eq!(output.status.code(), Some(9), "{}", stderr(&output));
    assert_eq!(transcript_row(&output)["status"], "unknown", "not failed");
    assert_eq!(portal.requests(), 1);

    let output = run_batch(&home, &portal.webhook_url, &manifest, &["--timeout", "1"]);
    assert_eq!(output.status.code(), Some(9), "{}", stderr(&output));
    let row = transcript_row(&output);
    assert_eq!(row["status"], "unknown", "{row}");
    assert!(row.to_string().contains("--settle"), "{row}");
    assert_eq!(portal.requests(), 1, "re-sent within the settle window");

    // Only once the window has passed may "not there" mean "not landed".
    let output = run_batch(
        &home,
        &portal.webhook_url,
        &manifest,
        &["--timeout", "1", "--settle", "0"],
    );
    no_panic(&output);
    assert_eq!(portal.requests(), 2, "{}", stderr(&output));
}

#[test]
fn defect_03_statistics_refused_with_404_leaves_the_row_unknown_and_resendable() {
    // A self-hosted portal without voximplant: the check answers 404, and the first
    // send's answer is lost. The row must not be stuck: unknown, then --resend-unknown.
    let sent = Arc::new(AtomicUsize::new(0));
    let seen = sent.clone();
    let portal = Hostile::with_statistics(
        "404 Not Found",
        br#"{"error":"ERROR_METHOD_NOT_FOUND","error_description":"Method not found!"}"#,
        move |stream, head| {
            drain(stream, head.content_length);
            if seen.fetch_add(1, Ordering::SeqCst) > 0 {
                answer(stream, "200 OK", "", br#"{"result":{"TRANSCRIPT_ID":8}}"#);
            }
            // The first connection closes with no answer after the body was read.
        },
    );
    let home = TempDir::new().unwrap();
    let dir = TempDir::new().unwrap();
    let manifest = one_row_manifest(&dir);

    let output = run_batch(&home, &portal.webhook_url, &manifest, &[]);
    no_panic(&output);
    assert_eq!(output.status.code(), Some(9), "{}", stderr(&output));
    assert_eq!(transcript_row(&output)["status"], "unknown");

    let output = run_batch(&home, &portal.webhook_url, &manifest, &[]);
    assert_eq!(output.status.code(), Some(9), "{}", stderr(&output));
    let row = transcript_row(&output);
    assert_eq!(row["status"], "unknown", "{row}");
    assert!(
        format!("{row}{}", stderr(&output)).contains("--resend-unknown"),
        "{row} {}",
        stderr(&output)
    );
    assert_eq!(
        sent.load(Ordering::SeqCst),
        1,
        "unknown is not re-sent unasked"
    );

    let output = run_batch(&home, &portal.webhook_url, &manifest, &["--resend-unknown"]);
    assert!(output.status.success(), "{}", stderr(&output));
    assert_eq!(transcript_row(&output)["status"], "attached");
    assert_eq!(sent.load(Ordering::SeqCst), 2);
}

#[test]
fn defect_08_batch_marks_an_unusable_success_unknown() {
    let portal = Hostile::with_statistics("200 OK", FINISHED_C1, |stream, head| {
        drain(stream, head.content_length);
        answer(stream, "200 OK", "", br#"{"result":null}"#);
    });
    let home = TempDir::new().unwrap();
    let dir = TempDir::new().unwrap();
    let manifest = one_row_manifest(&dir);
    let output = run_batch(&home, &portal.webhook_url, &manifest, &[]);
    no_panic(&output);
    assert_eq!(output.status.code(), Some(9), "{}", stderr(&output));
    let row = transcript_row(&output);
    assert_eq!(row["status"], "unknown", "{row}");
    assert!(row.to_string().contains("outcome is unknown"), "{row}");
    // And a re-run does not send it again (it probably landed).
    let output = run_batch(&home, &portal.webhook_url, &manifest, &[]);
    assert_eq!(output.status.code(), Some(9), "{}", stderr(&output));
    assert_eq!(portal.requests(), 1);
}

#[test]
fn defect_13_batch_honours_retries_and_retry_after_with_a_warning_each() {
    let portal = Hostile::with_statistics("200 OK", FINISHED_C1, |stream, head| {
        drain(stream, head.content_length);
        answer(
            stream,
            "503 Service Unavailable",
            "Retry-After: 1\r\n",
            br#"{"error":"QUERY_LIMIT_EXCEEDED","error_description":"Too many requests"}"#,
        );
    });
    let home = TempDir::new().unwrap();
    let dir = TempDir::new().unwrap();
    let manifest = one_row_manifest(&dir);
    let started = Instant::now();
    let output = run_batch(&home, &portal.webhook_url, &manifest, &["--retries", "2"]);
    no_panic(&output);
    assert_eq!(output.status.code(), Some(9), "{}", stderr(&output));
    assert_eq!(portal.requests(), 3, "--retries 2 is three requests");
    let err = stderr(&output);
    assert_eq!(err.matches("retrying in 1.0 s").count(), 2, "{err}");
    assert!(started.elapsed() >= Duration::from_secs(2));
}

// ---- 11: batch memory does not grow with the manifest ----------------------

/// Peak RSS (VmHWM, KiB) of one b24tel run, sampled until it exits.
fn peak_rss(home: &TempDir, args: &[&str]) -> (Option<i32>, u64) {
    let child = StdCommand::new(bin())
        .env_clear()
        .env("HOME", home.path())
        .env("XDG_CONFIG_HOME", home.path().join(".config"))
        .args(args)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let (status, peak) = common::wait_with_peak_rss(child);
    (status.code(), peak)
}

#[cfg(target_os = "linux")]
#[test]
fn defect_11_batch_peak_memory_does_not_grow_with_the_manifest() {
    let sandbox = Sandbox::start(&[]);
    let dir = TempDir::new().unwrap();
    // About 100 KB of SRT (220 long cues): held per row, 60 rows would be 6 MB
    // or more; the debug build parses slowly, so the file is kept small.
    let words: Vec<String> = (0..60).map(|j| format!("word{j}")).collect();
    let words = words.join(" ");
    let mut srt = String::new();
    for i in 0..220u32 {
        let (s, e) = (i * 2, i * 2 + 1);
        srt.push_str(&format!(
            "{}\n00:{:02}:{:02},000 --> 00:{:02}:{:02},500\nUser: cue {i} {words}\n\n",
            i + 1,
            s / 60,
            s % 60,
            e / 60,
            e % 60
        ));
    }
    write(dir.path(), "t.srt", srt.as_bytes());
    let mut peaks = Vec::new();
    for rows in [3usize, 60] {
        let mut manifest = String::from("call_id,transcript\n");
        for i in 0..rows {
            manifest.push_str(&format!("call-{i},t.srt\n"));
        }
        let path = write(dir.path(), &format!("m{rows}.csv"), manifest.as_bytes());
        let (code, peak) = peak_rss(
            &sandbox.home,
            &[
                "--webhook",
                &sandbox.webhook_url,
                "-o",
                "json",
                "--dry-run",
                "batch",
                "--min-age",
                "0",
                "--manifest",
                path.to_str().unwrap(),
            ],
        );
        assert_eq!(code, Some(0), "{rows} rows");
        peaks.push(peak);
    }
    eprintln!(
        "peak RSS: 3 rows {} KiB, 60 rows {} KiB",
        peaks[0], peaks[1]
    );
    assert!(
        peaks[1] < peaks[0] + 3 * 1024,
        "peak RSS grew from {} KiB (3 rows) to {} KiB (60 rows)",
        peaks[0],
        peaks[1]
    );
}

#[test]
fn defect_10_an_endless_manifest_on_stdin_stops_at_the_cap() {
    let counter = ConnectionCounter::start();
    let webhook = format!("http://{}/rest/1/{CODE}/", counter.addr);
    let home = TempDir::new().unwrap();
    // CSV whose header never ends, and JSON Lines whose first line never ends.
    for (name, prefix) in [("csv", &b""[..]), ("jsonl", &b"{\"call_id\":\"c1\""[..])] {
        // In HOME: a manifest on stdin journals to ./batch.journal.
        let mut child = StdCommand::new(bin())
            .env_clear()
            .env("HOME", home.path())
            .current_dir(home.path())
            .args([
                "-o",
                "json",
                "--webhook",
                &webhook,
                "batch",
                "--manifest",
                "-",
            ])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let mut stdin = child.stdin.take().unwrap();
        let prefix = prefix.to_vec();
        let feeder = std::thread::spawn(move || {
            let _ = stdin.write_all(&prefix);
            let zeros = vec![0u8; 1 << 20];
            // 300 MiB at most: past the 256 MiB cap, and the test ends either way.
            for _ in 0..300 {
                if stdin.write_all(&zeros).is_err() {
                    return;
                }
            }
        });
        let output = child.wait_with_output().unwrap();
        feeder.join().unwrap();
        no_panic(&output);
        let all = format!("{}{}", stdout(&output), stderr(&output));
        assert!(
            matches!(output.status.code(), Some(3) | Some(9)),
            "{name}: {:?}",
            output.status
        );
        assert!(all.contains("256 MiB cap for manifests"), "{name}: {all}");
        assert!(
            all.lines().count() < 10,
            "{name}: one error, not one per read"
        );
    }
    assert_eq!(counter.connections(), 0);
}
