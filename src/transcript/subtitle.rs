//! The block structure SubRip and WebVTT share: an optional identifier line, a
//! timing line `start --> stop [settings]`, text lines, a blank line. One pass over
//! the lines gathers the cues (a timing line inside a cue's text starts the next
//! cue, so files that lost their blank lines still read); a second pass folds
//! rolling and karaoke repeats, settles which `Label:` prefixes are speakers, and
//! hands the messages to the collector.

use std::collections::HashMap;

use super::collect::{snippet, Collector, Draft, Loc, SideInput};
use super::text;
use super::time::{parse_timestamp, Time};

/// How a format reads its cues.
pub struct Rules {
    /// A block to ignore (WebVTT's NOTE, STYLE, REGION).
    pub skip_block: fn(&str) -> bool,
    /// A line that ends a cue (SubRip: any blank line; WebVTT: an empty one, so
    /// YouTube's lines holding one space stay inside their cue).
    pub ends_cue: fn(&str) -> bool,
    /// Turns one raw line into text; a voice annotation goes to the `Option`.
    pub clean: fn(&str, &mut Option<String>) -> String,
}

/// One cue after cleaning: its clean, non-empty lines and a voice, if any.
struct Cue {
    line: usize,
    start: Time,
    stop: Time,
    lines: Vec<String>,
    voice: Option<String>,
}

/// What the walk finds, in input order.
enum Event {
    Cue(Cue),
    Problem(Loc, String),
}

/// Walks `lines` from index `from` and sends every cue to `collector`. Two passes
/// over the lines, each holding one cue at a time: the first counts the `Word:`
/// prefixes (a speaker only if it recurs), the second sends the messages, so a
/// million-cue file costs its messages and no copy of its cues.
pub fn read(lines: &[&str], from: usize, collector: &mut Collector, rules: &Rules) {
    let mut counts: HashMap<String, usize> = HashMap::new();
    walk(lines, from, rules, &mut |event| {
        if let Event::Cue(cue) = event {
            for piece in pieces(&cue) {
                if let Some(Label::Maybe(label)) = piece.label {
                    *counts.entry(label.to_lowercase()).or_default() += 1;
                }
            }
        }
    });
    let mut emitter = Emitter {
        counts,
        carried: None,
    };
    let folded = walk(lines, from, rules, &mut |event| match event {
        Event::Cue(cue) => emitter.emit(cue, collector),
        Event::Problem(loc, message) => collector.problem(loc, message),
    });
    collector.folded(folded);
}

