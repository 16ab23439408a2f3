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
use body::{BytesBody, Progress};
pub use body::{FileSource, StreamedBody};
pub use pace::Pacer;

use crate::config::{Auth, Profile};
use crate::failure::{Failure, Kind};
use crate::secret::SecretUrl;

const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
/// Longest wait for a 429 OPERATION_TIME_LIMIT reset before giving up.
const MAX_RESET_WAIT: Duration = Duration::from_secs(120);
const BACKOFF_BASE: Duration = Duration::from_millis(300);
const BACKOFF_CAP: Duration = Duration::from_secs(20);
/// Answers are small JSON; anything bigger is not the REST API talking.
const MAX_ANSWER: usize = 8 * 1024 * 1024;

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
    ui: Arc<dyn Observer>,
    pacer: Option<Pacer>,
    stop: Option<Arc<AtomicUsize>>,
    /// Kept to build a proxy-free client for a loopback upload URL.
    profile: Profile,
    /// The last answer's `next` (list methods), for `call_page`.
    next_start: std::cell::Cell<Option<u64>>,
}

enum Payload<'a> {
    Json(Vec<u8>),
    Streamed(&'a StreamedBody),
}

/// Where the client reports what people may want to see: retries, waits,
/// `-v` exchange lines and byte progress. The screen implements it (`output::Ui`);
/// the client knows nothing of terminals or flags.
pub trait Observer: Send + Sync {
    /// A retry or another thing that went wrong but not fatally.
    fn warn(&self, message: &str);
    /// A wait the user should know about.
    fn note(&self, message: &str);
    /// One line per HTTP exchange; `line` holds only redacted URLs.
    fn exchange(&self, line: &str);
    /// A byte progress bar for a streamed body, if one is wanted.
    fn progress_bar(&self, total: u64, label: &str) -> Option<indicatif::ProgressBar>;
}

/// Parameters of a `--dry-run` plan, with the redacted token where it would go.
#[derive(serde::Serialize)]
pub struct PlanParams<P: serde::Serialize> {
    #[serde(flatten)]
    params: P,
    #[serde(skip_serializing_if = "Option::is_none")]
    auth: Option<&'static str>,
}

impl Portal {
    pub fn new<O: Observer + Clone + 'static>(
        profile: &Profile,
        ui: &O,
    ) -> Result<Portal, Failure> {
        check_transport(profile.auth.base_url(), profile.allow_http)?;
        let http = build_client(profile, is_loopback_url(profile.auth.base_url()))?;
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
            ui: Arc::new(ui.clone()),
            pacer: None,
            stop: None,
            profile: profile.clone(),
            next_start: std::cell::Cell::new(None),
        })
    }
}

/// One client and one runtime for small calls and gigabyte bodies alike:
/// reqwest's blocking body path is far slower for large streamed bodies.
/// A loopback portal is never reached through a proxy (`HTTP_PROXY` would see
/// the webhook code in clear).
fn build_client(profile: &Profile, loopback: bool) -> Result<reqwest::Client, Failure> {
    {
        let mut builder = reqwest::Client::builder()
            .user_agent(concat!("b24tel/", env!("CARGO_PKG_VERSION")))
            .redirect(reqwest::redirect::Policy::none())
            .connect_timeout(CONNECT_TIMEOUT)
            .tcp_nodelay(true);
        if let Some(path) = &profile.ca_cert {
            let pem = std::fs::read(path).map_err(|e| {
                Failure::config(format!(
                    "cannot read ca_cert {}: {e}",
                    crate::failure::shown_path(path)
                ))
                .with_hint("point ca_cert at the PEM file of the portal's CA")
            })?;
            let certs = reqwest::Certificate::from_pem_bundle(&pem)
                .ok()
                .filter(|c| !c.is_empty())
                .ok_or_else(|| {
                    Failure::config(format!(
                        "ca_cert {} holds no PEM certificate",
                        crate::failure::shown_path(path)
                    ))
                    .with_hint("the file should contain -----BEGIN CERTIFICATE----- blocks")
                })?;
            for cert in certs {
                builder = builder.add_root_certificate(cert);
            }
        }
        if loopback {
            builder = builder.no_proxy();
        }
        builder
            .build()
            .map_err(|e| Failure::config(format!("cannot set up TLS: {}", error_chain(&e))))
    }
}

impl Portal {
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

