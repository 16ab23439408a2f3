//! `b24tel smoke`: the CI check of a portal's whole telephony path. It registers a
//! call, finishes it, attaches a generated recording and a transcript through the same
//! code as `record attach` and `transcript attach`, and reads the call back.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use clap::Args;
use serde_json::{json, Map, Value};

use super::call::{self, CallType, RegisterArgs, UserArgs};
use super::doctor::{fail, pass, report, Check};
use super::record::{attach_recording, id_in, Recording};
use super::transcript::{attach_transcription, Transcription};
use crate::call::CallId;
use crate::cli::GlobalArgs;
use crate::failure::{Failure, Kind};
use crate::output::{fields, Ui};
use crate::portal::body::random_u64;
use crate::portal::{Portal, Repeat};
use crate::record::RecordFile;

#[derive(Debug, Args)]
pub struct Cmd {
    /// Bitrix24 user the test call belongs to [default: the webhook's own user]
    #[arg(long, value_name = "N")]
    pub user_id: Option<u64>,
    /// Run every step even after one fails
    #[arg(long)]
    pub keep_going: bool,
}

/// The steps, in order, as the checklist names them.
pub const STEPS: [(&str, &str); 6] = [
    (
        "user",
        "the webhook's own user (`profile`), unless --user-id",
    ),
    (
        "register",
        "telephony.externalCall.register with a unique EXTERNAL_CALL_ID, SHOW=0, CRM_CREATE=0",
    ),
    (
        "finish",
        "telephony.externalCall.finish, 1 s, STATUS_CODE 200",
    ),
    (
        "record",
        "telephony.externalCall.attachRecord of a generated 1 s WAV",
    ),
    (
        "transcript",
        "telephony.call.attachTranscription of two messages",
    ),
    (
        "read back",
        "voximplant.statistic.get shows the RECORD_FILE_ID and TRANSCRIPT_ID returned",
    ),
];

/// A run's checklist and the call it made.
pub struct Outcome {
    pub checks: Vec<Check>,
    pub call_id: Option<String>,
}

pub fn run(cmd: Cmd, global: &GlobalArgs, ui: &Ui) -> anyhow::Result<()> {
    let profile = super::profile(global, ui)?;
    let portal = Portal::new(&profile, ui)?;
    if global.dry_run {
        let steps: Vec<Value> = STEPS
            .iter()
            .map(|(name, what)| json!({"name": name, "ok": null, "detail": format!("would run: {what}")}))
            .collect();
        ui.result(&fields([
            ("dry_run", json!(true)),
            ("url", json!(portal.describe("METHOD"))),
            ("checks", Value::Array(steps)),
        ]));
        return Ok(());
    }
    let outcome = smoke(&portal, cmd.user_id, cmd.keep_going, ui);
    finish_report(ui, &outcome)
}

/// Prints the checklist with the call id; fails with the first failed step's class.
pub fn finish_report(ui: &Ui, outcome: &Outcome) -> anyhow::Result<()> {
    report(
        ui,
        "smoke",
        &outcome.checks,
        fields([("call_id", json!(outcome.call_id))]),
    )
}

/// Runs the steps; each one's result is noted on stderr as it completes.
pub fn smoke(portal: &Portal, user_id: Option<u64>, keep_going: bool, ui: &Ui) -> Outcome {
    let mut run = Run {
        checks: Vec::new(),
        keep_going,
        ui,
    };
    let call_id = steps(portal, user_id, &mut run);
    Outcome {
        checks: run.checks,
        call_id: call_id.map(|id| id.to_string()),
    }
}

struct Run<'a> {
    checks: Vec<Check>,
    keep_going: bool,
    ui: &'a Ui,
}

