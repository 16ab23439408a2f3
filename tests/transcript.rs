//! `transcript attach` through the built binary against the sandbox: every
//! format lands as exactly the expected MESSAGES, once.

mod common;

use std::path::PathBuf;
use std::time::Duration;

use common::{stderr, stdout_json, Sandbox};
use serde_json::json;

fn fixture(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/transcripts")
        .join(name)
}

fn attach(sandbox: &Sandbox, call_id: &str, args: &[&str]) -> std::process::Output {
    sandbox
        .cmd()
        .args(["-o", "json", "transcript", "attach", "--call-id", call_id])
        .args(args)
        .output()
        .unwrap()
}

fn logged(sandbox: &Sandbox, method: &str) -> usize {
    sandbox.log().lines().filter(|l| l.contains(method)).count()
}

#[test]
fn crlf_bom_srt_attaches_exact_messages() {
    let sandbox = Sandbox::start(&[]);
    let call = sandbox.new_call(true);
    let file = fixture("crlf_bom.srt");
    let output = attach(
        &sandbox,
        &call,
        &["--file", file.to_str().unwrap(), "--default-side", "client"],
    );
    assert!(output.status.success(), "{}", stderr(&output));
    let result = stdout_json(&output);
    assert_eq!(result["messages"], 3);
    let stored = sandbox.transcripts();
    assert_eq!(stored.len(), 1);
    assert_eq!(stored[0]["TRANSCRIPT_ID"], result["transcript_id"]);
    assert_eq!(stored[0]["CALL_ID"], call.as_str());
    assert_eq!(
        stored[0]["MESSAGES"],
        json!([
            {"SIDE": "User", "START_TIME": 0, "STOP_TIME": 2, "MESSAGE": "Hello, you've reached the service desk."},
            {"SIDE": "Client", "START_TIME": 2, "STOP_TIME": 5, "MESSAGE": "Hi, I need to reset my password."},
            {"SIDE": "User", "START_TIME": 5, "STOP_TIME": 8, "MESSAGE": "No problem, I'll send you a link."}
        ])
    );
}

#[test]
fn cyrillic_vtt_with_voice_tags_and_labels() {
    let sandbox = Sandbox::start(&[]);
    let call = sandbox.new_call(true);
    let file = fixture("cyrillic.vtt");
    let output = attach(
        &sandbox,
        &call,
        &[
            "--file",
            file.to_str().unwrap(),
            "--speaker",
            "Оператор=User",
            "--speaker",
            "клиент=client",
        ],
    );
    assert!(output.status.success(), "{}", stderr(&output));
    let stored = sandbox.transcripts();
    assert_eq!(
        stored[0]["MESSAGES"],
        json!([
            {"SIDE": "User", "START_TIME": 0, "STOP_TIME": 3, "MESSAGE": "Добрый день, компания «Ромашка», меня зовут Ольга."},
            {"SIDE": "Client", "START_TIME": 3, "STOP_TIME": 7, "MESSAGE": "Здравствуйте! Я хочу узнать статус заказа."},
            {"SIDE": "User", "START_TIME": 7, "STOP_TIME": 10, "MESSAGE": "Назовите, пожалуйста, номер заказа."},
            {"SIDE": "Client", "START_TIME": 10, "STOP_TIME": 12, "MESSAGE": "Номер 4471 — «срочная» доставка."}
        ])
    );
}

/// Every fixture: what the sandbox holds is exactly the plan `--dry-run` printed.
#[test]
fn every_format_lands_as_planned() {
    let sandbox = Sandbox::start(&[]);
    let cases: [(&str, &[&str]); 5] = [
        ("call.srt", &[]),
        (
            "call.vtt",
            &["--speaker", "Anna=User", "--speaker", "Customer=Client"],
        ),
        ("call.csv", &[]),
        ("call.json", &[]),
        (
            "whisperx.json",
            &[
                "--speaker",
                "SPEAKER_00=User",
                "--speaker",
                "SPEAKER_01=Client",
            ],
        ),
    ];
    for (name, extra) in cases {
        let call = sandbox.new_call(true);
        let file = fixture(name);
        let mut args = vec!["--file", file.to_str().unwrap()];
        args.extend_from_slice(extra);
        let mut dry = args.clone();
        dry.push("--dry-run");
        let plan = attach(&sandbox, &call, &dry);
        assert!(plan.status.success(), "{name}: {}", stderr(&plan));
        let planned = stdout_json(&plan)["params"]["MESSAGES"].clone();
        assert!(
            planned.as_array().is_some_and(|m| m.len() >= 3),
            "{name}: {planned}"
        );

        let before = sandbox.transcripts().len();
        let output = attach(&sandbox, &call, &args);
        assert!(output.status.success(), "{name}: {}", stderr(&output));
        let stored = sandbox.transcripts();
        assert_eq!(
            stored.len(),
            before + 1,
            "{name}: dry run must send nothing"
        );
        assert_eq!(stored.last().unwrap()["MESSAGES"], planned, "{name}");
        assert_eq!(
            stdout_json(&output)["messages"],
            planned.as_array().unwrap().len()
        );
    }
}

