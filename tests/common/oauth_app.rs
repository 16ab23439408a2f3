//! A sandbox process with an OAuth app whose credentials we know, plus a config
//! whose profile `app` refreshes its tokens there (the OAuth and doctor tests).

use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Child, Command, Output, Stdio};
use std::time::Duration;

use serde_json::{json, Value};
use tempfile::TempDir;

use super::{bin, stderr, write_config};

pub struct App {
    child: Child,
    pub info: Value,
    pub dir: TempDir,
    pub config: PathBuf,
}

impl App {
    /// Access tokens live `lifetime` seconds.
    pub fn start(lifetime: &str) -> App {
        App::start_with(lifetime, &[])
    }

    pub fn start_with(lifetime: &str, extra: &[&str]) -> App {
        let dir = TempDir::new().unwrap();
        let log = std::fs::File::create(dir.path().join("sandbox.log")).unwrap();
        let mut child = Command::new(bin())
            .args(["sandbox", "--addr", "127.0.0.1:0", "-o", "json"])
            .args(["--token-lifetime", lifetime, "--data-dir"])
            .arg(dir.path().join("data"))
            .args(extra)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::from(log))
            .spawn()
            .unwrap();
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        let info: Value = serde_json::from_str(&line)
            .unwrap_or_else(|e| panic!("sandbox did not start ({e}): {line:?}"));
        let portal = info["portal_url"].as_str().unwrap();
        let config = write_config(
            dir.path(),
            "config.toml",
            &format!(
                "[profiles.app]\nportal_url = \"{portal}\"\nclient_id = \"{}\"\nclient_secret = \"{}\"\nserver_endpoint = \"{portal}/oauth/\"\n",
                info["client_id"].as_str().unwrap(),
                info["client_secret"].as_str().unwrap(),
            ),
        );
        App {
            child,
            info,
            dir,
            config,
        }
    }

    pub fn field(&self, key: &str) -> String {
        self.info[key].as_str().unwrap().to_string()
    }

    pub fn home(&self) -> PathBuf {
        self.dir.path().join("home")
    }

    pub fn token_file(&self) -> PathBuf {
        self.home().join(".config/b24tel/tokens/app.json")
    }

    /// b24tel with a clean environment, profile `app` of this sandbox.
    pub fn cmd(&self) -> Command {
        let mut cmd = Command::new(bin());
        cmd.env_clear()
            .env("HOME", self.home())
            .env("XDG_CONFIG_HOME", self.home().join(".config"))
            .env("PATH", std::env::var_os("PATH").unwrap_or_default())
            .env("B24TEL_CONFIG", &self.config)
            .args(["-p", "app", "-o", "json"])
            .stdin(Stdio::null());
        cmd
    }

    pub fn login(&self) {
        let out = self
            .cmd()
            .args([
                "auth",
                "login",
                "--refresh-token",
                &self.field("refresh_token"),
            ])
            .output()
            .unwrap();
        assert!(out.status.success(), "{}", stderr(&out));
    }

    pub fn log(&self) -> String {
        std::fs::read_to_string(self.dir.path().join("sandbox.log")).unwrap_or_default()
    }

    /// Refreshes the token endpoint granted (the login's included).
    pub fn refreshes(&self) -> usize {
        self.log()
            .lines()
            .filter(|l| l.contains("oauth refresh #"))
            .count()
    }

    pub fn webhook(&self, method: &str, params: Value) -> Value {
        let response = reqwest::blocking::Client::new()
            .post(format!("{}{method}", self.field("webhook_url")))
            .json(&params)
            .send()
            .unwrap();
        response.json().unwrap()
    }

    pub fn finished_call(&self) -> String {
        let body = self.webhook(
            "telephony.externalCall.register",
            json!({"USER_ID": 1, "PHONE_NUMBER": "+15550100", "TYPE": 2}),
        );
        let call_id = body["result"]["CALL_ID"].as_str().unwrap().to_string();
        self.webhook(
            "telephony.externalCall.finish",
            json!({"CALL_ID": call_id, "USER_ID": 1, "DURATION": 42}),
        );
        call_id
    }

    /// A one-message transcript attach to `call_id` with profile `app`.
    pub fn attach(&self, call_id: &str) -> Command {
        let mut cmd = self.cmd();
        cmd.args([
            "transcript",
            "attach",
            "--call-id",
            call_id,
            "--message",
            "User:0:1:hello",
        ]);
        cmd
    }

    /// Every secret this app has had (the app's secret, the issued refresh
    /// token, and whatever the token file holds): none may ever be printed.
    pub fn secrets(&self) -> Vec<String> {
        let mut secrets = vec![self.field("client_secret"), self.field("refresh_token")];
        if let Ok(text) = std::fs::read_to_string(self.token_file()) {
            if let Ok(stored) = serde_json::from_str::<Value>(&text) {
                for key in ["access_token", "refresh_token"] {
                    if let Some(token) = stored[key].as_str().filter(|t| !t.is_empty()) {
                        secrets.push(token.to_string());
                    }
                }
            }
        }
        secrets
    }

    pub fn assert_no_secret(&self, output: &Output) {
        let text = format!(
            "{}{}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        );
        for secret in self.secrets() {
            assert!(!text.contains(&secret), "a secret was printed: {text}");
        }
    }

    /// Waits out a 2-second access token's life (the sandbox's clock, not a server).
    pub fn until_expired(&self) {
        std::thread::sleep(Duration::from_millis(2100));
    }
}

impl Drop for App {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