impl Run<'_> {
    /// Records a step; `false` when the run should stop here.
    fn step<T>(&mut self, name: &'static str, result: Result<(T, String), Failure>) -> Option<T> {
        let n = self.checks.len() + 1;
        let total = STEPS.len();
        match result {
            Ok((value, detail)) => {
                self.ui
                    .note(&format!("[{n}/{total}] ok    {name}: {detail}"));
                self.checks.push(pass(name, detail));
                Some(value)
            }
            Err(failure) => {
                self.ui
                    .note(&format!("[{n}/{total}] FAIL  {name}: {failure}"));
                self.checks.push(fail(name, &failure));
                None
            }
        }
    }

    fn stopped(&self) -> bool {
        !self.keep_going && self.checks.iter().any(|c| !c.ok)
    }
}

fn steps(portal: &Portal, user_id: Option<u64>, run: &mut Run) -> Option<CallId> {
    let user = run.step("user", own_user(portal, user_id))?;

    let unix = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default()
        .as_secs();
    let external_id = format!("b24tel-smoke-{unix}-{:08x}", random_u64() as u32);
    let args = RegisterArgs {
        phone: "+15550100".into(),
        user: UserArgs {
            user_id: Some(user),
            user_phone_inner: None,
        },
        call_type: CallType::Out,
        start: None,
        external_id: Some(external_id.clone()),
        line: None,
        crm_create: false,
        show: false,
    };
    let registered = call::register_params(&args)
        .map_err(|p| Failure::new(Kind::Internal, p.join("; ")))
        .and_then(|params| call::register_call(portal, &params, run.ui))
        .and_then(|out| {
            let id = out["call_id"].as_str().unwrap_or_default();
            let call_id = CallId::parse(id, "CALL_ID").map_err(Failure::network)?;
            let detail = format!("CALL_ID {call_id}, EXTERNAL_CALL_ID {external_id}");
            Ok((call_id, detail))
        });
    let call_id = run.step("register", registered)?;

    let params = call::finish_params(&call_id, &args.user, 1, Some(200));
    let finished = call::finish_call(portal, &params).map(|_| ((), "1 s, STATUS_CODE 200".into()));
    run.step("finish", finished);
    if run.stopped() {
        return Some(call_id);
    }

    let record = run.step("record", attach_tone(portal, &call_id));
    if run.stopped() {
        return Some(call_id);
    }
    let transcript = run.step("transcript", attach_dialogue(portal, &call_id));
    if run.stopped() {
        return Some(call_id);
    }
    run.step("read back", read_back(portal, &call_id, record, transcript));
    Some(call_id)
}

fn own_user(portal: &Portal, user_id: Option<u64>) -> Result<(u64, String), Failure> {
    if let Some(id) = user_id {
        return Ok((id, format!("user {id} (--user-id)")));
    }
    let user = portal.call("profile", &Map::new(), Repeat::Safe)?;
    let id = id_in(&user, "ID", "profile")?;
    let id = u64::try_from(id)
        .map_err(|_| Failure::network(format!("unexpected answer to profile: ID {id}")))?;
    Ok((id, format!("user {id}, the webhook's own")))
}

fn attach_tone(portal: &Portal, call_id: &CallId) -> Result<(i64, String), Failure> {
    let scratch = std::env::temp_dir().join(format!(
        "b24tel-smoke-{}-{:08x}",
        std::process::id(),
        random_u64() as u32
    ));
    let result = (|| {
        std::fs::create_dir_all(&scratch).map_err(|e| {
            Failure::config(format!("cannot create {}: {e}", scratch.display()))
                .with_hint("set TMPDIR to a writable folder")
        })?;
        let tone = scratch.join("b24tel-smoke.wav");
        std::fs::write(&tone, tone_wav(440.0, 1.0)).map_err(|e| {
            Failure::config(format!("cannot write {}: {e}", tone.display()))
                .with_hint("set TMPDIR to a writable folder")
        })?;
        let file = RecordFile::check(&tone, None, true).map_err(super::record::invalid)?;
        let out = attach_recording(portal, call_id, &Recording::File(file), Duration::ZERO)?;
        let file_id = out["file_id"].as_i64().unwrap_or_default();
        Ok((
            file_id,
            format!("FILE_ID {file_id} ({} bytes)", out["size"]),
        ))
    })();
    let _ = std::fs::remove_dir_all(&scratch);
    result
}

