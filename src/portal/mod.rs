//! The Bitrix24 REST client every command uses: auth, JSON POSTs, streamed file
//! bodies, answer classification, retries, timeouts and redaction. It knows
//! nothing about recordings or transcripts.

mod answer;
pub mod body;
pub mod oauth;
mod pace;

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use reqwest::header::{ACCEPT, CONTENT_TYPE};
use serde_json::{Map, Value};

pub use answer::is_call_not_ready;
use answer::{AttemptError, Retry};
use body::Progress;
pub use body::{FileSource, StreamedBody};
pub use pace::Pacer;

use crate::config::{Auth, Profile};
use crate::failure::{Failure, Kind};
use crate::output::Ui;
use crate::secret::SecretUrl;

const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
/// Longest wait for a 429 OPERATION_TIME_LIMIT reset before giving up.
const MAX_RESET_WAIT: Duration = Duration::from_secs(120);
const BACKOFF_BASE: Duration = Duration::from_millis(300);
const BACKOFF_CAP: Duration = Duration::from_secs(20);
/// Answers are small JSON; anything bigger is not the REST API talking.
const MAX_ANSWER: usize = 8 * 1024 * 1024;
/// Tokens renewed by other workers an expired request may try before it fails.
const MAX_ADOPTED_TOKENS: u32 = 4;

/// May this request be sent again after it might have reached the portal?
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Repeat {
    /// Repeating is harmless (reads, attachRecord which replaces the record).
    Safe,
    /// Each call creates something (attachTranscription): repeat only when the
    /// portal proves it did not process the request.
    OnlyIfNotProcessed,
}

pub struct Portal {
    runtime: tokio::runtime::Runtime,
    http: reqwest::Client,
    auth: Auth,
    timeout: Duration,
    retries: u32,
    allow_http: bool,
    ui: Ui,
    pacer: Option<Pacer>,
    stop: Option<Arc<AtomicUsize>>,
}

enum Payload<'a> {
    Json(Vec<u8>),
    Streamed(&'a StreamedBody),
}

impl Portal {
    pub fn new(profile: &Profile, ui: &Ui) -> Result<Portal, Failure> {
        check_transport(profile.auth.base_url(), profile.allow_http)?;
        // One client and one runtime for small calls and gigabyte bodies alike:
        // reqwest's blocking body path is far slower for large streamed bodies.
        let mut builder = reqwest::Client::builder()
            .user_agent(concat!("b24tel/", env!("CARGO_PKG_VERSION")))
            .redirect(reqwest::redirect::Policy::none())
            .connect_timeout(CONNECT_TIMEOUT)
            .tcp_nodelay(true);
        if let Some(path) = &profile.ca_cert {
            let pem = std::fs::read(path).map_err(|e| {
                Failure::config(format!("cannot read ca_cert {}: {e}", path.display()))
                    .with_hint("point ca_cert at the PEM file of the portal's CA")
            })?;
            let certs = reqwest::Certificate::from_pem_bundle(&pem)
                .ok()
                .filter(|c| !c.is_empty())
                .ok_or_else(|| {
                    Failure::config(format!(
                        "ca_cert {} holds no PEM certificate",
                        path.display()
                    ))
                    .with_hint("the file should contain -----BEGIN CERTIFICATE----- blocks")
                })?;
            for cert in certs {
                builder = builder.add_root_certificate(cert);
            }
        }
        let http = builder
            .build()
            .map_err(|e| Failure::config(format!("cannot set up TLS: {}", error_chain(&e))))?;
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(|e| Failure::new(Kind::Internal, format!("cannot start the runtime: {e}")))?;
        Ok(Portal {
            runtime,
            http,
            auth: profile.auth.clone(),
            timeout: profile.timeout,
            retries: profile.retries,
            allow_http: profile.allow_http,
            ui: ui.clone(),
            pacer: None,
            stop: None,
        })
    }

