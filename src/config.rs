//! Profiles: the TOML config file, and the layering flag > environment > profile >
//! built-in default that turns it into the settings one run uses.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::{Deserialize, Serialize};

use crate::failure::{shown_path, Failure};
use crate::secret::{Secret, SecretUrl};

pub const DEFAULT_TIMEOUT_SECS: u64 = 60;
pub const DEFAULT_RETRIES: u32 = 3;
pub const ACCESS_TOKEN_ENV: &str = "B24TEL_ACCESS_TOKEN";
pub const CLIENT_SECRET_ENV: &str = "B24TEL_CLIENT_SECRET";

/// The config file as written on disk.
#[derive(Debug, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct ConfigFile {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub default_profile: Option<String>,
    #[serde(default)]
    pub profiles: BTreeMap<String, ProfileEntry>,
}

/// One `[profiles.NAME]` table.
#[derive(Debug, Default, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct ProfileEntry {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub webhook_url: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub portal_url: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub access_token: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub timeout_secs: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub retries: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ca_cert: Option<PathBuf>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub allow_http: Option<bool>,
    /// An OAuth application's id; with it, tokens live in `token_file` and are refreshed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub client_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub client_secret: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub token_file: Option<PathBuf>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub server_endpoint: Option<String>,
}

/// An OAuth application profile: what a refresh needs besides the token file.
#[derive(Debug, Clone)]
pub struct AppCredentials {
    pub profile: String,
    pub portal_url: String,
    pub client_id: String,
    pub client_secret: Secret,
    pub token_file: PathBuf,
    /// The token server to start with, when the token file names none.
    pub server_endpoint: Option<String>,
}

/// How requests authenticate.
#[derive(Debug, Clone)]
pub enum Auth {
    /// `https://PORTAL/rest/USER_ID/CODE/`: the method name is appended.
    Webhook(SecretUrl),
    /// `https://PORTAL`: methods go to `/rest/METHOD` with `auth` in the body.
    /// With a token session, `token` is only the first one and expiry refreshes it.
    OAuth {
        portal_url: String,
        token: Secret,
        session: Option<std::sync::Arc<crate::portal::oauth::TokenSession>>,
    },
}

impl Auth {
    /// The portal's base URL, for checks that do not need the secret.
    pub fn base_url(&self) -> &str {
        match self {
            Auth::Webhook(url) => url.expose(),
            Auth::OAuth { portal_url, .. } => portal_url,
        }
    }
}

/// The settings one run talks to the portal with, after layering.
#[derive(Debug, Clone)]
pub struct Profile {
    pub name: Option<String>,
    pub auth: Auth,
    pub timeout: Duration,
    pub retries: u32,
    pub ca_cert: Option<PathBuf>,
    pub allow_http: bool,
}

/// A loaded config file and where it came from.
#[derive(Debug)]
pub struct Loaded {
    pub path: PathBuf,
    pub file: Option<ConfigFile>,
    /// Set when the file's mode lets group or others read it.
    pub readable_by_others: bool,
}

/// What the command line (flags, and the environment clap read for them) says
/// about the settings; built from clap's arguments in `cli.rs`.
#[derive(Debug, Clone, Default)]
pub struct Overrides {
    pub config: Option<PathBuf>,
    pub profile: Option<String>,
    pub webhook: Option<String>,
    pub timeout: Option<u64>,
    pub retries: Option<u32>,
}

/// Where the config file is: `--config`/`B24TEL_CONFIG`, else the platform's config dir.
pub fn config_path(global: impl Into<Overrides>) -> Result<PathBuf, Failure> {
    let global = &global.into();
    if let Some(path) = &global.config {
        return Ok(path.clone());
    }
    dirs::config_dir()
        .map(|dir| dir.join("b24tel").join("config.toml"))
        .ok_or_else(|| {
            Failure::config("cannot tell where the config directory is")
                .with_hint("pass --config PATH or set B24TEL_CONFIG")
        })
}

