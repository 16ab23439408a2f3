//! Transcripts: the `Message`/`Side` model the API takes, one parser per input
//! format, and the contract's validation. Pure code: no HTTP, no printing.
//!
//! Every parser hands its cues to a `Collector`, which resolves speakers, rounds
//! times (START_TIME down, STOP_TIME up) and checks each rule, so a single run
//! reports every violation with its place.

mod assemblyai;
mod aws;
mod azure;
mod collect;
mod csv;
mod deepgram;
mod google;
mod json;
mod speech;
mod srt;
mod subtitle;
mod text;
mod time;
mod tsv;
mod vosk;
mod vtt;
mod whisper;
mod yandex;

#[cfg(test)]
mod fuzz_tests;
#[cfg(test)]
mod tests;

use std::collections::HashMap;
use std::fmt;
use std::str::FromStr;

use collect::{Collector, Draft, Loc, SideInput, Wording};

/// Who speaks: the portal's user (the employee) or the client. As a clap value
/// enum, give the argument `ignore_case = true`: the contract matches any case.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, clap::ValueEnum)]
pub enum Side {
    #[value(name = "User")]
    User,
    #[value(name = "Client")]
    Client,
}

impl Side {
    pub fn as_str(self) -> &'static str {
        match self {
            Side::User => "User",
            Side::Client => "Client",
        }
    }
}

impl FromStr for Side {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let s = s.trim();
        if s.eq_ignore_ascii_case("user") {
            Ok(Side::User)
        } else if s.eq_ignore_ascii_case("client") {
            Ok(Side::Client)
        } else {
            Err(format!("expected User or Client, got `{s}`"))
        }
    }
}

impl fmt::Display for Side {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The input format of a transcript file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum Format {
    /// By extension, else by content
    #[default]
    Auto,
    /// An array of messages, or {"messages": [...]}
    Json,
    /// A header row naming side, start, stop, message
    Csv,
    /// whisper / whisperX `.tsv`: start, end (integer milliseconds), text
    Tsv,
    /// SubRip subtitles
    Srt,
    /// WebVTT subtitles
    Vtt,
    /// openai-whisper / faster-whisper / whisperX / stable-ts JSON
    Whisper,
    /// Yandex SpeechKit v2 async result or v3 JSON / JSON Lines
    Yandex,
    /// Vosk recogniser results (JSON Lines or an array)
    Vosk,
    /// Deepgram pre-recorded response
    Deepgram,
    /// AssemblyAI transcript
    Assemblyai,
    /// AWS Transcribe output
    Aws,
    /// Google Speech-to-Text response
    Google,
    /// Azure batch transcription result
    Azure,
}

impl Format {
    pub fn as_str(self) -> &'static str {
        match self {
            Format::Auto => "auto",
            Format::Json => "json",
            Format::Csv => "csv",
            Format::Tsv => "tsv",
            Format::Srt => "srt",
            Format::Vtt => "vtt",
            Format::Whisper => "whisper",
            Format::Yandex => "yandex",
            Format::Vosk => "vosk",
            Format::Deepgram => "deepgram",
            Format::Assemblyai => "assemblyai",
            Format::Aws => "aws",
            Format::Google => "google",
            Format::Azure => "azure",
        }
    }
}

