//! Property tests: whatever the bytes, `read` and `from_flags` never panic, a
//! problem always says where, and anything accepted obeys the contract's table.
//!
//! Cases: 12,000 arbitrary byte strings and 12,000 token soups (each read with all
//! six formats), 16,000 mutated valid files (six formats under five names each) and
//! 12,000 `--message` lists: 52,000 generated cases, about 640,000 `read` calls.
//! About 9 s in a debug build on two cores (14 s on one thread).

use proptest::prelude::*;

use super::*;

const FORMATS: [Format; 6] = [
    Format::Auto,
    Format::Json,
    Format::Csv,
    Format::Srt,
    Format::Vtt,
    Format::Whisper,
];

const NAMES: [&str; 8] = [
    "-",
    "call.srt",
    "call.vtt",
    "call.csv",
    "call.json",
    "notes.txt",
    "noext",
    "",
];

/// Pieces that matter to some parser, so random text reaches deep states.
const TOKENS: [&str; 48] = [
    "\n",
    "\r\n",
    "\r",
    "\n\n",
    " ",
    "\t",
    ":",
    ",",
    ";",
    "\"",
    "-->",
    "00:00:01,000",
    "00:01.500",
    "99999999:59:59.999",
    "00:61:00",
    "1",
    "0",
    "-1",
    "2.5",
    "1e999",
    "99999999999999999999",
    "User: ",
    "client:",
    "SPEAKER_00: ",
    "<v Anna>",
    "<v.x B>",
    "</v>",
    "<i>",
    "<font color=x>",
    "{\\an8}",
    "&amp;",
    "&#x1F600;",
    "&#0;",
    "&",
    "WEBVTT",
    "NOTE",
    "STYLE",
    "{",
    "}",
    "[",
    "]",
    "\"segments\":",
    "\"messages\":",
    "\"side\":",
    "я",
    "漢",
    "\u{FEFF}",
    "side,start,stop,message\n",
];

const SAMPLES: [&str; 5] = [
    "1\r\n00:00:01,000 --> 00:00:03,400\r\nUser: <i>Hello</i>,\r\nthere\r\n\r\n2\r\n00:00:04,100 --> 00:00:07,800\r\nClient: Hi\r\n",
    "WEBVTT\n\nNOTE x\n\nid\n00:01.000 --> 00:04.000 align:start\n<v Anna>Hi &amp; bye</v>\n\n00:05.000 --> 00:06.000\nClient: ok\n",
    "side,start,stop,message\nUser,1,2.5,\"Hello, there\"\nClient,3,4,\"multi\nline\"\n",
    r#"{"messages": [{"SIDE": "User", "START_TIME": 1, "STOP_TIME": "3.5", "MESSAGE": "Hi"}, {"side": "client", "start": 4, "stop": 7, "message": "Hello"}]}"#,
    r#"{"segments": [{"start": 0.5, "end": 2.25, "text": " Hi", "speaker": "SPEAKER_00"}, {"start": 3, "end": 4, "text": " Yo"}]}"#,
];

fn speakers_for(mapped: bool, default_side: bool) -> Speakers {
    let map = if mapped {
        vec![
            ("SPEAKER_00".to_string(), Side::User),
            ("Anna".to_string(), Side::Client),
        ]
    } else {
        Vec::new()
    };
    Speakers::new(map, default_side.then_some(Side::Client))
}

fn check(result: Result<Transcript, Vec<Problem>>) -> Result<(), TestCaseError> {
    match result {
        Ok(transcript) => {
            prop_assert!(!transcript.messages.is_empty());
            for message in &transcript.messages {
                prop_assert!(message.stop >= 1);
                prop_assert!(message.stop >= message.start);
                prop_assert!(message.stop <= u64::from(u32::MAX));
                prop_assert!(!message.text.is_empty());
                prop_assert_eq!(message.text.trim(), message.text.as_str());
            }
        }
        Err(problems) => {
            prop_assert!(!problems.is_empty());
            for problem in &problems {
                prop_assert!(!problem.place.trim().is_empty(), "{:?}", problem);
                prop_assert!(!problem.message.trim().is_empty(), "{:?}", problem);
            }
        }
    }
    Ok(())
}