/// Reads and parses the config file; a missing file is `file: None`, not an error.
pub fn load(path: &Path) -> Result<Loaded, Failure> {
    use crate::input::{read_capped, ReadError, CONFIG_CAP};
    let text = match read_capped(path, CONFIG_CAP, "config files") {
        Ok(bytes) => bytes,
        Err(ReadError::NotFound) => {
            return Ok(Loaded {
                path: path.to_path_buf(),
                file: None,
                readable_by_others: false,
            })
        }
        Err(e) => {
            return Err(Failure::config(format!(
                "cannot read config file {}",
                crate::input::describe(path, &e)
            ))
            .with_hint("check the file's permissions, or pass another file with --config"))
        }
    };
    let text = String::from_utf8(text).map_err(|_| {
        Failure::config(format!(
            "config file {} is not UTF-8 text",
            shown_path(path)
        ))
    })?;
    let file: ConfigFile = toml::from_str(&text).map_err(|e| parse_failure(path, &text, &e))?;
    Ok(Loaded {
        path: path.to_path_buf(),
        file: Some(file),
        readable_by_others: readable_by_others(path),
    })
}

fn parse_failure(path: &Path, text: &str, error: &toml::de::Error) -> Failure {
    let mut key = None;
    let place = match error.span() {
        Some(span) => {
            let start = span.start.min(text.len());
            let line = text[..start].matches('\n').count() + 1;
            let line_start = text[..start].rfind('\n').map(|i| i + 1).unwrap_or(0);
            key = text[line_start..]
                .split_once('=')
                .map(|(k, _)| k.trim().trim_matches('"').to_string())
                .filter(|k| {
                    !k.is_empty()
                        && k.chars()
                            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
                });
            format!("{}:{line}", shown_path(path))
        }
        None => shown_path(path),
    };
    let reason = safe_reason(error.message().trim(), key.as_deref());
    Failure::config(format!("invalid config file {place}: {reason}")).with_hint(
        "fix the line (config.example.toml shows every key), or start the file afresh with `b24tel config init -p NAME --webhook URL --force` (the old file is kept beside it as .bak)",
    )
}

/// The parser's reason without the value it could not take: a numeric
/// `access_token` or a webhook URL under `timeout_secs` must not be echoed.
fn safe_reason(message: &str, key: Option<&str>) -> String {
    let first = message.lines().next().unwrap_or("");
    if first.starts_with("invalid type") || first.starts_with("invalid value") {
        let expected = first
            .split_once("expected ")
            .map(|(_, e)| match e.trim() {
                "u64" | "u32" | "an integer" | "u16" => "a whole number >= 0",
                "a boolean" => "true or false",
                "a string" | "path string" | "a path" => "a quoted string",
                _ => "another type",
            })
            .unwrap_or("another type");
        return match key {
            Some(key) => format!("{key} must be {expected}"),
            None => format!("a value must be {expected}"),
        };
    }
    // Other reasons (syntax, unknown keys) name keys and tokens of TOML, but a
    // quoted fragment could still be a value: drop what is between backticks
    // unless it is a plain key name.
    let mut out = String::new();
    let mut parts = first.split('`');
    if let Some(head) = parts.next() {
        out.push_str(head);
    }
    for (i, part) in parts.enumerate() {
        if i % 2 == 0 {
            let plain = part.len() <= 40
                && part
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-' || c == '=');
            out.push('`');
            out.push_str(if plain { part } else { "..." });
            out.push('`');
        } else {
            out.push_str(part);
        }
    }
    out
}

#[cfg(unix)]
pub fn readable_by_others(path: &Path) -> bool {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(path)
        .map(|m| m.permissions().mode() & 0o077 != 0)
        .unwrap_or(false)
}

#[cfg(not(unix))]
pub fn readable_by_others(_path: &Path) -> bool {
    false
}

