//! Tests across formats: detection, flags, fixtures, problems together, scale.

use super::*;

pub fn msg(side: Side, start: u64, stop: u64, text: &str) -> Message {
    Message {
        side,
        start,
        stop,
        text: text.to_string(),
    }
}

pub fn speakers(map: &[(&str, Side)], default_side: Option<Side>) -> Speakers {
    let map = map
        .iter()
        .map(|(label, side)| (label.to_string(), *side))
        .collect();
    Speakers::new(map, default_side)
}

pub fn read_ok(
    name: &str,
    input: &str,
    format: Format,
    map: &[(&str, Side)],
    default_side: Option<Side>,
) -> Transcript {
    match read(name, input.as_bytes(), format, &speakers(map, default_side)) {
        Ok(transcript) => transcript,
        Err(problems) => panic!("unexpected problems: {problems:#?}"),
    }
}

pub fn read_err(
    name: &str,
    input: &str,
    format: Format,
    map: &[(&str, Side)],
    default_side: Option<Side>,
) -> Vec<String> {
    match read(name, input.as_bytes(), format, &speakers(map, default_side)) {
        Ok(transcript) => panic!("expected problems, got {transcript:#?}"),
        Err(problems) => problems.iter().map(Problem::to_string).collect(),
    }
}

fn flags(values: &[&str]) -> Vec<String> {
    values.iter().map(|v| v.to_string()).collect()
}

#[test]
fn message_to_api_keeps_key_order() {
    let json = msg(Side::Client, 4, 7, "Hello").to_api();
    assert_eq!(
        serde_json::to_string(&json).unwrap(),
        r#"{"SIDE":"Client","START_TIME":4,"STOP_TIME":7,"MESSAGE":"Hello"}"#
    );
}

#[test]
fn sides_parse_any_case_and_print_canonically() {
    assert_eq!("uSeR".parse::<Side>(), Ok(Side::User));
    assert_eq!(" client ".parse::<Side>(), Ok(Side::Client));
    assert!("agent"
        .parse::<Side>()
        .unwrap_err()
        .contains("User or Client"));
    assert_eq!(Side::Client.to_string(), "Client");
    assert_eq!(Side::User.as_str(), "User");
}

#[test]
fn speaker_flags() {
    assert_eq!(
        parse_speaker_flag("SPEAKER_00=user"),
        Ok(("SPEAKER_00".to_string(), Side::User))
    );
    assert_eq!(
        parse_speaker_flag("a=b=Client"),
        Ok(("a=b".to_string(), Side::Client))
    );
    for bad in ["SPEAKER_00", "=User", "x=Agent", ""] {
        let error = parse_speaker_flag(bad).unwrap_err();
        assert!(error.contains("LABEL=User"), "{bad}: {error}");
    }
}

#[test]
fn explicit_map_wins_then_side_names_then_default() {
    let s = speakers(
        &[("user", Side::Client), ("Agent", Side::User)],
        Some(Side::User),
    );
    assert_eq!(s.resolve("USER"), Some(Side::Client));
    assert_eq!(s.resolve("agent"), Some(Side::User));
    assert_eq!(s.resolve("client"), Some(Side::Client));
    assert_eq!(s.resolve("Bob"), None);
    assert_eq!(s.default_side(), Some(Side::User));
}

#[test]
fn message_flags_split_on_the_first_three_colons() {
    let t = from_flags(
        &flags(&["user:0:2.5:Hi: it's 10:30", "agent:3:4:ok", ":4:5:default"]),
        &speakers(&[("agent", Side::Client)], Some(Side::User)),
    )
    .unwrap();
    assert_eq!(
        t.messages,
        vec![
            msg(Side::User, 0, 3, "Hi: it's 10:30"),
            msg(Side::Client, 3, 4, "ok"),
            msg(Side::User, 4, 5, "default"),
        ]
    );
}

