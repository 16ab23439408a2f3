//! What the stand-in portal remembers: calls, attached records, transcripts and upload
//! tokens. Everything but upload tokens is kept under the data dir and read back on start.

use std::collections::HashMap;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde_json::{json, Value};

use super::answer::portal_date;

use crate::portal::body::random_u64;

pub const FIRST_FILE_ID: u64 = 9001;
/// Identical registrations within this time give the same call.
const DEDUPE_WINDOW: Duration = Duration::from_secs(30 * 60);
const CALLS_FILE: &str = "calls.json";

/// What `register` was asked; identical ones within 30 minutes are one call.
#[derive(Debug, Clone, PartialEq)]
pub struct Registration {
    pub user: String,
    pub phone_number: String,
    pub call_type: i64,
    pub line_number: String,
    pub external_call_id: String,
}

#[derive(Debug, Clone)]
pub struct Call {
    /// The statistic row's ID.
    pub row_id: u64,
    pub call_id: String,
    pub phone_number: String,
    pub call_type: i64,
    pub started: SystemTime,
    pub duration: Option<i64>,
    pub record_file_id: Option<u64>,
    pub transcript_id: Option<u64>,
    pub registration: Option<Registration>,
    /// finish's STATUS_CODE, shown as CALL_FAILED_CODE.
    pub status_code: String,
}

impl Call {
    fn to_json(&self) -> Value {
        let registration = self.registration.as_ref();
        json!({
            "row_id": self.row_id,
            "call_id": self.call_id,
            "phone_number": self.phone_number,
            "call_type": self.call_type,
            "started": self.started.duration_since(UNIX_EPOCH).unwrap_or_default().as_secs(),
            "duration": self.duration,
            "record_file_id": self.record_file_id,
            "transcript_id": self.transcript_id,
            "user": registration.map(|r| r.user.clone()),
            "line_number": registration.map(|r| r.line_number.clone()),
            "external_call_id": registration.map(|r| r.external_call_id.clone()),
            "status_code": self.status_code,
        })
    }

    fn from_json(value: &Value) -> Option<Call> {
        let text = |key: &str| value.get(key).and_then(Value::as_str).map(str::to_string);
        let number = |key: &str| value.get(key).and_then(Value::as_u64);
        let call_type = value.get("call_type").and_then(Value::as_i64)?;
        let phone_number = text("phone_number")?;
        Some(Call {
            row_id: number("row_id")?,
            call_id: text("call_id")?,
            registration: text("user").map(|user| Registration {
                user,
                phone_number: phone_number.clone(),
                call_type,
                line_number: text("line_number").unwrap_or_default(),
                external_call_id: text("external_call_id").unwrap_or_default(),
            }),
            phone_number,
            call_type,
            started: UNIX_EPOCH + Duration::from_secs(number("started")?),
            duration: value.get("duration").and_then(Value::as_i64),
            record_file_id: number("record_file_id"),
            transcript_id: number("transcript_id"),
            status_code: text("status_code").unwrap_or_else(|| "200".into()),
        })
    }

    pub fn is_finished(&self) -> bool {
        self.duration.is_some()
    }

    /// The row `voximplant.statistic.get` shows for a finished call.
    pub fn statistic_row(&self) -> Value {
        let registration = self.registration.as_ref();
        json!({
            "ID": self.row_id.to_string(),
            "CALL_ID": self.call_id,
            "EXTERNAL_CALL_ID": registration
                .map(|r| r.external_call_id.as_str())
                .filter(|id| !id.is_empty()),
            "PORTAL_USER_ID": registration
                .map(|r| r.user.as_str())
                .filter(|user| !user.starts_with("inner:"))
                .unwrap_or("1"),
            "PHONE_NUMBER": self.phone_number,
            "CALL_TYPE": self.call_type.to_string(),
            "CALL_DURATION": self.duration.unwrap_or_default().to_string(),
            "CALL_START_DATE": portal_date(self.started),
            "CALL_FAILED_CODE": self.status_code,
            "RECORD_FILE_ID": self.record_file_id,
            "TRANSCRIPT_ID": self.transcript_id,
        })
    }
}

/// Where an upload URL's file goes.
#[derive(Debug, Clone)]
pub struct UploadTarget {
    pub call_id: String,
    pub filename: String,
}

#[derive(Debug)]
pub struct PortalState {
    pub data_dir: PathBuf,
    calls: HashMap<String, Call>,
    records: HashMap<u64, PathBuf>,
    uploads: HashMap<String, UploadTarget>,
    next_row_id: u64,
    next_file_id: u64,
    next_transcript_id: u64,
}

