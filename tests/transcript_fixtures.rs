//! Every fixture under tests/fixtures/transcripts/{tools,hand}/ beside its
//! NAME.expected.json goes through the built binary with --dry-run: the MESSAGES
//! planned, the warnings printed, or the problems and exit code, exactly.
//! tools/ holds files the real tools' writers made (generate.py); hand/ holds
//! shapes no installable writer produces, each saying where its shape comes from.

mod common;

use std::path::PathBuf;

use common::{b24tel, stderr, stdout_json, Sandbox};
use serde_json::Value;

fn fixtures() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/transcripts")
}

fn expected_files() -> Vec<PathBuf> {
    let mut files = Vec::new();
    for dir in ["tools", "hand", "vendor"] {
        for entry in std::fs::read_dir(fixtures().join(dir)).unwrap() {
            let path = entry.unwrap().path();
            if path.to_string_lossy().ends_with(".expected.json") {
                files.push(path);
            }
        }
    }
    files.sort();
    files
}

/// A dry run against the sandbox, for a call it has no statistics row for (so the
/// CALL_DURATION check is skipped and the fixtures' own times are what is checked).
fn run(sandbox: &Sandbox, input: &str, args: &[String]) -> std::process::Output {
    sandbox
        .cmd()
        .current_dir(fixtures())
        .args(["--dry-run", "-o", "json", "transcript", "attach"])
        .args(["--call-id", "FIXTURE.1", "--file", input])
        .args(args)
        .output()
        .unwrap()
}

