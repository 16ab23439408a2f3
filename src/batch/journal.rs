//! The batch journal: JSON Lines appended and flushed to disk, one line per
//! `intent` (before a transcript goes out) and per `done` (after any confirmed
//! attach). A torn last line from a power loss is cut off when it is opened.

use std::collections::{HashMap, HashSet};
use std::fs::{File, OpenOptions};
use std::io::{Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::failure::Failure;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Op {
    Record,
    Transcript,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum State {
    Intent,
    Done,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Entry {
    pub call_id: String,
    pub op: Op,
    pub sha256: String,
    pub state: State,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub file_id: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub transcript_id: Option<i64>,
    pub at: String,
    /// Size and modification time (ns since the epoch) of a record file when it
    /// was hashed: an unchanged file is not read and hashed again on every run.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub file_stamp: Option<(u64, u128)>,
}

impl Entry {
    pub fn new(call_id: &str, op: Op, sha256: &str, state: State) -> Entry {
        Entry {
            call_id: call_id.to_string(),
            op,
            sha256: sha256.to_string(),
            state,
            file_id: None,
            transcript_id: None,
            file_stamp: None,
            at: humantime::format_rfc3339_seconds(std::time::SystemTime::now()).to_string(),
        }
    }
}

type Key = (String, Op, String);

#[derive(Debug)]
pub struct Journal {
    file: File,
    path: PathBuf,
    done: HashMap<Key, Entry>,
    intents: HashSet<Key>,
}

impl Journal {
    /// Opens (or creates) the journal, takes an exclusive lock so two runs never
    /// work the same manifest at once, and drops a torn last line.
    pub fn open(path: &Path) -> Result<Journal, Failure> {
        let shown = path.display().to_string();
        let fail = |what: &str, e: std::io::Error| {
            Failure::config(format!("cannot {what} the journal {shown}: {e}"))
        };
        let mut file = OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .open(path)
            .map_err(|e| fail("open", e))?;
        if file.try_lock().is_err() {
            return Err(Failure::config(format!(
                "the journal {shown} is in use by another b24tel batch"
            ))
            .with_hint(
                "wait for that run to finish; cron runs that overlap must not send the same rows",
            ));
        }
        let mut bytes = Vec::new();
        file.read_to_end(&mut bytes).map_err(|e| fail("read", e))?;

        let mut journal = Journal {
            file,
            path: path.to_path_buf(),
            done: HashMap::new(),
            intents: HashSet::new(),
        };
        let mut good_end = 0usize;
        let mut offset = 0usize;
        for line in bytes.split_inclusive(|b| *b == b'\n') {
            offset += line.len();
            let complete = line.ends_with(b"\n");
            match serde_json::from_slice::<Entry>(line.trim_ascii()) {
                Ok(entry) if complete => {
                    journal.remember(entry);
                    good_end = offset;
                }
                _ if line.trim_ascii().is_empty() && complete => good_end = offset,
                // Only the last line can be torn by a crash; an earlier bad line is skipped.
                _ if offset == bytes.len() => {}
                _ => good_end = offset,
            }
        }
        if good_end < bytes.len() {
            journal
                .file
                .set_len(good_end as u64)
                .map_err(|e| fail("repair", e))?;
            journal.file.sync_all().map_err(|e| fail("repair", e))?;
        }
        journal
            .file
            .seek(SeekFrom::End(0))
            .map_err(|e| fail("seek in", e))?;
        Ok(journal)
    }

    fn remember(&mut self, entry: Entry) {
        let key = (entry.call_id.clone(), entry.op, entry.sha256.clone());
        match entry.state {
            State::Intent => {
                self.intents.insert(key);
            }
            State::Done => {
                self.done.insert(key, entry);
            }
        }
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    pub fn done(&self, call_id: &str, op: Op, sha256: &str) -> Option<&Entry> {
        self.done
            .get(&(call_id.to_string(), op, sha256.to_string()))
    }

    /// A done record of this call whose file had this size and modification time.
    pub fn done_unchanged(&self, call_id: &str, stamp: (u64, u128)) -> Option<&Entry> {
        self.done
            .values()
            .find(|e| e.call_id == call_id && e.op == Op::Record && e.file_stamp == Some(stamp))
    }

    /// An intent with no done: the transcript may or may not have reached the portal.
    pub fn unresolved_intent(&self, call_id: &str, op: Op, sha256: &str) -> bool {
        let key = (call_id.to_string(), op, sha256.to_string());
        self.intents.contains(&key) && !self.done.contains_key(&key)
    }

    /// Transcript ids this journal already accounts for on a call.
    pub fn known_transcripts(&self, call_id: &str) -> HashSet<i64> {
        self.done
            .values()
            .filter(|e| e.call_id == call_id && e.op == Op::Transcript)
            .filter_map(|e| e.transcript_id)
            .collect()
    }

    /// Appends one line and waits until it is on disk.
    pub fn append(&mut self, entry: Entry) -> Result<(), Failure> {
        let mut line = serde_json::to_vec(&entry).expect("journal entries serialise");
        line.push(b'\n');
        self.file
            .write_all(&line)
            .and_then(|_| self.file.sync_data())
            .map_err(|e| {
                Failure::config(format!(
                    "cannot write the journal {}: {e}",
                    self.path.display()
                ))
            })?;
        self.remember(entry);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn done_entries_survive_reopen_and_a_torn_tail_is_cut() {
        let dir = tempfile::TempDir::new().unwrap();
        let path = dir.path().join("m.journal");
        {
            let mut journal = Journal::open(&path).unwrap();
            journal
                .append(Entry::new("c1", Op::Transcript, "aa", State::Intent))
                .unwrap();
            let mut done = Entry::new("c1", Op::Transcript, "aa", State::Done);
            done.transcript_id = Some(7);
            journal.append(done).unwrap();
            journal
                .append(Entry::new("c2", Op::Transcript, "bb", State::Intent))
                .unwrap();
        }
        // A power loss mid-write leaves half a line.
        let mut file = OpenOptions::new().append(true).open(&path).unwrap();
        file.write_all(b"{\"call_id\":\"c3\",\"op\":\"rec").unwrap();
        drop(file);

        let mut journal = Journal::open(&path).unwrap();
        assert_eq!(
            journal
                .done("c1", Op::Transcript, "aa")
                .unwrap()
                .transcript_id,
            Some(7)
        );
        assert!(journal.unresolved_intent("c2", Op::Transcript, "bb"));
        assert!(!journal.unresolved_intent("c1", Op::Transcript, "aa"));
        assert_eq!(journal.known_transcripts("c1"), HashSet::from([7]));
        journal
            .append(Entry::new("c4", Op::Record, "cc", State::Done))
            .unwrap();
        drop(journal);
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(!text.contains("\"rec\n") && !text.contains("c3"), "{text}");
        assert!(
            text.lines()
                .all(|l| serde_json::from_str::<Entry>(l).is_ok()),
            "{text}"
        );
    }

    #[test]
    fn a_second_run_cannot_take_the_same_journal() {
        let dir = tempfile::TempDir::new().unwrap();
        let path = dir.path().join("m.journal");
        let _first = Journal::open(&path).unwrap();
        assert!(Journal::open(&path)
            .unwrap_err()
            .to_string()
            .contains("in use"));
    }
}
