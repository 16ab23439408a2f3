//! The HTTP side: connections, graceful shutdown, routing, authentication, the portal's
//! answer envelope, faults and the request log.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use bytes::Bytes;
use http_body_util::{BodyExt, Full, Limited};
use hyper::body::Incoming;
use hyper::header::{CONTENT_TYPE, HOST, LOCATION};
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Request, Response, StatusCode};
use hyper_util::rt::TokioIo;
use serde_json::{json, Map, Value};
use tokio::sync::{mpsc, watch};

use super::faults::{method_of, Faults, Refusal};
use super::state::PortalState;
use super::{methods, record, statistic};

/// Bodies of every method but attachRecord are read whole, up to this size.
const MAX_BODY: usize = 16 << 20;
/// How long a stop waits for requests in flight.
const DRAIN_TIME: Duration = Duration::from_secs(10);
/// A body being discarded is given up after this long without a byte.
const DISCARD_IDLE: Duration = Duration::from_secs(10);

pub type Answer = Response<Full<Bytes>>;

/// Everything a request handler may need.
pub struct App {
    pub addr: SocketAddr,
    pub webhook_code: String,
    pub access_token: String,
    pub scopes: Vec<String>,
    pub log: bool,
    pub faults: Faults,
    pub state: Mutex<PortalState>,
    pub http: reqwest::Client,
}

impl App {
    pub fn state(&self) -> MutexGuard<'_, PortalState> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    pub fn has_scope(&self, scope: &str) -> bool {
        self.scopes.iter().any(|s| s == scope)
    }
}

/// How a request authenticated itself.
#[derive(Debug, Clone, PartialEq)]
pub enum Credential {
    /// `/rest/USER/CODE/method`: already checked.
    Webhook,
    /// `/rest/method`: the access token from `?auth=`, or `None` when it is in the body.
    OAuth(Option<String>),
}

impl Credential {
    /// The upload URL the portal hands out for this kind of authentication.
    pub fn upload_url(&self, app: &App, token: &str) -> String {
        match self {
            Credential::Webhook => format!(
                "http://{}/rest/1/{}/upload/?token={token}",
                app.addr, app.webhook_code
            ),
            Credential::OAuth(_) => format!(
                "http://{}/rest/upload.json?auth={}&token={token}",
                app.addr, app.access_token
            ),
        }
    }
}

/// A portal error answer.
#[derive(Debug)]
pub struct ApiError {
    pub status: StatusCode,
    pub code: &'static str,
    pub description: String,
}

impl ApiError {
    pub fn core(description: impl Into<String>) -> Self {
        ApiError {
            status: StatusCode::BAD_REQUEST,
            code: "ERROR_CORE",
            description: description.into(),
        }
    }

    pub fn no_auth() -> Self {
        ApiError {
            status: StatusCode::UNAUTHORIZED,
            code: "NO_AUTH_FOUND",
            description: "Wrong authorization data".into(),
        }
    }

    pub fn insufficient_scope() -> Self {
        ApiError {
            status: StatusCode::FORBIDDEN,
            code: "insufficient_scope",
            description:
                "The request requires higher privileges than provided by the webhook token".into(),
        }
    }

    pub fn access_denied() -> Self {
        ApiError {
            status: StatusCode::FORBIDDEN,
            code: "ACCESS_DENIED",
            description: "Access denied.".into(),
        }
    }

    fn method_not_found() -> Self {
        ApiError {
            status: StatusCode::NOT_FOUND,
            code: "ERROR_METHOD_NOT_FOUND",
            description: "Method not found!".into(),
        }
    }

    pub fn too_large(description: impl Into<String>) -> Self {
        ApiError {
            status: StatusCode::PAYLOAD_TOO_LARGE,
            code: "ERROR_CORE",
            description: description.into(),
        }
    }

    pub fn answer(&self) -> Answer {
        json_answer(
            self.status,
            json!({"error": self.code, "error_description": self.description}),
        )
    }
}

/// A method's successful result; `total` is for list methods.
pub struct Success {
    pub result: Value,
    pub total: Option<usize>,
    /// The `start` of the next page, for list methods with more rows.
    pub next: Option<usize>,
}

impl From<Value> for Success {
    fn from(result: Value) -> Self {
        Success {
            result,
            total: None,
            next: None,
        }
    }
}

pub type MethodResult = Result<Success, ApiError>;

/// The `{"result", "time"}` envelope of a successful call.
pub fn success_answer(success: Success, started: SystemTime) -> Answer {
    let mut body = Map::new();
    body.insert("result".into(), success.result);
    if let Some(next) = success.next {
        body.insert("next".into(), next.into());
    }
    if let Some(total) = success.total {
        body.insert("total".into(), total.into());
    }
    body.insert("time".into(), time_block(started));
    json_answer(StatusCode::OK, Value::Object(body))
}

