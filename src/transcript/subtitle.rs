//! The block structure SubRip and WebVTT share: an optional identifier line, a
//! timing line `start --> stop [settings]`, text lines, a blank line. One pass over
//! the lines; a timing line inside a cue's text starts the next cue (files that
//! lost their blank lines still read).

use super::collect::{snippet, Collector, Draft, Loc, SideInput};
use super::text;
use super::time::{parse_timestamp, Time};

/// One cue's raw text lines, the line of its timing, and its times.
pub struct Cue<'a> {
    pub line: usize,
    pub start: Time,
    pub stop: Time,
    pub lines: &'a [&'a str],
}

/// What a cue's text says once markup is gone: an optional speaker and the text.
pub struct CueText {
    pub speaker: Option<String>,
    pub text: String,
}

/// Walks `lines` from index `from`. `skip_block` says whether a block is one to
/// ignore (WebVTT's NOTE, STYLE, REGION); `cue_text` turns raw lines into text.
pub fn walk(
    lines: &[&str],
    from: usize,
    collector: &mut Collector,
    skip_block: fn(&str) -> bool,
    cue_text: fn(&[&str]) -> CueText,
) {
    let mut i = from;
    while let Some(&line) = lines.get(i) {
        if text::is_blank(line) {
            i += 1;
            continue;
        }
        if skip_block(line) {
            i = block_end(lines, i);
            continue;
        }
        let timing_at = if line.contains("-->") {
            i
        } else if lines.get(i + 1).is_some_and(|next| next.contains("-->")) {
            i + 1
        } else {
            collector.problem(
                Loc::Line(i + 1),
                format!(
                    "expected a cue (a timing line like `00:00:01,000 --> 00:00:04,000`), \
                     found `{}`",
                    snippet(line.trim())
                ),
            );
            i = block_end(lines, i);
            continue;
        };
        let timing_line = lines.get(timing_at).copied().unwrap_or("");
        let Some((start, stop)) = parse_timing(timing_line) else {
            collector.problem(
                Loc::Line(timing_at + 1),
                format!(
                    "bad timing line `{}`: expected `00:00:01,000 --> 00:00:04,000`",
                    snippet(timing_line.trim())
                ),
            );
            i = block_end(lines, timing_at + 1);
            continue;
        };
        let text_from = timing_at + 1;
        let mut end = text_from;
        while let Some(&text_line) = lines.get(end) {
            if text::is_blank(text_line)
                || (text_line.contains("-->") && parse_timing(text_line).is_some())
            {
                break;
            }
            end += 1;
        }
        let next_cue_follows = lines.get(end).is_some_and(|l| !text::is_blank(l));
        if next_cue_follows && end > text_from && lines.get(end - 1).is_some_and(|l| is_index(l)) {
            end -= 1;
        }
        let cue = Cue {
            line: timing_at + 1,
            start,
            stop,
            lines: lines.get(text_from..end).unwrap_or(&[]),
        };
        emit(collector, cue, cue_text);
        i = end;
    }
}

fn emit(collector: &mut Collector, cue: Cue, cue_text: fn(&[&str]) -> CueText) {
    let CueText { speaker, text } = cue_text(cue.lines);
    if text.trim().is_empty() {
        collector.skip_empty();
        return;
    }
    let side = match speaker {
        Some(label) => SideInput::Label(label),
        None => SideInput::Missing,
    };
    let draft = Draft {
        side,
        start: Ok(cue.start),
        stop: Ok(cue.stop),
        text: Ok(text),
    };
    collector.cue(Loc::Line(cue.line), draft);
}

/// `00:00:01,000 --> 00:00:04,000 [settings or coordinates]`.
pub fn parse_timing(line: &str) -> Option<(Time, Time)> {
    let (left, right) = line.split_once("-->")?;
    let start = parse_timestamp(left)?;
    let stop = parse_timestamp(right.split_whitespace().next()?)?;
    Some((start, stop))
}

/// The index just past the block that starts at `from` (at its blank line or the end).
fn block_end(lines: &[&str], from: usize) -> usize {
    let mut i = from;
    while lines.get(i).is_some_and(|line| !text::is_blank(line)) {
        i += 1;
    }
    i
}

fn is_index(line: &str) -> bool {
    let line = line.trim();
    !line.is_empty() && line.bytes().all(|b| b.is_ascii_digit())
}

/// Joins cue lines with single spaces after `clean` has taken markup out of each.
pub fn join_cue(lines: &[&str], mut clean: impl FnMut(&str) -> String) -> String {
    let mut joined = String::new();
    for line in lines {
        text::push_joined(&mut joined, &clean(line));
    }
    joined
}

/// Takes a `Label: text` prefix as the speaker.
pub fn labelled(text: String) -> CueText {
    match text::split_label(&text) {
        Some((label, rest)) => CueText {
            speaker: Some(label.to_string()),
            text: rest.to_string(),
        },
        None => CueText {
            speaker: None,
            text,
        },
    }
}
