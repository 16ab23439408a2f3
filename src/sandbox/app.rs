//! What every handler shares: the portal's identity, its settings and its state, and who
//! is calling.

use std::net::SocketAddr;
use std::sync::{Mutex, MutexGuard};

use super::faults::Faults;
use super::state::PortalState;

/// Everything a request handler may need.
pub struct App {
    pub addr: SocketAddr,
    pub webhook_code: String,
    pub access_token: String,
    pub scopes: Vec<String>,
    pub log: bool,
    /// Refuse what a portal silently accepts wrongly.
    pub strict: bool,
    pub faults: Faults,
    pub state: Mutex<PortalState>,
    pub http: reqwest::Client,
    pub oauth: super::oauth::Tokens,
}

impl App {
    pub fn state(&self) -> MutexGuard<'_, PortalState> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    pub fn has_scope(&self, scope: &str) -> bool {
        self.scopes.iter().any(|s| s == scope)
    }

    /// A line in the request log about what a portal would do silently.
    pub fn note(&self, text: &str) {
        if self.log {
            eprintln!("sandbox: NOTE {text}");
        }
    }
}

/// How a request authenticated itself.
#[derive(Debug, Clone, PartialEq)]
pub enum Credential {
    /// `/rest/USER/CODE/method`.
    Webhook,
    /// `/rest/method` with the access token.
    OAuth,
}

/// Who is calling, and through which host name.
#[derive(Debug, Clone)]
pub struct Caller {
    pub credential: Credential,
    /// The `Host` the client used, for URLs handed back to it.
    pub host: String,
    pub scheme: &'static str,
    /// The access token an OAuth call came with: its upload URL carries that one, which
    /// after a refresh is no longer the token printed at start.
    pub token: Option<String>,
}

impl Caller {
    /// The upload URL the portal hands out for this kind of authentication.
    pub fn upload_url(&self, app: &App, token: &str) -> String {
        let Caller { scheme, host, .. } = self;
        match self.credential {
            Credential::Webhook => format!(
                "{scheme}://{host}/rest/1/{}/upload/?token={token}",
                app.webhook_code
            ),
            Credential::OAuth => format!(
                "{scheme}://{host}/rest/upload.json?auth={}&token={token}",
                self.token.as_deref().unwrap_or(&app.access_token)
            ),
        }
    }
}
