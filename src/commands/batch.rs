//! `b24tel batch`: attach every recording and transcript of a manifest, from
//! cron or a dialplan hook, safely re-runnable. The manifest is read a row at a
//! time; a journal skips what is done, so a transcript is never attached twice,
//! not even after a kill at the worst moment; calls not finished yet wait for a
//! later run. The parts: `batch::manifest` (reading rows), `batch::plan`
//! (checking a row), `batch::journal` (what is done), `batch::run` (workers,
//! pacing, the two operations of a row).

use std::collections::{BTreeMap, HashSet};
use std::io::Write;
use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use clap::Args;

use super::record::ConvertArgs;
use super::transcript::ReadingArgs;
use crate::batch::journal::Journal;
use crate::batch::manifest;
use crate::batch::run::{self, Doubt, RowResult, Settings, Status, STOP_FAIL_FAST, STOP_STDOUT};
use crate::cli::GlobalArgs;
use crate::failure::{Failure, Kind};
use crate::output::Ui;

/// The longest `--wait-for-call`, `--settle` or `--give-up-after` (ten years).
const MAX_SECS: u64 = 10 * 365 * 86_400;

#[derive(Debug, Args)]
pub struct Cmd {
    /// Manifest: CSV with a header, or JSON Lines, or - for stdin (call_id or
    /// external_call_id, record, transcript, user_transcript, client_transcript, filename)
    #[arg(long, value_name = "PATH")]
    pub manifest: PathBuf,
    /// Journal of what is done [default: <manifest>.journal; ./batch.journal for stdin]
    #[arg(long, value_name = "PATH")]
    pub journal: Option<PathBuf>,
    /// Operations in flight at once
    #[arg(long, value_name = "N", default_value_t = 4)]
    pub jobs: usize,
    /// Requests that may leave at once (the portal's bucket: 50, 250 on Enterprise)
    #[arg(long, value_name = "N", default_value_t = 50.0)]
    pub burst: f64,
    /// Requests per second the bucket drains (2, 5 on Enterprise)
    #[arg(long, value_name = "N", default_value_t = 2.0)]
    pub rate: f64,
    /// Leave record files modified less than SECS ago for the next run
    #[arg(long, value_name = "SECS", default_value_t = 5)]
    pub min_age: u64,
    /// Retry "call not found / not finished" for up to SECS within this run
    #[arg(long, value_name = "SECS", default_value_t = 0)]
    pub wait_for_call: u64,
    /// A row waiting for its call this long after it was first tried is failed
    #[arg(long, value_name = "SECS", default_value_t = 86_400)]
    pub give_up_after: u64,
    /// After a transcript request got no answer, how long its absence on the portal
    /// still means "may be landing" rather than "not landed"
    #[arg(long, value_name = "SECS", default_value_t = 600)]
    pub settle: u64,
    /// Stop at the first failed row
    #[arg(long)]
    pub fail_fast: bool,
    /// Send transcripts again whose earlier outcome the portal cannot confirm
    #[arg(long)]
    pub resend_unknown: bool,
    /// Send no record to a call that already has one (voximplant.statistic.get)
    #[arg(long)]
    pub if_absent: bool,
    #[command(flatten)]
    pub convert: ConvertArgs,
    #[command(flatten)]
    pub reading: ReadingArgs,
}

pub fn run(cmd: Cmd, global: &GlobalArgs, ui: &Ui) -> anyhow::Result<()> {
    for (flag, value) in [("--rate", cmd.rate), ("--burst", cmd.burst)] {
        if !(value.is_finite() && value > 0.0 && value <= 1e6) {
            return Err(Failure::usage(format!("{flag} {value} must be a number above 0")).into());
        }
    }
    if cmd.jobs == 0 || cmd.jobs > 64 {
        return Err(Failure::usage(format!("--jobs {} must be 1 to 64", cmd.jobs)).into());
    }
    let stdin = cmd.manifest.as_os_str() == "-";
    let manifest_shown = if stdin {
        "<stdin>".to_string()
    } else {
        cmd.manifest.display().to_string()
    };
    let settings = Settings {
        manifest_shown,
        reading: cmd.reading.clone(),
        conversion: cmd.convert.conversion(),
        if_absent: cmd.if_absent,
        min_age: cmd.min_age,
        resend_unknown: cmd.resend_unknown,
        settle: cmd.settle.min(MAX_SECS),
        give_up_after: cmd.give_up_after.min(MAX_SECS),
        wait_for_call: Duration::from_secs(cmd.wait_for_call.min(MAX_SECS)),
        fail_fast: cmd.fail_fast,
        jobs: cmd.jobs,
        burst: cmd.burst,
        rate: cmd.rate,
    };
    let stop = stop_on_signals()?;
    let rows = manifest::open(&cmd.manifest)?;

    let mut printer = Printer::new(ui, global.dry_run);
    if global.dry_run {
        let mut rows = rows;
        while let Some(entry) = rows.next() {
            for key in rows.new_unknown() {
                ui.warn(&format!(
                    "the manifest has a key `{key}` that batch does not know; it is ignored"
                ));
            }
            if !printer.emit(run::dry_run_row(entry, &settings, ui)) {
                stop.store(STOP_STDOUT, Ordering::SeqCst);
                break;
            }
        }
        return printer.finish(None, ui, &stop);
    }

    let profile = super::profile(global, ui)?;
    let journal_path = cmd.journal.clone().unwrap_or_else(|| {
        if stdin {
            PathBuf::from("batch.journal")
        } else {
            let mut name = cmd.manifest.clone().into_os_string();
            name.push(".journal");
            PathBuf::from(name)
        }
    });
    let journal = Journal::open(&journal_path)?;
    let journal = run::run(rows, &profile, settings, journal, stop.clone(), ui, |row| {
        printer.emit(row)
    })?;
    printer.finish(Some(&journal), ui, &stop)
}

