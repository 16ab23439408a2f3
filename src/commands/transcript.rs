//! `b24tel transcript attach`: read a transcript in whatever shape the speech
//! engine or PBX wrote it, validate all of it, and attach it exactly once.

use std::path::PathBuf;
use std::time::Duration;

use clap::{ArgGroup, Args, Subcommand};
use serde_json::{json, Map, Value};

use super::record::{id_in, invalid, plan};
use crate::call::CallId;
use crate::cli::GlobalArgs;
use crate::failure::Failure;
use crate::output::{fields, Ui};
use crate::portal::{Portal, Repeat};
use crate::transcript::{
    self, parse_channel_flag, parse_speaker_flag, Encoding, Format, Message, Side, Speakers,
    Transcript,
};

pub const ATTACH_TRANSCRIPTION: &str = "telephony.call.attachTranscription";
const STATISTICS: &str = "voximplant.statistic.get";
/// How far past the call's end a message may stop (rounding, trailing silence).
const DURATION_SLACK: u64 = 10;

#[derive(Debug, Subcommand)]
pub enum Cmd {
    /// Attach a conversation transcript to a finished call
    Attach(AttachArgs),
}

#[derive(Debug, Args)]
#[command(group(ArgGroup::new("input").required(true).args(["file", "message", "user_file"])))]
pub struct AttachArgs {
    /// CALL_ID from telephony.externalCall.register
    #[arg(long, value_name = "ID")]
    pub call_id: String,
    /// Transcript file (json, csv, tsv, srt, vtt, whisper), or - for stdin
    #[arg(long, value_name = "PATH|-")]
    pub file: Option<PathBuf>,
    /// The user's leg alone (one channel of a stereo call): every cue on User
    #[arg(long, value_name = "PATH", requires = "client_file")]
    pub user_file: Option<PathBuf>,
    /// The client's leg alone: every cue on Client, merged with --user-file by time
    #[arg(long, value_name = "PATH", requires = "user_file")]
    pub client_file: Option<PathBuf>,
    /// One message as SIDE:START:STOP:TEXT (repeatable; the text may contain colons)
    #[arg(long, value_name = "SIDE:START:STOP:TEXT")]
    pub message: Vec<String>,
    #[command(flatten)]
    pub reading: ReadingArgs,
    /// Cost of the transcription, sent as COST
    #[arg(long, value_name = "AMOUNT", allow_negative_numbers = true)]
    pub cost: Option<String>,
    /// Currency of the cost (three upper-case letters), sent as COST_CURRENCY
    #[arg(long, value_name = "CODE")]
    pub currency: Option<String>,
    /// Keep asking while the portal says the call is not finished, up to SECS
    #[arg(long, value_name = "SECS", default_value_t = 0)]
    pub wait_for_call: u64,
}

/// How transcript files are read; shared with `batch`.
#[derive(Debug, Clone, Args)]
pub struct ReadingArgs {
    /// Input format [default: detected from the extension and content]
    #[arg(long, value_enum, default_value_t = Format::Auto)]
    pub format: Format,
    /// Map a speaker label to a side, e.g. SPEAKER_00=User (repeatable)
    #[arg(long, value_name = "LABEL=User|Client", value_parser = parse_speaker_flag)]
    pub speaker: Vec<(String, Side)>,
    /// Map a channel, as the engine numbers it, to a side, e.g. 0=User (repeatable)
    #[arg(long, value_name = "N=User|Client", value_parser = parse_channel_flag)]
    pub channel: Vec<(String, Side)>,
    /// Side for cues without a speaker label
    #[arg(long, value_enum, ignore_case = true, value_name = "User|Client")]
    pub default_side: Option<Side>,
    /// Text encoding of the file [default: UTF-8, or UTF-16 with a BOM]
    #[arg(long, value_enum, ignore_case = true, default_value_t = Encoding::Auto)]
    pub encoding: Encoding,
}

impl ReadingArgs {
    pub fn speakers(&self) -> Speakers {
        Speakers::new(self.speaker.clone(), self.default_side).with_channels(self.channel.clone())
    }
}

/// A checked transcription: messages plus the optional cost.
pub struct Transcription {
    pub messages: Vec<Message>,
    pub cost: Option<(f64, Option<String>)>,
}

/// The parameters of `telephony.call.attachTranscription`.
#[derive(serde::Serialize)]
pub struct TranscriptionRequest<'a> {
    #[serde(rename = "CALL_ID")]
    call_id: &'a str,
    #[serde(rename = "MESSAGES")]
    messages: &'a [Message],
    #[serde(rename = "COST", skip_serializing_if = "Option::is_none")]
    cost: Option<f64>,
    #[serde(rename = "COST_CURRENCY", skip_serializing_if = "Option::is_none")]
    currency: Option<&'a str>,
}

impl Transcription {
    pub fn request<'a>(&'a self, call_id: &'a CallId) -> TranscriptionRequest<'a> {
        TranscriptionRequest {
            call_id: call_id.as_str(),
            messages: &self.messages,
            cost: self.cost.as_ref().map(|(cost, _)| *cost),
            currency: self
                .cost
                .as_ref()
                .and_then(|(_, currency)| currency.as_deref()),
        }
    }
}

