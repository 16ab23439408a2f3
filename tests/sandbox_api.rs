//! `b24tel sandbox` as a black box: the built binary on a free port, spoken to over HTTP
//! the way a portal client would.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use base64::Engine;
use reqwest::blocking::{Body, Client};
use serde_json::{json, Value};

const NOT_FINISHED: &str =
    "Call is not found in the statistic table. It looks like it is not finished yet.";
const NO_SOURCE: &str =
    "Required parameters are not set. Request should contain either URL or FILENAME parameter";
const WRONG_EXTENSION: &str = "Wrong file extension. Only wav and mp3 are allowed";
const EMPTY_CONTENT: &str = "File content is empty.";
const BAD_BASE64: &str = "File content is not properly encoded. Base64 encoding is expected.";

/// A sandbox process on a free port, killed on drop.
struct Sandbox {
    child: Child,
    webhook_url: String,
    portal_url: String,
    access_token: String,
    data_dir: PathBuf,
    stderr: mpsc::Receiver<String>,
    http: Client,
    /// The first stdout line: URLs, the OAuth application and its first pair.
    ready: Value,
    _dir: Option<tempfile::TempDir>,
}

impl Sandbox {
    /// With a data dir of the test's own.
    fn start(args: &[&str]) -> Sandbox {
        let dir = tempfile::tempdir().unwrap();
        let data_dir = dir.path().join("data");
        let mut all = vec!["--data-dir", data_dir.to_str().unwrap()];
        all.extend_from_slice(args);
        let mut sandbox = Sandbox::spawn(&all);
        sandbox._dir = Some(dir);
        sandbox
    }

    fn spawn(args: &[&str]) -> Sandbox {
        let mut args = args.to_vec();
        if !args.contains(&"--addr") {
            args.extend(["--addr", "127.0.0.1:0"]);
        }
        let mut child = Command::new(assert_cmd::cargo::cargo_bin("b24tel"))
            .args(["sandbox", "-o", "json"])
            .args(args)
            .env_remove("B24TEL_OUTPUT")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let (lines_tx, lines_rx) = mpsc::channel();
        let stderr = child.stderr.take().unwrap();
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines() {
                let Ok(line) = line else { break };
                if lines_tx.send(line).is_err() {
                    break;
                }
            }
        });
        let mut first = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut first)
            .unwrap();
        let ready: Value = serde_json::from_str(&first)
            .unwrap_or_else(|e| panic!("first stdout line {first:?} is not JSON: {e}"));
        let text = |key: &str| ready[key].as_str().unwrap().to_string();
        Sandbox {
            child,
            webhook_url: text("webhook_url"),
            portal_url: text("portal_url"),
            access_token: text("access_token"),
            data_dir: PathBuf::from(text("data_dir")),
            stderr: lines_rx,
            http: Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                .timeout(Duration::from_secs(60))
                .build()
                .unwrap(),
            ready,
            _dir: None,
        }
    }

    fn webhook_code(&self) -> String {
        self.webhook_url
            .trim_end_matches('/')
            .rsplit('/')
            .next()
            .unwrap()
            .to_string()
    }

    fn post(&self, url: &str, body: impl Into<Body>) -> (u16, Value) {
        let response = self
            .http
            .post(url)
            .header("Content-Type", "application/json")
            .body(body)
            .send()
            .unwrap();
        let status = response.status().as_u16();
        let text = response.text().unwrap();
        (
            status,
            serde_json::from_str(&text).unwrap_or(Value::String(text)),
        )
    }

    fn call(&self, method: &str, params: Value) -> (u16, Value) {
        self.post(&format!("{}{method}", self.webhook_url), params.to_string())
    }

    fn result(&self, method: &str, params: Value) -> Value {
        let (status, body) = self.call(method, params);
        assert_eq!(status, 200, "{method}: {body}");
        body["result"].clone()
    }

    fn finished_call(&self) -> String {
        let registered = self.result(
            "telephony.externalCall.register",
            json!({"PHONE_NUMBER": "+4930123456", "USER_ID": 1, "TYPE": 2}),
        );
        let call_id = registered["CALL_ID"].as_str().unwrap().to_string();
        self.result(
            "telephony.externalCall.finish",
            json!({"CALL_ID": call_id, "USER_ID": 1, "DURATION": 42}),
        );
        call_id
    }

    fn statistic(&self, call_id: &str) -> Value {
        let rows = self.result(
            "voximplant.statistic.get",
            json!({"FILTER": {"CALL_ID": call_id}}),
        );
        assert_eq!(rows.as_array().unwrap().len(), 1, "{rows}");
        rows[0].clone()
    }

    /// The next stderr line that contains `needle`.
    fn stderr_line(&self, needle: &str) -> String {
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.stderr.recv_timeout(left) {
                Ok(line) if line.contains(needle) => return line,
                Ok(_) => continue,
                Err(_) => panic!("no stderr line with {needle:?}"),
            }
        }
    }

    fn record_path(&self, file_id: u64, name: &str) -> PathBuf {
        self.data_dir
            .join("records")
            .join(file_id.to_string())
            .join(name)
    }

    fn interrupt(&mut self, signal: &str) -> std::process::ExitStatus {
        let signal = match signal {
            "-INT" => libc::SIGINT,
            "-TERM" => libc::SIGTERM,
            other => panic!("unknown signal {other}"),
        };
        // libc's kill: a fresh machine need not have procps' kill(1).
        assert_eq!(
            unsafe { libc::kill(self.child.id() as libc::pid_t, signal) },
            0
        );
        self.child.wait().unwrap()
    }
}

impl Drop for Sandbox {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn assert_error(answer: (u16, Value), status: u16, code: &str, description: &str) {
    let (got_status, body) = answer;
    assert_eq!(
        (
            got_status,
            body["error"].as_str(),
            body["error_description"].as_str()
        ),
        (status, Some(code), Some(description)),
        "{body}"
    );
}

fn core_error(answer: (u16, Value), description: &str) {
    assert_error(answer, 400, "ERROR_CORE", description);
}

/// Bytes with every value and no pattern Base64 would hide.
fn sample_bytes(len: usize) -> Vec<u8> {
    let mut state = 0x2545_f491_u32;
    (0..len)
        .map(|_| {
            state ^= state << 13;
            state ^= state >> 17;
            state ^= state << 5;
            (state >> 24) as u8
        })
        .collect()
}

/// Base64 as PHP's json_encode writes it: every `/` escaped.
fn json_base64(bytes: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD
        .encode(bytes)
        .replace('/', "\\/")
}

/// Serves `count` GET requests with one canned answer; returns the base URL.
fn file_server(status_line: &'static str, body: Vec<u8>, count: usize) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    std::thread::spawn(move || {
        for stream in listener.incoming().take(count) {
            let mut stream = stream.unwrap();
            let mut head = Vec::new();
            let mut byte = [0u8; 1];
            while !head.ends_with(b"\r\n\r\n") && stream.read(&mut byte).unwrap_or(0) == 1 {
                head.push(byte[0]);
            }
            let _ = write!(
                stream,
                "HTTP/1.1 {status_line}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                body.len()
            );
            let _ = stream.write_all(&body);
        }
    });
    format!("http://127.0.0.1:{port}")
}

fn multipart(boundary: &str, field: &str, filename: &str, content: &[u8]) -> Vec<u8> {
    let mut body = format!(
        "--{boundary}\r\nContent-Disposition: form-data; name=\"note\"\r\n\r\nhello\r\n\
         --{boundary}\r\nContent-Disposition: form-data; name=\"{field}\"; filename=\"{filename}\"\r\n\
         Content-Type: application/octet-stream\r\n\r\n"
    )
    .into_bytes();
    body.extend_from_slice(content);
    body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    body
}

fn upload(sandbox: &Sandbox, url: &str, body: Vec<u8>) -> (u16, Value) {
    let response = sandbox
        .http
        .post(url)
        .header("Content-Type", "multipart/form-data; boundary=XyZ-b0undary")
        .body(body)
        .send()
        .unwrap();
    let status = response.status().as_u16();
    (status, response.json().unwrap())
}

#[test]
fn prints_its_urls_first_and_logs_requests_without_secrets() {
    let sandbox = Sandbox::start(&[
        "--webhook-code",
        "c0de5ecret",
        "--access-token",
        "t0ken5ecret",
    ]);
    let port = sandbox.portal_url.rsplit(':').next().unwrap().to_string();
    assert_ne!(port, "0");
    assert_eq!(
        sandbox.webhook_url,
        format!("{}/rest/1/c0de5ecret/", sandbox.portal_url)
    );
    assert_eq!(sandbox.access_token, "t0ken5ecret");
    assert!(sandbox.data_dir.is_dir());
    sandbox.stderr_line("sandbox listening; Ctrl-C stops it");

    let scopes = sandbox.result("scope", json!({}));
    assert_eq!(scopes, json!(["telephony", "user", "crm"]));
    let line = sandbox.stderr_line(" /rest/1/***/scope ");
    assert!(line.contains("POST /rest/1/***/scope 200 2B "), "{line}");
    assert!(line.ends_with("ms"), "{line}");

    let profile = sandbox.result("profile.json", json!({}));
    assert_eq!(
        profile,
        json!({"ID": "1", "ADMIN": true, "NAME": "Sandbox", "LAST_NAME": "Admin",
            "PERSONAL_GENDER": "", "PERSONAL_PHOTO": "", "TIME_ZONE": "", "TIME_ZONE_OFFSET": 0})
    );
    let (status, body) = sandbox.post(
        &format!("{}/rest/profile?auth=t0ken5ecret", sandbox.portal_url),
        "",
    );
    assert_eq!((status, &body["result"]["ID"]), (200, &json!("1")));
    let line = sandbox.stderr_line("/rest/profile");
    assert!(line.contains("/rest/profile?auth=*** 200"), "{line}");
    assert!(!line.contains("5ecret"));
}

#[test]
fn answers_carry_the_portal_envelope() {
    let sandbox = Sandbox::start(&[]);
    let (status, body) = sandbox.call("profile", json!({}));
    assert_eq!(status, 200);
    let time = &body["time"];
    for key in [
        "start",
        "finish",
        "duration",
        "processing",
        "date_start",
        "date_finish",
        "operating_reset_at",
        "operating",
    ] {
        assert!(!time[key].is_null(), "time lacks {key}: {body}");
    }
    assert!(time["operating_reset_at"].as_f64().unwrap() > time["start"].as_f64().unwrap() + 500.0);
    let response = sandbox
        .http
        .post(format!("{}profile", sandbox.webhook_url))
        .send()
        .unwrap();
    assert!(response.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("application/json"));
}

