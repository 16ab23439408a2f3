//! Azure AI Speech batch transcription result: `recognizedPhrases[]` with
//! `offsetInTicks`/`durationInTicks` (100 ns) or `offset`/`duration` (ISO 8601,
//! `PT1.59S`), `channel`, `speaker` (with diarization), `nBest[0].display`.

use serde_json::Value;

use super::collect::{Collector, Loc};
use super::speech::{self, array, label, text_of, Utterance};
use super::time::Time;

pub fn looks_like(value: &Value) -> bool {
    array(value, &["recognizedPhrases"]).is_some()
}

fn ticks(value: Option<&Value>) -> Option<u64> {
    match value? {
        Value::Number(n) => n
            .as_u64()
            .or_else(|| n.as_f64().filter(|f| *f >= 0.0).map(|f| f as u64)),
        Value::String(s) => s.parse().ok(),
        _ => None,
    }
}

/// `PT1H2M3.5S` as 100 ns ticks.
fn iso_ticks(value: Option<&Value>) -> Option<u64> {
    let text = value?.as_str()?.strip_prefix("PT")?;
    let mut total = 0f64;
    let mut number = String::new();
    for c in text.chars() {
        match c {
            '0'..='9' | '.' => number.push(c),
            'H' | 'M' | 'S' => {
                let n: f64 = number.parse().ok()?;
                number.clear();
                total += n * match c {
                    'H' => 3600.0,
                    'M' => 60.0,
                    _ => 1.0,
                };
            }
            _ => return None,
        }
    }
    (number.is_empty() && total.is_finite()).then_some((total * 10_000_000.0).round() as u64)
}

fn time(ticks: u64) -> Time {
    Time::from_ticks(ticks)
}

pub fn parse(text: &str, collector: &mut Collector) {
    let Some(value) = super::json::parse_value(text, collector) else {
        return;
    };
    let Some(phrases) = array(&value, &["recognizedPhrases"]) else {
        return;
    };
    for (index, phrase) in phrases.iter().enumerate() {
        let loc = Loc::Item("recognizedPhrases", index + 1);
        if phrase
            .get("recognitionStatus")
            .and_then(Value::as_str)
            .is_some_and(|s| s != "Success")
        {
            continue;
        }
        let offset = ticks(phrase.get("offsetInTicks")).or_else(|| iso_ticks(phrase.get("offset")));
        let duration =
            ticks(phrase.get("durationInTicks")).or_else(|| iso_ticks(phrase.get("duration")));
        let start = offset
            .map(time)
            .ok_or_else(|| "missing offsetInTicks or offset".to_string());
        let stop = match (offset, duration) {
            (Some(o), Some(d)) => Ok(time(o.saturating_add(d))),
            _ => Err("missing durationInTicks or duration".to_string()),
        };
        let best = array(phrase, &["nBest"]).and_then(|n| n.first());
        let utterance = Utterance {
            start,
            stop,
            text: text_of(best.and_then(|b| b.get("display"))),
            speaker: label(phrase.get("speaker")),
            channel: label(phrase.get("channel")),
        };
        speech::emit(collector, loc, utterance);
    }
}
