//! `b24tel doctor`: the checklist a PBX admin runs when something does not attach.

use serde_json::{json, Map, Value};

use crate::cli::GlobalArgs;
use crate::config::{self, Auth};
use crate::failure::{Failure, Kind};
use crate::output::Ui;
use crate::portal::{self, Portal, Repeat};

/// One line of a checklist (`doctor`, `smoke`).
pub struct Check {
    pub name: &'static str,
    pub ok: bool,
    pub detail: String,
    pub failure: Option<Failure>,
}

pub fn pass(name: &'static str, detail: impl Into<String>) -> Check {
    Check {
        name,
        ok: true,
        detail: detail.into(),
        failure: None,
    }
}

pub fn fail(name: &'static str, failure: &Failure) -> Check {
    let mut detail = failure.to_string();
    if let Some(hint) = &failure.hint {
        detail = format!("{detail}; {hint}");
    }
    Check {
        name,
        ok: false,
        detail,
        failure: Some(failure.clone()),
    }
}

/// What doctor checks, in order, for `--dry-run`.
const PLAN: [(&str, &str); 10] = [
    ("config file", "found, parses, not readable by others"),
    ("profile", "the profile or --webhook resolves"),
    (
        "portal url",
        "https or loopback; an inbound webhook URL's shape /rest/USER/CODE/",
    ),
    ("connection", "the portal answers `profile` over TLS"),
    (
        "clock",
        "the local clock against the portal's `server.time`",
    ),
    (
        "authentication",
        "the webhook or token is accepted (`profile`)",
    ),
    ("telephony scope", "`scope` includes telephony"),
    (
        "call statistics",
        "`voximplant.statistic.get` is allowed (batch, --if-absent, call show/list)",
    ),
    (
        "token file",
        "OAuth profiles: the token file is private, parses, its expiry, a refresh is possible",
    ),
    (
        "ffmpeg",
        "found on PATH or not, and which recording codecs need it",
    ),
];

pub fn run(global: &GlobalArgs, ui: &Ui) -> anyhow::Result<()> {
    if global.dry_run {
        let rows: Vec<Value> = PLAN
            .iter()
            .map(|(name, detail)| json!({"name": name, "ok": null, "detail": format!("would check: {detail}")}))
            .collect();
        if ui.is_json() {
            ui.result(&crate::output::fields([
                ("dry_run", json!(true)),
                ("checks", Value::Array(rows)),
            ]));
        } else {
            let rows: Vec<Map<String, Value>> = rows
                .into_iter()
                .filter_map(|r| r.as_object().cloned())
                .collect();
            ui.rows(&["name", "detail"], &rows);
        }
        return Ok(());
    }
    let mut checks = checks(global, ui);
    // Local and independent of the portal, so it is reported even when a portal check stopped.
    checks.push(ffmpeg_check());
    report(ui, "doctor", &checks, Map::new())
}

/// Prints a checklist (table, or `{"checks": [...], ...extra}`) and fails with the
/// first failed check's class, its name leading the message.
pub fn report(
    ui: &Ui,
    command: &str,
    checks: &[Check],
    extra: Map<String, Value>,
) -> anyhow::Result<()> {
    let rows: Vec<Map<String, Value>> = checks
        .iter()
        .map(|c| {
            let mut row = Map::new();
            row.insert("name".into(), json!(c.name));
            row.insert("ok".into(), json!(c.ok));
            row.insert("detail".into(), json!(c.detail));
            if ui.is_json() {
                return row;
            }
            if !c.ok && c.failure.is_none() {
                row.insert("required".into(), json!(false));
            }
            row
        })
        .collect();
    if ui.is_json() {
        let mut fields = Map::new();
        fields.insert(
            "checks".into(),
            Value::Array(rows.into_iter().map(Value::Object).collect()),
        );
        fields.extend(extra);
        ui.result(&fields);
    } else {
        let rows: Vec<Map<String, Value>> = rows
            .into_iter()
            .map(|mut row| {
                let mark = if row["ok"] == json!(true) {
                    "ok"
                } else if row["required"] == json!(false) {
                    "warn"
                } else {
                    "FAIL"
                };
                row.remove("required");
                row.insert("ok".into(), json!(mark));
                row
            })
            .collect();
        ui.rows(&["ok", "name", "detail"], &rows);
        for (key, value) in extra {
            if !value.is_null() {
                ui.note(&format!(
                    "{key}: {}",
                    value
                        .as_str()
                        .map_or_else(|| value.to_string(), str::to_string)
                ));
            }
        }
    }
    // The exit code is the first failed check's class; its message leads.
    match checks
        .iter()
        .find_map(|c| c.failure.clone().map(|f| (c.name, f)))
    {
        None => Ok(()),
        Some((name, mut failure)) => {
            failure.message = format!("{command}: {name}: {}", failure.message);
            Err(failure.into())
        }
    }
}

