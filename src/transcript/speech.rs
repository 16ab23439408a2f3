//! What the speech engines' JSON parsers share: reading one JSON document or JSON
//! Lines, their time spellings, and handing an utterance to the collector with its
//! speaker and channel.

use serde_json::Value;

use super::collect::{snippet, Collector, Draft, Loc, SideInput};
use super::json::parse_value;
use super::time::{self, Time};

/// One phrase as an engine reported it.
pub struct Utterance {
    pub start: Result<Time, String>,
    pub stop: Result<Time, String>,
    pub text: String,
    pub speaker: Option<String>,
    pub channel: Option<String>,
}

pub fn emit(collector: &mut Collector, loc: Loc, utterance: Utterance) {
    let text = utterance
        .text
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    if text.is_empty() {
        collector.skip_empty(loc);
        return;
    }
    let side = match (utterance.channel, utterance.speaker) {
        (Some(channel), speaker) => SideInput::Channel { channel, speaker },
        (None, Some(speaker)) => SideInput::Label(speaker),
        (None, None) => SideInput::Missing,
    };
    collector.cue(
        loc,
        Draft {
            side,
            start: utterance.start,
            stop: utterance.stop,
            text: Ok(text),
        },
    );
}

/// One JSON document, or JSON Lines (one document a line): each with its line.
pub fn documents(text: &str, collector: &mut Collector) -> Option<Vec<(usize, Value)>> {
    if let Ok(value) = serde_json::from_str::<Value>(text) {
        return Some(vec![(1, value)]);
    }
    let lines: Vec<(usize, &str)> = text
        .split('\n')
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty())
        .map(|(i, l)| (i + 1, l))
        .collect();
    if lines.len() > 1 {
        let mut values = Vec::with_capacity(lines.len());
        for (line, raw) in lines {
            match serde_json::from_str::<Value>(raw) {
                Ok(value) => values.push((line, value)),
                Err(error) => {
                    collector.problem(Loc::Line(line), format!("invalid JSON Lines: {error}"));
                    return None;
                }
            }
        }
        return Some(values);
    }
    parse_value(text, collector).map(|v| vec![(1, v)])
}

pub fn get<'v>(value: &'v Value, path: &[&str]) -> Option<&'v Value> {
    path.iter().try_fold(value, |v, key| v.get(key))
}

pub fn array<'v>(value: &'v Value, path: &[&str]) -> Option<&'v Vec<Value>> {
    get(value, path).and_then(Value::as_array)
}

/// A string or a number as text (`"1"`, `1`, `"spk_0"`).
pub fn label(value: Option<&Value>) -> Option<String> {
    match value? {
        Value::String(s) if !s.trim().is_empty() => Some(s.trim().to_string()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

pub fn text_of(value: Option<&Value>) -> String {
    value.and_then(Value::as_str).unwrap_or("").to_string()
}

/// Seconds as a number, `"1.5"` or `"1.300s"`.
pub fn seconds(value: Option<&Value>, field: &str) -> Result<Time, String> {
    match value {
        None | Some(Value::Null) => Err(format!("missing {field}")),
        Some(Value::Number(n)) => {
            time::from_json_number(n).map_err(|_| format!("{field} {n} is not a time in seconds"))
        }
        Some(Value::String(s)) => {
            let bare = s.trim().strip_suffix('s').unwrap_or(s.trim());
            time::parse_decimal(bare)
                .map_err(|_| format!("{field} `{}` is not a time in seconds", snippet(s)))
        }
        Some(other) => Err(format!(
            "{field} must be seconds, got {}",
            snippet(&other.to_string())
        )),
    }
}

/// Whole milliseconds as a number or a numeric string.
pub fn millis(value: Option<&Value>, field: &str) -> Result<Time, String> {
    let ms = match value {
        None | Some(Value::Null) => return Err(format!("missing {field}")),
        Some(Value::Number(n)) => n.as_u64().or_else(|| {
            n.as_f64()
                .filter(|f| f.is_finite() && *f >= 0.0)
                .map(|f| f.round() as u64)
        }),
        Some(Value::String(s)) => s.trim().parse::<u64>().ok(),
        Some(_) => None,
    };
    ms.map(Time::from_millis)
        .ok_or_else(|| format!("{field} is not a whole number of milliseconds"))
}

/// Groups word-level results into runs of one speaker (and channel): engines
/// that give only words still send phrases, not words.
pub struct Run {
    pub first: usize,
    pub start: Result<Time, String>,
    pub stop: Result<Time, String>,
    pub words: Vec<String>,
    pub speaker: Option<String>,
    pub channel: Option<String>,
}

pub fn runs(words: impl Iterator<Item = Run>) -> Vec<Run> {
    let mut out: Vec<Run> = Vec::new();
    for word in words {
        match out.last_mut() {
            Some(run) if run.speaker == word.speaker && run.channel == word.channel => {
                run.stop = word.stop;
                run.words.extend(word.words);
            }
            _ => out.push(word),
        }
    }
    out
}

pub fn emit_runs(collector: &mut Collector, array: &'static str, runs: Vec<Run>) {
    for run in runs {
        let text = join_words(&run.words);
        emit(
            collector,
            Loc::Item(array, run.first + 1),
            Utterance {
                start: run.start,
                stop: run.stop,
                text,
                speaker: run.speaker,
                channel: run.channel,
            },
        );
    }
}

/// Joins words with spaces, with punctuation tokens glued to the word before.
pub fn join_words(words: &[String]) -> String {
    let mut out = String::new();
    for word in words {
        let glue = word.starts_with(['.', ',', '!', '?', ';', ':', '…']);
        if !out.is_empty() && !glue {
            out.push(' ');
        }
        out.push_str(word.trim());
    }
    out
}
