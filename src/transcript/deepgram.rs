//! Deepgram pre-recorded response: `results.utterances[]` (`utterances=true`:
//! `start`, `end`, `transcript`, `channel`, `speaker`), else per channel
//! `alternatives[0].paragraphs.paragraphs[]` (`smart_format`/`paragraphs`), else its
//! `words[]` grouped into runs of one speaker. Times in seconds.

use serde_json::Value;

use super::collect::{Collector, Loc};
use super::speech::{self, array, get, label, seconds, text_of, Run, Utterance};

pub fn looks_like(value: &Value) -> bool {
    array(value, &["results", "channels"]).is_some()
        || array(value, &["results", "utterances"]).is_some()
}

pub fn parse(text: &str, collector: &mut Collector) {
    let Some(value) = super::json::parse_value(text, collector) else {
        return;
    };
    let channels = array(&value, &["results", "channels"]).map_or(0, Vec::len);
    let channel_of = |v: Option<&Value>| {
        // One channel: the number says nothing; leave it to speakers and --default-side.
        if channels > 1 {
            label(v).or(Some("0".into()))
        } else {
            label(v).filter(|_| channels > 1)
        }
    };
    if let Some(utterances) = array(&value, &["results", "utterances"]) {
        for (index, u) in utterances.iter().enumerate() {
            let utterance = Utterance {
                start: seconds(u.get("start"), "start"),
                stop: seconds(u.get("end"), "end"),
                text: text_of(u.get("transcript")),
                speaker: label(u.get("speaker")),
                channel: channel_of(u.get("channel")),
            };
            speech::emit(collector, Loc::Item("utterances", index + 1), utterance);
        }
        return;
    }
    let Some(list) = array(&value, &["results", "channels"]) else {
        collector.problem_in_source("expected results.utterances or results.channels");
        return;
    };
    for (channel_index, channel) in list.iter().enumerate() {
        let channel_label = (list.len() > 1).then(|| channel_index.to_string());
        let Some(alternative) = array(channel, &["alternatives"]).and_then(|a| a.first()) else {
            continue;
        };
        if let Some(paragraphs) = array(alternative, &["paragraphs", "paragraphs"]) {
            for (index, p) in paragraphs.iter().enumerate() {
                let sentences = array(p, &["sentences"]).map(Vec::as_slice).unwrap_or(&[]);
                let text: Vec<String> = sentences.iter().map(|s| text_of(s.get("text"))).collect();
                let utterance = Utterance {
                    start: seconds(p.get("start"), "start"),
                    stop: seconds(p.get("end"), "end"),
                    text: text.join(" "),
                    speaker: label(p.get("speaker")),
                    channel: channel_label.clone(),
                };
                speech::emit(collector, Loc::Item("paragraphs", index + 1), utterance);
            }
            continue;
        }
        let words = array(alternative, &["words"])
            .map(Vec::as_slice)
            .unwrap_or(&[]);
        let runs = speech::runs(words.iter().enumerate().map(|(i, w)| Run {
            first: i,
            start: seconds(w.get("start"), "start"),
            stop: seconds(w.get("end"), "end"),
            words: vec![label(w.get("punctuated_word"))
                .or_else(|| label(w.get("word")))
                .unwrap_or_default()],
            speaker: label(w.get("speaker")),
            channel: channel_label.clone(),
        }));
        speech::emit_runs(collector, "words", runs);
        let _ = get(alternative, &["transcript"]);
    }
}