    /// Paces every request (retries included) through a shared leaky bucket; a
    /// QUERY_LIMIT_EXCEEDED answer fills it, and counts against `--retries`.
    pub fn pace(&mut self, pacer: Pacer) {
        self.pacer = Some(pacer);
    }

    /// Waits (backoff, pacing) end early once `flag` holds a signal number.
    pub fn stop_on(&mut self, flag: Arc<AtomicUsize>) {
        self.stop = Some(flag);
    }

    /// Sleeps in short slices so a Ctrl-C is not kept waiting behind a backoff.
    fn pause(&self, total: Duration) -> Result<(), Failure> {
        let until = Instant::now() + total;
        loop {
            if let Some(signal) = self
                .stop
                .as_ref()
                .map(|s| s.load(Ordering::SeqCst))
                .filter(|s| *s != 0)
            {
                return Err(interrupted(signal));
            }
            let left = until.saturating_duration_since(Instant::now());
            if left.is_zero() {
                return Ok(());
            }
            std::thread::sleep(left.min(Duration::from_millis(100)));
        }
    }

    /// The method's URL with secrets redacted, for plans and logs.
    pub fn describe(&self, method: &str) -> String {
        self.method_url(method).redacted()
    }

    /// Calls a method with small JSON parameters; returns the answer's `result`.
    pub fn call<P: serde::Serialize + ?Sized>(
        &self,
        method: &str,
        params: &P,
        repeat: Repeat,
    ) -> Result<Value, Failure> {
        self.fresh_token(|| self.call_once(method, params, repeat))
    }

    fn call_once<P: serde::Serialize + ?Sized>(
        &self,
        method: &str,
        params: &P,
        repeat: Repeat,
    ) -> Result<Value, Failure> {
        let body = match &self.auth {
            Auth::OAuth { .. } => {
                let token = self.access_token();
                // The token goes last, without copying the parameters.
                let mut body = serde_json::to_vec(params).expect("parameters serialise");
                body.pop();
                if body.len() > 1 {
                    body.push(b',');
                }
                body.extend_from_slice(b"\"auth\":");
                body.extend_from_slice(
                    Value::String(token.expose().to_string())
                        .to_string()
                        .as_bytes(),
                );
                body.push(b'}');
                body
            }
            Auth::Webhook(_) => serde_json::to_vec(params).expect("parameters serialise"),
        };
        let url = self.method_url(method);
        self.exchange(method, &url, || Payload::Json(body.clone()), repeat)
    }

    /// Calls a method whose last parameter is a file sent as Base64, streamed.
    pub fn call_with_file(
        &self,
        method: &str,
        params: &Map<String, Value>,
        file_key: &str,
        file: FileSource,
        repeat: Repeat,
    ) -> Result<Value, Failure> {
        self.fresh_token(|| {
            let body =
                StreamedBody::json_with_file(&self.with_auth(params), file_key, file.clone());
            let url = self.method_url(method);
            self.exchange(method, &url, || Payload::Streamed(&body), repeat)
        })
    }

    /// The access token to send now: a refreshed one once expiry renewed it.
    fn access_token(&self) -> crate::secret::Secret {
        match &self.auth {
            Auth::OAuth {
                session: Some(session),
                ..
            } => session.access_token(),
            Auth::OAuth { token, .. } => token.clone(),
            Auth::Webhook(_) => crate::secret::Secret::new(""),
        }
    }

    /// Sends; on `expired_token` with an app profile, renews the token (one refresh
    /// for every worker and every run at once) and sends again. A token another
    /// worker renewed may itself have run out while this one waited in the pacer:
    /// that costs no refresh of this request's own, so it is tried too, a few times.
    fn fresh_token(&self, send: impl Fn() -> Result<Value, Failure>) -> Result<Value, Failure> {
        let Auth::OAuth {
            session: Some(session),
            ..
        } = &self.auth
        else {
            return send();
        };
        let mut adopted = 0;
        loop {
            let used = session.access_token();
            let failure = match send() {
                Err(failure) if failure.code.as_deref() == Some("expired_token") => failure,
                other => return other,
            };
            if adopted >= MAX_ADOPTED_TOKENS {
                return Err(failure);
            }
            if session.renew(&used, &|url, form| self.post_form(url, form))? {
                // This request's own refresh: repeat once, and only once.
                return send().map_err(|mut failure| {
                    if failure.code.as_deref() == Some("expired_token") {
                        failure.hint = Some(
                            "the portal calls even the renewed token expired: check this machine's clock, \
                             then run `b24tel auth refresh`"
                                .into(),
                        );
                    }
                    failure
                });
            }
            adopted += 1;
        }
    }

