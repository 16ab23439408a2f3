//! The batch journal: JSON Lines appended and flushed to disk. A transcript gets
//! an `intent` line before it goes out (with the call's TRANSCRIPT_ID seen just
//! then), and a `done`, `failed` or `unknown` line after; records get `done`
//! lines; a call not finished yet gets one `waiting` line, the first time.
//!
//! Opening reads the file once into an index of small fixed-size keys, so every
//! lookup is one hash probe however long the journal grows. Only a torn last line
//! (no newline) is cut; a complete line this binary does not understand stops the
//! run rather than being dropped.

use std::collections::HashMap;
use std::fs::{File, OpenOptions};
use std::io::{BufRead, BufReader, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Condvar, Mutex};
use std::time::{SystemTime, UNIX_EPOCH};

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::failure::Failure;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Op {
    Record,
    Transcript,
}

impl Op {
    pub fn name(self) -> &'static str {
        match self {
            Op::Record => "record",
            Op::Transcript => "transcript",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum State {
    /// A transcript is about to be sent.
    Intent,
    /// Confirmed attached.
    Done,
    /// Definitely not attached: the portal answered with an error, or the request never left.
    Failed,
    /// Sent, but no usable answer came (a timeout): it may have landed.
    Unknown,
    /// The call is not finished in Bitrix24 yet (written the first time only).
    Waiting,
}

/// What identifies a record file without reading it: any change to the content
/// through the file system changes at least the ctime.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Stamp {
    pub path: String,
    pub size: u64,
    pub mtime_ns: i128,
    pub ctime_ns: i128,
    pub inode: u64,
    pub dev: u64,
}

impl Stamp {
    pub fn of(path: &Path) -> Option<Stamp> {
        use std::os::unix::fs::MetadataExt;
        let m = std::fs::metadata(path).ok()?;
        let ns = |secs: i64, nsec: i64| secs as i128 * 1_000_000_000 + nsec as i128;
        Some(Stamp {
            path: std::fs::canonicalize(path)
                .unwrap_or_else(|_| path.to_path_buf())
                .to_string_lossy()
                .into_owned(),
            size: m.len(),
            mtime_ns: ns(m.mtime(), m.mtime_nsec()),
            ctime_ns: ns(m.ctime(), m.ctime_nsec()),
            inode: m.ino(),
            dev: m.dev(),
        })
    }
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
    /// On an intent: the call's TRANSCRIPT_ID just before sending (none yet: null).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub before: Option<i64>,
    /// On an intent: the portal refused the check, so `before` is not known.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub unchecked: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stamp: Option<Stamp>,
    pub at: String,
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
            before: None,
            unchecked: false,
            stamp: None,
            at: humantime::format_rfc3339_seconds(SystemTime::now()).to_string(),
        }
    }
}

/// A digest of a key: 16 bytes however long the call id, as two u64 so a slot
/// aligns to 8 bytes (a u128 aligns to 16 and pads an 8-byte value to 32).
#[derive(Debug, Clone, Copy, Eq)]
struct Key([u64; 2]);

impl std::hash::Hash for Key {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.0.hash(state);
    }
}

impl PartialEq for Key {
    fn eq(&self, other: &Key) -> bool {
        // The tests count key comparisons: work done, not seconds taken.
        #[cfg(test)]
        tests::COMPARED.with(|n| n.set(n.get() + 1));
        self.0 == other.0
    }
}

fn key(parts: &[&[u8]]) -> Key {
    let mut hasher = Sha256::new();
    for part in parts {
        hasher.update((part.len() as u64).to_le_bytes());
        hasher.update(part);
    }
    let digest = hasher.finalize();
    let half = |at: usize| u64::from_le_bytes(digest[at..at + 8].try_into().expect("8 bytes"));
    Key([half(0), half(8)])
}

fn op_key(call_id: &str, op: Op, sha256: &str) -> Key {
    key(&[call_id.as_bytes(), op.name().as_bytes(), sha256.as_bytes()])
}

/// A stamp keys one call's operation, so a hit leads straight to that done entry.
fn stamp_key(call_id: &str, op: Op, stamp: &Stamp) -> Key {
    let numbers = format!(
        "{}:{}:{}:{}:{}",
        stamp.size, stamp.mtime_ns, stamp.ctime_ns, stamp.inode, stamp.dev
    );
    key(&[
        call_id.as_bytes(),
        op.name().as_bytes(),
        stamp.path.as_bytes(),
        numbers.as_bytes(),
    ])
}

