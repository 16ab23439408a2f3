//! Running a manifest: rows are read one at a time, planned and sent by up to
//! `--jobs` workers under one shared pacer; one journal (every line whole and
//! on disk before it is acknowledged, group committed) and one printer that
//! writes each row as it completes.

use std::collections::HashSet;
use std::io::{Read, Write};
use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc::{channel, sync_channel, Receiver};
use std::sync::{Arc, Condvar, Mutex};
use std::time::Duration;

use serde_json::{json, Map, Value};
use sha2::{Digest, Sha256};

use crate::batch::journal::{now_secs, Entry, Journal, Op, Stamp, State};
use crate::batch::manifest::{self, BadRow, CallRef, Row, Rows, Source};
use crate::batch::plan::{plan, Call, Plan, RecordPlan};
use crate::call::CallId;
use crate::commands::record::{attach_recording, existing_record, Recording};
use crate::commands::transcript::{attach_transcription, ReadingArgs, Transcription};
use crate::config::Profile;
use crate::failure::{Failure, Kind};
use crate::output::{fields, Ui};
use crate::portal::{is_call_not_ready, Pacer, Portal, Repeat};
use crate::record::convert::Conversion;

const STATISTICS: &str = "voximplant.statistic.get";

/// Stop reasons other than a signal number (SIGINT 2, SIGTERM 15).
pub const STOP_STDOUT: usize = 1;
pub const STOP_FAIL_FAST: usize = 3;

#[derive(Debug, Clone)]
pub struct Settings {
    pub manifest_shown: String,
    pub reading: ReadingArgs,
    pub conversion: Conversion,
    /// Send no record to a call that already has one.
    pub if_absent: bool,
    pub min_age: u64,
    pub resend_unknown: bool,
    pub settle: u64,
    pub give_up_after: u64,
    pub wait_for_call: Duration,
    pub fail_fast: bool,
    pub jobs: usize,
    pub burst: f64,
    pub rate: f64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Status {
    Attached,
    Skipped,
    Pending,
    Waiting,
    /// Stopped (signal, stdout, --fail-fast) before it was sent: the next run sends it.
    Interrupted,
    Unknown,
    Failed,
}

impl Status {
    pub fn name(self) -> &'static str {
        match self {
            Status::Attached => "attached",
            Status::Skipped => "skipped",
            Status::Pending => "pending",
            Status::Waiting => "waiting",
            Status::Interrupted => "interrupted",
            Status::Unknown => "unknown",
            Status::Failed => "failed",
        }
    }
}

/// Why a row is unknown, for the summary's hint.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Doubt {
    /// The portal refused the statistics check: --resend-unknown.
    Unchecked,
    /// Sent recently without an answer: it may still land (--settle).
    Settling,
}

/// The outcome of one operation of a row.
#[derive(Debug)]
pub struct Outcome {
    pub status: Status,
    pub id: Option<i64>,
    pub error: Option<String>,
    pub doubt: Option<Doubt>,
    pub waiting_since: Option<u64>,
    /// The input codec, when the recording was converted before it was sent.
    pub converted_from: Option<String>,
}

impl Outcome {
    fn ok(status: Status, id: Option<i64>) -> Self {
        Outcome {
            status,
            id,
            error: None,
            doubt: None,
            waiting_since: None,
            converted_from: None,
        }
    }

    fn failed(error: impl Into<String>) -> Self {
        Outcome {
            error: Some(error.into()),
            ..Outcome::ok(Status::Failed, None)
        }
    }

    fn unknown(doubt: Doubt, error: impl Into<String>) -> Self {
        Outcome {
            error: Some(error.into()),
            doubt: Some(doubt),
            ..Outcome::ok(Status::Unknown, None)
        }
    }

    fn interrupted() -> Self {
        Outcome {
            error: Some("stopped before it was sent; the next run sends it".into()),
            ..Outcome::ok(Status::Interrupted, None)
        }
    }

    fn to_json(&self, id_key: &str) -> Value {
        let mut out = fields([("status", json!(self.status.name()))]);
        if let Some(id) = self.id {
            out.insert(id_key.into(), json!(id));
        }
        if let Some(codec) = &self.converted_from {
            out.insert("converted_from".into(), json!(codec));
        }
        if let Some(since) = self.waiting_since {
            out.insert(
                "waiting_since".into(),
                json!(humantime::format_rfc3339_seconds(
                    std::time::UNIX_EPOCH + Duration::from_secs(since)
                )
                .to_string()),
            );
        }
        if let Some(error) = &self.error {
            out.insert("error".into(), json!(error));
        }
        Value::Object(out)
    }
}

