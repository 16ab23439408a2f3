//! `b24tel demo`: `smoke` against an in-process sandbox portal, so a new user sees
//! the whole path work before touching a real portal, then how to do it by hand.

use std::time::Duration;

use super::smoke;
use crate::config::{self, Profile, DEFAULT_RETRIES, DEFAULT_TIMEOUT_SECS};
use crate::output::Ui;
use crate::portal::Portal;
use crate::sandbox::{self, Options};

pub fn run(ui: &Ui) -> anyhow::Result<()> {
    let portal_sandbox = sandbox::start(Options {
        addr: "127.0.0.1:0".parse().expect("static address"),
        data_dir: None,
        faults: Vec::new(),
        webhook_code: None,
        access_token: None,
        scopes: Vec::new(),
        log: false,
        strict: false,
        token_lifetime: None,
        tls: false,
    })?;
    ui.note(&format!(
        "sandbox portal listening at {}; running `b24tel smoke` against it",
        portal_sandbox.portal_url
    ));
    let profile = Profile {
        name: None,
        auth: config::webhook_auth(&portal_sandbox.webhook_url, "sandbox")?,
        timeout: Duration::from_secs(DEFAULT_TIMEOUT_SECS),
        retries: DEFAULT_RETRIES,
        ca_cert: None,
        allow_http: false,
    };
    let outcome = match Portal::new(&profile, ui) {
        Ok(portal) => smoke::smoke(&portal, None, false, ui),
        Err(failure) => {
            portal_sandbox.stop();
            return Err(failure.into());
        }
    };
    portal_sandbox.stop();
    let reported = smoke::finish_report(ui, &outcome);
    if reported.is_ok() {
        ui.note(BY_HAND);
    }
    reported
}

/// The commands a new user pastes next, the same ones the README shows.
const BY_HAND: &str = "demo done: the sandbox is stopped and its files removed.

Now by hand. In one terminal, start a sandbox; it prints its webhook URL:
  b24tel sandbox --data-dir ./b24tel-sandbox --webhook-code demo0000
In another, register a call, finish it, attach a recording and a transcript:
  export B24TEL_WEBHOOK=http://127.0.0.1:8024/rest/1/demo0000/
  CALL_ID=$(b24tel call register --phone +15550100 --user-id 1 -o json | sed 's/.*\"call_id\":\"\\([^\"]*\\)\".*/\\1/')
  b24tel call finish --call-id \"$CALL_ID\" --user-id 1 --duration 30
  b24tel record attach --call-id \"$CALL_ID\" --file call.wav
  b24tel transcript attach --call-id \"$CALL_ID\" --message 'User:0:2:Hello' --message 'Client:2:4:Hi'
  b24tel call show --call-id \"$CALL_ID\"
Or open http://127.0.0.1:8024/ to see the call.";
