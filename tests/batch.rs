//! `batch` through the built binary against the sandbox: a whole manifest,
//! re-runs that send nothing twice, pending files, bad rows, kills at random
//! points, signals, and the portal's leaky bucket.

mod common;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use common::{mp3_bytes, stderr, wav_bytes, write, Sandbox};
use serde_json::{json, Value};

fn run_batch(sandbox: &Sandbox, manifest: &Path, extra: &[&str]) -> std::process::Output {
    sandbox
        .cmd()
        .args([
            "-o",
            "json",
            "batch",
            "--min-age",
            "0",
            "--rate",
            "50",
            "--manifest",
        ])
        .arg(manifest)
        .args(extra)
        .output()
        .unwrap()
}

/// `batch` as a process of its own (to signal or kill), with a clean environment.
fn batch_process(sandbox: &Sandbox, manifest: &Path, rate: &str, output: Stdio) -> Command {
    let mut command = Command::new(common::bin());
    command
        .env_clear()
        .env("HOME", sandbox.home.path())
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("B24TEL_WEBHOOK", &sandbox.webhook_url)
        .args([
            "-q",
            "-o",
            "json",
            "batch",
            "--min-age",
            "0",
            "--rate",
            rate,
            "--manifest",
        ])
        .arg(manifest)
        .stdout(output)
        .stderr(Stdio::piped());
    command
}

/// The printed rows in manifest order (they print as they complete).
fn rows(output: &std::process::Output) -> Vec<Value> {
    let mut rows: Vec<Value> = String::from_utf8_lossy(&output.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}")))
        .collect();
    rows.sort_by_key(|r| r["row"].as_u64());
    rows
}

fn logged(sandbox: &Sandbox, method: &str) -> usize {
    sandbox.log().lines().filter(|l| l.contains(method)).count()
}

fn transcript_file(dir: &Path, name: &str, text: &str) -> PathBuf {
    write(dir, name, format!("1\n00:00:00,000 --> 00:00:02,000\nUser: {text}\n\n2\n00:00:02,500 --> 00:00:04,000\nClient: thanks\n").as_bytes())
}

/// Transcripts the sandbox holds per call.
fn transcripts_per_call(sandbox: &Sandbox) -> BTreeMap<String, usize> {
    let mut per_call = BTreeMap::new();
    for transcript in sandbox.transcripts() {
        *per_call
            .entry(transcript["CALL_ID"].as_str().unwrap().to_string())
            .or_default() += 1;
    }
    per_call
}

#[test]
fn a_mixed_manifest_attaches_every_row_and_a_second_run_sends_nothing() {
    let sandbox = Sandbox::start(&[]);
    let dir = tempfile::TempDir::new().unwrap();
    std::fs::create_dir(dir.path().join("rec")).unwrap();
    let calls: Vec<String> = (0..4).map(|_| sandbox.new_call(true)).collect();
    let mp3 = mp3_bytes(70_000);
    let wav = wav_bytes(9_000);
    write(&dir.path().join("rec"), "a.MP3", &mp3);
    write(&dir.path().join("rec"), "b.wav", &wav);
    transcript_file(dir.path(), "a.srt", "hello a");
    transcript_file(dir.path(), "c.srt", "hello c");
    let url = common::serve_file(mp3_bytes(5_000), "/pbx/remote-call.mp3");
    let manifest = write(
        dir.path(),
        "calls.csv",
        format!(
            "call_id,record,transcript,filename\n{},rec/a.MP3,a.srt,\n{},rec/b.wav,,\n{},,c.srt,\n{},{url},,renamed.mp3\n",
            calls[0], calls[1], calls[2], calls[3]
        )
        .as_bytes(),
    );

    let output = run_batch(&sandbox, &manifest, &[]);
    assert!(output.status.success(), "{}", stderr(&output));
    let first = rows(&output);
    assert_eq!(first.len(), 4);
    assert_eq!(first[0]["row"], 2);
    assert_eq!(first[0]["call_id"], calls[0].as_str());
    assert_eq!(first[0]["record"]["status"], "attached");
    assert_eq!(first[0]["transcript"]["status"], "attached");
    assert_eq!(first[1]["record"]["status"], "attached");
    assert!(first[1].get("transcript").is_none());
    assert_eq!(first[2]["transcript"]["status"], "attached");
    assert_eq!(first[3]["record"]["status"], "attached");
    assert_eq!(
        sandbox.record(first[0]["record"]["file_id"].as_i64().unwrap()),
        mp3
    );
    assert_eq!(
        sandbox.record(first[1]["record"]["file_id"].as_i64().unwrap()),
        wav
    );
    assert!(
        stderr(&output).contains("batch: 5 attached"),
        "{}",
        stderr(&output)
    );
    assert_eq!(transcripts_per_call(&sandbox).len(), 2);
    assert!(dir.path().join("calls.csv.journal").exists());

    let records = logged(&sandbox, "attachRecord");
    let transcripts = logged(&sandbox, "attachTranscription");
    let again = run_batch(&sandbox, &manifest, &[]);
    assert!(again.status.success(), "{}", stderr(&again));
    for (row, before) in rows(&again).iter().zip(&first) {
        for op in ["record", "transcript"] {
            if let Some(result) = row.get(op) {
                assert_eq!(result["status"], "skipped", "{row}");
                assert_eq!(result.get("file_id"), before[op].get("file_id"));
                assert_eq!(result.get("transcript_id"), before[op].get("transcript_id"));
            }
        }
    }
    assert_eq!(
        logged(&sandbox, "attachRecord"),
        records,
        "the second run sent a record"
    );
    assert_eq!(
        logged(&sandbox, "attachTranscription"),
        transcripts,
        "the second run sent a transcript"
    );
}