#[test]
fn stdin_and_flag_messages_with_colons_and_cost() {
    let sandbox = Sandbox::start(&[]);
    let call = sandbox.new_call(true);
    let output = sandbox
        .cmd()
        .args([
            "transcript",
            "attach",
            "--call-id",
            &call,
            "--file",
            "-",
            "--format",
            "srt",
            "--default-side",
            "User",
        ])
        .write_stdin("1\n00:00:01,200 --> 00:00:02,100\nHello\n")
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", stderr(&output));
    assert_eq!(
        sandbox.transcripts()[0]["MESSAGES"],
        json!([{"SIDE": "User", "START_TIME": 1, "STOP_TIME": 3, "MESSAGE": "Hello"}])
    );

    let output = attach(
        &sandbox,
        &call,
        &[
            "--message",
            "client:0:3.5:Call me at 10:30: sharp",
            "--message",
            "USER:4:5:ok",
            "--cost",
            "0.75",
            "--currency",
            "EUR",
        ],
    );
    assert!(output.status.success(), "{}", stderr(&output));
    let stored = &sandbox.transcripts()[1];
    assert_eq!(
        stored["MESSAGES"],
        json!([
            {"SIDE": "Client", "START_TIME": 0, "STOP_TIME": 4, "MESSAGE": "Call me at 10:30: sharp"},
            {"SIDE": "User", "START_TIME": 4, "STOP_TIME": 5, "MESSAGE": "ok"}
        ])
    );
    assert_eq!(stored["COST"], 0.75);
    assert_eq!(stored["COST_CURRENCY"], "EUR");
}

#[test]
fn every_violation_is_reported_and_nothing_sent() {
    let sandbox = Sandbox::start(&[]);
    let dir = tempfile::TempDir::new().unwrap();
    let csv = common::write(
        dir.path(),
        "bad.csv",
        b"side,start,stop,message\nUser,1,2,fine\nRobot,3,4,who\nClient,-1,0,\nUser,9,5,backwards\n",
    );
    let output = attach(
        &sandbox,
        "c 1",
        &["--file", csv.to_str().unwrap(), "--currency", "usd"],
    );
    assert_eq!(output.status.code(), Some(3));
    let err = stderr(&output);
    for expected in [
        "--call-id",
        "bad.csv:3",
        "bad.csv:4",
        "bad.csv:5",
        "--currency",
        "Robot",
        "--speaker",
    ] {
        assert!(err.contains(expected), "missing {expected}: {err}");
    }
    assert_eq!(logged(&sandbox, "attachTranscription"), 0);
    assert!(sandbox.transcripts().is_empty());
}

