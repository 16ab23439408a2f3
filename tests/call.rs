//! `call register|finish|show|list` through the built binary against the sandbox, and
//! the sandbox's `voximplant.statistic.get` (filters, sorting, pages of 50).

mod common;

use std::collections::HashSet;

use common::{stderr, stdout, stdout_json, Sandbox};
use serde_json::{json, Value};

fn run(sandbox: &Sandbox, args: &[&str]) -> std::process::Output {
    sandbox
        .cmd()
        .args(["-o", "json"])
        .args(args)
        .output()
        .unwrap()
}

fn json_lines(output: &std::process::Output) -> Vec<Value> {
    stdout(output)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}")))
        .collect()
}

/// Registers and finishes a call over HTTP, started at `start`, with an external id.
fn finished_call(sandbox: &Sandbox, phone: &str, start: &str, external: &str) -> String {
    let (status, body) = sandbox.call(
        "telephony.externalCall.register",
        json!({"USER_ID": 1, "PHONE_NUMBER": phone, "TYPE": 2,
               "CALL_START_DATE": start, "EXTERNAL_CALL_ID": external}),
    );
    assert_eq!(status, 200, "{body}");
    let call_id = body["result"]["CALL_ID"].as_str().unwrap().to_string();
    sandbox.finish(&call_id);
    call_id
}

#[test]
fn register_finish_show_round_trip() {
    let sandbox = Sandbox::start(&[]);
    let output = run(
        &sandbox,
        &[
            "call",
            "register",
            "--phone",
            "+15550123",
            "--user-id",
            "1",
            "--type",
            "in",
            "--start",
            "2026-03-10T12:49:51+03:00",
            "--external-id",
            "pbx-1001",
            "--line",
            "74950000000",
        ],
    );
    assert!(output.status.success(), "{}", stderr(&output));
    let registered = stdout_json(&output);
    let call_id = registered["call_id"].as_str().unwrap().to_string();
    assert!(call_id.starts_with("externalCall."), "{registered}");
    assert_eq!(registered["external_call_id"], "pbx-1001");
    assert_eq!(registered["crm_entity_type"], Value::Null);
    assert_eq!(registered["crm_entity_id"], Value::Null);

    let output = run(
        &sandbox,
        &[
            "call",
            "finish",
            "--call-id",
            &call_id,
            "--user-id",
            "1",
            "--duration",
            "30",
        ],
    );
    assert!(output.status.success(), "{}", stderr(&output));
    assert_eq!(
        stdout_json(&output),
        json!({"call_id": call_id, "duration": 30, "status_code": 200})
    );

    let output = run(&sandbox, &["call", "show", "--call-id", &call_id]);
    assert!(output.status.success(), "{}", stderr(&output));
    let shown = stdout_json(&output);
    assert_eq!(
        shown,
        json!({
            "call_id": call_id,
            "external_call_id": "pbx-1001",
            "phone_number": "+15550123",
            "type": "in",
            "start": shown["start"],
            "duration": 30,
            "status_code": 200,
            "record_file_id": null,
            "transcript_id": null,
        })
    );
    // 12:49:51+03:00 is 09:49:51 UTC, however the sandbox writes it.
    assert!(
        shown["start"].as_str().unwrap().contains("09:49:51"),
        "{shown}"
    );

    let output = run(&sandbox, &["call", "show", "--external-id", "pbx-1001"]);
    assert!(output.status.success(), "{}", stderr(&output));
    assert_eq!(stdout_json(&output)["call_id"], call_id.as_str());
}