#[test]
fn a_waiting_call_is_attached_on_the_run_after_it_finishes() {
    let sandbox = Sandbox::start(&[]);
    let dir = tempfile::TempDir::new().unwrap();
    let done_call = sandbox.new_call(true);
    let open_call = sandbox.new_call(false);
    write(dir.path(), "a.wav", &wav_bytes(500));
    transcript_file(dir.path(), "t.srt", "hi");
    let manifest = write(
        dir.path(),
        "m.jsonl",
        format!(
            "{}\n{}\n",
            json!({"call_id": done_call, "record": "a.wav", "transcript": "t.srt"}),
            json!({"call_id": open_call, "record": "a.wav", "transcript": "t.srt"})
        )
        .as_bytes(),
    );
    let output = run_batch(&sandbox, &manifest, &[]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let result = rows(&output);
    assert_eq!(result[0]["record"]["status"], "attached");
    assert_eq!(result[1]["record"]["status"], "waiting", "{}", result[1]);
    assert!(
        result[1]["record"]["waiting_since"].is_string(),
        "{}",
        result[1]
    );
    assert_eq!(result[1]["transcript"]["status"], "waiting");
    assert!(
        stderr(&output).contains("2 attached, 2 waiting"),
        "{}",
        stderr(&output)
    );
    assert_eq!(
        logged(&sandbox, "attachTranscription"),
        1,
        "a waiting transcript was sent"
    );

    sandbox.finish(&open_call);
    let records = logged(&sandbox, "attachRecord");
    let transcripts = logged(&sandbox, "attachTranscription");
    let output = run_batch(&sandbox, &manifest, &[]);
    assert!(output.status.success(), "{}", stderr(&output));
    let result = rows(&output);
    assert_eq!(result[0]["record"]["status"], "skipped");
    assert_eq!(result[1]["record"]["status"], "attached");
    assert_eq!(result[1]["transcript"]["status"], "attached");
    assert_eq!(logged(&sandbox, "attachRecord"), records + 1);
    assert_eq!(logged(&sandbox, "attachTranscription"), transcripts + 1);
}

#[test]
fn a_call_waiting_longer_than_give_up_after_is_failed() {
    let sandbox = Sandbox::start(&[]);
    let dir = tempfile::TempDir::new().unwrap();
    let open_call = sandbox.new_call(false);
    write(dir.path(), "a.wav", &wav_bytes(500));
    let manifest = write(
        dir.path(),
        "m.csv",
        format!("call_id,record\n{open_call},a.wav\n").as_bytes(),
    );
    let output = run_batch(&sandbox, &manifest, &[]);
    assert!(output.status.success(), "{}", stderr(&output));
    assert_eq!(rows(&output)[0]["record"]["status"], "waiting");
    // The first sighting is kept: a later run with a shorter limit counts from it.
    let journal = std::fs::read_to_string(dir.path().join("m.csv.journal")).unwrap();
    assert_eq!(journal.matches("\"waiting\"").count(), 1, "{journal}");
    std::thread::sleep(Duration::from_millis(1100));
    let output = run_batch(&sandbox, &manifest, &["--give-up-after", "1"]);
    assert_eq!(output.status.code(), Some(9), "{}", stderr(&output));
    let row = &rows(&output)[0];
    assert_eq!(row["record"]["status"], "failed", "{row}");
    assert!(row["record"]["error"]
        .as_str()
        .unwrap()
        .contains("--give-up-after"));
    let journal = std::fs::read_to_string(dir.path().join("m.csv.journal")).unwrap();
    assert_eq!(journal.matches("\"waiting\"").count(), 1, "{journal}");
}

#[test]
fn rows_by_external_call_id_wait_until_the_portal_knows_the_call() {
    let sandbox = Sandbox::start(&[]);
    let dir = tempfile::TempDir::new().unwrap();
    transcript_file(dir.path(), "t.srt", "hi");
    let manifest = write(
        dir.path(),
        "m.jsonl",
        b"{\"external_call_id\":\"pbx-123\",\"transcript\":\"t.srt\",\"colour\":\"red\"}\n",
    );
    let output = run_batch(&sandbox, &manifest, &[]);
    assert!(output.status.success(), "{}", stderr(&output));
    let row = &rows(&output)[0];
    assert_eq!(row["transcript"]["status"], "waiting", "{row}");
    assert!(stderr(&output).contains("`colour`"), "{}", stderr(&output));
    assert!(logged(&sandbox, "voximplant.statistic.get") >= 1);
    assert_eq!(logged(&sandbox, "attachTranscription"), 0);
}

#[test]
fn a_fresh_record_file_is_pending() {
    let sandbox = Sandbox::start(&[]);
    let dir = tempfile::TempDir::new().unwrap();
    let call = sandbox.new_call(true);
    write(dir.path(), "now.mp3", &mp3_bytes(100));
    let manifest = write(
        dir.path(),
        "m.csv",
        format!("call_id,record\n{call},now.mp3\n").as_bytes(),
    );
    let output = sandbox
        .cmd()
        .args(["-o", "json", "batch", "--manifest"])
        .arg(&manifest)
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", stderr(&output));
    assert_eq!(rows(&output)[0]["record"]["status"], "pending");
    assert_eq!(logged(&sandbox, "attachRecord"), 0);
    let output = run_batch(&sandbox, &manifest, &[]);
    assert_eq!(rows(&output)[0]["record"]["status"], "attached");
}

#[test]
fn bad_rows_are_reported_with_their_place_and_the_rest_go_on() {
    let sandbox = Sandbox::start(&[]);
    let dir = tempfile::TempDir::new().unwrap();
    let call = sandbox.new_call(true);
    write(dir.path(), "ok.wav", &wav_bytes(100));
    write(dir.path(), "voice.ogg", b"OggS");
    write(
        dir.path(),
        "bad.srt",
        b"1\n00:00:05,000 --> 00:00:01,000\nUser: backwards\n",
    );
    let manifest = write(
        dir.path(),
        "m.csv",
        format!("call_id,record,transcript\n{call},ok.wav,\n{call},voice.ogg,\n,ok.wav,\n{call},,bad.srt\nbad id,ok.wav,\n{call},missing.mp3,\n{call},,\n").as_bytes(),
    );
    let output = run_batch(&sandbox, &manifest, &[]);
    assert_eq!(output.status.code(), Some(9));
    assert!(
        stderr(&output).contains("6 invalid row(s)"),
        "{}",
        stderr(&output)
    );
    assert!(
        !stderr(&output).contains("run the same command again"),
        "{}",
        stderr(&output)
    );
    let result = rows(&output);
    assert_eq!(result.len(), 7);
    assert!(result[2].get("call_id").is_none(), "{}", result[2]);
    assert_eq!(result[0]["record"]["status"], "attached");
    // Row-level problems are under the row's "error", not under an op.
    let error = |i: usize, _op: &str| {
        assert!(result[i].get("record").is_none(), "{}", result[i]);
        result[i]["error"].as_str().unwrap_or("").to_string()
    };
    assert!(
        error(1, "record").contains("m.csv:3") && error(1, "record").contains(".ogg"),
        "{}",
        result[1]
    );
    assert!(
        error(2, "record").contains("m.csv:4") && error(2, "record").contains("call_id"),
        "{}",
        result[2]
    );
    assert!(error(3, "transcript").contains("m.csv:5"), "{}", result[3]);
    assert!(error(4, "record").contains("m.csv:6"), "{}", result[4]);
    assert!(
        error(5, "record").contains("m.csv:7") && error(5, "record").contains("no such file"),
        "{}",
        result[5]
    );
    assert!(
        error(6, "record").contains("m.csv:8") && error(6, "record").contains("neither"),
        "{}",
        result[6]
    );
    assert_eq!(logged(&sandbox, "attachRecord"), 1);
    assert_eq!(logged(&sandbox, "attachTranscription"), 0);
}

#[test]
fn fail_fast_stops_at_the_first_failure() {
    let sandbox = Sandbox::start(&[]);
    let dir = tempfile::TempDir::new().unwrap();
    let call = sandbox.new_call(true);
    write(dir.path(), "a.wav", &wav_bytes(100));
    let manifest = write(
        dir.path(),
        "m.csv",
        format!("call_id,record\nno-such-call,a.wav\n{call},a.wav\n{call},a.wav\n").as_bytes(),
    );
    let output = run_batch(
        &sandbox,
        &manifest,
        &["--fail-fast", "--jobs", "1", "--give-up-after", "0"],
    );
    assert_eq!(output.status.code(), Some(9), "{}", stderr(&output));
    assert_eq!(
        rows(&output).len(),
        1,
        "{}",
        String::from_utf8_lossy(&output.stdout)
    );
    assert_eq!(logged(&sandbox, "attachRecord"), 1);
}

#[test]
fn an_unconfirmable_transcript_is_unknown_and_resent_only_on_request() {
    let sandbox = Sandbox::start(&[
        "--fault",
        "no-statistics",
        "--fault",
        "drop:1@telephony.call.attachTranscription",
    ]);
    let dir = tempfile::TempDir::new().unwrap();
    let call = sandbox.new_call(true);
    transcript_file(dir.path(), "t.srt", "maybe twice");
    let manifest = write(
        dir.path(),
        "m.csv",
        format!("call_id,transcript\n{call},t.srt\n").as_bytes(),
    );

    let output = run_batch(&sandbox, &manifest, &[]);
    assert_eq!(output.status.code(), Some(9));
    assert!(rows(&output)[0]["transcript"]["error"]
        .as_str()
        .unwrap()
        .contains("outcome is unknown"));
    assert_eq!(
        sandbox.transcripts().len(),
        1,
        "the dropped request was stored"
    );

    let output = run_batch(&sandbox, &manifest, &[]);
    assert_eq!(output.status.code(), Some(9));
    assert_eq!(rows(&output)[0]["transcript"]["status"], "unknown");
    assert!(
        stderr(&output).contains("--resend-unknown"),
        "{}",
        stderr(&output)
    );
    assert_eq!(
        sandbox.transcripts().len(),
        1,
        "unknown must not be re-sent"
    );

    let output = run_batch(&sandbox, &manifest, &["--resend-unknown"]);
    assert!(output.status.success(), "{}", stderr(&output));
    assert_eq!(rows(&output)[0]["transcript"]["status"], "attached");
    assert_eq!(
        sandbox.transcripts().len(),
        2,
        "re-sent because the user asked"
    );
}

#[test]
fn sigterm_stops_after_the_request_in_flight_with_a_valid_journal() {
    let sandbox = Sandbox::start(&["--fault", "slow:1.5@telephony.call.attachTranscription"]);
    let dir = tempfile::TempDir::new().unwrap();
    let mut manifest = String::from("call_id,transcript\n");
    for i in 0..3 {
        let call = sandbox.new_call(true);
        transcript_file(dir.path(), &format!("t{i}.srt"), &format!("row {i}"));
        manifest.push_str(&format!("{call},t{i}.srt\n"));
    }
    let manifest = write(dir.path(), "m.csv", manifest.as_bytes());
    let child = batch_process(&sandbox, &manifest, "50", Stdio::piped())
        .args(["--jobs", "1"])
        .spawn()
        .unwrap();
    // Wait until the first transcript is in flight (the sandbox has stored it).
    let deadline = Instant::now() + Duration::from_secs(20);
    while sandbox.transcripts().is_empty() {
        assert!(
            Instant::now() < deadline,
            "the first transcript never arrived"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    assert_eq!(
        unsafe { libc::kill(child.id() as libc::pid_t, libc::SIGTERM) },
        0
    );
    let started = Instant::now();
    let output = child.wait_with_output().unwrap();
    assert_eq!(output.status.code(), Some(143), "{}", stderr(&output));
    assert!(started.elapsed() < Duration::from_secs(5));
    let result = rows(&output);
    assert_eq!(result.len(), 1, "only the row in flight is finished");
    assert_eq!(result[0]["transcript"]["status"], "attached");
    let journal = std::fs::read_to_string(dir.path().join("m.csv.journal")).unwrap();
    assert!(
        journal
            .lines()
            .all(|l| serde_json::from_str::<Value>(l).is_ok()),
        "{journal}"
    );

    let output = run_batch(&sandbox, &manifest, &[]);
    assert!(output.status.success(), "{}", stderr(&output));
    let result = rows(&output);
    let statuses: Vec<&str> = result
        .iter()
        .map(|r| r["transcript"]["status"].as_str().unwrap())
        .collect();
    assert_eq!(statuses, ["skipped", "attached", "attached"]);
    assert!(transcripts_per_call(&sandbox).values().all(|n| *n == 1));
}

/// How a random-kill run is set up.
struct Crash<'a> {
    jobs: &'a str,
    faults: &'a [&'a str],
    extra: &'a [&'a str],
    /// Between runs, attach a transcript of someone else's to a random call.
    foreign: bool,
    /// Runs may end 9 (unknown outcomes after timeouts) before one succeeds.
    unknown_runs_ok: bool,
}