impl fmt::Display for Format {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The text encoding of a transcript file (`--encoding`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum Encoding {
    /// UTF-8 (BOM or not), or UTF-16 with a BOM
    #[default]
    Auto,
    #[value(name = "utf-8", alias = "utf8")]
    Utf8,
    /// UTF-16; the byte order from the BOM, else guessed
    #[value(name = "utf-16", alias = "utf16")]
    Utf16,
    /// Windows-1251 (Cyrillic)
    #[value(name = "cp1251", alias = "windows-1251")]
    Cp1251,
    #[value(name = "koi8-r", alias = "koi8r")]
    Koi8R,
}

/// The formats `--format auto` tries, in the words of its error.
const TRIED: &str = "json, whisper, yandex, vosk, deepgram, assemblyai, aws, google, azure, \
                     csv, tsv, srt, vtt";

/// One message as the API takes it: times are whole seconds from the call's start.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Message {
    pub side: Side,
    pub start: u64,
    pub stop: u64,
    pub text: String,
}

/// The element of `MESSAGES` in `telephony.call.attachTranscription`, serialised
/// straight from the message: a 100,000-message transcript builds no JSON tree.
impl serde::Serialize for Message {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let mut map = serializer.serialize_map(Some(4))?;
        map.serialize_entry("SIDE", self.side.as_str())?;
        map.serialize_entry("START_TIME", &self.start)?;
        map.serialize_entry("STOP_TIME", &self.stop)?;
        map.serialize_entry("MESSAGE", &self.text)?;
        map.end()
    }
}

impl Message {
    /// The element of `MESSAGES` as a JSON value.
    #[cfg(test)]
    pub fn to_api(&self) -> serde_json::Value {
        serde_json::to_value(self).expect("messages serialise")
    }
}

/// How speaker labels in the input map to sides (`--speaker`, `--default-side`).
#[derive(Debug, Clone, Default)]
pub struct Speakers {
    /// Lower-cased, trimmed label -> side.
    map: HashMap<String, Side>,
    default_side: Option<Side>,
    /// Channel as the file writes it (`0`, `1`) -> side.
    channels: HashMap<String, Side>,
    /// Every cue on this side, whatever it says (`--user-file`, `--client-file`).
    forced: Option<Side>,
}

impl Speakers {
    /// A later mapping of the same label (in any case) wins.
    pub fn new(map: Vec<(String, Side)>, default_side: Option<Side>) -> Self {
        let map = map
            .into_iter()
            .map(|(label, side)| (label.trim().to_lowercase(), side))
            .collect();
        Speakers {
            map,
            default_side,
            channels: HashMap::new(),
            forced: None,
        }
    }

    /// Every cue on `side`: one leg's transcript of a two-file call.
    pub fn forced(side: Side) -> Self {
        Speakers {
            forced: Some(side),
            ..Speakers::default()
        }
    }

    /// Adds `--channel N=SIDE` mappings.
    pub fn with_channels(mut self, channels: Vec<(String, Side)>) -> Self {
        self.channels = channels
            .into_iter()
            .map(|(n, side)| (n.trim().to_string(), side))
            .collect();
        self
    }

    /// The side `--channel` gives a channel.
    pub fn channel(&self, channel: &str) -> Option<Side> {
        self.forced
            .or_else(|| self.channels.get(channel.trim()).copied())
    }

    /// The side of a label: an explicit mapping first, then `User`/`Client` themselves.
    pub fn resolve(&self, label: &str) -> Option<Side> {
        self.forced.or_else(|| self.mapped(label))
    }

    /// The side a label names by itself or by `--speaker` (not by `forced`).
    pub fn mapped(&self, label: &str) -> Option<Side> {
        let label = label.trim();
        self.map
            .get(&label.to_lowercase())
            .copied()
            .or_else(|| label.parse().ok())
    }

    pub fn default_side(&self) -> Option<Side> {
        self.forced.or(self.default_side)
    }
}

/// Parses a `--speaker LABEL=User|Client` value (for clap's `value_parser`).
pub fn parse_speaker_flag(s: &str) -> Result<(String, Side), String> {
    let expected = "expected LABEL=User or LABEL=Client (e.g. SPEAKER_00=User)";
    let Some((label, side)) = s.rsplit_once('=') else {
        return Err(format!("{expected}, got `{s}`"));
    };
    let label = label.trim();
    if label.is_empty() {
        return Err(format!("{expected}: the label is empty in `{s}`"));
    }
    let side = side
        .parse::<Side>()
        .map_err(|_| format!("{expected}: `{}` is not User or Client", side.trim()))?;
    Ok((label.to_string(), side))
}