    /// POSTs a form to the OAuth token server; answers its JSON object, error or not.
    pub fn post_form(&self, url: &str, form: &[(&str, &str)]) -> Result<Value, Failure> {
        check_transport(url, self.allow_http)?;
        let started = Instant::now();
        let shown = crate::secret::redact_url(url);
        let request = self
            .http
            .post(url)
            .header(ACCEPT, "application/json")
            .form(form)
            .timeout(self.timeout);
        // Sent inside the runtime: the timeout needs its timer.
        let outcome = self.runtime.block_on(async {
            let response = request.send().await?;
            let status = response.status();
            let bytes = response.bytes().await?;
            Ok::<_, reqwest::Error>((status, bytes))
        });
        let status_text = match &outcome {
            Ok((status, _)) => status.as_u16().to_string(),
            Err(_) => "failed".into(),
        };
        self.ui.exchange(&format!(
            "POST {shown} {status_text} {}ms",
            started.elapsed().as_millis()
        ));
        let (status, bytes) = outcome.map_err(|e| {
            Failure::network(format!(
                "the token server {shown} failed: {}",
                error_chain(&e)
            ))
            .with_hint("check server_endpoint in the profile and that it is reachable from here")
        })?;
        match serde_json::from_slice::<Value>(&bytes) {
            Ok(value @ Value::Object(_)) => Ok(value),
            _ => Err(Failure::network(format!(
                "unexpected answer from the token server {shown}: HTTP {} ({} bytes) is not a JSON object",
                status.as_u16(),
                bytes.len()
            ))
            .with_hint("check server_endpoint in the profile; it should be the app's OAuth server")),
        }
    }

    /// POSTs a raw file as multipart/form-data to an upload URL the portal handed out.
    pub fn upload(
        &self,
        upload_url: &SecretUrl,
        field_name: &str,
        filename: &str,
        mime: &str,
        file: FileSource,
    ) -> Result<Value, Failure> {
        check_transport(upload_url.expose(), self.allow_http)?;
        let body = StreamedBody::multipart(field_name, filename, mime, file);
        self.exchange(
            "the upload URL",
            upload_url,
            || Payload::Streamed(&body),
            Repeat::Safe,
        )
    }

    /// Runs `attempt` again while the portal says the call is not found or not
    /// finished yet, for up to `wait` (`--wait-for-call`).
    pub fn until_call_ready<T>(
        &self,
        wait: Duration,
        mut attempt: impl FnMut() -> Result<T, Failure>,
    ) -> Result<T, Failure> {
        let deadline = Instant::now() + wait;
        let mut pause = Duration::from_secs(1);
        loop {
            match attempt() {
                Err(failure) if is_call_not_ready(&failure) && Instant::now() < deadline => {
                    let left = deadline.saturating_duration_since(Instant::now());
                    let nap = pause.min(left);
                    self.ui.note(&format!(
                        "the call is not finished in Bitrix24 yet; asking again in {:.0} s ({:.0} s left of --wait-for-call)",
                        nap.as_secs_f64().ceil(),
                        left.as_secs_f64()
                    ));
                    std::thread::sleep(nap);
                    pause = (pause * 2).min(Duration::from_secs(10));
                }
                other => return other,
            }
        }
    }