fn unix_secs(at: &str) -> u64 {
    humantime::parse_rfc3339(at)
        .ok()
        .and_then(|t| t.duration_since(UNIX_EPOCH).ok())
        .map(|d| d.as_secs())
        .unwrap_or(0)
}

pub fn now_secs() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
}

/// The id a done line recorded: a FILE_ID for a record, a TRANSCRIPT_ID for a
/// transcript (the op says which). One id keeps each indexed entry small.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Done {
    pub id: Option<i64>,
}

/// `Done` as the index holds it: 8 bytes, not an Option's 16.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct StoredId(i64);

impl StoredId {
    /// No portal id is negative; this one stands for a done line without an id.
    const NONE: i64 = i64::MIN;

    fn of(id: Option<i64>) -> StoredId {
        StoredId(id.filter(|&id| id != Self::NONE).unwrap_or(Self::NONE))
    }

    fn done(self) -> Done {
        Done {
            id: (self.0 != Self::NONE).then_some(self.0),
        }
    }
}

/// A transcript sent (or about to be) with no done or failed line after it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OpenIntent {
    pub before: Option<i64>,
    pub unchecked: bool,
    /// When the outcome became uncertain (the intent, or a later `unknown` line).
    pub since: u64,
}

/// What the journal knows, one hash probe a lookup.
#[derive(Debug, Default)]
struct Index {
    done: HashMap<Key, StoredId>,
    open: HashMap<Key, OpenIntent>,
    /// A record file's stamp to the id its done line recorded (the SHA-256 is
    /// kept once, in the done key; a stamp's hit needs only the id).
    stamps: HashMap<Key, StoredId>,
    waiting: HashMap<Key, u64>,
}

/// The append side: lines are numbered as written, and `synced` is the last one
/// known to be on disk.
#[derive(Debug)]
struct Log {
    file: File,
    written: u64,
    synced: u64,
    /// One appender is in fdatasync for everyone; the others wait on `synced_now`.
    syncing: bool,
    /// A write or sync failed: nothing later is acknowledged.
    broken: Option<String>,
}

/// Shared by the workers: lookups take the index lock only; appends are group
/// committed (one fdatasync covers every line written before it started, and
/// no lock is held while it runs).
#[derive(Debug)]
pub struct Journal {
    path: PathBuf,
    index: Mutex<Index>,
    log: Mutex<Log>,
    synced_now: Condvar,
    /// The same open file as `log.file`, for fdatasync outside the lock.
    sync_file: File,
    lookups: AtomicU64,
}

impl Journal {
    /// Opens (or creates) the journal, takes an exclusive lock so two runs never
    /// work the same manifest at once, and indexes it.
    pub fn open(path: &Path) -> Result<Journal, Failure> {
        let shown = path.display().to_string();
        let fail = |what: &str, e: std::io::Error| {
            Failure::config(format!("cannot {what} the journal {shown}: {e}"))
        };
        if let Ok(meta) = std::fs::symlink_metadata(path) {
            if !meta.file_type().is_file() {
                let what = if meta.file_type().is_symlink() {
                    "a symbolic link"
                } else {
                    "not a regular file"
                };
                return Err(Failure::config(format!(
                    "the journal {shown} is {what}; b24tel appends to and cuts its journal, so it only uses a regular file"
                ))
                .with_hint("remove it, or pass --journal with the path of a regular file"));
            }
        }
        let file = OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .open(path)
            .map_err(|e| fail("open", e))?;
        {
            // The file opened must be the regular file at the path, not a link swapped in.
            use std::os::unix::fs::MetadataExt;
            let opened = file.metadata().map_err(|e| fail("read", e))?;
            let at_path = std::fs::symlink_metadata(path).map_err(|e| fail("read", e))?;
            if !opened.is_file()
                || !at_path.file_type().is_file()
                || opened.ino() != at_path.ino()
                || opened.dev() != at_path.dev()
            {
                return Err(Failure::config(format!(
                    "the journal {shown} is not a regular file (or was replaced while opening)"
                ))
                .with_hint("pass --journal with the path of a regular file"));
            }
        }
        if file.try_lock().is_err() {
            return Err(Failure::config(format!(
                "the journal {shown} is in use by another b24tel batch"
            ))
            .with_hint(
                "wait for that run to finish; cron runs that overlap must not send the same rows",
            ));
        }
        let mut file = file;
        let mut index = Index::default();
        let mut reader =
            BufReader::with_capacity(1 << 16, file.try_clone().map_err(|e| fail("read", e))?);
        let mut line = Vec::new();
        let mut good_end = 0u64;
        let mut number = 0usize;
        loop {
            line.clear();
            let n = reader
                .read_until(b'\n', &mut line)
                .map_err(|e| fail("read", e))?;
            if n == 0 {
                break;
            }
            number += 1;
            if !line.ends_with(b"\n") {
                // A torn last line: the write a crash interrupted. Cut below.
                break;
            }
            let text = line.trim_ascii();
            if !text.is_empty() {
                let entry = serde_json::from_slice::<Entry>(text).map_err(|e| {
                    Failure::config(format!(
                        "{shown}:{number}: a journal line this b24tel does not understand ({e})"
                    ))
                    .with_hint("a newer b24tel may have written it: run that version, or move the journal aside to start over (done rows would be sent again)")
                })?;
                index.remember(&entry);
            }
            good_end += n as u64;
        }
        drop(reader);
        let len = file.metadata().map_err(|e| fail("read", e))?.len();
        if good_end < len {
            file.set_len(good_end).map_err(|e| fail("repair", e))?;
            file.sync_all().map_err(|e| fail("repair", e))?;
        }
        file.seek(SeekFrom::End(0))
            .map_err(|e| fail("seek in", e))?;
        let sync_file = file.try_clone().map_err(|e| fail("open", e))?;
        Ok(Journal {
            path: path.to_path_buf(),
            index: Mutex::new(index),
            log: Mutex::new(Log {
                file,
                written: 0,
                synced: 0,
                syncing: false,
                broken: None,
            }),
            synced_now: Condvar::new(),
            sync_file,
            lookups: AtomicU64::new(0),
        })
    }
}

