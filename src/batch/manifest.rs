//! The batch manifest: CSV with a header, or JSON Lines, from a file or stdin
//! (`-`), read one row at a time so memory stays flat however long it is.

use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};

use serde_json::Value;

use crate::failure::Failure;

/// The longest manifest line accepted (a row is a few paths).
const MAX_LINE: usize = 64 * 1024;

/// How a row names its call.
#[derive(Debug, Clone, PartialEq)]
pub enum CallRef {
    Id(String),
    /// An `external_call_id`, resolved with voximplant.statistic.get.
    External(String),
}

impl CallRef {
    pub fn shown(&self) -> &str {
        match self {
            CallRef::Id(id) | CallRef::External(id) => id,
        }
    }
}

/// One manifest row as written; `line` is where it starts (a CSV header is line 1).
#[derive(Debug, Clone)]
pub struct Row {
    pub line: usize,
    pub call: CallRef,
    pub record: Option<Source>,
    pub transcript: Option<PathBuf>,
    pub user_transcript: Option<PathBuf>,
    pub client_transcript: Option<PathBuf>,
    pub filename: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Source {
    Path(PathBuf),
    Url(String),
}

/// Why a row cannot run; `call_id` only when the row named one.
#[derive(Debug, Clone)]
pub struct BadRow {
    pub line: usize,
    pub call_id: Option<String>,
    pub problems: Vec<String>,
}

pub type Entry = Result<Row, BadRow>;

pub const COLUMNS: [&str; 7] = [
    "call_id",
    "external_call_id",
    "record",
    "transcript",
    "filename",
    "user_transcript",
    "client_transcript",
];

enum Kind {
    Csv {
        reader: csv::Reader<Box<dyn Read + Send>>,
        headers: Vec<String>,
        record: csv::StringRecord,
        done: bool,
    },
    Lines {
        reader: BufReader<Box<dyn Read + Send>>,
        line: usize,
        buffer: Vec<u8>,
    },
}

/// The rows of a manifest, read lazily; unknown column names are collected in
/// `unknown` as they are met, for the caller to warn about once each.
pub struct Rows {
    kind: Kind,
    shown: String,
    base: PathBuf,
    unknown: Vec<String>,
    warned: usize,
}

impl Rows {
    /// Unknown keys not reported yet.
    pub fn new_unknown(&mut self) -> Vec<String> {
        let fresh = self.unknown[self.warned..].to_vec();
        self.warned = self.unknown.len();
        fresh
    }
}

fn too_large(shown: &str) -> String {
    format!(
        "the manifest {shown} is larger than the {} MiB cap for manifests",
        crate::input::DATA_CAP / (1024 * 1024)
    )
}

/// A reader that fails once more than `left` bytes would be read.
struct Capped {
    inner: Box<dyn Read + Send>,
    left: u64,
    shown: String,
}

impl Read for Capped {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        if buf.is_empty() {
            return Ok(0);
        }
        if self.left == 0 {
            let mut probe = [0u8; 1];
            return match self.inner.read(&mut probe)? {
                0 => Ok(0),
                _ => Err(std::io::Error::new(
                    std::io::ErrorKind::InvalidData,
                    too_large(&self.shown),
                )),
            };
        }
        let room = buf
            .len()
            .min(usize::try_from(self.left).unwrap_or(usize::MAX));
        let got = self.inner.read(&mut buf[..room])?;
        self.left -= got as u64;
        Ok(got)
    }
}