/// Attaches one transcription; the path `transcript attach`, `batch` and `demo` share.
/// Never repeated once the portal may have stored it: each call creates a new transcript.
pub fn attach_transcription(
    portal: &Portal,
    call_id: &CallId,
    transcription: &Transcription,
    wait_for_call: Duration,
) -> Result<Map<String, Value>, Failure> {
    let params = transcription.request(call_id);
    let result = portal
        .until_call_ready(wait_for_call, || {
            portal.call(ATTACH_TRANSCRIPTION, &params, Repeat::OnlyIfNotProcessed)
        })
        .map_err(|f| super::call::explain_not_ready(f, call_id, Some(!wait_for_call.is_zero())))?;
    // A success without a usable id: the transcript probably landed; never resend blindly.
    let transcript_id = id_in(&result, "TRANSCRIPT_ID", ATTACH_TRANSCRIPTION)
        .map_err(|failure| crate::portal::outcome_unknown(failure, true))?;
    Ok(fields([
        ("call_id", json!(call_id.as_str())),
        ("transcript_id", json!(transcript_id)),
        ("messages", json!(transcription.messages.len())),
    ]))
}

/// Reads and validates a transcript file (or stdin for `-`); problems are "place: what".
pub fn read_file(
    path: &std::path::Path,
    reading: &ReadingArgs,
    ui: &Ui,
) -> Result<Vec<Message>, Vec<String>> {
    read_transcript(path, reading, ui).map(|t| t.messages)
}

/// [`read_file`] with what was folded, widened and skipped.
pub fn read_transcript(
    path: &std::path::Path,
    reading: &ReadingArgs,
    ui: &Ui,
) -> Result<Transcript, Vec<String>> {
    read_with(path, reading, &reading.speakers(), ui)
}

/// Two one-sided transcripts (`--user-file`, `--client-file`): every cue of the
/// first on User, of the second on Client, merged by start time. Problems in both
/// files are reported together.
pub fn read_pair(
    user: &std::path::Path,
    client: &std::path::Path,
    reading: &ReadingArgs,
    ui: &Ui,
) -> Result<Transcript, Vec<String>> {
    let a = read_with(user, reading, &Speakers::forced(Side::User), ui);
    let b = read_with(client, reading, &Speakers::forced(Side::Client), ui);
    match (a, b) {
        (Ok(mut a), Ok(b)) => {
            a.messages.extend(b.messages);
            // Stable: on equal start times the user's message comes first.
            a.messages.sort_by_key(|m| m.start);
            a.notes.extend(b.notes);
            a.details.extend(b.details);
            a.folded += b.folded;
            Ok(a)
        }
        (Err(mut a), Err(b)) => {
            a.extend(b);
            Err(a)
        }
        (Err(a), Ok(_)) | (Ok(_), Err(a)) => Err(a),
    }
}

/// One one-sided transcript: every cue on `side`.
pub fn read_side(
    path: &std::path::Path,
    side: Side,
    reading: &ReadingArgs,
    ui: &Ui,
) -> Result<Transcript, Vec<String>> {
    read_with(path, reading, &Speakers::forced(side), ui)
}

fn read_with(
    path: &std::path::Path,
    reading: &ReadingArgs,
    speakers: &Speakers,
    ui: &Ui,
) -> Result<Transcript, Vec<String>> {
    let name = path.display().to_string();
    let bytes = crate::input::read_capped(path, crate::input::DATA_CAP, "transcripts")
        .map_err(|e| vec![crate::input::describe(path, &e)])?;
    let transcript = transcript::read_as(&name, &bytes, reading.format, reading.encoding, speakers)
        .map_err(|problems| problems.iter().map(ToString::to_string).collect::<Vec<_>>())?;
    if ui.verbose && !ui.quiet {
        for detail in &transcript.details {
            eprintln!("{detail}");
        }
    }
    for note in &transcript.notes {
        ui.warn(note);
    }
    Ok(transcript)
}

