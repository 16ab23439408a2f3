//! AWS Transcribe output (`results`): `audio_segments[]` (`start_time`,
//! `end_time` as strings of seconds, `transcript`, `speaker_label` `spk_N`,
//! `channel_label` `ch_N`), else `items[]` (pronunciations and punctuation,
//! `alternatives[0].content`) grouped into runs of one speaker or channel.

use serde_json::Value;

use super::collect::Collector;
use super::speech::{self, array, get, label, seconds, text_of, Run};

pub fn looks_like(value: &Value) -> bool {
    let results = value.get("results");
    results.is_some_and(|r| {
        r.get("transcripts").is_some()
            || r.get("items").is_some()
            || r.get("audio_segments").is_some()
    })
}

fn channel(value: Option<&Value>) -> Option<String> {
    label(value).map(|c| c.strip_prefix("ch_").map(str::to_string).unwrap_or(c))
}

pub fn parse(text: &str, collector: &mut Collector) {
    let Some(value) = super::json::parse_value(text, collector) else {
        return;
    };
    if let Some(segments) = array(&value, &["results", "audio_segments"]).filter(|s| !s.is_empty())
    {
        for (index, s) in segments.iter().enumerate() {
            let utterance = speech::Utterance {
                start: seconds(s.get("start_time"), "start_time"),
                stop: seconds(s.get("end_time"), "end_time"),
                text: text_of(s.get("transcript")),
                speaker: label(s.get("speaker_label")),
                channel: channel(s.get("channel_label")),
            };
            speech::emit(
                collector,
                super::collect::Loc::Item("audio_segments", index + 1),
                utterance,
            );
        }
        return;
    }
    let items = array(&value, &["results", "items"])
        .map(Vec::as_slice)
        .unwrap_or(&[]);
    let mut words: Vec<Run> = Vec::new();
    let mut last_stop = Err("missing end_time".to_string());
    for (i, item) in items.iter().enumerate() {
        let content = get(item, &["alternatives"])
            .and_then(Value::as_array)
            .and_then(|a| a.first())
            .map(|a| text_of(a.get("content")))
            .unwrap_or_default();
        let punctuation = item.get("type").and_then(Value::as_str) == Some("punctuation");
        if punctuation {
            if let Some(run) = words.last_mut() {
                run.words.push(content);
            }
            continue;
        }
        let stop = seconds(item.get("end_time"), "end_time");
        last_stop = stop.clone();
        words.push(Run {
            first: i,
            start: seconds(item.get("start_time"), "start_time"),
            stop,
            words: vec![content],
            speaker: label(item.get("speaker_label")),
            channel: channel(item.get("channel_label")),
        });
    }
    let _ = last_stop;
    if words.is_empty() {
        collector.problem_in_source("no results.audio_segments or results.items to read");
        return;
    }
    speech::emit_runs(collector, "items", speech::runs(words.into_iter()));
}