    fn method_url(&self, method: &str) -> SecretUrl {
        match &self.auth {
            Auth::Webhook(url) => SecretUrl::new(format!("{}{method}", url.expose())),
            Auth::OAuth { portal_url, .. } => SecretUrl::new(format!("{portal_url}/rest/{method}")),
        }
    }

    /// OAuth tokens travel in the body, never in the URL.
    fn with_auth(&self, params: &Map<String, Value>) -> Map<String, Value> {
        let mut params = params.clone();
        if let Auth::OAuth { .. } = &self.auth {
            let token = self.access_token();
            params.insert("auth".into(), Value::String(token.expose().to_string()));
        }
        params
    }

    fn exchange<'a>(
        &self,
        method: &str,
        url: &SecretUrl,
        payload: impl Fn() -> Payload<'a>,
        repeat: Repeat,
    ) -> Result<Value, Failure> {
        let mut attempt = 0u32;
        loop {
            if let Some(wait) = self.pacer.as_ref().map(Pacer::next) {
                self.pause(wait)?;
            }
            let error = match self.attempt(method, url, payload()) {
                Ok(result) => return Ok(result),
                Err(error) => error,
            };
            if error.retry == Retry::NotProcessed {
                // "Too fast": the portal's bucket is fuller than ours thinks.
                if let Some(pacer) = &self.pacer {
                    pacer.limited();
                }
            }
            let wait = self.next_wait(&error, repeat, attempt)?;
            attempt += 1;
            self.ui.warn(&format!(
                "{}; retrying in {:.1} s (retry {attempt} of {})",
                error.failure,
                wait.as_secs_f64(),
                self.retries
            ));
            self.pause(wait)?;
        }
    }

    /// How long to wait before the next attempt, or the failure to report.
    fn next_wait(
        &self,
        error: &AttemptError,
        repeat: Repeat,
        attempt: u32,
    ) -> Result<Duration, Failure> {
        let mut failure = error.failure.clone();
        let out_of_retries = attempt >= self.retries;
        match error.retry {
            Retry::Never => Err(failure),
            Retry::NotSent | Retry::NotProcessed if !out_of_retries => Ok(error
                .retry_after
                .map(|d| d.min(MAX_RESET_WAIT))
                .unwrap_or_else(|| backoff(attempt))),
            Retry::MaybeProcessed if repeat == Repeat::Safe && !out_of_retries => Ok(error
                .retry_after
                .map(|d| d.min(MAX_RESET_WAIT))
                .unwrap_or_else(|| backoff(attempt))),
            Retry::MaybeProcessed if repeat == Repeat::OnlyIfNotProcessed => {
                failure.message = format!("{} (the outcome is unknown)", failure.message);
                failure.hint = Some(
                    "the request may have reached the portal, so b24tel did not repeat it (that could attach it twice); \
                     check the call in Bitrix24 (Telephony > Call history, or voximplant.statistic.get) before running it again"
                        .into(),
                );
                Err(failure)
            }
            Retry::AfterReset(reset_at) if !out_of_retries => {
                let now = SystemTime::now()
                    .duration_since(UNIX_EPOCH)
                    .unwrap_or_default()
                    .as_secs_f64();
                match reset_at {
                    Some(at) if at - now <= MAX_RESET_WAIT.as_secs_f64() => {
                        Ok(Duration::from_secs_f64((at - now).max(0.0) + 0.5))
                    }
                    Some(at) => {
                        failure.message = format!(
                            "{}: the method's time budget resets at {}",
                            failure.message,
                            humantime::format_rfc3339_seconds(
                                UNIX_EPOCH + Duration::from_secs_f64(at.max(0.0))
                            )
                        );
                        Err(failure)
                    }
                    None => Ok(backoff(attempt)),
                }
            }
            _ => {
                if out_of_retries && self.retries > 0 {
                    failure.message =
                        format!("{} (after {} retries)", failure.message, self.retries);
                }
                Err(failure)
            }
        }
    }

    fn attempt(
        &self,
        method: &str,
        url: &SecretUrl,
        payload: Payload<'_>,
    ) -> Result<Value, AttemptError> {
        let started = Instant::now();
        let (progress, body, content_type) = match payload {
            Payload::Json(bytes) => {
                let progress = Progress::new(None);
                progress.sent.store(bytes.len() as u64, Ordering::Relaxed);
                (
                    progress,
                    reqwest::Body::from(bytes),
                    "application/json".to_string(),
                )
            }
            Payload::Streamed(streamed) => {
                let bar = self.ui.progress_bar(streamed.file_len(), streamed.label());
                let progress = Progress::new(bar);
                let channel = streamed.start(progress.clone());
                (
                    progress,
                    reqwest::Body::wrap(channel),
                    streamed.content_type.clone(),
                )
            }
        };
        progress.touch();
        let request = self
            .http
            .post(url.expose())
            .header(CONTENT_TYPE, content_type)
            .header(ACCEPT, "application/json")
            .body(body);
        let exchange = async {
            let mut response = request
                .send()
                .await
                .map_err(|e| self.transport_error(method, url, &e))?;
            progress.touch();
            let status = response.status();
            let headers = response.headers().clone();
            let mut answer = Vec::new();
            while let Some(chunk) = response
                .chunk()
                .await
                .map_err(|e| self.transport_error(method, url, &e))?
            {
                progress.touch();
                progress
                    .received
                    .fetch_add(chunk.len() as u64, Ordering::Relaxed);
                if answer.len() + chunk.len() > MAX_ANSWER {
                    return Err(AttemptError::new(
                        Failure::network(format!(
                            "the answer to {method} is larger than {MAX_ANSWER} bytes"
                        )),
                        Retry::Never,
                    ));
                }
                answer.extend_from_slice(&chunk);
            }
            Ok((status, headers, answer))
        };
        let timeout = self.timeout;
        let outcome = self.runtime.block_on(async {
            tokio::select! {
                outcome = exchange => outcome,
                _ = stalled(&progress, timeout) => Err(AttemptError::new(
                    Failure::network(format!(
                        "{method} made no progress for {} s and was given up",
                        timeout.as_secs()
                    ))
                    .with_hint("the portal or the network is slow: raise --timeout (or timeout_secs in the profile)"),
                    Retry::MaybeProcessed,
                )),
            }
        });
        progress.finish_bar();
        let status_text = match &outcome {
            Ok((status, _, _)) => status.as_u16().to_string(),
            Err(_) => "failed".into(),
        };
        self.ui.exchange(&format!(
            "POST {} {status_text} sent={}B received={}B {}ms",
            url.redacted(),
            progress.sent.load(Ordering::Relaxed),
            progress.received.load(Ordering::Relaxed),
            started.elapsed().as_millis()
        ));
        let (status, headers, answer) = outcome?;
        answer::classify(method, status, &headers, &answer)
    }

    fn transport_error(
        &self,
        method: &str,
        url: &SecretUrl,
        error: &reqwest::Error,
    ) -> AttemptError {
        let chain = error_chain(error);
        let lower = chain.to_ascii_lowercase();
        let mut failure =
            Failure::network(format!("{method} to {} failed: {chain}", url.redacted()));
        if lower.contains("certificate") || lower.contains("tls") || lower.contains("handshake") {
            failure = failure.with_hint(
                "the portal's TLS certificate is not trusted: for a private CA set ca_cert = \"/path/ca.pem\" in the profile",
            );
        } else if error.is_connect() {
            failure =
                failure.with_hint("check the portal address and that it is reachable from here");
        }
        let retry = if error.is_connect() {
            Retry::NotSent
        } else {
            Retry::MaybeProcessed
        };
        AttemptError::new(failure, retry)
    }
}

