//! Google Cloud Speech-to-Text (`recognize` / `longrunningrecognize` response):
//! `results[].alternatives[0]` with `transcript` and `words[]` (`startTime`/
//! `startOffset` as `"1.300s"`), `channelTag`, `resultEndTime`/`resultEndOffset`.
//! With diarization the last result repeats every word with its `speakerTag`:
//! only that result is read, grouped into runs of one speaker.

use serde_json::Value;

use super::collect::{Collector, Loc};
use super::speech::{self, array, label, seconds, text_of, Run, Utterance};

pub fn looks_like(value: &Value) -> bool {
    array(value, &["results"]).is_some_and(|r| {
        r.first()
            .is_some_and(|first| first.get("alternatives").is_some_and(Value::is_array))
    })
}

fn word_time<'v>(word: &'v Value, names: &[&str]) -> Option<&'v Value> {
    names.iter().find_map(|n| word.get(*n))
}

pub fn parse(text: &str, collector: &mut Collector) {
    let Some(value) = super::json::parse_value(text, collector) else {
        return;
    };
    let Some(results) = array(&value, &["results"]) else {
        collector.problem_in_source("expected a \"results\" array");
        return;
    };
    let first_alt = |r: &'_ Value| array(r, &["alternatives"]).and_then(|a| a.first()).cloned();
    let diarized = results.iter().rev().find_map(|r| {
        let alt = first_alt(r)?;
        let words = alt.get("words")?.as_array()?.clone();
        words
            .iter()
            .any(|w| w.get("speakerTag").is_some() || w.get("speakerLabel").is_some())
            .then_some((words, label(r.get("channelTag"))))
    });
    if let Some((words, channel)) = diarized {
        let runs = speech::runs(words.iter().enumerate().map(|(i, w)| Run {
            first: i,
            start: seconds(word_time(w, &["startTime", "startOffset"]), "startTime"),
            stop: seconds(word_time(w, &["endTime", "endOffset"]), "endTime"),
            words: vec![text_of(w.get("word"))],
            speaker: label(w.get("speakerLabel")).or_else(|| label(w.get("speakerTag"))),
            channel: channel.clone(),
        }));
        speech::emit_runs(collector, "words", runs);
        return;
    }
    let mut previous_end: Result<super::time::Time, String> = Ok(Default::default());
    for (index, result) in results.iter().enumerate() {
        let loc = Loc::Item("results", index + 1);
        let Some(alt) = first_alt(result) else {
            continue;
        };
        let words = alt
            .get("words")
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default();
        let end = seconds(
            word_time(result, &["resultEndTime", "resultEndOffset"]),
            "resultEndTime",
        );
        let (start, stop) = match (words.first(), words.last()) {
            (Some(first), Some(last)) => (
                seconds(word_time(first, &["startTime", "startOffset"]), "startTime"),
                seconds(word_time(last, &["endTime", "endOffset"]), "endTime"),
            ),
            _ => (previous_end.clone(), end.clone()),
        };
        previous_end = end;
        let utterance = Utterance {
            start,
            stop,
            text: text_of(alt.get("transcript")),
            speaker: None,
            channel: label(result.get("channelTag")),
        };
        speech::emit(collector, loc, utterance);
    }
}