pub fn json_answer(status: StatusCode, body: Value) -> Answer {
    let mut answer = Response::new(Full::new(Bytes::from(body.to_string())));
    *answer.status_mut() = status;
    answer.headers_mut().insert(
        CONTENT_TYPE,
        "application/json; charset=utf-8".parse().expect("static"),
    );
    answer
}

fn unix_secs(time: SystemTime) -> f64 {
    time.duration_since(UNIX_EPOCH)
        .unwrap_or_default()
        .as_secs_f64()
}

/// A date the way the portal writes it: `2026-03-10T12:49:51+00:00`.
pub fn portal_date(time: SystemTime) -> String {
    let text = humantime::format_rfc3339_seconds(time).to_string();
    match text.strip_suffix('Z') {
        Some(base) => format!("{base}+00:00"),
        None => text,
    }
}

fn time_block(started: SystemTime) -> Value {
    let finished = SystemTime::now();
    let start = unix_secs(started);
    let finish = unix_secs(finished);
    json!({
        "start": start,
        "finish": finish,
        "duration": (finish - start).max(0.0),
        "processing": 0,
        "date_start": portal_date(started),
        "date_finish": portal_date(finished),
        "operating_reset_at": finish as u64 + 600,
        "operating": 0,
    })
}

/// Accepts connections until `shutdown` changes, then lets requests in flight finish.
pub async fn serve(
    app: Arc<App>,
    listener: tokio::net::TcpListener,
    mut shutdown: watch::Receiver<bool>,
) {
    let (open_tx, mut open_rx) = mpsc::channel::<()>(1);
    loop {
        tokio::select! {
            _ = shutdown.changed() => break,
            accepted = listener.accept() => match accepted {
                Ok((stream, _)) => {
                    let connection = serve_connection(app.clone(), stream, shutdown.clone(), open_tx.clone());
                    tokio::spawn(connection);
                }
                // Out of file descriptors and the like: wait rather than spin.
                Err(_) => tokio::time::sleep(Duration::from_millis(50)).await,
            },
        }
    }
    drop(listener);
    drop(open_tx);
    // Every connection holds a sender: recv() ends when the last one is gone.
    let _ = tokio::time::timeout(DRAIN_TIME, open_rx.recv()).await;
}

async fn serve_connection(
    app: Arc<App>,
    stream: tokio::net::TcpStream,
    mut shutdown: watch::Receiver<bool>,
    _open: mpsc::Sender<()>,
) {
    let _ = stream.set_nodelay(true);
    let service = service_fn(move |request| handle(app.clone(), request));
    let connection = http1::Builder::new().serve_connection(TokioIo::new(stream), service);
    tokio::pin!(connection);
    tokio::select! {
        _ = connection.as_mut() => {}
        _ = shutdown.changed() => {
            connection.as_mut().graceful_shutdown();
            let _ = connection.await;
        }
    }
}

/// Returned to hyper to close the connection without an answer (the `drop` fault).
#[derive(Debug)]
pub struct DroppedAnswer;

impl std::fmt::Display for DroppedAnswer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("connection dropped by the drop fault")
    }
}

impl std::error::Error for DroppedAnswer {}

async fn handle(app: Arc<App>, request: Request<Incoming>) -> Result<Answer, DroppedAnswer> {
    let clock = Instant::now();
    let method = request.method().clone();
    let target = request
        .uri()
        .path_and_query()
        .map(|p| p.as_str().to_string())
        .unwrap_or_else(|| "/".into());
    let received = Arc::new(AtomicU64::new(0));
    let rest_method = method_of(&target).to_string();
    let (answer, dropped) = match app.faults.refuse(&rest_method) {
        Some(refusal) => {
            let answer = refusal_answer(&app, refusal, &request, &target);
            discard(data_frames(request.into_body(), &received)).await;
            (answer, false)
        }
        None => {
            let answer = route(&app, request, &received).await;
            let dropped = app.faults.drops_answer(&rest_method);
            if !dropped {
                if let Some(delay) = app.faults.delay(&rest_method) {
                    tokio::time::sleep(delay).await;
                }
            }
            (answer, dropped)
        }
    };
    if app.log {
        let status = if dropped {
            "dropped".to_string()
        } else {
            answer.status().as_u16().to_string()
        };
        eprintln!(
            "{} {method} {} {status} {}B {}ms",
            humantime::format_rfc3339_seconds(SystemTime::now()),
            crate::secret::redact_url(&target),
            received.load(Ordering::Relaxed),
            clock.elapsed().as_millis()
        );
    }
    if dropped {
        Err(DroppedAnswer)
    } else {
        Ok(answer)
    }
}

