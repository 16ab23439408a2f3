//! `b24tel config init|show|path`: write a profile, show the file with secrets
//! hidden, tell where the file is.

use std::io::{BufRead, IsTerminal, Write};
use std::path::Path;

use clap::{Args, Subcommand};
use serde_json::{json, Map, Value};

use crate::cli::GlobalArgs;
use crate::config::{self, Auth};
use crate::failure::{Failure, Kind};
use crate::output::Ui;

#[derive(Debug, Subcommand)]
pub enum Cmd {
    /// Write a webhook profile (-p NAME, --webhook URL) with mode 0600
    Init(InitArgs),
    /// Show the config file's profiles, secrets as ***
    Show,
    /// Print where the config file is
    Path,
}

#[derive(Debug, Args)]
pub struct InitArgs {
    /// Replace an existing profile of the same name
    #[arg(long)]
    pub force: bool,
}

pub fn run(cmd: Cmd, global: &GlobalArgs, ui: &Ui) -> anyhow::Result<()> {
    let path = config::config_path(global)?;
    match cmd {
        Cmd::Init(args) => init(&path, global, args.force, ui),
        Cmd::Show => show(&path, ui),
        Cmd::Path => {
            if ui.is_json() {
                let mut fields = Map::new();
                fields.insert("path".into(), json!(path.display().to_string()));
                fields.insert("exists".into(), json!(path.exists()));
                ui.result(&fields);
            } else {
                ui.line(&path.display().to_string());
            }
            Ok(())
        }
    }
}

fn init(path: &Path, global: &GlobalArgs, force: bool, ui: &Ui) -> anyhow::Result<()> {
    let name = global.profile.clone().unwrap_or_else(|| "default".into());
    if name.trim().is_empty()
        || name
            .chars()
            .any(|c| c.is_control() || crate::call::is_format_char(c))
    {
        return Err(Failure::usage(format!(
            "-p {:?} is not a usable profile name",
            crate::failure::shown_text(&name)
        ))
        .with_hint("name the profile with -p NAME, e.g. -p office")
        .into());
    }
    // With --force a file that no longer parses is set aside (backup beside it) and
    // rewritten; without it the parse error stands and names --force.
    let broken = match config::load(path) {
        Ok(loaded) => {
            if let Some(file) = &loaded.file {
                if file.profiles.contains_key(&name) && !force {
                    return Err(Failure::config(format!(
                        "profile '{name}' already exists in {}",
                        path.display()
                    ))
                    .with_hint("pass --force to replace it, or pick another name with -p")
                    .into());
                }
            }
            false
        }
        Err(f) if force && f.kind == Kind::Config && path.is_file() => true,
        Err(f) => return Err(f.into()),
    };
    let webhook = match &global.webhook {
        Some(url) => url.clone(),
        None => ask_webhook()?,
    };
    let Auth::Webhook(webhook) = config::webhook_auth(&webhook, "--webhook").map_err(|mut f| {
        f.kind = Kind::InvalidInput;
        f
    })?
    else {
        unreachable!("webhook_auth only builds webhook auth")
    };

    let text = match crate::input::read_capped(path, crate::input::CONFIG_CAP, "config files") {
        Ok(_) if broken => String::new(),
        Ok(bytes) => String::from_utf8(bytes).map_err(|_| {
            Failure::config(format!(
                "config file {} is not UTF-8 text",
                crate::failure::shown_path(path)
            ))
        })?,
        Err(crate::input::ReadError::NotFound) => String::new(),
        Err(e) => {
            return Err(Failure::config(format!(
                "cannot read {}",
                crate::input::describe(path, &e)
            ))
            .into())
        }
    };
    // toml_edit keeps the user's comments and the other profiles as they are.
    let mut doc: toml_edit::DocumentMut = text
        .parse()
        .map_err(|e| Failure::config(format!("invalid config file {}: {e}", path.display())))?;
    if doc.get("default_profile").is_none() {
        doc["default_profile"] = toml_edit::value(name.as_str());
    }
    if doc.get("profiles").is_none() {
        let mut profiles = toml_edit::Table::new();
        profiles.set_implicit(true);
        doc["profiles"] = toml_edit::Item::Table(profiles);
    }
    let mut profile = toml_edit::Table::new();
    profile["webhook_url"] = toml_edit::value(webhook.expose());
    doc["profiles"][name.as_str()] = toml_edit::Item::Table(profile);
    let mut fields = Map::new();
    if global.dry_run {
        // The plan only: nothing is written.
        fields.insert("dry_run".into(), json!(true));
    } else {
        if broken {
            let backup = backup_path(path);
            std::fs::copy(path, &backup).map_err(|e| {
                Failure::config(format!(
                    "cannot keep a backup of {} at {}: {e}; nothing was changed",
                    crate::failure::shown_path(path),
                    crate::failure::shown_path(&backup)
                ))
            })?;
            fields.insert("backup".into(), json!(backup.display().to_string()));
        }
        write_private(path, doc.to_string().as_bytes())?;
    }

    fields.insert("path".into(), json!(path.display().to_string()));
    fields.insert("profile".into(), json!(name));
    fields.insert("webhook_url".into(), json!(webhook.redacted()));
    ui.result(&fields);
    Ok(())
}

