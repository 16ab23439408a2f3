//! Conversion of what PBXs write into what Bitrix24 stores and browsers play,
//! through the built binary against the sandbox: every codec fixture (made by
//! sox/ffmpeg, tests/fixtures/audio/generate.sh) is attached, and the file the
//! sandbox stored is decoded back and compared with the source.

mod common;

use std::path::{Path, PathBuf};

use common::{stderr, stdout_json, write, Sandbox};
use symphonia::core::codecs::audio::AudioDecoderOptions;
use symphonia::core::formats::probe::Hint;
use symphonia::core::formats::{FormatOptions, TrackType};
use symphonia::core::io::MediaSourceStream;
use symphonia::core::meta::MetadataOptions;

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/audio")
        .join(name)
}

fn ffmpeg_present() -> bool {
    std::process::Command::new("ffmpeg")
        .arg("-version")
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .status()
        .map(|s| s.success())
        .unwrap_or(false)
}

/// Says loudly that a test part did not run, so a CI log shows it.
fn skip_without_ffmpeg(what: &str) -> bool {
    if ffmpeg_present() {
        return false;
    }
    eprintln!("SKIPPED: {what}: no ffmpeg on PATH (apt-get install -y ffmpeg)");
    true
}

/// What a decoder makes of a stored file.
#[derive(Debug)]
struct Decoded {
    seconds: f64,
    rate: u32,
    channels: usize,
    rms: f64,
}

fn decode(bytes: Vec<u8>, ext: &str) -> Decoded {
    let mss = MediaSourceStream::new(Box::new(std::io::Cursor::new(bytes)), Default::default());
    let mut hint = Hint::new();
    hint.with_extension(ext);
    let mut format = symphonia::default::get_probe()
        .probe(
            &hint,
            mss,
            FormatOptions::default(),
            MetadataOptions::default(),
        )
        .expect("a format symphonia reads");
    let track = format.default_track(TrackType::Audio).unwrap();
    let id = track.id;
    let params = track
        .codec_params
        .as_ref()
        .unwrap()
        .audio()
        .unwrap()
        .clone();
    let mut decoder = symphonia::default::get_codecs()
        .make_audio_decoder(&params, &AudioDecoderOptions::default())
        .expect("a codec symphonia decodes");
    let (mut frames, mut rate, mut channels, mut sum) = (0u64, 0u32, 0usize, 0f64);
    let mut samples: Vec<f32> = Vec::new();
    while let Some(packet) = format.next_packet().unwrap() {
        if packet.track_id != id {
            continue;
        }
        let buf = decoder.decode(&packet).expect("decodes without error");
        rate = buf.spec().rate();
        channels = buf.spec().channels().count();
        samples.clear();
        buf.copy_to_vec_interleaved::<f32>(&mut samples);
        frames += (samples.len() / channels.max(1)) as u64;
        sum += samples.iter().map(|s| f64::from(*s).powi(2)).sum::<f64>();
    }
    Decoded {
        seconds: frames as f64 / f64::from(rate.max(1)),
        rate,
        channels,
        rms: (sum / (frames.max(1) as f64 * channels.max(1) as f64)).sqrt(),
    }
}

fn attach(sandbox: &Sandbox, call: &str, args: &[&str]) -> std::process::Output {
    sandbox
        .cmd()
        .args(["-o", "json", "record", "attach", "--call-id", call])
        .args(args)
        .output()
        .unwrap()
}

fn logged(sandbox: &Sandbox, method: &str) -> usize {
    sandbox.log().lines().filter(|l| l.contains(method)).count()
}

struct Case {
    fixture: &'static str,
    args: &'static [&'static str],
    sent: &'static str,
    from: Option<&'static str>,
    seconds: f64,
    rate: u32,
    channels: usize,
}