/// Opens the manifest; one that cannot be read at all is an error, a bad row is
/// a `BadRow` entry and the others go on.
pub fn open(path: &Path) -> Result<Rows, Failure> {
    let stdin = path.as_os_str() == "-";
    let shown = if stdin {
        "<stdin>".to_string()
    } else {
        path.display().to_string()
    };
    let input: Box<dyn Read + Send> = if stdin {
        Box::new(std::io::stdin())
    } else {
        let meta = std::fs::metadata(path).map_err(|e| {
            Failure::invalid(format!("cannot read the manifest {shown}: {e}"))
                .with_hint("pass the manifest's path with --manifest (or - for stdin)")
        })?;
        if !meta.is_file() {
            return Err(
                Failure::invalid(format!("the manifest {shown} is not a regular file"))
                    .with_hint("pass a file, or - and pipe the manifest in"),
            );
        }
        if meta.len() > crate::input::DATA_CAP {
            return Err(Failure::invalid(too_large(&shown)));
        }
        Box::new(
            std::fs::File::open(path)
                .map_err(|e| Failure::invalid(format!("cannot read the manifest {shown}: {e}")))?,
        )
    };
    // Rows stream, but stdin (or a file growing meanwhile) could be endless, or one
    // endless line: stop reading at the cap, as for every other input.
    let mut input: Box<dyn Read + Send> = Box::new(Capped {
        inner: input,
        left: crate::input::DATA_CAP,
        shown: shown.clone(),
    });
    // Peek at the start to tell JSON Lines from CSV and drop a BOM.
    let mut head = Vec::new();
    (&mut input)
        .take(4096)
        .read_to_end(&mut head)
        .map_err(|e| Failure::invalid(format!("cannot read the manifest {shown}: {e}")))?;
    let start = if head.starts_with(b"\xef\xbb\xbf") {
        3
    } else {
        0
    };
    let head = head[start..].to_vec();
    let extension = path
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase);
    let json_lines = match extension.as_deref() {
        Some("csv") => false,
        Some("jsonl" | "ndjson" | "json") => true,
        _ => head.trim_ascii_start().starts_with(b"{"),
    };
    let input: Box<dyn Read + Send> = Box::new(std::io::Cursor::new(head).chain(input));
    let base = if stdin {
        PathBuf::from(".")
    } else {
        path.parent()
            .filter(|p| !p.as_os_str().is_empty())
            .unwrap_or(Path::new("."))
            .to_path_buf()
    };
    let mut rows = Rows {
        kind: Kind::Lines {
            reader: BufReader::new(Box::new(std::io::empty())),
            line: 0,
            buffer: Vec::new(),
        },
        shown: shown.clone(),
        base,
        unknown: Vec::new(),
        warned: 0,
    };
    if json_lines {
        rows.kind = Kind::Lines {
            reader: BufReader::with_capacity(1 << 16, input),
            line: 0,
            buffer: Vec::new(),
        };
    } else {
        let mut reader = csv::ReaderBuilder::new()
            .flexible(true)
            .trim(csv::Trim::All)
            .from_reader(input);
        let headers: Vec<String> = reader
            .headers()
            .map_err(|e| Failure::invalid(format!("{shown}:1: cannot read the CSV header: {e}")))?
            .iter()
            .map(|h| h.to_ascii_lowercase())
            .collect();
        if !headers
            .iter()
            .any(|h| h == "call_id" || h == "external_call_id")
        {
            return Err(Failure::invalid(format!(
                "{shown}:1: the header has no call_id or external_call_id column (found: {})",
                headers.join(", ")
            ))
            .with_hint(format!(
                "the first line names the columns: {}",
                COLUMNS.join(",")
            )));
        }
        for h in &headers {
            if !COLUMNS.contains(&h.as_str()) && !h.is_empty() && !rows.unknown.contains(h) {
                rows.unknown.push(h.clone());
            }
        }
        rows.kind = Kind::Csv {
            reader,
            headers,
            record: csv::StringRecord::new(),
            done: false,
        };
    }
    Ok(rows)
}

impl Iterator for Rows {
    type Item = Entry;