/// `config.toml.bak`, or `.bak.2`, `.bak.3` … so an earlier backup is never overwritten.
fn backup_path(path: &Path) -> std::path::PathBuf {
    let mut name = path.file_name().unwrap_or_default().to_os_string();
    name.push(".bak");
    let first = path.with_file_name(&name);
    if !first.exists() {
        return first;
    }
    (2..)
        .map(|n| {
            let mut numbered = name.clone();
            numbered.push(format!(".{n}"));
            path.with_file_name(numbered)
        })
        .find(|p| !p.exists())
        .unwrap_or(first)
}

fn ask_webhook() -> Result<String, Failure> {
    let no_url = || {
        Failure::usage("no webhook URL given")
            .with_hint("pass --webhook https://PORTAL/rest/USER_ID/CODE/ (or set B24TEL_WEBHOOK)")
    };
    if !std::io::stdin().is_terminal() {
        return Err(no_url());
    }
    eprintln!("Inbound webhook URL, https://PORTAL/rest/USER_ID/CODE/ (not shown as you type)");
    eprint!("URL: ");
    let _ = std::io::stderr().flush();
    let mut line = String::new();
    let read = {
        // The URL carries the webhook's secret code: keep it off the screen.
        let _hidden = EchoOff::new();
        std::io::stdin().lock().read_line(&mut line)
    };
    eprintln!();
    read.map_err(|_| no_url())?;
    let line = line.trim().to_string();
    if line.is_empty() {
        return Err(no_url());
    }
    // What was typed, secret hidden, so a paste that went wrong shows.
    eprintln!("  {}", crate::secret::redact_url(&line));
    Ok(line)
}

/// Terminal echo off on stdin while it lives; a Ctrl-C meanwhile turns it back on
/// before exiting, so the shell is never left without echo.
struct EchoOff {
    saved: Option<libc::termios>,
    sigint: Option<signal_hook::SigId>,
}

impl EchoOff {
    fn new() -> EchoOff {
        // SAFETY: tcgetattr/tcsetattr on fd 0 only read and write the termios we own.
        let mut saved: libc::termios = unsafe { std::mem::zeroed() };
        if unsafe { libc::tcgetattr(libc::STDIN_FILENO, &mut saved) } != 0 {
            return EchoOff {
                saved: None,
                sigint: None,
            };
        }
        let mut quiet = saved;
        quiet.c_lflag &= !libc::ECHO;
        // SAFETY: tcsetattr and _exit are async-signal-safe; `saved` is moved in.
        let sigint = unsafe {
            signal_hook::low_level::register(signal_hook::consts::SIGINT, move || {
                libc::tcsetattr(libc::STDIN_FILENO, libc::TCSANOW, &saved);
                libc::_exit(130);
            })
        }
        .ok();
        unsafe { libc::tcsetattr(libc::STDIN_FILENO, libc::TCSANOW, &quiet) };
        EchoOff {
            saved: Some(saved),
            sigint,
        }
    }
}