impl PortalState {
    /// Ids continue after what an earlier run left in a kept data dir.
    pub fn open(data_dir: &Path) -> std::io::Result<Self> {
        for sub in ["records", "transcripts", "tmp"] {
            std::fs::create_dir_all(data_dir.join(sub))?;
        }
        let highest = |sub: &str, suffix: &str| -> u64 {
            std::fs::read_dir(data_dir.join(sub))
                .into_iter()
                .flatten()
                .flatten()
                .filter_map(|entry| {
                    let name = entry.file_name().into_string().ok()?;
                    name.strip_suffix(suffix)?.parse::<u64>().ok()
                })
                .max()
                .unwrap_or(0)
        };
        let mut calls = HashMap::new();
        match std::fs::read(data_dir.join(CALLS_FILE)) {
            Ok(text) => {
                let saved: Value = serde_json::from_slice(&text).map_err(|e| {
                    std::io::Error::other(format!("{CALLS_FILE} is not the sandbox's: {e}"))
                })?;
                for call in saved.as_array().into_iter().flatten() {
                    if let Some(call) = Call::from_json(call) {
                        calls.insert(call.call_id.clone(), call);
                    }
                }
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => return Err(e),
        }
        let mut records = HashMap::new();
        for entry in std::fs::read_dir(data_dir.join("records"))?.flatten() {
            let Some(id) = entry
                .file_name()
                .to_str()
                .and_then(|n| n.parse::<u64>().ok())
            else {
                continue;
            };
            if let Some(file) = std::fs::read_dir(entry.path())?.flatten().next() {
                records.insert(id, file.path());
            }
        }
        let next_row_id = calls.values().map(|c| c.row_id).max().unwrap_or(0) + 1;
        Ok(PortalState {
            data_dir: data_dir.to_path_buf(),
            calls,
            records,
            uploads: HashMap::new(),
            next_row_id,
            next_file_id: (highest("records", "") + 1).max(FIRST_FILE_ID),
            next_transcript_id: highest("transcripts", ".json") + 1,
        })
    }

    /// Writes the calls to the data dir (atomically).
    pub fn save(&self) -> std::io::Result<()> {
        let mut calls: Vec<&Call> = self.calls.values().collect();
        calls.sort_by_key(|c| (c.started, c.call_id.clone()));
        let list: Vec<Value> = calls.iter().map(|c| c.to_json()).collect();
        let temp = self.data_dir.join(format!(".{CALLS_FILE}.tmp"));
        std::fs::write(&temp, serde_json::to_vec_pretty(&list)?)?;
        std::fs::rename(&temp, self.data_dir.join(CALLS_FILE))
    }

    /// The path of a stored record.
    pub fn record_path(&self, file_id: u64) -> Option<&Path> {
        self.records.get(&file_id).map(PathBuf::as_path)
    }

    /// A call in any state.
    pub fn call(&self, call_id: &str) -> Option<&Call> {
        self.calls.get(call_id)
    }

    /// Every call, newest first.
    pub fn all_calls(&self) -> Vec<&Call> {
        let mut calls: Vec<&Call> = self.calls.values().collect();
        calls.sort_by_key(|c| std::cmp::Reverse((c.started, c.row_id)));
        calls
    }

    /// A new call, or the call in progress an identical registration within 30 minutes
    /// made (`true`).
    pub fn register(&mut self, registration: Registration) -> (String, bool) {
        let now = SystemTime::now();
        let repeated = self.calls.values().find(|c| {
            !c.is_finished()
                && c.registration.as_ref() == Some(&registration)
                && now.duration_since(c.started).unwrap_or_default() < DEDUPE_WINDOW
        });
        if let Some(call) = repeated {
            return (call.call_id.clone(), true);
        }
        let phone_number = registration.phone_number.clone();
        let call_type = registration.call_type;
        let unix = now
            .duration_since(SystemTime::UNIX_EPOCH)
            .unwrap_or_default()
            .as_secs();
        let call_id = format!(
            "externalCall.{:016x}{:016x}.{unix}",
            random_u64(),
            random_u64()
        );
        let call = Call {
            row_id: 0,
            call_id: call_id.clone(),
            phone_number,
            call_type,
            started: now,
            duration: None,
            record_file_id: None,
            transcript_id: None,
            registration: Some(registration),
            status_code: "200".into(),
        };
        self.calls.insert(call_id.clone(), call);
        if let Err(error) = self.save() {
            eprintln!("sandbox: cannot save the calls: {error}");
        }
        (call_id, false)
    }

    /// Finishes a call in progress; `None` when there is no such call in progress.
    pub fn finish(&mut self, call_id: &str, duration: i64) -> std::io::Result<Option<Call>> {
        let Some(call) = self.calls.get_mut(call_id).filter(|c| !c.is_finished()) else {
            return Ok(None);
        };
        call.duration = Some(duration);
        call.row_id = self.next_row_id;
        self.next_row_id += 1;
        let call = call.clone();
        self.save()?;
        Ok(Some(call))
    }

    pub fn call_mut(&mut self, call_id: &str) -> Option<&mut Call> {
        self.calls.get_mut(call_id)
    }

    pub fn finished_call(&self, call_id: &str) -> Option<&Call> {
        self.calls.get(call_id).filter(|c| c.is_finished())
    }

    pub fn finished_calls(&self) -> Vec<&Call> {
        let mut calls: Vec<&Call> = self.calls.values().filter(|c| c.is_finished()).collect();
        calls.sort_by_key(|c| c.row_id);
        calls
    }

    /// Moves a received file into place as the call's record, replacing any earlier one.
    pub fn attach_record(
        &mut self,
        call_id: &str,
        received: &Path,
        filename: &str,
    ) -> std::io::Result<Option<u64>> {
        if self.finished_call(call_id).is_none() {
            return Ok(None);
        }
        let file_id = self.next_file_id;
        let dir = self.data_dir.join("records").join(file_id.to_string());
        std::fs::create_dir_all(&dir)?;
        let path = dir.join(stored_name(filename));
        std::fs::rename(received, &path)?;
        self.next_file_id += 1;
        self.records.insert(file_id, path);
        let call = self.calls.get_mut(call_id).expect("checked above");
        if let Some(old) = call.record_file_id.replace(file_id) {
            if let Some(old_path) = self.records.remove(&old) {
                if let Some(old_dir) = old_path.parent() {
                    let _ = std::fs::remove_dir_all(old_dir);
                }
            }
        }
        self.save()?;
        Ok(Some(file_id))
    }

    pub fn new_upload(&mut self, target: UploadTarget) -> String {
        let token = format!("{:016x}{:016x}", random_u64(), random_u64());
        self.uploads.insert(token.clone(), target);
        token
    }

    pub fn upload_target(&self, token: &str) -> Option<UploadTarget> {
        self.uploads.get(token).cloned()
    }

    /// Stores a transcript (atomically, before anyone is told its id).
    pub fn attach_transcript(
        &mut self,
        call_id: &str,
        messages: &Value,
        cost: Option<&Value>,
        currency: Option<&Value>,
    ) -> std::io::Result<Option<u64>> {
        if self.finished_call(call_id).is_none() {
            return Ok(None);
        }
        let id = self.next_transcript_id;
        let document = json!({
            "TRANSCRIPT_ID": id,
            "CALL_ID": call_id,
            "MESSAGES": messages,
            "COST": cost,
            "COST_CURRENCY": currency,
        });
        let dir = self.data_dir.join("transcripts");
        let temp = dir.join(format!(".{id}.json.tmp"));
        let mut file = std::fs::File::create(&temp)?;
        file.write_all(serde_json::to_string_pretty(&document)?.as_bytes())?;
        file.sync_all()?;
        drop(file);
        std::fs::rename(&temp, dir.join(format!("{id}.json")))?;
        self.next_transcript_id += 1;
        if let Some(call) = self.calls.get_mut(call_id) {
            call.transcript_id = Some(id);
        }
        self.save()?;
        Ok(Some(id))
    }
}

/// The base name of FILENAME, safe as a file name in the records folder.
fn stored_name(filename: &str) -> String {
    let base = filename.rsplit(['/', '\\']).next().unwrap_or(filename);
    base.chars()
        .map(|c| if c.is_control() { '_' } else { c })
        .collect()
}

/// A fresh path in the data dir's `tmp/` for a record being received.
pub fn temp_path(data_dir: &Path) -> PathBuf {
    data_dir.join("tmp").join(format!(
        "record-{:016x}{:016x}.part",
        random_u64(),
        random_u64()
    ))
}

/// A received file that is removed unless it was moved into place.
pub struct TempFile {
    pub path: PathBuf,
}

impl Drop for TempFile {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.path);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stored_names_stay_inside_the_record_folder() {
        assert_eq!(stored_name("../../etc/x.mp3"), "x.mp3");
        assert_eq!(stored_name("a\\b.wav"), "b.wav");
        assert_eq!(stored_name("a\nb.wav"), "a_b.wav");
    }

    #[test]
    fn ids_continue_after_a_kept_data_dir() {
        let dir = std::env::temp_dir().join(format!("b24tel-state-test-{:x}", random_u64()));
        std::fs::create_dir_all(dir.join("records/9005")).unwrap();
        std::fs::create_dir_all(dir.join("transcripts")).unwrap();
        std::fs::write(dir.join("transcripts/7.json"), "{}").unwrap();
        let state = PortalState::open(&dir).unwrap();
        assert_eq!(state.next_file_id, 9006);
        assert_eq!(state.next_transcript_id, 8);
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
