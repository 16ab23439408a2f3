//! `telephony.externalCall.attachRecord` in its three modes (inline Base64, RECORD_URL,
//! upload URL) and the upload URL itself. Bodies are streamed to disk: memory stays
//! flat whatever the record's size.

use std::io::{self, BufReader, Read};
use std::path::PathBuf;
use std::sync::atomic::AtomicU64;
use std::sync::Arc;

use bytes::Bytes;
use futures_util::StreamExt;
use hyper::body::Incoming;
use hyper::header::CONTENT_TYPE;
use hyper::Request;
use serde_json::{json, Map, Value};
use tokio::io::AsyncWriteExt;
use tokio::sync::mpsc;

use super::json_stream::{scan_object, Content, ContentSink, ScanError};
use super::methods::{storage_error, text_param};
use super::server::{
    check_body_auth, data_frames, discard, json_answer, Answer, ApiError, App, Credential,
    MethodResult,
};
use super::state::{temp_path, TempFile, UploadTarget};

const NOT_FINISHED: &str =
    "Call is not found in the statistic table. It looks like it is not finished yet.";
const NO_SOURCE: &str =
    "Required parameters are not set. Request should contain either URL or FILENAME parameter";
const EMPTY_NAME: &str = "File name is empty";
const WRONG_EXTENSION: &str = "Wrong file extension. Only wav and mp3 are allowed";
const EMPTY_CONTENT: &str = "File content is empty.";
const BAD_BASE64: &str = "File content is not properly encoded. Base64 encoding is expected.";
const FETCH_FAILED: &str = "Server returns HTTP error code";
/// Body frames queued between the connection and the JSON reader.
const QUEUED_FRAMES: usize = 4;

/// The portal checks the extension case-sensitively.
fn has_record_extension(name: &str) -> bool {
    name.ends_with(".mp3") || name.ends_with(".wav")
}

pub async fn attach(
    app: &Arc<App>,
    body: Incoming,
    credential: &Credential,
    received: &Arc<AtomicU64>,
) -> MethodResult {
    let (fields, content, temp) = read_streamed(app, body, received).await?;
    check_body_auth(app, credential, &fields)?;
    if !app.has_scope("telephony") {
        return Err(ApiError::insufficient_scope());
    }
    let call_id = text_param(&fields, "CALL_ID").unwrap_or_default();
    if app.state().finished_call(&call_id).is_none() {
        return Err(ApiError::core(NOT_FINISHED));
    }
    let record_url = text_param(&fields, "RECORD_URL").filter(|url| !url.is_empty());
    let given_name = fields
        .get("FILENAME")
        .filter(|v| !v.is_null())
        .map(|_| text_param(&fields, "FILENAME").unwrap_or_default());
    let filename = match (given_name, &record_url) {
        (Some(name), _) => name,
        (None, Some(url)) => url_base_name(url),
        (None, None) => return Err(ApiError::core(NO_SOURCE)),
    };
    if filename.is_empty() {
        return Err(ApiError::core(EMPTY_NAME));
    }
    if !has_record_extension(&filename) {
        return Err(ApiError::core(WRONG_EXTENSION));
    }
    let stored = match (content, fields.get("FILE_CONTENT")) {
        (Some(Content::Empty), _) => return Err(ApiError::core(EMPTY_CONTENT)),
        (Some(Content::Invalid), _) => return Err(ApiError::core(BAD_BASE64)),
        (Some(Content::Decoded(_)), _) => temp.ok_or_else(|| ApiError::core(EMPTY_CONTENT))?,
        (None, Some(Value::Null | Value::Bool(false))) => {
            return Err(ApiError::core(EMPTY_CONTENT))
        }
        (None, Some(_)) => return Err(ApiError::core(BAD_BASE64)),
        (None, None) => match record_url {
            Some(url) => fetch(app, &url).await?,
            None => {
                let token = app.state().new_upload(UploadTarget { call_id, filename });
                return Ok(json!({
                    "uploadUrl": credential.upload_url(app, &token),
                    "fieldName": "file",
                })
                .into());
            }
        },
    };
    let file_id = attach_file(app, &call_id, stored, &filename)?;
    Ok(json!({"FILE_ID": file_id}).into())
}

