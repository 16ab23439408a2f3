//! `b24tel batch`: attach every recording and transcript of a manifest, from
//! cron, safely re-runnable: a journal skips what is done, and a transcript is
//! never attached twice, not even after a kill at the worst moment.

use std::collections::BTreeMap;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use clap::Args;
use serde_json::{json, Map, Value};
use sha2::{Digest, Sha256};

use super::record::{attach_recording, Recording};
use super::transcript::{attach_transcription, read_file, ReadingArgs, Transcription};
use crate::batch::journal::{Entry, Journal, Op, State};
use crate::batch::manifest::{self, Row, Source};
use crate::call::CallId;
use crate::cli::GlobalArgs;
use crate::failure::{Failure, Kind};
use crate::output::{fields, Ui};
use crate::portal::{Portal, Repeat};
use crate::record::{check_url, RecordFile};

const STATISTICS: &str = "voximplant.statistic.get";

#[derive(Debug, Args)]
pub struct Cmd {
    /// Manifest: CSV with a header, or JSON Lines (call_id, record, transcript, filename)
    #[arg(long, value_name = "PATH")]
    pub manifest: PathBuf,
    /// Journal of what is done [default: <manifest>.journal]
    #[arg(long, value_name = "PATH")]
    pub journal: Option<PathBuf>,
    /// At most N requests per second
    #[arg(long, value_name = "N", default_value_t = 2.0)]
    pub rate: f64,
    /// Leave record files modified less than SECS ago for the next run
    #[arg(long, value_name = "SECS", default_value_t = 5)]
    pub min_age: u64,
    /// Stop at the first failed row
    #[arg(long)]
    pub fail_fast: bool,
    /// Send transcripts again whose earlier outcome the portal cannot confirm
    #[arg(long)]
    pub resend_unknown: bool,
    #[command(flatten)]
    pub reading: ReadingArgs,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Status {
    Attached,
    Skipped,
    Pending,
    Unknown,
    Failed,
}

impl Status {
    fn name(self) -> &'static str {
        match self {
            Status::Attached => "attached",
            Status::Skipped => "skipped",
            Status::Pending => "pending",
            Status::Unknown => "unknown",
            Status::Failed => "failed",
        }
    }
}

/// The outcome of one operation of a row.
struct Outcome {
    status: Status,
    id: Option<i64>,
    error: Option<String>,
}

impl Outcome {
    fn ok(status: Status, id: Option<i64>) -> Self {
        Outcome {
            status,
            id,
            error: None,
        }
    }

    fn failed(error: impl Into<String>) -> Self {
        Outcome {
            status: Status::Failed,
            id: None,
            error: Some(error.into()),
        }
    }

    fn to_json(&self, id_key: &str) -> Value {
        let mut out = fields([("status", json!(self.status.name()))]);
        if let Some(id) = self.id {
            out.insert(id_key.into(), json!(id));
        }
        if let Some(error) = &self.error {
            out.insert("error".into(), json!(error));
        }
        Value::Object(out)
    }
}

/// A row after validation: what to send for each op, or why not.
struct Plan {
    line: usize,
    call_id: String,
    record: Option<Result<PlannedRecord, Outcome>>,
    transcript: Option<Result<Transcription, Outcome>>,
}

struct PlannedRecord {
    recording: Recording,
    /// The path to hash, for files.
    path: Option<PathBuf>,
}