#[test]
fn every_fixture_gives_its_expected_messages() {
    let sandbox = Sandbox::start(&[]);
    let files = expected_files();
    assert!(files.len() >= 31, "fixtures missing: {files:?}");
    let mut failures = Vec::new();
    for path in files {
        let expected: Value = serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
        let source = expected["source"].as_str().unwrap_or("");
        assert!(
            !source.is_empty(),
            "{path:?} says nowhere where it comes from"
        );
        let dir = path
            .parent()
            .unwrap()
            .file_name()
            .unwrap()
            .to_string_lossy();
        let input = format!("{dir}/{}", expected["input"].as_str().unwrap());
        let args: Vec<String> = expected["args"]
            .as_array()
            .unwrap()
            .iter()
            .map(|a| a.as_str().unwrap().to_string())
            .collect();
        let output = run(&sandbox, &input, &args);
        let err = stderr(&output);
        let warnings: Vec<String> = err
            .lines()
            .filter_map(|l| l.strip_prefix("warning: "))
            .map(str::to_string)
            .collect();
        let want_warnings: Vec<String> = expected["warnings"]
            .as_array()
            .map(|w| w.iter().map(|v| v.as_str().unwrap().to_string()).collect())
            .unwrap_or_default();
        if let Some(messages) = expected.get("messages") {
            if !output.status.success() {
                failures.push(format!("{input}: refused: {err}"));
                continue;
            }
            let planned = &stdout_json(&output)["params"]["MESSAGES"];
            if planned != messages {
                failures.push(format!("{input}: planned {planned}, expected {messages}"));
            }
            if warnings != want_warnings {
                failures.push(format!(
                    "{input}: warnings {warnings:?}, expected {want_warnings:?}"
                ));
            }
        } else {
            let code = output.status.code();
            if code != expected["exit"].as_i64().map(|c| c as i32) {
                failures.push(format!("{input}: exit {code:?}: {err}"));
            }
            for problem in expected["errors"].as_array().unwrap() {
                let problem = problem.as_str().unwrap();
                if !err.contains(problem) {
                    failures.push(format!("{input}: missing `{problem}` in {err}"));
                }
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn empty_stdin_says_so() {
    let home = tempfile::tempdir().unwrap();
    let output = b24tel(home.path())
        .args([
            "--webhook",
            "http://127.0.0.1:9/rest/1/fixture/",
            "--dry-run",
        ])
        .args(["transcript", "attach", "--call-id", "C.1", "--file", "-"])
        .write_stdin("")
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(3));
    let err = stderr(&output);
    assert!(
        err.contains("stdin: is empty: pipe a transcript in, or pass --file PATH"),
        "{err}"
    );
}

#[test]
fn skipped_and_widened_cues_are_placed_under_verbose() {
    let home = tempfile::tempdir().unwrap();
    let output = b24tel(home.path())
        .current_dir(fixtures())
        .args([
            "--webhook",
            "http://127.0.0.1:9/rest/1/fixture/",
            "--dry-run",
            "-v",
        ])
        .args(["transcript", "attach", "--call-id", "C.1"])
        .args(["--file", "tools/whisper-zero.srt", "--default-side", "User"])
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", stderr(&output));
    let err = stderr(&output);
    assert!(
        err.contains("tools/whisper-zero.srt:2: zero-length cue widened to 1 s"),
        "{err}"
    );
    assert!(
        err.contains("tools/whisper-zero.srt:6: empty cue skipped"),
        "{err}"
    );
}

#[test]
fn two_legs_merge_by_time_each_on_its_side() {
    let home = tempfile::tempdir().unwrap();
    let output = b24tel(home.path())
        .current_dir(fixtures())
        .args([
            "--webhook",
            "http://127.0.0.1:9/rest/1/fixture/",
            "--dry-run",
        ])
        .args(["-o", "json", "transcript", "attach", "--call-id", "C.1"])
        .args(["--user-file", "tools/leg-user.srt"])
        .args(["--client-file", "tools/leg-client.tsv"])
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", stderr(&output));
    let planned = &stdout_json(&output)["params"]["MESSAGES"];
    assert_eq!(
        planned,
        &serde_json::json!([
            {"SIDE": "User", "START_TIME": 0, "STOP_TIME": 3, "MESSAGE": "Добрый день, компания «Ромашка»."},
            {"SIDE": "Client", "START_TIME": 2, "STOP_TIME": 6, "MESSAGE": "Здравствуйте, я по поводу заказа."},
            {"SIDE": "User", "START_TIME": 5, "STOP_TIME": 8, "MESSAGE": "Назовите номер, пожалуйста."},
            {"SIDE": "Client", "START_TIME": 8, "STOP_TIME": 59, "MESSAGE": "Номер 4471."}
        ])
    );
    // One leg alone is refused by clap, naming the other.
    let output = b24tel(home.path())
        .current_dir(fixtures())
        .args([
            "--webhook",
            "http://127.0.0.1:9/rest/1/fixture/",
            "--dry-run",
        ])
        .args(["transcript", "attach", "--call-id", "C.1"])
        .args(["--user-file", "tools/leg-user.srt"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr(&output).contains("--client-file"),
        "{}",
        stderr(&output)
    );
}

/// A finished call long enough for every fixture's times.
fn long_call(sandbox: &Sandbox) -> String {
    let call = sandbox.new_call(false);
    let (status, body) = sandbox.call(
        "telephony.externalCall.finish",
        serde_json::json!({"CALL_ID": call, "USER_ID": 1, "DURATION": 120}),
    );
    assert_eq!(status, 200, "{body}");
    call
}

fn expected_messages(name: &str) -> Value {
    let path = fixtures().join(format!("{name}.expected.json"));
    serde_json::from_slice::<Value>(&std::fs::read(path).unwrap()).unwrap()["messages"].clone()
}

/// `batch` reads transcripts with the same flags as `transcript attach`:
/// --channel, --encoding, and the user_transcript/client_transcript columns
/// that stand for --user-file/--client-file. What the portal stores is checked.
#[test]
fn batch_takes_channel_encoding_and_two_legs() {
    let sandbox = Sandbox::start(&[]);
    let dir = tempfile::tempdir().unwrap();
    let fixture = |name: &str| fixtures().join(name).to_string_lossy().into_owned();
    let cases: [(&str, String, &[&str]); 3] = [
        (
            "channel",
            format!("transcript\n{}", fixture("vendor/yandex-v3.jsonl")),
            &["--channel", "0=User", "--channel", "1=Client"],
        ),
        (
            "encoding",
            format!("transcript\n{}", fixture("tools/cp1251.srt")),
            &["--default-side", "User", "--encoding", "cp1251"],
        ),
        (
            "legs",
            format!(
                "user_transcript,client_transcript\n{},{}",
                fixture("tools/leg-user.srt"),
                fixture("tools/leg-client.tsv")
            ),
            &[],
        ),
    ];
    for (name, columns, flags) in cases {
        let call = long_call(&sandbox);
        let (header, row) = columns.split_once('\n').unwrap();
        let manifest = dir.path().join(format!("{name}.csv"));
        std::fs::write(&manifest, format!("call_id,{header}\n{call},{row}\n")).unwrap();
        let output = sandbox
            .cmd()
            .args(["-o", "json", "batch", "--min-age", "0", "--manifest"])
            .arg(&manifest)
            .args(flags)
            .output()
            .unwrap();
        assert!(output.status.success(), "{name}: {}", stderr(&output));
        let stored = sandbox
            .transcripts()
            .into_iter()
            .find(|t| t["CALL_ID"] == call.as_str())
            .unwrap_or_else(|| panic!("{name}: nothing stored"));
        let want = match name {
            "channel" => expected_messages("vendor/yandex-v3.jsonl"),
            "encoding" => expected_messages("tools/cp1251.srt"),
            _ => serde_json::json!([
                {"SIDE": "User", "START_TIME": 0, "STOP_TIME": 3, "MESSAGE": "Добрый день, компания «Ромашка»."},
                {"SIDE": "Client", "START_TIME": 2, "STOP_TIME": 6, "MESSAGE": "Здравствуйте, я по поводу заказа."},
                {"SIDE": "User", "START_TIME": 5, "STOP_TIME": 8, "MESSAGE": "Назовите номер, пожалуйста."},
                {"SIDE": "Client", "START_TIME": 8, "STOP_TIME": 59, "MESSAGE": "Номер 4471."}
            ]),
        };
        assert_eq!(stored["MESSAGES"], want, "{name}: stored {stored}");
    }

    // Without --channel, the channels are unmapped: the row fails naming the flag.
    let call = long_call(&sandbox);
    let manifest = dir.path().join("unmapped.csv");
    std::fs::write(
        &manifest,
        format!(
            "call_id,transcript\n{call},{}\n",
            fixture("vendor/yandex-v3.jsonl")
        ),
    )
    .unwrap();
    let output = sandbox
        .cmd()
        .args(["-o", "json", "batch", "--min-age", "0", "--manifest"])
        .arg(&manifest)
        .output()
        .unwrap();
    assert_ne!(output.status.code(), Some(0));
    let all = format!("{}{}", common::stdout(&output), stderr(&output));
    assert!(all.contains("--channel"), "{all}");
}