const CASES: &[Case] = &[
    Case {
        fixture: "pcm16.wav",
        args: &[],
        sent: "pcm16.wav",
        from: None,
        seconds: 2.0,
        rate: 8000,
        channels: 1,
    },
    Case {
        fixture: "tone.mp3",
        args: &[],
        sent: "tone.mp3",
        from: None,
        seconds: 2.0,
        rate: 16_000,
        channels: 1,
    },
    Case {
        fixture: "float32.wav",
        args: &[],
        sent: "float32.mp3",
        from: Some("pcm_float"),
        seconds: 2.0,
        rate: 8000,
        channels: 1,
    },
    Case {
        fixture: "alaw.wav",
        args: &[],
        sent: "alaw.mp3",
        from: Some("alaw"),
        seconds: 2.0,
        rate: 8000,
        channels: 1,
    },
    Case {
        fixture: "mulaw.wav",
        args: &[],
        sent: "mulaw.mp3",
        from: Some("mulaw"),
        seconds: 2.0,
        rate: 8000,
        channels: 1,
    },
    Case {
        fixture: "ima_adpcm.wav",
        args: &[],
        sent: "ima_adpcm.mp3",
        from: Some("ima_adpcm"),
        seconds: 2.0,
        rate: 8000,
        channels: 1,
    },
    Case {
        fixture: "ms_adpcm.wav",
        args: &[],
        sent: "ms_adpcm.mp3",
        from: Some("ms_adpcm"),
        seconds: 2.0,
        rate: 8000,
        channels: 1,
    },
    Case {
        fixture: "tone.flac",
        args: &[],
        sent: "tone.mp3",
        from: Some("flac"),
        seconds: 2.0,
        rate: 8000,
        channels: 1,
    },
    Case {
        fixture: "call.ogg",
        args: &[],
        sent: "call.mp3",
        from: Some("vorbis"),
        seconds: 2.0,
        rate: 16_000,
        channels: 1,
    },
    Case {
        fixture: "slin.raw",
        args: &[],
        sent: "slin.mp3",
        from: Some("slin"),
        seconds: 2.0,
        rate: 8000,
        channels: 1,
    },
    Case {
        fixture: "stereo.sln16",
        args: &["--raw-channels", "2"],
        sent: "stereo.mp3",
        from: Some("slin"),
        seconds: 1.0,
        rate: 16_000,
        channels: 2,
    },
    Case {
        fixture: "alaw.wav",
        args: &["--convert", "wav"],
        sent: "alaw.wav",
        from: Some("alaw"),
        seconds: 2.0,
        rate: 8000,
        channels: 1,
    },
    Case {
        fixture: "tone.mp3",
        args: &["--convert", "wav"],
        sent: "tone.wav",
        from: Some("mp3"),
        seconds: 2.0,
        rate: 16_000,
        channels: 1,
    },
    Case {
        fixture: "call.ogg",
        args: &["--filename", "vm-7.wav"],
        sent: "vm-7.wav",
        from: Some("vorbis"),
        seconds: 2.0,
        rate: 16_000,
        channels: 1,
    },
];

/// Codecs only ffmpeg decodes.
const FFMPEG_CASES: &[Case] = &[
    Case {
        fixture: "wav49.WAV",
        args: &[],
        sent: "wav49.mp3",
        from: Some("gsm"),
        seconds: 2.0,
        rate: 8000,
        channels: 1,
    },
    Case {
        fixture: "call.gsm",
        args: &[],
        sent: "call.mp3",
        from: Some("gsm"),
        seconds: 2.0,
        rate: 8000,
        channels: 1,
    },
    Case {
        fixture: "mikopbx.webm",
        args: &[],
        sent: "mikopbx.mp3",
        from: Some("opus"),
        seconds: 2.0,
        rate: 48_000,
        channels: 2,
    },
    Case {
        fixture: "call.opus",
        args: &[],
        sent: "call.mp3",
        from: Some("opus"),
        seconds: 2.0,
        rate: 48_000,
        channels: 1,
    },
    Case {
        fixture: "call.gsm",
        args: &["--convert", "wav"],
        sent: "call.wav",
        from: Some("gsm"),
        seconds: 2.0,
        rate: 8000,
        channels: 1,
    },
];

