//! What the stand-in portal remembers: calls, attached records, transcripts and upload
//! tokens. Records and transcripts are files under the data dir; the rest is in memory.

use std::collections::HashMap;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::SystemTime;

use serde_json::{json, Value};

use crate::portal::body::random_u64;

pub const FIRST_FILE_ID: u64 = 9001;

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
    /// Kept as sent to register: EXTERNAL_CALL_ID, the user, and finish's STATUS_CODE.
    pub external_call_id: Option<String>,
    pub user_id: String,
    pub status_code: String,
}

impl Call {
    pub fn is_finished(&self) -> bool {
        self.duration.is_some()
    }

    /// The row `voximplant.statistic.get` shows for a finished call.
    pub fn statistic_row(&self) -> Value {
        json!({
            "ID": self.row_id.to_string(),
            "CALL_ID": self.call_id,
            "EXTERNAL_CALL_ID": self.external_call_id,
            "PORTAL_USER_ID": self.user_id,
            "PHONE_NUMBER": self.phone_number,
            "CALL_TYPE": self.call_type.to_string(),
            "CALL_DURATION": self.duration.unwrap_or_default().to_string(),
            "CALL_START_DATE": super::server::portal_date(self.started),
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
        Ok(PortalState {
            data_dir: data_dir.to_path_buf(),
            calls: HashMap::new(),
            records: HashMap::new(),
            uploads: HashMap::new(),
            next_row_id: 1,
            next_file_id: (highest("records", "") + 1).max(FIRST_FILE_ID),
            next_transcript_id: highest("transcripts", ".json") + 1,
        })
    }

    pub fn register(&mut self, phone_number: String, call_type: i64) -> String {
        let now = SystemTime::now();
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
            external_call_id: None,
            user_id: "1".into(),
            status_code: "200".into(),
        };
        self.calls.insert(call_id.clone(), call);
        call_id
    }

    /// Finishes a call in progress; `None` when there is no such call in progress.
    pub fn finish(&mut self, call_id: &str, duration: i64) -> Option<Call> {
        let call = self.calls.get_mut(call_id).filter(|c| !c.is_finished())?;
        call.duration = Some(duration);
        call.row_id = self.next_row_id;
        self.next_row_id += 1;
        Some(call.clone())
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