/// One row's result, as printed.
#[derive(Debug)]
pub struct RowResult {
    pub line: usize,
    pub call_id: Option<String>,
    /// A row-level problem: validation, or the call could not be resolved.
    pub error: Option<String>,
    pub record: Option<Outcome>,
    pub transcript: Option<Outcome>,
    /// A dry run's plan of the ops.
    pub plan: Option<Map<String, Value>>,
    /// `error` is a validation problem: nothing was sent, and running again will
    /// not help until the row is fixed.
    pub invalid: bool,
}

impl RowResult {
    pub fn worst(&self) -> Option<Status> {
        let ops = [&self.record, &self.transcript];
        let worst = ops
            .iter()
            .filter_map(|o| o.as_ref().map(|o| o.status))
            .max();
        if self.error.is_some() && self.record.is_none() && self.transcript.is_none() {
            Some(Status::Failed)
        } else {
            worst
        }
    }

    pub fn to_json(&self, dry_run: bool) -> Map<String, Value> {
        let mut out = Map::new();
        if dry_run {
            out.insert("dry_run".into(), json!(true));
        }
        out.insert("row".into(), json!(self.line));
        if let Some(call_id) = &self.call_id {
            out.insert("call_id".into(), json!(call_id));
        }
        if let Some(plan) = &self.plan {
            out.extend(plan.clone());
        }
        if let Some(op) = &self.record {
            out.insert("record".into(), op.to_json("file_id"));
        }
        if let Some(op) = &self.transcript {
            out.insert("transcript".into(), op.to_json("transcript_id"));
        }
        if let Some(error) = &self.error {
            out.insert("error".into(), json!(error));
        }
        out
    }
}

/// What the workers share.
pub struct Context {
    pub settings: Settings,
    pub journal: Journal,
    pub stop: Arc<AtomicUsize>,
    pub ui: Ui,
    /// Calls a worker is on: two rows of one call never run at once.
    busy: Mutex<HashSet<String>>,
    freed: Condvar,
}

fn stopped(stop: &AtomicUsize) -> bool {
    stop.load(Ordering::SeqCst) != 0
}

/// Reads the manifest, runs every row on `jobs` workers and hands each result to
/// `emit` as it completes (`emit` returns false when the output failed).
pub fn run(
    rows: Rows,
    profile: &Profile,
    settings: Settings,
    journal: Journal,
    stop: Arc<AtomicUsize>,
    ui: &Ui,
    mut emit: impl FnMut(RowResult) -> bool,
) -> Result<Journal, Failure> {
    let jobs = settings.jobs.max(1);
    let pacer = Pacer::new(settings.burst, settings.rate);
    let context = Arc::new(Context {
        settings,
        journal,
        stop: stop.clone(),
        ui: ui.clone(),
        busy: Mutex::new(HashSet::new()),
        freed: Condvar::new(),
    });
    // Each worker's own connection pool and runtime, one pacer for all.
    let mut portals = Vec::new();
    for _ in 0..jobs {
        let mut portal = Portal::new(profile, &ui.without_progress())?;
        portal.pace(pacer.clone());
        portal.stop_on(stop.clone());
        portals.push(portal);
    }
    let (row_tx, row_rx) = sync_channel::<manifest::Entry>(jobs * 2);
    let row_rx = Arc::new(Mutex::new(row_rx));
    // Unbounded: a worker never waits for the printer, so the reader (which
    // prints too) can never deadlock with a worker; at most jobs * 3 rows are in flight.
    let (result_tx, result_rx) = channel::<RowResult>();

    std::thread::scope(|scope| {
        for portal in portals {
            let row_rx = row_rx.clone();
            let result_tx = result_tx.clone();
            let context = context.clone();
            scope.spawn(move || loop {
                let next = row_rx.lock().unwrap_or_else(|e| e.into_inner()).recv();
                let Ok(entry) = next else { break };
                if stopped(&context.stop) {
                    // Rows not started when the run stops are left for the next run.
                    break;
                }
                let result = run_row(&portal, &context, entry);
                if context.settings.fail_fast && result.worst() == Some(Status::Failed) {
                    context
                        .stop
                        .compare_exchange(0, STOP_FAIL_FAST, Ordering::SeqCst, Ordering::SeqCst)
                        .ok();
                }
                if result_tx.send(result).is_err() {
                    break;
                }
            });
        }
        drop(result_tx);
        read_rows(rows, row_tx, &context, &result_rx, &mut emit);
        for result in result_rx {
            print(&context, &mut emit, result);
        }
    });
    let context = Arc::try_unwrap(context)
        .map_err(|_| Failure::new(Kind::Internal, "batch workers outlived the run"))?;
    Ok(context.journal)
}