#[test]
fn malformed_json_gives_a_position_not_a_panic() {
    let sandbox = Sandbox::start(&[]);
    let dir = tempfile::TempDir::new().unwrap();
    let json = common::write(
        dir.path(),
        "t.json",
        b"[\n {\"side\": \"User\", \"start\": 1,\n",
    );
    let output = attach(&sandbox, "c1", &["--file", json.to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(3));
    assert!(stderr(&output).contains("t.json:"), "{}", stderr(&output));
    assert!(!stderr(&output).contains("panicked"));
}

#[test]
fn a_dropped_answer_is_not_repeated_and_says_the_outcome_is_unknown() {
    let sandbox = Sandbox::start(&["--fault", "drop:1@telephony.call.attachTranscription"]);
    let call = sandbox.new_call(true);
    let output = attach(&sandbox, &call, &["--message", "User:0:2:hello"]);
    assert_eq!(output.status.code(), Some(7), "{}", stderr(&output));
    let err = stderr(&output);
    assert!(
        err.contains("outcome is unknown") && err.contains("did not repeat"),
        "{err}"
    );
    assert_eq!(
        sandbox.transcripts().len(),
        1,
        "the portal stored it once; b24tel must not send it again"
    );
    assert_eq!(logged(&sandbox, "attachTranscription"), 1);
}

#[test]
fn query_limit_proves_nothing_was_stored_so_it_is_retried() {
    let sandbox = Sandbox::start(&["--fault", "ratelimit:2@telephony.call.attachTranscription"]);
    let call = sandbox.new_call(true);
    let output = attach(&sandbox, &call, &["--message", "User:0:2:hello"]);
    assert!(output.status.success(), "{}", stderr(&output));
    assert_eq!(logged(&sandbox, "attachTranscription"), 3);
    assert_eq!(sandbox.transcripts().len(), 1);
}

#[test]
fn a_server_error_is_not_repeated_for_transcripts() {
    let sandbox = Sandbox::start(&["--fault", "html500@telephony.call.attachTranscription"]);
    let call = sandbox.new_call(true);
    let output = attach(&sandbox, &call, &["--message", "User:0:2:hello"]);
    assert_eq!(output.status.code(), Some(7), "{}", stderr(&output));
    assert!(stderr(&output).contains("outcome is unknown"));
    assert_eq!(logged(&sandbox, "attachTranscription"), 1);
}

#[test]
fn wait_for_call_retries_until_the_call_is_finished() {
    let sandbox = Sandbox::start(&[]);
    let call = sandbox.new_call(false);
    let output = attach(&sandbox, &call, &["--message", "User:0:2:hello"]);
    assert_eq!(output.status.code(), Some(5));
    assert!(
        stderr(&output).contains("Is it finished?"),
        "{}",
        stderr(&output)
    );

    let finisher = sandbox.finish_later(&call, Duration::from_millis(1500));
    let output = attach(
        &sandbox,
        &call,
        &["--message", "User:0:2:hello", "--wait-for-call", "30"],
    );
    finisher.join().unwrap();
    assert!(output.status.success(), "{}", stderr(&output));
    assert!(stderr(&output).contains("not finished in Bitrix24 yet"));
    assert_eq!(sandbox.transcripts().len(), 1);
}

/// A dry run of `transcript attach --file NAME` over `bytes`, in a folder of its own.
fn plan(name: &str, bytes: &[u8], args: &[&str]) -> std::process::Output {
    let home = tempfile::TempDir::new().unwrap();
    std::fs::write(home.path().join(name), bytes).unwrap();
    common::b24tel(home.path())
        .current_dir(home.path())
        .args([
            "--webhook",
            "http://127.0.0.1:9/rest/1/fixture/",
            "--dry-run",
        ])
        .args(["-o", "json", "transcript", "attach", "--call-id", "C.1"])
        .args(["--file", name])
        .args(args)
        .output()
        .unwrap()
}

/// Issue 9: shapes the fixtures from tools do not cover: Excel's ru-RU CSV, KOI8-R,
/// whisperX's `[SPEAKER_00] text` without a colon, and the formats refused by name.
#[test]
fn excel_csv_koi8_bracket_labels_and_named_refusals() {
    let output = plan(
        "excel.csv",
        "side;start;stop;message\nUser;0,5;2,25;Добрый день\nClient;2,5;4;Здравствуйте\n"
            .as_bytes(),
        &[],
    );
    assert!(output.status.success(), "{}", stderr(&output));
    assert_eq!(
        stdout_json(&output)["params"]["MESSAGES"],
        json!([
            {"SIDE": "User", "START_TIME": 0, "STOP_TIME": 3, "MESSAGE": "Добрый день"},
            {"SIDE": "Client", "START_TIME": 2, "STOP_TIME": 4, "MESSAGE": "Здравствуйте"}
        ])
    );

    // KOI8-R bytes of "[SPEAKER_00] Привет" / "[SPEAKER_01] Да" (iconv -t koi8-r).
    let mut srt = b"1\n00:00:00,000 --> 00:00:02,000\n[SPEAKER_00] ".to_vec();
    srt.extend_from_slice(&[0xf0, 0xd2, 0xc9, 0xd7, 0xc5, 0xd4]);
    srt.extend_from_slice(b"\n\n2\n00:00:02,000 --> 00:00:03,000\n[SPEAKER_01] ");
    srt.extend_from_slice(&[0xe4, 0xc1]);
    srt.extend_from_slice(b"\n\n");
    let mapped = [
        "--speaker",
        "SPEAKER_00=User",
        "--speaker",
        "SPEAKER_01=Client",
    ];
    let mut args = vec!["--encoding", "koi8-r"];
    args.extend(mapped);
    let output = plan("koi8.srt", &srt, &args);
    assert!(output.status.success(), "{}", stderr(&output));
    assert_eq!(
        stdout_json(&output)["params"]["MESSAGES"],
        json!([
            {"SIDE": "User", "START_TIME": 0, "STOP_TIME": 2, "MESSAGE": "Привет"},
            {"SIDE": "Client", "START_TIME": 2, "STOP_TIME": 3, "MESSAGE": "Да"}
        ])
    );
    // The same bytes as UTF-8: refused naming the line and --encoding.
    let output = plan("koi8.srt", &srt, &mapped);
    assert_eq!(output.status.code(), Some(3));
    assert!(
        stderr(&output).contains("--encoding"),
        "{}",
        stderr(&output)
    );

    for (name, bytes, kind) in [
        (
            "call.ssa",
            &b"[Script Info]\nScriptType: v4.00\n"[..],
            "SubStation Alpha",
        ),
        ("call.sub", &b"{0}{25}Hello\n"[..], "MicroDVD/SubViewer"),
        ("call.txt", &b"hello there\n"[..], "plain text"),
    ] {
        let output = plan(name, bytes, &[]);
        assert_eq!(output.status.code(), Some(3), "{name}");
        let err = stderr(&output);
        assert!(err.contains(kind), "{name}: {err}");
        assert!(!err.contains("JSON"), "{name}: a parser's error: {err}");
        if name.ends_with(".txt") {
            // No converter adds times that were never written.
            assert!(!err.contains("ffmpeg"), "{err}");
            assert!(err.contains("--message"), "{err}");
        } else {
            assert!(err.contains(&format!("ffmpeg -i {name} call.srt")), "{err}");
        }
    }
}