fn read_every_way(bytes: &[u8], name: &str, speakers: &Speakers) -> Result<(), TestCaseError> {
    for format in FORMATS {
        check(read(name, bytes, format, speakers))?;
    }
    let _ = detect(name, bytes);
    Ok(())
}

/// Applies edits (`op`, position, length, token) to a valid file's bytes.
fn mutate(sample: &str, edits: &[(u8, usize, usize, usize, u8)]) -> Vec<u8> {
    let mut bytes = sample.as_bytes().to_vec();
    for &(op, position, length, token, byte) in edits {
        let at = position % (bytes.len() + 1);
        let end = (at + length % 16).min(bytes.len());
        match op % 5 {
            0 => {
                bytes.insert(at, byte);
            }
            1 => {
                bytes.drain(at..end);
            }
            2 => {
                let piece = TOKENS[token % TOKENS.len()].as_bytes();
                bytes.splice(at..at, piece.iter().copied());
            }
            3 => {
                let copy = bytes[at..end].to_vec();
                bytes.splice(at..at, copy);
            }
            _ => {
                if let Some(b) = bytes.get_mut(at) {
                    *b = byte;
                }
            }
        }
    }
    bytes
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(12000))]

    #[test]
    fn arbitrary_bytes_never_panic(
        bytes in prop::collection::vec(any::<u8>(), 0..600),
        name in 0..NAMES.len(),
        mapped in any::<bool>(),
        default_side in any::<bool>(),
    ) {
        read_every_way(&bytes, NAMES[name], &speakers_for(mapped, default_side))?;
    }

    #[test]
    fn token_soup_never_panics(
        tokens in prop::collection::vec(0..TOKENS.len(), 0..80),
        name in 0..NAMES.len(),
        mapped in any::<bool>(),
        default_side in any::<bool>(),
    ) {
        let text: String = tokens.iter().map(|&i| TOKENS[i]).collect();
        read_every_way(text.as_bytes(), NAMES[name], &speakers_for(mapped, default_side))?;
    }

    #[test]
    fn message_flags_never_panic(
        flags in prop::collection::vec(
            prop_oneof![
                any::<String>(),
                "[A-Za-z_ ]{0,8}:[-0-9.e ]{0,12}:[-0-9.e ]{0,12}:.{0,12}",
            ],
            0..6,
        ),
        mapped in any::<bool>(),
        default_side in any::<bool>(),
    ) {
        check(from_flags(&flags, &speakers_for(mapped, default_side)))?;
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(16000))]

    #[test]
    fn mutated_valid_files_never_panic(
        sample in 0..SAMPLES.len(),
        edits in prop::collection::vec(
            (any::<u8>(), any::<usize>(), any::<usize>(), any::<usize>(), any::<u8>()),
            0..6,
        ),
        mapped in any::<bool>(),
        default_side in any::<bool>(),
    ) {
        let bytes = mutate(SAMPLES[sample], &edits);
        let speakers = speakers_for(mapped, default_side);
        for name in ["-", "call.srt", "call.vtt", "call.csv", "call.json"] {
            read_every_way(&bytes, name, &speakers)?;
        }
    }
}

/// The samples the mutations start from are themselves valid (so mutations probe
/// the edge of validity, not only garbage).
#[test]
fn samples_are_valid() {
    let speakers = speakers_for(true, true);
    for sample in SAMPLES {
        let result = read("-", sample.as_bytes(), Format::Auto, &speakers);
        assert!(result.is_ok(), "{sample}: {result:?}");
    }
}

/// The formats added for issue 9, each with a file in its real shape to mutate.
const ENGINE_FORMATS: [Format; 9] = [
    Format::Auto,
    Format::Tsv,
    Format::Yandex,
    Format::Vosk,
    Format::Deepgram,
    Format::Assemblyai,
    Format::Aws,
    Format::Google,
    Format::Azure,
];