#[test]
fn wrong_webhook_user_or_code_and_missing_tokens_are_refused() {
    let sandbox = Sandbox::start(&[]);
    let code = sandbox.webhook_code();
    let base = &sandbox.portal_url;
    for url in [
        format!("{base}/rest/1/wrong{code}/profile"),
        format!("{base}/rest/2/{code}/profile"),
        format!("{base}/rest/profile"),
        format!("{base}/rest/profile?auth=nope"),
    ] {
        assert_error(
            sandbox.post(&url, "{}"),
            401,
            "NO_AUTH_FOUND",
            "Wrong authorization data",
        );
    }
    let wrong_token = json!({"auth": "nope"}).to_string();
    assert_error(
        sandbox.post(&format!("{base}/rest/profile"), wrong_token),
        401,
        "NO_AUTH_FOUND",
        "Wrong authorization data",
    );
    let good_token = json!({"auth": sandbox.access_token}).to_string();
    let (status, body) = sandbox.post(&format!("{base}/rest/profile"), good_token);
    assert_eq!((status, &body["result"]["NAME"]), (200, &json!("Sandbox")));
    // An OAuth attachRecord whose token comes after a large FILE_CONTENT is still checked.
    let late_token = format!(
        r#"{{"CALL_ID":"x","FILENAME":"a.mp3","FILE_CONTENT":"{}","auth":"nope"}}"#,
        json_base64(&sample_bytes(300_000))
    );
    assert_error(
        sandbox.post(
            &format!("{base}/rest/telephony.externalCall.attachRecord"),
            late_token,
        ),
        401,
        "NO_AUTH_FOUND",
        "Wrong authorization data",
    );
}

#[test]
fn telephony_methods_need_the_telephony_scope() {
    let sandbox = Sandbox::start(&["--scope", "user"]);
    assert_eq!(sandbox.result("scope", json!({})), json!(["user"]));
    sandbox.result("profile", json!({}));
    for method in [
        "telephony.externalCall.register",
        "telephony.externalCall.attachRecord",
        "telephony.call.attachTranscription",
        "voximplant.statistic.get",
    ] {
        assert_error(
            sandbox.call(
                method,
                json!({"PHONE_NUMBER": "1", "USER_ID": 1, "TYPE": 1}),
            ),
            403,
            "insufficient_scope",
            "The request requires higher privileges than provided by the webhook token",
        );
    }
}

#[test]
fn unknown_methods_and_bad_bodies() {
    let sandbox = Sandbox::start(&[]);
    assert_error(
        sandbox.call("telephony.externalCall.hangup", json!({})),
        404,
        "ERROR_METHOD_NOT_FOUND",
        "Method not found!",
    );
    for (method, body) in [
        ("profile", "{nope"),
        ("profile", "[1]"),
        ("telephony.externalCall.attachRecord", "{\"CALL_ID\": }"),
    ] {
        let (status, answer) = sandbox.post(&format!("{}{method}", sandbox.webhook_url), body);
        assert_eq!(
            (status, answer["error"].as_str()),
            (400, Some("ERROR_CORE")),
            "{body}: {answer}"
        );
    }
    core_error(
        sandbox.call(
            "telephony.externalCall.finish",
            json!({"CALL_ID": "externalCall.nope.1"}),
        ),
        "Call is not found",
    );
    let (status, body) = sandbox.call("telephony.externalCall.register", json!({"USER_ID": 1}));
    assert_eq!(
        (status, body["error"].as_str()),
        (400, Some("ERROR_CORE")),
        "{body}"
    );
}

#[test]
fn register_gives_call_ids_in_the_portal_form() {
    let sandbox = Sandbox::start(&[]);
    let registered = sandbox.result(
        "telephony.externalCall.register",
        json!({"PHONE_NUMBER": "100", "USER_ID": 1, "TYPE": 1}),
    );
    let call_id = registered["CALL_ID"].as_str().unwrap();
    let parts: Vec<&str> = call_id.split('.').collect();
    assert_eq!(parts[0], "externalCall");
    assert!(
        parts[1].len() == 32 && parts[1].bytes().all(|b| b.is_ascii_hexdigit()),
        "{call_id}"
    );
    assert!(parts[2].parse::<u64>().unwrap() > 1_700_000_000);
    assert_eq!(registered["CRM_CREATED_ENTITIES"], json!([]));
    let finished = sandbox.result(
        "telephony.externalCall.finish",
        json!({"CALL_ID": call_id, "USER_ID": 1, "DURATION": 7}),
    );
    assert_eq!(finished["CALL_ID"], call_id);
    assert_eq!(finished["CALL_DURATION"], 7);
    assert_eq!(finished["CALL_FAILED_CODE"], "200");
}

#[test]
fn attach_record_documented_errors() {
    let sandbox = Sandbox::start(&[]);
    let method = "telephony.externalCall.attachRecord";
    let registered = sandbox.result(
        "telephony.externalCall.register",
        json!({"PHONE_NUMBER": "1", "USER_ID": 1, "TYPE": 1}),
    );
    let unfinished = registered["CALL_ID"].as_str().unwrap();
    let content = json_base64(b"ID3 data");
    for call_id in [unfinished, "", "externalCall.nope.1"] {
        core_error(
            sandbox.call(
                method,
                json!({"CALL_ID": call_id, "FILENAME": "a.mp3", "FILE_CONTENT": content}),
            ),
            NOT_FINISHED,
        );
    }
    let call_id = sandbox.finished_call();
    core_error(sandbox.call(method, json!({"CALL_ID": call_id})), NO_SOURCE);
    core_error(
        sandbox.call(method, json!({"CALL_ID": call_id, "FILE_CONTENT": content})),
        NO_SOURCE,
    );
    core_error(
        sandbox.call(
            method,
            json!({"CALL_ID": call_id, "FILENAME": "", "FILE_CONTENT": content}),
        ),
        "File name is empty",
    );
    for name in ["a.MP3", "a.Wav", "a.ogg", "mp3", "a.mp3.txt"] {
        core_error(
            sandbox.call(
                method,
                json!({"CALL_ID": call_id, "FILENAME": name, "FILE_CONTENT": content}),
            ),
            WRONG_EXTENSION,
        );
    }
    core_error(
        sandbox.call(
            method,
            json!({"CALL_ID": call_id, "FILENAME": "a.wav", "FILE_CONTENT": ""}),
        ),
        EMPTY_CONTENT,
    );
    // Decoded as PHP decodes (lenient): only text with nothing of Base64 in it is refused.
    for bad in ["!!!!", "====", "\u{e9}", "S"] {
        core_error(
            sandbox.call(
                method,
                json!({"CALL_ID": call_id, "FILENAME": "a.wav", "FILE_CONTENT": bad}),
            ),
            BAD_BASE64,
        );
    }
    let missing = file_server("404 Not Found", b"gone".to_vec(), 1);
    let (status, body) = sandbox.call(
        method,
        json!({"CALL_ID": call_id, "RECORD_URL": format!("{missing}/calls/a.mp3")}),
    );
    assert_eq!(
        (status, body["error"].as_str()),
        (400, Some("ERROR_CORE")),
        "{body}"
    );
    let text = body["error_description"].as_str().unwrap();
    assert!(text.starts_with("Server returns HTTP error code"), "{text}");
    let nothing_listens = {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        format!("http://{}/a.mp3", listener.local_addr().unwrap())
    };
    let (_, body) = sandbox.call(
        method,
        json!({"CALL_ID": call_id, "RECORD_URL": nothing_listens}),
    );
    assert!(
        body["error_description"]
            .as_str()
            .unwrap()
            .starts_with("Server returns HTTP error code"),
        "{body}"
    );
    core_error(
        sandbox.call(
            method,
            json!({"CALL_ID": call_id, "RECORD_URL": "http://h/rec.ogg"}),
        ),
        WRONG_EXTENSION,
    );
    // Nothing was attached by any of these.
    assert_eq!(sandbox.statistic(&call_id)["RECORD_FILE_ID"], Value::Null);
    assert_eq!(
        std::fs::read_dir(sandbox.data_dir.join("records"))
            .unwrap()
            .count(),
        0
    );
    assert_eq!(
        std::fs::read_dir(sandbox.data_dir.join("tmp"))
            .unwrap()
            .count(),
        0
    );
}

#[test]
fn inline_base64_records_are_stored_byte_exact_and_replaced() {
    let sandbox = Sandbox::start(&[]);
    let call_id = sandbox.finished_call();
    let bytes = sample_bytes(200_001);
    let body = format!(
        r#"{{"CALL_ID":"{call_id}","FILENAME":"call-001.mp3","FILE_CONTENT":"{}"}}"#,
        json_base64(&bytes)
    );
    assert!(body.contains("\\/"));
    let (status, answer) = sandbox.post(
        &format!(
            "{}telephony.externalCall.attachRecord.json",
            sandbox.webhook_url
        ),
        body,
    );
    assert_eq!(
        (status, &answer["result"]),
        (200, &json!({"FILE_ID": 9001})),
        "{answer}"
    );
    assert_eq!(
        std::fs::read(sandbox.record_path(9001, "call-001.mp3")).unwrap(),
        bytes
    );

    let second = sample_bytes(10);
    let answer = sandbox.result(
        "telephony.externalCall.attachRecord",
        json!({"CALL_ID": call_id, "FILENAME": "again.wav", "FILE_CONTENT": json_base64(&second).replace("\\/", "/")}),
    );
    assert_eq!(answer, json!({"FILE_ID": 9002}));
    assert_eq!(
        std::fs::read(sandbox.record_path(9002, "again.wav")).unwrap(),
        second
    );
    assert!(!sandbox.record_path(9001, "call-001.mp3").exists());
    assert_eq!(sandbox.statistic(&call_id)["RECORD_FILE_ID"], 9002);
}

#[test]
fn record_url_is_fetched_and_stored() {
    let sandbox = Sandbox::start(&[]);
    let call_id = sandbox.finished_call();
    let bytes = sample_bytes(150_000);
    let server = file_server("200 OK", bytes.clone(), 2);
    let answer = sandbox.result(
        "telephony.externalCall.attachRecord",
        json!({"CALL_ID": call_id, "RECORD_URL": format!("{server}/pbx/rec%201.wav?sig=abc")}),
    );
    assert_eq!(answer, json!({"FILE_ID": 9001}));
    assert_eq!(
        std::fs::read(sandbox.record_path(9001, "rec 1.wav")).unwrap(),
        bytes
    );
    let answer = sandbox.result(
        "telephony.externalCall.attachRecord",
        json!({"CALL_ID": call_id, "RECORD_URL": format!("{server}/download"), "FILENAME": "named.mp3"}),
    );
    assert_eq!(answer, json!({"FILE_ID": 9002}));
    assert_eq!(
        std::fs::read(sandbox.record_path(9002, "named.mp3")).unwrap(),
        bytes
    );
}

