//! Where every parser's cues end up: each is resolved to a side, rounded and checked
//! against the contract's table as it arrives, so one pass reports every violation
//! in input order.

use std::collections::HashMap;

use super::time::{Time, TimeError, MAX_SECONDS};
use super::{Message, Problem, Speakers, Transcript};

/// How many cues without a side are reported one by one before the rest are counted.
const NO_SIDE_SHOWN: usize = 20;
/// How many unmapped labels the fix lists before the rest are counted.
const LABELS_SHOWN: usize = 20;

/// Where a cue is, formatted only when something is wrong with it.
#[derive(Debug, Clone, Copy)]
pub enum Loc {
    /// A line of the source, from 1.
    Line(usize),
    /// An element of a JSON array (`messages`, `segments`), from 1.
    Item(&'static str, usize),
    /// The n-th `--message` flag, from 1.
    Flag(usize),
    /// A whisper segment, numbered from 0 as whisper itself numbers them.
    Segment(usize),
}

/// What the input said about a cue's side.
#[derive(Debug)]
pub enum SideInput {
    Missing,
    Label(String),
    /// Not a usable value at all (e.g. a JSON number); the text says why.
    Invalid(String),
    /// A speech engine's channel (as the file writes it, `ch_0` as `0`), and the
    /// speaker it also named, if any: `--channel` first, then the speaker.
    Channel {
        channel: String,
        speaker: Option<String>,
    },
}

/// One cue as a parser read it, before resolution and checks.
#[derive(Debug)]
pub struct Draft {
    pub side: SideInput,
    pub start: Result<Time, String>,
    pub stop: Result<Time, String>,
    pub text: Result<String, String>,
}

/// Per-format words for messages.
#[derive(Debug, Clone, Copy)]
pub struct Wording {
    /// What one entry is called: "cue", "row", "message", "segment".
    pub item: &'static str,
    /// The problem for an entry that names no side when there is no default.
    pub no_side: &'static str,
}

pub struct Collector<'s> {
    name: String,
    wording: Wording,
    speakers: &'s Speakers,
    messages: Vec<Message>,
    problems: Vec<Problem>,
    /// Lower-cased label -> the spelling first seen.
    unmapped: HashMap<String, String>,
    /// Channels no `--channel` maps, and where the first was.
    unmapped_channels: std::collections::BTreeSet<String>,
    channels_at: Option<(usize, String)>,
    /// Where the unmapped-labels problem goes: index in `problems` and its place.
    unmapped_at: Option<(usize, String)>,
    without_side: usize,
    skipped_empty: usize,
    widened: usize,
    folded: usize,
    /// Places of skipped and widened cues, for `-v`.
    details: Vec<String>,
}

impl<'s> Collector<'s> {
    pub fn new(name: String, wording: Wording, speakers: &'s Speakers) -> Self {
        Collector {
            name,
            wording,
            speakers,
            messages: Vec::new(),
            problems: Vec::new(),
            unmapped: HashMap::new(),
            unmapped_channels: std::collections::BTreeSet::new(),
            channels_at: None,
            unmapped_at: None,
            without_side: 0,
            skipped_empty: 0,
            widened: 0,
            folded: 0,
            details: Vec::new(),
        }
    }

    pub fn place(&self, loc: Loc) -> String {
        match loc {
            Loc::Line(line) => format!("{}:{line}", self.name),
            Loc::Item(array, index) => format!("{}: {array}[{index}]", self.name),
            Loc::Flag(index) => format!("--message #{index}"),
            Loc::Segment(index) => format!(
                "{}: segment {index} (counted from 0, as whisper numbers them)",
                self.name
            ),
        }
    }

    pub fn problem(&mut self, loc: Loc, message: impl Into<String>) {
        let place = self.place(loc);
        self.problems.push(Problem {
            place,
            message: message.into(),
        });
    }

    /// A problem about the whole source rather than one place in it.
    pub fn problem_in_source(&mut self, message: impl Into<String>) {
        self.problems.push(Problem {
            place: self.name.clone(),
            message: message.into(),
        });
    }

    /// A cue with no text: not an error, but worth a note (its place under `-v`).
    pub fn skip_empty(&mut self, loc: Loc) {
        self.skipped_empty += 1;
        let place = self.place(loc);
        self.details
            .push(format!("{place}: empty {} skipped", self.wording.item));
    }

    /// Rolling or karaoke cues that repeated text already sent.
    pub fn folded(&mut self, count: usize) {
        self.folded += count;
    }