#[test]
fn register_sends_the_contract_s_parameters() {
    let sandbox = Sandbox::start(&[]);
    let output = run(
        &sandbox,
        &[
            "--dry-run",
            "call",
            "register",
            "--phone",
            "+15550123",
            "--user-phone-inner",
            "101",
        ],
    );
    assert!(output.status.success(), "{}", stderr(&output));
    let plan = stdout_json(&output);
    assert_eq!(plan["method"], "telephony.externalCall.register");
    let params = &plan["params"];
    assert_eq!(params["USER_PHONE_INNER"], "101");
    assert_eq!(params["USER_ID"], Value::Null);
    assert_eq!(params["TYPE"], 1);
    assert_eq!(params["CRM_CREATE"], 0);
    assert_eq!(params["SHOW"], 0);
    assert_eq!(params["EXTERNAL_CALL_ID"], Value::Null);
    // Now, with an explicit offset (+HH:MM), never a bare local time.
    let start = params["CALL_START_DATE"].as_str().unwrap();
    assert_eq!(start.len(), 25, "{start}");
    assert!(matches!(&start[19..20], "+" | "-"), "{start}");
    assert!(!plan.to_string().contains(&sandbox.code()));
    assert!(!sandbox.log().contains("externalCall.register"));

    let output = run(
        &sandbox,
        &[
            "--dry-run",
            "call",
            "register",
            "--phone",
            "+15550123",
            "--user-id",
            "5",
            "--type",
            "info",
            "--crm-create",
            "--show",
            "--start",
            "2026-03-10T12:00:00Z",
        ],
    );
    let params = stdout_json(&output)["params"].clone();
    assert_eq!(
        (
            &params["USER_ID"],
            &params["TYPE"],
            &params["CRM_CREATE"],
            &params["SHOW"]
        ),
        (&json!(5), &json!(5), &json!(1), &json!(1))
    );
    assert!(params["CALL_START_DATE"].is_string());
}

#[test]
fn register_without_a_user_is_a_usage_error() {
    let sandbox = Sandbox::start(&[]);
    let output = run(&sandbox, &["call", "register", "--phone", "+15550123"]);
    assert_eq!(output.status.code(), Some(2));
    let err = stderr(&output);
    assert!(
        err.contains("--user-id") && err.contains("--user-phone-inner"),
        "{err}"
    );
    assert!(
        !sandbox.log().contains("externalCall.register"),
        "{}",
        sandbox.log()
    );

    let output = run(
        &sandbox,
        &[
            "call",
            "register",
            "--phone",
            "+1",
            "--user-id",
            "1",
            "--start",
            "yesterday",
        ],
    );
    assert_eq!(output.status.code(), Some(3));
    assert!(stderr(&output).contains("--start"), "{}", stderr(&output));
}

#[test]
fn finish_defaults_and_flags() {
    let sandbox = Sandbox::start(&[]);
    let call_id = sandbox.new_call(false);
    let plan = |args: &[&str]| {
        let mut all = vec!["--dry-run", "call", "finish", "--call-id", &call_id];
        all.extend_from_slice(args);
        let output = run(&sandbox, &all);
        assert!(output.status.success(), "{}", stderr(&output));
        stdout_json(&output)["params"].clone()
    };
    let params = plan(&["--user-id", "1"]);
    assert_eq!(
        (
            &params["DURATION"],
            &params["STATUS_CODE"],
            &params["ADD_TO_CHAT"]
        ),
        (&json!(0), &json!(304), &json!(0))
    );
    let params = plan(&[
        "--user-phone-inner",
        "101",
        "--duration",
        "12",
        "--add-to-chat",
        "--cost",
        "0.5",
        "--currency",
        "EUR",
        "--failed-reason",
        "Busy here",
    ]);
    assert_eq!(params["STATUS_CODE"], 200);
    assert_eq!(params["ADD_TO_CHAT"], 1);
    assert_eq!(params["USER_PHONE_INNER"], "101");
    assert_eq!(
        (&params["COST"], &params["COST_CURRENCY"]),
        (&json!(0.5), &json!("EUR"))
    );
    assert_eq!(params["FAILED_REASON"], "Busy here");
    assert_eq!(
        plan(&["--user-id", "1", "--status-code", "486"])["STATUS_CODE"],
        486
    );

    let output = run(
        &sandbox,
        &[
            "call",
            "finish",
            "--call-id",
            &call_id,
            "--user-id",
            "1",
            "--cost",
            "1",
            "--currency",
            "eur",
        ],
    );
    assert_eq!(output.status.code(), Some(3));
    assert!(stderr(&output).contains("--currency"));

    let output = run(&sandbox, &["call", "finish", "--call-id", &call_id]);
    assert_eq!(output.status.code(), Some(2));

    let output = run(
        &sandbox,
        &["call", "finish", "--call-id", &call_id, "--user-id", "1"],
    );
    assert!(output.status.success(), "{}", stderr(&output));
    assert_eq!(stdout_json(&output)["status_code"], 304);
    let output = run(&sandbox, &["call", "show", "--call-id", &call_id]);
    assert_eq!(stdout_json(&output)["status_code"], 304);
}