/// Layers flag > environment > profile > default into the settings of this run.
pub fn resolve(global: impl Into<Overrides>, loaded: &Loaded) -> Result<Profile, Failure> {
    let global = &global.into();
    let file = loaded.file.as_ref();
    // clap has already applied flag > env for --profile and --webhook.
    let chosen_name = global
        .profile
        .clone()
        .or_else(|| file.and_then(|f| f.default_profile.clone()));
    let entry = match &chosen_name {
        Some(name) => match file.and_then(|f| f.profiles.get(name)) {
            Some(entry) => Some(entry.clone()),
            None => return Err(missing_profile(name, loaded)),
        },
        None => None,
    };
    let entry_or_default = entry.clone().unwrap_or_default();
    let place = |key: &str| match &chosen_name {
        Some(name) => format!("{} [profiles.{name}] {key}", shown_path(&loaded.path)),
        None => key.to_string(),
    };

    let auth = if let Some(webhook) = &global.webhook {
        webhook_auth(webhook, "--webhook / B24TEL_WEBHOOK")?
    } else if let Some(webhook) = &entry_or_default.webhook_url {
        webhook_auth(webhook, &place("webhook_url"))?
    } else if let Some(portal_url) = &entry_or_default.portal_url {
        let token = std::env::var(ACCESS_TOKEN_ENV)
            .ok()
            .filter(|t| !t.is_empty())
            .or_else(|| entry_or_default.access_token.clone());
        let app = match (&token, &chosen_name) {
            (None, Some(name)) => app_credentials(name, &entry_or_default, loaded)?,
            _ => None,
        };
        if let Some(app) = app {
            let session = crate::portal::oauth::TokenSession::open(app)?;
            let auth = Auth::OAuth {
                portal_url: session.portal_url().to_string(),
                token: session.access_token(),
                session: Some(std::sync::Arc::new(session)),
            };
            return Ok(settings(
                chosen_name,
                auth,
                global,
                &entry_or_default,
                loaded,
            ));
        }
        let token = token.ok_or_else(|| {
            Failure::config(format!("{} has no access_token", place("portal_url"))).with_hint(
                format!("add access_token to the profile or set {ACCESS_TOKEN_ENV}"),
            )
        })?;
        let portal_url = portal_url.trim_end_matches('/').to_string();
        check_base_url(&portal_url, &place("portal_url"))?;
        Auth::OAuth {
            portal_url,
            token: Secret::new(token),
            session: None,
        }
    } else {
        return Err(match &chosen_name {
            Some(name) => Failure::config(format!(
                "profile '{name}' in {} has neither webhook_url nor portal_url",
                shown_path(&loaded.path)
            ))
            .with_hint("add webhook_url = \"https://PORTAL/rest/USER_ID/CODE/\" to the profile"),
            None if file.is_some_and(|f| !f.profiles.is_empty()) => Failure::config(format!(
                "no profile chosen in {} (profiles: {})",
                shown_path(&loaded.path),
                file.map(|f| f.profiles.keys().cloned().collect::<Vec<_>>().join(", "))
                    .unwrap_or_default()
            ))
            .with_hint(
                "pass -p NAME, set B24TEL_PROFILE, or add default_profile = \"NAME\" to the file",
            ),
            None => Failure::config("no portal configured").with_hint(
                "run `b24tel config init --webhook https://PORTAL/rest/USER_ID/CODE/`, \
                 or pass --webhook / set B24TEL_WEBHOOK",
            ),
        });
    };

    Ok(settings(
        chosen_name,
        auth,
        global,
        &entry_or_default,
        loaded,
    ))
}

/// The settings besides authentication, layered the same way.
fn settings(
    name: Option<String>,
    auth: Auth,
    global: &Overrides,
    entry: &ProfileEntry,
    loaded: &Loaded,
) -> Profile {
    let entry_or_default = entry.clone();
    Profile {
        name,
        auth,
        timeout: Duration::from_secs(
            global
                .timeout
                .or(entry_or_default.timeout_secs)
                .unwrap_or(DEFAULT_TIMEOUT_SECS)
                .max(1),
        ),
        retries: global
            .retries
            .or(entry_or_default.retries)
            .unwrap_or(DEFAULT_RETRIES),
        ca_cert: entry_or_default
            .ca_cert
            .map(|p| resolve_relative(&loaded.path, p)),
        allow_http: entry_or_default.allow_http.unwrap_or(false),
    }
}

