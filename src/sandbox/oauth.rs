//! The sandbox's OAuth server: `POST /oauth/token/` exchanges an authorization code
//! or a refresh token for a new pair, as `oauth.bitrix.info` does. Refresh tokens
//! rotate (each one works once), and with `--token-lifetime` access tokens expire.

use std::collections::{HashMap, HashSet};
use std::sync::atomic::AtomicU64;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use http_body_util::{BodyExt, Limited};
use hyper::body::Incoming;
use hyper::{Request, StatusCode};
use serde_json::{json, Value};

use super::answer::{json_answer, Answer, ApiError};
use super::app::App;
use super::form::parse_query;
use crate::portal::body::random_u64;

/// A token request is a short form; anything larger is not one.
const MAX_FORM: usize = 64 << 10;
/// What a real portal gives an access token when no lifetime is set.
const DEFAULT_LIFETIME_SECS: u64 = 3600;

/// The application's credentials and every token handed out.
pub struct Tokens {
    pub client_id: String,
    pub client_secret: String,
    /// Access tokens answer `expired_token` this long after they were issued.
    lifetime: Option<Duration>,
    inner: Mutex<Issued>,
}

#[derive(Default)]
struct Issued {
    /// Access token -> when it was issued.
    access: HashMap<String, Instant>,
    /// Refresh tokens not spent yet.
    refresh: HashSet<String>,
    /// Authorization codes not exchanged yet.
    codes: HashSet<String>,
    refreshes: u64,
}

/// The first pair, printed at start so a user can seed `auth login`.
pub struct Seed {
    pub access_token: String,
    pub refresh_token: String,
    pub auth_code: String,
}

impl Tokens {
    pub fn new(seed: &Seed, lifetime: Option<Duration>) -> Tokens {
        let mut issued = Issued::default();
        issued
            .access
            .insert(seed.access_token.clone(), Instant::now());
        issued.refresh.insert(seed.refresh_token.clone());
        issued.codes.insert(seed.auth_code.clone());
        Tokens {
            client_id: format!("local.{:016x}.sandbox", random_u64()),
            client_secret: random_hex(3),
            lifetime,
            inner: Mutex::new(issued),
        }
    }

    fn issued(&self) -> MutexGuard<'_, Issued> {
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Is this access token one we issued, and still alive?
    pub fn check(&self, token: &str) -> Result<(), ApiError> {
        let issued = self.issued();
        match issued.access.get(token) {
            None => Err(ApiError::no_auth()),
            Some(at) if self.lifetime.is_some_and(|life| at.elapsed() >= life) => Err(ApiError {
                status: StatusCode::UNAUTHORIZED,
                code: "expired_token",
                description: "The access token provided has expired.".into(),
            }),
            Some(_) => Ok(()),
        }
    }

    /// `text` with every token we issued shown as `***`, wherever it stands: a client
    /// that puts its token in a path segment must not find it in the log.
    pub fn redact(&self, text: &str) -> String {
        let issued = self.issued();
        let mut out = text.to_string();
        for token in issued.access.keys().chain(issued.refresh.iter()) {
            if !token.is_empty() && out.contains(token.as_str()) {
                out = out.replace(token.as_str(), "***");
            }
        }
        out
    }

    fn lifetime_secs(&self) -> u64 {
        self.lifetime
            .map(|d| d.as_secs().max(1))
            .unwrap_or(DEFAULT_LIFETIME_SECS)
    }
}

pub fn random_hex(words: usize) -> String {
    (0..words)
        .map(|_| format!("{:016x}", random_u64()))
        .collect()
}

fn oauth_error(status: StatusCode, code: &str, description: &str) -> Answer {
    json_answer(
        status,
        json!({"error": code, "error_description": description}),
    )
}

/// `POST /oauth/token/` (GET works too, as on oauth.bitrix.info): parameters from the
/// query string and an `application/x-www-form-urlencoded` body, the body winning.
pub async fn token(
    app: &Arc<App>,
    request: Request<Incoming>,
    received: &AtomicU64,
    scheme: &str,
) -> Answer {
    // Endpoints name the host and scheme the client used, as the upload URL does.
    let host = super::request::host_of(app, request.headers());
    let mut params = parse_query(request.uri().query().unwrap_or_default());
    let body = match Limited::new(request.into_body(), MAX_FORM).collect().await {
        Ok(collected) => collected.to_bytes(),
        Err(_) => {
            return oauth_error(
                StatusCode::BAD_REQUEST,
                "invalid_request",
                "The request body could not be read",
            )
        }
    };
    received.store(body.len() as u64, std::sync::atomic::Ordering::Relaxed);
    params.extend(parse_query(&String::from_utf8_lossy(&body)));
    let get = |key: &str| params.get(key).and_then(Value::as_str).unwrap_or("");

    let tokens = &app.oauth;
    if get("client_id") != tokens.client_id || get("client_secret") != tokens.client_secret {
        return oauth_error(
            StatusCode::UNAUTHORIZED,
            "invalid_client",
            "Invalid client credentials",
        );
    }
    let mut issued = tokens.issued();
    match get("grant_type") {
        "authorization_code" => {
            if !issued.codes.remove(get("code")) {
                return oauth_error(
                    StatusCode::BAD_REQUEST,
                    "invalid_grant",
                    "Invalid authorization code",
                );
            }
        }
        "refresh_token" => {
            // Spent on use: a second refresh with the same token is refused.
            if !issued.refresh.remove(get("refresh_token")) {
                return oauth_error(
                    StatusCode::BAD_REQUEST,
                    "invalid_grant",
                    "The refresh token is invalid or was already used",
                );
            }
            issued.refreshes += 1;
            if app.log {
                eprintln!(
                    "{} oauth refresh #{} (the old refresh token is spent)",
                    humantime::format_rfc3339_seconds(SystemTime::now()),
                    issued.refreshes
                );
            }
        }
        _ => {
            return oauth_error(
                StatusCode::BAD_REQUEST,
                "unsupported_grant_type",
                "grant_type must be authorization_code or refresh_token",
            )
        }
    }
    let access_token = random_hex(2);
    let refresh_token = random_hex(2);
    issued.access.insert(access_token.clone(), Instant::now());
    issued.refresh.insert(refresh_token.clone());
    drop(issued);
    let lifetime = tokens.lifetime_secs();
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default()
        .as_secs();
    json_answer(
        StatusCode::OK,
        json!({
            "access_token": access_token,
            "expires": now + lifetime,
            "expires_in": lifetime,
            "scope": app.scopes.join(","),
            "domain": host,
            "server_endpoint": format!("{scheme}://{host}/oauth/"),
            "status": "L",
            "client_endpoint": format!("{scheme}://{host}/rest/"),
            "member_id": "sandbox",
            "user_id": 1,
            "refresh_token": refresh_token,
        }),
    )
}