#[test]
fn upload_url_takes_a_multipart_file() {
    let sandbox = Sandbox::start(&[]);
    let call_id = sandbox.finished_call();
    let answer = sandbox.result(
        "telephony.externalCall.attachRecord",
        json!({"CALL_ID": call_id, "FILENAME": "call.mp3"}),
    );
    assert_eq!(answer["fieldName"], "file");
    let upload_url = answer["uploadUrl"].as_str().unwrap();
    assert!(
        upload_url.starts_with(&format!("{}upload/?token=", sandbox.webhook_url)),
        "{upload_url}"
    );
    let line = sandbox.stderr_line("attachRecord");
    assert!(!line.contains(&sandbox.webhook_code()));

    let bytes = sample_bytes(300_000);
    let boundary = "XyZ-b0undary";
    core_error(
        upload(
            &sandbox,
            upload_url,
            multipart(boundary, "file", "call.MP3", &bytes),
        ),
        WRONG_EXTENSION,
    );
    core_error(
        upload(
            &sandbox,
            upload_url,
            multipart(boundary, "file", "call.mp3", b""),
        ),
        EMPTY_CONTENT,
    );
    core_error(
        upload(
            &sandbox,
            upload_url,
            multipart(boundary, "other", "call.mp3", &bytes),
        ),
        EMPTY_CONTENT,
    );
    // The token stays valid after failures: a retried upload is fine.
    let (status, answer) = upload(
        &sandbox,
        upload_url,
        multipart(boundary, "file", "call.mp3", &bytes),
    );
    assert_eq!(
        (status, answer),
        (200, json!({"result": {"FILE_ID": 9001}}))
    );
    assert_eq!(
        std::fs::read(sandbox.record_path(9001, "call.mp3")).unwrap(),
        bytes
    );
    assert_eq!(sandbox.statistic(&call_id)["RECORD_FILE_ID"], 9001);
    sandbox.stderr_line("POST /rest/1/***/upload/?token=*** 200 ");

    let forged = upload_url.replace("token=", "token=0");
    assert_error(
        upload(
            &sandbox,
            &forged,
            multipart(boundary, "file", "call.mp3", &bytes),
        ),
        401,
        "NO_AUTH_FOUND",
        "Wrong authorization data",
    );
}

#[test]
fn oauth_upload_url_carries_the_token() {
    let sandbox = Sandbox::start(&[]);
    let call_id = sandbox.finished_call();
    let body = json!({"CALL_ID": call_id, "FILENAME": "x.wav", "auth": sandbox.access_token});
    let (status, answer) = sandbox.post(
        &format!(
            "{}/rest/telephony.externalCall.attachRecord",
            sandbox.portal_url
        ),
        body.to_string(),
    );
    assert_eq!(status, 200, "{answer}");
    let upload_url = answer["result"]["uploadUrl"].as_str().unwrap();
    let prefix = format!(
        "{}/rest/upload.json?auth={}&token=",
        sandbox.portal_url, sandbox.access_token
    );
    assert!(upload_url.starts_with(&prefix), "{upload_url}");
    let bytes = sample_bytes(1000);
    let (status, answer) = upload(
        &sandbox,
        upload_url,
        multipart("XyZ-b0undary", "file", "x.wav", &bytes),
    );
    assert_eq!(
        (status, answer),
        (200, json!({"result": {"FILE_ID": 9001}}))
    );
    assert_eq!(
        std::fs::read(sandbox.record_path(9001, "x.wav")).unwrap(),
        bytes
    );
    let no_auth = upload_url.replace(&format!("auth={}&", sandbox.access_token), "");
    assert_error(
        upload(
            &sandbox,
            &no_auth,
            multipart("XyZ-b0undary", "file", "x.wav", &bytes),
        ),
        401,
        "NO_AUTH_FOUND",
        "Wrong authorization data",
    );
}

/// A refresh on the sandbox's `/oauth/token/`: the new pair.
fn refreshed_pair(sandbox: &Sandbox, ready_refresh_token: &str) -> Value {
    let (status, pair) = sandbox.send(
        sandbox
            .http
            .post(format!("{}/oauth/token/", sandbox.portal_url))
            .header("Content-Type", "application/x-www-form-urlencoded")
            .header("Host", "portal.test")
            .body(format!(
                "grant_type=refresh_token&client_id={}&client_secret={}&refresh_token={}",
                sandbox.ready["client_id"].as_str().unwrap(),
                sandbox.ready["client_secret"].as_str().unwrap(),
                ready_refresh_token
            )),
    );
    assert_eq!(status, 200, "{pair}");
    pair
}

#[test]
fn oauth_upload_urls_take_rotated_tokens() {
    let sandbox = Sandbox::start(&[]);
    let call_id = sandbox.finished_call();
    let pair = refreshed_pair(&sandbox, sandbox.ready["refresh_token"].as_str().unwrap());
    // Endpoints name the Host the client used, not the bound address.
    assert_eq!(pair["client_endpoint"], "http://portal.test/rest/");
    assert_eq!(pair["server_endpoint"], "http://portal.test/oauth/");
    let fresh = pair["access_token"].as_str().unwrap();
    assert_ne!(fresh, sandbox.access_token);
    let ask = |token: &str, name: &str| {
        let (status, answer) = sandbox.send(
            sandbox
                .http
                .post(format!(
                    "{}/rest/telephony.externalCall.attachRecord.json",
                    sandbox.portal_url
                ))
                .header("Authorization", format!("Bearer {token}"))
                .header("Content-Type", "application/json")
                .body(json!({"CALL_ID": call_id, "FILENAME": name}).to_string()),
        );
        assert_eq!(status, 200, "{answer}");
        answer["result"]["uploadUrl"].as_str().unwrap().to_string()
    };
    // The URL carries the token the call came with.
    let upload_url = ask(fresh, "fresh.wav");
    assert!(
        upload_url.contains(&format!("auth={fresh}&")),
        "{upload_url}"
    );
    let bytes = sample_bytes(3000);
    let (status, answer) = upload(
        &sandbox,
        &upload_url,
        multipart("XyZ-b0undary", "file", "fresh.wav", &bytes),
    );
    assert_eq!(status, 200, "{answer}");
    let file_id = answer["result"]["FILE_ID"].as_u64().unwrap();
    assert_eq!(
        std::fs::read(sandbox.record_path(file_id, "fresh.wav")).unwrap(),
        bytes
    );
    // A URL handed out before a refresh still works while its token lives.
    let old_url = ask(&sandbox.access_token, "old.wav");
    refreshed_pair(&sandbox, pair["refresh_token"].as_str().unwrap());
    let (status, answer) = upload(
        &sandbox,
        &old_url,
        multipart("XyZ-b0undary", "file", "old.wav", &bytes),
    );
    assert_eq!(status, 200, "{answer}");
    // b24pysdk refreshes with a GET and the secret in the query: the log hides it.
    let secret = sandbox.ready["client_secret"].as_str().unwrap();
    let (status, _) = sandbox.send(sandbox.http.get(format!(
        "{}/oauth/token/?grant_type=refresh_token&client_id={}&client_secret={secret}&refresh_token=spent",
        sandbox.portal_url,
        sandbox.ready["client_id"].as_str().unwrap(),
    )));
    assert_eq!(status, 400);
    let line = sandbox.stderr_line("GET /oauth/token/?");
    assert!(
        !line.contains(secret) && line.contains("client_secret=***"),
        "{line}"
    );
    // A token the sandbox never issued does not.
    let forged = ask(fresh, "forged.wav").replace(fresh, "0123456789abcdef0123456789abcdef");
    assert_error(
        upload(
            &sandbox,
            &forged,
            multipart("XyZ-b0undary", "file", "forged.wav", &bytes),
        ),
        401,
        "NO_AUTH_FOUND",
        "Wrong authorization data",
    );
}

#[test]
fn attach_transcription_documented_errors() {
    let sandbox = Sandbox::start(&[]);
    let method = "telephony.call.attachTranscription";
    let call_id = sandbox.finished_call();
    let good =
        json!({"SIDE": "User", "START_TIME": 1, "STOP_TIME": 3, "MESSAGE": "Good afternoon"});
    core_error(
        sandbox.call(method, json!({"MESSAGES": [good]})),
        "CALL_ID should be set",
    );
    core_error(
        sandbox.call(method, json!({"CALL_ID": call_id})),
        "MESSAGES should be an array",
    );
    core_error(
        sandbox.call(method, json!({"CALL_ID": call_id, "MESSAGES": "x"})),
        "MESSAGES should be an array",
    );
    let with = |key: &str, value: Value| {
        let mut message = good.clone();
        match value {
            Value::Null => {
                message.as_object_mut().unwrap().remove(key);
            }
            value => message[key] = value,
        }
        json!({"CALL_ID": call_id, "MESSAGES": [good, message]})
    };
    for side in [json!("user"), json!("Agent"), Value::Null] {
        core_error(
            sandbox.call(method, with("SIDE", side)),
            "MESSAGES[1][SIDE] should be either Client or User",
        );
    }
    // "x", 1.5 and a missing time are cast as PHP casts them (see the strict test).
    for start in [json!(-1), json!("-2")] {
        core_error(
            sandbox.call(method, with("START_TIME", start)),
            "MESSAGES[1][START_TIME] should be greater or equal to zero",
        );
    }
    for stop in [json!(0), json!(-3), json!("0"), Value::Null] {
        core_error(
            sandbox.call(method, with("STOP_TIME", stop)),
            "MESSAGES[1][STOP_TIME] should be greater than zero",
        );
    }
    for text in [json!(""), Value::Null] {
        core_error(
            sandbox.call(method, with("MESSAGE", text)),
            "MESSAGES[1][MESSAGE] is empty",
        );
    }
    let unknown = "externalCall.0123.1";
    core_error(
        sandbox.call(method, json!({"CALL_ID": unknown, "MESSAGES": [good]})),
        &format!("Call {unknown} is not found. Is it finished?"),
    );
    let registered = sandbox.result(
        "telephony.externalCall.register",
        json!({"PHONE_NUMBER": "1", "USER_ID": 1, "TYPE": 1}),
    );
    let unfinished = registered["CALL_ID"].as_str().unwrap();
    core_error(
        sandbox.call(method, json!({"CALL_ID": unfinished, "MESSAGES": [good]})),
        &format!("Call {unfinished} is not found. Is it finished?"),
    );
    assert_eq!(
        std::fs::read_dir(sandbox.data_dir.join("transcripts"))
            .unwrap()
            .count(),
        0
    );
}