/// The raw webhook URL as the user wrote it, before it was normalised.
fn written_webhook(
    global: &GlobalArgs,
    loaded: &config::Loaded,
    profile: &config::Profile,
) -> Option<String> {
    if let Some(url) = &global.webhook {
        return Some(url.clone());
    }
    let name = profile.name.as_ref()?;
    loaded
        .file
        .as_ref()?
        .profiles
        .get(name)?
        .webhook_url
        .clone()
}

/// `https://HOST/rest/USER/CODE/` and nothing else; a missing slash is only noted.
pub fn webhook_shape(url: &str) -> Result<Option<String>, Failure> {
    let after_scheme = url.trim().split_once("://").map_or("", |(_, rest)| rest);
    let path = after_scheme.split_once('/').map_or("", |(_, p)| p);
    let segments: Vec<&str> = path.trim_end_matches('/').split('/').collect();
    let exact = segments.len() == 3
        && segments[0] == "rest"
        && !segments[1].is_empty()
        && segments[1].bytes().all(|b| b.is_ascii_digit())
        && !segments[2].is_empty()
        && !segments[2].ends_with(".json");
    if !exact {
        // Only `rest` and short numbers are shown: any other segment may be the code.
        let shown: Vec<&str> = segments
            .iter()
            .map(|s| {
                let number =
                    !s.is_empty() && s.len() <= 10 && s.bytes().all(|b| b.is_ascii_digit());
                if *s == "rest" || number {
                    s
                } else {
                    "***"
                }
            })
            .collect();
        return Err(Failure::config(format!(
            "the webhook URL's path is /{}, not /rest/USER/CODE/",
            shown.join("/")
        ))
        .with_hint("copy the URL exactly as Bitrix24 shows it (Developer resources > Other > Inbound webhook), ending in /rest/USER_ID/CODE/"));
    }
    Ok((!url.trim().ends_with('/')).then(|| {
        "no trailing slash: b24tel adds it; other tools may append the method to the code"
            .to_string()
    }))
}

/// How far the portal's clock is from ours, in seconds (positive: the portal is ahead).
fn clock_skew(client: &Portal) -> Result<Option<f64>, Failure> {
    let before = std::time::SystemTime::now();
    let answer = match client.call("server.time", &Map::new(), Repeat::Safe) {
        Ok(answer) => answer,
        Err(f) if f.code.as_deref() == Some("ERROR_METHOD_NOT_FOUND") => return Ok(None),
        Err(f) => return Err(f),
    };
    let after = std::time::SystemTime::now();
    let Some(server) = answer.as_str().and_then(crate::call::parse_iso8601) else {
        return Err(Failure::network(format!(
            "unexpected answer to server.time: {answer}"
        )));
    };
    let rtt = after.duration_since(before).unwrap_or_default();
    let middle = before + rtt / 2;
    Ok(Some(match server.duration_since(middle) {
        Ok(ahead) => ahead.as_secs_f64(),
        Err(behind) => -behind.duration().as_secs_f64(),
    }))
}

/// Clocks further apart than this give wrong CALL_START_DATEs and --since windows.
const MAX_SKEW_SECS: f64 = 120.0;