fn interrupted(signal: usize) -> Failure {
    let kind = if signal == 15 {
        Kind::Terminated
    } else {
        Kind::Interrupted
    };
    Failure::new(kind, "interrupted; stopped before the next request")
}

/// Waits until the exchange has made no progress for `timeout`.
async fn stalled(progress: &Progress, timeout: Duration) {
    loop {
        let idle = progress.idle();
        if idle >= timeout {
            return;
        }
        tokio::time::sleep(timeout - idle).await;
    }
}

fn backoff(attempt: u32) -> Duration {
    let ceiling = BACKOFF_BASE
        .saturating_mul(1u32 << attempt.min(16))
        .min(BACKOFF_CAP);
    // Jitter between half and all of the ceiling spreads out many cron jobs.
    let fraction = 0.5 + (body::random_u64() % 1000) as f64 / 2000.0;
    ceiling.mul_f64(fraction)
}

/// The error and its causes, without reqwest's own `for url (...)`, which would
/// print the secret.
fn error_chain(error: &reqwest::Error) -> String {
    let mut parts = Vec::new();
    let mut source = std::error::Error::source(error);
    while let Some(cause) = source {
        let text = cause.to_string();
        if !parts.contains(&text) {
            parts.push(text);
        }
        source = cause.source();
    }
    if parts.is_empty() {
        if error.is_timeout() {
            parts.push("timed out".into());
        } else if error.is_connect() {
            parts.push("connection failed".into());
        } else {
            parts.push("request failed".into());
        }
    }
    crate::secret::redact_url(&parts.join(": "))
}