fn attach_dialogue(portal: &Portal, call_id: &CallId) -> Result<(i64, String), Failure> {
    let transcript = crate::transcript::from_flags(
        &[
            "User:0:1:Hello, this is the b24tel smoke test calling.".to_string(),
            "Client:1:2:Hello, the recording and this transcript are attached.".to_string(),
        ],
        &crate::transcript::Speakers::new(Vec::new(), None),
    )
    .map_err(|problems| {
        Failure::new(Kind::Internal, format!("smoke transcript: {}", problems[0]))
    })?;
    let transcription = Transcription {
        messages: transcript.messages,
        cost: None,
    };
    let out = attach_transcription(portal, call_id, &transcription, Duration::ZERO)?;
    let id = out["transcript_id"].as_i64().unwrap_or_default();
    Ok((id, format!("TRANSCRIPT_ID {id}, 2 messages")))
}

fn read_back(
    portal: &Portal,
    call_id: &CallId,
    record: Option<i64>,
    transcript: Option<i64>,
) -> Result<((), String), Failure> {
    let row = call::call_row(&call::find_call(portal, call_id)?);
    let mut wrong = Vec::new();
    for (key, label, expected) in [
        ("record_file_id", "RECORD_FILE_ID", record),
        ("transcript_id", "TRANSCRIPT_ID", transcript),
    ] {
        let shown = row[key].as_i64();
        match expected {
            Some(id) if shown != Some(id) => {
                wrong.push(format!("{label} is {} where {id} was returned", row[key]))
            }
            None => wrong.push(format!("{label} is {} (nothing was attached)", row[key])),
            _ => {}
        }
    }
    if !wrong.is_empty() {
        return Err(Failure::new(
            Kind::Rejected,
            format!("the call statistics disagree: {}", wrong.join("; ")),
        )
        .with_hint(format!(
            "see what the portal holds with `b24tel call show --call-id {call_id}`"
        )));
    }
    Ok((
        (),
        format!(
            "RECORD_FILE_ID {} and TRANSCRIPT_ID {} as returned",
            row["record_file_id"], row["transcript_id"]
        ),
    ))
}

/// A mono 16-bit 8 kHz WAV of a sine tone.
pub fn tone_wav(frequency: f64, seconds: f64) -> Vec<u8> {
    const RATE: u32 = 8000;
    let samples = (f64::from(RATE) * seconds) as u32;
    let data_len = samples * 2;
    let mut out = Vec::with_capacity(44 + data_len as usize);
    out.extend_from_slice(b"RIFF");
    out.extend_from_slice(&(36 + data_len).to_le_bytes());
    out.extend_from_slice(b"WAVEfmt ");
    out.extend_from_slice(&16u32.to_le_bytes());
    out.extend_from_slice(&1u16.to_le_bytes()); // PCM
    out.extend_from_slice(&1u16.to_le_bytes()); // mono
    out.extend_from_slice(&RATE.to_le_bytes());
    out.extend_from_slice(&(RATE * 2).to_le_bytes());
    out.extend_from_slice(&2u16.to_le_bytes());
    out.extend_from_slice(&16u16.to_le_bytes());
    out.extend_from_slice(b"data");
    out.extend_from_slice(&data_len.to_le_bytes());
    for i in 0..samples {
        let t = f64::from(i) / f64::from(RATE);
        let sample =
            (0.3 * f64::from(i16::MAX) * (2.0 * std::f64::consts::PI * frequency * t).sin()) as i16;
        out.extend_from_slice(&sample.to_le_bytes());
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tone_is_a_wav_of_one_second() {
        let wav = tone_wav(440.0, 1.0);
        assert_eq!(&wav[..4], b"RIFF");
        assert_eq!(&wav[8..12], b"WAVE");
        assert_eq!(wav.len(), 44 + 8000 * 2);
    }
}