    fn next(&mut self) -> Option<Entry> {
        let shown = self.shown.clone();
        let base = self.base.clone();
        match &mut self.kind {
            Kind::Csv {
                reader,
                headers,
                record,
                done,
            } => loop {
                if *done {
                    return None;
                }
                let before = reader.position().line() as usize;
                match reader.read_record(record) {
                    Ok(false) => return None,
                    Ok(true) => {
                        let line = record
                            .position()
                            .map(|p| p.line() as usize)
                            .unwrap_or(before);
                        if record.iter().all(str::is_empty) {
                            continue;
                        }
                        return Some(field(line, &shown, &base, Vec::new(), |name| {
                            headers
                                .iter()
                                .position(|h| h == name)
                                .and_then(|i| record.get(i))
                                .filter(|v| !v.is_empty())
                                .map(str::to_string)
                        }));
                    }
                    Err(e) => {
                        *done = true;
                        let line = e.position().map(|p| p.line() as usize).unwrap_or(before);
                        return Some(Err(BadRow {
                            line,
                            call_id: None,
                            problems: vec![format!("{shown}:{line}: {e}")],
                        }));
                    }
                }
            },
            Kind::Lines {
                reader,
                line,
                buffer,
            } => loop {
                buffer.clear();
                let n = match (&mut *reader)
                    .take(MAX_LINE as u64 + 1)
                    .read_until(b'\n', buffer)
                {
                    Ok(0) => return None,
                    Ok(n) => n,
                    Err(e) => {
                        *line += 1;
                        let at = *line;
                        // A read error (the cap among them) ends the manifest: reading on
                        // would report the same error once per call, forever.
                        *reader = BufReader::new(Box::new(std::io::empty()));
                        return Some(Err(BadRow {
                            line: at,
                            call_id: None,
                            problems: vec![format!("{shown}:{at}: cannot read it: {e}")],
                        }));
                    }
                };
                *line += 1;
                let at = *line;
                if n > MAX_LINE && !buffer.ends_with(b"\n") {
                    // Skip the rest of the overlong line.
                    let mut sink = Vec::new();
                    loop {
                        sink.clear();
                        match (&mut *reader)
                            .take(MAX_LINE as u64)
                            .read_until(b'\n', &mut sink)
                        {
                            Ok(0) => break,
                            Ok(_) if sink.ends_with(b"\n") => break,
                            Ok(_) => continue,
                            Err(_) => break,
                        }
                    }
                    return Some(Err(BadRow {
                        line: at,
                        call_id: None,
                        problems: vec![format!(
                            "{shown}:{at}: the line is longer than {} KiB",
                            MAX_LINE / 1024
                        )],
                    }));
                }
                let text = match std::str::from_utf8(buffer) {
                    Ok(text) => text.trim(),
                    Err(_) => {
                        return Some(Err(BadRow {
                            line: at,
                            call_id: None,
                            problems: vec![format!("{shown}:{at}: the line is not UTF-8 text")],
                        }))
                    }
                };
                if text.is_empty() {
                    continue;
                }
                let object = match serde_json::from_str::<Value>(text) {
                    Ok(Value::Object(object)) => object,
                    Ok(_) => {
                        return Some(Err(BadRow {
                            line: at,
                            call_id: None,
                            problems: vec![format!("{shown}:{at}: not a JSON object")],
                        }))
                    }
                    Err(e) => {
                        return Some(Err(BadRow {
                            line: at,
                            call_id: None,
                            problems: vec![format!("{shown}:{at}: invalid JSON: {e}")],
                        }))
                    }
                };
                let mut problems = Vec::new();
                for (key, value) in &object {
                    if !COLUMNS.contains(&key.as_str()) {
                        if !self.unknown.contains(key) {
                            self.unknown.push(key.clone());
                        }
                    } else if !(value.is_string() || value.is_null()) {
                        problems.push(format!("{shown}:{at}: {key} must be a string"));
                    }
                }
                return Some(field(at, &shown, &base, problems, |name| {
                    object
                        .get(name)
                        .and_then(Value::as_str)
                        .map(str::trim)
                        .filter(|v| !v.is_empty())
                        .map(str::to_string)
                }));
            },
        }
    }
}