impl Index {
    fn remember(&mut self, entry: &Entry) {
        let k = op_key(&entry.call_id, entry.op, &entry.sha256);
        let at = unix_secs(&entry.at);
        match entry.state {
            State::Intent => {
                self.open.insert(
                    k,
                    OpenIntent {
                        before: entry.before,
                        unchecked: entry.unchecked,
                        since: at,
                    },
                );
            }
            State::Unknown => {
                if let Some(open) = self.open.get_mut(&k) {
                    open.since = open.since.max(at);
                }
            }
            State::Done => {
                self.open.remove(&k);
                self.waiting.remove(&k);
                let id = match entry.op {
                    Op::Record => entry.file_id,
                    Op::Transcript => entry.transcript_id,
                };
                self.done.insert(k, StoredId::of(id));
                if let Some(stamp) = &entry.stamp {
                    self.stamps
                        .insert(stamp_key(&entry.call_id, entry.op, stamp), StoredId::of(id));
                }
            }
            State::Failed => {
                self.open.remove(&k);
            }
            State::Waiting => {
                self.waiting.entry(k).or_insert(at);
            }
        }
    }
}

impl Journal {
    fn index(&self) -> std::sync::MutexGuard<'_, Index> {
        self.index.lock().unwrap_or_else(|e| e.into_inner())
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// How many lookups were made: the tests count work, not seconds.
    pub fn lookups(&self) -> u64 {
        self.lookups.load(Ordering::Relaxed)
    }

    /// Keys in the index (done, open, stamps, waiting).
    pub fn indexed(&self) -> usize {
        let index = self.index();
        index.done.len() + index.open.len() + index.stamps.len() + index.waiting.len()
    }

    fn count(&self) {
        self.lookups.fetch_add(1, Ordering::Relaxed);
    }

    pub fn done(&self, call_id: &str, op: Op, sha256: &str) -> Option<Done> {
        self.count();
        self.index()
            .done
            .get(&op_key(call_id, op, sha256))
            .map(|id| id.done())
    }

    /// The done entry of this call's operation on a file hashed earlier with
    /// exactly this stamp (path, size, mtime, ctime, inode, device).
    pub fn done_by_stamp(&self, call_id: &str, op: Op, stamp: &Stamp) -> Option<Done> {
        self.count();
        self.index()
            .stamps
            .get(&stamp_key(call_id, op, stamp))
            .map(|id| id.done())
    }

    /// An intent with no done or failed line: the transcript may have landed.
    pub fn open_intent(&self, call_id: &str, op: Op, sha256: &str) -> Option<OpenIntent> {
        self.count();
        self.index().open.get(&op_key(call_id, op, sha256)).copied()
    }

