//! One decoding layer in front of the methods, as a portal's PHP front does it: the
//! path gives the method and the webhook; JSON, form, multipart and query-string
//! parameters become one parameter tree; the access token may come as `auth`,
//! `access_token` or `Authorization: Bearer`; a FILE_CONTENT is decoded on the fly into
//! a temp file whatever the encoding. Methods know nothing about encodings.

use std::io::{self, BufRead, BufReader, Read};
use std::path::PathBuf;
use std::sync::atomic::AtomicU64;
use std::sync::Arc;

use bytes::Bytes;
use futures_util::StreamExt;
use hyper::body::Incoming;
use hyper::header::{AUTHORIZATION, CONTENT_TYPE, HOST};
use hyper::{HeaderMap, Request};
use serde_json::{Map, Value};
use tokio::io::AsyncWriteExt;
use tokio::sync::mpsc;

use super::answer::ApiError;
use super::app::{App, Caller, Credential};
use super::body::{data_frames, discard, one_at_a_time};
use super::form::{arrays_where_listed, insert, parse_query, scan_form};
use super::json_stream::{scan_object, Content, ContentSink, ScanError, MAX_VALUE};
use super::php_base64::Decoder;
use super::state::{temp_path, TempFile};

/// The parameter whose value may be larger than memory.
pub const STREAMED_KEY: &str = "FILE_CONTENT";
/// Body frames queued between the connection and the blocking reader.
const QUEUED_FRAMES: usize = 4;

/// Where a request goes, from its path alone.
#[derive(Debug, Clone, PartialEq)]
pub struct Target {
    /// Lower case, without `.json`.
    pub method: String,
    /// `false` for `/rest/method`: the token is in the parameters or a header.
    pub webhook: bool,
}

/// A decoded FILE_CONTENT: what it held and the temp file it went to.
pub struct FileContent {
    pub content: Content,
    pub file: Option<TempFile>,
}

/// A REST call with its parameters decoded.
pub struct RestCall {
    pub method: String,
    pub caller: Caller,
    pub params: Map<String, Value>,
    pub content: Option<FileContent>,
}

/// `/rest//a.b` and `/rest/a.b` are the same path to a portal.
pub fn merge_slashes(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    for c in path.chars() {
        if c == '/' && out.ends_with('/') {
            continue;
        }
        out.push(c);
    }
    out
}

/// The method and how the path authenticates (`/rest/1/CODE/m` or `/rest/m`).
pub fn target(app: &App, path: &str) -> Result<Target, ApiError> {
    let path = merge_slashes(path);
    let rest = path
        .strip_prefix("/rest/")
        .ok_or_else(ApiError::method_not_found)?;
    let rest = rest.trim_end_matches('/');
    let segments: Vec<&str> = rest.split('/').collect();
    let (webhook, method) = match segments.as_slice() {
        [user, code, method @ ..]
            if !method.is_empty()
                && !user.is_empty()
                && user.bytes().all(|b| b.is_ascii_digit()) =>
        {
            if *user != "1" || *code != app.webhook_code {
                return Err(ApiError::no_auth());
            }
            (true, method.join("/"))
        }
        [method] if !method.is_empty() => (false, method.to_string()),
        _ => return Err(ApiError::method_not_found()),
    };
    let method = method.to_ascii_lowercase();
    let method = method.strip_suffix(".json").unwrap_or(&method).to_string();
    Ok(Target { method, webhook })
}

/// The `Host` the client used, or the bound address.
pub fn host_of(app: &App, headers: &HeaderMap) -> String {
    headers
        .get(HOST)
        .and_then(|h| h.to_str().ok())
        .filter(|h| !h.is_empty())
        .map(str::to_string)
        .unwrap_or_else(|| app.addr.to_string())
}

/// Reads the whole request into a `RestCall`, checking the token of an OAuth call.
pub async fn decode(
    app: &Arc<App>,
    target: Target,
    request: Request<Incoming>,
    received: &Arc<AtomicU64>,
    scheme: &'static str,
) -> Result<RestCall, ApiError> {
    let (parts, body) = request.into_parts();
    let mut params = parse_query(parts.uri.query().unwrap_or_default());
    let (body_params, content) = read_body(app, &parts.headers, body, received).await?;
    // The body wins, key by key at the top, as PHP's $_REQUEST.
    params.extend(body_params);
    let (credential, token) = if target.webhook {
        (Credential::Webhook, None)
    } else {
        (
            Credential::OAuth,
            Some(check_token(app, &parts.headers, &params)?),
        )
    };
    Ok(RestCall {
        method: target.method,
        caller: Caller {
            credential,
            host: host_of(app, &parts.headers),
            scheme,
            token,
        },
        params,
        content,
    })
}