#[test]
fn transcripts_are_stored_as_sent_and_show_in_statistics() {
    let sandbox = Sandbox::start(&[]);
    let method = "telephony.call.attachTranscription";
    let call_id = sandbox.finished_call();
    let other_call = sandbox.finished_call();
    let messages = json!([
        {"SIDE": "User", "START_TIME": 0, "STOP_TIME": 3, "MESSAGE": "Good afternoon"},
        {"SIDE": "Client", "START_TIME": "4", "STOP_TIME": "7", "MESSAGE": "Hello \u{1F600} \"quoted\""}
    ]);
    let answer = sandbox.result(
        method,
        json!({"CALL_ID": call_id, "MESSAGES": messages, "COST": 1.25, "COST_CURRENCY": "EUR"}),
    );
    assert_eq!(answer, json!({"TRANSCRIPT_ID": 1}));
    let stored: Value = serde_json::from_slice(
        &std::fs::read(sandbox.data_dir.join("transcripts/1.json")).unwrap(),
    )
    .unwrap();
    assert_eq!(
        stored,
        json!({"TRANSCRIPT_ID": 1, "CALL_ID": call_id, "MESSAGES": messages, "COST": 1.25, "COST_CURRENCY": "EUR"})
    );
    // Every call adds a transcript; the statistic row shows the latest.
    let answer = sandbox.result(method, json!({"CALL_ID": call_id, "MESSAGES": messages}));
    assert_eq!(answer, json!({"TRANSCRIPT_ID": 2}));
    let row = sandbox.statistic(&call_id);
    assert_eq!(row["TRANSCRIPT_ID"], 2);
    assert_eq!(row["CALL_ID"], call_id.as_str());
    assert_eq!(row["PORTAL_USER_ID"], "1");
    assert_eq!(row["CALL_DURATION"], "42");
    assert!(row["CALL_START_DATE"].as_str().unwrap().contains('T'));
    assert_eq!(row["RECORD_FILE_ID"], Value::Null);
    assert_eq!(sandbox.statistic(&other_call)["TRANSCRIPT_ID"], Value::Null);

    // The other filter spelling, and no filter at all.
    let (_, body) = sandbox.call(
        "voximplant.statistic.get",
        json!({"FILTER[CALL_ID]": other_call}),
    );
    assert_eq!(
        (body["total"].as_u64(), &body["result"][0]["CALL_ID"]),
        (Some(1), &json!(other_call))
    );
    let (_, body) = sandbox.call("voximplant.statistic.get", json!({}));
    assert_eq!(body["total"], 2);
    let (_, body) = sandbox.call(
        "voximplant.statistic.get",
        json!({"FILTER": {"CALL_ID": "nope"}}),
    );
    assert_eq!(
        (body["total"].as_u64(), &body["result"]),
        (Some(0), &json!([]))
    );
}

#[test]
fn fault_ratelimit_refuses_the_first_requests() {
    let sandbox = Sandbox::start(&["--fault", "ratelimit:2"]);
    for _ in 0..2 {
        assert_error(
            sandbox.call("profile", json!({})),
            503,
            "QUERY_LIMIT_EXCEEDED",
            "Too many requests",
        );
    }
    sandbox.result("profile", json!({}));
}

#[test]
fn fault_bucket_refuses_beyond_the_burst() {
    let sandbox = Sandbox::start(&["--fault", "bucket:3:0.01"]);
    for _ in 0..3 {
        sandbox.result("profile", json!({}));
    }
    // Refused requests do not fill the bucket, and were not processed.
    for _ in 0..2 {
        assert_error(
            sandbox.call(
                "telephony.externalCall.register",
                json!({"PHONE_NUMBER": "1", "USER_ID": 1, "TYPE": 1}),
            ),
            503,
            "QUERY_LIMIT_EXCEEDED",
            "Too many requests",
        );
    }
}

#[test]
fn fault_bucket_drains_over_time() {
    let sandbox = Sandbox::start(&["--fault", "bucket:1:20"]);
    sandbox.result("profile", json!({}));
    let start = Instant::now();
    // At 20 per second the level is back under the burst within 50 ms.
    loop {
        let (status, body) = sandbox.call("profile", json!({}));
        if status == 200 {
            break;
        }
        assert_eq!(body["error"], "QUERY_LIMIT_EXCEEDED");
        assert!(
            start.elapsed() < Duration::from_secs(5),
            "bucket never drained"
        );
    }
}

#[test]
fn fault_overload_html500_and_redirect() {
    let sandbox = Sandbox::start(&["--fault", "overload"]);
    assert_error(
        sandbox.call("profile", json!({})),
        503,
        "OVERLOAD_LIMIT",
        "REST API is blocked due to overload",
    );
    drop(sandbox);

    let sandbox = Sandbox::start(&["--fault", "html500"]);
    let response = sandbox
        .http
        .post(format!("{}profile", sandbox.webhook_url))
        .body("{}")
        .send()
        .unwrap();
    assert_eq!(response.status().as_u16(), 500);
    assert!(response.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/html"));
    assert!(response.text().unwrap().contains("<html>"));
    drop(sandbox);

    let sandbox = Sandbox::start(&["--fault", "redirect"]);
    let url = format!("{}profile", sandbox.webhook_url);
    let response = sandbox.http.post(&url).body("{}").send().unwrap();
    assert_eq!(response.status().as_u16(), 302);
    assert_eq!(
        response.headers()["location"].to_str().unwrap(),
        url.replace("http://", "https://")
    );
}

#[test]
fn fault_timelimit_blocks_until_its_end() {
    let sandbox = Sandbox::start(&["--fault", "timelimit:1"]);
    let before = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs();
    let (status, body) = sandbox.call("profile", json!({}));
    assert_eq!(
        (status, body["error"].as_str()),
        (429, Some("OPERATION_TIME_LIMIT")),
        "{body}"
    );
    assert_eq!(
        body["error_description"],
        "Method is blocked due to operation time limit."
    );
    let reset_at = body["time"]["operating_reset_at"].as_u64().unwrap();
    assert!(
        (before..=before + 3).contains(&reset_at),
        "{reset_at} vs {before}"
    );
    // The block is a time window: let it pass.
    std::thread::sleep(Duration::from_millis(1100));
    sandbox.result("profile", json!({}));
}

#[test]
fn fault_slow_answers_late_but_the_effect_is_already_stored() {
    let sandbox = Sandbox::start(&["--fault", "slow:1.5"]);
    let call_id = sandbox.finished_call();
    let impatient = Client::builder()
        .timeout(Duration::from_millis(300))
        .build()
        .unwrap();
    let started = Instant::now();
    let error = impatient
        .post(format!("{}telephony.call.attachTranscription", sandbox.webhook_url))
        .body(json!({"CALL_ID": call_id, "MESSAGES": [{"SIDE": "User", "START_TIME": 0, "STOP_TIME": 1, "MESSAGE": "hi"}]}).to_string())
        .send()
        .unwrap_err();
    assert!(error.is_timeout(), "{error}");
    assert!(started.elapsed() < Duration::from_millis(1400));
    assert!(sandbox.data_dir.join("transcripts/1.json").is_file());
    let started = Instant::now();
    assert_eq!(sandbox.statistic(&call_id)["TRANSCRIPT_ID"], 1);
    assert!(started.elapsed() >= Duration::from_millis(1500));
}

#[test]
fn fault_drop_closes_without_an_answer() {
    let sandbox = Sandbox::start(&["--fault", "drop:1"]);
    let error = sandbox
        .http
        .post(format!(
            "{}telephony.externalCall.register",
            sandbox.webhook_url
        ))
        .body(json!({"PHONE_NUMBER": "1", "USER_ID": 1, "TYPE": 1}).to_string())
        .send()
        .unwrap_err();
    assert!(!error.is_status() && !error.is_timeout(), "{error}");
    let line = sandbox.stderr_line("telephony.externalCall.register");
    assert!(line.contains(" dropped "), "{line}");
    let call_id = sandbox.finished_call();
    assert_eq!(sandbox.statistic(&call_id)["CALL_ID"], call_id.as_str());
}

#[test]
fn a_fault_for_a_method_matches_it_in_any_spelling_the_router_takes() {
    let sandbox = Sandbox::start(&["--fault", "ratelimit:3@Server.Time"]);
    let code = sandbox.webhook_code();
    // Three spellings of one method, each refused: the fault counts them as one.
    for path in [
        format!("/rest/1/{code}/server.time"),
        format!("/rest//1/{code}//SERVER.TIME.json"),
        format!("/rest/1/{code}/Server.Time/"),
    ] {
        assert_error(
            sandbox.send(sandbox.http.get(format!("{}{path}", sandbox.portal_url))),
            503,
            "QUERY_LIMIT_EXCEEDED",
            "Too many requests",
        );
    }
    sandbox.result("profile", json!({}));
    sandbox.result("SERVER.TIME.json", json!({}));
}

#[test]
fn fault_no_statistics_refuses_statistic_get_only() {
    let sandbox = Sandbox::start(&["--fault", "no-statistics"]);
    let call_id = sandbox.finished_call();
    assert_error(
        sandbox.call(
            "voximplant.statistic.get",
            json!({"FILTER": {"CALL_ID": call_id}}),
        ),
        403,
        "ACCESS_DENIED",
        "Access denied.",
    );
}

#[test]
fn bad_fault_specs_are_usage_errors() {
    let output = Command::new(assert_cmd::cargo::cargo_bin("b24tel"))
        .args([
            "sandbox",
            "--addr",
            "127.0.0.1:0",
            "--fault",
            "ratelimit:many",
        ])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("bucket:BURST:RATE"), "{stderr}");
    assert!(output.stdout.is_empty());
}

#[test]
fn sigint_and_sigterm_stop_it_cleanly() {
    let mut sandbox = Sandbox::spawn(&[]);
    let data_dir = sandbox.data_dir.clone();
    assert!(data_dir.is_dir());
    sandbox.result("profile", json!({}));
    let status = sandbox.interrupt("-INT");
    assert_eq!(status.code(), Some(0), "{status:?}");
    assert!(
        !data_dir.exists(),
        "temp data dir {} left behind",
        data_dir.display()
    );

    let mut sandbox = Sandbox::start(&[]);
    let call_id = sandbox.finished_call();
    sandbox.result("telephony.call.attachTranscription", json!({"CALL_ID": call_id, "MESSAGES": [{"SIDE": "Client", "START_TIME": 0, "STOP_TIME": 2, "MESSAGE": "ok"}]}));
    let status = sandbox.interrupt("-TERM");
    assert_eq!(status.code(), Some(0), "{status:?}");
    assert!(
        sandbox.data_dir.join("transcripts/1.json").is_file(),
        "a given data dir is kept"
    );
}

#[test]
fn a_non_loopback_address_gets_a_warning() {
    let mut sandbox = Sandbox::spawn(&["--addr", "0.0.0.0:0"]);
    sandbox.stderr_line("warning: 0.0.0.0:0 is reachable from other machines");
    assert_eq!(sandbox.interrupt("-INT").code(), Some(0));
}

/// JSON prefix, Base64 of a repeating pattern, suffix: a body of any size in flat memory.
struct LargeBody {
    parts: Vec<Vec<u8>>,
    repeats: u64,
    part: usize,
    offset: usize,
    sent_repeats: u64,
}

impl Read for LargeBody {
    fn read(&mut self, out: &mut [u8]) -> std::io::Result<usize> {
        loop {
            let Some(current) = self.parts.get(self.part) else {
                return Ok(0);
            };
            if self.offset == current.len() {
                self.offset = 0;
                if self.part == 1 {
                    self.sent_repeats += 1;
                    if self.sent_repeats < self.repeats {
                        continue;
                    }
                }
                self.part += 1;
                continue;
            }
            let n = (current.len() - self.offset).min(out.len());
            out[..n].copy_from_slice(&current[self.offset..self.offset + n]);
            self.offset += n;
            return Ok(n);
        }
    }
}

/// How long a test may take to send or read a body of hundreds of megabytes.
const LARGE_BODY_TIME: Duration = Duration::from_secs(600);

fn peak_rss_kib(pid: u32) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap();
    let line = status.lines().find(|l| l.starts_with("VmHWM:")).unwrap();
    line.split_whitespace().nth(1).unwrap().parse().unwrap()
}