/// Prints rows as they complete and keeps the counts the summary reports.
struct Printer {
    json: bool,
    dry_run: bool,
    header_done: bool,
    broken: bool,
    counts: BTreeMap<Status, usize>,
    invalid: usize,
    doubts: HashSet<Doubt>,
    /// `--dry-run`: the planned ops by their status ("would attach", "pending").
    planned: BTreeMap<String, usize>,
}

impl Printer {
    fn new(ui: &Ui, dry_run: bool) -> Printer {
        Printer {
            json: ui.is_json(),
            dry_run,
            header_done: false,
            broken: false,
            counts: BTreeMap::new(),
            invalid: 0,
            doubts: HashSet::new(),
            planned: BTreeMap::new(),
        }
    }

    /// Counts and prints one row; false once stdout has failed.
    fn emit(&mut self, row: RowResult) -> bool {
        if row.error.is_some() && row.record.is_none() && row.transcript.is_none() {
            if row.invalid {
                self.invalid += 1;
            } else {
                // The row's call could not be resolved: a failure like any other.
                *self.counts.entry(Status::Failed).or_default() += 1;
            }
        }
        for op in ["record", "transcript"]
            .iter()
            .filter_map(|key| row.plan.as_ref()?.get(*key)?.get("status")?.as_str())
        {
            *self.planned.entry(op.to_string()).or_default() += 1;
        }
        for op in [&row.record, &row.transcript].into_iter().flatten() {
            *self.counts.entry(op.status).or_default() += 1;
            self.doubts.extend(op.doubt);
        }
        if self.broken {
            return false;
        }
        let out = row.to_json(self.dry_run);
        let mut stdout = std::io::stdout().lock();
        let ok = if self.json {
            match serde_json::to_vec(&out) {
                Ok(line) => run::write_line(&mut stdout, &line),
                Err(_) => false,
            }
        } else {
            let header_ok =
                self.header_done || run::write_line(&mut stdout, run::TABLE_HEADER.as_bytes());
            self.header_done = true;
            header_ok && run::write_line(&mut stdout, run::table_line(&out).as_bytes())
        };
        let _ = stdout.flush();
        self.broken = !ok;
        ok
    }

    fn finish(self, journal: Option<&Journal>, ui: &Ui, stop: &AtomicUsize) -> anyhow::Result<()> {
        let mut summary: Vec<String> = self
            .counts
            .iter()
            .map(|(status, n)| format!("{n} {}", status.name()))
            .chain(
                self.planned
                    .iter()
                    .map(|(status, n)| format!("{n} {status}")),
            )
            .collect();
        if self.invalid > 0 {
            summary.push(format!("{} invalid row(s)", self.invalid));
        }
        let what = if summary.is_empty() {
            "nothing to do".to_string()
        } else {
            summary.join(", ")
        };
        match journal {
            Some(journal) => {
                ui.note(&format!(
                    "batch: {what} (journal {})",
                    journal.path().display()
                ));
                if ui.verbose {
                    ui.note(&format!(
                        "batch: {} journal lookups ({} indexed keys)",
                        journal.lookups(),
                        journal.indexed()
                    ));
                }
            }
            None => ui.note(&format!("batch --dry-run: {what}")),
        }
        match stop.load(Ordering::SeqCst) {
            0 | STOP_FAIL_FAST => {}
            STOP_STDOUT => {
                return Err(Failure::new(
                    Kind::Output,
                    "cannot write the results to stdout (closed or full); stopped after the requests in flight",
                )
                .with_hint("the journal is valid: run the same command again with stdout going somewhere that accepts it")
                .into())
            }
            signal => {
                let kind = if signal == signal_hook::consts::SIGTERM as usize {
                    Kind::Terminated
                } else {
                    Kind::Interrupted
                };
                return Err(Failure::new(
                    kind,
                    "batch interrupted after the requests in flight; the journal is valid, run it again to finish",
                )
                .into());
            }
        }
        let failed = self.counts.get(&Status::Failed).copied().unwrap_or(0);
        let unknown = self.counts.get(&Status::Unknown).copied().unwrap_or(0);
        if failed + unknown + self.invalid == 0 {
            return Ok(());
        }
        // The same words and numbers as the summary line.
        let what: Vec<String> = [
            (failed, "failed"),
            (unknown, "unknown"),
            (self.invalid, "invalid row(s)"),
        ]
        .iter()
        .filter(|(n, _)| *n > 0)
        .map(|(n, name)| format!("{n} {name}"))
        .collect();
        let mut failure = Failure::new(
            Kind::BatchFailed,
            format!("{}; see the rows above", what.join(", ")),
        );
        let mut hints = Vec::new();
        if self.invalid > 0 {
            hints.push("fix the invalid rows named above (nothing was sent for them)");
        }
        if self.counts.get(&Status::Failed).copied().unwrap_or(0) > 0 {
            hints.push("run the same command again: done rows are skipped and only the failed ones are sent");
        }
        if self.doubts.contains(&Doubt::Unchecked) {
            hints.push("unknown: the portal refused voximplant.statistic.get, so b24tel cannot tell whether a transcript landed; check those calls in Bitrix24, then run again with --resend-unknown for the ones without a transcript");
        }
        if self.doubts.contains(&Doubt::Settling) {
            hints.push("unknown: a transcript request got no answer; a later run checks the call and sends it again only if it has not landed after --settle seconds");
        }
        failure.hint = Some(hints.join("; "));
        Err(failure.into())
    }
}

/// SIGINT and SIGTERM put their number in the returned flag; the run stops after
/// the requests in flight. A second signal ends the process at once.
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