    /// Whether a label maps to a side (explicitly or as `User`/`Client`).
    pub fn resolves(&self, label: &str) -> bool {
        self.speakers.mapped(label).is_some()
    }

    pub fn cue(&mut self, loc: Loc, draft: Draft) {
        let before = self.problems.len();
        let side = self.side(loc, draft.side);
        let start = match draft.start {
            Ok(time) if time.floor() > MAX_SECONDS => {
                self.problem(loc, too_large("START_TIME", time));
                None
            }
            Ok(time) => Some(time),
            Err(message) => {
                self.problem(loc, message);
                None
            }
        };
        let zero_length = matches!((&start, &draft.stop), (Some(a), Ok(b)) if a == b);
        if zero_length {
            self.widened += 1;
            let place = self.place(loc);
            self.details.push(format!(
                "{place}: zero-length {} widened to 1 s",
                self.wording.item
            ));
        }
        let stop = match draft.stop {
            Ok(_) if zero_length => start.map(|s| Time::from_secs(s.floor().saturating_add(1))),
            Ok(time) if time.ceil() > MAX_SECONDS => {
                self.problem(loc, too_large("STOP_TIME", time));
                None
            }
            Ok(time) if time.ceil() == 0 => {
                self.problem(
                    loc,
                    format!(
                        "STOP_TIME must be at least 1 second (this {} ends at 0)",
                        self.wording.item
                    ),
                );
                None
            }
            Ok(time) => Some(time),
            Err(message) => {
                self.problem(loc, message);
                None
            }
        };
        if let (Some(start), Some(stop)) = (start, stop) {
            if stop < start {
                self.problem(
                    loc,
                    format!("STOP_TIME ({stop} s) is before START_TIME ({start} s)"),
                );
            }
        }
        let text = match draft.text {
            Ok(text) if text.trim().is_empty() => {
                self.problem(loc, "MESSAGE is empty");
                None
            }
            Ok(text) => Some(trimmed(text)),
            Err(message) => {
                self.problem(loc, message);
                None
            }
        };
        if let (Some(side), Some(start), Some(stop), Some(text), true) =
            (side, start, stop, text, self.problems.len() == before)
        {
            self.messages.push(Message {
                side,
                start: start.floor(),
                stop: stop.ceil(),
                text,
            });
        }
    }

    fn side(&mut self, loc: Loc, input: SideInput) -> Option<super::Side> {
        let input = match input {
            SideInput::Channel { channel, speaker } => {
                if let Some(side) = self.speakers.channel(&channel) {
                    return Some(side);
                }
                match speaker {
                    Some(speaker) => SideInput::Label(speaker),
                    None if self.speakers.default_side().is_some() => SideInput::Missing,
                    None => {
                        if self.channels_at.is_none() {
                            self.channels_at = Some((self.problems.len(), self.place(loc)));
                        }
                        self.unmapped_channels.insert(channel);
                        return None;
                    }
                }
            }
            input => input,
        };
        match input {
            SideInput::Label(label) if !label.trim().is_empty() => {
                let label = label.trim();
                if let Some(side) = self.speakers.resolve(label) {
                    return Some(side);
                }
                if self.unmapped_at.is_none() {
                    self.unmapped_at = Some((self.problems.len(), self.place(loc)));
                }
                self.unmapped
                    .entry(label.to_lowercase())
                    .or_insert_with(|| label.to_string());
                None
            }
            SideInput::Invalid(message) => {
                self.problem(loc, message);
                None
            }
            SideInput::Missing | SideInput::Label(_) | SideInput::Channel { .. } => {
                if let Some(side) = self.speakers.default_side() {
                    return Some(side);
                }
                self.without_side += 1;
                if self.without_side <= NO_SIDE_SHOWN {
                    self.problem(loc, self.wording.no_side);
                }
                None
            }
        }
    }

