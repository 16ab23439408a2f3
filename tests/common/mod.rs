//! Shared by the black-box tests: the built binary with a clean environment,
//! the sandbox portal on a free loopback port, and small HTTP helpers.
#![allow(dead_code)]

pub mod oauth_app;
pub mod tls;

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command as StdCommand, Stdio};

use serde_json::{json, Value};
use tempfile::TempDir;

pub fn bin() -> PathBuf {
    assert_cmd::cargo::cargo_bin("b24tel")
}

/// The binary with nothing of the caller's environment: a fresh HOME and config dir.
pub fn b24tel(home: &Path) -> assert_cmd::Command {
    let mut cmd = assert_cmd::Command::new(bin());
    cmd.env_clear()
        .env("HOME", home)
        .env("XDG_CONFIG_HOME", home.join(".config"))
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("NO_COLOR", "1");
    cmd
}

pub fn stdout_json(output: &std::process::Output) -> Value {
    let text = String::from_utf8_lossy(&output.stdout);
    serde_json::from_str(text.trim())
        .unwrap_or_else(|e| panic!("stdout is not one JSON value ({e}): {text}"))
}

pub fn stderr(output: &std::process::Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

pub fn stdout(output: &std::process::Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

/// A `b24tel sandbox` process on a free loopback port, killed on drop.
pub struct Sandbox {
    child: Child,
    pub webhook_url: String,
    pub portal_url: String,
    pub access_token: String,
    /// Everything the sandbox printed when it started (its OAuth app's credentials too).
    pub info: Value,
    pub data_dir: PathBuf,
    pub home: TempDir,
    _dir: TempDir,
}

impl Sandbox {
    pub fn start(extra: &[&str]) -> Sandbox {
        let dir = TempDir::new().unwrap();
        let data_dir = dir.path().join("data");
        let log = std::fs::File::create(dir.path().join("sandbox.log")).unwrap();
        let mut child = StdCommand::new(bin())
            .args([
                "sandbox",
                "--addr",
                "127.0.0.1:0",
                "-o",
                "json",
                "--data-dir",
            ])
            .arg(&data_dir)
            .args(extra)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::from(log))
            .spawn()
            .unwrap();
        // Waits on the line the sandbox prints once it listens.
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        let info: Value = serde_json::from_str(&line)
            .unwrap_or_else(|e| panic!("sandbox did not start ({e}): {line:?}"));
        Sandbox {
            child,
            webhook_url: info["webhook_url"].as_str().unwrap().to_string(),
            portal_url: info["portal_url"].as_str().unwrap().to_string(),
            access_token: info["access_token"].as_str().unwrap().to_string(),
            info,
            data_dir,
            home: TempDir::new().unwrap(),
            _dir: dir,
        }
    }

    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// A scratch folder that lives as long as the sandbox (its data dir is inside).
    pub fn dir(&self) -> &Path {
        self._dir.path()
    }

    pub fn log(&self) -> String {
        std::fs::read_to_string(self._dir.path().join("sandbox.log")).unwrap_or_default()
    }

    /// The webhook's secret code, to assert it never shows.
    pub fn code(&self) -> String {
        self.webhook_url
            .trim_end_matches('/')
            .rsplit('/')
            .next()
            .unwrap()
            .to_string()
    }

    /// b24tel pointed at this sandbox through B24TEL_WEBHOOK.
    pub fn cmd(&self) -> assert_cmd::Command {
        let mut cmd = b24tel(self.home.path());
        cmd.env("B24TEL_WEBHOOK", &self.webhook_url);
        cmd
    }

    /// Calls a method directly over HTTP (webhook auth); returns (status, body).
    pub fn call(&self, method: &str, params: Value) -> (u16, Value) {
        let response = reqwest::blocking::Client::new()
            .post(format!("{}{method}", self.webhook_url))
            .json(&params)
            .send()
            .unwrap();
        let status = response.status().as_u16();
        (status, response.json().unwrap_or(Value::Null))
    }

    /// Registers a call; finishes it too when `finish`.
    pub fn new_call(&self, finish: bool) -> String {
        // A portal gives an identical registration within 30 minutes the same call.
        static CALLS: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
        let external = CALLS.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let (status, body) = self.call(
            "telephony.externalCall.register",
            json!({"USER_ID": 1, "PHONE_NUMBER": "+15550100", "TYPE": 2,
                   "EXTERNAL_CALL_ID": format!("test-{external}")}),
        );
        assert_eq!(status, 200, "{body}");
        let call_id = body["result"]["CALL_ID"].as_str().unwrap().to_string();
        if finish {
            self.finish(&call_id);
        }
        call_id
    }

    pub fn finish(&self, call_id: &str) {
        let (status, body) = self.call(
            "telephony.externalCall.finish",
            json!({"CALL_ID": call_id, "USER_ID": 1, "DURATION": 42}),
        );
        assert_eq!(status, 200, "{body}");
    }

    /// The bytes the sandbox stored for FILE_ID.
    pub fn record(&self, file_id: i64) -> Vec<u8> {
        let dir = self.data_dir.join("records").join(file_id.to_string());
        let entry = std::fs::read_dir(&dir)
            .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
            .next()
            .unwrap()
            .unwrap();
        std::fs::read(entry.path()).unwrap()
    }

    /// Every transcript the sandbox stored, in id order.
    pub fn transcripts(&self) -> Vec<Value> {
        let dir = self.data_dir.join("transcripts");
        let mut found: Vec<(i64, Value)> = std::fs::read_dir(&dir)
            .map(|entries| {
                entries
                    .filter_map(|e| e.ok())
                    .filter(|e| e.path().extension().is_some_and(|x| x == "json"))
                    .map(|e| {
                        let value: Value =
                            serde_json::from_slice(&std::fs::read(e.path()).unwrap()).unwrap();
                        (value["TRANSCRIPT_ID"].as_i64().unwrap(), value)
                    })
                    .collect()
            })
            .unwrap_or_default();
        found.sort_by_key(|(id, _)| *id);
        found.into_iter().map(|(_, v)| v).collect()
    }
}

impl Drop for Sandbox {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A short valid WAV file (silence) of `samples` 16-bit mono samples.
pub fn wav_bytes(samples: usize) -> Vec<u8> {
    let data_len = (samples * 2) as u32;
    let mut out = Vec::new();
    out.extend_from_slice(b"RIFF");
    out.extend_from_slice(&(36 + data_len).to_le_bytes());
    out.extend_from_slice(b"WAVEfmt ");
    out.extend_from_slice(&16u32.to_le_bytes());
    out.extend_from_slice(&1u16.to_le_bytes());
    out.extend_from_slice(&1u16.to_le_bytes());
    out.extend_from_slice(&8000u32.to_le_bytes());
    out.extend_from_slice(&16000u32.to_le_bytes());
    out.extend_from_slice(&2u16.to_le_bytes());
    out.extend_from_slice(&16u16.to_le_bytes());
    out.extend_from_slice(b"data");
    out.extend_from_slice(&data_len.to_le_bytes());
    out.extend((0..samples * 2).map(|i| (i * 31 % 251) as u8));
    out
}

/// An MP3-looking file: an ID3 header followed by `len` pattern bytes.
pub fn mp3_bytes(len: usize) -> Vec<u8> {
    let mut out = b"ID3\x03\x00\x00\x00\x00\x00\x00".to_vec();
    out.extend((0..len).map(|i| (i * 7 % 253) as u8));
    out
}

pub fn write(dir: &Path, name: &str, bytes: &[u8]) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, bytes).unwrap();
    path
}