pub fn is_loopback_url(url: &str) -> bool {
    let host = host_of(url);
    host == "localhost"
        || host == "[::1]"
        || host
            .parse::<std::net::Ipv4Addr>()
            .map(|ip| ip.is_loopback())
            .unwrap_or(false)
}

/// The host part of an absolute URL, without port or user info.
pub fn host_of(url: &str) -> String {
    let rest = url.split_once("://").map(|(_, r)| r).unwrap_or(url);
    let authority = rest.split(['/', '?', '#']).next().unwrap_or("");
    let authority = authority
        .rsplit_once('@')
        .map(|(_, h)| h)
        .unwrap_or(authority);
    if authority.starts_with('[') {
        return authority
            .split_inclusive(']')
            .next()
            .unwrap_or("")
            .to_ascii_lowercase();
    }
    authority
        .split(':')
        .next()
        .unwrap_or("")
        .to_ascii_lowercase()
}

/// Plain http is refused before any connection unless the host is loopback or
/// the profile allows it: the webhook code would cross the network in clear.
pub fn check_transport(url: &str, allow_http: bool) -> Result<(), Failure> {
    let lower = url.to_ascii_lowercase();
    if lower.starts_with("https://") {
        return Ok(());
    }
    if lower.starts_with("http://") {
        if allow_http || is_loopback_url(url) {
            return Ok(());
        }
        return Err(Failure::config(format!(
            "refusing plain http:// to {}: the webhook code or token would cross the network unencrypted",
            host_of(url)
        ))
        .with_hint("use the portal's https:// address, or set allow_http = true in the profile for a trusted network"));
    }
    Err(Failure::config(format!(
        "{} is not an http(s) URL",
        crate::secret::redact_url(url)
    )))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn loopback_hosts() {
        assert!(is_loopback_url("http://127.0.0.1:8024/rest/1/x/"));
        assert!(is_loopback_url("http://localhost/rest/1/x/"));
        assert!(is_loopback_url("http://[::1]:80/"));
        assert!(!is_loopback_url("http://127.example.com/"));
        assert!(!is_loopback_url("http://user@10.0.0.1/"));
    }

    #[test]
    fn http_refused_unless_loopback_or_allowed() {
        assert!(check_transport("http://portal.example/rest/1/x/", false).is_err());
        assert!(check_transport("http://portal.example/rest/1/x/", true).is_ok());
        assert!(check_transport("https://portal.example/", false).is_ok());
    }

    #[test]
    fn backoff_grows_and_is_capped() {
        assert!(backoff(0) <= BACKOFF_BASE);
        assert!(backoff(3) >= BACKOFF_BASE * 4);
        assert!(backoff(30) <= BACKOFF_CAP);
    }
}
