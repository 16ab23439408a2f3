//! The batch manifest: CSV with a header, or JSON Lines, one call per row with
//! `call_id`, `record` (path or URL), `transcript` (path) and `filename`.

use std::path::{Path, PathBuf};

use serde_json::Value;

use crate::failure::Failure;

/// One manifest row as written; `line` is where it starts (a CSV header is line 1).
#[derive(Debug, Clone, Default)]
pub struct Row {
    pub line: usize,
    pub call_id: String,
    pub record: Option<Source>,
    pub transcript: Option<PathBuf>,
    pub filename: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Source {
    Path(PathBuf),
    Url(String),
}

/// A row, or the problems that keep it from running (each naming its place).
pub type Entry = Result<Row, (usize, String, Vec<String>)>;

const COLUMNS: [&str; 4] = ["call_id", "record", "transcript", "filename"];

/// Reads the whole manifest; a manifest that cannot be read at all is an error,
/// a bad row is an `Err` entry and the others go on.
pub fn read(path: &Path) -> Result<Vec<Entry>, Failure> {
    let shown = path.display().to_string();
    let bytes = std::fs::read(path).map_err(|e| {
        Failure::invalid(format!("cannot read the manifest {shown}: {e}"))
            .with_hint("pass the manifest's path with --manifest")
    })?;
    let text = String::from_utf8(bytes)
        .map_err(|_| Failure::invalid(format!("{shown}: the manifest is not UTF-8 text")))?;
    let text = text.strip_prefix('\u{feff}').unwrap_or(&text);
    let base = path.parent().unwrap_or(Path::new(".")).to_path_buf();
    let json_lines = match path
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase)
    {
        Some(ext) if ext == "csv" => false,
        Some(ext) if ext == "jsonl" || ext == "ndjson" || ext == "json" => true,
        _ => text.trim_start().starts_with('{'),
    };
    if json_lines {
        Ok(read_json_lines(&shown, text, &base))
    } else {
        read_csv(&shown, text, &base)
    }
}

fn field(line: usize, shown: &str, base: &Path, get: impl Fn(&str) -> Option<String>) -> Entry {
    let mut problems = Vec::new();
    let call_id = get("call_id").unwrap_or_default();
    if call_id.is_empty() {
        problems.push(format!("{shown}:{line}: call_id is missing"));
    }
    let record = get("record").map(|value| {
        let lower = value.to_ascii_lowercase();
        if lower.starts_with("http://") || lower.starts_with("https://") {
            Source::Url(value)
        } else {
            Source::Path(base.join(value))
        }
    });
    let transcript = get("transcript").map(|value| base.join(value));
    if record.is_none() && transcript.is_none() {
        problems.push(format!(
            "{shown}:{line}: the row has neither a record nor a transcript"
        ));
    }
    if problems.is_empty() {
        Ok(Row {
            line,
            call_id,
            record,
            transcript,
            filename: get("filename"),
        })
    } else {
        Err((line, call_id, problems))
    }
}

fn read_csv(shown: &str, text: &str, base: &Path) -> Result<Vec<Entry>, Failure> {
    let mut reader = csv::ReaderBuilder::new()
        .flexible(true)
        .trim(csv::Trim::All)
        .from_reader(text.as_bytes());
    let headers: Vec<String> = reader
        .headers()
        .map_err(|e| Failure::invalid(format!("{shown}:1: cannot read the CSV header: {e}")))?
        .iter()
        .map(|h| h.to_ascii_lowercase())
        .collect();
    if !headers.iter().any(|h| h == "call_id") {
        return Err(Failure::invalid(format!(
            "{shown}:1: the header has no call_id column (found: {})",
            headers.join(", ")
        ))
        .with_hint(format!(
            "the first line names the columns: {}",
            COLUMNS.join(",")
        )));
    }
    let mut entries = Vec::new();
    let mut record = csv::StringRecord::new();
    loop {
        let line = reader.position().line() as usize;
        match reader.read_record(&mut record) {
            Ok(false) => break,
            Ok(true) => {
                let line = record.position().map(|p| p.line() as usize).unwrap_or(line);
                if record.iter().all(str::is_empty) {
                    continue;
                }
                entries.push(field(line, shown, base, |name| {
                    headers
                        .iter()
                        .position(|h| h == name)
                        .and_then(|i| record.get(i))
                        .filter(|v| !v.is_empty())
                        .map(str::to_string)
                }));
            }
            Err(e) => {
                let line = e.position().map(|p| p.line() as usize).unwrap_or(line);
                entries.push(Err((
                    line,
                    String::new(),
                    vec![format!("{shown}:{line}: {e}")],
                )));
                break;
            }
        }
    }
    Ok(entries)
}