/// One pass: cues as they end, folded; returns how many cues were folded away.
fn walk(lines: &[&str], from: usize, rules: &Rules, out: &mut dyn FnMut(Event)) -> usize {
    let mut fold = Fold::default();
    let mut i = from;
    while let Some(&line) = lines.get(i) {
        if text::is_blank(line) {
            i += 1;
            continue;
        }
        if (rules.skip_block)(line) {
            i = block_end(lines, i);
            continue;
        }
        let timing_at = if line.contains("-->") {
            i
        } else if lines.get(i + 1).is_some_and(|next| next.contains("-->")) {
            i + 1
        } else {
            fold.flush(out);
            out(Event::Problem(
                Loc::Line(i + 1),
                format!(
                    "expected a cue (a timing line like `00:00:01,000 --> 00:00:04,000`), \
                     found `{}`",
                    snippet(line.trim())
                ),
            ));
            i = block_end(lines, i);
            continue;
        };
        let timing_line = lines.get(timing_at).copied().unwrap_or("");
        let Some((start, stop)) = parse_timing(timing_line) else {
            fold.flush(out);
            out(Event::Problem(
                Loc::Line(timing_at + 1),
                format!(
                    "bad timing line `{}`: expected `00:00:01,000 --> 00:00:04,000` \
                     (hours:minutes:seconds,milliseconds; minutes and seconds below 60)",
                    snippet(timing_line.trim())
                ),
            ));
            i = block_end(lines, timing_at + 1);
            continue;
        };
        let text_from = timing_at + 1;
        let mut end = text_from;
        while let Some(&text_line) = lines.get(end) {
            if (rules.ends_cue)(text_line)
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
        let mut voice = None;
        let mut clean_lines = Vec::new();
        for raw in lines.get(text_from..end).unwrap_or(&[]) {
            for piece in text::split_breaks(raw) {
                let ruby_free = text::drop_ruby_readings(&piece);
                let cleaned = (rules.clean)(&ruby_free, &mut voice);
                let collapsed = collapse(&cleaned);
                if !collapsed.is_empty() {
                    clean_lines.push(collapsed);
                }
            }
        }
        fold.push(
            Cue {
                line: timing_at + 1,
                start,
                stop,
                lines: clean_lines,
                voice,
            },
            out,
        );
        i = end;
    }
    fold.flush(out);
    fold.folded
}

/// Collapses runs of whitespace (including no-break spaces) to one space.
fn collapse(line: &str) -> String {
    let mut out = String::with_capacity(line.len());
    for word in line.split_whitespace() {
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(word);
    }
    out
}

/// Rolling captions (YouTube) repeat the previous cue's last line as their first;
/// karaoke captions (whisper `--highlight_words`, stable-ts) repeat the whole text
/// with one word highlighted. Both are folded into the phrase they repeat: the
/// repeated lines go, a cue left with nothing new widens the phrase it repeats.
/// A cue whose text grows the previous one (`a b` then `a b c`) replaces it.
/// Only the cue before is held, so the walk stays one cue deep.
#[derive(Default)]
struct Fold {
    pending: Option<Cue>,
    /// The lines the previous cue showed, when some were removed from `pending`.
    shown: Option<Vec<String>>,
    folded: usize,
}

impl Fold {
    fn push(&mut self, mut cue: Cue, out: &mut dyn FnMut(Event)) {
        if let Some(previous) = self
            .pending
            .as_mut()
            .filter(|p| p.voice == cue.voice && !cue.lines.is_empty() && cue.start <= p.stop)
        {
            let shown = self.shown.as_ref().unwrap_or(&previous.lines);
            // Lines repeated from the top of this cue.
            let overlap = (1..=shown.len().min(cue.lines.len()))
                .rev()
                .find(|&k| shown.get(shown.len() - k..) == cue.lines.get(..k))
                .unwrap_or(0);
            if overlap > 0 {
                let showing = cue.lines.clone();
                cue.lines.drain(..overlap);
                if cue.lines.is_empty() {
                    previous.stop = previous.stop.max(cue.stop);
                    self.folded += 1;
                    self.shown = Some(showing);
                    return;
                }
                self.flush(out);
                self.pending = Some(cue);
                self.shown = Some(showing);
                return;
            }
            if grows(&previous.lines, &cue.lines) {
                previous.lines = std::mem::take(&mut cue.lines);
                previous.stop = previous.stop.max(cue.stop);
                self.folded += 1;
                self.shown = None;
                return;
            }
        }
        self.flush(out);
        self.pending = Some(cue);
    }

    fn flush(&mut self, out: &mut dyn FnMut(Event)) {
        self.shown = None;
        if let Some(cue) = self.pending.take() {
            out(Event::Cue(cue));
        }
    }
}

/// Whether `next` is `previous` with words added at the end.
fn grows(previous: &[String], next: &[String]) -> bool {
    if previous.is_empty() {
        return false;
    }
    let before = previous.join(" ");
    let after = next.join(" ");
    after.len() > before.len()
        && after.starts_with(&before)
        && after
            .get(before.len()..)
            .is_some_and(|rest| rest.starts_with(' '))
}

/// A speaker found at the start of a piece of cue text.
enum Label {
    /// Always a speaker: a voice tag, `[SPEAKER_00]:`, `[speaker 0]`, `>> Name:`.
    Sure(String),
    /// `Word:` (or `[Word]`): a speaker only when mapped, `User`/`Client`, or
    /// recurring as a prefix across the file. Keeps the text it came with.
    Maybe(String),
}

struct Piece {
    label: Option<Label>,
    /// The text without the label.
    text: String,
    /// The text as written (for a `Maybe` label that turns out to be text).
    whole: String,
}

struct Emitter {
    counts: HashMap<String, usize>,
    /// deepgram-captions writes `[speaker N]` on its own line only when the speaker
    /// changes: the cues after it, unlabelled, are still that speaker's.
    carried: Option<String>,
}

impl Emitter {
    fn emit(&mut self, cue: Cue, collector: &mut Collector) {
        let loc = Loc::Line(cue.line);
        if cue.lines.is_empty() {
            collector.skip_empty(loc);
            return;
        }
        let alone = cue
            .lines
            .first()
            .and_then(|line| line.strip_prefix('['))
            .and_then(|line| line.strip_suffix(']'))
            .filter(|label| is_diarized(label))
            .map(str::to_string);
        if alone.is_some() {
            self.carried = alone;
        }
        for piece in pieces(&cue) {
            let (side, text) = match piece.label {
                Some(Label::Sure(label)) => (SideInput::Label(label), piece.text),
                Some(Label::Maybe(label)) => {
                    let recurs = self
                        .counts
                        .get(&label.to_lowercase())
                        .is_some_and(|&n| n > 1);
                    if recurs || collector.resolves(&label) {
                        (SideInput::Label(label), piece.text)
                    } else {
                        (SideInput::Missing, piece.whole)
                    }
                }
                None => match &self.carried {
                    Some(label) => (SideInput::Label(label.clone()), piece.text),
                    None => (SideInput::Missing, piece.text),
                },
            };
            if text.trim().is_empty() {
                collector.skip_empty(loc);
                continue;
            }
            let draft = Draft {
                side,
                start: Ok(cue.start),
                stop: Ok(cue.stop),
                text: Ok(text),
            };
            collector.cue(loc, draft);
        }
    }
}

/// A cue's text as one piece, or one piece per `- ` dialogue line when every line
/// starts with a dash and every line carries a label.
fn pieces(cue: &Cue) -> Vec<Piece> {
    if let Some(voice) = &cue.voice {
        let text = cue.lines.join(" ");
        return vec![Piece {
            label: Some(Label::Sure(voice.clone())),
            whole: text.clone(),
            text,
        }];
    }
    let dialogue: Option<Vec<&str>> = (cue.lines.len() > 1)
        .then(|| cue.lines.iter().map(|l| dash_line(l)).collect())
        .flatten();
    if let Some(lines) = dialogue {
        let split: Vec<Piece> = lines.iter().map(|line| piece(line)).collect();
        if split.iter().all(|p| p.label.is_some()) {
            return split;
        }
        return vec![piece(&lines.join(" "))];
    }
    vec![piece(&cue.lines.join(" "))]
}

/// `- text` (or `-text`, `– text`) without the dash.
fn dash_line(line: &str) -> Option<&str> {
    let rest = line
        .strip_prefix('-')
        .or_else(|| line.strip_prefix('–'))
        .or_else(|| line.strip_prefix('—'))?;
    (!rest.starts_with('-')).then(|| rest.trim_start())
}

fn piece(text: &str) -> Piece {
    let whole = text.to_string();
    let make = |label: Option<Label>, rest: &str| Piece {
        label,
        text: rest.trim().to_string(),
        whole: whole.clone(),
    };
    // `>> Name: text` / `>> text`: a change of speaker, named or not.
    if let Some(rest) = text.strip_prefix(">>") {
        let rest = rest.trim_start();
        return match text::split_label(rest) {
            Some((label, after)) => make(Some(Label::Sure(label.to_string())), after),
            None => Piece {
                label: None,
                text: rest.to_string(),
                whole: rest.to_string(),
            },
        };
    }
    if let Some(rest) = text.strip_prefix('[') {
        if let Some(close) = rest.char_indices().take(41).find(|&(_, c)| c == ']') {
            let label = rest.get(..close.0).unwrap_or("").trim();
            let after = rest.get(close.0 + 1..).unwrap_or("");
            if !label.is_empty() {
                if let Some(after) = after.strip_prefix(':') {
                    return make(Some(Label::Sure(label.to_string())), after);
                }
                if after.is_empty() || after.starts_with(char::is_whitespace) {
                    let sure = is_diarized(label);
                    let label = label.to_string();
                    return if sure {
                        make(Some(Label::Sure(label)), after)
                    } else {
                        make(Some(Label::Maybe(label)), after)
                    };
                }
            }
        }
    }
    match text::split_label(text) {
        Some((label, rest)) => make(Some(Label::Maybe(label.to_string())), rest),
        None => make(None, text),
    }
}

/// `SPEAKER_00`, `speaker 0`, `Speaker 1`, `spk_0`: labels a diarizer writes.
fn is_diarized(label: &str) -> bool {
    let lower = label.to_ascii_lowercase();
    ["speaker_", "speaker ", "speaker", "spk_", "spk"]
        .iter()
        .any(|prefix| {
            lower
                .strip_prefix(prefix)
                .is_some_and(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()))
        })
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