/// Reads rows on the calling thread. A row the journal already shows done is
/// printed here, with no hand-off to a worker (an all-skipped re-run is mostly
/// such rows); the others go to the workers, whose results are printed between rows.
fn read_rows(
    mut rows: Rows,
    row_tx: std::sync::mpsc::SyncSender<manifest::Entry>,
    context: &Context,
    results: &Receiver<RowResult>,
    emit: &mut impl FnMut(RowResult) -> bool,
) {
    let ui = &context.ui;
    for key in rows.new_unknown() {
        ui.warn(&format!(
            "the manifest has a column `{key}` that batch does not know; it is ignored (known: {})",
            manifest::COLUMNS.join(", ")
        ));
    }
    while let Some(entry) = rows.next() {
        for key in rows.new_unknown() {
            ui.warn(&format!(
                "the manifest has a key `{key}` that batch does not know; it is ignored (known: {})",
                manifest::COLUMNS.join(", ")
            ));
        }
        if stopped(&context.stop) {
            break;
        }
        if let Some(result) = done_already(context, &entry) {
            print(context, emit, result);
            continue;
        }
        while let Ok(result) = results.try_recv() {
            print(context, emit, result);
        }
        if row_tx.send(entry).is_err() {
            break;
        }
    }
}

/// A record-only row whose file's stamp the journal holds as done for this
/// call: skipped with one stat, exactly as a worker would skip it. Every other
/// row (a transcript, an external id, a file changed or too young) goes on.
fn done_already(context: &Context, entry: &manifest::Entry) -> Option<RowResult> {
    let Ok(row) = entry else { return None };
    let (CallRef::Id(id), Some(Source::Path(path)), None, None, None) = (
        &row.call,
        &row.record,
        &row.transcript,
        &row.user_transcript,
        &row.client_transcript,
    ) else {
        return None;
    };
    if CallId::parse(id, "call_id").is_err() {
        return None;
    }
    let stamp = Stamp::of(path)?;
    let now_ns = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos() as i128)
        .unwrap_or(0);
    // --min-age: a young file is pending, whatever the journal says.
    if now_ns - stamp.mtime_ns < context.settings.min_age as i128 * 1_000_000_000 {
        return None;
    }
    let done = journal(context).done_by_stamp(id, Op::Record, &stamp)?;
    Some(RowResult {
        line: row.line,
        call_id: Some(id.clone()),
        error: None,
        record: Some(Outcome::ok(Status::Skipped, done.id)),
        transcript: None,
        plan: None,
        invalid: false,
    })
}

fn print(context: &Context, emit: &mut impl FnMut(RowResult) -> bool, result: RowResult) {
    if !emit(result) {
        context
            .stop
            .compare_exchange(0, STOP_STDOUT, Ordering::SeqCst, Ordering::SeqCst)
            .ok();
    }
}

