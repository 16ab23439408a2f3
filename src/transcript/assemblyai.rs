//! AssemblyAI transcript (`GET /v2/transcript/ID`): `utterances[]` (with
//! `speaker_labels`: `speaker` "A", `start`/`end` in milliseconds, `text`,
//! `channel` with `multichannel`), else `words[]` grouped into runs of one speaker.

use serde_json::Value;

use super::collect::{Collector, Loc};
use super::speech::{self, array, label, millis, text_of, Run, Utterance};

pub fn looks_like(value: &Value) -> bool {
    let Some(object) = value.as_object() else {
        return false;
    };
    (object.get("utterances").is_some_and(Value::is_array)
        || object.get("words").is_some_and(Value::is_array))
        && (object.contains_key("audio_url")
            || object.contains_key("status")
            || object.contains_key("utterances")
            || object.contains_key("acoustic_model"))
}

pub fn parse(text: &str, collector: &mut Collector) {
    let Some(value) = super::json::parse_value(text, collector) else {
        return;
    };
    let utterances = array(&value, &["utterances"]).filter(|u| !u.is_empty());
    if let Some(utterances) = utterances {
        for (index, u) in utterances.iter().enumerate() {
            let utterance = Utterance {
                start: millis(u.get("start"), "start"),
                stop: millis(u.get("end"), "end"),
                text: text_of(u.get("text")),
                speaker: label(u.get("speaker")),
                channel: label(u.get("channel")),
            };
            speech::emit(collector, Loc::Item("utterances", index + 1), utterance);
        }
        return;
    }
    let words = array(&value, &["words"]).map(Vec::as_slice).unwrap_or(&[]);
    let runs = speech::runs(words.iter().enumerate().map(|(i, w)| Run {
        first: i,
        start: millis(w.get("start"), "start"),
        stop: millis(w.get("end"), "end"),
        words: vec![text_of(w.get("text"))],
        speaker: label(w.get("speaker")),
        channel: label(w.get("channel")),
    }));
    if runs.is_empty() {
        collector.problem_in_source(
            "no utterances or words: was the transcript finished (status \"completed\")?",
        );
    }
    speech::emit_runs(collector, "words", runs);
}
