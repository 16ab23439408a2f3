//! Profiles, the config file and its layering, through the built binary.

mod common;

use std::os::unix::fs::PermissionsExt;

use common::{b24tel, stderr, stdout, stdout_json, wav_bytes, write};
use tempfile::TempDir;

const CODE_A: &str = "aaaa1111secret";
const CODE_B: &str = "bbbb2222secret";

fn config_with_two_profiles(home: &TempDir) -> std::path::PathBuf {
    let path = home.path().join("b24tel.toml");
    std::fs::write(
        &path,
        format!(
            r#"# my PBX settings
default_profile = "a"

[profiles.a]
webhook_url = "https://a.example.com/rest/1/{CODE_A}/"

[profiles.b]
webhook_url = "https://b.example.com/rest/2/{CODE_B}/"
timeout_secs = 5

[profiles.app]
portal_url = "https://app.example.com"
access_token = "tokenInFile999"
"#
        ),
    )
    .unwrap();
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600)).unwrap();
    path
}

/// The URL a dry run would POST to: tells which profile won.
fn planned_url(cmd: &mut assert_cmd::Command, home: &TempDir) -> String {
    let wav = write(home.path(), "call.wav", &wav_bytes(100));
    let output = cmd
        .args(["record", "attach", "--call-id", "c1", "--dry-run", "--file"])
        .arg(&wav)
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", stderr(&output));
    stdout_json(&output)["url"].as_str().unwrap().to_string()
}

#[test]
fn default_profile_then_env_then_flag() {
    let home = TempDir::new().unwrap();
    let config = config_with_two_profiles(&home);

    let url = planned_url(b24tel(home.path()).arg("--config").arg(&config), &home);
    assert!(
        url.starts_with("https://a.example.com/rest/1/***/"),
        "{url}"
    );

    let url = planned_url(
        b24tel(home.path())
            .env("B24TEL_CONFIG", &config)
            .env("B24TEL_PROFILE", "b"),
        &home,
    );
    assert!(
        url.starts_with("https://b.example.com/rest/2/***/"),
        "{url}"
    );

    let url = planned_url(
        b24tel(home.path())
            .env("B24TEL_CONFIG", &config)
            .env("B24TEL_PROFILE", "b")
            .args(["-p", "a"]),
        &home,
    );
    assert!(url.starts_with("https://a.example.com/"), "{url}");
}

#[test]
fn webhook_env_and_flag_override_the_profile() {
    let home = TempDir::new().unwrap();
    let config = config_with_two_profiles(&home);
    let url = planned_url(
        b24tel(home.path())
            .env("B24TEL_CONFIG", &config)
            .env("B24TEL_WEBHOOK", "https://env.example.com/rest/3/envcode/"),
        &home,
    );
    assert!(
        url.starts_with("https://env.example.com/rest/3/***/"),
        "{url}"
    );

    let url = planned_url(
        b24tel(home.path())
            .env("B24TEL_CONFIG", &config)
            .env("B24TEL_WEBHOOK", "https://env.example.com/rest/3/envcode/")
            .args(["--webhook", "https://flag.example.com/rest/4/flagcode/"]),
        &home,
    );
    assert!(
        url.starts_with("https://flag.example.com/rest/4/***/"),
        "{url}"
    );
}

#[test]
fn oauth_profile_posts_to_rest_method_without_token_in_url() {
    let home = TempDir::new().unwrap();
    let config = config_with_two_profiles(&home);
    let url = planned_url(
        b24tel(home.path())
            .env("B24TEL_CONFIG", &config)
            .args(["-p", "app"]),
        &home,
    );
    assert_eq!(
        url,
        "https://app.example.com/rest/telephony.externalCall.attachRecord"
    );
}

#[test]
fn webhook_alone_needs_no_config_file() {
    let home = TempDir::new().unwrap();
    let url = planned_url(
        b24tel(home.path()).args(["--webhook", "https://solo.example.com/rest/1/solocode"]),
        &home,
    );
    assert!(
        url.starts_with("https://solo.example.com/rest/1/***/"),
        "{url}"
    );
}

#[test]
fn missing_profile_is_exit_8_naming_file_and_profiles() {
    let home = TempDir::new().unwrap();
    let config = config_with_two_profiles(&home);
    let output = b24tel(home.path())
        .arg("--config")
        .arg(&config)
        .args(["-p", "nope", "doctor"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(8));
    let err = stderr(&output);
    assert!(
        err.contains("'nope'") && err.contains("b24tel.toml") && err.contains("a, app, b"),
        "{err}"
    );
}

#[test]
fn no_portal_configured_is_exit_8_with_the_fix() {
    let home = TempDir::new().unwrap();
    let wav = write(home.path(), "call.wav", &wav_bytes(10));
    let output = b24tel(home.path())
        .args(["record", "attach", "--call-id", "c1", "--file"])
        .arg(&wav)
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(8));
    assert!(
        stderr(&output).contains("config init"),
        "{}",
        stderr(&output)
    );
}

