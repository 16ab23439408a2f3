//! `b24tel sandbox`: run the local stand-in portal until Ctrl-C or SIGTERM.

use std::net::SocketAddr;
use std::path::PathBuf;

use clap::Args;
use serde_json::{Map, Value};
use signal_hook::consts::{SIGINT, SIGTERM};
use signal_hook::iterator::Signals;

use crate::output::Ui;
use crate::sandbox::{self, Fault, Options};

#[derive(Debug, Args)]
pub struct Cmd {
    /// Address to listen on: IP:PORT, or a loopback name such as localhost:PORT; port 0 takes any free port
    #[arg(long, value_name = "ADDR", default_value = "127.0.0.1:8024", value_parser = parse_addr)]
    pub addr: SocketAddr,

    /// Keep attached records and transcripts here [default: a temp dir removed on exit]
    #[arg(long, value_name = "DIR")]
    pub data_dir: Option<PathBuf>,

    /// Simulate a failure (repeatable): ratelimit:N, bucket:BURST:RATE, overload, html500,
    /// slow:SECS, timelimit:SECS, redirect, drop:N, no-statistics, each limitable to one
    /// method with @METHOD; or latency:METHOD=SECS
    #[arg(long = "fault", value_name = "SPEC")]
    pub faults: Vec<Fault>,

    /// The webhook code in the webhook URL [default: random]
    #[arg(long, value_name = "CODE")]
    pub webhook_code: Option<String>,

    /// The first OAuth access token (as `auth`, `access_token` or a Bearer header)
    /// [default: random]
    #[arg(long, value_name = "TOKEN")]
    pub access_token: Option<String>,

    /// Scopes the webhook has, comma separated
    #[arg(
        long = "scope",
        value_name = "SCOPES",
        value_delimiter = ',',
        default_value = "telephony,user,crm"
    )]
    pub scopes: Vec<String>,

    /// Refuse what a real portal silently accepts and gets wrong (Base64 it decodes
    /// into a corrupt file, transcript times it truncates) instead of only logging it
    #[arg(long)]
    pub strict: bool,
    /// OAuth access tokens answer 401 expired_token this many seconds after they are issued
    #[arg(long, value_name = "SECS")]
    pub token_lifetime: Option<u64>,

    /// Serve https with a certificate from a CA generated at start; the CA is written
    /// to DATA_DIR/ca.pem and printed, for SSL_CERT_FILE / --cacert / ca_cert
    #[arg(long)]
    pub tls: bool,
}

/// IP:PORT, or a host name that resolves to loopback only (`localhost:8024`); a name
/// is not a way to listen on other machines' side, that takes its IP address.
fn parse_addr(text: &str) -> Result<SocketAddr, String> {
    use std::net::ToSocketAddrs;
    if let Ok(addr) = text.parse::<SocketAddr>() {
        return Ok(addr);
    }
    let Some((host, port)) = text.rsplit_once(':') else {
        return Err(format!(
            "{text:?} is not HOST:PORT; pass e.g. 127.0.0.1:8024 or localhost:8024"
        ));
    };
    if port.parse::<u16>().is_err() {
        return Err(format!(
            "{port:?} is not a port number (0-65535); pass e.g. {host}:8024"
        ));
    }
    let found: Vec<SocketAddr> = text
        .to_socket_addrs()
        .map_err(|e| {
            format!("cannot resolve {host:?} ({e}); pass an IP address such as 127.0.0.1:{port}")
        })?
        .collect();
    if found.is_empty() || found.iter().any(|a| !a.ip().is_loopback()) {
        return Err(format!(
            "{host:?} resolves to an address that is not loopback; to listen beyond this machine pass the IP address itself"
        ));
    }
    Ok(found
        .iter()
        .find(|a| a.is_ipv4())
        .copied()
        .unwrap_or(found[0]))
}

pub fn run(cmd: Cmd, ui: &Ui) -> anyhow::Result<()> {
    if !cmd.addr.ip().is_loopback() {
        ui.warn(&format!(
            "{} is reachable from other machines; {}",
            cmd.addr,
            if cmd.tls {
                "anyone who can reach it can read the calls' page at /"
            } else {
                "the sandbox speaks plain http (add --tls) and its webhook code and token travel unencrypted"
            }
        ));
    }
    // Registered before the server starts, so an early Ctrl-C still stops it cleanly.
    let mut signals = Signals::new([SIGINT, SIGTERM])?;
    let running = sandbox::start(Options {
        addr: cmd.addr,
        data_dir: cmd.data_dir,
        faults: cmd.faults,
        webhook_code: cmd.webhook_code,
        access_token: cmd.access_token,
        scopes: cmd.scopes.into_iter().filter(|s| !s.is_empty()).collect(),
        log: !ui.quiet,
        strict: cmd.strict,
        token_lifetime: cmd.token_lifetime.map(std::time::Duration::from_secs),
        tls: cmd.tls,
    })?;
    let mut fields = Map::new();
    fields.insert("webhook_url".into(), running.webhook_url.clone().into());
    fields.insert("portal_url".into(), running.portal_url.clone().into());
    fields.insert("access_token".into(), running.access_token.clone().into());
    fields.insert("client_id".into(), running.client_id.clone().into());
    fields.insert("client_secret".into(), running.client_secret.clone().into());
    fields.insert("refresh_token".into(), running.refresh_token.clone().into());
    fields.insert("auth_code".into(), running.auth_code.clone().into());
    fields.insert(
        "data_dir".into(),
        Value::String(running.data_dir.display().to_string()),
    );
    if let Some(ca_path) = &running.ca_path {
        fields.insert(
            "ca_path".into(),
            Value::String(ca_path.display().to_string()),
        );
    }
    ui.result(&fields);
    ui.note("sandbox listening; Ctrl-C stops it");
    signals.forever().next();
    running.stop();
    Ok(())
}