pub fn run(cmd: Cmd, global: &GlobalArgs, ui: &Ui) -> anyhow::Result<()> {
    if !(cmd.rate.is_finite() && cmd.rate > 0.0) {
        return Err(Failure::usage(format!("--rate {} must be a number above 0", cmd.rate)).into());
    }
    let stop = stop_on_signals()?;

    let entries = manifest::read(&cmd.manifest)?;
    let plans: Vec<Plan> = entries
        .into_iter()
        .map(|entry| plan_row(entry, &cmd, ui))
        .collect();
    if global.dry_run {
        for plan in &plans {
            ui.result(&dry_run_row(plan));
        }
        return Ok(());
    }

    let profile = super::profile(global, ui)?;
    let journal_path = cmd.journal.clone().unwrap_or_else(|| {
        let mut name = cmd.manifest.clone().into_os_string();
        name.push(".journal");
        PathBuf::from(name)
    });
    let mut journal = Journal::open(&journal_path)?;
    let mut portal = Portal::new(&profile, &ui.without_progress())?;
    portal.pace(cmd.rate);
    portal.stop_on(stop.clone());

    let bar = ui.rows_bar(plans.len() as u64);
    let mut counts: BTreeMap<Status, usize> = BTreeMap::new();
    let mut table = Vec::new();
    let mut stopped_by = None;
    for plan in plans {
        if let Some(signal) = signal_in(&stop) {
            stopped_by = Some(signal);
            break;
        }
        let call_id = CallId::parse(&plan.call_id, "call_id").ok();
        let record = plan.record.map(|op| match (op, &call_id) {
            (Err(outcome), _) => outcome,
            (Ok(planned), Some(call_id)) => send_record(&portal, &mut journal, call_id, &planned),
            (Ok(_), None) => Outcome::failed("invalid call_id"),
        });
        let transcript = plan.transcript.map(|op| match (op, &call_id) {
            (Err(outcome), _) => outcome,
            (Ok(transcription), Some(call_id)) => send_transcript(
                &portal,
                &mut journal,
                call_id,
                &transcription,
                cmd.resend_unknown,
            ),
            (Ok(_), None) => Outcome::failed("invalid call_id"),
        });
        let mut out = fields([("row", json!(plan.line)), ("call_id", json!(plan.call_id))]);
        let mut worst = Status::Attached;
        for (key, id_key, outcome) in [
            ("record", "file_id", &record),
            ("transcript", "transcript_id", &transcript),
        ] {
            if let Some(outcome) = outcome {
                *counts.entry(outcome.status).or_default() += 1;
                worst = worst.max(outcome.status);
                out.insert(key.into(), outcome.to_json(id_key));
            }
        }
        stopped_by = signal_in(&stop);
        if let Some(bar) = &bar {
            bar.inc(1);
        }
        if ui.is_json() {
            bar_suspend(&bar, || ui.result(&out));
        } else {
            table.push(table_row(&out));
        }
        if stopped_by.is_some() || (cmd.fail_fast && worst == Status::Failed) {
            break;
        }
    }
    if let Some(bar) = &bar {
        bar.finish_and_clear();
    }
    if !ui.is_json() {
        ui.rows(&["row", "call_id", "record", "transcript", "error"], &table);
    }
    let summary: Vec<String> = counts
        .iter()
        .map(|(status, n)| format!("{n} {}", status.name()))
        .collect();
    ui.note(&format!(
        "batch: {} (journal {})",
        if summary.is_empty() {
            "nothing to do".to_string()
        } else {
            summary.join(", ")
        },
        journal.path().display()
    ));

    if let Some(signal) = stopped_by.or_else(|| signal_in(&stop)) {
        let kind = if signal == signal_hook::consts::SIGTERM as usize {
            Kind::Terminated
        } else {
            Kind::Interrupted
        };
        return Err(Failure::new(
            kind,
            "batch interrupted; the journal is valid, run it again to finish",
        )
        .into());
    }
    let failed = counts.get(&Status::Failed).copied().unwrap_or(0);
    let unknown = counts.get(&Status::Unknown).copied().unwrap_or(0);
    if failed + unknown > 0 {
        let mut failure = Failure::new(
            Kind::BatchFailed,
            format!("{failed} operation(s) failed and {unknown} unknown; see the rows above"),
        );
        failure.hint = Some(if unknown > 0 {
            "unknown: a transcript may already be attached and the portal refused the check (voximplant.statistic.get needs the call-statistics permission); check the calls, then run again with --resend-unknown if they have none".into()
        } else {
            "run the same command again: done rows are skipped and only the failed ones are sent"
                .into()
        });
        return Err(failure.into());
    }
    Ok(())
}