    /// When this operation was first seen waiting for its call (unix seconds).
    pub fn waiting_since(&self, call_id: &str, op: Op, sha256: &str) -> Option<u64> {
        self.count();
        self.index()
            .waiting
            .get(&op_key(call_id, op, sha256))
            .copied()
    }

    /// Appends one line and returns once it is on disk (an intent before its
    /// request goes out, as the crash guarantee needs). Lines written by other
    /// workers meanwhile share one fdatasync; the index learns the line only
    /// after it is durable.
    pub fn append(&self, entry: Entry) -> Result<(), Failure> {
        let mut line = serde_json::to_vec(&entry).expect("journal entries serialise");
        line.push(b'\n');
        let fail = |e: &str| {
            Failure::config(format!(
                "cannot write the journal {}: {e}",
                self.path.display()
            ))
        };
        let mut log = self.log.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(e) = &log.broken {
            return Err(fail(e));
        }
        if let Err(e) = log.file.write_all(&line) {
            log.broken = Some(e.to_string());
            return Err(fail(&e.to_string()));
        }
        log.written += 1;
        let mine = log.written;
        while log.synced < mine {
            if let Some(e) = &log.broken {
                return Err(fail(e));
            }
            if log.syncing {
                log = self.synced_now.wait(log).unwrap_or_else(|e| e.into_inner());
                continue;
            }
            // This appender syncs for every line written so far.
            log.syncing = true;
            let upto = log.written;
            drop(log);
            let synced = self.sync_file.sync_data();
            log = self.log.lock().unwrap_or_else(|e| e.into_inner());
            log.syncing = false;
            match synced {
                Ok(()) => log.synced = upto,
                Err(e) => log.broken = Some(e.to_string()),
            }
            self.synced_now.notify_all();
        }
        drop(log);
        self.index().remember(&entry);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SHA: &str = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";

    thread_local! {
        /// Key comparisons made on this thread (the index's lookups run on the caller's).
        pub static COMPARED: std::cell::Cell<u64> = const { std::cell::Cell::new(0) };
    }

    #[test]
    fn a_lookup_compares_a_key_or_two_however_long_the_journal() {
        // Issue 16: a scan of the done entries per row made re-runs quadratic. With
        // 50,000 done lines, 50,000 hits and 50,000 misses must compare about one key
        // each; a scan would compare 1.25 billion.
        const ROWS: usize = 50_000;
        let dir = tempfile::TempDir::new().unwrap();
        let path = dir.path().join("m.journal");
        let sha = |i: usize| format!("{i:064x}");
        {
            let mut text = String::new();
            for i in 0..ROWS {
                let mut done =
                    Entry::new(&format!("c{}", i % 100), Op::Record, &sha(i), State::Done);
                done.file_id = Some(i as i64);
                text.push_str(&serde_json::to_string(&done).unwrap());
                text.push('\n');
            }
            std::fs::write(&path, text).unwrap();
        }
        let journal = Journal::open(&path).unwrap();
        assert_eq!(journal.indexed(), ROWS);
        COMPARED.with(|n| n.set(0));
        for i in 0..ROWS {
            let call = format!("c{}", i % 100);
            let hit = journal.done(&call, Op::Record, &sha(i));
            assert_eq!(hit, Some(Done { id: Some(i as i64) }));
            assert_eq!(journal.done(&call, Op::Transcript, &sha(i)), None);
        }
        let compared = COMPARED.with(|n| n.get());
        assert!(
            compared <= 3 * ROWS as u64,
            "{compared} key comparisons for {} lookups",
            2 * ROWS
        );
        assert!(
            compared >= ROWS as u64,
            "every hit compares its key: {compared}"
        );
    }

    #[test]
    fn entries_survive_reopen_and_a_torn_tail_is_cut() {
        let dir = tempfile::TempDir::new().unwrap();
        let path = dir.path().join("m.journal");
        {
            let journal = Journal::open(&path).unwrap();
            let mut intent = Entry::new("c1", Op::Transcript, "aa", State::Intent);
            intent.before = Some(3);
            journal.append(intent).unwrap();
            let mut done = Entry::new("c1", Op::Transcript, "aa", State::Done);
            done.transcript_id = Some(7);
            journal.append(done).unwrap();
            journal
                .append(Entry::new("c2", Op::Transcript, "bb", State::Intent))
                .unwrap();
            journal
                .append(Entry::new("c3", Op::Transcript, "cc", State::Intent))
                .unwrap();
            journal
                .append(Entry::new("c3", Op::Transcript, "cc", State::Failed))
                .unwrap();
        }
        let mut file = OpenOptions::new().append(true).open(&path).unwrap();
        file.write_all(b"{\"call_id\":\"c3\",\"op\":\"rec").unwrap();
        drop(file);

        let journal = Journal::open(&path).unwrap();
        assert_eq!(
            journal.done("c1", Op::Transcript, "aa").unwrap().id,
            Some(7)
        );
        assert!(journal.open_intent("c2", Op::Transcript, "bb").is_some());
        assert!(journal.open_intent("c1", Op::Transcript, "aa").is_none());
        assert!(journal.open_intent("c3", Op::Transcript, "cc").is_none());
        drop(journal);
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(text.ends_with('\n') && !text.contains("\"rec"), "{text}");
    }

    #[test]
    fn a_complete_line_not_understood_stops_and_is_kept() {
        let dir = tempfile::TempDir::new().unwrap();
        let path = dir.path().join("m.journal");
        let line = "{\"call_id\":\"c1\",\"op\":\"record\",\"sha256\":\"x\",\"state\":\"superseded\",\"at\":\"2026-01-01T00:00:00Z\"}\n";
        std::fs::write(&path, line).unwrap();
        let error = Journal::open(&path).unwrap_err();
        assert_eq!(error.exit_code(), 8);
        assert!(error.to_string().contains("m.journal:1"), "{error}");
        assert_eq!(std::fs::read_to_string(&path).unwrap(), line);
    }

    #[test]
    fn a_symlinked_journal_is_refused() {
        let dir = tempfile::TempDir::new().unwrap();
        let target = dir.path().join("precious");
        std::fs::write(&target, "keep me").unwrap();
        let link = dir.path().join("m.journal");
        std::os::unix::fs::symlink(&target, &link).unwrap();
        let error = Journal::open(&link).unwrap_err();
        assert_eq!(error.exit_code(), 8);
        assert_eq!(std::fs::read_to_string(&target).unwrap(), "keep me");
    }

    #[test]
    fn stamps_stand_in_for_hashes_only_when_everything_matches() {
        let dir = tempfile::TempDir::new().unwrap();
        let file = dir.path().join("r.wav");
        std::fs::write(&file, "abc").unwrap();
        let path = dir.path().join("m.journal");
        let journal = Journal::open(&path).unwrap();
        let stamp = Stamp::of(&file).unwrap();
        let mut done = Entry::new("c1", Op::Record, SHA, State::Done);
        done.stamp = Some(stamp.clone());
        done.file_id = Some(5);
        journal.append(done).unwrap();
        let hit = journal.done_by_stamp("c1", Op::Record, &stamp);
        assert_eq!(hit, Some(Done { id: Some(5) }));
        let mut other = stamp.clone();
        other.ctime_ns += 1;
        assert_eq!(journal.done_by_stamp("c1", Op::Record, &other), None);
        // The same file for another call is that call's own work.
        assert_eq!(journal.done_by_stamp("c2", Op::Record, &stamp), None);
    }

    #[test]
    fn a_done_record_indexes_in_two_small_slots() {
        // 100 B a row at 100,000 rows, with hashbrown's rounding up to 131,072
        // slots, a control byte each and a table's growth: two 24-byte slots.
        let slot = std::mem::size_of::<(Key, StoredId)>();
        assert_eq!(slot, 24, "{slot} bytes");
        for id in [None, Some(0), Some(1), Some(i64::MAX)] {
            assert_eq!(StoredId::of(id).done(), Done { id });
        }
    }

    #[test]
    fn lines_appended_at_once_by_many_workers_are_all_kept_whole() {
        let dir = tempfile::TempDir::new().unwrap();
        let path = dir.path().join("m.journal");
        let journal = Journal::open(&path).unwrap();
        std::thread::scope(|scope| {
            for worker in 0..8 {
                let journal = &journal;
                scope.spawn(move || {
                    for i in 0..50 {
                        let mut done =
                            Entry::new(&format!("c{worker}-{i}"), Op::Record, SHA, State::Done);
                        done.file_id = Some(i);
                        journal.append(done).unwrap();
                        // Acknowledged means indexed.
                        assert!(journal
                            .done(&format!("c{worker}-{i}"), Op::Record, SHA)
                            .is_some());
                    }
                });
            }
        });
        drop(journal);
        let journal = Journal::open(&path).unwrap();
        for worker in 0..8 {
            for i in 0..50 {
                let done = journal.done(&format!("c{worker}-{i}"), Op::Record, SHA);
                assert_eq!(done, Some(Done { id: Some(i) }));
            }
        }
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