#[test]
fn message_flags_report_every_problem() {
    let problems = from_flags(
        &flags(&[
            "User:1:2",
            "Bot:-1:0: ",
            "User:5:4:x",
            ":0:1:y",
            "User:a:1e3:z",
        ]),
        &Speakers::default(),
    )
    .unwrap_err();
    let problems: Vec<String> = problems.iter().map(Problem::to_string).collect();
    assert_eq!(
        problems,
        vec![
            "--message #1: expected SIDE:START:STOP:TEXT (e.g. User:0:3:Hello), got `User:1:2`",
            "--message #2: speaker labels without a side: Bot; map them with --speaker Bot=User",
            "--message #2: START_TIME -1 is negative",
            "--message #2: STOP_TIME must be at least 1 second (this message ends at 0)",
            "--message #2: MESSAGE is empty",
            "--message #3: STOP_TIME (4 s) is before START_TIME (5 s)",
            "--message #4: no SIDE: pass --default-side User|Client or write one, e.g. User:0:3:Hello",
            "--message #5: START_TIME `a` is not a number of seconds",
            "--message #5: STOP_TIME `1e3` is not a number of seconds",
        ]
    );
    let none = from_flags(&[], &Speakers::default()).unwrap_err();
    assert_eq!(none[0].to_string(), "--message: no messages");
}

#[test]
fn floor_and_ceil_rounding() {
    let t = from_flags(
        &flags(&[
            "User:0.999:1.001:a",
            "User:2:2:b",
            "Client:3.5:3.5:c",
            "User:0:0.2:d",
        ]),
        &Speakers::default(),
    )
    .unwrap();
    let times: Vec<(u64, u64)> = t.messages.iter().map(|m| (m.start, m.stop)).collect();
    // A zero-length message is widened to one second.
    assert_eq!(times, vec![(0, 2), (2, 3), (3, 4), (0, 1)]);
}

#[test]
fn cues_without_a_side_are_capped_at_twenty() {
    let mut srt = String::new();
    for i in 0..25 {
        srt.push_str(&format!(
            "{}\n00:00:{i:02},000 --> 00:00:{i:02},500\nhello\n\n",
            i + 1
        ));
    }
    let problems = read_err("call.srt", &srt, Format::Srt, &[], None);
    assert_eq!(problems.len(), 21);
    assert_eq!(
        problems[0],
        "call.srt:2: no speaker: pass --default-side User|Client or start the cue with a label such as `User:`"
    );
    assert!(
        problems[19].starts_with("call.srt:78: "),
        "{}",
        problems[19]
    );
    assert_eq!(problems[20], "call.srt: ... and 5 more cues without a side");
}

#[test]
fn every_violation_in_one_srt_run() {
    let srt = "1\n00:00:00,000 --> 00:00:00,000\nUser: zero\n\n\
               2\n00:00:05,000 --> 00:00:04,000\nSPEAKER_1: back\n\n\
               3\n00:00:06,000 --> 00:00:07,000\nno label\n\n\
               4\n1193046:28:16,000 --> 1193046:28:17,000\nClient: far\n\n\
               5\n00:00:08,000 --> 00:00:09,000\nspeaker_1: same label\n\n\
               6\n00:00:09,000 --> 00:00:10,000\nbob: other\n";
    assert_eq!(
        read_err("t.srt", srt, Format::Srt, &[], None),
        vec![
            // `SPEAKER_1:` recurs, so it is a speaker; `bob:` once is text.
            "t.srt:6: speaker labels without a side: SPEAKER_1; map them with --speaker SPEAKER_1=User",
            "t.srt:6: STOP_TIME (4 s) is before START_TIME (5 s)",
            "t.srt:10: no speaker: pass --default-side User|Client or start the cue with a label such as `User:`",
            "t.srt:14: START_TIME 4294967296 is too large (at most 4294967295 seconds)",
            "t.srt:14: STOP_TIME 4294967297 is too large (at most 4294967295 seconds)",
            "t.srt:22: no speaker: pass --default-side User|Client or start the cue with a label such as `User:`",
        ]
    );
}