/// SIGINT and SIGTERM put their number in the returned flag; the run stops after
/// the request in flight. A second signal ends the process at once.
fn stop_on_signals() -> Result<Arc<AtomicUsize>, Failure> {
    let stop = Arc::new(AtomicUsize::new(0));
    let armed = Arc::new(std::sync::atomic::AtomicBool::new(false));
    for (signal, code) in [
        (signal_hook::consts::SIGINT, 130),
        (signal_hook::consts::SIGTERM, 143),
    ] {
        signal_hook::flag::register_conditional_shutdown(signal, code, armed.clone())
            .and_then(|_| signal_hook::flag::register(signal, armed.clone()))
            .and_then(|_| signal_hook::flag::register_usize(signal, stop.clone(), signal as usize))
            .map_err(|e| Failure::new(Kind::Internal, format!("cannot handle signals: {e}")))?;
    }
    Ok(stop)
}

fn signal_in(stop: &AtomicUsize) -> Option<usize> {
    Some(stop.load(Ordering::SeqCst)).filter(|s| *s != 0)
}

fn bar_suspend(bar: &Option<indicatif::ProgressBar>, f: impl FnOnce()) {
    match bar {
        Some(bar) => bar.suspend(f),
        None => f(),
    }
}

/// Checks a row without sending anything; pending files are left for later.
fn plan_row(entry: manifest::Entry, cmd: &Cmd, ui: &Ui) -> Plan {
    let row: Row = match entry {
        Ok(row) => row,
        Err((line, call_id, problems)) => {
            let error = problems.join("; ");
            return Plan {
                line,
                call_id,
                record: Some(Err(Outcome::failed(error.clone()))),
                transcript: None,
            };
        }
    };
    let place = format!("{}:{}", cmd.manifest.display(), row.line);
    let call_problem = CallId::parse(&row.call_id, &format!("{place}: call_id")).err();
    let with_call_problem = |mut problems: Vec<String>| {
        if let Some(problem) = &call_problem {
            problems.insert(0, problem.clone());
        }
        Outcome::failed(problems.join("; "))
    };
    let record = row.record.as_ref().map(|source| match source {
        Source::Url(url) => match check_url(url, row.filename.as_deref()) {
            Ok(name) if call_problem.is_none() => Ok(PlannedRecord {
                recording: Recording::Url {
                    url: url.clone(),
                    name,
                },
                path: None,
            }),
            Ok(_) => Err(with_call_problem(Vec::new())),
            Err(problems) => Err(with_call_problem(prefixed(&place, problems))),
        },
        Source::Path(path) => {
            if is_young(path, cmd.min_age) {
                return Err(Outcome::ok(Status::Pending, None));
            }
            match RecordFile::check(path, row.filename.as_deref(), true) {
                Ok(file) if call_problem.is_none() => Ok(PlannedRecord {
                    path: Some(file.path.clone()),
                    recording: Recording::File(file),
                }),
                Ok(_) => Err(with_call_problem(Vec::new())),
                Err(problems) => Err(with_call_problem(prefixed(&place, problems))),
            }
        }
    });
    let transcript = row
        .transcript
        .as_ref()
        .map(|path| match read_file(path, &cmd.reading, ui) {
            Ok(messages) if call_problem.is_none() => Ok(Transcription {
                messages,
                cost: None,
            }),
            Ok(_) => Err(with_call_problem(Vec::new())),
            Err(problems) => Err(with_call_problem(prefixed(&place, problems))),
        });
    Plan {
        line: row.line,
        call_id: row.call_id,
        record,
        transcript,
    }
}

fn prefixed(place: &str, problems: Vec<String>) -> Vec<String> {
    problems
        .into_iter()
        .map(|p| format!("{place}: {p}"))
        .collect()
}

/// A file the PBX may still be writing.
fn is_young(path: &Path, min_age: u64) -> bool {
    std::fs::metadata(path)
        .and_then(|m| m.modified())
        .ok()
        .and_then(|modified| SystemTime::now().duration_since(modified).ok())
        .is_some_and(|age| age < Duration::from_secs(min_age))
}