    pub fn finish(mut self) -> Result<Transcript, Vec<Problem>> {
        if let Some((index, place)) = self.channels_at.take() {
            let list: Vec<&str> = self.unmapped_channels.iter().map(String::as_str).collect();
            let fix: Vec<String> = list
                .iter()
                .enumerate()
                .map(|(i, c)| {
                    let side = if i % 2 == 0 { "User" } else { "Client" };
                    format!("--channel {c}={side}")
                })
                .collect();
            let problem = Problem {
                place,
                message: format!(
                    "channels without a side: {}; map them with {} (or pass --default-side)",
                    list.join(", "),
                    fix.join(" ")
                ),
            };
            let index = index.min(self.problems.len());
            self.problems.insert(index, problem);
        }
        if let Some((index, place)) = self.unmapped_at.take() {
            let problem = Problem {
                place,
                message: unmapped_message(&self.unmapped),
            };
            let index = index.min(self.problems.len());
            self.problems.insert(index, problem);
        }
        if self.without_side > NO_SIDE_SHOWN {
            let more = self.without_side - NO_SIDE_SHOWN;
            let item = plural(self.wording.item, more);
            self.problem_in_source(format!("... and {more} more {item} without a side"));
        }
        let skipped = (self.skipped_empty > 0).then(|| {
            let item = plural(self.wording.item, self.skipped_empty);
            format!("{} empty {item} skipped", self.skipped_empty)
        });
        let mut notes: Vec<String> = skipped
            .iter()
            .map(|skipped| format!("{}: {skipped}", self.name))
            .collect();
        if self.widened > 0 {
            let item = plural(self.wording.item, self.widened);
            notes.push(format!(
                "{}: {} zero-length {item} widened to 1 s",
                self.name, self.widened
            ));
        }
        if self.folded > 0 {
            let item = plural(self.wording.item, self.folded);
            notes.push(format!(
                "{}: {} rolling or karaoke {item} folded into the phrase they repeat",
                self.name, self.folded
            ));
        }
        if self.messages.is_empty() && self.problems.is_empty() {
            let message = match &skipped {
                Some(skipped) => format!("no messages ({skipped})"),
                None => "no messages".to_string(),
            };
            self.problem_in_source(message);
        }
        if !self.problems.is_empty() {
            return Err(self.problems);
        }
        Ok(Transcript {
            messages: self.messages,
            notes,
            details: self.details,
            folded: self.folded,
        })
    }
}

/// The message for a time that could not be read, in the contract's field names.
pub fn time_error(field: &str, raw: &str, error: TimeError) -> String {
    let raw = snippet(raw.trim());
    match error {
        TimeError::NotANumber => format!("{field} `{raw}` is not a number of seconds"),
        TimeError::Negative => format!("{field} {raw} is negative"),
        TimeError::TooLarge => {
            format!("{field} {raw} is too large (at most {MAX_SECONDS} seconds)")
        }
    }
}

fn too_large(field: &str, time: Time) -> String {
    format!("{field} {time} is too large (at most {MAX_SECONDS} seconds)")
}

fn unmapped_message(unmapped: &HashMap<String, String>) -> String {
    let mut labels: Vec<(&String, &String)> = unmapped.iter().collect();
    labels.sort();
    let shown: Vec<&str> = labels
        .iter()
        .take(LABELS_SHOWN)
        .map(|(_, label)| label.as_str())
        .collect();
    let fix: Vec<String> = shown
        .iter()
        .enumerate()
        .map(|(i, label)| {
            let side = if i % 2 == 0 { "User" } else { "Client" };
            format!("--speaker {}", shell_word(&format!("{label}={side}")))
        })
        .collect();
    let mut list = shown.join(", ");
    if labels.len() > LABELS_SHOWN {
        list.push_str(&format!(" and {} more", labels.len() - LABELS_SHOWN));
    }
    format!(
        "speaker labels without a side: {list}; map them with {}",
        fix.join(" ")
    )
}

/// Quotes a word for a POSIX shell when it needs it, so the suggested fix pastes.
fn shell_word(word: &str) -> String {
    let plain = word
        .chars()
        .all(|c| c.is_alphanumeric() || matches!(c, '_' | '-' | '.' | '=' | '/' | ':' | ','));
    if plain {
        word.to_string()
    } else {
        format!("'{}'", word.replace('\'', r"'\''"))
    }
}

fn plural(item: &str, count: usize) -> String {
    if count == 1 {
        item.to_string()
    } else {
        format!("{item}s")
    }
}

fn trimmed(text: String) -> String {
    let trimmed = text.trim();
    if trimmed.len() == text.len() {
        text
    } else {
        trimmed.to_string()
    }
}

/// A short, char-safe excerpt of input for a message.
pub fn snippet(text: &str) -> String {
    const MAX_CHARS: usize = 40;
    match text.char_indices().nth(MAX_CHARS) {
        Some((at, _)) => format!("{}...", text.get(..at).unwrap_or("")),
        None => text.to_string(),
    }
}
