//! `telephony.externalCall.attachRecord` in its three modes (inline Base64, RECORD_URL,
//! upload URL) and the upload URL itself. Bodies are streamed to disk: memory stays
//! flat whatever the record's size.

use std::sync::atomic::AtomicU64;
use std::sync::Arc;

use futures_util::StreamExt;
use hyper::body::Incoming;
use hyper::header::CONTENT_TYPE;
use hyper::Request;
use serde_json::{json, Map, Value};
use tokio::io::AsyncWriteExt;

use super::answer::{json_answer, Answer, ApiError, MethodResult};
use super::app::{App, Caller, Credential};
use super::body::{data_frames, discard, one_at_a_time};
use super::json_stream::Content;
use super::params::text_param;
use super::request::{check_token, FileContent};
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
/// The portal checks the extension case-sensitively.
fn has_record_extension(name: &str) -> bool {
    name.ends_with(".mp3") || name.ends_with(".wav")
}

pub async fn attach(
    app: &App,
    caller: &Caller,
    fields: &Map<String, Value>,
    content: Option<FileContent>,
) -> MethodResult {
    let call_id = text_param(fields, "CALL_ID").unwrap_or_default();
    if app.state().finished_call(&call_id).is_none() {
        return Err(ApiError::core(NOT_FINISHED));
    }
    let record_url = text_param(fields, "RECORD_URL").filter(|url| !url.is_empty());
    let given_name = fields
        .get("FILENAME")
        .filter(|v| !v.is_null())
        .map(|_| text_param(fields, "FILENAME").unwrap_or_default());
    let filename = match (given_name, &record_url) {
        (Some(name), _) => name,
        (None, Some(url)) => url_base_name(url),
        (None, None) => return Err(ApiError::core(NO_SOURCE)),
    };
    if filename.is_empty() {
        return Err(ApiError::core(EMPTY_NAME));
    }
    let inline =
        content.is_some() || !matches!(fields.get("FILE_CONTENT"), None | Some(Value::Null));
    if record_url.is_none() && !inline {
        // The name is checked when the file arrives, as the portal does.
        let token = app.state().new_upload(UploadTarget { call_id, filename });
        return Ok(json!({
            "uploadUrl": caller.upload_url(app, &token),
            "fieldName": "file",
        })
        .into());
    }
    if !has_record_extension(&filename) {
        return Err(ApiError::core(WRONG_EXTENSION));
    }
    let stored = match record_url {
        Some(url) => {
            if inline {
                app.note("attachRecord has both RECORD_URL and FILE_CONTENT: a portal downloads RECORD_URL and ignores FILE_CONTENT");
            }
            fetch(app, &url).await?
        }
        None => inline_content(app, content, fields.get("FILE_CONTENT"))?,
    };
    let file_id = attach_file(app, &call_id, stored, &filename)?;
    Ok(json!({"FILE_ID": file_id}).into())
}

/// The decoded FILE_CONTENT, refused where a portal refuses it (or, with `--strict`,
/// where a portal would store a corrupt file).
fn inline_content(
    app: &App,
    content: Option<FileContent>,
    raw: Option<&Value>,
) -> Result<TempFile, ApiError> {
    let Some(FileContent { content, file }) = content else {
        return Err(match raw {
            Some(Value::Bool(false)) => ApiError::core(EMPTY_CONTENT),
            _ => ApiError::core(BAD_BASE64),
        });
    };
    match content {
        Content::Empty => Err(ApiError::core(EMPTY_CONTENT)),
        Content::Invalid => Err(ApiError::core(BAD_BASE64)),
        Content::Decoded(decoded) => {
            let notes = decoded.oddities.describe();
            for note in &notes {
                app.note(note);
            }
            if app.strict && !notes.is_empty() {
                return Err(ApiError::core(format!("--strict: {}", notes.join("; "))));
            }
            file.ok_or_else(|| ApiError::core(EMPTY_CONTENT))
        }
    }
}

fn attach_file(app: &App, call_id: &str, file: TempFile, filename: &str) -> Result<u64, ApiError> {
    match app.state().attach_record(call_id, &file.path, filename) {
        Ok(Some(file_id)) => Ok(file_id),
        Ok(None) => Err(ApiError::core(NOT_FINISHED)),
        Err(error) => Err(ApiError::storage(error)),
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
    super::form::percent_decode(last.as_bytes())
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
        .map_err(ApiError::storage)?;
    let mut stream = response.bytes_stream();
    while let Some(chunk) = stream.next().await {
        let chunk = chunk.map_err(|_| ApiError::core(FETCH_FAILED))?;
        file.write_all(&chunk).await.map_err(ApiError::storage)?;
    }
    file.flush().await.map_err(ApiError::storage)?;
    Ok(temp)
}

/// `POST` of a multipart form to an upload URL handed out by attachRecord.
pub async fn upload(
    app: &Arc<App>,
    request: Request<Incoming>,
    query: &Map<String, Value>,
    credential: &Credential,
    received: &Arc<AtomicU64>,
) -> Answer {
    let text = |key: &str| query.get(key).and_then(Value::as_str);
    // Any live token we issued, as for every other call: a client that refreshed
    // between attachRecord and the upload still gets in.
    let authorised = match credential {
        Credential::Webhook => Ok(()),
        Credential::OAuth => check_token(app, request.headers(), query).map(drop),
    };
    if let Err(error) = authorised {
        discard(data_frames(request.into_body(), received)).await;
        return error.answer();
    }
    let target = text("token").and_then(|token| app.state().upload_target(token));
    let Some(target) = target else {
        discard(data_frames(request.into_body(), received)).await;
        return ApiError::no_auth().answer();
    };
    if !has_record_extension(&target.filename) {
        discard(data_frames(request.into_body(), received)).await;
        return ApiError::core(WRONG_EXTENSION).answer();
    }
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
            .map_err(ApiError::storage)?;
        let mut size = 0u64;
        while let Some(chunk) = field.chunk().await.map_err(malformed)? {
            size += chunk.len() as u64;
            file.write_all(&chunk).await.map_err(ApiError::storage)?;
        }
        file.flush().await.map_err(ApiError::storage)?;
        if size == 0 {
            return Err(ApiError::core(EMPTY_CONTENT));
        }
        return Ok(temp);
    }
    Err(ApiError::core(EMPTY_CONTENT))
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
