//! The HTTP side: connections, graceful shutdown, routing, authentication, the portal's
//! answer envelope, faults and the request log.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime};

use bytes::Bytes;
use hyper::body::Incoming;
use hyper::header::{CONTENT_TYPE, HOST, LOCATION};
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Request, Response, StatusCode};
use hyper_util::rt::TokioIo;
use serde_json::json;
use tokio::sync::{mpsc, watch};

use super::answer::{full, json_answer, success_answer, Answer, ApiError};
use super::app::App;
use super::app::Credential;
use super::body::{data_frames, discard};
use super::faults::{method_of, Refusal};
use super::form::parse_query;
use super::request::{self, RestCall};
use super::{batch, dispatch, page, record};

/// How long a stop waits for requests in flight.
const DRAIN_TIME: Duration = Duration::from_secs(10);

const ATTACH_RECORD: &str = "telephony.externalcall.attachrecord";

/// Accepts connections until `shutdown` changes, then lets requests in flight finish.
pub async fn serve(
    app: Arc<App>,
    listener: tokio::net::TcpListener,
    mut shutdown: watch::Receiver<bool>,
    tls: Option<tokio_rustls::TlsAcceptor>,
) {
    let (open_tx, mut open_rx) = mpsc::channel::<()>(1);
    loop {
        tokio::select! {
            _ = shutdown.changed() => break,
            accepted = listener.accept() => match accepted {
                Ok((stream, _)) => {
                    let _ = stream.set_nodelay(true);
                    let (app, shutdown, open) = (app.clone(), shutdown.clone(), open_tx.clone());
                    match tls.clone() {
                        None => {
                            tokio::spawn(serve_connection(app, stream, "http", shutdown, open));
                        }
                        Some(acceptor) => {
                            tokio::spawn(async move {
                                // A client that does not trust the CA fails here.
                                if let Ok(stream) = acceptor.accept(stream).await {
                                    serve_connection(app, stream, "https", shutdown, open).await;
                                }
                            });
                        }
                    }
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

async fn serve_connection<S>(
    app: Arc<App>,
    stream: S,
    scheme: &'static str,
    mut shutdown: watch::Receiver<bool>,
    _open: mpsc::Sender<()>,
) where
    S: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin + Send + 'static,
{
    let service = service_fn(move |request| handle(app.clone(), request, scheme));
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

async fn handle(
    app: Arc<App>,
    request: Request<Incoming>,
    scheme: &'static str,
) -> Result<Answer, DroppedAnswer> {
    let clock = Instant::now();
    let method = request.method().clone();
    let target = request
        .uri()
        .path_and_query()
        .map(|p| p.as_str().to_string())
        .unwrap_or_else(|| "/".into());
    let received = Arc::new(AtomicU64::new(0));
    let rest_method = method_of(&target);
    let (answer, dropped) = match app.faults.refuse(&rest_method) {
        Some(refusal) => {
            let answer = refusal_answer(&app, refusal, &request, &target);
            discard(data_frames(request.into_body(), &received)).await;
            (answer, false)
        }
        None => {
            let (answer, dropped_inside) = route(&app, request, &received, scheme).await;
            let dropped = app.faults.drops_answer(&rest_method) | dropped_inside;
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
            app.oauth
                .redact(&crate::secret::redact_url(&logged_target(&target))),
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

/// The target with repeated slashes in its path merged, so that the webhook code in
/// `/rest//1/CODE/` is found and redacted like any other.
fn logged_target(target: &str) -> String {
    match target.split_once('?') {
        Some((path, query)) => format!("{}?{query}", request::merge_slashes(path)),
        None => request::merge_slashes(target),
    }
}

fn refusal_answer(
    app: &App,
    refusal: Refusal,
    request: &Request<Incoming>,
    target: &str,
) -> Answer {
    match refusal {
        Refusal::Redirect => {
            let host = request
                .headers()
                .get(HOST)
                .and_then(|h| h.to_str().ok())
                .map(str::to_string)
                .unwrap_or_else(|| app.addr.to_string());
            let mut answer = Response::new(full(Bytes::new()));
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
            let mut answer = Response::new(full(page));
            *answer.status_mut() = StatusCode::INTERNAL_SERVER_ERROR;
            answer
                .headers_mut()
                .insert(CONTENT_TYPE, "text/html".parse().expect("static"));
            answer
        }
        limit => {
            let error = limit
                .limit_error()
                .expect("every other refusal is a portal limit");
            let mut body = error.body();
            if let Refusal::TimeLimit(reset_at) = limit {
                body["time"] = json!({"operating_reset_at": reset_at});
            }
            json_answer(error.status, body)
        }
    }
}

async fn route(
    app: &Arc<App>,
    request: Request<Incoming>,
    received: &Arc<AtomicU64>,
    scheme: &'static str,
) -> (Answer, bool) {
    let answer = |answer: Answer| (answer, false);
    let started = SystemTime::now();
    let path = request::merge_slashes(request.uri().path());
    if path.trim_end_matches('/') == "/oauth/token" {
        return answer(super::oauth::token(app, request, received, scheme).await);
    }
    if request.method() == hyper::Method::GET {
        if let Some(page) = page::serve(app, &path, request.headers()) {
            return answer(page);
        }
    }
    let target = match request::target(app, &path) {
        Ok(target) => target,
        Err(error) => {
            discard(data_frames(request.into_body(), received)).await;
            return answer(error.answer());
        }
    };
    // Refused before a possibly huge body is read.
    if target.method == ATTACH_RECORD && target.webhook && !app.has_scope("telephony") {
        discard(data_frames(request.into_body(), received)).await;
        return answer(ApiError::insufficient_scope().answer());
    }
    if target.method == "upload" {
        let query = parse_query(request.uri().query().unwrap_or_default());
        let credential = if target.webhook {
            Credential::Webhook
        } else {
            Credential::OAuth
        };
        return answer(record::upload(app, request, &query, &credential, received).await);
    }
    let RestCall {
        method,
        caller,
        params,
        content,
    } = match request::decode(app, target, request, received, scheme).await {
        Ok(call) => call,
        Err(error) => return answer(error.answer()),
    };
    let (result, dropped) = if method == "batch" {
        let batched = batch::run(app, &caller, &params).await;
        (batched.result, batched.dropped)
    } else {
        (
            dispatch::call(app, &caller, &method, &params, content).await,
            false,
        )
    };
    let answer = match result {
        Ok(success) => success_answer(success, started),
        Err(error) => error.answer(),
    };
    (answer, dropped)
}