/// Plans a row without sending anything (`--dry-run`).
pub fn dry_run_row(entry: manifest::Entry, settings: &Settings, ui: &Ui) -> RowResult {
    let row = match entry {
        Ok(row) => row,
        Err(bad) => return bad_row(bad),
    };
    let mut result = RowResult {
        line: row.line,
        call_id: Some(row.call.shown().to_string()),
        error: None,
        record: None,
        transcript: None,
        plan: None,
        invalid: false,
    };
    match plan(
        &row,
        &settings.manifest_shown,
        &settings.reading,
        &settings.conversion,
        settings.min_age,
        ui,
    ) {
        Err(problems) => {
            result.error = Some(problems.join("; "));
            result.invalid = true;
        }
        Ok(plan) => {
            let mut out = Map::new();
            if let Call::External(id) = &plan.call {
                out.insert("external_call_id".into(), json!(id));
            }
            match &plan.record {
                Some(RecordPlan::Pending) => {
                    out.insert("record".into(), json!({"status": "pending"}));
                }
                Some(op) => {
                    let mut record = fields([
                        ("status", json!("would attach")),
                        ("filename", json!(op.filename())),
                    ]);
                    if let RecordPlan::File(file) = op {
                        if let (Some(probe), Some(target)) = (&file.probe, file.target) {
                            record.insert(
                                "convert".into(),
                                json!(format!("{} to {}", probe.codec.id(), target.name())),
                            );
                        }
                    }
                    if settings.if_absent {
                        record.insert(
                            "then".into(),
                            json!(format!("{STATISTICS} first: nothing is sent when the call already has a record")),
                        );
                    }
                    out.insert("record".into(), Value::Object(record));
                }
                None => {}
            }
            if let Some(t) = &plan.transcript {
                out.insert(
                    "transcript".into(),
                    json!({"status": "would attach", "messages": t.messages.len()}),
                );
            }
            result.plan = Some(out);
        }
    }
    result
}

fn bad_row(bad: BadRow) -> RowResult {
    RowResult {
        line: bad.line,
        call_id: bad.call_id,
        error: Some(bad.problems.join("; ")),
        record: None,
        transcript: None,
        plan: None,
        invalid: true,
    }
}

fn run_row(portal: &Portal, context: &Context, entry: manifest::Entry) -> RowResult {
    let row: Row = match entry {
        Ok(row) => row,
        Err(bad) => return bad_row(bad),
    };
    let settings = &context.settings;
    let mut result = RowResult {
        line: row.line,
        call_id: Some(row.call.shown().to_string()),
        error: None,
        record: None,
        transcript: None,
        plan: None,
        invalid: false,
    };
    let plan = match plan(
        &row,
        &settings.manifest_shown,
        &settings.reading,
        &settings.conversion,
        settings.min_age,
        &context.ui,
    ) {
        Ok(plan) => plan,
        Err(problems) => {
            result.error = Some(problems.join("; "));
            result.invalid = true;
            return result;
        }
    };
    drop(row);
    let Plan {
        call,
        record,
        transcript,
    } = plan;
    let call_id = match call {
        Call::Id(id) => id,
        Call::External(external) => match resolve_external(portal, &external) {
            Ok(Some(id)) => {
                result.call_id = Some(id.as_str().to_string());
                id
            }
            Ok(None) => {
                // Not in the statistics yet: the call is not finished.
                let key = format!("external:{external}");
                result.record = record.map(|_| waiting(context, &key, Op::Record));
                result.transcript = transcript.map(|_| waiting(context, &key, Op::Transcript));
                return result;
            }
            Err(failure) if is_stop(&failure) => {
                result.record = record.map(|_| Outcome::interrupted());
                result.transcript = transcript.map(|_| Outcome::interrupted());
                return result;
            }
            Err(failure) => {
                result.error = Some(format!(
                    "cannot find the call of external_call_id {external}: {}",
                    describe(&failure)
                ));
                return result;
            }
        },
    };
    let _busy = Busy::take(context, call_id.as_str());
    result.record = record.map(|op| match op {
        RecordPlan::Pending => Outcome::ok(Status::Pending, None),
        _ if stopped(&context.stop) => Outcome::interrupted(),
        op => send_record(portal, context, &call_id, op),
    });
    result.transcript = transcript.map(|t| {
        if stopped(&context.stop) {
            Outcome::interrupted()
        } else {
            send_transcript(portal, context, &call_id, &t)
        }
    });
    result
}

/// Marks a call as worked on; two rows of one call wait for each other.
struct Busy<'a> {
    context: &'a Context,
    call_id: String,
}

impl<'a> Busy<'a> {
    fn take(context: &'a Context, call_id: &str) -> Busy<'a> {
        let mut busy = context.busy.lock().unwrap_or_else(|e| e.into_inner());
        while busy.contains(call_id) {
            busy = context.freed.wait(busy).unwrap_or_else(|e| e.into_inner());
        }
        busy.insert(call_id.to_string());
        Busy {
            context,
            call_id: call_id.to_string(),
        }
    }
}

impl Drop for Busy<'_> {
    fn drop(&mut self) {
        let mut busy = self.context.busy.lock().unwrap_or_else(|e| e.into_inner());
        busy.remove(&self.call_id);
        self.context.freed.notify_all();
    }
}