/// For `auth`: the chosen profile's OAuth application, and settings to reach its
/// token server with (no token yet).
pub fn resolve_app(
    global: impl Into<Overrides>,
    loaded: &Loaded,
) -> Result<(AppCredentials, Profile), Failure> {
    let global = &global.into();
    let file = loaded.file.as_ref();
    let name = global
        .profile
        .clone()
        .or_else(|| file.and_then(|f| f.default_profile.clone()))
        .ok_or_else(|| {
            Failure::config("no profile chosen for `auth`")
                .with_hint("pass -p NAME of a profile with client_id and client_secret")
        })?;
    let entry = file
        .and_then(|f| f.profiles.get(&name))
        .cloned()
        .ok_or_else(|| missing_profile(&name, loaded))?;
    let app = app_credentials(&name, &entry, loaded)?.ok_or_else(|| {
        Failure::config(format!(
            "profile '{name}' in {} has no client_id: `auth` is for OAuth application profiles",
            loaded.path.display()
        ))
        .with_hint(
            "add portal_url, client_id and client_secret (or B24TEL_CLIENT_SECRET) to the profile",
        )
    })?;
    let auth = Auth::OAuth {
        portal_url: app.portal_url.clone(),
        token: Secret::new(""),
        session: None,
    };
    let profile = settings(Some(name), auth, global, &entry, loaded);
    Ok((app, profile))
}

/// The OAuth application of profile `name`, when it has a `client_id`.
pub fn app_credentials(
    name: &str,
    entry: &ProfileEntry,
    loaded: &Loaded,
) -> Result<Option<AppCredentials>, Failure> {
    let Some(client_id) = entry.client_id.clone() else {
        return Ok(None);
    };
    let place = |key: &str| format!("{} [profiles.{name}] {key}", loaded.path.display());
    let portal_url = entry
        .portal_url
        .as_deref()
        .map(|u| u.trim_end_matches('/').to_string())
        .ok_or_else(|| {
            Failure::config(format!(
                "{} is set but portal_url is not",
                place("client_id")
            ))
            .with_hint("add portal_url = \"https://PORTAL.bitrix24.com\" to the profile")
        })?;
    check_base_url(&portal_url, &place("portal_url"))?;
    let client_secret = std::env::var(CLIENT_SECRET_ENV)
        .ok()
        .filter(|s| !s.is_empty())
        .or_else(|| entry.client_secret.clone())
        .ok_or_else(|| {
            Failure::config(format!("{} has no client_secret", place("client_id"))).with_hint(
                format!("add client_secret to the profile or set {CLIENT_SECRET_ENV}"),
            )
        })?;
    let token_file = match &entry.token_file {
        Some(path) => resolve_relative(&loaded.path, path.clone()),
        None => dirs::config_dir()
            .map(|dir| {
                dir.join("b24tel")
                    .join("tokens")
                    .join(format!("{name}.json"))
            })
            .ok_or_else(|| {
                Failure::config("cannot tell where the config directory is")
                    .with_hint(format!("set token_file in {}", place("")))
            })?,
    };
    if let Some(endpoint) = &entry.server_endpoint {
        check_base_url(endpoint, &place("server_endpoint"))?;
    }
    Ok(Some(AppCredentials {
        profile: name.to_string(),
        portal_url,
        client_id,
        client_secret: Secret::new(client_secret),
        token_file,
        server_endpoint: entry.server_endpoint.clone(),
    }))
}

fn missing_profile(name: &str, loaded: &Loaded) -> Failure {
    match &loaded.file {
        None => Failure::config(format!(
            "profile '{name}' not found: config file {} does not exist",
            shown_path(&loaded.path)
        ))
        .with_hint(format!(
            "create it with `b24tel config init -p {name} --webhook https://PORTAL/rest/USER_ID/CODE/`"
        )),
        Some(file) => {
            let known: Vec<&str> = file.profiles.keys().map(String::as_str).collect();
            let known = if known.is_empty() {
                "none".to_string()
            } else {
                known.join(", ")
            };
            Failure::config(format!(
                "profile '{name}' not found in {} (profiles: {known})",
                shown_path(&loaded.path)
            ))
            .with_hint(format!(
                "pick one of them with -p, or add it with `b24tel config init -p {name} --webhook URL`"
            ))
        }
    }
}

/// A `ca_cert` relative path is taken from the config file's folder.
fn resolve_relative(config_path: &Path, path: PathBuf) -> PathBuf {
    if path.is_absolute() {
        path
    } else {
        config_path.parent().unwrap_or(Path::new(".")).join(path)
    }
}

