//! Planning one manifest row: what would be sent for each operation, checked
//! without sending anything. A transcript is parsed here, for the row in hand
//! only, and dropped with it.

use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

use crate::batch::manifest::{CallRef, Row, Source};
use crate::call::CallId;
use crate::commands::record::Recording;
use crate::commands::transcript::{read_file, read_pair, read_side, ReadingArgs, Transcription};
use crate::output::Ui;
use crate::record::check_url;
use crate::record::convert::Conversion;
use crate::transcript::Side;

/// The call of a row, as it is known before any request.
pub enum Call {
    Id(CallId),
    /// Resolved with voximplant.statistic.get when the row runs.
    External(String),
}

pub enum RecordPlan {
    /// The PBX may still be writing the file.
    Pending,
    /// A URL the portal downloads.
    Url(Recording),
    /// A file, checked and probed; converted (when the plan says so) only once
    /// the journal shows it is not done yet.
    File(crate::record::Plan),
}

impl RecordPlan {
    /// The FILENAME it goes under (with the output's extension).
    pub fn filename(&self) -> Option<&str> {
        match self {
            RecordPlan::Pending => None,
            RecordPlan::Url(recording) => Some(recording.filename()),
            RecordPlan::File(plan) => Some(&plan.name.sent),
        }
    }

    /// The file the journal hashes and stamps (the source, not its conversion).
    pub fn path(&self) -> Option<&PathBuf> {
        match self {
            RecordPlan::File(plan) => Some(&plan.path),
            _ => None,
        }
    }
}

/// A row that passed validation.
pub struct Plan {
    pub call: Call,
    pub record: Option<RecordPlan>,
    pub transcript: Option<Transcription>,
}

/// Checks a row; every problem names its place.
pub fn plan(
    row: &Row,
    shown_manifest: &str,
    reading: &ReadingArgs,
    conversion: &Conversion,
    min_age: u64,
    ui: &Ui,
) -> Result<Plan, Vec<String>> {
    let place = format!("{shown_manifest}:{}", row.line);
    let mut problems = Vec::new();
    let call = match &row.call {
        CallRef::Id(id) => CallId::parse(id, &format!("{place}: call_id"))
            .map(Call::Id)
            .map_err(|p| problems.push(p))
            .ok(),
        CallRef::External(id) => CallId::parse(id, &format!("{place}: external_call_id"))
            .map(|_| Call::External(id.clone()))
            .map_err(|p| problems.push(p))
            .ok(),
    };
    let record = match &row.record {
        None => None,
        Some(Source::Url(url)) => match check_url(url, row.filename.as_deref()) {
            Ok(name) => Some(RecordPlan::Url(Recording::Url {
                url: url.clone(),
                name,
            })),
            Err(more) => {
                problems.extend(prefixed(&place, more));
                None
            }
        },
        Some(Source::Path(path)) if is_young(path, min_age) => Some(RecordPlan::Pending),
        Some(Source::Path(path)) => {
            match crate::record::plan(path, row.filename.as_deref(), true, conversion) {
                Ok(file) => {
                    for warning in &file.warnings {
                        ui.warn(&format!("{place}: {warning}"));
                    }
                    Some(RecordPlan::File(file))
                }
                Err(more) => {
                    problems.extend(prefixed(&place, more));
                    None
                }
            }
        }
    };
    let transcript = match transcript_of(row, reading, ui) {
        Ok(t) => t,
        Err(more) => {
            problems.extend(prefixed(&place, more));
            None
        }
    };
    match call {
        Some(call) if problems.is_empty() => Ok(Plan {
            call,
            record,
            transcript,
        }),
        _ => Err(problems),
    }
}

/// The row's transcript: one file with both sides, or one file per side
/// (`user_transcript`, `client_transcript`) merged by start time.
fn transcript_of(
    row: &Row,
    reading: &ReadingArgs,
    ui: &Ui,
) -> Result<Option<Transcription>, Vec<String>> {
    let sided = row.user_transcript.is_some() || row.client_transcript.is_some();
    if row.transcript.is_some() && sided {
        return Err(vec![
            "give transcript, or user_transcript/client_transcript, not both".into(),
        ]);
    }
    if let Some(path) = &row.transcript {
        return read_file(path, reading, ui).map(|messages| {
            Some(Transcription {
                messages,
                cost: None,
            })
        });
    }
    let read = match (&row.user_transcript, &row.client_transcript) {
        (Some(user), Some(client)) => read_pair(user, client, reading, ui),
        (Some(user), None) => read_side(user, Side::User, reading, ui),
        (None, Some(client)) => read_side(client, Side::Client, reading, ui),
        (None, None) => return Ok(None),
    };
    read.map(|t| {
        Some(Transcription {
            messages: t.messages,
            cost: None,
        })
    })
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