fn check_case(sandbox: &Sandbox, case: &Case) {
    let call = sandbox.new_call(true);
    let path = fixture(case.fixture);
    let mut args = vec!["--file", path.to_str().unwrap()];
    args.extend_from_slice(case.args);
    let output = attach(sandbox, &call, &args);
    let what = format!("{} {:?}", case.fixture, case.args);
    assert!(output.status.success(), "{what}: {}", stderr(&output));
    let out = stdout_json(&output);
    assert_eq!(out["filename"], case.sent, "{what}: {out}");
    assert_eq!(out["converted_from"].as_str(), case.from, "{what}: {out}");
    let stored = sandbox.record(out["file_id"].as_i64().unwrap());
    assert_eq!(stored.len() as u64, out["size"].as_u64().unwrap(), "{what}");
    if case.from.is_none() {
        assert_eq!(
            stored,
            std::fs::read(&path).unwrap(),
            "{what}: sent unchanged"
        );
    }
    let ext = case.sent.rsplit('.').next().unwrap();
    if ext == "wav" {
        // 16-bit PCM: format tag 1, 16 bits per sample.
        assert_eq!(&stored[20..22], &[1, 0], "{what}: PCM WAV");
        assert_eq!(&stored[34..36], &[16, 0], "{what}: 16-bit");
    } else {
        assert!(
            stored.starts_with(b"ID3") || (stored[0] == 0xFF && stored[1] & 0xE0 == 0xE0),
            "{what}: MPEG frames"
        );
    }
    let decoded = decode(stored, ext);
    assert!(
        (decoded.seconds - case.seconds).abs() <= 0.05,
        "{what}: {decoded:?}, expected {} s",
        case.seconds
    );
    assert!(decoded.rms > 0.05, "{what}: not silence: {decoded:?}");
    assert_eq!(
        (decoded.rate, decoded.channels),
        (case.rate, case.channels),
        "{what}: rate and channels kept"
    );
}

#[test]
fn every_codec_the_crates_read_attaches_as_playable_audio() {
    let sandbox = Sandbox::start(&[]);
    for case in CASES {
        check_case(&sandbox, case);
    }
}

#[test]
fn gsm_and_opus_attach_as_playable_audio_through_ffmpeg() {
    if skip_without_ffmpeg("GSM 6.10 and Opus conversion") {
        return;
    }
    let sandbox = Sandbox::start(&[]);
    for case in FFMPEG_CASES {
        check_case(&sandbox, case);
    }
}

#[test]
fn without_ffmpeg_gsm_is_exit_3_naming_the_codec_and_the_package() {
    let sandbox = Sandbox::start(&[]);
    let call = sandbox.new_call(true);
    for name in ["wav49.WAV", "mikopbx.webm"] {
        let output = sandbox
            .cmd()
            .env("PATH", "/nonexistent")
            .args(["record", "attach", "--call-id", &call, "--file"])
            .arg(fixture(name))
            .output()
            .unwrap();
        assert_eq!(output.status.code(), Some(3), "{name}: {}", stderr(&output));
        let err = stderr(&output);
        let codec = if name.ends_with("WAV") {
            "GSM 6.10"
        } else {
            "Opus"
        };
        assert!(
            err.contains(codec) && err.contains("apt-get install ffmpeg"),
            "{name}: {err}"
        );
    }
    assert_eq!(logged(&sandbox, "attachRecord"), 0);
}