    /// A `--dry-run` plan's parameters as the request would carry them: under
    /// OAuth with `"auth": "***"` where the body holds the token.
    pub fn plan_params<P: serde::Serialize>(&self, params: P) -> PlanParams<P> {
        PlanParams {
            params,
            auth: matches!(self.auth, Auth::OAuth { .. }).then_some("***"),
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

    /// Calls a list method; returns its `result` and the answer's `next` (the `start`
    /// of the following page), `None` on the last page.
    pub fn call_page<P: serde::Serialize + ?Sized>(
        &self,
        method: &str,
        params: &P,
    ) -> Result<(Value, Option<u64>), Failure> {
        self.next_start.set(None);
        let result = self.call(method, params, Repeat::Safe)?;
        Ok((result, self.next_start.take()))
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
        // A token another worker renewed may itself expire before this worker's
        // paced request leaves, so renew again; a token we fetched ourselves that is
        // refused at once means the clocks disagree.
        let mut used = session.access_token();
        for _ in 0..3 {
            match send() {
                Err(failure) if failure.code.as_deref() == Some("expired_token") => {
                    if session.renew(&used, &|url, form| self.post_form(url, form))? {
                        return send().map_err(|mut failure| {
                            if failure.code.as_deref() == Some("expired_token") {
                                failure.hint = Some(
                                    "the portal calls even the renewed token expired: check this \
                                     machine's clock, then run `b24tel auth refresh`"
                                        .into(),
                                );
                            }
                            failure
                        });
                    }
                    used = session.access_token();
                }
                other => return other,
            }
        }
        send()
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
        if is_loopback_url(upload_url.expose()) && !is_loopback_url(self.auth.base_url()) {
            // Never through a proxy: build the proxy-free client for this one URL.
            let local = Portal {
                runtime: tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                    .map_err(|e| {
                        Failure::new(Kind::Internal, format!("cannot start the runtime: {e}"))
                    })?,
                http: build_client(&self.profile, true)?,
                auth: self.auth.clone(),
                timeout: self.timeout,
                retries: self.retries,
                allow_http: self.allow_http,
                ui: self.ui.clone(),
                pacer: None,
                stop: self.stop.clone(),
                profile: self.profile.clone(),
                next_start: std::cell::Cell::new(None),
            };
            return local.exchange(
                "the upload URL",
                upload_url,
                || Payload::Streamed(&body),
                Repeat::Safe,
            );
        }
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
        // An absurd --wait-for-call means "as long as it takes", not an overflow.
        let now = Instant::now();
        let deadline = now
            .checked_add(wait)
            .or_else(|| now.checked_add(Duration::from_secs(100 * 365 * 86_400)))
            .unwrap_or(now);
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
                    self.pause(nap)?;
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
                // The portal says "too fast": its bucket is fuller than ours thinks;
                // retries still count against --retries and wait out Retry-After
                // (hammering a throttled portal gets the REST API blocked).
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
        if let Some(after) = error.retry_after.filter(|d| *d > MAX_RESET_WAIT) {
            // Asking again before the portal's Retry-After would hammer a
            // throttled portal; waiting longer than 120 s would hang a cron job.
            if !matches!(error.retry, Retry::Never | Retry::Unusable) && !out_of_retries {
                failure.message = format!(
                    "{} (the portal asks to wait {} s before trying again: Retry-After)",
                    failure.message,
                    after.as_secs()
                );
                return Err(failure);
            }
        }
        match error.retry {
            Retry::Never => Err(failure),
            Retry::Unusable => Err(if repeat == Repeat::OnlyIfNotProcessed {
                outcome_unknown(failure, true)
            } else {
                failure
            }),
            Retry::NotSent | Retry::NotProcessed if !out_of_retries => Ok(error
                .retry_after
                .map(|d| d.min(MAX_RESET_WAIT))
                .unwrap_or_else(|| backoff(attempt))),
            Retry::MaybeProcessed if repeat == Repeat::Safe && !out_of_retries => Ok(error
                .retry_after
                .map(|d| d.min(MAX_RESET_WAIT))
                .unwrap_or_else(|| backoff(attempt))),
            Retry::MaybeProcessed if repeat == Repeat::OnlyIfNotProcessed => {
                Err(outcome_unknown(failure, false))
            }
            Retry::AfterReset(reset_at) => {
                let now = SystemTime::now()
                    .duration_since(UNIX_EPOCH)
                    .unwrap_or_default()
                    .as_secs_f64();
                match reset_at.filter(|at| at.is_finite()) {
                    Some(at) if at - now <= MAX_RESET_WAIT.as_secs_f64() && !out_of_retries => {
                        // Finite and at most 120 s away: cannot overflow.
                        Ok(Duration::from_secs_f64((at - now).max(0.0) + 0.5))
                    }
                    Some(at) => {
                        failure.message = format!(
                            "{}: the method's time budget resets at {}",
                            failure.message,
                            reset_time(at)
                        );
                        Err(failure)
                    }
                    None if !out_of_retries => Ok(backoff(attempt)),
                    None => Err(failure),
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
        let (progress, body, content_type, body_len) = match payload {
            Payload::Json(bytes) => {
                let progress = Progress::new(None);
                let len = bytes.len() as u64;
                (
                    progress.clone(),
                    reqwest::Body::wrap(BytesBody::new(bytes, progress)),
                    "application/json".to_string(),
                    len,
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
                    streamed.len(),
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
                .map_err(|e| self.transport_error(method, url, &e, &progress))?;
            progress.touch();
            let status = response.status();
            let sent = progress.sent.load(Ordering::Relaxed);
            if status.is_success() && sent < body_len {
                return Err(AttemptError::new(
                    Failure::network(format!(
                        "the portal answered {method} with HTTP {} after only {sent} of {body_len} bytes were sent",
                        status.as_u16()
                    ))
                    .with_hint("an answer before the whole request arrived is not a success: a proxy or the server cut the request short; check the portal's upload limits and try again"),
                    Retry::Unusable,
                ));
            }
            let headers = response.headers().clone();
            let mut answer = Vec::new();
            while let Some(chunk) = response
                .chunk()
                .await
                .map_err(|e| self.transport_error(method, url, &e, &progress))?
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
                _ = answer_overdue(&progress, timeout) => Err(AttemptError::new(
                    Failure::network(format!(
                        "the answer to {method} did not arrive in full within {} s of sending the request",
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
        self.next_start.set(answer::next_of(&answer));
        answer::classify(method, status, &headers, &answer)
    }

    fn transport_error(
        &self,
        method: &str,
        url: &SecretUrl,
        error: &reqwest::Error,
        progress: &Progress,
    ) -> AttemptError {
        let chain = error_chain(error);
        let lower = chain.to_ascii_lowercase();
        let mut failure =
            Failure::network(format!("{method} to {} failed: {chain}", url.redacted()));
        if progress.source_failed.load(Ordering::Relaxed) {
            // The file changed under us: sending it again fails the same way.
            failure.kind = Kind::InvalidInput;
            failure = failure.with_hint(
                "the file changed while it was being sent; wait until whatever writes it has finished, then run again",
            );
            return AttemptError::new(failure, Retry::Never);
        }
        if lower.contains("certificate") || lower.contains("tls") || lower.contains("handshake") {
            failure = failure.with_hint(
                "the portal's TLS certificate is not trusted: for a private CA set ca_cert = \"/path/ca.pem\" in the profile",
            );
            if lower.contains("certificate") {
                // Not a passing fault: another attempt meets the same certificate.
                return AttemptError::new(failure, Retry::Never);
            }
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

/// Waits until the answer has taken `timeout` in all since the body was sent: a
/// trickled answer cannot hold a run forever, while an upload that keeps moving
/// is never cut off.
async fn answer_overdue(progress: &Progress, timeout: Duration) {
    loop {
        let wait = match progress.since_body_done() {
            // Nothing moved at all: that is the stall timeout's to report.
            Some(since) if since >= timeout && progress.idle() >= timeout => {
                Duration::from_millis(50)
            }
            Some(since) if since >= timeout => return,
            Some(since) => timeout - since,
            None => Duration::from_millis(200),
        };
        tokio::time::sleep(wait).await;
    }
}

/// A reset time as a date when it is one, else the number: never a panic.
fn reset_time(at: f64) -> String {
    // 253402300799 is 9999-12-31T23:59:59Z, the last time RFC 3339 can show.
    if at.is_finite() && (0.0..=253_402_300_799.0).contains(&at) {
        humantime::format_rfc3339_seconds(UNIX_EPOCH + Duration::from_secs(at as u64)).to_string()
    } else {
        format!("Unix time {at} (not a date b24tel can show; the portal sent an absurd value)")
    }
}

/// Marks a failure of a request that must not be repeated as of unknown outcome.
pub fn outcome_unknown(mut failure: Failure, probably_landed: bool) -> Failure {
    failure.outcome_unknown = true;
    failure.message = if probably_landed {
        format!(
            "{} (the outcome is unknown: the portal answered with success, so it probably landed)",
            failure.message
        )
    } else {
        format!("{} (the outcome is unknown)", failure.message)
    };
    failure.hint = Some(
        "the request may have reached the portal, so b24tel did not repeat it (that could attach it twice); \
         check the call in Bitrix24 (Telephony > Call history, or voximplant.statistic.get) before running it again"
            .into(),
    );
    failure
}

/// What a portal answer looks like, without any of its values (they may hold
/// tokens): `an object with keys uploadUrl, fieldName`.
pub fn shape_of(value: &Value) -> String {
    match value {
        Value::Null => "null".into(),
        Value::Bool(_) => "a boolean".into(),
        Value::Number(_) => "a number".into(),
        Value::String(_) => "a string".into(),
        Value::Array(items) => format!("an array of {} items", items.len()),
        Value::Object(map) if map.is_empty() => "an empty object".into(),
        Value::Object(map) => {
            let keys: Vec<String> = map
                .keys()
                .take(10)
                .map(|k| {
                    k.chars()
                        .filter(|c| c.is_ascii_alphanumeric() || *c == '_')
                        .take(40)
                        .collect()
                })
                .collect();
            let more = if map.len() > 10 { ", ..." } else { "" };
            format!("an object with keys {}{more}", keys.join(", "))
        }
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
        .with_hint("use the portal's https:// address; on a trusted network, allow_http is a profile key in the config file (no flag): add the line `allow_http = true` under [profiles.NAME] (`b24tel config path` shows the file)"));
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