/// Kills `batch` with SIGKILL at random points until a run completes, then checks
/// that every row's transcript landed exactly once (whatever else the call holds).
fn random_kills_never_duplicate_or_lose(crash: Crash) {
    const ROWS: usize = 60;
    let mut faults = vec!["--fault"; 0];
    for fault in crash.faults {
        faults.push("--fault");
        faults.push(fault);
    }
    let sandbox = Sandbox::start(&faults);
    let dir = tempfile::TempDir::new().unwrap();
    let mut manifest = String::from("call_id,record,transcript\n");
    let mut calls = Vec::new();
    write(dir.path(), "r.wav", &wav_bytes(2_000));
    for i in 0..ROWS {
        let call = sandbox.new_call(true);
        transcript_file(dir.path(), &format!("t{i}.srt"), &format!("row {i}"));
        manifest.push_str(&format!("{call},r.wav,t{i}.srt\n"));
        calls.push(call);
    }
    let manifest = write(dir.path(), "m.csv", manifest.as_bytes());
    let mut seed = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_nanos() as u64
        | 1;
    eprintln!("kill-point seed {seed}");
    let mut kills = 0;
    let mut foreign = 0;
    let mut completed = false;
    for _ in 0..400 {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        if crash.foreign && seed.is_multiple_of(3) {
            let call = &calls[(seed >> 8) as usize % ROWS];
            let (status, _) = sandbox.call(
                "telephony.call.attachTranscription",
                json!({"CALL_ID": call, "MESSAGES": [{"SIDE": "User", "START_TIME": 0, "STOP_TIME": 1, "MESSAGE": "someone else"}]}),
            );
            assert_eq!(status, 200);
            foreign += 1;
        }
        let delay = Duration::from_millis(seed % 600);
        let mut child = batch_process(&sandbox, &manifest, "100", Stdio::null())
            .args(["--jobs", crash.jobs, "--settle", "0"])
            .args(crash.extra)
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        std::thread::sleep(delay);
        match child.try_wait().unwrap() {
            Some(status) if status.success() => {
                completed = true;
                break;
            }
            Some(status) if crash.unknown_runs_ok && status.code() == Some(9) => {}
            Some(status) => panic!("a run ended with {status}"),
            None => {
                child.kill().unwrap();
                child.wait().unwrap();
                kills += 1;
            }
        }
    }
    assert!(completed, "no run finished");
    eprintln!("SIGKILLed {kills} runs before one finished; {foreign} foreign transcripts");
    assert!(kills >= 5, "only {kills} kills: too few to mean anything");
    let output = run_batch(&sandbox, &manifest, &["--settle", "0"]);
    assert!(output.status.success(), "{}", stderr(&output));
    for row in rows(&output) {
        assert_eq!(row["record"]["status"], "skipped", "{row}");
        assert_eq!(row["transcript"]["status"], "skipped", "{row}");
    }
    // Ours are told apart by their text: exactly one per call, never lost or doubled.
    let mut ours: BTreeMap<String, usize> = BTreeMap::new();
    for transcript in sandbox.transcripts() {
        if transcript.to_string().contains("row ") {
            *ours
                .entry(transcript["CALL_ID"].as_str().unwrap().to_string())
                .or_default() += 1;
        }
    }
    for call in &calls {
        assert_eq!(
            ours.get(call),
            Some(&1),
            "call {call} holds {:?} of our transcripts",
            ours.get(call)
        );
    }
}