/// A short excerpt of a message for an error.
pub fn excerpt(text: &str) -> String {
    collect::snippet(text)
}

/// Parses a `--channel N=User|Client` value: N as the file writes it (`ch_0` is 0).
pub fn parse_channel_flag(s: &str) -> Result<(String, Side), String> {
    let expected = "expected N=User or N=Client (e.g. 0=User)";
    let Some((channel, side)) = s.rsplit_once('=') else {
        return Err(format!("{expected}, got `{s}`"));
    };
    let channel = channel.trim();
    let channel = channel.strip_prefix("ch_").unwrap_or(channel);
    if channel.is_empty() || !channel.bytes().all(|b| b.is_ascii_digit()) {
        return Err(format!("{expected}: `{channel}` is not a channel number"));
    }
    let side = side
        .parse::<Side>()
        .map_err(|_| format!("{expected}: `{}` is not User or Client", side.trim()))?;
    Ok((channel.to_string(), side))
}

/// Something wrong with the input, and where.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// `call.srt:12`, `call.json: messages[3]`, `--message #2`, or the source name.
    pub place: String,
    pub message: String,
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.place, self.message)
    }
}

/// A valid transcript, ready to send.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Transcript {
    pub messages: Vec<Message>,
    /// Harmless things worth a warning (e.g. `call.srt: 2 empty cues skipped`).
    pub notes: Vec<String>,
    /// The place of each skipped or widened cue, shown under `-v`.
    pub details: Vec<String>,
    /// How many rolling or karaoke cues were folded into the phrase they repeat.
    pub folded: usize,
}

/// Reads and validates a transcript. `source_name` is the path as the user gave it,
/// or `-` for stdin; it names places in problems and picks the format under `Auto`.
#[cfg(test)]
pub fn read(
    source_name: &str,
    bytes: &[u8],
    format: Format,
    speakers: &Speakers,
) -> Result<Transcript, Vec<Problem>> {
    read_as(source_name, bytes, format, Encoding::Auto, speakers)
}

/// [`read`] in a named encoding.
pub fn read_as(
    source_name: &str,
    bytes: &[u8],
    format: Format,
    encoding: Encoding,
    speakers: &Speakers,
) -> Result<Transcript, Vec<Problem>> {
    let name = display_name(source_name);
    let whole = |message: String| {
        vec![Problem {
            place: name.clone(),
            message,
        }]
    };
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Err(whole(if source_name == "-" {
            "is empty: pipe a transcript in, or pass --file PATH".into()
        } else {
            "the file is empty: there is no transcript to attach".into()
        }));
    }
    if format == Format::Auto {
        if let Some(refusal) = refused_extension(source_name) {
            return Err(whole(refusal));
        }
    }
    let text = text::decode_as(bytes, encoding).map_err(|error| {
        vec![Problem {
            place: format!("{name}:{}", error.line),
            message: error.message,
        }]
    })?;
    let format = match format {
        Format::Auto => detect_text(source_name, &text).ok_or_else(|| {
            whole(format!(
                "cannot tell the transcript's format (tried {TRIED}, by extension and \
                 by content); pass --format with one of them"
            ))
        })?,
        format => format,
    };
    let wording = wording(format);
    let mut collector = Collector::new(name, wording, speakers);
    match format {
        Format::Json => json::parse(&text, &mut collector),
        Format::Csv => csv::parse(&text, &mut collector, speakers.default_side().is_some()),
        Format::Tsv => tsv::parse(&text, &mut collector),
        Format::Srt => srt::parse(&text, &mut collector),
        Format::Vtt => vtt::parse(&text, &mut collector),
        Format::Whisper => whisper::parse(&text, &mut collector),
        Format::Yandex => yandex::parse(&text, &mut collector),
        Format::Vosk => vosk::parse(&text, &mut collector),
        Format::Deepgram => deepgram::parse(&text, &mut collector),
        Format::Assemblyai => assemblyai::parse(&text, &mut collector),
        Format::Aws => aws::parse(&text, &mut collector),
        Format::Google => google::parse(&text, &mut collector),
        Format::Azure => azure::parse(&text, &mut collector),
        Format::Auto => {}
    }
    collector.finish()
}

