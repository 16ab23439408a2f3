//! Turns the portal's answer into a result or a classified failure: by the
//! `error` code first, the HTTP status second; a body that is not JSON is a
//! transport error.

use std::time::Duration;

use reqwest::header::HeaderMap;
use reqwest::StatusCode;
use serde_json::Value;

use crate::failure::{Failure, Kind};
use crate::secret::redact_url;

/// What a failed attempt allows the retry loop to do.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Retry {
    /// The portal proves it did not process the request (503 QUERY_LIMIT_EXCEEDED).
    NotProcessed,
    /// Connecting failed: nothing reached the portal.
    NotSent,
    /// 5xx, timeout or a dropped connection after the request went out.
    MaybeProcessed,
    /// 429 OPERATION_TIME_LIMIT: the budget is back at this Unix time.
    AfterReset(Option<f64>),
    /// A 2xx the portal sent that cannot be used (not JSON, no `result`, sent
    /// before the whole body went out): the request probably landed. Never repeated.
    Unusable,
    Never,
}

#[derive(Debug)]
pub struct AttemptError {
    pub failure: Failure,
    pub retry: Retry,
    pub retry_after: Option<Duration>,
}

impl AttemptError {
    pub fn new(failure: Failure, retry: Retry) -> Self {
        AttemptError {
            failure,
            retry,
            retry_after: None,
        }
    }
}

/// The portal's texts for "this call is not (yet) in the statistics table".
pub fn is_call_not_ready(failure: &Failure) -> bool {
    let Some(description) = &failure.description else {
        return false;
    };
    let d = description.to_ascii_lowercase();
    failure.kind == Kind::Rejected
        && (d.contains("not found in the statistic") || d.contains("is not found. is it finished"))
}

/// A list answer's `next`: the `start` of the following page.
pub fn next_of(body: &[u8]) -> Option<u64> {
    #[derive(serde::Deserialize)]
    struct Next {
        next: Option<u64>,
    }
    serde_json::from_slice::<Next>(body).ok()?.next
}