#[test]
fn random_kills_never_attach_a_transcript_twice() {
    // Answers come late, transcripts later still: kills land inside requests.
    random_kills_never_duplicate_or_lose(Crash {
        jobs: "1",
        faults: &["slow:0.02", "slow:0.08@telephony.call.attachTranscription"],
        extra: &[],
        foreign: false,
        unknown_runs_ok: false,
    });
}

#[test]
fn random_kills_with_eight_jobs_and_foreign_transcripts_between_runs() {
    random_kills_never_duplicate_or_lose(Crash {
        jobs: "8",
        faults: &["slow:0.05", "slow:0.2@telephony.call.attachTranscription"],
        extra: &[],
        foreign: true,
        unknown_runs_ok: false,
    });
}

#[test]
fn random_kills_against_a_portal_slower_than_the_timeout() {
    // Every transcript request times out while the portal stores it: unknown, then settled.
    random_kills_never_duplicate_or_lose(Crash {
        jobs: "8",
        faults: &["slow:1.5@telephony.call.attachTranscription"],
        extra: &["--timeout", "1"],
        foreign: true,
        unknown_runs_ok: true,
    });
}

#[test]
fn the_leaky_bucket_slows_the_pace_instead_of_failing_rows() {
    let sandbox = Sandbox::start(&["--fault", "bucket:10:5@telephony.call.attachTranscription"]);
    let dir = tempfile::TempDir::new().unwrap();
    let mut manifest = String::from("call_id,transcript\n");
    transcript_file(dir.path(), "t.srt", "same words");
    for _ in 0..100 {
        let call = sandbox.new_call(true);
        manifest.push_str(&format!("{call},t.srt\n"));
    }
    let manifest = write(dir.path(), "m.csv", manifest.as_bytes());
    let output = sandbox
        .cmd()
        .args([
            "-o",
            "json",
            "batch",
            "--rate",
            "8",
            "--min-age",
            "0",
            "--manifest",
        ])
        .arg(&manifest)
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", stderr(&output));
    let result = rows(&output);
    assert_eq!(result.len(), 100);
    assert!(result
        .iter()
        .all(|r| r["transcript"]["status"] == "attached"));
    assert!(
        sandbox.log().contains(" 503 "),
        "the bucket never pushed back: the test proves nothing"
    );
    assert_eq!(sandbox.transcripts().len(), 100);
}

#[test]
fn a_replaced_record_file_is_sent_again_and_an_unchanged_one_is_not() {
    let sandbox = Sandbox::start(&[]);
    let dir = tempfile::TempDir::new().unwrap();
    let call = sandbox.new_call(true);
    let path = write(dir.path(), "r.mp3", &mp3_bytes(1_000));
    let manifest = write(
        dir.path(),
        "m.csv",
        format!("call_id,record\n{call},r.mp3\n").as_bytes(),
    );
    assert!(run_batch(&sandbox, &manifest, &[]).status.success());
    let output = run_batch(&sandbox, &manifest, &[]);
    assert_eq!(rows(&output)[0]["record"]["status"], "skipped");

    let newer = mp3_bytes(2_000);
    std::fs::write(&path, &newer).unwrap();
    let output = run_batch(&sandbox, &manifest, &[]);
    let row = &rows(&output)[0];
    assert_eq!(row["record"]["status"], "attached", "{row}");
    assert_eq!(
        sandbox.record(row["record"]["file_id"].as_i64().unwrap()),
        newer
    );
    assert_eq!(logged(&sandbox, "attachRecord"), 2);
}

/// Issue 8.1: a transcript of someone else's that landed after our definite
/// failure is not taken for ours.
#[test]
fn a_foreign_transcript_after_a_definite_failure_is_not_taken_as_ours() {
    let sandbox = Sandbox::start(&["--fault", "ratelimit:1@telephony.call.attachTranscription"]);
    let dir = tempfile::TempDir::new().unwrap();
    let call = sandbox.new_call(true);
    transcript_file(dir.path(), "t.srt", "our words");
    let manifest = write(
        dir.path(),
        "m.csv",
        format!("call_id,transcript\n{call},t.srt\n").as_bytes(),
    );
    let output = run_batch(&sandbox, &manifest, &["--retries", "0"]);
    assert_eq!(output.status.code(), Some(9), "{}", stderr(&output));
    assert_eq!(rows(&output)[0]["transcript"]["status"], "failed");
    let journal = std::fs::read_to_string(dir.path().join("m.csv.journal")).unwrap();
    assert!(
        journal.contains("\"failed\""),
        "the intent stayed open: {journal}"
    );

    let (status, _) = sandbox.call(
        "telephony.call.attachTranscription",
        json!({"CALL_ID": call, "MESSAGES": [{"SIDE": "User", "START_TIME": 0, "STOP_TIME": 1, "MESSAGE": "the PBX's own"}]}),
    );
    assert_eq!(status, 200);
    let output = run_batch(&sandbox, &manifest, &[]);
    assert!(output.status.success(), "{}", stderr(&output));
    assert_eq!(rows(&output)[0]["transcript"]["status"], "attached");
    let texts: Vec<String> = sandbox
        .transcripts()
        .iter()
        .map(|t| t.to_string())
        .collect();
    assert_eq!(texts.len(), 2);
    assert!(texts.iter().any(|t| t.contains("our words")), "{texts:?}");
}