fn checks(global: &GlobalArgs, ui: &Ui) -> Vec<Check> {
    let mut checks = Vec::new();
    let path = match config::config_path(global) {
        Ok(path) => path,
        Err(f) => {
            checks.push(fail("config file", &f));
            return checks;
        }
    };
    let loaded = match config::load(&path) {
        Ok(loaded) => loaded,
        Err(f) => {
            checks.push(fail("config file", &f));
            return checks;
        }
    };
    match (&loaded.file, loaded.readable_by_others) {
        (None, _) if global.webhook.is_some() => checks.push(pass(
            "config file",
            format!(
                "{} not found; using --webhook / B24TEL_WEBHOOK",
                path.display()
            ),
        )),
        (None, _) => checks.push(fail(
            "config file",
            &Failure::config(format!("{} not found", path.display()))
                .with_hint("create it with `b24tel config init -p NAME --webhook URL`"),
        )),
        (Some(_), true) => checks.push(fail(
            "config file",
            &Failure::config(format!("{} is readable by other users", path.display()))
                .with_hint(format!("chmod 600 {}", path.display())),
        )),
        (Some(_), false) => {
            checks.push(pass("config file", format!("{} (private)", path.display())))
        }
    }

    // An OAuth app's token file is read while the profile resolves: check it first,
    // so a missing or open token file is named as such, not as a bad profile.
    let token_file = token_file_check(global, &loaded);
    if let Some(check) = token_file.as_ref().filter(|c| c.failure.is_some()) {
        checks.push(fail_again(check));
        return checks;
    }
    let profile = match config::resolve(global, &loaded) {
        Ok(profile) => profile,
        Err(f) => {
            checks.push(fail("profile", &f));
            return checks;
        }
    };
    let how = match &profile.auth {
        Auth::Webhook(_) => "webhook",
        Auth::OAuth { .. } => "OAuth token",
    };
    let source = if global.webhook.is_some() {
        "--webhook / B24TEL_WEBHOOK".to_string()
    } else {
        profile
            .name
            .clone()
            .map(|n| format!("profile '{n}'"))
            .unwrap_or_default()
    };
    checks.push(pass("profile", format!("{source} ({how})")));

    let base = crate::secret::redact_url(profile.auth.base_url());
    if let Err(f) = portal::check_transport(profile.auth.base_url(), profile.allow_http) {
        checks.push(fail("portal url", &f));
        return checks;
    }
    let shape = match (&profile.auth, written_webhook(global, &loaded, &profile)) {
        (Auth::Webhook(_), Some(url)) => webhook_shape(&url),
        _ => Ok(None),
    };
    match shape {
        Ok(None) => checks.push(pass("portal url", base)),
        Ok(Some(note)) => checks.push(pass("portal url", format!("{base} ({note})"))),
        Err(f) => {
            checks.push(fail("portal url", &f));
            return checks;
        }
    }

    let client = match Portal::new(&profile, ui) {
        Ok(client) => client,
        Err(f) => {
            checks.push(fail("connection", &f));
            return checks;
        }
    };
    match client.call("profile", &Map::new(), Repeat::Safe) {
        Ok(user) => {
            checks.push(pass(
                "connection",
                format!("{} answered", portal::host_of(profile.auth.base_url())),
            ));
            checks.push(match clock_skew(&client) {
                Ok(None) => pass("clock", "the portal has no server.time; not compared"),
                Ok(Some(skew)) if skew.abs() <= MAX_SKEW_SECS => {
                    pass("clock", format!("within {:.0} s of the portal", skew.abs().ceil()))
                }
                Ok(Some(skew)) => fail(
                    "clock",
                    &Failure::config(format!(
                        "this machine's clock is {:.0} s {} the portal's",
                        skew.abs(),
                        if skew > 0.0 { "behind" } else { "ahead of" }
                    ))
                    .with_hint("sync the clock (e.g. `timedatectl set-ntp true`): call start dates and `call list --since` depend on it"),
                ),
                Err(f) => fail("clock", &f),
            });
            let name = [user.get("NAME"), user.get("LAST_NAME")]
                .iter()
                .filter_map(|v| v.and_then(Value::as_str))
                .collect::<Vec<_>>()
                .join(" ");
            let id = user
                .get("ID")
                .map(|v| v.to_string().trim_matches('"').to_string())
                .unwrap_or_default();
            checks.push(pass(
                "authentication",
                format!("user {id} {name}").trim().to_string(),
            ));
        }
        Err(f) if f.kind == Kind::Network || f.kind == Kind::Config => {
            checks.push(fail("connection", &f));
            return checks;
        }
        Err(f) => {
            checks.push(pass("connection", "the portal answered"));
            checks.push(fail("authentication", &f));
            return checks;
        }
    }

    match client.call("scope", &Map::new(), Repeat::Safe) {
        Ok(Value::Array(scopes)) => {
            let names: Vec<&str> = scopes.iter().filter_map(Value::as_str).collect();
            if names.contains(&"telephony") {
                checks.push(pass("telephony scope", names.join(", ")));
            } else {
                checks.push(fail(
                    "telephony scope",
                    &Failure::new(
                        Kind::Auth,
                        format!(
                            "the webhook's scopes lack telephony (has: {})",
                            names.join(", ")
                        ),
                    )
                    .with_hint("edit the inbound webhook in Bitrix24 and tick the telephony scope"),
                ));
            }
        }
        Ok(other) => checks.push(fail(
            "telephony scope",
            &Failure::network(format!(
                "unexpected answer to scope: {}",
                crate::portal::shape_of(&other)
            )),
        )),
        Err(f) => checks.push(fail("telephony scope", &f)),
    }

    let probe = crate::output::fields([("FILTER", json!({"CALL_ID": "b24tel-doctor-probe"}))]);
    match client.call("voximplant.statistic.get", &probe, Repeat::Safe) {
        Ok(_) => checks.push(pass(
            "call statistics",
            "voximplant.statistic.get answers (batch, --if-absent, call show/list)",
        )),
        Err(mut f) => {
            if f.kind == Kind::Auth {
                f.hint = Some("give the webhook's user the right to read call statistics (Telephony > Access permissions); batch, record attach --if-absent and call show/list need it".into());
            }
            checks.push(fail("call statistics", &f));
        }
    }
    checks.extend(token_file);
    checks
}

