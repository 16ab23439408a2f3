//! Yandex SpeechKit. v2 async recognition (`operations/ID` result): `chunks[]` of
//! `{alternatives: [{words: [{startTime: "0.88s", endTime, word}], text}], channelTag}`,
//! at the top or under `response`. v3 (`getRecognition`, JSON or JSON Lines): one
//! object a line with `result.final` (`alternatives[0].text`, `startTimeMs`,
//! `endTimeMs`, `channelTag`) and `result.finalRefinement` (the normalised text of
//! the same `finalIndex`), which replaces its `final` rather than repeating it.

use std::collections::BTreeMap;

use serde_json::Value;

use super::collect::{Collector, Loc};
use super::speech::{self, array, get, label, millis, seconds, text_of, Utterance};

pub fn looks_like(value: &Value) -> bool {
    array(value, &["chunks"]).is_some()
        || array(value, &["response", "chunks"]).is_some()
        || v3(value).is_some()
}

fn v3(value: &Value) -> Option<&Value> {
    // Vosk's `{"partial": ...}` lines have no `result` object around them.
    if let Some(result) = value.get("result").filter(|r| r.is_object()) {
        return (result.get("final").is_some()
            || result.get("finalRefinement").is_some()
            || result.get("partial").is_some()
            || result.get("eouUpdate").is_some()
            || result.get("audioCursors").is_some())
        .then_some(result);
    }
    (value.get("final").is_some() || value.get("finalRefinement").is_some()).then_some(value)
}

pub fn parse(text: &str, collector: &mut Collector) {
    let Some(documents) = speech::documents(text, collector) else {
        return;
    };
    if let [(_, first)] = documents.as_slice() {
        let chunks = array(first, &["chunks"]).or_else(|| array(first, &["response", "chunks"]));
        if let Some(chunks) = chunks {
            v2(chunks, collector);
            return;
        }
    }
    // v3: a JSON array of responses, or one a line.
    let responses: Vec<(usize, &Value)> = match documents.as_slice() {
        [(line, Value::Array(items))] => items.iter().map(|v| (*line, v)).collect(),
        docs => docs.iter().map(|(l, v)| (*l, v)).collect(),
    };
    // (channel, finalIndex) -> (line, utterance); a refinement replaces its final.
    let mut finals: BTreeMap<(String, u64), (usize, Utterance)> = BTreeMap::new();
    let mut order = 0u64;
    for (line, response) in responses {
        let Some(result) = v3(response) else {
            continue;
        };
        let channel = label(result.get("channelTag"));
        let index = label(get(result, &["audioCursors", "finalIndex"]))
            .or_else(|| label(get(result, &["finalRefinement", "finalIndex"])))
            .and_then(|i| i.parse::<u64>().ok());
        let (update, refined) = if let Some(f) = result.get("final") {
            (f, false)
        } else if let Some(r) = get(result, &["finalRefinement", "normalizedText"]) {
            (r, true)
        } else {
            continue;
        };
        let Some(alternative) = array(update, &["alternatives"]).and_then(|a| a.first()) else {
            continue;
        };
        let channel = channel.or_else(|| label(update.get("channelTag")));
        let utterance = Utterance {
            start: millis(alternative.get("startTimeMs"), "startTimeMs"),
            stop: millis(alternative.get("endTimeMs"), "endTimeMs"),
            text: text_of(alternative.get("text")),
            speaker: None,
            channel: channel.clone(),
        };
        let key = (
            channel.unwrap_or_default(),
            index.unwrap_or_else(|| {
                order += 1;
                u64::MAX - order
            }),
        );
        match finals.get(&key) {
            Some(_) if !refined => {}
            _ => {
                finals.insert(key, (line, utterance));
            }
        }
    }
    let mut all: Vec<(usize, Utterance)> = finals.into_values().collect();
    all.sort_by_key(|(line, u)| (u.start.as_ref().ok().copied(), *line));
    for (line, utterance) in all {
        speech::emit(collector, Loc::Line(line), utterance);
    }
}

fn v2(chunks: &[Value], collector: &mut Collector) {
    for (index, chunk) in chunks.iter().enumerate() {
        let loc = Loc::Item("chunks", index + 1);
        let Some(alternative) = array(chunk, &["alternatives"]).and_then(|a| a.first()) else {
            collector.problem(loc, "expected alternatives[0] with words and text");
            continue;
        };
        let words = array(alternative, &["words"])
            .map(Vec::as_slice)
            .unwrap_or(&[]);
        let utterance = Utterance {
            start: seconds(words.first().and_then(|w| w.get("startTime")), "startTime"),
            stop: seconds(words.last().and_then(|w| w.get("endTime")), "endTime"),
            text: text_of(alternative.get("text")),
            speaker: None,
            channel: label(chunk.get("channelTag")),
        };
        speech::emit(collector, loc, utterance);
    }
}