#[test]
fn verbose_shows_the_probe_and_the_conversion() {
    let sandbox = Sandbox::start(&[]);
    let call = sandbox.new_call(true);
    let output = sandbox
        .cmd()
        .args([
            "-v",
            "-o",
            "json",
            "record",
            "attach",
            "--call-id",
            &call,
            "--file",
        ])
        .arg(fixture("alaw.wav"))
        .args(["--bitrate", "16"])
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", stderr(&output));
    let err = stderr(&output);
    assert!(
        err.contains("probe") && err.contains("A-law, 8000 Hz, 1 channel"),
        "{err}"
    );
    let line = err
        .lines()
        .find(|l| l.contains("> convert"))
        .unwrap_or_else(|| panic!("{err}"));
    assert!(
        line.contains("A-law -> MP3 16 kbps") && line.contains("2.00 s") && line.contains(" ms"),
        "{line}"
    );
    let out = stdout_json(&output);
    assert!(
        line.contains(&format!("16058 -> {} bytes", out["size"])),
        "{line} / {out}"
    );
    // 16 kbps for 2 s is about 4 KB.
    let size = out["size"].as_u64().unwrap();
    assert!((3_000..6_000).contains(&size), "{size}");

    let bad = sandbox
        .cmd()
        .args([
            "record",
            "attach",
            "--call-id",
            &call,
            "--bitrate",
            "33",
            "--file",
        ])
        .arg(fixture("alaw.wav"))
        .output()
        .unwrap();
    assert_eq!(bad.status.code(), Some(2), "{}", stderr(&bad));
    assert!(
        stderr(&bad).contains("not an MP3 bitrate"),
        "{}",
        stderr(&bad)
    );
}

#[test]
fn never_keeps_todays_behaviour() {
    let sandbox = Sandbox::start(&[]);
    let call = sandbox.new_call(true);
    let output = attach(
        &sandbox,
        &call,
        &[
            "--convert",
            "never",
            "--file",
            fixture("call.ogg").to_str().unwrap(),
        ],
    );
    assert_eq!(output.status.code(), Some(3));
    assert!(stderr(&output).contains("--convert"), "{}", stderr(&output));
    assert_eq!(logged(&sandbox, "attachRecord"), 0);

    // GSM in WAV: the portal takes it, browsers do not play it: sent with a warning.
    let output = attach(
        &sandbox,
        &call,
        &[
            "--convert",
            "never",
            "--file",
            fixture("wav49.WAV").to_str().unwrap(),
        ],
    );
    assert!(output.status.success(), "{}", stderr(&output));
    assert!(
        stderr(&output).contains("browsers do not play"),
        "{}",
        stderr(&output)
    );
    let out = stdout_json(&output);
    assert_eq!(out["filename"], "wav49.wav");
    assert!(out.get("converted_from").is_none(), "{out}");
    assert_eq!(
        sandbox.record(out["file_id"].as_i64().unwrap()),
        std::fs::read(fixture("wav49.WAV")).unwrap()
    );
}

#[test]
fn a_truncated_container_is_exit_3_and_nothing_is_sent() {
    let sandbox = Sandbox::start(&[]);
    let call = sandbox.new_call(true);
    let dir = sandbox.home.path();
    let cases = [
        ("alaw.wav", "cut.wav"),
        ("tone.flac", "cut.flac"),
        ("call.ogg", "cut.ogg"),
        ("call.gsm", "cut.gsm"),
        ("slin.raw", "cut.raw"),
        ("mikopbx.webm", "cut.webm"),
        ("call.opus", "cut.opus"),
    ];
    // Every case is caught from the container, before any decoder (or ffmpeg) runs.
    for (name, cut) in cases {
        let bytes = std::fs::read(fixture(name)).unwrap();
        let path = write(dir, cut, &bytes[..(bytes.len() * 2 / 3) | 1]);
        let output = attach(&sandbox, &call, &["--file", path.to_str().unwrap()]);
        assert_eq!(output.status.code(), Some(3), "{cut}: {}", stderr(&output));
        assert!(
            stderr(&output).contains("truncated"),
            "{cut}: {}",
            stderr(&output)
        );
    }
    assert_eq!(logged(&sandbox, "attachRecord"), 0);
}