/// Issue 8.13: batch honours --retries for QUERY_LIMIT_EXCEEDED and warns per retry.
#[test]
fn rate_limit_answers_count_against_retries_with_a_warning_each() {
    let sandbox = Sandbox::start(&["--fault", "ratelimit:2@telephony.call.attachTranscription"]);
    let dir = tempfile::TempDir::new().unwrap();
    let call = sandbox.new_call(true);
    transcript_file(dir.path(), "t.srt", "limited");
    let manifest = write(
        dir.path(),
        "m.csv",
        format!("call_id,transcript\n{call},t.srt\n").as_bytes(),
    );
    let output = run_batch(&sandbox, &manifest, &["--retries", "0"]);
    assert_eq!(output.status.code(), Some(9), "{}", stderr(&output));
    assert_eq!(
        logged(&sandbox, "attachTranscription"),
        1,
        "--retries 0 sent more than once"
    );
    let output = run_batch(&sandbox, &manifest, &["--retries", "3"]);
    assert!(output.status.success(), "{}", stderr(&output));
    assert_eq!(logged(&sandbox, "attachTranscription"), 3);
    assert_eq!(
        stderr(&output).matches("retrying in").count(),
        1,
        "{}",
        stderr(&output)
    );
}

/// Issue 8.4: a corrected recording of the same size and mtime (cp -p, rsync -t) is sent.
#[test]
fn a_changed_record_with_the_same_size_and_mtime_is_sent_again() {
    let sandbox = Sandbox::start(&[]);
    let dir = tempfile::TempDir::new().unwrap();
    let call = sandbox.new_call(true);
    let mut first = wav_bytes(4_000);
    let path = write(dir.path(), "r.wav", &first);
    let manifest = write(
        dir.path(),
        "m.csv",
        format!("call_id,record\n{call},r.wav\n").as_bytes(),
    );
    assert!(run_batch(&sandbox, &manifest, &[]).status.success());
    let mtime = std::fs::metadata(&path).unwrap().modified().unwrap();
    let last = first.len() - 1;
    first[last] ^= 0x55;
    std::fs::write(&path, &first).unwrap();
    std::fs::File::options()
        .write(true)
        .open(&path)
        .unwrap()
        .set_modified(mtime)
        .unwrap();
    assert_eq!(std::fs::metadata(&path).unwrap().modified().unwrap(), mtime);
    let output = run_batch(&sandbox, &manifest, &[]);
    let row = &rows(&output)[0];
    assert_eq!(row["record"]["status"], "attached", "{row}");
    assert_eq!(
        sandbox.record(row["record"]["file_id"].as_i64().unwrap()),
        first
    );
}

/// Issue 8.5: symlinked journals and lines from a newer version stop the run.
#[test]
fn a_symlinked_or_unreadable_journal_stops_with_exit_8() {
    let sandbox = Sandbox::start(&[]);
    let dir = tempfile::TempDir::new().unwrap();
    let call = sandbox.new_call(true);
    write(dir.path(), "r.wav", &wav_bytes(100));
    let manifest = write(
        dir.path(),
        "m.csv",
        format!("call_id,record\n{call},r.wav\n").as_bytes(),
    );
    let precious = write(dir.path(), "precious", b"not a journal\n");
    std::os::unix::fs::symlink(&precious, dir.path().join("m.csv.journal")).unwrap();
    let output = run_batch(&sandbox, &manifest, &[]);
    assert_eq!(output.status.code(), Some(8), "{}", stderr(&output));
    assert_eq!(std::fs::read(&precious).unwrap(), b"not a journal\n");
    std::fs::remove_file(dir.path().join("m.csv.journal")).unwrap();

    let newer = "{\"call_id\":\"x\",\"op\":\"record\",\"sha256\":\"s\",\"state\":\"archived\",\"at\":\"2030-01-01T00:00:00Z\"}\n";
    write(dir.path(), "m.csv.journal", newer.as_bytes());
    let output = run_batch(&sandbox, &manifest, &[]);
    assert_eq!(output.status.code(), Some(8), "{}", stderr(&output));
    assert!(
        stderr(&output).contains("m.csv.journal:1"),
        "{}",
        stderr(&output)
    );
    assert_eq!(
        std::fs::read_to_string(dir.path().join("m.csv.journal")).unwrap(),
        newer
    );
    assert_eq!(logged(&sandbox, "attachRecord"), 0);

    // Only a torn last line is cut.
    write(
        dir.path(),
        "m.csv.journal",
        b"{\"call_id\":\"x\",\"op\":\"rec",
    );
    let output = run_batch(&sandbox, &manifest, &[]);
    assert!(output.status.success(), "{}", stderr(&output));
    let journal = std::fs::read_to_string(dir.path().join("m.csv.journal")).unwrap();
    assert!(!journal.contains("\"rec\""), "{journal}");
    assert!(journal
        .lines()
        .all(|l| serde_json::from_str::<Value>(l).is_ok()));
}

/// Issue 8.6: a stdout that cannot be written stops the run with exit 10.
#[test]
fn a_full_stdout_stops_the_run_with_exit_10_and_a_valid_journal() {
    let sandbox = Sandbox::start(&[]);
    let dir = tempfile::TempDir::new().unwrap();
    let mut manifest = String::from("call_id,transcript\n");
    transcript_file(dir.path(), "t.srt", "full");
    for _ in 0..20 {
        manifest.push_str(&format!("{},t.srt\n", sandbox.new_call(true)));
    }
    let manifest = write(dir.path(), "m.csv", manifest.as_bytes());
    let full = std::fs::File::options()
        .write(true)
        .open("/dev/full")
        .unwrap();
    let output = batch_process(&sandbox, &manifest, "100", Stdio::from(full))
        .args(["--jobs", "1"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(10), "{}", stderr(&output));
    let sent = logged(&sandbox, "attachTranscription");
    assert!(
        sent < 20,
        "the run went on after stdout failed ({sent} sent)"
    );
    let journal = std::fs::read_to_string(dir.path().join("m.csv.journal")).unwrap();
    assert!(journal
        .lines()
        .all(|l| serde_json::from_str::<Value>(l).is_ok()));
    let output = run_batch(&sandbox, &manifest, &[]);
    assert!(output.status.success(), "{}", stderr(&output));
    assert!(transcripts_per_call(&sandbox).values().all(|n| *n == 1));
    assert_eq!(sandbox.transcripts().len(), 20);
}

/// The manifest may come on stdin; --dry-run exits as the run would.
#[test]
fn a_manifest_on_stdin_and_a_dry_run_that_exits_as_the_run_would() {
    let sandbox = Sandbox::start(&[]);
    let dir = tempfile::TempDir::new().unwrap();
    let call = sandbox.new_call(true);
    let record = write(dir.path(), "r.wav", &wav_bytes(100));
    let line = format!(
        "{}\n{}\n",
        json!({"call_id": call, "record": record}),
        json!({"call_id": call, "record": "missing.wav"})
    );
    let output = sandbox
        .cmd()
        .current_dir(dir.path())
        .args([
            "-o",
            "json",
            "--dry-run",
            "batch",
            "--min-age",
            "0",
            "--manifest",
            "-",
        ])
        .write_stdin(line.clone())
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(9), "{}", stderr(&output));
    let result = rows(&output);
    assert_eq!(
        result[0]["record"]["status"], "would attach",
        "{}",
        result[0]
    );
    assert!(
        result[1]["error"].as_str().unwrap().contains("<stdin>:2"),
        "{}",
        result[1]
    );
    assert!(
        stderr(&output).contains("batch --dry-run: 1 would attach, 1 invalid row(s)"),
        "{}",
        stderr(&output)
    );
    assert_eq!(logged(&sandbox, "attachRecord"), 0);

    let output = sandbox
        .cmd()
        .current_dir(dir.path())
        .args(["-o", "json", "batch", "--min-age", "0", "--manifest", "-"])
        .write_stdin(line)
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(9), "{}", stderr(&output));
    assert_eq!(rows(&output)[0]["record"]["status"], "attached");
    assert!(dir.path().join("batch.journal").exists());
}