#[test]
fn a_call_id_that_does_not_exist() {
    let sandbox = Sandbox::start(&[]);
    let output = run(
        &sandbox,
        &["call", "show", "--call-id", "externalCall.nope"],
    );
    assert_eq!(output.status.code(), Some(5));
    let err = stderr(&output);
    assert!(err.contains("externalCall.nope"), "{err}");
    assert!(err.contains("b24tel call list --since 24h"), "{err}");

    let output = run(&sandbox, &["call", "show", "--external-id", "none-such"]);
    assert_eq!(output.status.code(), Some(5));

    let output = run(
        &sandbox,
        &[
            "call",
            "finish",
            "--call-id",
            "externalCall.nope",
            "--user-id",
            "1",
        ],
    );
    assert_eq!(output.status.code(), Some(5));
    assert!(
        stderr(&output).contains("b24tel call show --call-id externalCall.nope"),
        "{}",
        stderr(&output)
    );

    // record/transcript attach: the same answer for a wrong id and an unfinished call.
    let dir = tempfile::TempDir::new().unwrap();
    let wav = common::write(dir.path(), "a.wav", &common::wav_bytes(800));
    let output = sandbox
        .cmd()
        .args([
            "record",
            "attach",
            "--call-id",
            "externalCall.nope",
            "--file",
        ])
        .arg(&wav)
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(5));
    let err = stderr(&output);
    assert!(
        err.contains("b24tel call show --call-id externalCall.nope"),
        "{err}"
    );
    assert!(err.contains("--wait-for-call SECS"), "{err}");
    // upload-url has no --wait-for-call: its hint does not name it.
    let output = sandbox
        .cmd()
        .args([
            "record",
            "upload-url",
            "--call-id",
            "externalCall.nope",
            "--filename",
            "a.wav",
        ])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(5));
    let err = stderr(&output);
    let hint = err.lines().find(|l| l.starts_with("hint:")).unwrap();
    assert!(
        hint.contains("b24tel call show --call-id externalCall.nope"),
        "{err}"
    );
    assert!(!hint.contains("--wait-for-call"), "{err}");
    let output = sandbox
        .cmd()
        .args([
            "transcript",
            "attach",
            "--call-id",
            "externalCall.nope",
            "--wait-for-call",
            "1",
            "--message",
            "User:0:1:hi",
        ])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(5));
    let err = stderr(&output);
    let hint = err.lines().find(|l| l.starts_with("hint:")).unwrap();
    assert!(
        hint.contains("b24tel call show --call-id externalCall.nope"),
        "{err}"
    );
    assert!(!hint.contains("wait for it with --wait-for-call"), "{err}");
}