impl Drop for EchoOff {
    fn drop(&mut self) {
        if let Some(saved) = &self.saved {
            // SAFETY: restores the termios read in `new`.
            unsafe { libc::tcsetattr(libc::STDIN_FILENO, libc::TCSANOW, saved) };
        }
        if let Some(id) = self.sigint.take() {
            signal_hook::low_level::unregister(id);
        }
    }
}

/// Writes through a 0600 temporary file renamed into place, so the secret is never
/// readable by others, not even for a moment, and a crash leaves the old file whole.
fn write_private(path: &Path, bytes: &[u8]) -> Result<(), Failure> {
    let fail = |what: &str, e: std::io::Error| {
        Failure::config(format!(
            "cannot {what} {}: {e}",
            crate::failure::shown_path(path)
        ))
    };
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        let mut builder = std::fs::DirBuilder::new();
        builder.recursive(true);
        #[cfg(unix)]
        std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
        builder
            .create(dir)
            .map_err(|e| fail("create the folder of", e))?;
    }
    let tmp = path.with_extension("toml.tmp");
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut file = options.open(&tmp).map_err(|e| fail("write", e))?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        file.set_permissions(std::fs::Permissions::from_mode(0o600))
            .map_err(|e| fail("set the mode of", e))?;
    }
    file.write_all(bytes)
        .and_then(|_| file.sync_all())
        .map_err(|e| fail("write", e))?;
    std::fs::rename(&tmp, path).map_err(|e| fail("write", e))
}

fn show(path: &Path, ui: &Ui) -> anyhow::Result<()> {
    let loaded = super::load_config(path, ui)?;
    let Some(file) = loaded.file else {
        return Err(
            Failure::config(format!("no config file at {}", path.display()))
                .with_hint("create one with `b24tel config init -p NAME --webhook URL`")
                .into(),
        );
    };
    let profiles: Vec<Map<String, Value>> = file
        .profiles
        .iter()
        .map(|(name, entry)| {
            let mut row = Map::new();
            row.insert("name".into(), json!(name));
            row.insert(
                "default".into(),
                json!(file.default_profile.as_deref() == Some(name.as_str())),
            );
            row.insert(
                "webhook_url".into(),
                json!(entry.webhook_url.as_deref().map(shown_webhook)),
            );
            row.insert("portal_url".into(), json!(entry.portal_url));
            row.insert(
                "access_token".into(),
                json!(entry.access_token.as_ref().map(|_| "***")),
            );
            row.insert("timeout_secs".into(), json!(entry.timeout_secs));
            row.insert("retries".into(), json!(entry.retries));
            row.insert(
                "ca_cert".into(),
                json!(entry.ca_cert.as_ref().map(|p| p.display().to_string())),
            );
            row.insert("allow_http".into(), json!(entry.allow_http));
            row
        })
        .collect();
    if ui.is_json() {
        let mut fields = Map::new();
        fields.insert("path".into(), json!(path.display().to_string()));
        fields.insert("default_profile".into(), json!(file.default_profile));
        fields.insert(
            "profiles".into(),
            Value::Array(profiles.into_iter().map(Value::Object).collect()),
        );
        ui.result(&fields);
    } else {
        ui.note(&format!("# {}", path.display()));
        ui.rows(
            &[
                "name",
                "default",
                "webhook_url",
                "portal_url",
                "access_token",
                "timeout_secs",
                "retries",
                "ca_cert",
                "allow_http",
            ],
            &profiles,
        );
    }
    Ok(())
}

/// A webhook URL as `config show` prints it: redacted, or only its host when it is
/// not of the webhook shape (the code could sit anywhere in it).
fn shown_webhook(url: &str) -> String {
    match config::webhook_auth(url, "webhook_url") {
        Ok(Auth::Webhook(url)) => url.redacted(),
        _ => format!("{}/*** (not a webhook URL)", crate::portal::host_of(url)),
    }
}
