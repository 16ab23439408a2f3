//! `smoke`, `demo` and `doctor`'s checklists through the built binary against the
//! sandbox, with faults scoped to each method the smoke test uses.

mod common;

use common::{b24tel, stderr, stdout_json, ConnectionCounter, Sandbox};
use serde_json::Value;

fn smoke(sandbox: &Sandbox, args: &[&str]) -> std::process::Output {
    sandbox
        .cmd()
        .args(["-o", "json", "--retries", "0", "smoke"])
        .args(args)
        .output()
        .unwrap()
}

fn checklist(output: &std::process::Output) -> Vec<Value> {
    stdout_json(output)["checks"].as_array().unwrap().clone()
}

fn names(checks: &[Value]) -> Vec<&str> {
    checks.iter().map(|c| c["name"].as_str().unwrap()).collect()
}

#[test]
fn smoke_passes_and_leaves_a_call_with_both_ids() {
    let sandbox = Sandbox::start(&[]);
    let output = smoke(&sandbox, &[]);
    assert!(output.status.success(), "{}", stderr(&output));
    let result = stdout_json(&output);
    let checks = checklist(&output);
    assert_eq!(
        names(&checks),
        [
            "user",
            "register",
            "finish",
            "record",
            "transcript",
            "read back"
        ]
    );
    assert!(checks.iter().all(|c| c["ok"] == true), "{checks:?}");
    assert!(checks[0]["detail"].as_str().unwrap().contains("user 1"));
    let call_id = result["call_id"].as_str().unwrap();

    let output = sandbox
        .cmd()
        .args(["-o", "json", "call", "show", "--call-id", call_id])
        .output()
        .unwrap();
    let shown = stdout_json(&output);
    let file_id = shown["record_file_id"].as_i64().unwrap();
    assert!(shown["transcript_id"].as_i64().is_some(), "{shown}");
    assert!(shown["external_call_id"]
        .as_str()
        .unwrap()
        .starts_with("b24tel-smoke-"));
    // A one-second 8 kHz 16-bit WAV.
    assert_eq!(sandbox.record(file_id).len(), 44 + 16000);
    assert_eq!(
        sandbox.transcripts()[0]["MESSAGES"]
            .as_array()
            .unwrap()
            .len(),
        2
    );
    // SHOW=0 and CRM_CREATE=0 went out; each run has its own EXTERNAL_CALL_ID.
    let again = smoke(&sandbox, &[]);
    assert!(again.status.success());
    assert_ne!(stdout_json(&again)["call_id"], result["call_id"]);
}

#[test]
fn smoke_with_a_user_id_does_not_ask_the_profile() {
    let sandbox = Sandbox::start(&["--fault", "overload@profile"]);
    let output = smoke(&sandbox, &["--user-id", "7"]);
    assert!(output.status.success(), "{}", stderr(&output));
    let checks = checklist(&output);
    assert!(checks[0]["detail"].as_str().unwrap().contains("--user-id"));
}

#[test]
fn each_failing_method_names_its_step() {
    let cases = [
        ("overload@profile", "user", 6),
        ("overload@telephony.externalCall.register", "register", 6),
        ("overload@telephony.externalCall.finish", "finish", 6),
        ("overload@telephony.externalCall.attachRecord", "record", 6),
        (
            "overload@telephony.call.attachTranscription",
            "transcript",
            6,
        ),
        ("no-statistics@voximplant.statistic.get", "read back", 4),
    ];
    for (fault, step, code) in cases {
        let sandbox = Sandbox::start(&["--fault", fault]);
        let output = smoke(&sandbox, &[]);
        assert_eq!(
            output.status.code(),
            Some(code),
            "{fault}: {}",
            stderr(&output)
        );
        let checks = checklist(&output);
        let last = checks.last().unwrap();
        assert_eq!(
            (last["name"].as_str(), &last["ok"]),
            (Some(step), &Value::Bool(false)),
            "{fault}"
        );
        assert!(
            checks[..checks.len() - 1].iter().all(|c| c["ok"] == true),
            "{fault}: {checks:?}"
        );
        let err = stderr(&output);
        assert!(
            err.contains(&format!("error: smoke: {step}:")),
            "{fault}: {err}"
        );
    }
}