/// The access token from `auth`, `access_token` or `Authorization: Bearer`.
pub fn token_of(headers: &HeaderMap, params: &Map<String, Value>) -> Option<String> {
    let param = |key: &str| params.get(key).and_then(Value::as_str).map(str::to_string);
    param("auth").or_else(|| param("access_token")).or_else(|| {
        let header = headers.get(AUTHORIZATION)?.to_str().ok()?;
        let (scheme, token) = header.trim().split_once(' ')?;
        scheme
            .eq_ignore_ascii_case("bearer")
            .then(|| token.trim().to_string())
    })
}

/// The caller's access token, when it is one we issued and still alive.
pub fn check_token(
    app: &App,
    headers: &HeaderMap,
    params: &Map<String, Value>,
) -> Result<String, ApiError> {
    match token_of(headers, params) {
        None => Err(ApiError::no_auth()),
        Some(token) => app.oauth.check(&token).map(|()| token),
    }
}

enum Encoding {
    Json,
    Form,
    Multipart(String),
    /// No or an unknown Content-Type: JSON when it looks like JSON, else a form.
    Guess,
}

fn encoding_of(headers: &HeaderMap) -> Encoding {
    let Some(value) = headers.get(CONTENT_TYPE).and_then(|v| v.to_str().ok()) else {
        return Encoding::Guess;
    };
    let mime = value
        .split(';')
        .next()
        .unwrap_or_default()
        .trim()
        .to_ascii_lowercase();
    match mime.as_str() {
        "application/json" => Encoding::Json,
        "application/x-www-form-urlencoded" => Encoding::Form,
        "multipart/form-data" => match multer::parse_boundary(value) {
            Ok(boundary) => Encoding::Multipart(boundary),
            Err(_) => Encoding::Form,
        },
        _ => Encoding::Guess,
    }
}

type Decoded = (Map<String, Value>, Option<FileContent>);

async fn read_body(
    app: &Arc<App>,
    headers: &HeaderMap,
    body: Incoming,
    received: &Arc<AtomicU64>,
) -> Result<Decoded, ApiError> {
    let data_dir = app.state().data_dir.clone();
    match encoding_of(headers) {
        Encoding::Multipart(boundary) => read_multipart(body, boundary, data_dir, received).await,
        encoding => {
            let json = match encoding {
                Encoding::Json => Some(true),
                Encoding::Form => Some(false),
                _ => None,
            };
            read_blocking(body, received, data_dir, move |input, sink| {
                let json = match json {
                    Some(json) => json,
                    None => looks_like_json(input)?,
                };
                if json {
                    scan_object(input, STREAMED_KEY, sink)
                } else {
                    scan_form(input, STREAMED_KEY, sink)
                }
            })
            .await
        }
    }
}

fn looks_like_json<R: BufRead>(input: &mut R) -> io::Result<bool> {
    loop {
        let buf = input.fill_buf()?;
        match buf.iter().position(|b| !b.is_ascii_whitespace()) {
            Some(at) => return Ok(buf[at] == b'{'),
            None if buf.is_empty() => return Ok(false),
            None => {
                let n = buf.len();
                input.consume(n);
            }
        }
    }
}

type Scanner = Box<
    dyn FnOnce(
            &mut BufReader<FrameReader>,
            &mut FileSink,
        ) -> Result<(Map<String, Value>, Option<Content>), ScanError>
        + Send,
>;

/// Runs a blocking scanner over the body's frames; FILE_CONTENT lands in a temp file.
async fn read_blocking(
    body: Incoming,
    received: &Arc<AtomicU64>,
    data_dir: PathBuf,
    scanner: impl FnOnce(
            &mut BufReader<FrameReader>,
            &mut FileSink,
        ) -> Result<(Map<String, Value>, Option<Content>), ScanError>
        + Send
        + 'static,
) -> Result<Decoded, ApiError> {
    let scanner: Scanner = Box::new(scanner);
    let (frames_tx, frames_rx) = mpsc::channel::<io::Result<Bytes>>(QUEUED_FRAMES);
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
        let scanned = scanner(&mut input, &mut sink);
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
        .map_err(|e| ApiError::storage(io::Error::other(e)))?;
    match scanned {
        Ok((params, content)) => Ok((params, content.map(|content| FileContent { content, file }))),
        Err(ScanError::TooLarge) => Err(ApiError::too_large(ScanError::TooLarge.describe())),
        Err(error) => Err(ApiError::core(error.describe())),
    }
}