fn same_as_repeated(path: &Path, block: &[u8], repeats: u64) {
    let mut file = std::fs::File::open(path).unwrap();
    assert_eq!(file.metadata().unwrap().len(), block.len() as u64 * repeats);
    let mut buf = vec![0u8; block.len()];
    for i in 0..repeats {
        file.read_exact(&mut buf).unwrap();
        assert!(buf == block, "stored record differs in block {i}");
    }
}

#[test]
fn a_300_mb_body_is_taken_in_flat_memory() {
    let sandbox = Sandbox::start(&["-q"]);
    let call_id = sandbox.finished_call();
    let block = sample_bytes(3 * 16_384);
    let repeats = 4_600u64; // 226 MB of audio, 301 MB of Base64
    let encoded = json_base64(&block).into_bytes();
    let prefix =
        format!(r#"{{"CALL_ID":"{call_id}","FILENAME":"long.wav","FILE_CONTENT":""#).into_bytes();
    let suffix = b"\"}".to_vec();
    let length = prefix.len() as u64 + encoded.len() as u64 * repeats + suffix.len() as u64;
    assert!(length > 300_000_000);
    let before = peak_rss_kib(sandbox.child.id());
    let body = LargeBody {
        parts: vec![prefix, encoded, suffix],
        repeats,
        part: 0,
        offset: 0,
        sent_repeats: 0,
    };
    // A loaded CI machine takes its time over 300 MB in a debug build.
    let (status, answer) = sandbox.send(
        sandbox
            .http
            .post(format!(
                "{}telephony.externalCall.attachRecord",
                sandbox.webhook_url
            ))
            .header("Content-Type", "application/json")
            .timeout(LARGE_BODY_TIME)
            .body(Body::sized(body, length)),
    );
    assert_eq!(
        (status, &answer["result"]),
        (200, &json!({"FILE_ID": 9001})),
        "{answer}"
    );
    let peak = peak_rss_kib(sandbox.child.id());
    assert!(
        peak < 64 * 1024,
        "peak RSS {peak} KiB (before the upload: {before} KiB)"
    );
    eprintln!("sandbox peak RSS {peak} KiB (before the upload: {before} KiB)");
    same_as_repeated(&sandbox.record_path(9001, "long.wav"), &block, repeats);
    // The web page's player gets it streamed back, in flat memory too.
    let mut response = sandbox
        .http
        .get(format!("{}/calls/{call_id}/record", sandbox.portal_url))
        .timeout(LARGE_BODY_TIME)
        .send()
        .unwrap();
    assert_eq!(response.status(), 200);
    let mut buf = vec![0u8; block.len()];
    for i in 0..repeats {
        response.read_exact(&mut buf).unwrap();
        assert!(buf == block, "served record differs in block {i}");
    }
    assert_eq!(response.read(&mut buf).unwrap(), 0);
    let peak = peak_rss_kib(sandbox.child.id());
    assert!(peak < 64 * 1024, "peak RSS {peak} KiB after serving it");
}

#[test]
fn large_form_and_multipart_bodies_are_taken_in_flat_memory() {
    let block = sample_bytes(3 * 16_384);
    let repeats = 1_500u64; // 74 MB of audio, 98 MB of Base64 before form encoding
    let base64 = json_base64(&block);
    for encoding in ["form, chunked", "multipart"] {
        let sandbox = Sandbox::start(&["-q"]);
        let call_id = sandbox.finished_call();
        let (content_type, prefix, encoded, suffix) = if encoding == "multipart" {
            let boundary = "----b24telLargeBoundary";
            let field = |name: &str, value: &str| {
                format!(
                    "--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n"
                )
            };
            (
                format!("multipart/form-data; boundary={boundary}"),
                format!(
                    "{}{}--{boundary}\r\nContent-Disposition: form-data; name=\"FILE_CONTENT\"\r\n\r\n",
                    field("CALL_ID", &call_id),
                    field("FILENAME", "long.wav")
                ),
                base64.clone(),
                format!("\r\n--{boundary}--\r\n"),
            )
        } else {
            (
                "application/x-www-form-urlencoded".to_string(),
                format!(
                    "CALL_ID={}&FILENAME=long.wav&FILE_CONTENT=",
                    form_encode(&call_id)
                ),
                form_encode(&base64),
                "&USER_ID=1".to_string(),
            )
        };
        let before = peak_rss_kib(sandbox.child.id());
        let body = LargeBody {
            parts: vec![
                prefix.into_bytes(),
                encoded.into_bytes(),
                suffix.into_bytes(),
            ],
            repeats,
            part: 0,
            offset: 0,
            sent_repeats: 0,
        };
        // A reader of unknown length goes out chunked.
        let (status, answer) = sandbox.send(
            sandbox
                .http
                .post(format!(
                    "{}telephony.externalCall.attachRecord",
                    sandbox.webhook_url
                ))
                .header("Content-Type", content_type)
                .timeout(LARGE_BODY_TIME)
                .body(Body::new(body)),
        );
        assert_eq!(status, 200, "{encoding}: {answer}");
        let file_id = answer["result"]["FILE_ID"].as_u64().unwrap();
        let peak = peak_rss_kib(sandbox.child.id());
        assert!(
            peak < 64 * 1024,
            "{encoding}: peak RSS {peak} KiB (before: {before} KiB)"
        );
        same_as_repeated(&sandbox.record_path(file_id, "long.wav"), &block, repeats);
    }
}

#[test]
fn a_taken_port_and_a_bad_webhook_code_are_reported() {
    let taken = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = taken.local_addr().unwrap().to_string();
    let output = Command::new(assert_cmd::cargo::cargo_bin("b24tel"))
        .args(["sandbox", "-o", "json", "--addr", &addr])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(7));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains(&format!("cannot listen on {addr}")),
        "{stderr}"
    );
    assert!(output.stdout.is_empty());

    let output = Command::new(assert_cmd::cargo::cargo_bin("b24tel"))
        .args(["sandbox", "--addr", "127.0.0.1:0", "--webhook-code", "a/b"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("--webhook-code"));
}

