//! A sandbox with an OAuth app whose credentials we know, plus a config whose
//! profile `app` refreshes its tokens there (the OAuth and doctor tests).

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::Duration;

use serde_json::Value;

use super::{bin, stderr, write_config, Sandbox};

pub struct App {
    sandbox: Sandbox,
    config: PathBuf,
}

impl App {
    /// Access tokens live `lifetime` seconds.
    pub fn start(lifetime: &str) -> App {
        App::start_with(lifetime, &[])
    }

    pub fn start_with(lifetime: &str, extra: &[&str]) -> App {
        let sandbox = Sandbox::start(&[&["--token-lifetime", lifetime], extra].concat());
        let portal = &sandbox.portal_url;
        let config = write_config(
            sandbox.dir(),
            "config.toml",
            &format!(
                "[profiles.app]\nportal_url = \"{portal}\"\nclient_id = \"{}\"\nclient_secret = \"{}\"\nserver_endpoint = \"{portal}/oauth/\"\n",
                sandbox.info["client_id"].as_str().unwrap(),
                sandbox.info["client_secret"].as_str().unwrap(),
            ),
        );
        App { sandbox, config }
    }

    pub fn field(&self, key: &str) -> String {
        self.sandbox.info[key].as_str().unwrap().to_string()
    }

    /// A scratch folder for the test's files.
    pub fn dir(&self) -> &Path {
        self.sandbox.dir()
    }

    pub fn home(&self) -> PathBuf {
        self.dir().join("home")
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
        self.sandbox.log()
    }

    /// Refreshes the token endpoint granted (the login's included).
    pub fn refreshes(&self) -> usize {
        self.log()
            .lines()
            .filter(|l| l.contains("oauth refresh #"))
            .count()
    }

    pub fn finished_call(&self) -> String {
        self.sandbox.new_call(true)
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