/// Issue 13: several jobs keep a slow portal busy, and the shared bucket still
/// holds the rate: over the run, at most burst + rate × T requests.
#[test]
fn concurrent_jobs_keep_the_bucket_rate_and_use_it_fully() {
    const ROWS: usize = 30;
    let sandbox = Sandbox::start(&["--fault", "latency:telephony.call.attachTranscription=0.5"]);
    let dir = tempfile::TempDir::new().unwrap();
    let mut manifest = String::from("call_id,transcript\n");
    transcript_file(dir.path(), "t.srt", "paced");
    for _ in 0..ROWS {
        manifest.push_str(&format!("{},t.srt\n", sandbox.new_call(true)));
    }
    let manifest = write(dir.path(), "m.csv", manifest.as_bytes());
    let before = sandbox.log().lines().count();
    let started = Instant::now();
    let output = sandbox
        .cmd()
        .args([
            "-o", "json", "batch", "--jobs", "8", "--burst", "5", "--rate", "10",
        ])
        .arg("--manifest")
        .arg(&manifest)
        .output()
        .unwrap();
    let elapsed = started.elapsed().as_secs_f64();
    assert!(output.status.success(), "{}", stderr(&output));
    let log = sandbox.log();
    let requests: Vec<&str> = log.lines().skip(before).collect();
    // A statistics check and the transcript per row.
    assert_eq!(requests.len(), 2 * ROWS, "{log}");
    let bound = (2 * ROWS - 5) as f64 / 10.0;
    eprintln!(
        "{} requests in {elapsed:.2} s; bucket bound {bound:.2} s",
        requests.len()
    );
    assert!(
        elapsed >= bound - 0.2,
        "faster than the bucket allows: {elapsed:.2} s"
    );
    // One job would need ROWS x 0.5 s for the transcripts alone.
    assert!(
        elapsed < ROWS as f64 * 0.5,
        "the jobs did not overlap: {elapsed:.2} s"
    );
    // Per wall-clock second of the log (answers), never more than burst + rate x 2.
    let mut per_second: BTreeMap<&str, usize> = BTreeMap::new();
    for line in &requests {
        *per_second
            .entry(line.split(' ').next().unwrap())
            .or_default() += 1;
    }
    assert!(per_second.values().all(|n| *n <= 5 + 20), "{per_second:?}");
}

/// Issue 16: a re-run looks each row up in the journal's index once; the work
/// counted does not grow with the journal (no scan per row).
#[test]
fn a_rerun_looks_up_each_row_once_however_long_the_journal() {
    const ROWS: usize = 2_000;
    let sandbox = Sandbox::start(&[]);
    let dir = tempfile::TempDir::new().unwrap();
    let run = |extra: &[&str]| {
        sandbox
            .cmd()
            .args([
                "-o",
                "json",
                "batch",
                "--min-age",
                "0",
                "--rate",
                "1000",
                "--burst",
                "1000",
            ])
            .args(extra)
            .arg("--manifest")
            .arg(dir.path().join("m.csv"))
            .output()
            .unwrap()
    };
    let call = sandbox.new_call(true);
    let mut manifest = String::from("call_id,record\n");
    let mut journal = String::new();
    std::fs::create_dir(dir.path().join("r")).unwrap();
    for i in 0..ROWS {
        write(
            &dir.path().join("r"),
            &format!("{i}.wav"),
            &wav_bytes(10 + i),
        );
        manifest.push_str(&format!("{call},r/{i}.wav\n"));
    }
    let manifest = write(dir.path(), "m.csv", manifest.as_bytes());
    // The first run hashes and sends every file; the second only looks them up.
    let _ = manifest;
    let output = run(&[]);
    assert!(output.status.success(), "{}", stderr(&output));
    journal.push_str(&std::fs::read_to_string(dir.path().join("m.csv.journal")).unwrap());
    assert_eq!(journal.lines().count(), ROWS);
    let output = run(&["-v"]);
    assert!(output.status.success(), "{}", stderr(&output));
    assert!(rows(&output)
        .iter()
        .all(|r| r["record"]["status"] == "skipped"));
    let err = stderr(&output);
    let lookups: usize = err
        .lines()
        .find_map(|l| l.strip_prefix("batch: ")?.split_once(" journal lookups"))
        .map(|(n, _)| n.trim().parse().unwrap())
        .unwrap_or_else(|| panic!("no lookup count: {err}"));
    // One stamp lookup per row: the stamp leads straight to the done entry.
    assert_eq!(lookups, ROWS, "{err}");
}

fn audio_fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/audio")
        .join(name)
}

/// The name the sandbox stored a record under.
fn stored_name(sandbox: &Sandbox, file_id: i64) -> String {
    let dir = sandbox.data_dir.join("records").join(file_id.to_string());
    let entry = std::fs::read_dir(&dir).unwrap().next().unwrap().unwrap();
    entry.file_name().to_string_lossy().into_owned()
}