pub fn classify(
    method: &str,
    status: StatusCode,
    headers: &HeaderMap,
    body: &[u8],
) -> Result<Value, AttemptError> {
    if status.is_redirection() {
        let target = headers
            .get(reqwest::header::LOCATION)
            .and_then(|v| v.to_str().ok())
            .map(redact_url)
            .unwrap_or_else(|| "an unnamed location".into());
        return Err(AttemptError::new(
            Failure::network(format!(
                "the portal answered {method} with HTTP {} redirecting to {target}; redirects are not followed",
                status.as_u16()
            ))
            .with_hint("put the final address (https, the portal's own host) in the profile or --webhook"),
            Retry::Never,
        ));
    }
    let json: Option<Value> = serde_json::from_slice(body).ok();
    let Some(Value::Object(object)) = json else {
        let content_type = headers
            .get(reqwest::header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("no content type");
        // A header is the portal's text too: short and printable only.
        let content_type: String = content_type
            .chars()
            .filter(|c| c.is_ascii_graphic() || *c == ' ')
            .take(60)
            .collect();
        return Err(AttemptError::new(
            Failure::network(format!(
                "unexpected answer to {method}: HTTP {} ({content_type}, {} bytes) is not a JSON object",
                status.as_u16(),
                body.len()
            ))
            .with_hint("a proxy or the web server answered instead of the REST API; check the portal URL and try again later"),
            if status.is_server_error() {
                Retry::MaybeProcessed
            } else if status.is_success() {
                Retry::Unusable
            } else {
                Retry::Never
            },
        ));
    };

    if let Some(code) = object.get("error").and_then(Value::as_str) {
        let description = object
            .get("error_description")
            .and_then(Value::as_str)
            .map(str::to_string);
        let kind = Kind::of_portal_code(code).unwrap_or(match status.as_u16() {
            401 | 403 => Kind::Auth,
            500..=599 => Kind::Network,
            _ => Kind::Rejected,
        });
        let mut failure = Failure::new(kind, headline(method, kind));
        failure.code = Some(code.to_string());
        failure.description = description;
        failure.hint = hint(code, failure.description.as_deref().unwrap_or(""));
        let retry = match code {
            "QUERY_LIMIT_EXCEEDED" => Retry::NotProcessed,
            "OVERLOAD_LIMIT" => Retry::Never,
            "OPERATION_TIME_LIMIT" => Retry::AfterReset(reset_at(&object)),
            _ if status.is_server_error() => Retry::MaybeProcessed,
            _ => Retry::Never,
        };
        return Err(AttemptError {
            failure,
            retry,
            retry_after: retry_after(headers),
        });
    }

    if status.is_success() {
        if let Some(result) = object.get("result") {
            return Ok(result.clone());
        }
    }
    Err(AttemptError::new(
        Failure::network(format!(
            "unexpected answer to {method}: HTTP {} without `result` or `error`",
            status.as_u16()
        )),
        if status.is_server_error() {
            Retry::MaybeProcessed
        } else if status.is_success() {
            Retry::Unusable
        } else {
            Retry::Never
        },
    ))
}

fn headline(method: &str, kind: Kind) -> String {
    match kind {
        Kind::Auth => format!("the portal refused the credentials for {method}"),
        Kind::RateLimited => format!("the portal limited {method}"),
        Kind::Network => format!("the portal failed on {method}"),
        _ => format!("the portal rejected {method}"),
    }
}

fn hint(code: &str, description: &str) -> Option<String> {
    let d = description.to_ascii_lowercase();
    let text = match code {
        "NO_AUTH_FOUND" | "INVALID_CREDENTIALS" => {
            "check the webhook URL or access token (a regenerated webhook gets a new code): `b24tel doctor`"
        }
        "expired_token" => "refresh the OAuth access token and set it again (access_token or B24TEL_ACCESS_TOKEN), \
             or put the app's client_id and client_secret in the profile and run `b24tel auth login` once so b24tel refreshes it",
        "insufficient_scope" => "give the webhook or app the `telephony` scope in Bitrix24, then run `b24tel doctor`",
        "ACCESS_DENIED" | "user_access_error" => "the webhook's user lacks access; use a webhook of a user with telephony rights",
        "INVALID_REQUEST" => "the portal wants HTTPS: use an https:// URL",
        "QUERY_LIMIT_EXCEEDED" => "too many requests: wait a moment, raise --retries, or pace a batch with --rate",
        "OVERLOAD_LIMIT" => "the portal has blocked REST calls; only Bitrix24 support can lift the block",
        "OPERATION_TIME_LIMIT" => "the method's time budget is spent; run again after the reset time",
        _ if d.contains("not found in the statistic") || d.contains("is not found. is it finished") => {
            "finish the call first (telephony.externalCall.finish), or wait for it with --wait-for-call SECS"
        }
        _ if d.contains("extension") => "only .mp3 and .wav records are accepted",
        _ => return None,
    };
    Some(text.to_string())
}

fn reset_at(object: &serde_json::Map<String, Value>) -> Option<f64> {
    object
        .get("operating_reset_at")
        .or_else(|| object.get("time").and_then(|t| t.get("operating_reset_at")))
        .and_then(Value::as_f64)
}

fn retry_after(headers: &HeaderMap) -> Option<Duration> {
    let value = headers
        .get(reqwest::header::RETRY_AFTER)?
        .to_str()
        .ok()?
        .trim();
    if let Ok(secs) = value.parse::<u64>() {
        return Some(Duration::from_secs(secs));
    }
    let when = humantime::parse_rfc3339_weak(value)
        .ok()
        .or_else(|| httpdate_to_system_time(value))?;
    Some(
        when.duration_since(std::time::SystemTime::now())
            .unwrap_or_default(),
    )
}

/// `Retry-After` may be an HTTP date (`Sun, 06 Nov 1994 08:49:37 GMT`).
fn httpdate_to_system_time(value: &str) -> Option<std::time::SystemTime> {
    let parts: Vec<&str> = value.split_whitespace().collect();
    if parts.len() != 6 || parts[5] != "GMT" {
        return None;
    }
    let months = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    let month = months.iter().position(|m| *m == parts[2])? + 1;
    let text = format!("{}-{:02}-{:0>2}T{}Z", parts[3], month, parts[1], parts[4]);
    humantime::parse_rfc3339(&text).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn answer(status: u16, body: &str) -> Result<Value, AttemptError> {
        classify(
            "m",
            StatusCode::from_u16(status).unwrap(),
            &HeaderMap::new(),
            body.as_bytes(),
        )
    }

    #[test]
    fn classified_by_code_not_status() {
        let e = answer(
            503,
            r#"{"error":"QUERY_LIMIT_EXCEEDED","error_description":"Too many requests"}"#,
        )
        .unwrap_err();
        assert_eq!(
            (e.failure.kind, e.retry),
            (Kind::RateLimited, Retry::NotProcessed)
        );
        let e = answer(503, r#"{"error":"OVERLOAD_LIMIT"}"#).unwrap_err();
        assert_eq!((e.failure.kind, e.retry), (Kind::RateLimited, Retry::Never));
        let e = answer(400, r#"{"error":"ERROR_CORE","error_description":"Call is not found in the statistic table. It looks like it is not finished yet."}"#).unwrap_err();
        assert_eq!(e.failure.kind, Kind::Rejected);
        assert!(is_call_not_ready(&e.failure));
        let e = answer(401, r#"{"error":"NO_AUTH_FOUND"}"#).unwrap_err();
        assert_eq!(e.failure.kind, Kind::Auth);
    }

    #[test]
    fn html_is_a_transport_error() {
        let e = answer(500, "<html>oops</html>").unwrap_err();
        assert_eq!(
            (e.failure.kind, e.retry),
            (Kind::Network, Retry::MaybeProcessed)
        );
        let e = answer(200, "<html>ok</html>").unwrap_err();
        assert_eq!((e.failure.kind, e.retry), (Kind::Network, Retry::Unusable));
        let e = answer(404, "<html>no</html>").unwrap_err();
        assert_eq!((e.failure.kind, e.retry), (Kind::Network, Retry::Never));
    }

    #[test]
    fn operation_time_limit_carries_reset() {
        let e = answer(
            429,
            r#"{"error":"OPERATION_TIME_LIMIT","time":{"operating_reset_at":1773136791}}"#,
        )
        .unwrap_err();
        assert_eq!(e.retry, Retry::AfterReset(Some(1773136791.0)));
    }

    #[test]
    fn http_date_retry_after_parses() {
        assert!(httpdate_to_system_time("Sun, 06 Nov 1994 08:49:37 GMT").is_some());
    }
}