fn sha256_hex(bytes: &[u8]) -> String {
    format!("{:x}", Sha256::digest(bytes))
}

fn sha256_file(path: &Path) -> Result<String, String> {
    let mut file = std::fs::File::open(path)
        .map_err(|e| format!("{}: cannot read it ({e})", path.display()))?;
    let mut hasher = Sha256::new();
    let mut buffer = vec![0u8; 1 << 20];
    loop {
        let n = file
            .read(&mut buffer)
            .map_err(|e| format!("{}: cannot read it ({e})", path.display()))?;
        if n == 0 {
            return Ok(format!("{:x}", hasher.finalize()));
        }
        hasher.update(&buffer[..n]);
    }
}

/// Records need no intent: attaching again replaces the record.
fn send_record(
    portal: &Portal,
    journal: &mut Journal,
    call_id: &CallId,
    planned: &PlannedRecord,
) -> Outcome {
    let stamp = planned.path.as_deref().and_then(file_stamp);
    if let Some(done) = stamp.and_then(|stamp| journal.done_unchanged(call_id.as_str(), stamp)) {
        return Outcome::ok(Status::Skipped, done.file_id);
    }
    let sha = match &planned.path {
        Some(path) => match sha256_file(path) {
            Ok(sha) => sha,
            Err(e) => return Outcome::failed(e),
        },
        None => match &planned.recording {
            Recording::Url { url, .. } => sha256_hex(url.as_bytes()),
            Recording::File(_) => unreachable!("files have a path"),
        },
    };
    if let Some(done) = journal.done(call_id.as_str(), Op::Record, &sha) {
        return Outcome::ok(Status::Skipped, done.file_id);
    }
    match attach_recording(portal, call_id, &planned.recording, Duration::ZERO) {
        Ok(result) => {
            let file_id = result.get("file_id").and_then(Value::as_i64);
            let mut entry = Entry::new(call_id.as_str(), Op::Record, &sha, State::Done);
            entry.file_id = file_id;
            entry.file_stamp = stamp;
            confirm(journal, entry, Status::Attached)
        }
        Err(failure) => Outcome::failed(describe(&failure)),
    }
}

/// Writes the `done` line that makes re-runs skip this operation.
fn confirm(journal: &mut Journal, entry: Entry, status: Status) -> Outcome {
    let id = entry.file_id.or(entry.transcript_id);
    match journal.append(entry) {
        Ok(()) => Outcome::ok(status, id),
        Err(e) => Outcome::failed(e.to_string()),
    }
}

/// Size and modification time of a file, to skip re-hashing an unchanged one.
fn file_stamp(path: &Path) -> Option<(u64, u128)> {
    let metadata = std::fs::metadata(path).ok()?;
    let modified = metadata
        .modified()
        .ok()?
        .duration_since(std::time::UNIX_EPOCH)
        .ok()?;
    Some((metadata.len(), modified.as_nanos()))
}

/// Intent before sending, done after; an intent left by a crash is settled with
/// the portal before anything is sent again.
fn send_transcript(
    portal: &Portal,
    journal: &mut Journal,
    call_id: &CallId,
    transcription: &Transcription,
    resend_unknown: bool,
) -> Outcome {
    // The content is exactly the parameters that would be sent.
    let content = serde_json::to_vec(&transcription.request(call_id)).expect("serialises");
    let sha = sha256_hex(&content);
    if let Some(done) = journal.done(call_id.as_str(), Op::Transcript, &sha) {
        return Outcome::ok(Status::Skipped, done.transcript_id);
    }
    if journal.unresolved_intent(call_id.as_str(), Op::Transcript, &sha) {
        match landed_transcript(portal, journal, call_id) {
            Ok(Some(transcript_id)) => {
                let mut entry = Entry::new(call_id.as_str(), Op::Transcript, &sha, State::Done);
                entry.transcript_id = Some(transcript_id);
                return confirm(journal, entry, Status::Skipped);
            }
            Ok(None) => {}
            Err(failure) if failure.kind == Kind::Auth && !resend_unknown => {
                return Outcome {
                    status: Status::Unknown,
                    id: None,
                    error: Some(format!(
                        "an earlier run may have attached this transcript and the portal refused the check: {}",
                        describe(&failure)
                    )),
                };
            }
            Err(failure) if failure.kind == Kind::Auth => {}
            Err(failure) => return Outcome::failed(describe(&failure)),
        }
    }
    if let Err(e) = journal.append(Entry::new(
        call_id.as_str(),
        Op::Transcript,
        &sha,
        State::Intent,
    )) {
        return Outcome::failed(e.to_string());
    }
    match attach_transcription(portal, call_id, transcription, Duration::ZERO) {
        Ok(result) => {
            let transcript_id = result.get("transcript_id").and_then(Value::as_i64);
            let mut entry = Entry::new(call_id.as_str(), Op::Transcript, &sha, State::Done);
            entry.transcript_id = transcript_id;
            confirm(journal, entry, Status::Attached)
        }
        Err(failure) => Outcome::failed(describe(&failure)),
    }
}