/// Issue 11: batch converts what browsers do not play, and the journal keys on the
/// source file, so a re-run neither converts nor sends it again.
#[test]
fn an_alaw_recording_is_stored_as_mp3_and_a_rerun_skips_it() {
    let sandbox = Sandbox::start(&[]);
    let dir = tempfile::TempDir::new().unwrap();
    let call = sandbox.new_call(true);
    let source = std::fs::read(audio_fixture("alaw.wav")).unwrap();
    write(dir.path(), "call-7.wav", &source);
    let manifest = write(
        dir.path(),
        "m.csv",
        format!("call_id,record\n{call},call-7.wav\n").as_bytes(),
    );

    let output = run_batch(&sandbox, &manifest, &[]);
    assert!(output.status.success(), "{}", stderr(&output));
    let row = &rows(&output)[0];
    assert_eq!(row["record"]["status"], "attached", "{row}");
    assert_eq!(row["record"]["converted_from"], "alaw", "{row}");
    let file_id = row["record"]["file_id"].as_i64().unwrap();
    let stored = sandbox.record(file_id);
    assert!(
        stored.starts_with(b"ID3") || (stored[0] == 0xFF && stored[1] & 0xE0 == 0xE0),
        "the sandbox holds MPEG frames"
    );
    assert_ne!(stored, source);
    assert_eq!(stored_name(&sandbox, file_id), "call-7.mp3");

    // The journal's sha256 is the source's, not the (temporary) MP3's.
    let journal = std::fs::read_to_string(dir.path().join("m.csv.journal")).unwrap();
    let source_sha = format!("{:x}", <sha2::Sha256 as sha2::Digest>::digest(&source));
    assert!(journal.contains(&source_sha), "{journal}");

    let output = run_batch(&sandbox, &manifest, &[]);
    assert!(output.status.success(), "{}", stderr(&output));
    let row = &rows(&output)[0];
    assert_eq!(row["record"]["status"], "skipped", "{row}");
    assert_eq!(row["record"]["file_id"], file_id, "{row}");
    assert_eq!(logged(&sandbox, "attachRecord"), 1);

    // --convert never sends the A-law WAV as it is (with a warning).
    let other = sandbox.new_call(true);
    let manifest = write(
        dir.path(),
        "n.csv",
        format!("call_id,record\n{other},call-7.wav\n").as_bytes(),
    );
    let output = run_batch(&sandbox, &manifest, &["--convert", "never"]);
    assert!(output.status.success(), "{}", stderr(&output));
    let row = &rows(&output)[0];
    assert!(row["record"].get("converted_from").is_none(), "{row}");
    assert_eq!(
        sandbox.record(row["record"]["file_id"].as_i64().unwrap()),
        source
    );
    assert!(stderr(&output).contains("n.csv:2"), "{}", stderr(&output));
}

/// `--if-absent`: a call that already has a record gets nothing, not a replacement.
#[test]
fn if_absent_leaves_a_call_with_a_record_alone() {
    let sandbox = Sandbox::start(&[]);
    let dir = tempfile::TempDir::new().unwrap();
    let has_record = sandbox.new_call(true);
    let bare = sandbox.new_call(true);
    write(dir.path(), "first.wav", &wav_bytes(200));
    write(dir.path(), "second.wav", &wav_bytes(300));
    let first = write(
        dir.path(),
        "first.csv",
        format!("call_id,record\n{has_record},first.wav\n").as_bytes(),
    );
    let output = run_batch(&sandbox, &first, &[]);
    let existing = rows(&output)[0]["record"]["file_id"].as_i64().unwrap();

    let manifest = write(
        dir.path(),
        "m.csv",
        format!("call_id,record\n{has_record},second.wav\n{bare},second.wav\n").as_bytes(),
    );
    let output = run_batch(&sandbox, &manifest, &["--if-absent"]);
    assert!(output.status.success(), "{}", stderr(&output));
    let result = rows(&output);
    assert_eq!(result[0]["record"]["status"], "skipped", "{}", result[0]);
    assert_eq!(result[0]["record"]["file_id"], existing, "{}", result[0]);
    assert_eq!(result[1]["record"]["status"], "attached", "{}", result[1]);
    assert_eq!(logged(&sandbox, "attachRecord"), 2);
    assert!(
        stderr(&output).contains("1 attached, 1 skipped"),
        "{}",
        stderr(&output)
    );
}

/// A recording the PBX is still appending to (its mtime kept old enough by
/// `--min-age 0`) changes size under b24tel: pending, not failed, and sent
/// whole on the run after the PBX finished it.
#[test]
fn a_recording_still_growing_is_pending_and_sent_whole_later() {
    let sandbox = Sandbox::start(&[]);
    let dir = tempfile::TempDir::new().unwrap();
    let call = sandbox.new_call(true);
    let path = write(dir.path(), "growing.wav", &wav_bytes(2_000_000));
    let manifest = write(
        dir.path(),
        "m.csv",
        format!("call_id,record\n{call},growing.wav\n").as_bytes(),
    );
    let writing = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(true));
    let writer = {
        let writing = writing.clone();
        let path = path.clone();
        std::thread::spawn(move || {
            use std::io::Write as _;
            let mut file = std::fs::OpenOptions::new().append(true).open(path).unwrap();
            while writing.load(std::sync::atomic::Ordering::SeqCst) {
                file.write_all(&[0u8; 512]).unwrap();
                std::thread::sleep(Duration::from_millis(1));
            }
        })
    };
    let output = run_batch(&sandbox, &manifest, &["--convert", "never"]);
    writing.store(false, std::sync::atomic::Ordering::SeqCst);
    writer.join().unwrap();
    assert!(output.status.success(), "{}", stderr(&output));
    let row = &rows(&output)[0];
    assert_eq!(row["record"]["status"], "pending", "{row}");
    assert!(stderr(&output).contains("1 pending"), "{}", stderr(&output));

    let output = run_batch(&sandbox, &manifest, &["--convert", "never"]);
    assert!(output.status.success(), "{}", stderr(&output));
    let row = &rows(&output)[0];
    assert_eq!(row["record"]["status"], "attached", "{row}");
    assert_eq!(
        sandbox.record(row["record"]["file_id"].as_i64().unwrap()),
        std::fs::read(&path).unwrap(),
        "the whole file"
    );
}

/// Issue 13: an external id the portal does not know yet waits; once the call is
/// registered and finished, the next run resolves it and attaches.
#[test]
fn an_external_call_id_is_attached_on_the_run_after_the_call_appears() {
    let sandbox = Sandbox::start(&[]);
    let dir = tempfile::TempDir::new().unwrap();
    transcript_file(dir.path(), "t.srt", "hello");
    write(dir.path(), "r.wav", &wav_bytes(100));
    let manifest = write(
        dir.path(),
        "m.jsonl",
        format!(
            "{}\n",
            json!({"external_call_id": "pbx-7001", "record": "r.wav", "transcript": "t.srt"})
        )
        .as_bytes(),
    );
    let output = run_batch(&sandbox, &manifest, &[]);
    assert!(output.status.success(), "{}", stderr(&output));
    let row = &rows(&output)[0];
    assert_eq!(row["record"]["status"], "waiting", "{row}");
    assert_eq!(row["transcript"]["status"], "waiting", "{row}");

    let (status, body) = sandbox.call(
        "telephony.externalCall.register",
        json!({"USER_ID": 1, "PHONE_NUMBER": "+15550100", "TYPE": 2,
               "EXTERNAL_CALL_ID": "pbx-7001"}),
    );
    assert_eq!(status, 200, "{body}");
    let call_id = body["result"]["CALL_ID"].as_str().unwrap().to_string();
    sandbox.finish(&call_id);

    let output = run_batch(&sandbox, &manifest, &[]);
    assert!(output.status.success(), "{}", stderr(&output));
    let row = &rows(&output)[0];
    assert_eq!(row["call_id"], call_id.as_str(), "{row}");
    assert_eq!(row["record"]["status"], "attached", "{row}");
    assert_eq!(row["transcript"]["status"], "attached", "{row}");
    assert_eq!(transcripts_per_call(&sandbox).get(&call_id), Some(&1));
}