#[test]
fn list_pages_through_more_than_fifty_calls() {
    let sandbox = Sandbox::start(&[]);
    let mut made = HashSet::new();
    for i in 0..120 {
        let start = format!("2026-03-10T{:02}:{:02}:00+00:00", 8 + i / 60, i % 60);
        made.insert(finished_call(
            &sandbox,
            &format!("+1555{i:04}"),
            &start,
            &format!("pbx-{i}"),
        ));
    }
    // The sandbox pages as a portal does.
    let (_, page) = sandbox.call("voximplant.statistic.get", json!({}));
    assert_eq!(page["result"].as_array().unwrap().len(), 50);
    assert_eq!((&page["next"], &page["total"]), (&json!(50), &json!(120)));
    let (_, last) = sandbox.call("voximplant.statistic.get", json!({"start": 100}));
    assert_eq!(last["result"].as_array().unwrap().len(), 20);
    assert_eq!(last["next"], Value::Null);

    let pages = || {
        sandbox
            .log()
            .lines()
            .filter(|l| l.contains("voximplant.statistic.get"))
            .count()
    };
    let before = pages();
    let output = run(&sandbox, &["call", "list"]);
    assert!(output.status.success(), "{}", stderr(&output));
    let rows = json_lines(&output);
    assert_eq!(rows.len(), 120);
    // start 0, then the answers' next: 50 and 100.
    assert_eq!(pages() - before, 3, "{}", sandbox.log());
    let listed: HashSet<String> = rows
        .iter()
        .map(|r| r["call_id"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(listed, made);
    // In start order, each row in the contract's shape.
    assert_eq!(rows[0]["external_call_id"], "pbx-0");
    assert_eq!(rows[119]["external_call_id"], "pbx-119");
    assert_eq!(rows[0]["type"], "in");
    assert_eq!(rows[0]["duration"], 42);
    assert!(stderr(&output).contains("120 calls"));

    let output = run(&sandbox, &["call", "list", "--limit", "55"]);
    assert_eq!(json_lines(&output).len(), 55);

    let output = run(
        &sandbox,
        &[
            "call",
            "list",
            "--since",
            "2026-03-10T09:00:00Z",
            "--until",
            "2026-03-10T09:09:59+00:00",
        ],
    );
    let rows = json_lines(&output);
    let names: Vec<&str> = rows
        .iter()
        .map(|r| r["external_call_id"].as_str().unwrap())
        .collect();
    assert_eq!(
        names,
        (60..70).map(|i| format!("pbx-{i}")).collect::<Vec<_>>()
    );
}

#[test]
fn list_since_a_duration_and_missing() {
    let sandbox = Sandbox::start(&[]);
    let old = finished_call(&sandbox, "+15550001", "2020-01-01T10:00:00+00:00", "old");
    let with_record = sandbox.new_call(true);
    let with_transcript = sandbox.new_call(true);
    let bare = sandbox.new_call(true);
    let dir = tempfile::TempDir::new().unwrap();
    let wav = common::write(dir.path(), "a.wav", &common::wav_bytes(800));
    let output = sandbox
        .cmd()
        .args(["record", "attach", "--call-id", &with_record, "--file"])
        .arg(&wav)
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", stderr(&output));
    let output = sandbox
        .cmd()
        .args([
            "transcript",
            "attach",
            "--call-id",
            &with_transcript,
            "--message",
            "User:0:1:hi",
        ])
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", stderr(&output));

    let ids = |args: &[&str]| -> Vec<String> {
        let mut all = vec!["call", "list"];
        all.extend_from_slice(args);
        let output = run(&sandbox, &all);
        assert!(output.status.success(), "{}", stderr(&output));
        json_lines(&output)
            .iter()
            .map(|r| r["call_id"].as_str().unwrap().to_string())
            .collect()
    };
    assert_eq!(
        ids(&["--since", "24h"]),
        [with_record.clone(), with_transcript.clone(), bare.clone()]
    );
    assert_eq!(ids(&["--until", "2021-01-01"]), vec![old.clone()]);
    assert_eq!(
        ids(&["--since", "24h", "--missing", "record"]),
        [with_transcript.clone(), bare.clone()]
    );
    assert_eq!(
        ids(&["--missing", "transcript"]),
        [old.clone(), with_record.clone(), bare.clone()]
    );

    let output = run(&sandbox, &["call", "list", "--since", "last week"]);
    assert_eq!(output.status.code(), Some(3));
    assert!(stderr(&output).contains("--since"));

    // For people: a table with a header.
    let output = sandbox
        .cmd()
        .args(["-o", "table", "call", "list", "--missing", "record"])
        .output()
        .unwrap();
    let text = stdout(&output);
    assert!(text.starts_with("CALL_ID"), "{text}");
    assert_eq!(text.lines().count(), 4, "{text}");
}

#[test]
fn an_external_id_shared_by_two_calls_shows_the_most_recent() {
    let sandbox = Sandbox::start(&[]);
    // The newer call registered first: the row order alone would pick the older one.
    let newer = finished_call(&sandbox, "+15550002", "2026-03-10T11:00:00+00:00", "dup");
    let older = finished_call(&sandbox, "+15550001", "2026-03-10T10:00:00+00:00", "dup");
    let output = run(&sandbox, &["call", "show", "--external-id", "dup"]);
    assert!(output.status.success(), "{}", stderr(&output));
    assert_eq!(stdout_json(&output)["call_id"], newer.as_str());
    let err = stderr(&output);
    assert!(err.contains("2 calls share the external id dup"), "{err}");
    assert!(err.contains("most recent") && err.contains(&older), "{err}");
    assert!(err.contains("--call-id"), "{err}");
}

#[test]
fn statistic_get_filters_sorts_and_pages_like_a_portal() {
    let sandbox = Sandbox::start(&[]);
    let a = finished_call(&sandbox, "+15550100", "2026-03-10T10:00:00+00:00", "a");
    let b = finished_call(&sandbox, "+4930123", "2026-03-10T12:00:00+02:00", "b");
    let c = finished_call(&sandbox, "+15550199", "2026-03-11T10:00:00+00:00", "c");
    let ids = |params: Value| -> Vec<String> {
        let (status, body) = sandbox.call("voximplant.statistic.get", params);
        assert_eq!(status, 200, "{body}");
        body["result"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["CALL_ID"].as_str().unwrap().to_string())
            .collect()
    };
    // Keys in any case; dates compared as instants (12:00+02:00 is 10:00 UTC).
    assert_eq!(
        ids(json!({"filter": {">=call_start_date": "2026-03-10T10:00:00Z"}, "sort": "ID"})),
        [a.clone(), b.clone(), c.clone()]
    );
    assert_eq!(
        ids(json!({"FILTER": {">CALL_START_DATE": "2026-03-10T10:00:00Z"}})),
        vec![c.clone()]
    );
    assert_eq!(
        ids(json!({"FILTER": {"<=CALL_START_DATE": "2026-03-10T10:00:00+00:00"}})),
        [a.clone(), b.clone()]
    );
    assert_eq!(
        ids(json!({"FILTER": {"<CALL_START_DATE": "2026-03-10T10:00:00+00:00"}})),
        Vec::<String>::new()
    );
    assert_eq!(
        ids(json!({"FILTER": {"%PHONE_NUMBER": "5550"}})),
        [a.clone(), c.clone()]
    );
    assert_eq!(
        ids(json!({"FILTER": {"!EXTERNAL_CALL_ID": "b"}})),
        [a.clone(), c.clone()]
    );
    assert_eq!(
        ids(json!({"FILTER": {"EXTERNAL_CALL_ID": ["a", "c"]}})),
        [a.clone(), c.clone()]
    );
    assert_eq!(
        ids(json!({"SORT": "CALL_START_DATE", "ORDER": "DESC"})),
        [c.clone(), a.clone(), b.clone()]
    );
    assert_eq!(
        ids(json!({"FILTER[EXTERNAL_CALL_ID]": "b"})),
        vec![b.clone()]
    );
    let (_, body) = sandbox.call("voximplant.statistic.get", json!({"START": 2}));
    assert_eq!(body["result"].as_array().unwrap().len(), 1);
    assert_eq!(body["total"], 3);
}

/// A loopback portal that answers every request with `body` and hands each request
/// body to the test.
fn fixed_portal(body: &'static str) -> (String, std::sync::mpsc::Receiver<Value>) {
    use std::io::{BufRead, BufReader, Read, Write};
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { continue };
            let mut reader = BufReader::new(stream.try_clone().unwrap());
            let mut length = 0;
            loop {
                let mut line = String::new();
                if reader.read_line(&mut line).unwrap_or(0) == 0 || line == "\r\n" {
                    break;
                }
                if let Some(v) = line.to_ascii_lowercase().strip_prefix("content-length:") {
                    length = v.trim().parse().unwrap_or(0);
                }
            }
            let mut request = vec![0; length];
            let _ = reader.read_exact(&mut request);
            let _ = tx.send(serde_json::from_slice(&request).unwrap_or(Value::Null));
            let _ = write!(
                stream,
                "HTTP/1.1 200 OK\r\nContent-Length: {}\r\nContent-Type: application/json\r\nConnection: close\r\n\r\n{body}",
                body.len()
            );
        }
    });
    (format!("http://{addr}/rest/1/fixedcode1/"), rx)
}