fn fail_again(check: &Check) -> Check {
    Check {
        name: check.name,
        ok: check.ok,
        detail: check.detail.clone(),
        failure: check.failure.clone(),
    }
}

fn unix_now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap_or_default()
        .as_secs()
}

/// "in 52 min", "3 h ago": relative, so no absurd `expires_at` can overflow a date.
fn how_long(secs: u64) -> String {
    match secs {
        0..=119 => format!("{secs} s"),
        120..=7199 => format!("{} min", secs / 60),
        7200..=172_799 => format!("{} h", secs / 3600),
        _ => format!("{} days", secs / 86_400),
    }
}

/// For a profile that refreshes its own tokens (`client_id`, no fixed access token):
/// the token file's privacy, content, expiry and whether a refresh can be made.
fn token_file_check(global: &GlobalArgs, loaded: &config::Loaded) -> Option<Check> {
    const NAME: &str = "token file";
    if global.webhook.is_some() {
        return None;
    }
    let file = loaded.file.as_ref()?;
    let name = global
        .profile
        .clone()
        .or_else(|| file.default_profile.clone())?;
    let entry = file.profiles.get(&name)?;
    let fixed_token = std::env::var(config::ACCESS_TOKEN_ENV).is_ok_and(|t| !t.is_empty())
        || entry.access_token.is_some();
    if entry.webhook_url.is_some() || entry.client_id.is_none() || fixed_token {
        return None;
    }
    let app = match config::app_credentials(&name, entry, loaded) {
        Ok(Some(app)) => app,
        Ok(None) => return None,
        Err(f) => return Some(fail(NAME, &f)),
    };
    let path = app.token_file.clone();
    let shown = crate::failure::shown_path(&path);
    // Opening is what every run does: it refuses a missing, open or foreign file.
    let session = match crate::portal::oauth::TokenSession::open(app.clone()) {
        Ok(session) => session,
        Err(f) => return Some(fail(NAME, &f)),
    };
    let status = session.status();
    // The refresh token is only looked at, never shown.
    let refresh_token = std::fs::read(&path)
        .ok()
        .and_then(|bytes| serde_json::from_slice::<Value>(&bytes).ok())
        .and_then(|v| v.get("refresh_token").and_then(Value::as_str).map(str::len))
        .unwrap_or(0);
    let server = crate::secret::redact_url(&status.token_server);
    let login = format!(
        "run `b24tel auth login -p {name} --code CODE` (or --refresh-token TOKEN) to sign the app in again"
    );
    let now = unix_now();
    let expiry = if status.expires_at > now {
        format!(
            "access token expires in {}",
            how_long(status.expires_at - now)
        )
    } else {
        format!(
            "access token expired {} ago",
            how_long(now - status.expires_at)
        )
    };
    if refresh_token == 0 {
        return Some(fail(
            NAME,
            &Failure::new(
                Kind::Auth,
                format!("{shown} holds no refresh token ({expiry}): it cannot be renewed"),
            )
            .with_hint(login),
        ));
    }
    if let Err(f) = portal::check_transport(&status.token_server, false) {
        return Some(fail(NAME, &f));
    }
    let folder = path
        .parent()
        .filter(|dir| config::readable_by_others(dir))
        .map(|dir| {
            format!(
                "; its folder {} is open to others (chmod 700 it)",
                crate::failure::shown_path(dir)
            )
        })
        .unwrap_or_default();
    Some(pass(
        NAME,
        format!("{shown} (private): {expiry}; refresh possible via {server}{folder}"),
    ))
}

/// Conversion decodes most codecs itself; the rest need an `ffmpeg` on PATH. A missing
/// ffmpeg is a warning, not a failure: most PBX recordings never need it.
fn ffmpeg_check() -> Check {
    use crate::record::probe::Codec;
    let needing: Vec<String> = [
        Codec::Pcm { bits: 16 },
        Codec::Float,
        Codec::Alaw,
        Codec::Mulaw,
        Codec::ImaAdpcm,
        Codec::MsAdpcm,
        Codec::Gsm,
        Codec::Mp3,
        Codec::Opus,
        Codec::Vorbis,
        Codec::Flac,
        Codec::Slin,
    ]
    .into_iter()
    .filter(|c| crate::record::convert::needs_ffmpeg(*c))
    .map(Codec::name)
    .collect();
    let needing = needing.join(", ");
    match crate::record::convert::ffmpeg_available() {
        Some(version) => pass(
            "ffmpeg",
            format!("{version}; used to convert {needing} recordings"),
        ),
        None => Check {
            name: "ffmpeg",
            ok: false,
            detail: format!(
                "not found on PATH: {needing} recordings cannot be converted (install it, e.g. `apt-get install ffmpeg`); every other codec converts without it"
            ),
            failure: None,
        },
    }
}