/// Reads `--message SIDE:START:STOP:TEXT` flags; the text may contain colons.
pub fn from_flags(flags: &[String], speakers: &Speakers) -> Result<Transcript, Vec<Problem>> {
    let wording = Wording {
        item: "message",
        no_side: "no SIDE: pass --default-side User|Client or write one, e.g. User:0:3:Hello",
    };
    let mut collector = Collector::new("--message".into(), wording, speakers);
    for (index, flag) in flags.iter().enumerate() {
        let loc = Loc::Flag(index + 1);
        let mut parts = flag.splitn(4, ':');
        let (Some(side), Some(start), Some(stop), Some(text)) =
            (parts.next(), parts.next(), parts.next(), parts.next())
        else {
            collector.problem(
                loc,
                format!(
                    "expected SIDE:START:STOP:TEXT (e.g. User:0:3:Hello), got `{}`",
                    collect::snippet(flag)
                ),
            );
            continue;
        };
        let side = if side.trim().is_empty() {
            SideInput::Missing
        } else {
            SideInput::Label(side.to_string())
        };
        let draft = Draft {
            side,
            start: time::parse_decimal(start)
                .map_err(|e| collect::time_error("START_TIME", start, e)),
            stop: time::parse_decimal(stop).map_err(|e| collect::time_error("STOP_TIME", stop, e)),
            text: Ok(text.to_string()),
        };
        collector.cue(loc, draft);
    }
    collector.finish()
}

/// Guesses a source's format: by extension (`.json`, `.csv`, `.srt`, `.vtt`), else
/// by content. `None` when neither tells.
#[cfg(test)]
pub fn detect(source_name: &str, bytes: &[u8]) -> Option<Format> {
    match text::decode(bytes) {
        Ok(text) => detect_text(source_name, &text),
        Err(_) => by_extension(source_name),
    }
}

fn detect_text(source_name: &str, text: &str) -> Option<Format> {
    match by_extension(source_name) {
        Some(Format::Json | Format::Whisper) => Some(json_kind(text)),
        Some(format) => Some(format),
        None => by_content(text),
    }
}

fn by_extension(source_name: &str) -> Option<Format> {
    if source_name == "-" {
        return None;
    }
    let extension = std::path::Path::new(source_name).extension()?.to_str()?;
    match extension.to_ascii_lowercase().as_str() {
        "json" | "jsonl" | "ndjson" => Some(Format::Json),
        "csv" => Some(Format::Csv),
        "tsv" => Some(Format::Tsv),
        "srt" => Some(Format::Srt),
        "vtt" => Some(Format::Vtt),
        _ => None,
    }
}

/// Subtitle and text formats people try that carry no usable times or speakers in
/// a form we read: a clear refusal instead of a parser's error.
fn refused_extension(source_name: &str) -> Option<String> {
    let extension = std::path::Path::new(source_name)
        .extension()?
        .to_str()?
        .to_ascii_lowercase();
    let what = match extension.as_str() {
        "ass" | "ssa" => "an Advanced SubStation Alpha (.ass/.ssa) subtitle file",
        "sub" => "a MicroDVD/SubViewer (.sub) subtitle file (frame-based times)",
        // No converter can add times that were never written: only the engine can.
        "txt" => {
            return Some(format!(
                "plain text (.txt) has no times, so it is not a transcript format b24tel                  reads; ask the engine for srt, vtt, tsv or json instead (whisper:                  --output_format srt), or pass each line with --message                  SIDE:START:STOP:TEXT; readable: {TRIED}"
            ))
        }
        _ => return None,
    };
    Some(format!(
        "{what} is not a transcript format b24tel reads; convert it to SRT \
         (e.g. `ffmpeg -i {source_name} call.srt`, or pysubs2) or ask the engine for \
         srt, vtt, tsv or json; readable: {TRIED}"
    ))
}