fn field(
    line: usize,
    shown: &str,
    base: &Path,
    mut problems: Vec<String>,
    get: impl Fn(&str) -> Option<String>,
) -> Entry {
    let call = match (get("call_id"), get("external_call_id")) {
        (Some(id), None) => Some(CallRef::Id(id)),
        (None, Some(id)) => Some(CallRef::External(id)),
        (Some(id), Some(_)) => {
            problems.push(format!(
                "{shown}:{line}: give call_id or external_call_id, not both"
            ));
            Some(CallRef::Id(id))
        }
        (None, None) => {
            problems.push(format!(
                "{shown}:{line}: call_id (or external_call_id) is missing"
            ));
            None
        }
    };
    let record = get("record").map(|value| {
        let lower = value.to_ascii_lowercase();
        if lower.starts_with("http://") || lower.starts_with("https://") {
            Source::Url(value)
        } else {
            Source::Path(base.join(value))
        }
    });
    let path = |key: &str| get(key).map(|value| base.join(value));
    let transcript = path("transcript");
    let user_transcript = path("user_transcript");
    let client_transcript = path("client_transcript");
    if record.is_none()
        && transcript.is_none()
        && user_transcript.is_none()
        && client_transcript.is_none()
    {
        problems.push(format!(
            "{shown}:{line}: the row has neither a record nor a transcript"
        ));
    }
    match call {
        Some(call) if problems.is_empty() => Ok(Row {
            line,
            call,
            record,
            transcript,
            user_transcript,
            client_transcript,
            filename: get("filename"),
        }),
        call => Err(BadRow {
            line,
            call_id: call.map(|c| c.shown().to_string()),
            problems,
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write(name: &str, text: &str) -> (tempfile::TempDir, PathBuf) {
        let dir = tempfile::TempDir::new().unwrap();
        let path = dir.path().join(name);
        std::fs::write(&path, text).unwrap();
        (dir, path)
    }

    #[test]
    fn csv_rows_resolve_paths_against_the_manifest() {
        let (dir, path) = write(
            "m.csv",
            "call_id,record,transcript,colour\nc1,rec/a.mp3,,red\nc2,https://pbx/x.wav,t.srt,\n,,\nc3,,\n",
        );
        let mut rows = open(&path).unwrap();
        let all: Vec<Entry> = rows.by_ref().collect();
        assert_eq!(all.len(), 3, "{all:?}");
        let first = all[0].as_ref().unwrap();
        assert_eq!(first.line, 2);
        assert_eq!(
            first.record,
            Some(Source::Path(dir.path().join("rec/a.mp3")))
        );
        let second = all[1].as_ref().unwrap();
        assert_eq!(second.record, Some(Source::Url("https://pbx/x.wav".into())));
        assert_eq!(second.transcript, Some(dir.path().join("t.srt")));
        let bad = all[2].as_ref().unwrap_err();
        assert_eq!(bad.line, 5);
        assert!(bad.problems[0].contains("m.csv:5") && bad.problems[0].contains("neither"));
        assert_eq!(rows.new_unknown(), ["colour"]);
    }

    #[test]
    fn json_lines_report_bad_lines_and_go_on() {
        let (_dir, path) = write(
            "m.jsonl",
            "{\"call_id\":\"c1\",\"record\":\"a.wav\"}\n\nnot json\n{\"call_id\":5,\"record\":\"b.wav\"}\n{\"external_call_id\":\"e3\",\"transcript\":\"t.vtt\",\"filename\":\"x\"}\n",
        );
        let rows: Vec<Entry> = open(&path).unwrap().collect();
        assert_eq!(rows.len(), 4);
        assert!(rows[0].is_ok());
        let bad = rows[1].as_ref().unwrap_err();
        assert!(bad.problems[0].contains("m.jsonl:3") && bad.call_id.is_none());
        assert!(rows[2].is_err());
        let external = rows[3].as_ref().unwrap();
        assert_eq!(external.line, 5);
        assert_eq!(external.call, CallRef::External("e3".into()));
    }

    #[test]
    fn csv_without_call_id_column_fails_whole() {
        let (_dir, path) = write("m.csv", "id,record\n1,a.mp3\n");
        assert!(open(&path).err().unwrap().to_string().contains("call_id"));
    }
}