/// Checks the messages against the call's `CALL_DURATION` when the portal tells it:
/// a STOP_TIME more than 10 s past the end is a wrong time unit far more often than
/// a real message. Skipped (noted under `-v`) when the portal refuses or has no row.
pub fn check_duration(
    portal: &Portal,
    call_id: &CallId,
    messages: &[Message],
    ui: &Ui,
) -> Result<(), Failure> {
    let Some(last) = messages.iter().max_by_key(|m| m.stop) else {
        return Ok(());
    };
    let skipped = |why: &str| {
        if ui.verbose && !ui.quiet {
            eprintln!("transcript times not checked against the call's duration: {why}");
        }
    };
    let params = fields([("FILTER", json!({"CALL_ID": call_id.as_str()}))]);
    let rows = match portal.call(STATISTICS, &params, Repeat::Safe) {
        Ok(rows) => rows,
        Err(failure) => {
            skipped(&format!("{STATISTICS} failed ({failure})"));
            return Ok(());
        }
    };
    let row = rows
        .as_array()
        .and_then(|rows| rows.iter().find(|r| r["CALL_ID"] == call_id.as_str()));
    let duration = row.and_then(|r| match &r["CALL_DURATION"] {
        Value::Number(n) => n.as_u64(),
        Value::String(s) => s.trim().parse::<u64>().ok(),
        _ => None,
    });
    let Some(duration) = duration else {
        skipped(&format!("{STATISTICS} has no CALL_DURATION for this call"));
        return Ok(());
    };
    if last.stop > duration.saturating_add(DURATION_SLACK) {
        return Err(Failure::invalid(format!(
            "the transcript ends at {} s (STOP_TIME of \"{}\") but the call lasted {duration} s \
             (CALL_DURATION); nothing was sent",
            last.stop,
            crate::transcript::excerpt(&last.text)
        ))
        .with_hint(
            "the file's time unit is probably wrong (milliseconds read as seconds?): \
             check --format (whisper's .tsv is milliseconds: --format tsv)",
        ));
    }
    Ok(())
}

/// The contract's cost rules: a finite number >= 0; a currency only with a cost,
/// three upper-case letters.
pub fn check_cost(
    cost: Option<&str>,
    currency: Option<&str>,
) -> Result<Option<(f64, Option<String>)>, Vec<String>> {
    let mut problems = Vec::new();
    let amount = match cost {
        None => None,
        Some(text) => match text.trim().parse::<f64>() {
            Ok(value) if value.is_finite() && value >= 0.0 => Some(value),
            _ => {
                problems.push(format!(
                    "--cost: {text:?} is not a finite number >= 0; pass e.g. --cost 0.25"
                ));
                None
            }
        },
    };
    if let Some(code) = currency {
        if cost.is_none() {
            problems.push(
                "--currency: a currency goes only with --cost; add --cost AMOUNT".to_string(),
            );
        } else if code.len() != 3 || !code.bytes().all(|b| b.is_ascii_uppercase()) {
            problems.push(format!(
                "--currency: {code:?} is not three upper-case letters; pass e.g. --currency {}",
                if code.len() == 3 {
                    code.to_ascii_uppercase()
                } else {
                    "USD".into()
                }
            ));
        }
    }
    if problems.is_empty() {
        Ok(amount.map(|a| (a, currency.map(str::to_string))))
    } else {
        Err(problems)
    }
}

pub fn run(cmd: Cmd, global: &GlobalArgs, ui: &Ui) -> anyhow::Result<()> {
    let Cmd::Attach(args) = cmd;
    let mut problems = Vec::new();
    let call_id = CallId::parse(&args.call_id, "--call-id")
        .map_err(|p| problems.push(p))
        .ok();
    let read = match (&args.file, &args.user_file, &args.client_file) {
        (Some(path), _, _) => read_transcript(path, &args.reading, ui),
        (None, Some(user), Some(client)) => read_pair(user, client, &args.reading, ui),
        _ => transcript::from_flags(&args.message, &args.reading.speakers())
            .map_err(|problems| problems.iter().map(ToString::to_string).collect()),
    }
    .map_err(|mut p| problems.append(&mut p))
    .ok();
    let folded = read.as_ref().map_or(0, |t| t.folded);
    let messages = read.map(|t| t.messages);
    let cost = check_cost(args.cost.as_deref(), args.currency.as_deref())
        .map_err(|mut p| problems.append(&mut p))
        .ok();
    let (Some(call_id), Some(messages), Some(cost)) = (call_id, messages, cost) else {
        return Err(invalid(problems).into());
    };
    let transcription = Transcription { messages, cost };

    let profile = super::profile(global, ui)?;
    let portal = Portal::new(&profile, ui)?;
    if global.dry_run {
        if ui.verbose && !ui.quiet {
            eprintln!(
                "transcript times not checked against the call's duration: --dry-run asks the portal nothing"
            );
        }
        let params = transcription.request(&call_id);
        ui.result_of(&plan(&portal, ATTACH_TRANSCRIPTION, &call_id, params));
        return Ok(());
    }
    check_duration(&portal, &call_id, &transcription.messages, ui)?;
    let out = attach_transcription(
        &portal,
        &call_id,
        &transcription,
        Duration::from_secs(args.wait_for_call),
    )?;
    let mut out = out;
    if folded > 0 {
        out.insert("folded".into(), json!(folded));
    }
    ui.result(&out);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cost_rules() {
        assert_eq!(
            check_cost(Some("0.25"), Some("USD")).unwrap(),
            Some((0.25, Some("USD".into())))
        );
        assert_eq!(check_cost(Some("3"), None).unwrap(), Some((3.0, None)));
        assert!(check_cost(Some("-1"), None).is_err());
        assert!(check_cost(Some("inf"), None).is_err());
        assert!(check_cost(Some("NaN"), None).is_err());
        assert!(check_cost(None, Some("USD")).is_err());
        assert_eq!(check_cost(Some("1"), Some("usd")).unwrap_err().len(), 1);
    }
}