fn attach_file(app: &App, call_id: &str, file: TempFile, filename: &str) -> Result<u64, ApiError> {
    match app.state().attach_record(call_id, &file.path, filename) {
        Ok(Some(file_id)) => Ok(file_id),
        Ok(None) => Err(ApiError::core(NOT_FINISHED)),
        Err(error) => Err(storage_error(error)),
    }
}

/// The last path segment of a URL, percent-decoded.
fn url_base_name(url: &str) -> String {
    let without_query = url.split(['?', '#']).next().unwrap_or(url);
    let path = match without_query.split_once("://") {
        Some((_, rest)) => rest.split_once('/').map(|(_, p)| p).unwrap_or(""),
        None => without_query,
    };
    // In a path `+` is itself, not a space.
    let last = path.rsplit('/').next().unwrap_or("").replace('+', "%2B");
    super::server::percent_decode(&last)
}

/// Streams the JSON body through a blocking reader; FILE_CONTENT lands in a temp file.
async fn read_streamed(
    app: &Arc<App>,
    body: Incoming,
    received: &Arc<AtomicU64>,
) -> Result<(Map<String, Value>, Option<Content>, Option<TempFile>), ApiError> {
    let (frames_tx, frames_rx) = mpsc::channel::<io::Result<Bytes>>(QUEUED_FRAMES);
    let data_dir = app.state().data_dir.clone();
    let reader = tokio::task::spawn_blocking(move || {
        let mut input = BufReader::with_capacity(
            64 << 10,
            FrameReader {
                frames: frames_rx,
                current: Bytes::new(),
            },
        );
        let mut sink = FileSink {
            data_dir,
            file: None,
        };
        let scanned = scan_object(&mut input, "FILE_CONTENT", &mut sink);
        (scanned, sink.file)
    });
    let mut frames = data_frames(body, received);
    while let Some(item) = frames.next().await {
        let failed = item.is_err();
        if frames_tx
            .send(item.map_err(io::Error::other))
            .await
            .is_err()
        {
            // The reader stopped early (a syntax error): read on, so the answer arrives.
            discard(&mut frames).await;
            break;
        }
        if failed {
            break;
        }
    }
    drop(frames_tx);
    let (scanned, file) = reader
        .await
        .map_err(|e| storage_error(io::Error::other(e)))?;
    match scanned {
        Ok((fields, content)) => Ok((fields, content, file)),
        Err(ScanError::TooLarge) => Err(ApiError::too_large(ScanError::TooLarge.describe())),
        Err(error) => Err(ApiError::core(error.describe())),
    }
}

/// The body's frames as `std::io::Read`, for the blocking JSON reader.
struct FrameReader {
    frames: mpsc::Receiver<io::Result<Bytes>>,
    current: Bytes,
}

impl Read for FrameReader {
    fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
        while self.current.is_empty() {
            match self.frames.blocking_recv() {
                Some(frame) => self.current = frame?,
                None => return Ok(0),
            }
        }
        let n = self.current.len().min(out.len());
        out[..n].copy_from_slice(&self.current.split_to(n));
        Ok(n)
    }
}

/// Decoded FILE_CONTENT goes to a temp file in the data dir.
struct FileSink {
    data_dir: PathBuf,
    file: Option<TempFile>,
}

impl ContentSink for FileSink {
    type Writer = std::fs::File;

    fn open(&mut self) -> io::Result<std::fs::File> {
        let temp = TempFile {
            path: temp_path(&self.data_dir),
        };
        let file = std::fs::File::create(&temp.path)?;
        self.file = Some(temp);
        Ok(file)
    }

    fn discard(&mut self) {
        self.file = None;
    }
}

/// Downloads RECORD_URL into a temp file, streamed.
async fn fetch(app: &App, url: &str) -> Result<TempFile, ApiError> {
    let failed =
        |detail: String| ApiError::core(format!("{FETCH_FAILED} {detail}").trim_end().to_string());
    let response = app
        .http
        .get(url)
        .send()
        .await
        .map_err(|_| ApiError::core(FETCH_FAILED))?;
    if !response.status().is_success() {
        return Err(failed(response.status().as_u16().to_string()));
    }
    let data_dir = app.state().data_dir.clone();
    let temp = TempFile {
        path: temp_path(&data_dir),
    };
    let mut file = tokio::fs::File::create(&temp.path)
        .await
        .map_err(storage_error)?;
    let mut stream = response.bytes_stream();
    while let Some(chunk) = stream.next().await {
        let chunk = chunk.map_err(|_| ApiError::core(FETCH_FAILED))?;
        file.write_all(&chunk).await.map_err(storage_error)?;
    }
    file.flush().await.map_err(storage_error)?;
    Ok(temp)
}

