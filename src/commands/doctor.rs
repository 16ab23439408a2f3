//! `b24tel doctor`: the checklist a PBX admin runs when something does not attach.

use serde_json::{json, Map, Value};

use crate::cli::GlobalArgs;
use crate::config::{self, Auth};
use crate::failure::{Failure, Kind};
use crate::output::Ui;
use crate::portal::{self, Portal, Repeat};

struct Check {
    name: &'static str,
    ok: bool,
    detail: String,
    failure: Option<Failure>,
}

fn pass(name: &'static str, detail: impl Into<String>) -> Check {
    Check {
        name,
        ok: true,
        detail: detail.into(),
        failure: None,
    }
}

fn fail(name: &'static str, failure: &Failure) -> Check {
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

pub fn run(global: &GlobalArgs, ui: &Ui) -> anyhow::Result<()> {
    let checks = checks(global, ui);
    let rows: Vec<Map<String, Value>> = checks
        .iter()
        .map(|c| {
            let mut row = Map::new();
            row.insert("name".into(), json!(c.name));
            row.insert("ok".into(), json!(c.ok));
            row.insert("detail".into(), json!(c.detail));
            row
        })
        .collect();
    if ui.is_json() {
        let mut fields = Map::new();
        fields.insert(
            "checks".into(),
            Value::Array(rows.into_iter().map(Value::Object).collect()),
        );
        ui.result(&fields);
    } else {
        let rows: Vec<Map<String, Value>> = rows
            .into_iter()
            .map(|mut row| {
                let mark = if row["ok"] == json!(true) {
                    "ok"
                } else {
                    "FAIL"
                };
                row.insert("ok".into(), json!(mark));
                row
            })
            .collect();
        ui.rows(&["ok", "name", "detail"], &rows);
    }
    // The exit code is the first failed check's class; its message leads.
    match checks
        .into_iter()
        .find_map(|c| c.failure.map(|f| (c.name, f)))
    {
        None => Ok(()),
        Some((name, mut failure)) => {
            failure.message = format!("doctor: {name}: {}", failure.message);
            Err(failure.into())
        }
    }
}

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
    match portal::check_transport(profile.auth.base_url(), profile.allow_http) {
        Ok(()) => checks.push(pass("portal url", base)),
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
            &Failure::network(format!("unexpected answer to scope: {other}")),
        )),
        Err(f) => checks.push(fail("telephony scope", &f)),
    }
    checks
}