fn is_stop(failure: &Failure) -> bool {
    matches!(failure.kind, Kind::Interrupted | Kind::Terminated)
}

fn journal(context: &Context) -> &Journal {
    &context.journal
}

fn append(context: &Context, entry: Entry) -> Result<(), Outcome> {
    journal(context)
        .append(entry)
        .map_err(|e| Outcome::failed(e.to_string()))
}

/// The call is not finished in Bitrix24 (or its external id is unknown yet):
/// waiting, until `--give-up-after` from the first time the journal saw it.
fn waiting(context: &Context, call_key: &str, op: Op) -> Outcome {
    let first = journal(context).waiting_since(call_key, op, "");
    let first = match first {
        Some(first) => first,
        None => {
            if let Err(outcome) = append(context, Entry::new(call_key, op, "", State::Waiting)) {
                return outcome;
            }
            now_secs()
        }
    };
    let give_up = context.settings.give_up_after;
    if now_secs().saturating_sub(first) >= give_up {
        return Outcome::failed(format!(
            "the call is still not finished in Bitrix24 (or its id does not exist) {give_up} s after this row was first tried (--give-up-after); check the call id"
        ));
    }
    Outcome {
        waiting_since: Some(first),
        ..Outcome::ok(Status::Waiting, None)
    }
}