const ENGINE_SAMPLES: [(&str, &str); 13] = [
    (
        "w.tsv",
        include_str!("../../tests/fixtures/transcripts/tools/whisper.tsv"),
    ),
    (
        "h.srt",
        include_str!("../../tests/fixtures/transcripts/tools/whisper-highlight.srt"),
    ),
    (
        "y.vtt",
        include_str!("../../tests/fixtures/transcripts/hand/youtube-auto.vtt"),
    ),
    (
        "d.srt",
        include_str!("../../tests/fixtures/transcripts/tools/pysubs2-dialogue.srt"),
    ),
    (
        "y2.json",
        include_str!("../../tests/fixtures/transcripts/vendor/yandex-v2.json"),
    ),
    (
        "y3.jsonl",
        include_str!("../../tests/fixtures/transcripts/vendor/yandex-v3.jsonl"),
    ),
    (
        "v.jsonl",
        include_str!("../../tests/fixtures/transcripts/vendor/vosk.jsonl"),
    ),
    (
        "dg.json",
        include_str!("../../tests/fixtures/transcripts/vendor/deepgram-utterances.json"),
    ),
    (
        "a.json",
        include_str!("../../tests/fixtures/transcripts/vendor/assemblyai.json"),
    ),
    (
        "aws.json",
        include_str!("../../tests/fixtures/transcripts/vendor/aws-items.json"),
    ),
    (
        "g.json",
        include_str!("../../tests/fixtures/transcripts/vendor/google-diarized.json"),
    ),
    (
        "az.json",
        include_str!("../../tests/fixtures/transcripts/vendor/azure.json"),
    ),
    (
        "awc.json",
        include_str!("../../tests/fixtures/transcripts/vendor/aws-channels.json"),
    ),
];

fn engine_speakers(mapped: bool, default_side: bool) -> Speakers {
    let speakers = speakers_for(mapped, default_side);
    if mapped {
        speakers.with_channels(vec![
            ("0".to_string(), Side::User),
            ("1".to_string(), Side::Client),
        ])
    } else {
        speakers
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(3000))]

    /// Every engine parser: mutated real-shaped files never panic, and whatever is
    /// accepted is valid messages.
    #[test]
    fn engine_formats_never_panic(
        sample in 0..ENGINE_SAMPLES.len(),
        edits in prop::collection::vec(
            (any::<u8>(), any::<usize>(), any::<usize>(), any::<usize>(), any::<u8>()),
            0..6,
        ),
        mapped in any::<bool>(),
        default_side in any::<bool>(),
    ) {
        let (name, text) = ENGINE_SAMPLES[sample];
        let bytes = mutate(text, &edits);
        let speakers = engine_speakers(mapped, default_side);
        for format in ENGINE_FORMATS {
            check(read(name, &bytes, format, &speakers))?;
        }
        for encoding in [Encoding::Utf16, Encoding::Cp1251, Encoding::Koi8R] {
            check(read_as(name, &bytes, Format::Auto, encoding, &speakers))?;
        }
    }
}

/// The engine samples read as they are (with every label and channel mapped).
#[test]
fn engine_samples_are_valid() {
    let speakers = Speakers::new(
        ["SPEAKER_00", "spk_0", "A", "0", "1"]
            .iter()
            .map(|l| (l.to_string(), Side::User))
            .chain(
                ["SPEAKER_01", "spk_1", "B", "2"]
                    .iter()
                    .map(|l| (l.to_string(), Side::Client)),
            )
            .collect(),
        Some(Side::Client),
    )
    .with_channels(vec![
        ("0".to_string(), Side::User),
        ("1".to_string(), Side::Client),
        ("2".to_string(), Side::Client),
    ]);
    for (name, text) in ENGINE_SAMPLES {
        let result = read(name, text.as_bytes(), Format::Auto, &speakers);
        assert!(result.is_ok(), "{name}: {result:?}");
    }
}
