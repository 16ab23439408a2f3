//! A new user's first hour (issue 15): every hint true, every screen readable.
//! Black-box through the built binary; screens under a real pseudo-terminal.

mod common;

use common::{b24tel, stderr, stdout_json};
use tempfile::TempDir;

const CODE: &str = "uxsecret0123456789";

fn webhook() -> String {
    format!("https://ux.example.com/rest/1/{CODE}/")
}

#[test]
fn config_init_force_repairs_a_file_that_no_longer_parses() {
    let home = TempDir::new().unwrap();
    let path = home.path().join("b24tel.toml");
    let broken = "default_profile = \"office\"\n[profiles.office\nwebhook_url = \"x\"\n";
    std::fs::write(&path, broken).unwrap();

    // Every command names the way out...
    let out = b24tel(home.path())
        .args(["--config", path.to_str().unwrap(), "config", "show"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(8), "{}", stderr(&out));
    let hint = stderr(&out);
    assert!(
        hint.contains("config init") && hint.contains("--force"),
        "{hint}"
    );

    // ...without --force the way out refuses and changes nothing...
    let out = b24tel(home.path())
        .args(["--config", path.to_str().unwrap(), "-p", "office"])
        .args(["--webhook", &webhook(), "config", "init"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(8), "{}", stderr(&out));
    assert_eq!(std::fs::read_to_string(&path).unwrap(), broken);

    // ...and with it the file is written afresh, the old one kept beside it.
    let out = b24tel(home.path())
        .args(["--config", path.to_str().unwrap(), "-p", "office"])
        .args(["--webhook", &webhook(), "config", "init", "--force"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let result = stdout_json(&out);
    let backup = home.path().join("b24tel.toml.bak");
    assert_eq!(result["backup"], backup.display().to_string());
    assert_eq!(std::fs::read_to_string(&backup).unwrap(), broken);
    assert!(!out.stdout.windows(CODE.len()).any(|w| w == CODE.as_bytes()));

    let out = b24tel(home.path())
        .args(["--config", path.to_str().unwrap(), "config", "show"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(String::from_utf8_lossy(&out.stdout).contains("office"));

    // A second repair never overwrites the first backup.
    std::fs::write(&path, "= nonsense").unwrap();
    let out = b24tel(home.path())
        .args(["--config", path.to_str().unwrap(), "-p", "office"])
        .args(["--webhook", &webhook(), "config", "init", "--force"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(std::fs::read_to_string(&backup).unwrap(), broken);
    assert_eq!(
        std::fs::read_to_string(home.path().join("b24tel.toml.bak.2")).unwrap(),
        "= nonsense"
    );
}

/// The problem lines of an exit-3 validation failure, as stderr shows them.
fn problems(out: &std::process::Output) -> Vec<String> {
    assert_eq!(out.status.code(), Some(3), "{}", stderr(out));
    stderr(out)
        .lines()
        .filter(|l| l.starts_with("  "))
        .map(|l| l.trim().to_string())
        .collect()
}

fn dry_attach(home: &TempDir, source: &[&str]) -> std::process::Output {
    b24tel(home.path())
        .env("B24TEL_WEBHOOK", webhook())
        .args(["record", "attach", "--call-id", "X", "--dry-run"])
        .args(source)
        .output()
        .unwrap()
}

#[test]
fn an_ogg_url_points_to_file_and_convert_not_to_renaming() {
    let home = TempDir::new().unwrap();
    let lines = problems(&dry_attach(
        &home,
        &["--url", "https://pbx.example.com/r/a.ogg"],
    ));
    assert_eq!(lines.len(), 1, "{lines:?}");
    let line = &lines[0];
    assert!(
        line.contains("--file PATH") && line.contains("--convert"),
        "{line}"
    );
    assert!(line.contains("mp3/wav only"), "{line}");
    assert!(
        !line.contains("--filename NAME.mp3"),
        "renaming misleads: {line}"
    );
}

#[test]
fn a_url_without_extension_names_the_fix_once() {
    let home = TempDir::new().unwrap();
    let lines = problems(&dry_attach(
        &home,
        &["--url", "https://pbx.example.com/r/a"],
    ));
    assert_eq!(lines.len(), 1, "{lines:?}");
    assert_eq!(lines[0].matches("--filename").count(), 1, "{}", lines[0]);
}

#[test]
fn a_folder_as_file_is_one_problem() {
    let home = TempDir::new().unwrap();
    for folder in [".", "..", home.path().to_str().unwrap()] {
        let out = b24tel(home.path())
            .current_dir(home.path())
            .env("B24TEL_WEBHOOK", webhook())
            .args([
                "record",
                "attach",
                "--call-id",
                "X",
                "--dry-run",
                "--file",
                folder,
            ])
            .output()
            .unwrap();
        let lines = problems(&out);
        assert_eq!(lines.len(), 1, "{folder}: {lines:?}");
        assert!(lines[0].contains("is a directory"), "{}", lines[0]);
    }
}

#[test]
fn the_plain_http_hint_shows_the_profile_line() {
    let home = TempDir::new().unwrap();
    let out = b24tel(home.path())
        .env("B24TEL_WEBHOOK", "http://pbx.example.com/rest/1/abc/")
        .args([
            "record",
            "attach",
            "--call-id",
            "X",
            "--url",
            "https://h/a.mp3",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(8), "{}", stderr(&out));
    let hint = stderr(&out);
    assert!(
        hint.contains("`allow_http = true`") && hint.contains("[profiles.NAME]"),
        "{hint}"
    );
    assert!(hint.contains("profile key"), "{hint}");
    assert!(!hint.contains("--allow-http"), "{hint}");

    // The line as shown, under the profile, is what makes it work.
    let config = home.path().join("b24tel.toml");
    std::fs::write(
        &config,
        "[profiles.lan]\nwebhook_url = \"http://127.0.0.9:9/rest/1/abc/\"\nallow_http = true\n",
    )
    .unwrap();
    let out = b24tel(home.path())
        .args([
            "--config",
            config.to_str().unwrap(),
            "-p",
            "lan",
            "--dry-run",
        ])
        .args([
            "record",
            "attach",
            "--call-id",
            "X",
            "--url",
            "https://h/a.mp3",
        ])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
}

#[test]
fn a_url_the_portal_could_not_download_says_the_portal_fetched_it() {
    let sandbox = common::Sandbox::start(&[]);
    let call_id = sandbox.new_call(true);
    let missing = format!("{}/no/such/record.mp3", sandbox.portal_url);
    let out = sandbox
        .cmd()
        .args(["record", "attach", "--call-id", &call_id, "--url", &missing])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(5), "{}", stderr(&out));
    let text = stderr(&out);
    assert!(
        text.contains("the portal downloaded") && text.contains("HTTP 404"),
        "{text}"
    );
    assert!(text.contains("reachable from the portal's side"), "{text}");
    assert!(!text.contains(&sandbox.code()), "{text}");
}

#[test]
fn record_upload_url_takes_no_sniff_as_its_hint_says() {
    let home = TempDir::new().unwrap();
    // WAV bytes under an .mp3 name: the sniff refuses and names --no-sniff...
    let file = common::write(home.path(), "call.mp3", &common::wav_bytes(800));
    let upload = |extra: &[&str]| {
        b24tel(home.path())
            .env("B24TEL_WEBHOOK", webhook())
            .args([
                "record",
                "upload-url",
                "--call-id",
                "X",
                "--filename",
                "call.mp3",
            ])
            .args([
                "--upload",
                file.to_str().unwrap(),
                "--dry-run",
                "--convert",
                "never",
            ])
            .args(extra)
            .output()
            .unwrap()
    };
    let out = upload(&[]);
    assert_eq!(out.status.code(), Some(3), "{}", stderr(&out));
    assert!(stderr(&out).contains("--no-sniff"), "{}", stderr(&out));
    // ...and the same command takes it.
    let out = upload(&["--no-sniff"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(stdout_json(&out)["dry_run"], true);
}

#[test]
fn usage_lines_do_not_show_env_set_globals_as_required() {
    let home = TempDir::new().unwrap();
    for (var, value) in [
        ("B24TEL_PROFILE", "office"),
        ("B24TEL_OUTPUT", "json"),
        ("B24TEL_WEBHOOK", webhook().as_str()),
    ] {
        let out = b24tel(home.path())
            .env(var, value)
            .args(["record", "attach", "--call-id", "X"])
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
        let usage = stderr(&out);
        let line = usage
            .lines()
            .find(|l| l.starts_with("Usage:"))
            .expect(&usage);
        assert_eq!(
            line, "Usage: b24tel record attach --call-id <ID> <--file <PATH>|--url <URL>>",
            "{var}"
        );
        assert!(!usage.contains(CODE), "{usage}");
    }
    // The variable still works.
    let out = b24tel(home.path())
        .env("B24TEL_OUTPUT", "bogus")
        .args(["config", "path"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(stderr(&out).contains("bogus"), "{}", stderr(&out));
}

#[test]
fn sandbox_listens_on_localhost_by_name() {
    use std::io::BufRead;
    let home = TempDir::new().unwrap();
    let mut child = std::process::Command::new(common::bin())
        .args(["sandbox", "--addr", "localhost:0", "-o", "json"])
        .env("HOME", home.path())
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut line = String::new();
    std::io::BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let started: Result<serde_json::Value, _> = serde_json::from_str(&line);
    let portal = started
        .as_ref()
        .ok()
        .and_then(|v| v["portal_url"].as_str().map(str::to_string));
    let answer = portal
        .as_ref()
        .map(|url| reqwest::blocking::get(url).map(|r| r.status()));
    let _ = child.kill();
    let _ = child.wait();
    let portal = portal.unwrap_or_else(|| panic!("sandbox did not start: {line:?}"));
    assert!(
        portal.starts_with("http://127.0.0.1:") || portal.starts_with("http://[::1]:"),
        "{portal}"
    );
    assert!(answer.unwrap().unwrap().is_success());

    // A port that is not a number is named, with an example.
    let out = b24tel(home.path())
        .args(["sandbox", "--addr", "localhost:http"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(stderr(&out).contains("localhost:8024"), "{}", stderr(&out));
}

/// Runs b24tel under a real pseudo-terminal (`script`), `stty` setting its size,
/// and returns everything the terminal received (stdout and stderr as drawn).
fn under_pty(home: &TempDir, size: (u16, u16), env: &[(&str, &str)], args: &[&str]) -> Vec<u8> {
    let quote = |s: &str| format!("'{}'", s.replace('\'', r"'\''"));
    let mut line = format!("stty cols {} rows {}; exec env", size.0, size.1);
    for (key, value) in env {
        line.push_str(&format!(" {key}={}", quote(value)));
    }
    line.push_str(&format!(" {}", quote(common::bin().to_str().unwrap())));
    for arg in args {
        line.push(' ');
        line.push_str(&quote(arg));
    }
    let transcript = home.path().join("typescript");
    let status = std::process::Command::new("script")
        .args(["-qfc", &line])
        .arg(&transcript)
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("HOME", home.path())
        .env("TERM", "xterm")
        .env("NO_COLOR", "1")
        .current_dir(home.path())
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .status()
        .expect("script(1) from util-linux");
    assert!(status.success(), "script: {status}");
    let text = std::fs::read(&transcript).unwrap();
    // `script` frames the session with a header and a footer line of its own.
    let text = String::from_utf8_lossy(&text).into_owned();
    let body = text.split_once('\n').map(|(_, b)| b).unwrap_or(&text);
    let body = body
        .rsplit_once("\nScript done")
        .map(|(b, _)| b)
        .unwrap_or(body);
    body.as_bytes().to_vec()
}

/// The screen lines as drawn: split at CR/LF, escape sequences removed.
fn drawn_lines(bytes: &[u8]) -> Vec<String> {
    let text = String::from_utf8_lossy(bytes);
    let mut plain = String::new();
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '\u{1b}' {
            if chars.peek() == Some(&'[') {
                chars.next();
                for c in chars.by_ref() {
                    if c.is_ascii_alphabetic() {
                        break;
                    }
                }
            }
            continue;
        }
        plain.push(c);
    }
    plain
        .split(['\r', '\n'])
        .map(str::to_string)
        .filter(|l| !l.is_empty())
        .collect()
}

fn big_wav(dir: &std::path::Path, name: &str) -> std::path::PathBuf {
    common::write(dir, name, &common::wav_bytes(8_000_000))
}

#[test]
fn the_progress_bar_fits_80_columns_then_waits_on_the_portal() {
    let sandbox =
        common::Sandbox::start(&["--fault", "slow:3@telephony.externalCall.attachRecord"]);
    let call_id = sandbox.new_call(true);
    let home = TempDir::new().unwrap();
    let file = big_wav(
        home.path(),
        "a-very-long-recording-name-from-the-pbx-queue-sales-2026-12-03-0815.wav",
    );
    let screen = under_pty(
        &home,
        (80, 24),
        &[("B24TEL_WEBHOOK", &sandbox.webhook_url)],
        &[
            "-o",
            "json",
            "record",
            "attach",
            "--call-id",
            &call_id,
            "--file",
            file.to_str().unwrap(),
        ],
    );
    let lines = drawn_lines(&screen);
    let text = lines.join("\n");
    assert!(text.contains("\"file_id\""), "{text}");
    assert!(
        lines.iter().any(|l| l.contains("] ") && l.contains("MiB")),
        "no bar drawn: {text}"
    );
    // The result (one JSON line on stdout) may wrap; what b24tel draws may not.
    for line in lines.iter().filter(|l| !l.starts_with('{')) {
        assert!(
            line.trim_end().chars().count() <= 79,
            "wider than 80 columns: {line:?}"
        );
    }
    // After the last byte the portal takes 3 s: a spinner counts them.
    assert!(text.contains("waiting for the portal (2 s)"), "{text}");
    assert!(
        !String::from_utf8_lossy(&screen).contains("\u{1b}[1A"),
        "cursor-up on a one-line bar"
    );
    assert!(!text.contains(&sandbox.code()), "{text}");
}

#[test]
fn a_0x0_terminal_gets_no_bar_and_no_cursor_codes() {
    let sandbox = common::Sandbox::start(&[]);
    let call_id = sandbox.new_call(true);
    let home = TempDir::new().unwrap();
    let file = big_wav(home.path(), "call.wav");
    let screen = under_pty(
        &home,
        (0, 0),
        &[("B24TEL_WEBHOOK", &sandbox.webhook_url)],
        &[
            "-o",
            "json",
            "record",
            "attach",
            "--call-id",
            &call_id,
            "--file",
            file.to_str().unwrap(),
        ],
    );
    let raw = String::from_utf8_lossy(&screen);
    assert!(raw.contains("\"file_id\""), "{raw}");
    assert!(
        !raw.contains('\u{1b}'),
        "escape codes on a 0x0 terminal: {raw:?}"
    );
    assert!(!raw.contains("waiting for the portal"), "{raw}");

    // A narrow terminal still gets a bar, inside its width.
    let call_id = sandbox.new_call(true);
    let screen = under_pty(
        &home,
        (50, 24),
        &[("B24TEL_WEBHOOK", &sandbox.webhook_url)],
        &[
            "-o",
            "json",
            "record",
            "attach",
            "--call-id",
            &call_id,
            "--file",
            file.to_str().unwrap(),
        ],
    );
    let lines = drawn_lines(&screen);
    assert!(lines.iter().any(|l| l.contains("MiB")), "{lines:?}");
    for line in lines.iter().filter(|l| !l.starts_with('{')) {
        assert!(
            line.trim_end().chars().count() <= 49,
            "wider than 50 columns: {line:?}"
        );
    }
}

#[test]
fn call_list_tables_fit_the_terminal_and_keep_whole_call_ids() {
    let sandbox = common::Sandbox::start(&[]);
    let ids = [sandbox.new_call(true), sandbox.new_call(true)];
    let home = TempDir::new().unwrap();
    for cols in [80u16, 60] {
        let screen = under_pty(
            &home,
            (cols, 24),
            &[("B24TEL_WEBHOOK", &sandbox.webhook_url)],
            &["call", "list"],
        );
        let lines = drawn_lines(&screen);
        let header = lines
            .iter()
            .position(|l| l.starts_with("CALL_ID"))
            .expect("a table");
        for line in &lines {
            assert!(
                line.chars().count() <= usize::from(cols),
                "{cols} columns: {line:?}"
            );
        }
        // The call id column, read down: every id is there whole, wrapped not cut.
        let id_width = lines[header].find("START").unwrap();
        let column: String = lines[header + 1..]
            .iter()
            .map(|l| {
                l.chars()
                    .take(id_width)
                    .collect::<String>()
                    .trim()
                    .to_string()
            })
            .collect();
        for id in &ids {
            assert!(
                column.contains(id.as_str()),
                "{cols} columns: {id} not in {column}"
            );
        }
    }
}

#[test]
fn config_init_on_a_terminal_does_not_echo_the_webhook_secret() {
    let home = TempDir::new().unwrap();
    let config = home.path().join("b24tel.toml");
    let transcript = home.path().join("typescript");
    let line = format!(
        "env B24TEL_CONFIG='{}' '{}' -p office config init; stty -a",
        config.display(),
        common::bin().display()
    );
    // Typed a moment later, as a person would, once the prompt is up.
    let mut script = std::process::Command::new("sh")
        .arg("-c")
        .arg(format!(
            "(sleep 1.5; printf '%s\\n' '{}') | script -qfc \"$0\" '{}'",
            webhook(),
            transcript.display()
        ))
        .arg(&line)
        .env("TERM", "xterm")
        .stdout(std::process::Stdio::null())
        .spawn()
        .unwrap();
    assert!(script.wait().unwrap().success());
    let screen = std::fs::read_to_string(&transcript).unwrap();
    assert!(screen.contains("not shown as you type"), "{screen}");
    assert!(!screen.contains(CODE), "the secret was echoed: {screen}");
    assert!(
        screen.contains("https://ux.example.com/rest/1/***/"),
        "{screen}"
    );
    // Echo is back on for the shell afterwards.
    assert!(
        screen.contains(" echo ") && !screen.contains("-echo "),
        "{screen}"
    );
    let written = std::fs::read_to_string(&config).unwrap();
    assert!(written.contains(&webhook()), "{written}");
}

/// A person following only the README: cron gets an absolute path, the install step
/// says where the binary lands, the sandbox walk-through registers and finishes a call.
#[test]
fn readme_cron_lines_install_step_and_sandbox_walkthrough() {
    let readme =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md")).unwrap();
    let cron: Vec<&str> = readme
        .lines()
        .filter(|l| l.trim_start_matches(['#', ' ']).starts_with("*/"))
        .collect();
    assert!(!cron.is_empty());
    for line in cron {
        let program = line
            .split_whitespace()
            .find(|w| w.ends_with("b24tel"))
            .unwrap_or_else(|| panic!("no b24tel in {line:?}"));
        assert!(
            program.starts_with('/'),
            "cron's PATH has no ~/.cargo/bin: {line:?}"
        );
    }
    let install = readme
        .find("cargo install --path .")
        .expect("an install step");
    assert!(
        readme[install..]
            .lines()
            .take(3)
            .any(|l| l.contains("~/.cargo/bin/b24tel")),
        "say where `cargo install` puts the binary"
    );
    let by_hand = &readme[readme.find("### The whole path by hand").unwrap()..];
    let by_hand = &by_hand[..by_hand.find("\n## ").unwrap()];
    for step in [
        "b24tel sandbox",
        "call register",
        "call finish",
        "record attach",
    ] {
        assert!(
            by_hand.contains(step),
            "the sandbox walk-through lacks {step}"
        );
    }
}

#[test]
fn a_result_table_wraps_long_values_inside_the_terminal() {
    let sandbox = common::Sandbox::start(&[]);
    let call_id = sandbox.new_call(true);
    let home = TempDir::new().unwrap();
    let name = "queue-sales-2026-12-03-0815-agent-0042-customer-callback-recording.wav";
    let file = common::write(home.path(), name, &common::wav_bytes(800));
    let screen = under_pty(
        &home,
        (60, 24),
        &[("B24TEL_WEBHOOK", &sandbox.webhook_url)],
        &[
            "-q",
            "record",
            "attach",
            "--call-id",
            &call_id,
            "--file",
            file.to_str().unwrap(),
        ],
    );
    let lines = drawn_lines(&screen);
    assert!(lines.iter().any(|l| l.starts_with("file_id")), "{lines:?}");
    for line in &lines {
        assert!(
            line.chars().count() <= 60,
            "wider than 60 columns: {line:?}"
        );
    }
    // Read down the value column, the call id and the file name are whole.
    let values: String = lines
        .iter()
        .map(|l| l.split_once("  ").map_or("", |(_, v)| v.trim()))
        .collect();
    assert!(values.contains(&call_id), "{lines:?}");
    assert!(values.contains(name), "{lines:?}");
}