/// A loopback listener that counts connections and answers none: proves a
/// command did not try to connect.
pub struct ConnectionCounter {
    pub addr: std::net::SocketAddr,
    count: std::sync::Arc<std::sync::atomic::AtomicUsize>,
}

impl ConnectionCounter {
    pub fn start() -> ConnectionCounter {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap();
        let count = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
        let counted = count.clone();
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                counted.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                drop(stream);
            }
        });
        ConnectionCounter { addr, count }
    }

    pub fn connections(&self) -> usize {
        self.count.load(std::sync::atomic::Ordering::SeqCst)
    }
}

/// A config file as `config init` would leave it: mode 0600.
pub fn write_config(dir: &Path, name: &str, text: &str) -> PathBuf {
    use std::os::unix::fs::PermissionsExt;
    let path = write(dir, name, text.as_bytes());
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600)).unwrap();
    path
}

impl Sandbox {
    /// Finishes the call from another thread after `delay`, as a slow portal would.
    pub fn finish_later(
        &self,
        call_id: &str,
        delay: std::time::Duration,
    ) -> std::thread::JoinHandle<()> {
        let webhook = self.webhook_url.clone();
        let call_id = call_id.to_string();
        std::thread::spawn(move || {
            std::thread::sleep(delay);
            reqwest::blocking::Client::new()
                .post(format!("{webhook}telephony.externalCall.finish"))
                .json(&json!({"CALL_ID": call_id, "USER_ID": 1, "DURATION": 5}))
                .send()
                .unwrap();
        })
    }
}

/// Serves `bytes` to every GET on a loopback port; returns the URL of `path`.
pub fn serve_file(bytes: Vec<u8>, path: &str) -> String {
    use std::io::{Read, Write};
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { continue };
            let mut head = [0u8; 4096];
            let _ = stream.read(&mut head);
            let _ = write!(
                stream,
                "HTTP/1.1 200 OK\r\nContent-Length: {}\r\nContent-Type: audio/mpeg\r\nConnection: close\r\n\r\n",
                bytes.len()
            );
            let _ = stream.write_all(&bytes);
        }
    });
    format!("http://{addr}{path}")
}

/// Waits for CHILD, sampling its peak RSS (VmHWM, KiB) every 2 ms. VmHWM belongs
/// to the process's own address space; a child's rusage would also count the RSS
/// of the test process it was forked from.
pub fn wait_with_peak_rss(mut child: Child) -> (std::process::ExitStatus, u64) {
    let status_path = format!("/proc/{}/status", child.id());
    let mut peak = 0u64;
    loop {
        if let Ok(status) = std::fs::read_to_string(&status_path) {
            let hwm = status
                .lines()
                .find_map(|l| l.strip_prefix("VmHWM:"))
                .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
                .unwrap_or(0);
            peak = peak.max(hwm);
        }
        if let Some(status) = child.try_wait().unwrap() {
            return (status, peak);
        }
        std::thread::sleep(std::time::Duration::from_millis(2));
    }
}
