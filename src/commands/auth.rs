//! `b24tel auth login|status|refresh`: sign an OAuth application profile in once,
//! then let unattended runs refresh its tokens. No token is ever printed.

use std::io::Read;
use std::time::{Duration, UNIX_EPOCH};

use clap::{ArgGroup, Args, Subcommand};
use serde_json::{json, Map, Value};

use crate::cli::GlobalArgs;
use crate::failure::Failure;
use crate::output::Ui;
use crate::portal::oauth::{self, Grant, Status, TokenSession};
use crate::portal::Portal;

#[derive(Debug, Subcommand)]
pub enum Cmd {
    /// Sign an app profile in: exchange an authorization code or seed a refresh token
    Login(LoginArgs),
    /// Show the profile, its token expiry and token server (never a token)
    Status,
    /// Refresh the profile's tokens now
    Refresh,
}

#[derive(Debug, Args)]
#[command(group(ArgGroup::new("grant").required(true).args(["code", "refresh_token"])))]
pub struct LoginArgs {
    /// The authorization code from the app's redirect (`-` reads it from stdin)
    #[arg(long, value_name = "CODE")]
    pub code: Option<String>,

    /// A refresh token to start from (`-` reads it from stdin, keeping it out of `ps`)
    #[arg(long, value_name = "TOKEN")]
    pub refresh_token: Option<String>,
}

pub fn run(cmd: Cmd, global: &GlobalArgs, ui: &Ui) -> anyhow::Result<()> {
    let path = crate::config::config_path(global)?;
    let loaded = super::load_config(&path, ui)?;
    let (app, profile) = crate::config::resolve_app(global, &loaded)?;
    let app_id = app.client_id.clone();
    match cmd {
        Cmd::Status => {
            let session = TokenSession::open(app)?;
            ui.result(&shown(&session.status()));
        }
        Cmd::Refresh => {
            let session = TokenSession::open(app)?;
            if global.dry_run {
                let server = session.status().token_server;
                ui.result(&plan(&server, &app_id, "refresh_token"));
                return Ok(());
            }
            let portal = Portal::new(&profile, ui)?;
            session.refresh_now(&|url, form| portal.post_form(url, form))?;
            ui.result(&shown(&session.status()));
        }
        Cmd::Login(args) => {
            let secret = |value: String, flag: &str| -> Result<String, Failure> {
                let value = if value == "-" {
                    let mut text = String::new();
                    std::io::stdin()
                        .take(64 << 10)
                        .read_to_string(&mut text)
                        .map_err(|e| {
                            Failure::invalid(format!("cannot read {flag} from stdin: {e}"))
                        })?;
                    text.trim().to_string()
                } else {
                    value.trim().to_string()
                };
                if value.is_empty() {
                    return Err(Failure::invalid(format!("{flag} is empty")));
                }
                Ok(value)
            };
            let (grant_type, value) = match (args.code, args.refresh_token) {
                (Some(code), _) => ("authorization_code", secret(code, "--code")?),
                (None, Some(token)) => ("refresh_token", secret(token, "--refresh-token")?),
                (None, None) => unreachable!("clap requires one of them"),
            };
            let endpoint = app
                .server_endpoint
                .clone()
                .unwrap_or_else(|| oauth::DEFAULT_SERVER_ENDPOINT.to_string());
            if global.dry_run {
                ui.result(&plan(&endpoint, &app.client_id, grant_type));
                return Ok(());
            }
            let grant = match grant_type {
                "authorization_code" => Grant::Code(&value),
                _ => Grant::RefreshToken(&value),
            };
            let portal = Portal::new(&profile, ui)?;
            let status = oauth::login(&app, grant, &|url, form| portal.post_form(url, form))?;
            ui.result(&shown(&status));
        }
    }
    Ok(())
}

/// What may be shown of a token file: the profile, expiry and token server.
fn shown(status: &Status) -> Map<String, Value> {
    let now = std::time::SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default()
        .as_secs() as i64;
    // An absurd expiry from a token server or a hand-edited file is shown clamped to
    // the last second of year 9999, never a panic.
    let shown_at = status.expires_at.min(253_402_300_799);
    let expires_at =
        humantime::format_rfc3339_seconds(UNIX_EPOCH + Duration::from_secs(shown_at)).to_string();
    let mut fields = Map::new();
    fields.insert("profile".into(), json!(status.profile));
    fields.insert("expires_at".into(), json!(expires_at));
    fields.insert(
        "expires_in".into(),
        json!(i64::try_from(status.expires_at).unwrap_or(i64::MAX) - now),
    );
    fields.insert(
        "token_server".into(),
        json!(crate::secret::redact_url(&status.token_server)),
    );
    fields
}

fn plan(endpoint: &str, client_id: &str, grant_type: &str) -> Map<String, Value> {
    let endpoint = if endpoint.ends_with('/') {
        endpoint.to_string()
    } else {
        format!("{endpoint}/")
    };
    let secret_key = if grant_type == "authorization_code" {
        "code"
    } else {
        "refresh_token"
    };
    let mut fields = Map::new();
    fields.insert("method".into(), json!("POST"));
    fields.insert(
        "url".into(),
        json!(crate::secret::redact_url(&format!("{endpoint}token/"))),
    );
    fields.insert(
        "form".into(),
        json!({
            "grant_type": grant_type,
            "client_id": client_id,
            "client_secret": "***",
            secret_key: "***",
        }),
    );
    fields
}