/// A naive client: sends the whole request before it reads a byte of the answer.
fn post_naively(url: &str, content_type: &str, body: &[u8]) -> (u16, Value) {
    let rest = url.strip_prefix("http://").unwrap();
    let (host, path) = rest.split_at(rest.find('/').unwrap());
    let mut stream = std::net::TcpStream::connect(host).unwrap();
    write!(
        stream,
        "POST {path} HTTP/1.1\r\nHost: {host}\r\nContent-Type: {content_type}\r\n\
         Content-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    )
    .unwrap();
    stream
        .write_all(body)
        .expect("the sandbox stopped reading before the body was sent");
    let mut answer = Vec::new();
    stream
        .read_to_end(&mut answer)
        .expect("the sandbox reset the connection");
    let answer = String::from_utf8(answer).unwrap();
    let status = answer[9..12].parse().unwrap();
    let body = &answer[answer.find("\r\n\r\n").unwrap() + 4..];
    (status, serde_json::from_str(body).unwrap())
}

#[test]
fn early_answers_arrive_even_while_a_large_body_is_still_coming() {
    let sandbox = Sandbox::start(&["--fault", "ratelimit:1"]);
    let content = json_base64(&sample_bytes(12 << 20));
    let body = |call_id: &str| {
        format!(r#"{{"CALL_ID":"{call_id}","FILENAME":"big.mp3","FILE_CONTENT":"{content}"}}"#)
            .into_bytes()
    };
    let url = format!("{}telephony.externalCall.attachRecord", sandbox.webhook_url);
    let json_type = "application/json";
    assert_error(
        post_naively(&url, json_type, &body("x")),
        503,
        "QUERY_LIMIT_EXCEEDED",
        "Too many requests",
    );
    let wrong_code = url.replace(&sandbox.webhook_code(), "wrong");
    assert_error(
        post_naively(&wrong_code, json_type, &body("x")),
        401,
        "NO_AUTH_FOUND",
        "Wrong authorization data",
    );
    let mut bad_json = b"{\"CALL_ID\": }".to_vec();
    bad_json.extend(body("x"));
    let (status, answer) = post_naively(&url, json_type, &bad_json);
    assert_eq!(
        (status, answer["error"].as_str()),
        (400, Some("ERROR_CORE"))
    );

    let call_id = sandbox.finished_call();
    let answer = sandbox.result(
        "telephony.externalCall.attachRecord",
        json!({"CALL_ID": call_id, "FILENAME": "big.mp3"}),
    );
    let upload_url = answer["uploadUrl"].as_str().unwrap();
    let bytes = sample_bytes(12 << 20);
    let form = "multipart/form-data; boundary=XyZ-b0undary";
    core_error(
        post_naively(
            upload_url,
            form,
            &multipart("XyZ-b0undary", "file", "big.ogg", &bytes),
        ),
        WRONG_EXTENSION,
    );
    let (status, answer) = post_naively(&url, json_type, &body(&call_id));
    assert_eq!(
        (status, &answer["result"]),
        (200, &json!({"FILE_ID": 9001}))
    );
}

// ---- Every client's request shapes: one parameter tree whatever the encoding ----

/// `application/x-www-form-urlencoded` as PHP's http_build_query writes it.
fn form_encode(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' => (b as char).to_string(),
            b' ' => "+".to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

impl Sandbox {
    fn send(&self, request: reqwest::blocking::RequestBuilder) -> (u16, Value) {
        let response = request.send().unwrap();
        let status = response.status().as_u16();
        let text = response.text().unwrap();
        (
            status,
            serde_json::from_str(&text).unwrap_or(Value::String(text)),
        )
    }

    fn form(&self, method: &str, body: &str) -> (u16, Value) {
        self.send(
            self.http
                .post(format!("{}{method}", self.webhook_url))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .body(body.to_string()),
        )
    }

    fn form_result(&self, method: &str, body: &str) -> Value {
        let (status, answer) = self.form(method, body);
        assert_eq!(status, 200, "{method}: {answer}");
        answer["result"].clone()
    }
}

#[test]
fn form_encoded_php_keys_carry_the_whole_telephony_flow() {
    let sandbox = Sandbox::start(&[]);
    let registered = sandbox.form_result(
        "telephony.externalCall.register",
        "USER_ID=1&PHONE_NUMBER=%2B4930123456&TYPE=2",
    );
    let call_id = registered["CALL_ID"].as_str().unwrap().to_string();
    let finished = sandbox.form_result(
        "telephony.externalCall.finish",
        &format!("CALL_ID={}&USER_ID=1&DURATION=42", form_encode(&call_id)),
    );
    assert_eq!(finished["CALL_DURATION"], 42);
    // `+` and `/` in the Base64 must survive form encoding byte for byte.
    let audio = sample_bytes(70_000);
    let encoded = base64::engine::general_purpose::STANDARD.encode(&audio);
    assert!(encoded.contains('+') && encoded.contains('/'));
    let attached = sandbox.form_result(
        "telephony.externalCall.attachRecord",
        &format!(
            "CALL_ID={}&FILENAME=call.mp3&FILE_CONTENT={}",
            form_encode(&call_id),
            form_encode(&encoded)
        ),
    );
    let file_id = attached["FILE_ID"].as_u64().unwrap();
    assert_eq!(
        std::fs::read(sandbox.record_path(file_id, "call.mp3")).unwrap(),
        audio
    );
    let transcript = sandbox.form_result(
        "telephony.call.attachTranscription",
        &format!(
            "CALL_ID={}&MESSAGES%5B0%5D%5BSIDE%5D=User&MESSAGES%5B0%5D%5BSTART_TIME%5D=1\
             &MESSAGES%5B0%5D%5BSTOP_TIME%5D=3&MESSAGES%5B0%5D%5BMESSAGE%5D=Hello+there\
             &MESSAGES[1][SIDE]=Client&MESSAGES[1][START_TIME]=4&MESSAGES[1][STOP_TIME]=6\
             &MESSAGES[1][MESSAGE]=Hi",
            form_encode(&call_id)
        ),
    );
    let id = transcript["TRANSCRIPT_ID"].as_u64().unwrap();
    let stored: Value = serde_json::from_slice(
        &std::fs::read(sandbox.data_dir.join(format!("transcripts/{id}.json"))).unwrap(),
    )
    .unwrap();
    assert_eq!(
        stored["MESSAGES"],
        json!([
            {"SIDE": "User", "START_TIME": "1", "STOP_TIME": "3", "MESSAGE": "Hello there"},
            {"SIDE": "Client", "START_TIME": "4", "STOP_TIME": "6", "MESSAGE": "Hi"},
        ])
    );
    // A second call, so that a filter that is ignored would show.
    sandbox.finished_call();
    let rows = sandbox.form_result(
        "voximplant.statistic.get",
        &format!("FILTER%5BCALL_ID%5D={}", form_encode(&call_id)),
    );
    assert_eq!(rows.as_array().unwrap().len(), 1, "{rows}");
    assert_eq!(rows[0]["RECORD_FILE_ID"], file_id);
}

#[test]
fn query_string_parameters_count_for_get_and_post_and_the_body_wins() {
    let sandbox = Sandbox::start(&[]);
    let call_id = sandbox.finished_call();
    sandbox.finished_call();
    let url = format!(
        "{}voximplant.statistic.get?FILTER[CALL_ID]={}",
        sandbox.webhook_url,
        form_encode(&call_id)
    );
    let (status, answer) = sandbox.send(sandbox.http.get(&url));
    assert_eq!(status, 200, "{answer}");
    assert_eq!(answer["result"].as_array().unwrap().len(), 1, "{answer}");
    assert_eq!(answer["total"], 1);
    // POST with the parameters in the URL and an empty body.
    let (status, answer) = sandbox.send(sandbox.http.post(&url));
    assert_eq!(
        (status, answer["total"].clone()),
        (200, json!(1)),
        "{answer}"
    );
    // The body's FILTER replaces the query's.
    let (_, answer) = sandbox.send(
        sandbox
            .http
            .post(&url)
            .header("Content-Type", "application/json")
            .body(json!({"FILTER": {"CALL_ID": "externalCall.none.1"}}).to_string()),
    );
    assert_eq!(answer["total"], 0, "{answer}");
}

#[test]
fn method_names_any_case_with_json_suffix_and_repeated_slashes() {
    let sandbox = Sandbox::start(&[]);
    let code = sandbox.webhook_code();
    for path in [
        format!("/rest/1/{code}/SERVER.TIME"),
        format!("/rest//1/{code}//server.time.json"),
        format!("//rest/1/{code}/Server.Time/"),
    ] {
        let (status, answer) =
            sandbox.send(sandbox.http.get(format!("{}{path}", sandbox.portal_url)));
        assert_eq!(status, 200, "{path}: {answer}");
        let time = answer["result"].as_str().unwrap();
        assert!(time.ends_with("+00:00") && time.len() == 25, "{time}");
        let line = sandbox.stderr_line("GET /rest/");
        assert!(
            !line.contains(&code) && line.contains("/rest/1/***/"),
            "{line}"
        );
    }
}

#[test]
fn oauth_token_as_auth_access_token_or_bearer() {
    let sandbox = Sandbox::start(&["--access-token", "t0ken"]);
    let portal = &sandbox.portal_url;
    let shapes = [
        sandbox
            .http
            .get(format!("{portal}/rest/profile.json?auth=t0ken")),
        sandbox
            .http
            .get(format!("{portal}/rest/profile?access_token=t0ken")),
        sandbox
            .http
            .post(format!("{portal}/rest//profile"))
            .header("Authorization", "Bearer t0ken"),
        sandbox
            .http
            .post(format!("{portal}/rest/profile"))
            .header("Content-Type", "application/x-www-form-urlencoded")
            .body("auth=t0ken"),
    ];
    for shape in shapes {
        let (status, answer) = sandbox.send(shape);
        assert_eq!(
            (status, &answer["result"]["ID"]),
            (200, &json!("1")),
            "{answer}"
        );
        // The log names the request, never the token it carried.
        let line = sandbox.stderr_line("/profile");
        assert!(!line.contains("t0ken"), "{line}");
    }
    // A token put where a webhook code goes is refused, and not logged either.
    let (status, _) = sandbox.send(sandbox.http.get(format!("{portal}/rest/t0ken/profile")));
    assert_eq!(status, 404);
    let line = sandbox.stderr_line("/profile");
    assert!(
        !line.contains("t0ken") && line.contains("/rest/***/profile"),
        "{line}"
    );
    for wrong in [
        sandbox
            .http
            .post(format!("{portal}/rest/profile"))
            .header("Authorization", "Bearer nope"),
        sandbox.http.get(format!("{portal}/rest/profile")),
    ] {
        let (status, answer) = sandbox.send(wrong);
        assert_eq!(
            (status, answer["error"].as_str()),
            (401, Some("NO_AUTH_FOUND"))
        );
    }
}

#[test]
fn json_sent_with_a_form_content_type_is_not_parsed() {
    let sandbox = Sandbox::start(&[]);
    let (status, answer) = sandbox.form(
        "telephony.externalCall.register",
        &json!({"USER_ID": 1, "PHONE_NUMBER": "1", "TYPE": 1}).to_string(),
    );
    assert_eq!(
        (status, answer["error_description"].as_str()),
        (400, Some("USER_ID or USER_PHONE_INNER should be set")),
        "{answer}"
    );
}

/// A multipart/form-data body of text fields, as `curl -F` sends it (boundary `b0und`).
fn multipart_text(fields: &[(&str, &str)]) -> String {
    let mut body = String::new();
    for (name, value) in fields {
        body.push_str(&format!(
            "--b0und\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n"
        ));
    }
    body.push_str("--b0und--\r\n");
    body
}

#[test]
fn multipart_fields_and_a_streamed_file_content() {
    let sandbox = Sandbox::start(&[]);
    let call_id = sandbox.finished_call();
    let audio = sample_bytes(300_000);
    let encoded = base64::engine::general_purpose::STANDARD.encode(&audio);
    let form = multipart_text(&[
        ("CALL_ID", &call_id),
        ("FILENAME", "multi.wav"),
        ("FILE_CONTENT", &encoded),
    ]);
    let (status, answer) = sandbox.send(
        sandbox
            .http
            .post(format!(
                "{}telephony.externalCall.attachRecord",
                sandbox.webhook_url
            ))
            .header("Content-Type", "multipart/form-data; boundary=b0und")
            .body(form),
    );
    assert_eq!(status, 200, "{answer}");
    let file_id = answer["result"]["FILE_ID"].as_u64().unwrap();
    assert_eq!(
        std::fs::read(sandbox.record_path(file_id, "multi.wav")).unwrap(),
        audio
    );
    let form = multipart_text(&[
        ("CALL_ID", &call_id),
        ("MESSAGES[0][SIDE]", "User"),
        ("MESSAGES[0][START_TIME]", "0"),
        ("MESSAGES[0][STOP_TIME]", "2"),
        ("MESSAGES[0][MESSAGE]", "Hello"),
    ]);
    let (status, answer) = sandbox.send(
        sandbox
            .http
            .post(format!(
                "{}telephony.call.attachTranscription",
                sandbox.webhook_url
            ))
            .header("Content-Type", "multipart/form-data; boundary=b0und")
            .body(form),
    );
    assert_eq!(status, 200, "{answer}");
}

#[test]
fn chunked_form_bodies_are_streamed() {
    let sandbox = Sandbox::start(&[]);
    let call_id = sandbox.finished_call();
    let audio = sample_bytes(1 << 20);
    let body = format!(
        "CALL_ID={}&FILENAME=chunked.mp3&FILE_CONTENT={}",
        form_encode(&call_id),
        form_encode(&base64::engine::general_purpose::STANDARD.encode(&audio))
    );
    // A reader of unknown length goes out with Transfer-Encoding: chunked.
    let (status, answer) = sandbox.send(
        sandbox
            .http
            .post(format!(
                "{}telephony.externalCall.attachRecord",
                sandbox.webhook_url
            ))
            .header("Content-Type", "application/x-www-form-urlencoded")
            .body(Body::new(std::io::Cursor::new(body.into_bytes()))),
    );
    assert_eq!(status, 200, "{answer}");
    let file_id = answer["result"]["FILE_ID"].as_u64().unwrap();
    assert_eq!(
        std::fs::read(sandbox.record_path(file_id, "chunked.mp3")).unwrap(),
        audio
    );
}

#[test]
fn batch_runs_commands_with_references_and_halts() {
    let sandbox = Sandbox::start(&[]);
    let answer = sandbox.result(
        "batch",
        json!({
            "halt": 0,
            "cmd": {
                "reg": "telephony.externalCall.register?USER_ID=1&PHONE_NUMBER=%2B100&TYPE=1",
                "fin": "telephony.externalCall.finish?CALL_ID=$result[reg][CALL_ID]&DURATION=5",
                "stat": "voximplant.statistic.get?FILTER[CALL_ID]=$result[reg][CALL_ID]",
                "bad": "no.such.method",
                "who": "profile",
            }
        }),
    );
    let call_id = answer["result"]["reg"]["CALL_ID"].as_str().unwrap();
    assert_eq!(answer["result"]["fin"]["CALL_ID"], call_id);
    assert_eq!(answer["result"]["stat"][0]["CALL_ID"], call_id);
    assert_eq!(answer["result_total"]["stat"], 1);
    assert_eq!(
        answer["result_error"]["bad"]["error"],
        "ERROR_METHOD_NOT_FOUND"
    );
    assert_eq!(answer["result"]["who"]["ID"], "1");
    assert_eq!(answer["result_next"], json!([]));
    assert!(
        answer["result_time"]["reg"]["duration"].is_number(),
        "{answer}"
    );

    // halt: nothing after the first error runs; form-encoded cmd as CRest sends it.
    let answer = sandbox.form_result(
        "batch",
        "halt=1&cmd%5Ba%5D=no.such.method&cmd%5Bb%5D=telephony.externalCall.register%3FUSER_ID%3D1%26PHONE_NUMBER%3D2%26TYPE%3D1",
    );
    assert_eq!(answer["result"], json!([]), "{answer}");
    assert_eq!(
        answer["result_error"]["a"]["error"],
        "ERROR_METHOD_NOT_FOUND"
    );
    // A list of commands answers lists.
    let answer = sandbox.result("batch", json!({"cmd": ["server.time", "scope"]}));
    assert_eq!(answer["result"][1], json!(["telephony", "user", "crm"]));
}

/// A fault limited to a method reaches that method inside `batch` too: a limit is the
/// command's `result_error`, `slow` delays the batch's answer, `drop` closes its
/// connection after the command took effect; the batch request itself is not counted.
#[test]
fn method_faults_apply_to_commands_inside_batch() {
    let sandbox = Sandbox::start(&[
        "--fault",
        "ratelimit:1@telephony.externalCall.register",
        "--fault",
        "latency:server.time=0.8",
        "--fault",
        "drop:1@telephony.externalCall.finish",
    ]);
    let register = "telephony.externalCall.register?USER_ID=1&PHONE_NUMBER=%2B100&TYPE=1";
    let answer = sandbox.result(
        "batch",
        json!({"cmd": {"first": register, "second": register, "who": "profile"}}),
    );
    assert_eq!(
        answer["result_error"]["first"]["error"], "QUERY_LIMIT_EXCEEDED",
        "{answer}"
    );
    assert!(answer["result_error"].get("second").is_none(), "{answer}");
    let call_id = answer["result"]["second"]["CALL_ID"]
        .as_str()
        .unwrap()
        .to_string();
    assert_eq!(answer["result"]["who"]["ID"], "1");

    let started = Instant::now();
    let answer = sandbox.result("batch", json!({"cmd": ["server.time", "server.time"]}));
    assert!(answer["result"][1].is_string(), "{answer}");
    assert!(
        started.elapsed() >= Duration::from_millis(1600),
        "{:?}",
        started.elapsed()
    );

    let error = sandbox
        .http
        .post(format!("{}batch", sandbox.webhook_url))
        .body(
            json!({"cmd": {"fin": format!("telephony.externalCall.finish?CALL_ID={call_id}&DURATION=5")}})
                .to_string(),
        )
        .send()
        .unwrap_err();
    assert!(!error.is_status() && !error.is_timeout(), "{error}");
    // The finish took effect before the connection was dropped.
    assert_eq!(sandbox.statistic(&call_id)["CALL_DURATION"], "5");
}

#[test]
fn portal_descriptions_every_sdk_asks_for() {
    let sandbox = Sandbox::start(&["--scope", "telephony"]);
    let known = sandbox.result(
        "method.get",
        json!({"name": "telephony.externalCall.attachRecord"}),
    );
    assert_eq!(known, json!({"isExisting": true, "isAvailable": true}));
    let unknown = sandbox.result("method.get", json!({"name": "crm.deal.list"}));
    assert_eq!(unknown["isExisting"], false);
    let no_scope = sandbox.result("method.get", json!({"name": "user.current"}));
    assert_eq!(no_scope, json!({"isExisting": true, "isAvailable": false}));
    let info = sandbox.result("app.info", json!({}));
    assert_eq!(info["INSTALLED"], true);
    let (status, _) = sandbox.call("user.current", json!({}));
    assert_eq!(status, 403);
    let sandbox = Sandbox::start(&[]);
    let user = sandbox.result("user.current", json!({}));
    assert_eq!(user["ID"], "1");
    assert!(user.get("PERSONAL_MOBILE").is_some() && user.get("TIME_ZONE").is_some());
}

#[test]
fn register_needs_a_user_and_a_type_and_repeats_give_the_same_call() {
    let sandbox = Sandbox::start(&[]);
    let method = "telephony.externalCall.register";
    let (status, answer) = sandbox.call(method, json!({"PHONE_NUMBER": "1", "TYPE": 1}));
    assert_eq!(
        (status, answer["error_description"].as_str()),
        (400, Some("USER_ID or USER_PHONE_INNER should be set"))
    );
    core_error(
        sandbox.call(method, json!({"PHONE_NUMBER": "1", "USER_ID": 1})),
        "Unknown TYPE",
    );
    core_error(
        sandbox.call(
            method,
            json!({"PHONE_NUMBER": "1", "USER_ID": 1, "TYPE": 6}),
        ),
        "Unknown TYPE",
    );
    let info = sandbox.result(
        method,
        json!({"PHONE_NUMBER": "1", "USER_PHONE_INNER": "101", "TYPE": 5}),
    );
    let again = sandbox.result(
        method,
        json!({"PHONE_NUMBER": "1", "USER_PHONE_INNER": "101", "TYPE": 5}),
    );
    assert_eq!(info["CALL_ID"], again["CALL_ID"]);
    let other = sandbox.result(
        method,
        json!({"PHONE_NUMBER": "1", "USER_PHONE_INNER": "101", "TYPE": 5, "EXTERNAL_CALL_ID": "x2"}),
    );
    assert_ne!(info["CALL_ID"], other["CALL_ID"]);
}

#[test]
fn attach_record_as_the_portal_does_it() {
    let sandbox = Sandbox::start(&[]);
    let method = "telephony.externalCall.attachRecord";
    let call_id = sandbox.finished_call();
    // FILE_CONTENT null asks for the upload URL, built from the Host the client used.
    let (status, answer) = sandbox.send(
        sandbox
            .http
            .post(format!("{}{method}", sandbox.webhook_url))
            .header("Host", "pbx.example:8443")
            .header("Content-Type", "application/json")
            .body(
                json!({"CALL_ID": call_id, "FILENAME": "CALL.WAV", "FILE_CONTENT": null})
                    .to_string(),
            ),
    );
    assert_eq!(status, 200, "{answer}");
    let upload = answer["result"]["uploadUrl"].as_str().unwrap();
    assert!(
        upload.starts_with("http://pbx.example:8443/rest/1/"),
        "{upload}"
    );
    // RECORD_URL wins over FILE_CONTENT.
    let served = sample_bytes(5000);
    let url = file_server("200 OK", served.clone(), 1);
    let answer = sandbox.result(
        method,
        json!({"CALL_ID": call_id, "RECORD_URL": format!("{url}/r.mp3"), "FILE_CONTENT": "aGVsbG8="}),
    );
    let file_id = answer["FILE_ID"].as_u64().unwrap();
    assert_eq!(
        std::fs::read(sandbox.record_path(file_id, "r.mp3")).unwrap(),
        served
    );
    sandbox.stderr_line("a portal downloads RECORD_URL");
    // 76-column base64 output and missing padding are what a portal stores.
    let audio = sample_bytes(1000);
    let encoded = base64::engine::general_purpose::STANDARD.encode(&audio);
    let wrapped: Vec<String> = encoded
        .trim_end_matches('=')
        .as_bytes()
        .chunks(76)
        .map(|c| String::from_utf8(c.to_vec()).unwrap())
        .collect();
    let answer = sandbox.result(
        method,
        json!({"CALL_ID": call_id, "FILENAME": "w.mp3", "FILE_CONTENT": wrapped.join("\n")}),
    );
    let file_id = answer["FILE_ID"].as_u64().unwrap();
    assert_eq!(
        std::fs::read(sandbox.record_path(file_id, "w.mp3")).unwrap(),
        audio
    );
    // A `+` lost to form encoding: stored as a portal would, and said loudly.
    let broken = encoded.replace('+', " ");
    assert_ne!(broken, encoded);
    sandbox.result(
        method,
        json!({"CALL_ID": call_id, "FILENAME": "b.mp3", "FILE_CONTENT": broken}),
    );
    sandbox.stderr_line("usually a `+` lost to form encoding");
}

#[test]
fn strict_refuses_what_a_portal_would_silently_get_wrong() {
    let sandbox = Sandbox::start(&["--strict"]);
    let call_id = sandbox.finished_call();
    let (status, answer) = sandbox.call(
        "telephony.externalCall.attachRecord",
        json!({"CALL_ID": call_id, "FILENAME": "a.mp3", "FILE_CONTENT": "data:audio/mpeg;base64,aGVsbG8="}),
    );
    assert_eq!(status, 400, "{answer}");
    let text = answer["error_description"].as_str().unwrap();
    assert!(
        text.starts_with("--strict:") && text.contains("data:"),
        "{text}"
    );
    let (status, answer) = sandbox.call(
        "telephony.call.attachTranscription",
        json!({"CALL_ID": call_id, "MESSAGES": [{"SIDE": "User", "START_TIME": 1.5, "STOP_TIME": 3, "MESSAGE": "x"}]}),
    );
    assert_eq!(status, 400, "{answer}");
    assert!(answer["error_description"]
        .as_str()
        .unwrap()
        .contains("stores as 1"));
    // Without --strict the same transcript is taken, with a log line.
    let lenient = Sandbox::start(&[]);
    let call_id = lenient.finished_call();
    lenient.result(
        "telephony.call.attachTranscription",
        json!({"CALL_ID": call_id, "MESSAGES": [{"SIDE": "User", "STOP_TIME": 3, "MESSAGE": "x"}]}),
    );
    lenient.stderr_line("MESSAGES[0][START_TIME] is nothing, which a portal stores as 0");
}

#[test]
fn calls_are_kept_across_restarts() {
    let dir = tempfile::tempdir().unwrap();
    let data_dir = dir.path().join("kept");
    let data = data_dir.to_str().unwrap();
    let first = Sandbox::spawn(&["--data-dir", data, "--webhook-code", "keep"]);
    let call_id = first.finished_call();
    let attached = first.result(
        "telephony.externalCall.attachRecord",
        json!({"CALL_ID": call_id, "FILENAME": "k.mp3", "FILE_CONTENT": "aGVsbG8="}),
    );
    drop(first);
    let second = Sandbox::spawn(&["--data-dir", data, "--webhook-code", "keep"]);
    let row = second.statistic(&call_id);
    assert_eq!(row["RECORD_FILE_ID"], attached["FILE_ID"]);
    assert_eq!(row["CALL_DURATION"], "42");
    let next = second.finished_call();
    assert_ne!(second.statistic(&next)["ID"], row["ID"]);
}

#[test]
fn the_web_page_shows_calls_with_their_record_and_transcript() {
    let sandbox = Sandbox::start(&[]);
    let call_id = sandbox.finished_call();
    let audio = sample_bytes(4000);
    sandbox.result(
        "telephony.externalCall.attachRecord",
        json!({"CALL_ID": call_id, "FILENAME": "page.mp3",
               "FILE_CONTENT": base64::engine::general_purpose::STANDARD.encode(&audio)}),
    );
    sandbox.result(
        "telephony.call.attachTranscription",
        json!({"CALL_ID": call_id, "MESSAGES": [
            {"SIDE": "User", "START_TIME": 0, "STOP_TIME": 2, "MESSAGE": "Good <b>afternoon</b>"},
            {"SIDE": "Client", "START_TIME": 2, "STOP_TIME": 4, "MESSAGE": "Hello"},
        ]}),
    );
    let get = |path: &str| {
        let response = sandbox
            .http
            .get(format!("{}{path}", sandbox.portal_url))
            .send()
            .unwrap();
        let kind = response.headers()["content-type"]
            .to_str()
            .unwrap()
            .to_string();
        (
            response.status().as_u16(),
            kind,
            response.bytes().unwrap().to_vec(),
        )
    };
    let (status, kind, list) = get("/");
    assert_eq!((status, kind.as_str()), (200, "text/html; charset=utf-8"));
    let list = String::from_utf8(list).unwrap();
    assert!(
        list.contains(&format!("href=\"/calls/{call_id}\"")),
        "{list}"
    );
    let (status, _, card) = get(&format!("/calls/{call_id}"));
    let card = String::from_utf8(card).unwrap();
    assert_eq!(status, 200);
    assert!(
        card.contains(&format!(
            "<audio id=\"record\" controls preload=\"metadata\" src=\"/calls/{call_id}/record\">"
        )),
        "{card}"
    );
    assert!(card.contains("Good &lt;b&gt;afternoon&lt;/b&gt;"), "{card}");
    assert!(card.contains("class=\"message client\""), "{card}");
    let (status, kind, bytes) = get(&format!("/calls/{call_id}/record"));
    assert_eq!((status, kind.as_str()), (200, "audio/mpeg"));
    assert_eq!(bytes, audio);
    let (status, _, _) = get("/calls/externalCall.none.1");
    assert_eq!(status, 404);
}

/// Debian's Chromium, or `None` (the test then skips loudly; .ci/run installs it).
fn chromium() -> Option<&'static str> {
    ["chromium", "chromium-browser", "google-chrome"]
        .into_iter()
        .find(|name| {
            Command::new(name)
                .arg("--version")
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .status()
                .is_ok_and(|s| s.success())
        })
}

#[test]
fn a_headless_chromium_plays_the_record_and_shows_the_transcript() {
    let Some(browser) = chromium() else {
        eprintln!("\n==============================================================");
        eprintln!("SKIPPED the browser test: no chromium (apt-get install chromium)");
        eprintln!("==============================================================\n");
        return;
    };
    let sandbox = Sandbox::start(&[]);
    let call_id = sandbox.finished_call();
    let wav =
        std::fs::read(Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/audio/pcm16.wav"))
            .unwrap();
    sandbox.result(
        "telephony.externalCall.attachRecord",
        json!({"CALL_ID": call_id, "FILENAME": "browser.wav",
               "FILE_CONTENT": base64::engine::general_purpose::STANDARD.encode(&wav)}),
    );
    sandbox.result(
        "telephony.call.attachTranscription",
        json!({"CALL_ID": call_id, "MESSAGES": [
            {"SIDE": "User", "START_TIME": 0, "STOP_TIME": 1, "MESSAGE": "Good <i>afternoon</i>"},
            {"SIDE": "Client", "START_TIME": 1, "STOP_TIME": 2, "MESSAGE": "Hello & welcome"},
        ]}),
    );
    let profile = tempfile::tempdir().unwrap();
    let mut child = Command::new(browser)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--no-first-run",
            "--virtual-time-budget=10000",
            "--dump-dom",
        ])
        .arg(format!("--user-data-dir={}", profile.path().display()))
        .arg(format!("{}/calls/{call_id}", sandbox.portal_url))
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut dom = String::new();
    let mut stdout = child.stdout.take().unwrap();
    let reader = std::thread::spawn(move || {
        stdout.read_to_string(&mut dom).unwrap();
        dom
    });
    let deadline = Instant::now() + Duration::from_secs(90);
    while child.try_wait().unwrap().is_none() {
        if Instant::now() > deadline {
            let _ = child.kill();
            panic!("chromium did not finish within 90 s");
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    let dom = reader.join().unwrap();
    // The page loaded, and the browser fetched and decoded the record: its script
    // shows the length only after the audio element's metadata arrived.
    assert!(
        dom.contains(&format!("<dd id=\"call-id\">{call_id}</dd>")),
        "{dom}"
    );
    let state = dom
        .split("<p id=\"record-state\">")
        .nth(1)
        .and_then(|rest| rest.split("</p>").next())
        .unwrap_or_else(|| panic!("no record state in {dom}"));
    let seconds: f64 = state
        .strip_prefix("Length ")
        .and_then(|rest| rest.strip_suffix(" s"))
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("the browser did not play the record: {state:?}"));
    assert!(seconds > 0.5, "{state}");
    let line = sandbox.stderr_line(&format!("GET /calls/{call_id}/record "));
    assert!(line.contains(" 200 ") || line.contains(" 206 "), "{line}");
    // The audio element's source answers with the stored bytes.
    let src = dom
        .split("<audio id=\"record\"")
        .nth(1)
        .and_then(|rest| rest.split("src=\"").nth(1))
        .and_then(|rest| rest.split('"').next())
        .unwrap_or_else(|| panic!("no audio source in {dom}"));
    let served = sandbox
        .http
        .get(format!("{}{src}", sandbox.portal_url))
        .send()
        .unwrap()
        .bytes()
        .unwrap();
    assert!(
        served.as_ref() == wav.as_slice(),
        "the player's source differs"
    );
    // The transcript is a dialogue of User and Client, its text escaped.
    assert!(
        dom.contains("<li class=\"message user\"><span class=\"side\">User</span>"),
        "{dom}"
    );
    assert!(
        dom.contains("<p>Good &lt;i&gt;afternoon&lt;/i&gt;</p>"),
        "{dom}"
    );
    assert!(
        dom.contains("<li class=\"message client\"><span class=\"side\">Client</span>"),
        "{dom}"
    );
    assert!(dom.contains("<p>Hello &amp; welcome</p>"), "{dom}");
}

#[test]
fn the_record_is_served_in_ranges_for_a_seeking_player() {
    let sandbox = Sandbox::start(&[]);
    let call_id = sandbox.finished_call();
    let audio = sample_bytes(100_000);
    sandbox.result(
        "telephony.externalCall.attachRecord",
        json!({"CALL_ID": call_id, "FILENAME": "seek.wav",
               "FILE_CONTENT": base64::engine::general_purpose::STANDARD.encode(&audio)}),
    );
    let url = format!("{}/calls/{call_id}/record", sandbox.portal_url);
    let get = |range: Option<&str>| {
        let mut request = sandbox.http.get(&url);
        if let Some(range) = range {
            request = request.header("Range", range);
        }
        let response = request.send().unwrap();
        let header = |name: &str| {
            response
                .headers()
                .get(name)
                .map(|v| v.to_str().unwrap().to_string())
        };
        let heads = (header("content-range"), header("accept-ranges"));
        let kind = header("content-type");
        (
            response.status().as_u16(),
            heads,
            kind,
            response.bytes().unwrap().to_vec(),
        )
    };
    let (status, (range, accept), kind, bytes) = get(None);
    assert_eq!(
        (status, range, accept.as_deref()),
        (200, None, Some("bytes"))
    );
    assert_eq!(kind.as_deref(), Some("audio/wav"));
    assert!(bytes == audio);
    let len = audio.len();
    for (asked, from, to) in [
        ("bytes=0-", 0, len),
        ("bytes=0-1", 0, 2),
        ("bytes=70000-79999", 70_000, 80_000),
        ("bytes=99990-200000", 99_990, len),
        ("bytes=-16", len - 16, len),
        ("bytes=50000-", 50_000, len),
    ] {
        let (status, (range, _), _, bytes) = get(Some(asked));
        assert_eq!(status, 206, "{asked}");
        assert_eq!(
            range,
            Some(format!("bytes {from}-{}/{len}", to - 1)),
            "{asked}"
        );
        assert!(bytes == audio[from..to], "{asked}: wrong bytes");
    }
    let (status, (range, _), _, bytes) = get(Some("bytes=100000-"));
    assert_eq!(
        (status, range, bytes.len()),
        (416, Some(format!("bytes */{len}")), 0)
    );
    // Several ranges at once: the whole record, as a server may answer.
    let (status, _, _, bytes) = get(Some("bytes=0-1,5-6"));
    assert_eq!((status, bytes.len()), (200, len));
}

#[test]
fn statistic_get_answers_pages_of_50_with_next_and_total() {
    let sandbox = Sandbox::start(&["-q"]);
    let calls: Vec<String> = (0..53).map(|_| sandbox.finished_call()).collect();
    let (status, first) = sandbox.call("voximplant.statistic.get", json!({"SORT": "ID"}));
    assert_eq!(status, 200, "{first}");
    let rows = first["result"].as_array().unwrap();
    assert_eq!(
        (rows.len(), &first["next"], &first["total"]),
        (50, &json!(50), &json!(53))
    );
    assert_eq!(rows[0]["CALL_ID"], calls[0].as_str());
    // `start` from a form body, as CRest pages.
    let (status, last) = sandbox.form("voximplant.statistic.get", "SORT=ID&start=50");
    assert_eq!(status, 200, "{last}");
    let rows = last["result"].as_array().unwrap();
    assert_eq!(rows.len(), 3, "{last}");
    assert_eq!(rows[2]["CALL_ID"], calls[52].as_str());
    assert!(last.get("next").is_none(), "{last}");
    assert_eq!(last["total"], 53);
}

#[test]
fn tls_serves_https_with_a_ca_written_to_the_data_dir() {
    let sandbox = Sandbox::start(&["--tls"]);
    assert!(
        sandbox.webhook_url.starts_with("https://127.0.0.1:"),
        "{}",
        sandbox.webhook_url
    );
    let ca = std::fs::read(sandbox.data_dir.join("ca.pem")).unwrap();
    let trusting = Client::builder()
        .add_root_certificate(reqwest::Certificate::from_pem(&ca).unwrap())
        .build()
        .unwrap();
    let answer: Value = trusting
        .post(format!("{}profile", sandbox.webhook_url))
        .send()
        .unwrap()
        .json()
        .unwrap();
    assert_eq!(answer["result"]["ID"], "1");
    let call_id = {
        let post = |method: &str, body: Value| -> Value {
            trusting
                .post(format!("{}{method}", sandbox.webhook_url))
                .json(&body)
                .send()
                .unwrap()
                .json()
                .unwrap()
        };
        let reg = post(
            "telephony.externalCall.register",
            json!({"USER_ID": 1, "PHONE_NUMBER": "1", "TYPE": 1}),
        );
        let call_id = reg["result"]["CALL_ID"].as_str().unwrap().to_string();
        post("telephony.externalCall.finish", json!({"CALL_ID": call_id}));
        let upload = post(
            "telephony.externalCall.attachRecord",
            json!({"CALL_ID": call_id, "FILENAME": "t.mp3"}),
        );
        let url = upload["result"]["uploadUrl"].as_str().unwrap();
        assert!(url.starts_with("https://127.0.0.1:"), "{url}");
        call_id
    };
    assert!(call_id.starts_with("externalCall."));
    // A client that does not trust the CA cannot connect.
    assert!(Client::new()
        .post(format!("{}profile", sandbox.webhook_url))
        .send()
        .is_err());
}