fn by_content(text: &str) -> Option<Format> {
    let start = text.trim_start();
    if start.lines().next().is_some_and(tsv::is_header) {
        return Some(Format::Tsv);
    }
    if start.starts_with("WEBVTT") {
        return Some(Format::Vtt);
    }
    if start.starts_with(['{', '[']) {
        return Some(json_kind(text));
    }
    let lines = text.lines().filter(|line| !text::is_blank(line));
    let first = lines.clone().next()?;
    if lines.take(5).any(|line| line.contains("-->")) {
        return Some(Format::Srt);
    }
    csv::looks_like_header(first).then_some(Format::Csv)
}

/// Which JSON this is: each engine's shape is recognised by its keys; JSON Lines
/// by its first line; anything else is b24tel's own messages.
fn json_kind(text: &str) -> Format {
    let value: serde_json::Value = match serde_json::from_str(text) {
        Ok(value) => value,
        Err(_) => {
            // JSON Lines: the first line that tells.
            return text
                .lines()
                .filter(|l| !l.trim().is_empty())
                .take(20)
                .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
                .map(|v| kind_of_value(&v))
                .find(|&kind| kind != Format::Json)
                .unwrap_or(Format::Json);
        }
    };
    kind_of_value(&value)
}

fn kind_of_value(value: &serde_json::Value) -> Format {
    if value.get("segments").is_some() {
        return Format::Whisper;
    }
    if let Some(items) = value.as_array() {
        let first = items.first();
        if first.is_some_and(|f| f.get("segments").is_none() && whisper::is_segment(f)) {
            return Format::Whisper;
        }
    }
    if azure::looks_like(value) {
        Format::Azure
    } else if deepgram::looks_like(value) {
        Format::Deepgram
    } else if aws::looks_like(value) {
        Format::Aws
    } else if google::looks_like(value) {
        Format::Google
    } else if yandex::looks_like(value)
        || value
            .as_array()
            .and_then(|a| a.first())
            .is_some_and(yandex::looks_like)
    {
        Format::Yandex
    } else if vosk::looks_like(value) {
        Format::Vosk
    } else if assemblyai::looks_like(value) {
        Format::Assemblyai
    } else {
        Format::Json
    }
}

fn display_name(source_name: &str) -> String {
    match source_name {
        "-" => "stdin".to_string(),
        "" => "input".to_string(),
        name => name.to_string(),
    }
}

fn wording(format: Format) -> Wording {
    match format {
        Format::Srt | Format::Vtt | Format::Auto => Wording {
            item: "cue",
            no_side: "no speaker: pass --default-side User|Client \
                      or start the cue with a label such as `User:`",
        },
        Format::Json => Wording {
            item: "message",
            no_side: "no SIDE: pass --default-side User|Client or give the message a SIDE",
        },
        Format::Csv => Wording {
            item: "row",
            no_side: "no side: pass --default-side User|Client or fill in the side column",
        },
        Format::Tsv => Wording {
            item: "segment",
            no_side: "no speaker: pass --default-side User|Client \
                      (whisper's .tsv names no speakers)",
        },
        Format::Yandex
        | Format::Vosk
        | Format::Deepgram
        | Format::Assemblyai
        | Format::Aws
        | Format::Google
        | Format::Azure => Wording {
            item: "utterance",
            no_side: "no speaker or channel: pass --default-side User|Client, \
                      or turn on the engine's diarization or multichannel output",
        },
        Format::Whisper => Wording {
            item: "segment",
            no_side: "no speaker: pass --default-side User|Client \
                      (this segment has no `speaker`)",
        },
    }
}