/// Checks the shape `http(s)://HOST/rest/USER_ID/CODE/` and normalises the trailing slash.
pub fn webhook_auth(url: &str, place: &str) -> Result<Auth, Failure> {
    let url = url.trim();
    let shape_hint = "an inbound webhook URL looks like https://PORTAL/rest/USER_ID/CODE/ \
                      (Bitrix24: Developer resources > Other > Inbound webhook)";
    check_base_url(url, place)?;
    let after_scheme = url.split_once("://").map(|(_, rest)| rest).unwrap_or("");
    let path = after_scheme.split_once('/').map(|(_, p)| p).unwrap_or("");
    let segments: Vec<&str> = path.split('/').filter(|s| !s.is_empty()).collect();
    let ok = segments.len() >= 3
        && segments[segments.len() - 3] == "rest"
        && segments[segments.len() - 2]
            .bytes()
            .all(|b| b.is_ascii_digit())
        && !url.contains('?');
    if !ok {
        // Only the host is shown: a malformed URL may still hold the code.
        return Err(Failure::config(format!(
            "{place}: the URL for {} is not an inbound webhook URL",
            crate::portal::host_of(url)
        ))
        .with_hint(shape_hint));
    }
    // `https://HOST/rest/1//CODE/` works on some portals; one slash each is the
    // URL's meaning, and the only shape logs and redaction then need to know.
    let (scheme, rest) = url.split_once("://").unwrap_or(("https", url));
    let mut normalised = format!("{scheme}://");
    let mut last = '\0';
    for c in rest.chars() {
        if !(c == '/' && last == '/') {
            normalised.push(c);
        }
        last = c;
    }
    if !normalised.ends_with('/') {
        normalised.push('/');
    }
    Ok(Auth::Webhook(SecretUrl::new(normalised)))
}

fn check_base_url(url: &str, place: &str) -> Result<(), Failure> {
    let lower = url.to_ascii_lowercase();
    let rest = lower
        .strip_prefix("https://")
        .or_else(|| lower.strip_prefix("http://"));
    match rest {
        Some(rest) if !rest.is_empty() && !rest.starts_with('/') => Ok(()),
        _ => Err(Failure::config(format!(
            "{place}: {} is not an http(s) URL with a host",
            crate::secret::redact_url(url)
        ))
        .with_hint("write it as https://your-portal.bitrix24.com/...")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn webhook_shape_is_checked_and_normalised() {
        match webhook_auth("https://x.bitrix24.com/rest/1/abc", "t").unwrap() {
            Auth::Webhook(url) => assert_eq!(url.expose(), "https://x.bitrix24.com/rest/1/abc/"),
            other => panic!("{other:?}"),
        }
        match webhook_auth("https://x.bitrix24.com//rest/1//abc", "t").unwrap() {
            Auth::Webhook(url) => assert_eq!(url.expose(), "https://x.bitrix24.com/rest/1/abc/"),
            other => panic!("{other:?}"),
        }
        assert!(webhook_auth("https://x.bitrix24.com/", "t").is_err());
        assert!(webhook_auth("ftp://x/rest/1/abc/", "t").is_err());
        let error = webhook_auth("https://x/rest/one/abc/", "t").unwrap_err();
        assert!(!error.to_string().contains("abc"), "{error}");
    }

    #[test]
    fn type_errors_name_key_and_type_only() {
        let text = "[profiles.a]\nportal_url = \"https://h\"\naccess_token = 918273645\n";
        let error = toml::from_str::<ConfigFile>(text).unwrap_err();
        let failure = parse_failure(Path::new("c.toml"), text, &error);
        assert!(!failure.to_string().contains("918273645"), "{failure}");
        assert!(
            failure
                .to_string()
                .contains("access_token must be a quoted string"),
            "{failure}"
        );
    }
}

#[cfg(test)]
mod example_tests {
    use super::*;

    /// The documented example must stay a valid config with every key in it.
    #[test]
    fn config_example_parses_and_names_every_key() {
        let text = include_str!("../config.example.toml");
        let file: ConfigFile = toml::from_str(text).unwrap();
        assert_eq!(file.default_profile.as_deref(), Some("office"));
        let office = &file.profiles["office"];
        assert!(
            office.webhook_url.is_some()
                && office.timeout_secs.is_some()
                && office.retries.is_some()
        );
        assert!(office.ca_cert.is_some() && office.allow_http.is_some());
        let app = &file.profiles["app"];
        assert!(app.portal_url.is_some() && app.access_token.is_some());
        let cron = &file.profiles["cron"];
        assert!(cron.client_id.is_some() && cron.client_secret.is_some());
        assert!(cron.token_file.is_some() && cron.server_endpoint.is_some());
    }
}
