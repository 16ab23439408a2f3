//! The portal's answers: the success envelope with its `time` block and the error
//! answers, as a real portal writes them.

use std::time::{SystemTime, UNIX_EPOCH};

use bytes::Bytes;
use http_body_util::Full;
use hyper::header::CONTENT_TYPE;
use hyper::{Response, StatusCode};
use serde_json::{json, Map, Value};

/// An answer's body: whole (JSON, pages) or streamed from a file (records).
pub type Body = http_body_util::combinators::BoxBody<Bytes, std::io::Error>;
pub type Answer = Response<Body>;

/// A body held whole in memory.
pub fn full(bytes: impl Into<Bytes>) -> Body {
    use http_body_util::BodyExt;
    Full::new(bytes.into())
        .map_err(|never| match never {})
        .boxed()
}

/// A portal error answer.
#[derive(Debug, Clone)]
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

    pub fn argument(description: impl Into<String>) -> Self {
        ApiError {
            status: StatusCode::BAD_REQUEST,
            code: "ERROR_ARGUMENT",
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

    pub fn method_not_found() -> Self {
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

    pub fn storage(error: std::io::Error) -> Self {
        ApiError {
            status: StatusCode::INTERNAL_SERVER_ERROR,
            code: "INTERNAL_SERVER_ERROR",
            description: format!(
                "Internal server error: the sandbox could not store a file: {error}"
            ),
        }
    }

    pub fn body(&self) -> Value {
        json!({"error": self.code, "error_description": self.description})
    }

    pub fn answer(&self) -> Answer {
        json_answer(self.status, self.body())
    }
}

/// A method's successful result; `total` is for list methods.
pub struct Success {
    pub result: Value,
    pub total: Option<usize>,
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

/// The `{"result", "next", "total", "time"}` envelope of a successful call.
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
    let mut answer = Response::new(full(body.to_string()));
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

/// The `time` block of an answer to a call that started at `started`.
pub fn time_block(started: SystemTime) -> Value {
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

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn dates_look_like_the_portal_s() {
        let date = portal_date(UNIX_EPOCH + Duration::from_secs(1_773_136_191));
        assert_eq!(date, "2026-03-10T09:49:51+00:00");
    }
}