fn refusal_answer(
    app: &App,
    refusal: Refusal,
    request: &Request<Incoming>,
    target: &str,
) -> Answer {
    let limit = |code: &str, description: &str| {
        json_answer(
            StatusCode::SERVICE_UNAVAILABLE,
            json!({"error": code, "error_description": description}),
        )
    };
    match refusal {
        Refusal::Redirect => {
            let host = request
                .headers()
                .get(HOST)
                .and_then(|h| h.to_str().ok())
                .map(str::to_string)
                .unwrap_or_else(|| app.addr.to_string());
            let mut answer = Response::new(Full::new(Bytes::new()));
            *answer.status_mut() = StatusCode::FOUND;
            if let Ok(location) = format!("https://{host}{target}").parse() {
                answer.headers_mut().insert(LOCATION, location);
            }
            answer
        }
        Refusal::Html500 => {
            let page =
                "<!DOCTYPE html>\n<html><head><title>500 Internal Server Error</title></head>\
                        <body><h1>Internal Server Error</h1><p>The server encountered an internal \
                        error and was unable to complete your request.</p></body></html>\n";
            let mut answer = Response::new(Full::new(Bytes::from(page)));
            *answer.status_mut() = StatusCode::INTERNAL_SERVER_ERROR;
            answer
                .headers_mut()
                .insert(CONTENT_TYPE, "text/html".parse().expect("static"));
            answer
        }
        Refusal::Overload => limit("OVERLOAD_LIMIT", "REST API is blocked due to overload"),
        Refusal::QueryLimit => limit("QUERY_LIMIT_EXCEEDED", "Too many requests"),
        Refusal::TimeLimit(reset_at) => json_answer(
            StatusCode::TOO_MANY_REQUESTS,
            json!({
                "error": "OPERATION_TIME_LIMIT",
                "error_description": "Method is blocked due to operation time limit.",
                "time": {"operating_reset_at": reset_at},
            }),
        ),
    }
}

/// The query string's parameters, percent-decoded.
pub fn query_params(query: Option<&str>) -> HashMap<String, String> {
    query
        .unwrap_or_default()
        .split('&')
        .filter(|pair| !pair.is_empty())
        .map(|pair| {
            let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
            (percent_decode(key), percent_decode(value))
        })
        .collect()
}