#[test]
fn invalid_config_is_exit_8_with_file_and_line() {
    let home = TempDir::new().unwrap();
    let path = home.path().join("bad.toml");
    std::fs::write(
        &path,
        "default_profile = \"a\"\n\n[profiles.a]\nwebhook_url = https://x\n",
    )
    .unwrap();
    let output = b24tel(home.path())
        .arg("--config")
        .arg(&path)
        .arg("doctor")
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(8));
    assert!(
        stderr(&output).contains("bad.toml:4"),
        "{}",
        stderr(&output)
    );

    std::fs::write(
        &path,
        "[profiles.a]\nwebhook_url = \"https://x/rest/1/c/\"\ntimeout = 3\n",
    )
    .unwrap();
    let output = b24tel(home.path())
        .arg("--config")
        .arg(&path)
        .arg("doctor")
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(8));
    let err = stderr(&output);
    assert!(
        err.contains("bad.toml:3") && err.contains("timeout"),
        "{err}"
    );
}

#[test]
fn unreadable_config_is_exit_8() {
    let home = TempDir::new().unwrap();
    // A directory where the file should be cannot be read as a file, even by root.
    let path = home.path().join("dir.toml");
    std::fs::create_dir(&path).unwrap();
    let output = b24tel(home.path())
        .arg("--config")
        .arg(&path)
        .arg("doctor")
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(8));
    assert!(stderr(&output).contains("dir.toml"), "{}", stderr(&output));
}

#[test]
fn init_writes_0600_and_refuses_to_overwrite_without_force() {
    let home = TempDir::new().unwrap();
    let url = "https://portal.example.com/rest/7/initcode777/";
    let output = b24tel(home.path())
        .args(["config", "init", "-p", "office", "--webhook", url])
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", stderr(&output));
    assert!(
        !stdout(&output).contains("initcode777"),
        "{}",
        stdout(&output)
    );
    let path = home.path().join(".config/b24tel/config.toml");
    let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o600);
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(
        text.contains("default_profile = \"office\"") && text.contains(url),
        "{text}"
    );

    let again = b24tel(home.path())
        .args([
            "config",
            "init",
            "-p",
            "office",
            "--webhook",
            "https://other.example.com/rest/1/zz/",
        ])
        .output()
        .unwrap();
    assert_eq!(again.status.code(), Some(8));
    assert!(stderr(&again).contains("--force"), "{}", stderr(&again));
    assert_eq!(
        std::fs::read_to_string(&path).unwrap(),
        text,
        "file changed without --force"
    );

    let forced = b24tel(home.path())
        .args([
            "config",
            "init",
            "-p",
            "office",
            "--force",
            "--webhook",
            "https://other.example.com/rest/1/zz/",
        ])
        .output()
        .unwrap();
    assert!(forced.status.success(), "{}", stderr(&forced));
    assert!(std::fs::read_to_string(&path)
        .unwrap()
        .contains("other.example.com"));
}

#[test]
fn init_keeps_other_profiles_and_comments() {
    let home = TempDir::new().unwrap();
    let config = config_with_two_profiles(&home);
    let output = b24tel(home.path())
        .arg("--config")
        .arg(&config)
        .args([
            "config",
            "init",
            "-p",
            "new",
            "--webhook",
            "https://n.example.com/rest/1/nn/",
        ])
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", stderr(&output));
    let text = std::fs::read_to_string(&config).unwrap();
    assert!(
        text.contains("# my PBX settings")
            && text.contains(CODE_B)
            && text.contains("[profiles.new]"),
        "{text}"
    );
    assert!(
        text.contains("default_profile = \"a\""),
        "default must not move: {text}"
    );
}

#[test]
fn init_rejects_a_url_that_is_not_a_webhook() {
    let home = TempDir::new().unwrap();
    let output = b24tel(home.path())
        .args([
            "config",
            "init",
            "--webhook",
            "https://portal.example.com/crm/secretish/",
        ])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(3));
    assert!(!home.path().join(".config/b24tel/config.toml").exists());
    assert!(!stderr(&output).contains("secretish"));
}