#[test]
fn a_lead_creation_error_is_a_warning_and_crm_ids_are_integers() {
    let (webhook, requests) = fixed_portal(
        r#"{"result":{"CALL_ID":"externalCall.x.1","CRM_CREATED_LEAD":null,"CRM_ENTITY_TYPE":"CONTACT","CRM_ENTITY_ID":"12","LEAD_CREATION_ERROR":"Lead creation is disabled"}}"#,
    );
    let home = tempfile::TempDir::new().unwrap();
    let output = common::b24tel(home.path())
        .env("B24TEL_WEBHOOK", &webhook)
        .args([
            "-o",
            "json",
            "call",
            "register",
            "--phone",
            "+15550100",
            "--user-id",
            "3",
            "--crm-create",
        ])
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", stderr(&output));
    assert_eq!(
        stdout_json(&output),
        json!({"call_id": "externalCall.x.1", "external_call_id": null,
               "crm_entity_type": "CONTACT", "crm_entity_id": 12})
    );
    let err = stderr(&output);
    assert!(
        err.contains("warning:") && err.contains("Lead creation is disabled"),
        "{err}"
    );
    let sent = requests.recv().unwrap();
    assert_eq!(
        (&sent["USER_ID"], &sent["CRM_CREATE"]),
        (&json!(3), &json!(1))
    );
}

#[test]
fn start_dates_carry_the_local_offset() {
    let sandbox = Sandbox::start(&[]);
    let start_sent = |extra: &[&str]| -> String {
        let mut args = vec![
            "-o",
            "json",
            "--dry-run",
            "call",
            "register",
            "--phone",
            "+15550100",
            "--user-id",
            "1",
        ];
        args.extend_from_slice(extra);
        // POSIX TZ: three hours east of UTC, no tz database needed.
        let output = sandbox
            .cmd()
            .env("TZ", "UTC-03:00")
            .args(args)
            .output()
            .unwrap();
        assert!(output.status.success(), "{}", stderr(&output));
        stdout_json(&output)["params"]["CALL_START_DATE"]
            .as_str()
            .unwrap()
            .to_string()
    };
    assert!(start_sent(&[]).ends_with("+03:00"));
    assert_eq!(
        start_sent(&["--start", "2026-03-10T09:49:51Z"]),
        "2026-03-10T12:49:51+03:00"
    );
    assert_eq!(
        start_sent(&["--start", "2026-03-10 12:49"]),
        "2026-03-10T12:49:00+03:00"
    );
}