#[test]
fn keep_going_runs_every_step_and_exits_with_the_first_failure() {
    let sandbox = Sandbox::start(&["--fault", "overload@telephony.externalCall.attachRecord"]);
    let output = smoke(&sandbox, &["--keep-going"]);
    assert_eq!(output.status.code(), Some(6));
    let checks = checklist(&output);
    let oks: Vec<(&str, bool)> = checks
        .iter()
        .map(|c| (c["name"].as_str().unwrap(), c["ok"] == true))
        .collect();
    assert_eq!(
        oks,
        [
            ("user", true),
            ("register", true),
            ("finish", true),
            ("record", false),
            ("transcript", true),
            ("read back", false)
        ]
    );
    assert!(checks[5]["detail"]
        .as_str()
        .unwrap()
        .contains("RECORD_FILE_ID"));
    assert!(stderr(&output).contains("error: smoke: record:"));
}

#[test]
fn smoke_dry_run_sends_nothing() {
    let counter = ConnectionCounter::start();
    let home = tempfile::TempDir::new().unwrap();
    let output = b24tel(home.path())
        .env(
            "B24TEL_WEBHOOK",
            format!("http://{}/rest/1/secretcode1/", counter.addr),
        )
        .args(["-o", "json", "--dry-run", "smoke"])
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", stderr(&output));
    let result = stdout_json(&output);
    assert_eq!(result["checks"].as_array().unwrap().len(), 6);
    assert!(!result.to_string().contains("secretcode1"));
    assert_eq!(counter.connections(), 0);
}

#[test]
fn demo_runs_smoke_and_shows_the_commands_by_hand() {
    let home = tempfile::TempDir::new().unwrap();
    let output = b24tel(home.path())
        .args(["-o", "json", "demo"])
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", stderr(&output));
    let checks = checklist(&output);
    assert_eq!(checks.len(), 6);
    assert!(checks.iter().all(|c| c["ok"] == true), "{checks:?}");
    let err = stderr(&output);
    assert!(err.contains("[6/6] ok    read back"), "{err}");
    assert!(err.contains("b24tel sandbox"), "{err}");
    assert!(err.contains("b24tel call register --phone"), "{err}");
    assert!(err.contains("b24tel call show --call-id"), "{err}");
}

#[test]
fn doctor_checks_clock_statistics_and_webhook_shape() {
    let sandbox = Sandbox::start(&[]);
    let output = sandbox
        .cmd()
        .args(["-o", "json", "doctor"])
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", stderr(&output));
    let checks = checklist(&output);
    assert_eq!(
        names(&checks),
        [
            "config file",
            "profile",
            "portal url",
            "connection",
            "clock",
            "authentication",
            "telephony scope",
            "call statistics",
            "ffmpeg"
        ]
    );
    assert!(checks[4]["detail"].as_str().unwrap().contains("within"));

    let sandbox = Sandbox::start(&["--fault", "no-statistics"]);
    let output = sandbox
        .cmd()
        .args(["-o", "json", "doctor"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(4));
    let checks = checklist(&output);
    assert_eq!(checks[7]["ok"], false);
    assert!(stderr(&output).contains("doctor: call statistics"));

    // A path before /rest/ is not a webhook URL a portal serves; the code stays hidden.
    let output = sandbox
        .cmd()
        .env(
            "B24TEL_WEBHOOK",
            sandbox
                .webhook_url
                .replace("/rest/", "/portal/rest/")
                .trim_end_matches('/'),
        )
        .args(["-o", "json", "doctor"])
        .output()
        .unwrap();
    let all = format!("{}{}", common::stdout(&output), stderr(&output));
    assert!(!all.contains(&sandbox.code()), "{all}");
    assert_eq!(output.status.code(), Some(8), "{all}");

    // No trailing slash: noted, not failed.
    let output = sandbox
        .cmd()
        .env("B24TEL_WEBHOOK", sandbox.webhook_url.trim_end_matches('/'))
        .args(["-o", "json", "doctor"])
        .output()
        .unwrap();
    let checks = checklist(&output);
    assert_eq!(checks[2]["ok"], true);
    assert!(checks[2]["detail"]
        .as_str()
        .unwrap()
        .contains("no trailing slash"));
}

#[test]
fn doctor_dry_run_lists_the_checks_and_sends_nothing() {
    let counter = ConnectionCounter::start();
    let home = tempfile::TempDir::new().unwrap();
    let output = b24tel(home.path())
        .env(
            "B24TEL_WEBHOOK",
            format!("http://{}/rest/1/secretcode1/", counter.addr),
        )
        .args(["-o", "json", "--dry-run", "doctor"])
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", stderr(&output));
    let checks = checklist(&output);
    assert!(names(&checks).contains(&"clock"));
    assert!(names(&checks).contains(&"call statistics"));
    assert!(checks.iter().all(|c| c["ok"].is_null()));
    assert_eq!(counter.connections(), 0);
}
