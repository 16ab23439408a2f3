//! `doctor`'s local checks through the built binary against the sandbox: an OAuth
//! app's token file (missing, open to others, no refresh token, expired, fine) and
//! whether an `ffmpeg` is on PATH for the codecs conversion hands to it.

mod common;

use std::path::{Path, PathBuf};
use std::process::Output;

use common::oauth_app::App;
use common::{stderr, stdout, stdout_json, Sandbox};
use serde_json::Value;
use tempfile::TempDir;

fn doctor(app: &App) -> Output {
    app.cmd().arg("doctor").output().unwrap()
}

fn check<'a>(out: &'a Value, name: &str) -> &'a Value {
    out["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == name)
        .unwrap_or_else(|| panic!("no {name} check in {out}"))
}

fn detail(out: &Value, name: &str) -> String {
    check(out, name)["detail"].as_str().unwrap().to_string()
}

#[cfg(unix)]
fn set_mode(path: &Path, mode: u32) {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).unwrap();
}

#[test]
fn doctor_checks_the_oauth_token_file() {
    let app = App::start("3600");

    // Not signed in yet: the token file check fails (exit 4) and says how to sign in.
    let out = doctor(&app);
    assert_eq!(out.status.code(), Some(4), "{}", stderr(&out));
    let json = stdout_json(&out);
    assert_eq!(check(&json, "token file")["ok"], false);
    assert!(detail(&json, "token file").contains("auth login -p app"));
    assert!(stderr(&out).contains("doctor: token file"));

    // Signed in: private, a live token, and a refresh is possible via the token server.
    app.login();
    let out = doctor(&app);
    assert!(out.status.success(), "{}", stderr(&out));
    let json = stdout_json(&out);
    let names: Vec<&str> = json["checks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["name"].as_str().unwrap())
        .collect();
    assert_eq!(names[names.len() - 2..], ["token file", "ffmpeg"]);
    let token = detail(&json, "token file");
    assert!(token.contains("(private)"), "{token}");
    assert!(token.contains("expires in"), "{token}");
    assert!(token.contains("refresh possible via"), "{token}");
    assert!(token.contains("/oauth/"), "{token}");
    app.assert_no_secret(&out);

    // Expired: still fine while a refresh is possible; the next run refreshes it.
    let text = std::fs::read_to_string(app.token_file()).unwrap();
    let mut stored: Value = serde_json::from_str(&text).unwrap();
    stored["expires_at"] = Value::from(1_000_000_000u64);
    std::fs::write(app.token_file(), stored.to_string()).unwrap();
    let out = doctor(&app);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(detail(&stdout_json(&out), "token file").contains("expired"));
    app.assert_no_secret(&out);

    // Readable by others: refused with the chmod to run (exit 8), before any request.
    #[cfg(unix)]
    {
        set_mode(&app.token_file(), 0o644);
        let out = doctor(&app);
        assert_eq!(out.status.code(), Some(8), "{}", stderr(&out));
        let json = stdout_json(&out);
        assert!(detail(&json, "token file").contains("chmod 600"));
        assert!(json["checks"]
            .as_array()
            .unwrap()
            .iter()
            .all(|c| c["name"] != "connection"));
        set_mode(&app.token_file(), 0o600);
    }

    // No refresh token: expiry would end every run; exit 4 with the login hint.
    let text = std::fs::read_to_string(app.token_file()).unwrap();
    let mut stored: Value = serde_json::from_str(&text).unwrap();
    stored["refresh_token"] = Value::from("");
    stored["expires_at"] = Value::from(1_000_000_000u64);
    std::fs::write(app.token_file(), stored.to_string()).unwrap();
    let out = doctor(&app);
    assert_eq!(out.status.code(), Some(4), "{}", stderr(&out));
    let token = detail(&stdout_json(&out), "token file");
    assert!(token.contains("no refresh token"), "{token}");
    assert!(token.contains("auth login"), "{token}");

    // An absurd expiry is shown, not a panic.
    stored["refresh_token"] = Value::from("r");
    stored["expires_at"] = Value::from(u64::MAX);
    std::fs::write(app.token_file(), stored.to_string()).unwrap();
    let out = app.cmd().args(["--dry-run", "doctor"]).output().unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let out = doctor(&app);
    assert_ne!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(detail(&stdout_json(&out), "token file").contains("expires in"));
}

#[test]
fn doctor_webhook_profiles_have_no_token_file_check() {
    let sandbox = Sandbox::start(&[]);
    let out = sandbox
        .cmd()
        .args(["-o", "json", "doctor"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let json = stdout_json(&out);
    assert!(json["checks"]
        .as_array()
        .unwrap()
        .iter()
        .all(|c| c["name"] != "token file"));
}

/// A directory holding only an `ffmpeg` that prints `version` as its first line.
#[cfg(unix)]
fn fake_ffmpeg(dir: &Path, version: &str) -> PathBuf {
    let bin = dir.join("bin");
    std::fs::create_dir_all(&bin).unwrap();
    let script = bin.join("ffmpeg");
    std::fs::write(&script, format!("#!/bin/sh\necho '{version}'\n")).unwrap();
    set_mode(&script, 0o755);
    bin
}

#[cfg(unix)]
#[test]
fn doctor_reports_ffmpeg_and_the_codecs_that_need_it() {
    let sandbox = Sandbox::start(&[]);
    let dir = TempDir::new().unwrap();

    let found = fake_ffmpeg(dir.path(), "ffmpeg version 9.9-doctor-test");
    let out = sandbox
        .cmd()
        .env("PATH", &found)
        .args(["-o", "json", "doctor"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let json = stdout_json(&out);
    assert_eq!(check(&json, "ffmpeg")["ok"], true);
    let text = detail(&json, "ffmpeg");
    assert!(text.contains("ffmpeg version 9.9-doctor-test"), "{text}");
    assert!(text.contains("GSM 6.10") && text.contains("Opus"), "{text}");

    // None on PATH: a warning naming the codecs, not a failure (exit 0).
    let empty = dir.path().join("empty");
    std::fs::create_dir_all(&empty).unwrap();
    let out = sandbox
        .cmd()
        .env("PATH", &empty)
        .args(["-o", "json", "doctor"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let json = stdout_json(&out);
    assert_eq!(check(&json, "ffmpeg")["ok"], false);
    let text = detail(&json, "ffmpeg");
    assert!(text.contains("not found"), "{text}");
    assert!(text.contains("GSM 6.10") && text.contains("Opus"), "{text}");
    assert!(!text.contains("A-law"), "{text}");

    let out = sandbox
        .cmd()
        .env("PATH", &empty)
        .args(["-o", "table", "doctor"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let table = stdout(&out);
    let line = table.lines().find(|l| l.contains("ffmpeg")).unwrap();
    assert!(line.contains("warn"), "{table}");
    assert!(!table.contains("FAIL"), "{table}");

    // Reported even when an earlier check stops doctor (no portal configured here).
    let home = TempDir::new().unwrap();
    let out = common::b24tel(home.path())
        .env("PATH", &found)
        .args(["-o", "json", "doctor"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(8), "{}", stderr(&out));
    assert_eq!(check(&stdout_json(&out), "ffmpeg")["ok"], true);
}

#[test]
fn doctor_dry_run_lists_token_file_and_ffmpeg() {
    let home = TempDir::new().unwrap();
    let out = common::b24tel(home.path())
        .env("B24TEL_WEBHOOK", "http://127.0.0.1:9/rest/1/secretcode1/")
        .args(["-o", "json", "--dry-run", "doctor"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let json = stdout_json(&out);
    for name in ["token file", "ffmpeg"] {
        assert!(check(&json, name)["ok"].is_null());
    }
}

#[test]
fn auth_status_shows_an_absurd_expiry_without_a_panic() {
    // Defect 8.7's class: no number from a file or a portal may panic.
    let app = App::start("3600");
    app.login();
    let text = std::fs::read_to_string(app.token_file()).unwrap();
    let mut stored: Value = serde_json::from_str(&text).unwrap();
    stored["expires_at"] = Value::from(u64::MAX);
    std::fs::write(app.token_file(), stored.to_string()).unwrap();
    let out = app.cmd().args(["auth", "status"]).output().unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let json = stdout_json(&out);
    assert!(
        json["expires_at"]
            .as_str()
            .unwrap()
            .starts_with("9999-12-31"),
        "{json}"
    );
    assert!(json["expires_in"].as_i64().unwrap() > 0, "{json}");
}