/// `POST` of a multipart form to an upload URL handed out by attachRecord.
pub async fn upload(
    app: &Arc<App>,
    request: Request<Incoming>,
    query: &std::collections::HashMap<String, String>,
    credential: &Credential,
    received: &Arc<AtomicU64>,
) -> Answer {
    let target = query
        .get("token")
        .and_then(|token| app.state().upload_target(token));
    let Some(target) = target.filter(|_| *credential != Credential::OAuth(None)) else {
        discard(data_frames(request.into_body(), received)).await;
        return ApiError::no_auth().answer();
    };
    match receive_upload(app, request, received).await {
        Ok(file) => match attach_file(app, &target.call_id, file, &target.filename) {
            Ok(file_id) => json_answer(
                hyper::StatusCode::OK,
                json!({"result": {"FILE_ID": file_id}}),
            ),
            Err(error) => error.answer(),
        },
        Err(error) => error.answer(),
    }
}

async fn receive_upload(
    app: &App,
    request: Request<Incoming>,
    received: &Arc<AtomicU64>,
) -> Result<TempFile, ApiError> {
    let boundary = request
        .headers()
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| multer::parse_boundary(v).ok());
    let mut frames = one_at_a_time(data_frames(request.into_body(), received));
    let received_file = match boundary {
        Some(boundary) => {
            let data_dir = app.state().data_dir.clone();
            first_file_part(multer::Multipart::new(&mut frames, boundary), &data_dir).await
        }
        None => Err(ApiError::core(EMPTY_CONTENT)),
    };
    if received_file.is_err() {
        discard(&mut frames).await;
    }
    received_file
}

/// The part named `file`, streamed into a temp file.
async fn first_file_part(
    mut multipart: multer::Multipart<'_>,
    data_dir: &std::path::Path,
) -> Result<TempFile, ApiError> {
    let malformed = |e: multer::Error| ApiError::core(format!("Malformed multipart body: {e}"));
    while let Some(mut field) = multipart.next_field().await.map_err(malformed)? {
        if field.name() != Some("file") {
            continue;
        }
        if !has_record_extension(field.file_name().unwrap_or_default()) {
            return Err(ApiError::core(WRONG_EXTENSION));
        }
        let temp = TempFile {
            path: temp_path(data_dir),
        };
        let mut file = tokio::fs::File::create(&temp.path)
            .await
            .map_err(storage_error)?;
        let mut size = 0u64;
        while let Some(chunk) = field.chunk().await.map_err(malformed)? {
            size += chunk.len() as u64;
            file.write_all(&chunk).await.map_err(storage_error)?;
        }
        file.flush().await.map_err(storage_error)?;
        if size == 0 {
            return Err(ApiError::core(EMPTY_CONTENT));
        }
        return Ok(temp);
    }
    Err(ApiError::core(EMPTY_CONTENT))
}

/// A stream that waits a turn after each item: multer pulls from its stream until it
/// would wait, and a fast client must not fill its buffer.
fn one_at_a_time<S>(mut inner: S) -> impl futures_util::Stream<Item = S::Item> + Unpin + Send
where
    S: futures_util::Stream + Unpin + Send,
{
    let mut just_yielded = false;
    futures_util::stream::poll_fn(move |cx| {
        if std::mem::take(&mut just_yielded) {
            cx.waker().wake_by_ref();
            return std::task::Poll::Pending;
        }
        let item = inner.poll_next_unpin(cx);
        just_yielded = matches!(item, std::task::Poll::Ready(Some(_)));
        item
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn url_base_names() {
        assert_eq!(url_base_name("http://h/a/b/call%201.mp3?x=1"), "call 1.mp3");
        assert_eq!(url_base_name("https://h/a+b.wav#t"), "a+b.wav");
        assert_eq!(url_base_name("http://h"), "");
        assert_eq!(url_base_name("http://h/dir/"), "");
    }

    #[test]
    fn extensions_are_case_sensitive() {
        assert!(has_record_extension("a.mp3"));
        assert!(has_record_extension("a.wav"));
        assert!(!has_record_extension("a.MP3"));
        assert!(!has_record_extension("a.ogg"));
    }
}