/// The transcript the portal holds for the call that this journal does not yet
/// account for: the one an interrupted run attached.
fn landed_transcript(
    portal: &Portal,
    journal: &Journal,
    call_id: &CallId,
) -> Result<Option<i64>, Failure> {
    let mut filter = Map::new();
    filter.insert("CALL_ID".into(), json!(call_id.as_str()));
    let params = fields([("FILTER", Value::Object(filter))]);
    let rows = portal.call(STATISTICS, &params, Repeat::Safe)?;
    let known = journal.known_transcripts(call_id.as_str());
    Ok(rows
        .as_array()
        .into_iter()
        .flatten()
        .filter(|row| row.get("CALL_ID").and_then(Value::as_str) == Some(call_id.as_str()))
        .filter_map(|row| {
            let id = row.get("TRANSCRIPT_ID")?;
            id.as_i64().or_else(|| id.as_str()?.parse().ok())
        })
        .find(|id| !known.contains(id)))
}

fn describe(failure: &Failure) -> String {
    let mut text = failure.to_string();
    if let Some(hint) = &failure.hint {
        text = format!("{text}; {hint}");
    }
    text
}

fn table_row(out: &Map<String, Value>) -> Map<String, Value> {
    let cell = |key: &str, id_key: &str| {
        out.get(key).map(|op| {
            let status = op["status"].as_str().unwrap_or("");
            match op.get(id_key) {
                Some(id) => json!(format!("{status} {id}")),
                None => json!(status),
            }
        })
    };
    let errors: Vec<&str> = ["record", "transcript"]
        .iter()
        .filter_map(|k| {
            out.get(*k)
                .and_then(|op| op.get("error"))
                .and_then(Value::as_str)
        })
        .collect();
    fields([
        ("row", out["row"].clone()),
        ("call_id", out["call_id"].clone()),
        ("record", cell("record", "file_id").unwrap_or(json!("-"))),
        (
            "transcript",
            cell("transcript", "transcript_id").unwrap_or(json!("-")),
        ),
        ("error", json!(errors.join("; "))),
    ])
}

fn dry_run_row(plan: &Plan) -> Map<String, Value> {
    let describe_op = |op: Option<Result<Value, &Outcome>>| match op {
        None => Value::Null,
        Some(Ok(value)) => value,
        Some(Err(outcome)) => outcome.to_json("id"),
    };
    let record = describe_op(plan.record.as_ref().map(|op| {
        op.as_ref().map(
            |planned| json!({"status": "would attach", "filename": planned.recording.filename()}),
        )
    }));
    let transcript = describe_op(plan.transcript.as_ref().map(|op| {
        op.as_ref()
            .map(|t| json!({"status": "would attach", "messages": t.messages.len()}))
    }));
    let mut out = fields([
        ("dry_run", json!(true)),
        ("row", json!(plan.line)),
        ("call_id", json!(plan.call_id)),
    ]);
    if !record.is_null() {
        out.insert("record".into(), record);
    }
    if !transcript.is_null() {
        out.insert("transcript".into(), transcript);
    }
    out
}