#[test]
fn init_without_url_off_a_terminal_is_a_usage_error() {
    let home = TempDir::new().unwrap();
    let output = b24tel(home.path())
        .args(["config", "init"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert!(stderr(&output).contains("--webhook"));
}

#[test]
fn show_hides_every_secret() {
    let home = TempDir::new().unwrap();
    let config = config_with_two_profiles(&home);
    let output = b24tel(home.path())
        .arg("--config")
        .arg(&config)
        .args(["config", "show", "-o", "json"])
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", stderr(&output));
    let all = format!("{}{}", stdout(&output), stderr(&output));
    for secret in [CODE_A, CODE_B, "tokenInFile999"] {
        assert!(!all.contains(secret), "{secret} leaked: {all}");
    }
    let shown = stdout_json(&output);
    assert_eq!(shown["default_profile"], "a");
    let profiles = shown["profiles"].as_array().unwrap();
    assert_eq!(profiles.len(), 3);
    let app = profiles.iter().find(|p| p["name"] == "app").unwrap();
    assert_eq!(app["access_token"], "***");
    assert_eq!(
        profiles[0]["webhook_url"],
        "https://a.example.com/rest/1/***/"
    );

    let table = b24tel(home.path())
        .arg("--config")
        .arg(&config)
        .args(["config", "show", "-o", "table"])
        .output()
        .unwrap();
    let text = stdout(&table);
    assert!(
        text.contains("NAME") && text.contains("https://b.example.com/rest/2/***/"),
        "{text}"
    );
    assert!(!text.contains(CODE_B));
}

#[test]
fn config_readable_by_others_warns_unless_quiet() {
    let home = TempDir::new().unwrap();
    let config = config_with_two_profiles(&home);
    std::fs::set_permissions(&config, std::fs::Permissions::from_mode(0o644)).unwrap();
    let output = b24tel(home.path())
        .arg("--config")
        .arg(&config)
        .args(["config", "show"])
        .output()
        .unwrap();
    assert!(output.status.success());
    assert!(
        stderr(&output).contains("readable by other users"),
        "{}",
        stderr(&output)
    );

    let quiet = b24tel(home.path())
        .arg("--config")
        .arg(&config)
        .args(["-q", "config", "show"])
        .output()
        .unwrap();
    assert!(quiet.status.success());
    assert_eq!(stderr(&quiet), "");
}

#[test]
fn path_follows_flag_env_and_platform_default() {
    let home = TempDir::new().unwrap();
    let output = b24tel(home.path())
        .args(["config", "path", "-o", "table"])
        .output()
        .unwrap();
    assert_eq!(
        stdout(&output).trim(),
        home.path()
            .join(".config/b24tel/config.toml")
            .display()
            .to_string()
    );
    let output = b24tel(home.path())
        .env("B24TEL_CONFIG", "/tmp/from-env.toml")
        .args(["config", "path"])
        .output()
        .unwrap();
    assert_eq!(stdout_json(&output)["path"], "/tmp/from-env.toml");
    let output = b24tel(home.path())
        .env("B24TEL_CONFIG", "/tmp/from-env.toml")
        .args(["config", "path", "--config", "/tmp/flag.toml"])
        .output()
        .unwrap();
    assert_eq!(stdout_json(&output)["path"], "/tmp/flag.toml");
}

#[test]
fn bad_flags_are_usage_errors_exit_2() {
    let home = TempDir::new().unwrap();
    for args in [
        &["record", "attach", "--file", "a.mp3"][..],
        &["-o", "xml", "doctor"],
        &[
            "record",
            "attach",
            "--call-id",
            "c1",
            "--file",
            "a.mp3",
            "--url",
            "https://x/a.mp3",
        ],
        &[
            "transcript",
            "attach",
            "--call-id",
            "c1",
            "--message",
            "User:0:1:hi",
            "--default-side",
            "robot",
        ],
        &[
            "transcript",
            "attach",
            "--call-id",
            "c1",
            "--file",
            "a.srt",
            "--speaker",
            "Anna",
        ],
    ] {
        let output = b24tel(home.path()).args(args).output().unwrap();
        assert_eq!(
            output.status.code(),
            Some(2),
            "{args:?}: {}",
            stderr(&output)
        );
    }
}

#[test]
fn show_hides_the_code_of_a_malformed_webhook_url_too() {
    let home = TempDir::new().unwrap();
    let path = common::write_config(
        home.path(),
        "odd.toml",
        "[profiles.odd]\nwebhook_url = \"https://h.example/rest/one/topsecret77/\"\n",
    );
    let output = b24tel(home.path())
        .arg("--config")
        .arg(&path)
        .args(["config", "show", "-o", "json"])
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", stderr(&output));
    assert!(
        !stdout(&output).contains("topsecret77"),
        "{}",
        stdout(&output)
    );
    assert!(stdout(&output).contains("h.example"));
}
