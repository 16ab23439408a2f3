//! Vosk recogniser results (`rec.Result()` / `FinalResult()` with `SetWords(True)`):
//! one JSON object per utterance, `{"result": [{"conf", "start", "end", "word"}],
//! "text"}`, as JSON Lines or an array; `{"partial": ...}` lines are ignored.

use serde_json::Value;

use super::collect::{Collector, Loc};
use super::speech::{self, array, seconds, text_of, Utterance};

pub fn looks_like(value: &Value) -> bool {
    let one = |v: &Value| {
        array(v, &["result"]).is_some_and(|r| r.iter().all(|w| w.get("word").is_some()))
            && v.get("text").is_some()
    };
    match value {
        Value::Array(items) => items.first().is_some_and(one),
        other => one(other),
    }
}

pub fn parse(text: &str, collector: &mut Collector) {
    let Some(documents) = speech::documents(text, collector) else {
        return;
    };
    let lines = documents.len() > 1;
    let items: Vec<(Loc, &Value)> = match documents.as_slice() {
        [(_, Value::Array(items))] => items
            .iter()
            .enumerate()
            .map(|(i, v)| (Loc::Item("results", i + 1), v))
            .collect(),
        docs => docs
            .iter()
            .map(|(line, v)| {
                let loc = if lines {
                    Loc::Line(*line)
                } else {
                    Loc::Item("results", 1)
                };
                (loc, v)
            })
            .collect(),
    };
    for (loc, item) in items {
        if item.get("partial").is_some() {
            continue;
        }
        let words = array(item, &["result"]).map(Vec::as_slice).unwrap_or(&[]);
        if words.is_empty() {
            if !text_of(item.get("text")).trim().is_empty() {
                collector.problem(loc, "no word times: run Vosk with SetWords(True)");
            }
            continue;
        }
        let utterance = Utterance {
            start: seconds(words.first().and_then(|w| w.get("start")), "start"),
            stop: seconds(words.last().and_then(|w| w.get("end")), "end"),
            text: text_of(item.get("text")),
            speaker: None,
            channel: None,
        };
        speech::emit(collector, loc, utterance);
    }
}