fn read_json_lines(shown: &str, text: &str, base: &Path) -> Vec<Entry> {
    let mut entries = Vec::new();
    for (index, raw) in text.lines().enumerate() {
        let line = index + 1;
        let raw = raw.trim();
        if raw.is_empty() {
            continue;
        }
        let object = match serde_json::from_str::<Value>(raw) {
            Ok(Value::Object(object)) => object,
            Ok(_) => {
                entries.push(Err((
                    line,
                    String::new(),
                    vec![format!("{shown}:{line}: not a JSON object")],
                )));
                continue;
            }
            Err(e) => {
                entries.push(Err((
                    line,
                    String::new(),
                    vec![format!("{shown}:{line}: invalid JSON: {e}")],
                )));
                continue;
            }
        };
        let mut problems = Vec::new();
        for (key, value) in &object {
            if COLUMNS.contains(&key.as_str()) && !(value.is_string() || value.is_null()) {
                problems.push(format!("{shown}:{line}: {key} must be a string"));
            }
        }
        let entry = field(line, shown, base, |name| {
            object
                .get(name)
                .and_then(Value::as_str)
                .map(str::trim)
                .filter(|v| !v.is_empty())
                .map(str::to_string)
        });
        entries.push(match (entry, problems.is_empty()) {
            (entry, true) => entry,
            (Ok(row), false) => Err((line, row.call_id, problems)),
            (Err((line, call_id, mut more)), false) => {
                problems.append(&mut more);
                Err((line, call_id, problems))
            }
        });
    }
    entries
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
            "call_id,record,transcript\nc1,rec/a.mp3,\nc2,https://pbx/x.wav,t.srt\n,,\nc3,,\n",
        );
        let rows = read(&path).unwrap();
        assert_eq!(rows.len(), 3, "{rows:?}");
        let first = rows[0].as_ref().unwrap();
        assert_eq!(first.line, 2);
        assert_eq!(
            first.record,
            Some(Source::Path(dir.path().join("rec/a.mp3")))
        );
        let second = rows[1].as_ref().unwrap();
        assert_eq!(second.record, Some(Source::Url("https://pbx/x.wav".into())));
        assert_eq!(second.transcript, Some(dir.path().join("t.srt")));
        let (line, _, problems) = rows[2].as_ref().unwrap_err();
        assert_eq!(*line, 5);
        assert!(
            problems[0].contains("m.csv:5") && problems[0].contains("neither"),
            "{problems:?}"
        );
    }

    #[test]
    fn json_lines_report_bad_lines_and_go_on() {
        let (_dir, path) = write(
            "m.jsonl",
            "{\"call_id\":\"c1\",\"record\":\"a.wav\"}\n\nnot json\n{\"call_id\":5,\"record\":\"b.wav\"}\n{\"call_id\":\"c3\",\"transcript\":\"t.vtt\",\"filename\":\"x\"}\n",
        );
        let rows = read(&path).unwrap();
        assert_eq!(rows.len(), 4);
        assert!(rows[0].is_ok());
        assert!(rows[1].as_ref().unwrap_err().2[0].contains("m.jsonl:3"));
        assert!(rows[2].is_err());
        assert_eq!(rows[3].as_ref().unwrap().line, 5);
    }

    #[test]
    fn csv_without_call_id_column_fails_whole() {
        let (_dir, path) = write("m.csv", "id,record\n1,a.mp3\n");
        assert!(read(&path).unwrap_err().to_string().contains("call_id"));
    }
}