/// One file per side, merged by start time into one transcript.
#[test]
fn user_and_client_transcript_columns_make_one_transcript() {
    let sandbox = Sandbox::start(&[]);
    let dir = tempfile::TempDir::new().unwrap();
    let call = sandbox.new_call(true);
    write(
        dir.path(),
        "user.srt",
        b"1\n00:00:00,000 --> 00:00:01,000\nfirst from the user\n\n2\n00:00:04,000 --> 00:00:05,000\nthird from the user\n",
    );
    write(
        dir.path(),
        "client.srt",
        b"1\n00:00:02,000 --> 00:00:03,000\nsecond from the client\n",
    );
    let manifest = write(
        dir.path(),
        "m.csv",
        format!("call_id,user_transcript,client_transcript\n{call},user.srt,client.srt\n")
            .as_bytes(),
    );
    let output = run_batch(&sandbox, &manifest, &[]);
    assert!(output.status.success(), "{}", stderr(&output));
    assert_eq!(rows(&output)[0]["transcript"]["status"], "attached");
    let stored = sandbox.transcripts();
    assert_eq!(stored.len(), 1);
    let text = stored[0].to_string();
    let (first, second, third) = (
        text.find("first from the user").unwrap(),
        text.find("second from the client").unwrap(),
        text.find("third from the user").unwrap(),
    );
    assert!(first < second && second < third, "{text}");
    assert!(
        text.contains("Client") && text.contains("User"),
        "both sides: {text}"
    );

    let output = run_batch(&sandbox, &manifest, &[]);
    assert_eq!(rows(&output)[0]["transcript"]["status"], "skipped");
    assert_eq!(sandbox.transcripts().len(), 1);
}

/// Within `--settle`, a transcript sent without an answer that the portal does not
/// show is unknown and not sent again; after it, it is sent.
#[test]
fn an_unknown_transcript_is_not_resent_within_the_settle_window() {
    let sandbox = Sandbox::start(&[]);
    let dir = tempfile::TempDir::new().unwrap();
    let call = sandbox.new_call(true);
    transcript_file(dir.path(), "t.srt", "settle");
    let manifest = write(
        dir.path(),
        "m.csv",
        format!("call_id,transcript\n{call},t.srt\n").as_bytes(),
    );
    let output = run_batch(&sandbox, &manifest, &[]);
    let transcript_id = rows(&output)[0]["transcript"]["transcript_id"]
        .as_i64()
        .unwrap();

    // As a run leaves it when its request got no answer and the call still shows
    // the transcript it had before: intent (before = that id), then unknown.
    let journal_path = dir.path().join("m.csv.journal");
    let journal = std::fs::read_to_string(&journal_path).unwrap();
    let mut lines: Vec<Value> = journal
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 2, "{journal}");
    assert_eq!(lines[0]["state"], "intent", "{journal}");
    lines[0]["before"] = json!(transcript_id);
    lines[1]["state"] = json!("unknown");
    lines[1].as_object_mut().unwrap().remove("transcript_id");
    let text: String = lines.iter().map(|l| format!("{l}\n")).collect();
    std::fs::write(&journal_path, text).unwrap();

    let output = run_batch(&sandbox, &manifest, &[]);
    assert_eq!(output.status.code(), Some(9), "{}", stderr(&output));
    let row = &rows(&output)[0];
    assert_eq!(row["transcript"]["status"], "unknown", "{row}");
    assert!(
        row["transcript"]["error"]
            .as_str()
            .unwrap()
            .contains("--settle"),
        "{row}"
    );
    assert!(stderr(&output).contains("1 unknown"), "{}", stderr(&output));
    assert!(stderr(&output).contains("--settle"), "{}", stderr(&output));
    assert!(
        !stderr(&output).contains("--resend-unknown"),
        "{}",
        stderr(&output)
    );
    assert_eq!(logged(&sandbox, "attachTranscription"), 1, "not re-sent");

    let output = run_batch(&sandbox, &manifest, &["--settle", "0"]);
    assert!(output.status.success(), "{}", stderr(&output));
    assert_eq!(rows(&output)[0]["transcript"]["status"], "attached");
    assert_eq!(logged(&sandbox, "attachTranscription"), 2);
}

/// A JSONL line that is not JSON keeps its line number, shows no empty call_id,
/// and the summary and its hint agree with the rows.
#[test]
fn a_bad_jsonl_line_keeps_its_number_and_the_summary_agrees_with_the_rows() {
    let sandbox = Sandbox::start(&[]);
    let dir = tempfile::TempDir::new().unwrap();
    let call = sandbox.new_call(true);
    let waiting = sandbox.new_call(false);
    transcript_file(dir.path(), "t.srt", "hi");
    let manifest = write(
        dir.path(),
        "m.jsonl",
        format!(
            "{}\n{{\"call_id\": \"{call}\", \"transcript\": \n{}\n",
            json!({"call_id": call, "transcript": "t.srt", "priority": "high"}),
            json!({"call_id": waiting, "transcript": "t.srt"}),
        )
        .as_bytes(),
    );
    let output = run_batch(&sandbox, &manifest, &[]);
    assert_eq!(output.status.code(), Some(9), "{}", stderr(&output));
    let result = rows(&output);
    assert_eq!(result.len(), 3);
    assert_eq!(result[1]["row"], 2, "{}", result[1]);
    assert!(result[1].get("call_id").is_none(), "{}", result[1]);
    assert!(
        result[1]["error"].as_str().unwrap().contains("m.jsonl:2"),
        "{}",
        result[1]
    );
    let err = stderr(&output);
    assert!(err.contains("`priority`"), "{err}");
    assert!(
        err.contains("batch: 1 attached, 1 waiting, 1 invalid row(s)"),
        "{err}"
    );
    assert!(
        err.contains("error: 1 invalid row(s); see the rows"),
        "{err}"
    );
    assert!(err.contains("fix the invalid rows"), "{err}");
    assert!(!err.contains("run the same command again"), "{err}");
}

/// An external id the portal will not resolve (statistics refused) is a failed
/// row, not an invalid one: the row itself is fine, so the hint is not "fix it".
#[test]
fn an_external_id_the_portal_refuses_to_resolve_is_failed_not_invalid() {
    let sandbox = Sandbox::start(&["--fault", "no-statistics"]);
    let dir = tempfile::TempDir::new().unwrap();
    transcript_file(dir.path(), "t.srt", "hi");
    let manifest = write(
        dir.path(),
        "m.jsonl",
        format!(
            "{}\n",
            json!({"external_call_id": "pbx-9", "transcript": "t.srt"})
        )
        .as_bytes(),
    );
    let output = run_batch(&sandbox, &manifest, &[]);
    assert_eq!(output.status.code(), Some(9), "{}", stderr(&output));
    let row = &rows(&output)[0];
    assert!(
        row["error"]
            .as_str()
            .unwrap()
            .contains("external_call_id pbx-9"),
        "{row}"
    );
    let err = stderr(&output);
    assert!(err.contains("batch: 1 failed"), "{err}");
    assert!(!err.contains("invalid"), "{err}");
    assert!(err.contains("run the same command again"), "{err}");
}