#[test]
fn labels_with_spaces_get_a_quoted_fix() {
    let json = r#"[{"side": "Anna (sales)", "start": 0, "stop": 1, "message": "hi"}]"#;
    assert_eq!(
        read_err("c.json", json, Format::Json, &[], None),
        vec!["c.json: messages[1]: speaker labels without a side: Anna (sales); map them with --speaker 'Anna (sales)=User'"]
    );
}

#[test]
fn no_messages_and_only_empty_cues() {
    assert_eq!(
        read_err("a.srt", "", Format::Srt, &[], None),
        vec!["a.srt: the file is empty: there is no transcript to attach"]
    );
    assert_eq!(
        read_err(
            "a.srt",
            "1\n00:00:01,000 --> 00:00:02,000\n\n",
            Format::Srt,
            &[],
            None
        ),
        vec!["a.srt: no messages (1 empty cue skipped)"]
    );
    assert_eq!(
        read_err("a.csv", "side,start,stop,message\n", Format::Csv, &[], None),
        vec!["a.csv: no messages"]
    );
}

#[test]
fn detection_by_extension_then_content() {
    let srt = b"1\n00:00:01,000 --> 00:00:02,000\nhi\n";
    assert_eq!(detect("call.SRT", b"whatever"), Some(Format::Srt));
    assert_eq!(detect("x.vtt", b""), Some(Format::Vtt));
    assert_eq!(detect("x.csv", b""), Some(Format::Csv));
    assert_eq!(detect("x.json", b"[]"), Some(Format::Json));
    assert_eq!(
        detect("x.json", br#"{"segments": []}"#),
        Some(Format::Whisper)
    );
    assert_eq!(
        detect("x.json", br#"{"messages": [], "x": {"segments": 1}}"#),
        Some(Format::Json)
    );
    assert_eq!(detect("x.json", b"{broken"), Some(Format::Json));
    assert_eq!(detect("-", srt), Some(Format::Srt));
    assert_eq!(detect("notes.txt", b"\n\nWEBVTT\n"), Some(Format::Vtt));
    assert_eq!(detect("-", b"\xEF\xBB\xBF  [{}]"), Some(Format::Json));
    assert_eq!(
        detect("-", br#" {"segments": [], "text": ""}"#),
        Some(Format::Whisper)
    );
    assert_eq!(
        detect("dump", b"Speaker,Start,End,Text\n"),
        Some(Format::Csv)
    );
    assert_eq!(detect("dump", b"\"side\";\"start\"\n"), Some(Format::Csv));
    assert_eq!(detect("-", b"Message\nhello\n"), None);
    assert_eq!(detect("-", b"hello there\n"), None);
    assert_eq!(detect("-", b""), None);
    let problems = read_err("-", "just words\n", Format::Auto, &[], None);
    assert_eq!(
        problems,
        vec!["stdin: cannot tell the transcript's format (tried json, whisper, yandex, vosk, deepgram, assemblyai, aws, google, azure, csv, tsv, srt, vtt, by extension and by content); pass --format with one of them"]
    );
}

#[test]
fn lone_cr_and_crlf_line_endings() {
    let srt = "1\r00:00:01,000 --> 00:00:02,000\rUser: 你好\r世界\r\r2\r00:00:02,000 --> 00:00:03,000\rbad\r";
    let problems = read_err("mac.srt", srt, Format::Auto, &[], None);
    assert_eq!(
        problems,
        vec!["mac.srt:7: no speaker: pass --default-side User|Client or start the cue with a label such as `User:`"]
    );
    let t = read_ok("mac.srt", srt, Format::Auto, &[], Some(Side::Client));
    assert_eq!(
        t.messages,
        vec![
            msg(Side::User, 1, 2, "你好 世界"),
            msg(Side::Client, 2, 3, "bad")
        ]
    );
    let vtt = "WEBVTT\r\n\r\nNOTE a\r\nb\r\n\r\n00:01.000 --> 00:02.000 line:0\r\n<v Client>Hi\r\n";
    let t = read_ok("-", vtt, Format::Auto, &[], None);
    assert_eq!(t.messages, vec![msg(Side::Client, 1, 2, "Hi")]);
    let problems = read_err(
        "-",
        "WEBVTT\r\n\r\n00:01.000 --> 00:00.000\r\nUser: x\r\n",
        Format::Auto,
        &[],
        None,
    );
    assert_eq!(
        problems,
        vec!["stdin:3: STOP_TIME must be at least 1 second (this cue ends at 0)"]
    );
}

#[test]
fn encoding_problems_have_a_line() {
    let problems = read(
        "call.srt",
        b"1\n00:00:01,000 --> 00:00:02,000\n\xCF\xF0\xE8\n",
        Format::Auto,
        &Speakers::default(),
    )
    .unwrap_err();
    assert_eq!(problems.len(), 1);
    assert_eq!(problems[0].place, "call.srt:3");
    assert!(problems[0].message.contains("UTF-8"));
}

#[test]
fn utf16_srt_reads_like_utf8() {
    let srt = "1\r\n00:00:01,000 --> 00:00:02,000\r\nКлиент: Алло?\r\n";
    let bytes: Vec<u8> = [0xFF, 0xFE]
        .into_iter()
        .chain(srt.encode_utf16().flat_map(u16::to_le_bytes))
        .collect();
    let t = read(
        "call.srt",
        &bytes,
        Format::Auto,
        &speakers(&[("клиент", Side::Client)], None),
    )
    .unwrap();
    assert_eq!(t.messages, vec![msg(Side::Client, 1, 2, "Алло?")]);
}

/// Each fixture under `tests/fixtures/transcripts/`, as the integration tests attach them.
mod fixtures {
    use super::*;

    fn fixture(name: &str, map: &[(&str, Side)], default_side: Option<Side>) -> Transcript {
        let path = format!(
            "{}/tests/fixtures/transcripts/{name}",
            env!("CARGO_MANIFEST_DIR")
        );
        let bytes = std::fs::read(&path).unwrap();
        match read(name, &bytes, Format::Auto, &speakers(map, default_side)) {
            Ok(transcript) => transcript,
            Err(problems) => panic!("{name}: {problems:#?}"),
        }
    }

    #[test]
    fn call_srt() {
        let t = fixture("call.srt", &[], None);
        assert_eq!(
            t.messages,
            vec![
                msg(
                    Side::User,
                    1,
                    4,
                    "Good afternoon, Horns and Hooves, this is Anna. How can I help?"
                ),
                msg(
                    Side::Client,
                    4,
                    8,
                    "Hi Anna, I ordered a sofa last week and it still hasn't arrived."
                ),
                msg(
                    Side::User,
                    8,
                    11,
                    "I'm sorry to hear that. Could you give me the order number?"
                ),
                msg(Side::Client, 11, 14, "Sure: it's 10-4471."),
                msg(
                    Side::User,
                    15,
                    19,
                    "Thank you. It ships tomorrow; you'll get an SMS by 10:30."
                ),
            ]
        );
        assert_eq!(t.notes, vec!["call.srt: 1 empty cue skipped"]);
    }

    #[test]
    fn call_vtt() {
        let t = fixture(
            "call.vtt",
            &[("Anna", Side::User), ("Customer", Side::Client)],
            None,
        );
        assert_eq!(
            t.messages,
            vec![
                msg(
                    Side::User,
                    0,
                    3,
                    "Good afternoon, Horns & Hooves, this is Anna."
                ),
                msg(Side::Client, 3, 7, "Hello, I'm calling about my order."),
                msg(Side::User, 7, 10, "Of course. What's the order number?"),
                msg(Side::Client, 10, 13, "It's <10-4471>."),
            ]
        );
        assert!(t.notes.is_empty());
    }

    #[test]
    fn call_csv() {
        let t = fixture("call.csv", &[], None);
        assert_eq!(
            t.messages,
            vec![
                msg(Side::User, 1, 3, "Good afternoon"),
                msg(Side::Client, 4, 7, "Hello, I'd like to check an order"),
                msg(Side::User, 7, 12, "Sure.\nWhat's the number?"),
                msg(Side::Client, 12, 15, "10-4471, \"express\" delivery"),
            ]
        );
    }

    #[test]
    fn call_json() {
        let t = fixture("call.json", &[], None);
        assert_eq!(
            t.messages,
            vec![
                msg(Side::User, 1, 3, "Good afternoon"),
                msg(Side::Client, 4, 7, "Hello"),
                msg(Side::User, 7, 10, "How can I help you today?"),
            ]
        );
    }

    #[test]
    fn whisperx_json() {
        let t = fixture(
            "whisperx.json",
            &[("SPEAKER_00", Side::User), ("SPEAKER_01", Side::Client)],
            None,
        );
        assert_eq!(
            t.messages,
            vec![
                msg(
                    Side::User,
                    0,
                    3,
                    "Good afternoon, support line, this is Mark."
                ),
                msg(
                    Side::Client,
                    3,
                    6,
                    "Hi, my internet has been down since the morning."
                ),
                msg(
                    Side::User,
                    6,
                    9,
                    "Let me check your line, one moment please."
                ),
            ]
        );
    }

    #[test]
    fn crlf_bom_srt() {
        let bytes = std::fs::read(format!(
            "{}/tests/fixtures/transcripts/crlf_bom.srt",
            env!("CARGO_MANIFEST_DIR")
        ))
        .unwrap();
        assert!(
            bytes.starts_with(b"\xEF\xBB\xBF1\r\n"),
            "the fixture must keep its BOM and CRLF"
        );
        let t = fixture("crlf_bom.srt", &[], Some(Side::Client));
        assert_eq!(
            t.messages,
            vec![
                msg(Side::User, 0, 2, "Hello, you've reached the service desk."),
                msg(Side::Client, 2, 5, "Hi, I need to reset my password."),
                msg(Side::User, 5, 8, "No problem, I'll send you a link."),
            ]
        );
    }

    #[test]
    fn cyrillic_vtt() {
        let t = fixture(
            "cyrillic.vtt",
            &[("Оператор", Side::User), ("клиент", Side::Client)],
            None,
        );
        assert_eq!(
            t.messages,
            vec![
                msg(
                    Side::User,
                    0,
                    3,
                    "Добрый день, компания «Ромашка», меня зовут Ольга."
                ),
                msg(
                    Side::Client,
                    3,
                    7,
                    "Здравствуйте! Я хочу узнать статус заказа."
                ),
                msg(Side::User, 7, 10, "Назовите, пожалуйста, номер заказа."),
                msg(Side::Client, 10, 12, "Номер 4471 — «срочная» доставка."),
            ]
        );
    }
}

#[test]
fn a_hundred_thousand_cues() {
    let mut srt = String::with_capacity(7_000_000);
    for i in 0..100_000u64 {
        let (start, stop) = (i * 2, i * 2 + 1);
        let side = if i % 2 == 0 { "User" } else { "Client" };
        srt.push_str(&format!(
            "{}\n{:02}:{:02}:{:02},250 --> {:02}:{:02}:{:02},750\n{side}: This is message number {i}, said on the phone.\n\n",
            i + 1,
            start / 3600,
            start / 60 % 60,
            start % 60,
            stop / 3600,
            stop / 60 % 60,
            stop % 60,
        ));
    }
    let t = read(
        "big.srt",
        srt.as_bytes(),
        Format::Auto,
        &Speakers::default(),
    )
    .unwrap();
    assert_eq!(t.messages.len(), 100_000);
    assert_eq!(
        t.messages[99_999],
        msg(
            Side::Client,
            199_998,
            200_000,
            "This is message number 99999, said on the phone."
        )
    );
}