/// `multipart/form-data`: small fields into the tree, FILE_CONTENT decoded into a file.
async fn read_multipart(
    body: Incoming,
    boundary: String,
    data_dir: PathBuf,
    received: &Arc<AtomicU64>,
) -> Result<Decoded, ApiError> {
    let mut frames = one_at_a_time(data_frames(body, received));
    let read = multipart_fields(multer::Multipart::new(&mut frames, boundary), &data_dir).await;
    if read.is_err() {
        discard(&mut frames).await;
    }
    read
}

async fn multipart_fields(
    mut multipart: multer::Multipart<'_>,
    data_dir: &std::path::Path,
) -> Result<Decoded, ApiError> {
    let malformed = |e: multer::Error| ApiError::core(format!("Malformed multipart body: {e}"));
    let mut params = Map::new();
    let mut content = None;
    let mut total = 0usize;
    while let Some(mut field) = multipart.next_field().await.map_err(malformed)? {
        let name = field.name().unwrap_or_default().to_string();
        if name == STREAMED_KEY {
            let temp = TempFile {
                path: temp_path(data_dir),
            };
            let mut file = tokio::fs::File::create(&temp.path)
                .await
                .map_err(ApiError::storage)?;
            let mut decoder = Decoder::default();
            let mut out = Vec::new();
            let mut text_len = 0u64;
            while let Some(chunk) = field.chunk().await.map_err(malformed)? {
                text_len += chunk.len() as u64;
                out.clear();
                decoder.feed(&chunk, &mut out).map_err(ApiError::storage)?;
                file.write_all(&out).await.map_err(ApiError::storage)?;
            }
            out.clear();
            let decoded = decoder.finish(&mut out).map_err(ApiError::storage)?;
            file.write_all(&out).await.map_err(ApiError::storage)?;
            file.flush().await.map_err(ApiError::storage)?;
            content = Some(match (text_len, decoded.bytes) {
                (0, _) => FileContent {
                    content: Content::Empty,
                    file: None,
                },
                (_, 0) => FileContent {
                    content: Content::Invalid,
                    file: None,
                },
                _ => FileContent {
                    content: Content::Decoded(decoded),
                    file: Some(temp),
                },
            });
            params.remove(&name);
            continue;
        }
        let mut value = Vec::new();
        while let Some(chunk) = field.chunk().await.map_err(malformed)? {
            value.extend_from_slice(&chunk);
            if value.len() > MAX_VALUE {
                return Err(ApiError::too_large(ScanError::TooLarge.describe()));
            }
        }
        total += value.len() + name.len();
        if total > super::json_stream::MAX_SMALL_TOTAL {
            return Err(ApiError::too_large(ScanError::TooLarge.describe()));
        }
        insert(
            &mut params,
            &name,
            Value::String(String::from_utf8_lossy(&value).into_owned()),
        );
    }
    // Numbered keys become lists, as in the other encodings.
    Ok((arrays_where_listed(params), content))
}

/// The body's frames as `std::io::Read`, for the blocking readers.
pub struct FrameReader {
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
pub struct FileSink {
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

/// Parameters of a batch command (`method?query`), decoded as a form body is.
pub fn command_params(query: &str, data_dir: PathBuf) -> Result<Decoded, ApiError> {
    let mut sink = FileSink {
        data_dir,
        file: None,
    };
    let mut input = query.as_bytes();
    match scan_form(&mut input, STREAMED_KEY, &mut sink) {
        Ok((params, content)) => Ok((
            params,
            content.map(|content| FileContent {
                content,
                file: sink.file.take(),
            }),
        )),
        Err(error) => Err(ApiError::core(error.describe())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn repeated_slashes_are_merged() {
        assert_eq!(merge_slashes("/rest//1///x/a.b"), "/rest/1/x/a.b");
        assert_eq!(merge_slashes("/"), "/");
    }

    #[test]
    fn tokens_come_from_params_or_a_bearer_header() {
        let mut headers = HeaderMap::new();
        headers.insert(AUTHORIZATION, "Bearer abc".parse().unwrap());
        assert_eq!(token_of(&headers, &Map::new()).as_deref(), Some("abc"));
        let mut params = Map::new();
        params.insert("access_token".into(), "def".into());
        assert_eq!(token_of(&headers, &params).as_deref(), Some("def"));
        params.insert("auth".into(), "ghi".into());
        assert_eq!(token_of(&HeaderMap::new(), &params).as_deref(), Some("ghi"));
    }
}