pub fn sha256_hex(bytes: &[u8]) -> String {
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

/// Records need no intent: attaching again replaces the record. The journal
/// keys on the source file (its sha256 or stamp), so a file is converted only
/// when it is actually sent.
fn send_record(portal: &Portal, context: &Context, call_id: &CallId, op: RecordPlan) -> Outcome {
    let path = op.path().cloned();
    let stamp = path.as_deref().and_then(Stamp::of);
    if let Some(done) = stamp
        .as_ref()
        .and_then(|stamp| journal(context).done_by_stamp(call_id.as_str(), Op::Record, stamp))
    {
        return Outcome::ok(Status::Skipped, done.id);
    }
    let sha = match (path.as_deref(), &op) {
        (Some(path), _) => match sha256_file(path) {
            Ok(sha) => sha,
            Err(e) => return Outcome::failed(e),
        },
        (None, RecordPlan::Url(Recording::Url { url, .. })) => sha256_hex(url.as_bytes()),
        (None, _) => return Outcome::failed("a record row without a file or URL"),
    };
    let done = journal(context).done(call_id.as_str(), Op::Record, &sha);
    if let Some(done) = done {
        if stamp.is_some() {
            // Same content under a new stamp (touched, copied): remember the stamp.
            let mut entry = Entry::new(call_id.as_str(), Op::Record, &sha, State::Done);
            entry.file_id = done.id;
            entry.stamp = stamp;
            if let Err(outcome) = append(context, entry) {
                return outcome;
            }
        }
        return Outcome::ok(Status::Skipped, done.id);
    }
    if context.settings.if_absent {
        // An attach replaces the call's record: leave one that is there alone.
        match existing_record(portal, call_id) {
            Ok(Some(file_id)) => return Outcome::ok(Status::Skipped, Some(file_id)),
            Ok(None) => {}
            Err(failure) if is_stop(&failure) => return Outcome::interrupted(),
            Err(failure) => return Outcome::failed(describe(&failure)),
        }
    }
    let planned_size = match &op {
        RecordPlan::File(plan) => Some(plan.size),
        _ => None,
    };
    // Still growing: the PBX is writing it; the next run sends it whole.
    let growing = || {
        matches!(
            (path.as_deref(), planned_size),
            (Some(path), Some(size)) if std::fs::metadata(path).map(|m| m.len()).ok() != Some(size)
        )
    };
    let recording = match op {
        RecordPlan::File(plan) => match plan.run(&context.ui) {
            Ok(file) => Recording::File(file),
            Err(_) if growing() => return Outcome::ok(Status::Pending, None),
            Err(problem) => return Outcome::failed(problem),
        },
        RecordPlan::Url(recording) => recording,
        RecordPlan::Pending => return Outcome::ok(Status::Pending, None),
    };
    match attach_recording(portal, call_id, &recording, context.settings.wait_for_call) {
        Ok(result) => {
            let file_id = result.get("file_id").and_then(Value::as_i64);
            let mut entry = Entry::new(call_id.as_str(), Op::Record, &sha, State::Done);
            entry.file_id = file_id;
            entry.stamp = stamp;
            match append(context, entry) {
                Ok(()) => Outcome {
                    converted_from: result
                        .get("converted_from")
                        .and_then(Value::as_str)
                        .map(str::to_string),
                    ..Outcome::ok(Status::Attached, file_id)
                },
                Err(outcome) => outcome,
            }
        }
        Err(failure) if is_call_not_ready(&failure) => {
            waiting(context, call_id.as_str(), Op::Record)
        }
        Err(failure) if is_stop(&failure) => Outcome::interrupted(),
        Err(_) if growing() => Outcome::ok(Status::Pending, None),
        Err(failure) => Outcome::failed(describe(&failure)),
    }
}

/// The call as voximplant.statistic.get shows it: `None` when it is not there
/// (not finished yet), else its TRANSCRIPT_ID (none yet: `Some(None)`).
fn call_transcript(portal: &Portal, call_id: &CallId) -> Result<Option<Option<i64>>, Failure> {
    let mut filter = Map::new();
    filter.insert("CALL_ID".into(), json!(call_id.as_str()));
    let params = fields([("FILTER", Value::Object(filter))]);
    let rows = portal.call(STATISTICS, &params, Repeat::Safe)?;
    Ok(rows
        .as_array()
        .into_iter()
        .flatten()
        .find(|row| row.get("CALL_ID").and_then(Value::as_str) == Some(call_id.as_str()))
        .map(|row| row.get("TRANSCRIPT_ID").and_then(integer)))
}

fn integer(value: &Value) -> Option<i64> {
    value.as_i64().or_else(|| value.as_str()?.parse().ok())
}

fn resolve_external(portal: &Portal, external: &str) -> Result<Option<CallId>, Failure> {
    let mut filter = Map::new();
    filter.insert("EXTERNAL_CALL_ID".into(), json!(external));
    let params = fields([("FILTER", Value::Object(filter))]);
    let rows = portal.call(STATISTICS, &params, Repeat::Safe)?;
    Ok(rows
        .as_array()
        .into_iter()
        .flatten()
        .filter(|row| row.get("EXTERNAL_CALL_ID").and_then(Value::as_str) == Some(external))
        .filter_map(|row| row.get("CALL_ID").and_then(Value::as_str))
        .find_map(|id| CallId::parse(id, "CALL_ID").ok()))
}

/// Intent before sending (with the call's TRANSCRIPT_ID right then), then done,
/// failed or unknown; an open intent is settled with the portal first.
fn send_transcript(
    portal: &Portal,
    context: &Context,
    call_id: &CallId,
    transcription: &Transcription,
) -> Outcome {
    let settings = &context.settings;
    // The content is exactly the parameters that would be sent.
    let content = match serde_json::to_vec(&transcription.request(call_id)) {
        Ok(content) => content,
        Err(e) => return Outcome::failed(format!("cannot encode the transcript: {e}")),
    };
    let sha = sha256_hex(&content);
    drop(content);
    let (done, open) = {
        let journal = journal(context);
        (
            journal.done(call_id.as_str(), Op::Transcript, &sha),
            journal.open_intent(call_id.as_str(), Op::Transcript, &sha),
        )
    };
    if let Some(done) = done {
        return Outcome::ok(Status::Skipped, done.id);
    }
    let now = match call_transcript(portal, call_id) {
        Err(failure) if is_stop(&failure) => return Outcome::interrupted(),
        other => other,
    };
    if let Some(open) = open {
        match &now {
            Err(failure) if !settings.resend_unknown => {
                return Outcome::unknown(
                    Doubt::Unchecked,
                    format!(
                        "an earlier run may have attached this transcript and the portal refused the check ({}); look at the call in Bitrix24, and if it has no transcript run again with --resend-unknown",
                        describe(failure)
                    ),
                );
            }
            Ok(Some(Some(current))) if !open.unchecked && open.before != Some(*current) => {
                // The call's transcript changed since our intent: ours landed.
                let mut entry = Entry::new(call_id.as_str(), Op::Transcript, &sha, State::Done);
                entry.transcript_id = Some(*current);
                return match append(context, entry) {
                    Ok(()) => Outcome::ok(Status::Skipped, Some(*current)),
                    Err(outcome) => outcome,
                };
            }
            Ok(_) if open.unchecked && !settings.resend_unknown => {
                return Outcome::unknown(
                    Doubt::Unchecked,
                    "an earlier run sent this transcript while the portal refused the statistics check, so b24tel cannot tell whether it landed; look at the call in Bitrix24, and if it has no transcript run again with --resend-unknown",
                );
            }
            Ok(_)
                if now_secs().saturating_sub(open.since) < settings.settle
                    && !settings.resend_unknown =>
            {
                return Outcome::unknown(
                    Doubt::Settling,
                    format!(
                        "an earlier run sent this transcript without getting an answer and the portal does not show it yet; it may still land, so it is not sent again until {} s have passed (--settle)",
                        settings.settle
                    ),
                );
            }
            _ => {}
        }
    }
    let mut intent = Entry::new(call_id.as_str(), Op::Transcript, &sha, State::Intent);
    match now {
        Ok(None) if settings.wait_for_call.is_zero() => {
            return waiting(context, call_id.as_str(), Op::Transcript);
        }
        Ok(Some(before)) => intent.before = before,
        Ok(None) => intent.before = None,
        Err(_) => intent.unchecked = true,
    }
    if let Err(outcome) = append(context, intent) {
        return outcome;
    }
    let close = |state: State| Entry::new(call_id.as_str(), Op::Transcript, &sha, state);
    match attach_transcription(portal, call_id, transcription, settings.wait_for_call) {
        Ok(result) => {
            let transcript_id = result.get("transcript_id").and_then(Value::as_i64);
            let mut entry = close(State::Done);
            entry.transcript_id = transcript_id;
            match append(context, entry) {
                Ok(()) => Outcome::ok(Status::Attached, transcript_id),
                Err(outcome) => outcome,
            }
        }
        // The request may have reached the portal (a timeout, a dropped
        // connection, an unusable answer after the body was sent).
        Err(failure) if failure.outcome_unknown => {
            if let Err(outcome) = append(context, close(State::Unknown)) {
                return outcome;
            }
            Outcome::unknown(
                Doubt::Settling,
                format!(
                    "{}; the next run checks the call and does not send it again for {} s (--settle)",
                    failure, settings.settle
                ),
            )
        }
        Err(failure) => {
            // A definite failure: the portal answered with an error, or nothing left.
            if let Err(outcome) = append(context, close(State::Failed)) {
                return outcome;
            }
            if is_call_not_ready(&failure) {
                waiting(context, call_id.as_str(), Op::Transcript)
            } else if is_stop(&failure) {
                Outcome::interrupted()
            } else {
                Outcome::failed(describe(&failure))
            }
        }
    }
}

pub fn describe(failure: &Failure) -> String {
    let mut text = failure.to_string();
    if let Some(hint) = &failure.hint {
        text = format!("{text}; {hint}");
    }
    text
}

/// A table row of fixed-width cells, printed as soon as the row completes.
pub fn table_line(out: &Map<String, Value>) -> String {
    let cell = |key: &str, id_key: &str| -> String {
        out.get(key)
            .map(|op| {
                let status = op["status"].as_str().unwrap_or("");
                match op.get(id_key) {
                    Some(id) => format!("{status} {id}"),
                    None => status.to_string(),
                }
            })
            .unwrap_or_else(|| "-".into())
    };
    let mut errors: Vec<&str> = Vec::new();
    if let Some(e) = out.get("error").and_then(Value::as_str) {
        errors.push(e);
    }
    for k in ["record", "transcript"] {
        if let Some(e) = out
            .get(k)
            .and_then(|op| op.get("error"))
            .and_then(Value::as_str)
        {
            errors.push(e);
        }
    }
    format!(
        "{:<6}  {:<24}  {:<16}  {:<18}  {}",
        out.get("row").map(|v| v.to_string()).unwrap_or_default(),
        out.get("call_id").and_then(Value::as_str).unwrap_or("-"),
        cell("record", "file_id"),
        cell("transcript", "transcript_id"),
        errors.join("; ")
    )
}

pub const TABLE_HEADER: &str =
    "row     call_id                   record            transcript          error";

/// Writes one line to stdout; false when stdout is closed or full.
pub fn write_line(out: &mut impl Write, line: &[u8]) -> bool {
    out.write_all(line)
        .and_then(|_| out.write_all(b"\n"))
        .and_then(|_| out.flush())
        .is_ok()
}