#[test]
fn the_temporary_file_never_outlives_the_run() {
    let sandbox = Sandbox::start(&[]);
    let call = sandbox.new_call(true);
    let tmp = tempfile::TempDir::new().unwrap();
    let bytes = std::fs::read(fixture("tone.flac")).unwrap();
    let cut = write(sandbox.home.path(), "cut.flac", &bytes[..bytes.len() / 2]);
    for (file, ok) in [(fixture("tone.flac"), true), (cut, false)] {
        let output = sandbox
            .cmd()
            .env("TMPDIR", tmp.path())
            .args(["record", "attach", "--call-id", &call, "--file"])
            .arg(&file)
            .output()
            .unwrap();
        assert_eq!(output.status.success(), ok, "{}", stderr(&output));
        assert_eq!(std::fs::read_dir(tmp.path()).unwrap().count(), 0);
    }
    // An unwritable TMPDIR is named, with the fix.
    let output = sandbox
        .cmd()
        .env("TMPDIR", tmp.path().join("missing"))
        .args(["record", "attach", "--call-id", &call, "--file"])
        .arg(fixture("tone.flac"))
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(3), "{}", stderr(&output));
    assert!(stderr(&output).contains("TMPDIR"), "{}", stderr(&output));
}

#[test]
fn if_absent_skips_a_call_that_has_a_record() {
    let sandbox = Sandbox::start(&[]);
    let call = sandbox.new_call(true);
    let flac = fixture("tone.flac");
    let first = attach(
        &sandbox,
        &call,
        &["--if-absent", "--file", flac.to_str().unwrap()],
    );
    assert!(first.status.success(), "{}", stderr(&first));
    let first = stdout_json(&first);
    assert!(first.get("skipped").is_none(), "{first}");
    assert_eq!(logged(&sandbox, "attachRecord"), 1);

    let again = attach(
        &sandbox,
        &call,
        &["--if-absent", "--file", flac.to_str().unwrap()],
    );
    assert!(again.status.success(), "{}", stderr(&again));
    let again = stdout_json(&again);
    assert_eq!(
        again,
        serde_json::json!({"call_id": call, "file_id": first["file_id"], "skipped": true})
    );
    assert_eq!(
        logged(&sandbox, "attachRecord"),
        1,
        "nothing sent the second time"
    );
}

#[test]
fn upload_url_converts_before_it_asks_for_the_url() {
    let sandbox = Sandbox::start(&[]);
    let call = sandbox.new_call(true);
    let output = sandbox
        .cmd()
        .args(["-o", "json", "record", "upload-url", "--call-id", &call])
        .args(["--filename", "call-9.wav", "--upload"])
        .arg(fixture("tone.flac"))
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", stderr(&output));
    let out = stdout_json(&output);
    assert_eq!(out["filename"], "call-9.wav");
    assert_eq!(out["converted_from"], "flac");
    let stored = sandbox.record(out["file_id"].as_i64().unwrap());
    assert_eq!(stored.len() as u64, out["size"].as_u64().unwrap());
    let decoded = decode(stored, "wav");
    assert!((decoded.seconds - 2.0).abs() <= 0.05, "{decoded:?}");
    assert!(decoded.rms > 0.05, "{decoded:?}");

    let output = sandbox
        .cmd()
        .args(["-o", "json", "record", "upload-url", "--call-id", &call])
        .args(["--filename", "call-9.mp3", "--upload"])
        .arg(fixture("mulaw.wav"))
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", stderr(&output));
    let out = stdout_json(&output);
    assert_eq!(
        (out["filename"].as_str(), out["converted_from"].as_str()),
        (Some("call-9.mp3"), Some("mulaw"))
    );
    let decoded = decode(sandbox.record(out["file_id"].as_i64().unwrap()), "mp3");
    assert!((decoded.seconds - 2.0).abs() <= 0.05, "{decoded:?}");
}

#[test]
fn dry_run_says_what_would_be_converted_and_sends_nothing() {
    let sandbox = Sandbox::start(&[]);
    let output = sandbox
        .cmd()
        .args([
            "--dry-run",
            "-o",
            "json",
            "record",
            "attach",
            "--call-id",
            "c1",
            "--file",
        ])
        .arg(fixture("ms_adpcm.wav"))
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", stderr(&output));
    let out = stdout_json(&output);
    assert_eq!(out["params"]["FILENAME"], "ms_adpcm.mp3");
    let content = out["params"]["FILE_CONTENT"].as_str().unwrap();
    assert!(
        content.contains("MS ADPCM") && content.contains("converted to MP3"),
        "{content}"
    );
    assert_eq!(logged(&sandbox, "attachRecord"), 0);
}
