//! openai-whisper and whisperX output: `{"segments": [{"start", "end", "text",
//! "speaker"?}, ...]}`. Other keys (`words`, `tokens`, ...) are ignored.

use serde_json::Value;

use super::collect::{Collector, Draft, Loc};
use super::json::{field, parse_value, side_input, time_field};

/// A bare segment (faster-whisper's and stable-ts's lists): start, end and text,
/// and none of b24tel's own side keys.
pub fn is_segment(value: &Value) -> bool {
    let Value::Object(object) = value else {
        return false;
    };
    object.contains_key("start")
        && object.contains_key("end")
        && object.contains_key("text")
        && !object.contains_key("side")
        && !object.contains_key("SIDE")
}

pub fn parse(text: &str, collector: &mut Collector) {
    let Some(value) = parse_value(text, collector) else {
        return;
    };
    let segments = match &value {
        Value::Array(segments) => segments,
        other => match other.get("segments") {
            Some(Value::Array(segments)) => segments,
            _ => {
                collector.problem_in_source(
                    "expected whisper output: an object with a \"segments\" array",
                );
                return;
            }
        },
    };
    for (index, segment) in segments.iter().enumerate() {
        let loc = Loc::Segment(index);
        let Value::Object(object) = segment else {
            collector.problem(loc, "expected an object with start, end and text");
            continue;
        };
        let text = match field(object, &["text"]) {
            Some(Value::String(text)) if text.trim().is_empty() => {
                collector.skip_empty(loc);
                continue;
            }
            Some(Value::String(text)) => Ok(text.trim().to_string()),
            None => Err("missing text".to_string()),
            Some(_) => Err("text must be a string".to_string()),
        };
        let draft = Draft {
            side: side_input(field(object, &["speaker"]), "speaker"),
            start: time_field(field(object, &["start"]), "start"),
            stop: time_field(field(object, &["end", "stop"]), "end"),
            text,
        };
        collector.cue(loc, draft);
    }
}

#[cfg(test)]
mod tests {
    use super::super::tests::{msg, read_err, read_ok};
    use super::super::{Format, Side};

    #[test]
    fn whisperx_speakers_map_and_text_is_trimmed() {
        let json = r#"{"segments": [
            {"start": 0.031, "end": 2.512, "text": " Добрый день, компания «Ромашка».", "speaker": "SPEAKER_01",
             "words": [{"word": "Добрый", "start": 0.031, "end": 0.4, "score": 0.9}]},
            {"start": 2.9, "end": 4.0, "text": "  ", "speaker": "SPEAKER_00"},
            {"start": 4.2, "end": 6.75, "text": " 你好，我想咨询一下。", "speaker": "SPEAKER_00"}
        ], "language": "ru"}"#;
        let t = read_ok(
            "x.json",
            json,
            Format::Whisper,
            &[("SPEAKER_00", Side::Client), ("speaker_01", Side::User)],
            None,
        );
        assert_eq!(
            t.messages,
            vec![
                msg(Side::User, 0, 3, "Добрый день, компания «Ромашка»."),
                msg(Side::Client, 4, 7, "你好，我想咨询一下。"),
            ]
        );
        assert_eq!(t.notes, vec!["x.json: 1 empty segment skipped"]);
    }

    #[test]
    fn unmapped_speakers_and_plain_whisper() {
        let json = r#"{"segments": [
            {"start": 0, "end": 1, "text": "a", "speaker": "SPEAKER_01"},
            {"start": 1, "end": 2, "text": "b", "speaker": "SPEAKER_00"},
            {"start": 2, "end": 3, "text": "c"},
            {"start": 3, "end": 4, "text": "d", "speaker": "SPEAKER_01"}
        ]}"#;
        assert_eq!(
            read_err("x.json", json, Format::Whisper, &[], None),
            vec![
                "x.json: segment 0 (counted from 0, as whisper numbers them): speaker labels without a side: SPEAKER_00, SPEAKER_01; \
                 map them with --speaker SPEAKER_00=User --speaker SPEAKER_01=Client",
                "x.json: segment 2 (counted from 0, as whisper numbers them): no speaker: pass --default-side User|Client (this segment has no `speaker`)",
            ]
        );
        let plain = r#"{"text": "a b", "segments": [{"id": 0, "seek": 0, "start": 0.0, "end": 1.5, "text": " a b", "tokens": [1]}]}"#;
        let t = read_ok("-", plain, Format::Whisper, &[], Some(Side::Client));
        assert_eq!(t.messages, vec![msg(Side::Client, 0, 2, "a b")]);
        assert_eq!(
            read_err("x.json", r#"{"text": "a"}"#, Format::Whisper, &[], None),
            vec!["x.json: expected whisper output: an object with a \"segments\" array"]
        );
        // faster-whisper and stable-ts also write a bare list of segments.
        let t = read_ok(
            "x.json",
            r#"[{"start": 0.0, "end": 1.5, "text": " a b"}]"#,
            Format::Auto,
            &[],
            Some(Side::User),
        );
        assert_eq!(t.messages, vec![msg(Side::User, 0, 2, "a b")]);
        assert_eq!(
            read_err("x.json", "[]", Format::Whisper, &[], None),
            vec!["x.json: no messages"]
        );
    }
}