pub fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = |at: usize| {
            bytes
                .get(at..at + 2)
                .and_then(|h| std::str::from_utf8(h).ok())
                .and_then(|h| u8::from_str_radix(h, 16).ok())
        };
        match bytes[i] {
            b'%' if hex(i + 1).is_some() => {
                out.push(hex(i + 1).expect("checked"));
                i += 3;
            }
            b'+' => {
                out.push(b' ');
                i += 1;
            }
            byte => {
                out.push(byte);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Methods this stand-in knows, lower case as the portal matches them.
const METHODS: &[&str] = &[
    "scope",
    "profile",
    "telephony.externalcall.register",
    "telephony.externalcall.finish",
    "telephony.externalcall.attachrecord",
    "telephony.call.attachtranscription",
    "voximplant.statistic.get",
    "server.time",
];

const ATTACH_RECORD: &str = "telephony.externalcall.attachrecord";

fn needs_telephony(method: &str) -> bool {
    method.starts_with("telephony.") || method.starts_with("voximplant.")
}

/// Who is calling which method, from the path and query alone.
fn resolve(
    app: &App,
    path: &str,
    query: &HashMap<String, String>,
) -> Result<(Credential, String), ApiError> {
    let rest = path
        .strip_prefix("/rest/")
        .ok_or_else(ApiError::method_not_found)?;
    let segments: Vec<&str> = rest.split('/').collect();
    let (credential, method) = match segments.as_slice() {
        [user, code, method @ ..]
            if !method.is_empty()
                && !user.is_empty()
                && user.bytes().all(|b| b.is_ascii_digit()) =>
        {
            if *user != "1" || *code != app.webhook_code {
                return Err(ApiError::no_auth());
            }
            (Credential::Webhook, method.join("/"))
        }
        [method] => (
            Credential::OAuth(query.get("auth").cloned()),
            method.to_string(),
        ),
        _ => return Err(ApiError::method_not_found()),
    };
    if let Credential::OAuth(Some(token)) = &credential {
        if *token != app.access_token {
            return Err(ApiError::no_auth());
        }
    }
    let method = method.trim_end_matches('/').to_ascii_lowercase();
    let method = method.strip_suffix(".json").unwrap_or(&method).to_string();
    Ok((credential, method))
}

/// Reads and forgets the rest of a body before an early answer: closing a connection
/// with unread data resets it, and the client would never see the answer.
pub async fn discard<S>(mut frames: S)
where
    S: futures_util::Stream<Item = Result<Bytes, hyper::Error>> + Unpin,
{
    use futures_util::StreamExt;
    while let Ok(Some(Ok(_))) = tokio::time::timeout(DISCARD_IDLE, frames.next()).await {}
}

/// A body's data frames as a stream, counted into `received` for the log.
pub fn data_frames(
    body: Incoming,
    received: &Arc<AtomicU64>,
) -> impl futures_util::Stream<Item = Result<Bytes, hyper::Error>> + Unpin + Send {
    use futures_util::StreamExt;
    let received = received.clone();
    http_body_util::BodyStream::new(body)
        .filter_map(move |frame| {
            let item = match frame {
                Ok(frame) => frame.into_data().ok().map(|data| {
                    received.fetch_add(data.len() as u64, Ordering::Relaxed);
                    Ok(data)
                }),
                Err(error) => Some(Err(error)),
            };
            std::future::ready(item)
        })
        .boxed()
}

async fn route(app: &Arc<App>, request: Request<Incoming>, received: &Arc<AtomicU64>) -> Answer {
    let started = SystemTime::now();
    let query = query_params(request.uri().query());
    let resolved = resolve(app, request.uri().path(), &query).and_then(|(credential, method)| {
        let scope_known = credential != Credential::OAuth(None);
        if method == ATTACH_RECORD && scope_known && !app.has_scope("telephony") {
            return Err(ApiError::insufficient_scope());
        }
        Ok((credential, method))
    });
    let (credential, method) = match resolved {
        Ok(resolved) => resolved,
        Err(error) => {
            discard(data_frames(request.into_body(), received)).await;
            return error.answer();
        }
    };
    if method == "upload" {
        return record::upload(app, request, &query, &credential, received).await;
    }
    if method == ATTACH_RECORD {
        let body = request.into_body();
        return match record::attach(app, body, &credential, received).await {
            Ok(success) => success_answer(success, started),
            Err(error) => error.answer(),
        };
    }

    let params = match read_params(request.into_body(), received).await {
        Ok(params) => params,
        Err(error) => return error.answer(),
    };
    if let Err(error) = check_body_auth(app, &credential, &params) {
        return error.answer();
    }
    if !METHODS.contains(&method.as_str()) {
        return ApiError::method_not_found().answer();
    }
    if needs_telephony(&method) && !app.has_scope("telephony") {
        return ApiError::insufficient_scope().answer();
    }
    let result = match method.as_str() {
        "scope" => Ok(json!(app.scopes).into()),
        "profile" => Ok(methods::profile()),
        "telephony.externalcall.register" => methods::register(app, &params),
        "telephony.externalcall.finish" => methods::finish(app, &params),
        "telephony.call.attachtranscription" => methods::attach_transcription(app, &params),
        "voximplant.statistic.get" => statistic::statistic_get(app, &params),
        "server.time" => Ok(statistic::server_time()),
        _ => Err(ApiError::method_not_found()),
    };
    match result {
        Ok(success) => success_answer(success, started),
        Err(error) => error.answer(),
    }
}

/// An OAuth call whose token was not in the query must carry it in the body.
pub fn check_body_auth(
    app: &App,
    credential: &Credential,
    params: &Map<String, Value>,
) -> Result<(), ApiError> {
    if *credential != Credential::OAuth(None) {
        return Ok(());
    }
    match params.get("auth").and_then(Value::as_str) {
        Some(token) if token == app.access_token => Ok(()),
        _ => Err(ApiError::no_auth()),
    }
}

async fn read_params(body: Incoming, received: &AtomicU64) -> Result<Map<String, Value>, ApiError> {
    let bytes = match Limited::new(body, MAX_BODY).collect().await {
        Ok(collected) => collected.to_bytes(),
        Err(error) if error.is::<http_body_util::LengthLimitError>() => {
            return Err(ApiError::too_large("Request body is larger than 16 MiB"))
        }
        Err(error) => {
            return Err(ApiError::core(format!(
                "Request body could not be read: {error}"
            )))
        }
    };
    received.store(bytes.len() as u64, Ordering::Relaxed);
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Ok(Map::new());
    }
    match serde_json::from_slice(&bytes) {
        Ok(Value::Object(params)) => Ok(params),
        _ => Err(ApiError::core("Request body is not a valid JSON object")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn query_parameters_are_decoded() {
        let params = query_params(Some("auth=a%2Fb&token=x+y&empty"));
        assert_eq!(params["auth"], "a/b");
        assert_eq!(params["token"], "x y");
        assert_eq!(params["empty"], "");
        assert_eq!(percent_decode("%zz%41"), "%zzA");
    }

    #[test]
    fn dates_look_like_the_portal_s() {
        let date = portal_date(UNIX_EPOCH + Duration::from_secs(1_773_136_191));
        assert_eq!(date, "2026-03-10T09:49:51+00:00");
    }
}
