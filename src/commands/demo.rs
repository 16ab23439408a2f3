//! `b24tel demo`: the whole job end to end on an in-process sandbox portal,
//! through the same code paths as `record attach` and `transcript attach`.

use std::time::Duration;

use serde_json::{json, Value};

use super::record::{attach_recording, Recording};
use super::transcript::{attach_transcription, Transcription};
use crate::call::CallId;
use crate::config::{self, Profile, DEFAULT_RETRIES, DEFAULT_TIMEOUT_SECS};
use crate::failure::{Failure, Kind};
use crate::output::{fields, Ui};
use crate::portal::{Portal, Repeat};
use crate::record::RecordFile;
use crate::sandbox::{self, Options};

pub fn run(ui: &Ui) -> anyhow::Result<()> {
    let portal_sandbox = sandbox::start(Options {
        addr: "127.0.0.1:0".parse().expect("static address"),
        data_dir: None,
        faults: Vec::new(),
        webhook_code: None,
        access_token: None,
        scopes: Vec::new(),
        log: false,
        strict: false,
        tls: false,
    })?;
    let step = |n: u32, text: &str| ui.note(&format!("[{n}/6] {text}"));
    step(
        1,
        &format!("sandbox portal listening at {}", portal_sandbox.portal_url),
    );

    let profile = Profile {
        name: None,
        auth: config::webhook_auth(&portal_sandbox.webhook_url, "sandbox")?,
        timeout: Duration::from_secs(DEFAULT_TIMEOUT_SECS),
        retries: DEFAULT_RETRIES,
        ca_cert: None,
        allow_http: false,
    };
    let portal = Portal::new(&profile, ui)?;

    let registered = portal.call(
        "telephony.externalCall.register",
        &fields([
            ("USER_ID", json!(1)),
            ("PHONE_NUMBER", json!("+15550100")),
            ("TYPE", json!(2)),
        ]),
        Repeat::Safe,
    )?;
    let call_id = registered
        .get("CALL_ID")
        .and_then(Value::as_str)
        .ok_or_else(|| Failure::network("the sandbox returned no CALL_ID"))?;
    let call_id = CallId::parse(call_id, "CALL_ID").map_err(Failure::network)?;
    portal.call(
        "telephony.externalCall.finish",
        &fields([
            ("CALL_ID", json!(call_id.as_str())),
            ("USER_ID", json!(1)),
            ("DURATION", json!(2)),
        ]),
        Repeat::Safe,
    )?;
    step(2, &format!("registered and finished call {call_id}"));

    let scratch = std::env::temp_dir().join(format!("b24tel-demo-{}", std::process::id()));
    std::fs::create_dir_all(&scratch)?;
    let tone = scratch.join("demo-call.wav");
    std::fs::write(&tone, tone_wav(440.0, 2.0))?;
    step(3, &format!("wrote a 2 s 440 Hz tone to {}", tone.display()));

    let result = (|| -> anyhow::Result<_> {
        let file = RecordFile::check(&tone, None, true).map_err(super::record::invalid)?;
        let record = attach_recording(&portal, &call_id, &Recording::File(file), Duration::ZERO)?;
        step(
            4,
            &format!("attached the recording: FILE_ID {}", record["file_id"]),
        );

        let transcript = crate::transcript::from_flags(
            &[
                "User:0:1:Hello, this is the b24tel demo calling.".to_string(),
                "Client:1:2:Great, the recording and this transcript are attached.".to_string(),
            ],
            &crate::transcript::Speakers::new(Vec::new(), None),
        )
        .map_err(|problems| {
            Failure::new(Kind::Internal, format!("demo transcript: {}", problems[0]))
        })?;
        let transcription = Transcription {
            messages: transcript.messages,
            cost: None,
        };
        let attached = attach_transcription(&portal, &call_id, &transcription, Duration::ZERO)?;
        step(
            5,
            &format!(
                "attached a two-message transcript: TRANSCRIPT_ID {}",
                attached["transcript_id"]
            ),
        );

        let stats = portal.call(
            "voximplant.statistic.get",
            &fields([("FILTER", json!({"CALL_ID": call_id.as_str()}))]),
            Repeat::Safe,
        )?;
        let row = stats.get(0).cloned().unwrap_or(Value::Null);
        step(
            6,
            &format!(
                "the portal's call statistics show RECORD_FILE_ID {} and TRANSCRIPT_ID {}",
                row["RECORD_FILE_ID"], row["TRANSCRIPT_ID"]
            ),
        );
        Ok(fields([
            ("call_id", json!(call_id.as_str())),
            ("file_id", record["file_id"].clone()),
            ("filename", json!("demo-call.wav")),
            ("transcript_id", attached["transcript_id"].clone()),
            ("messages", attached["messages"].clone()),
        ]))
    })();
    let _ = std::fs::remove_dir_all(&scratch);
    portal_sandbox.stop();
    ui.result(&result?);
    ui.note("demo done: sandbox stopped and its files removed");
    Ok(())
}

/// A mono 16-bit 8 kHz WAV of a sine tone.
fn tone_wav(frequency: f64, seconds: f64) -> Vec<u8> {
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
    fn tone_is_a_wav_of_the_right_length() {
        let wav = tone_wav(440.0, 2.0);
        assert_eq!(&wav[..4], b"RIFF");
        assert_eq!(&wav[8..12], b"WAVE");
        assert_eq!(wav.len(), 44 + 2 * 8000 * 2);
    }
}
