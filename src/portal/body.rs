//! Request bodies that carry a file: a JSON body whose one field is the file in
//! Base64, or a multipart/form-data body with the raw file. Both are streamed from
//! a reader thread in large chunks with an exact Content-Length, so memory stays
//! flat whatever the file's size.

use std::io::{self, Read};
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Instant;

use base64::Engine;
use bytes::Bytes;
use http_body::{Frame, SizeHint};
use indicatif::ProgressBar;
use serde_json::{Map, Value};
use tokio::sync::mpsc;

/// Raw bytes read per chunk: a multiple of 3, so Base64 chunks join without padding.
const RAW_CHUNK: usize = 3 * 256 * 1024;
/// Chunks in flight between the reader thread and the socket.
const CHANNEL_DEPTH: usize = 2;

type OpenFn = dyn Fn() -> io::Result<Box<dyn Read + Send>> + Send + Sync;

/// Where a file's bytes come from; opened afresh for every attempt, so a retry
/// re-sends the whole file from its start.
#[derive(Clone)]
pub struct FileSource {
    pub len: u64,
    pub label: String,
    open: Arc<OpenFn>,
}

impl FileSource {
    pub fn new(
        len: u64,
        label: impl Into<String>,
        open: impl Fn() -> io::Result<Box<dyn Read + Send>> + Send + Sync + 'static,
    ) -> Self {
        FileSource {
            len,
            label: label.into(),
            open: Arc::new(open),
        }
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Encoding {
    Raw,
    Base64,
}

/// A body made of a prefix, a file (raw or Base64) and a suffix.
#[derive(Clone)]
pub struct StreamedBody {
    prefix: Vec<u8>,
    source: FileSource,
    encoding: Encoding,
    suffix: Vec<u8>,
    pub content_type: String,
}

pub fn base64_len(raw: u64) -> u64 {
    raw.div_ceil(3) * 4
}

impl StreamedBody {
    /// `{...fields, "<file_key>": "<Base64 of the file>"}`.
    pub fn json_with_file(fields: &Map<String, Value>, file_key: &str, source: FileSource) -> Self {
        let mut prefix = Value::Object(fields.clone()).to_string().into_bytes();
        prefix.pop(); // the closing brace: the file field comes last
        if !fields.is_empty() {
            prefix.push(b',');
        }
        prefix.extend_from_slice(Value::String(file_key.into()).to_string().as_bytes());
        prefix.extend_from_slice(b":\"");
        StreamedBody {
            prefix,
            source,
            encoding: Encoding::Base64,
            suffix: b"\"}".to_vec(),
            content_type: "application/json".into(),
        }
    }

    /// One form-data part named `field_name` holding the raw file as `filename`.
    pub fn multipart(field_name: &str, filename: &str, mime: &str, source: FileSource) -> Self {
        let boundary = format!("b24tel-{:016x}{:016x}", random_u64(), random_u64());
        let prefix = format!(
            "--{boundary}\r\nContent-Disposition: form-data; name=\"{}\"; filename=\"{}\"\r\nContent-Type: {mime}\r\n\r\n",
            quote_form_value(field_name),
            quote_form_value(filename)
        )
        .into_bytes();
        let suffix = format!("\r\n--{boundary}--\r\n").into_bytes();
        StreamedBody {
            prefix,
            source,
            encoding: Encoding::Raw,
            suffix,
            content_type: format!("multipart/form-data; boundary={boundary}"),
        }
    }

    pub fn len(&self) -> u64 {
        let file = match self.encoding {
            Encoding::Raw => self.source.len,
            Encoding::Base64 => base64_len(self.source.len),
        };
        self.prefix.len() as u64 + file + self.suffix.len() as u64
    }

    pub fn file_len(&self) -> u64 {
        self.source.len
    }

    pub fn label(&self) -> &str {
        &self.source.label
    }

    /// Starts the reader thread and returns the body that drains it.
    pub(crate) fn start(&self, progress: Arc<Progress>) -> ChannelBody {
        let (tx, rx) = mpsc::channel(CHANNEL_DEPTH);
        let body = self.clone();
        std::thread::spawn(move || {
            if let Err(e) = body.produce(&tx) {
                let _ = tx.blocking_send(Err(e));
            }
        });
        ChannelBody {
            rx,
            remaining: self.len(),
            progress,
        }
    }

    fn produce(&self, tx: &mpsc::Sender<io::Result<Chunk>>) -> io::Result<()> {
        let send = |chunk: Chunk| {
            tx.blocking_send(Ok(chunk))
                .map_err(|_| io::Error::other("request ended"))
        };
        send(Chunk::framing(self.prefix.clone()))?;
        let mut reader = (self.source.open)()?;
        let mut total = 0u64;
        // One read buffer for the whole file; sent chunks come back through `pool`,
        // so a gigabyte reuses a few buffers instead of allocating a thousand.
        // No bigger than the file (plus the byte that shows it grew): an 800-byte
        // WAV must not zero 768 KiB.
        let chunk = (self.source.len.saturating_add(1)).min(RAW_CHUNK as u64) as usize;
        let mut raw = vec![0u8; chunk];
        let (home, pool) = std::sync::mpsc::channel::<Vec<u8>>();
        loop {
            let mut out = pool.try_recv().unwrap_or_default();
            let filled = match self.encoding {
                Encoding::Raw => {
                    out.resize(chunk, 0);
                    read_full(&mut reader, &mut out)?
                }
                Encoding::Base64 => read_full(&mut reader, &mut raw)?,
            };
            if filled == 0 {
                break;
            }
            total += filled as u64;
            if total > self.source.len {
                return Err(changed_while_sending(self.source.len));
            }
            match self.encoding {
                Encoding::Raw => out.truncate(filled),
                Encoding::Base64 => {
                    out.resize(base64_len(filled as u64) as usize, 0);
                    let written = base64::engine::general_purpose::STANDARD
                        .encode_slice(&raw[..filled], &mut out)
                        .map_err(io::Error::other)?;
                    out.truncate(written);
                }
            }
            send(Chunk {
                data: Bytes::from_owner(Pooled {
                    buf: out,
                    home: home.clone(),
                }),
                file_bytes: filled as u64,
            })?;
            if filled < chunk {
                break;
            }
        }
        if total != self.source.len {
            return Err(changed_while_sending(self.source.len));
        }
        send(Chunk::framing(self.suffix.clone()))
    }
}

/// A sent chunk's buffer, handed back to the reader thread when hyper drops it.
struct Pooled {
    buf: Vec<u8>,
    home: std::sync::mpsc::Sender<Vec<u8>>,
}

impl AsRef<[u8]> for Pooled {
    fn as_ref(&self) -> &[u8] {
        &self.buf
    }
}

impl Drop for Pooled {
    fn drop(&mut self) {
        let _ = self.home.send(std::mem::take(&mut self.buf));
    }
}

fn changed_while_sending(expected: u64) -> io::Error {
    io::Error::other(format!(
        "the file changed size while it was being sent (expected {expected} bytes)"
    ))
}

/// Reads until `buf` is full or the reader ends; returns the bytes read.
fn read_full(reader: &mut dyn Read, buf: &mut [u8]) -> io::Result<usize> {
    let mut filled = 0;
    while filled < buf.len() {
        match reader.read(&mut buf[filled..]) {
            Ok(0) => break,
            Ok(n) => filled += n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(filled)
}

/// A form-data parameter value in quotes: quotes, backslashes and line breaks
/// are percent-encoded, as browsers do.
fn quote_form_value(value: &str) -> String {
    value
        .replace('%', "%25")
        .replace('"', "%22")
        .replace('\\', "%5C")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// A random number from the standard library's per-process hasher keys, enough for
/// boundaries and jitter; not for secrets.
pub fn random_u64() -> u64 {
    use std::hash::{BuildHasher, Hasher};
    let mut hasher = std::collections::hash_map::RandomState::new().build_hasher();
    hasher.write_u128(
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos())
            .unwrap_or_default(),
    );
    hasher.finish()
}

pub(crate) struct Chunk {
    data: Bytes,
    file_bytes: u64,
}

impl Chunk {
    fn framing(bytes: Vec<u8>) -> Self {
        Chunk {
            data: Bytes::from(bytes),
            file_bytes: 0,
        }
    }
}

/// What moved and when: drives the idle timeout, the progress bar and the
/// "was anything sent" question the retry rules ask.
pub(crate) struct Progress {
    start: Instant,
    last_ms: AtomicU64,
    /// When the last body byte was handed on, in ms since `start` plus one (0: not yet).
    done_ms: AtomicU64,
    pub sent: AtomicU64,
    pub received: AtomicU64,
    /// The file could not be read as it was checked (it changed size): a retry
    /// would fail the same way.
    pub source_failed: AtomicBool,
    bar: Option<ProgressBar>,
}

impl Progress {
    pub fn new(bar: Option<ProgressBar>) -> Arc<Self> {
        Arc::new(Progress {
            start: Instant::now(),
            last_ms: AtomicU64::new(0),
            done_ms: AtomicU64::new(0),
            sent: AtomicU64::new(0),
            received: AtomicU64::new(0),
            source_failed: AtomicBool::new(false),
            bar,
        })
    }

    pub fn touch(&self) {
        self.last_ms
            .store(self.start.elapsed().as_millis() as u64, Ordering::Relaxed);
    }

    pub fn idle(&self) -> std::time::Duration {
        let now = self.start.elapsed().as_millis() as u64;
        std::time::Duration::from_millis(now.saturating_sub(self.last_ms.load(Ordering::Relaxed)))
    }

    /// Marks the whole body as handed to the connection.
    pub fn body_done(&self) {
        let now = self.start.elapsed().as_millis() as u64 + 1;
        let first = self
            .done_ms
            .compare_exchange(0, now, Ordering::Relaxed, Ordering::Relaxed)
            .is_ok();
        if let (true, Some(bar)) = (first, &self.bar) {
            crate::output::waiting_for_portal(bar);
        }
    }

    /// How long ago the whole body was sent, if it was.
    pub fn since_body_done(&self) -> Option<std::time::Duration> {
        let done = self.done_ms.load(Ordering::Relaxed);
        if done == 0 {
            return None;
        }
        let now = self.start.elapsed().as_millis() as u64 + 1;
        Some(std::time::Duration::from_millis(now.saturating_sub(done)))
    }

    pub fn finish_bar(&self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
    }
}

/// The HTTP body fed by the reader thread; its exact size makes hyper send a
/// Content-Length instead of chunked encoding.
pub(crate) struct ChannelBody {
    rx: mpsc::Receiver<io::Result<Chunk>>,
    remaining: u64,
    progress: Arc<Progress>,
}

impl http_body::Body for ChannelBody {
    type Data = Bytes;
    type Error = io::Error;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, io::Error>>> {
        match self.rx.poll_recv(cx) {
            Poll::Ready(Some(Ok(chunk))) => {
                let len = chunk.data.len() as u64;
                self.remaining = self.remaining.saturating_sub(len);
                self.progress.sent.fetch_add(len, Ordering::Relaxed);
                self.progress.touch();
                if let Some(bar) = &self.progress.bar {
                    bar.inc(chunk.file_bytes);
                }
                if self.remaining == 0 {
                    self.progress.body_done();
                }
                Poll::Ready(Some(Ok(Frame::data(chunk.data))))
            }
            Poll::Ready(Some(Err(e))) => {
                self.progress.source_failed.store(true, Ordering::Relaxed);
                Poll::Ready(Some(Err(e)))
            }
            Poll::Ready(None) => Poll::Ready(None),
            Poll::Pending => Poll::Pending,
        }
    }

    fn is_end_stream(&self) -> bool {
        self.remaining == 0
    }

    fn size_hint(&self) -> SizeHint {
        SizeHint::with_exact(self.remaining)
    }
}

/// A small body held in memory (JSON parameters), handed on in slices so the
/// bytes that went out are counted like a streamed body's.
pub(crate) struct BytesBody {
    data: Bytes,
    progress: Arc<Progress>,
}

impl BytesBody {
    pub fn new(data: Vec<u8>, progress: Arc<Progress>) -> Self {
        if data.is_empty() {
            progress.body_done();
        }
        BytesBody {
            data: Bytes::from(data),
            progress,
        }
    }
}

const BYTES_SLICE: usize = 256 * 1024;

impl http_body::Body for BytesBody {
    type Data = Bytes;
    type Error = io::Error;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        _cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, io::Error>>> {
        if self.data.is_empty() {
            return Poll::Ready(None);
        }
        let take = self.data.len().min(BYTES_SLICE);
        let slice = self.data.split_to(take);
        self.progress
            .sent
            .fetch_add(slice.len() as u64, Ordering::Relaxed);
        self.progress.touch();
        if self.data.is_empty() {
            self.progress.body_done();
        }
        Poll::Ready(Some(Ok(Frame::data(slice))))
    }

    fn is_end_stream(&self) -> bool {
        self.data.is_empty()
    }

    fn size_hint(&self) -> SizeHint {
        SizeHint::with_exact(self.data.len() as u64)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use http_body_util::BodyExt;

    fn collect(body: &StreamedBody) -> Vec<u8> {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap();
        let channel = body.start(Progress::new(None));
        runtime
            .block_on(channel.collect())
            .unwrap()
            .to_bytes()
            .to_vec()
    }

    fn source(content: Vec<u8>) -> FileSource {
        let len = content.len() as u64;
        FileSource::new(len, "t", move || {
            Ok(Box::new(io::Cursor::new(content.clone())) as Box<dyn Read + Send>)
        })
    }

    #[test]
    fn json_body_matches_one_shot_encoding_and_declared_length() {
        for size in [
            0usize,
            1,
            2,
            3,
            RAW_CHUNK - 1,
            RAW_CHUNK,
            RAW_CHUNK + 1,
            2 * RAW_CHUNK + 2,
        ] {
            let content: Vec<u8> = (0..size).map(|i| (i * 7 % 251) as u8).collect();
            let mut fields = Map::new();
            fields.insert("CALL_ID".into(), Value::String("c\"1".into()));
            let body =
                StreamedBody::json_with_file(&fields, "FILE_CONTENT", source(content.clone()));
            let bytes = collect(&body);
            assert_eq!(bytes.len() as u64, body.len(), "size {size}");
            let parsed: Value = serde_json::from_slice(&bytes).unwrap();
            assert_eq!(parsed["CALL_ID"], "c\"1");
            let expected = base64::engine::general_purpose::STANDARD.encode(&content);
            assert_eq!(parsed["FILE_CONTENT"], expected, "size {size}");
        }
    }

    #[test]
    fn multipart_body_carries_raw_file_and_length() {
        let content = b"RIFF\x00\x00\x00\x00WAVEdata".to_vec();
        let body =
            StreamedBody::multipart("file", "a\"b.wav", "audio/wav", source(content.clone()));
        let bytes = collect(&body);
        assert_eq!(bytes.len() as u64, body.len());
        let text = String::from_utf8_lossy(&bytes);
        assert!(text.contains("filename=\"a%22b.wav\""), "{text}");
        assert!(bytes
            .windows(content.len())
            .any(|w| w == content.as_slice()));
    }

    #[test]
    fn a_file_that_shrinks_fails_the_body() {
        let body = StreamedBody::json_with_file(&Map::new(), "F", {
            FileSource::new(10, "t", || {
                Ok(Box::new(io::Cursor::new(vec![1u8; 4])) as Box<dyn Read + Send>)
            })
        });
        let runtime = tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap();
        let channel = body.start(Progress::new(None));
        assert!(runtime.block_on(channel.collect()).is_err());
    }
}
