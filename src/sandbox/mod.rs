//! A local stand-in for a portal's telephony REST methods, for trying b24tel and
//! testing scripts without a portal. `start` runs it on its own thread; `demo` and the
//! tests use it in-process, `b24tel sandbox` from the command line.

mod answer;
mod app;
mod batch;
mod body;
mod dispatch;
mod faults;
mod form;
mod json_stream;
mod methods;
mod oauth;
mod page;
mod params;
mod php_base64;
mod record;
mod request;
mod server;
mod state;
mod statistic;
mod tls;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::Duration;

use tokio::sync::watch;

pub use faults::Fault;

use crate::failure::Failure;
use crate::portal::body::random_u64;

pub const DEFAULT_SCOPES: [&str; 3] = ["telephony", "user", "crm"];

/// How to run the sandbox.
pub struct Options {
    /// Port 0 picks any free port.
    pub addr: SocketAddr,
    /// Kept after stop; `None` uses a fresh temp dir removed on stop.
    pub data_dir: Option<PathBuf>,
    pub faults: Vec<Fault>,
    /// Random 16 hex characters when `None`.
    pub webhook_code: Option<String>,
    /// Random 32 hex characters when `None`.
    pub access_token: Option<String>,
    /// Empty means telephony, user and crm.
    pub scopes: Vec<String>,
    /// One line per request on stderr.
    pub log: bool,
    /// Refuse what a portal silently gets wrong (lenient Base64, cast times).
    pub strict: bool,
    /// Access tokens answer `expired_token` this long after they were issued.
    pub token_lifetime: Option<Duration>,
    /// Serve https with a certificate from a CA generated at start.
    pub tls: bool,
}

/// A sandbox serving on its own thread; `stop` (or drop) shuts it down.
pub struct Running {
    pub webhook_url: String,
    pub portal_url: String,
    pub access_token: String,
    /// The OAuth application's credentials and a first refresh token and code.
    pub client_id: String,
    pub client_secret: String,
    pub refresh_token: String,
    pub auth_code: String,
    pub data_dir: PathBuf,
    /// With `tls`: the CA clients must trust.
    pub ca_path: Option<PathBuf>,
    temporary: bool,
    shutdown: Option<watch::Sender<bool>>,
    thread: Option<JoinHandle<()>>,
}

impl Running {
    /// Stops accepting, lets requests in flight finish, joins the server thread and
    /// removes the data dir if it was a temporary one.
    pub fn stop(mut self) {
        self.shut_down();
    }

    fn shut_down(&mut self) {
        if let Some(shutdown) = self.shutdown.take() {
            let _ = shutdown.send(true);
        }
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
        if std::mem::take(&mut self.temporary) {
            let _ = std::fs::remove_dir_all(&self.data_dir);
        }
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        self.shut_down();
    }
}

/// Binds, then serves on a thread of its own; returns once listening.
// The crate reports every failure as a `Failure`; boxing it here alone would help no one.
#[allow(clippy::result_large_err)]
pub fn start(options: Options) -> Result<Running, Failure> {
    let webhook_code =
        secret_or_random(options.webhook_code, "--webhook-code", 1).map_err(Failure::usage)?;
    let access_token =
        secret_or_random(options.access_token, "--access-token", 2).map_err(Failure::usage)?;
    let scopes = if options.scopes.is_empty() {
        DEFAULT_SCOPES.iter().map(|s| s.to_string()).collect()
    } else {
        options.scopes
    };
    let (data_dir, temporary) = match options.data_dir {
        Some(dir) => (dir, false),
        None => (
            std::env::temp_dir().join(format!("b24tel-sandbox-{:016x}", random_u64())),
            true,
        ),
    };
    let state = state::PortalState::open(&data_dir).map_err(|e| {
        Failure::invalid(format!(
            "cannot use {} as the sandbox data dir: {e}",
            data_dir.display()
        ))
    })?;
    let faults = faults::Faults::new(&options.faults);
    let seed = oauth::Seed {
        access_token: access_token.clone(),
        refresh_token: oauth::random_hex(2),
        auth_code: oauth::random_hex(1),
    };
    let tokens = oauth::Tokens::new(&seed, options.token_lifetime);
    let (client_id, client_secret) = (tokens.client_id.clone(), tokens.client_secret.clone());
    let tls = if options.tls {
        match tls::generate(&data_dir, options.addr) {
            Ok(tls) => Some(tls),
            Err(why) => {
                if temporary {
                    let _ = std::fs::remove_dir_all(&data_dir);
                }
                return Err(Failure::invalid(why));
            }
        }
    } else {
        None
    };
    let ca_path = tls.as_ref().map(|t| t.ca_path.clone());
    let acceptor = tls.map(|t| t.acceptor);
    let served = serve_on_thread(options.addr, acceptor, |addr, http| app::App {
        addr,
        webhook_code: webhook_code.clone(),
        access_token: access_token.clone(),
        scopes,
        log: options.log,
        strict: options.strict,
        faults,
        state: Mutex::new(state),
        http,
        oauth: tokens,
    });
    let (addr, shutdown, thread) = match served {
        Ok(served) => served,
        Err(failure) => {
            if temporary {
                let _ = std::fs::remove_dir_all(&data_dir);
            }
            return Err(failure);
        }
    };
    let scheme = if ca_path.is_some() { "https" } else { "http" };
    Ok(Running {
        webhook_url: format!("{scheme}://{addr}/rest/1/{webhook_code}/"),
        portal_url: format!("{scheme}://{addr}"),
        access_token,
        client_id,
        client_secret,
        refresh_token: seed.refresh_token,
        auth_code: seed.auth_code,
        data_dir,
        ca_path,
        temporary,
        shutdown: Some(shutdown),
        thread: Some(thread),
    })
}

type Served = (SocketAddr, watch::Sender<bool>, JoinHandle<()>);

/// Binds `bind` and serves the app on a thread with a runtime of its own.
// See `start` for why the error stays a `Failure`.
#[allow(clippy::result_large_err)]
fn serve_on_thread(
    bind: SocketAddr,
    tls: Option<tokio_rustls::TlsAcceptor>,
    app: impl FnOnce(SocketAddr, reqwest::Client) -> app::App,
) -> Result<Served, Failure> {
    let internal = |what: &str, e: &dyn std::fmt::Display| {
        Failure::new(crate::failure::Kind::Internal, format!("{what}: {e}"))
    };
    let listener = std::net::TcpListener::bind(bind)
        .and_then(|l| l.set_nonblocking(true).map(|_| l))
        .map_err(|e| {
            Failure::network(format!("cannot listen on {bind}: {e}"))
                .with_hint("pick another --addr; port 0 takes any free port")
        })?;
    let addr = listener
        .local_addr()
        .map_err(|e| Failure::network(format!("cannot listen on {bind}: {e}")))?;
    let http = reqwest::Client::builder()
        .connect_timeout(Duration::from_secs(10))
        // A RECORD_URL that stops sending must not hold its request forever.
        .read_timeout(Duration::from_secs(60))
        .user_agent(concat!("b24tel-sandbox/", env!("CARGO_PKG_VERSION")))
        .build()
        .map_err(|e| internal("cannot build the sandbox's HTTP client", &e))?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .thread_name("b24tel-sandbox")
        .enable_all()
        .build()
        .map_err(|e| internal("cannot start the sandbox runtime", &e))?;
    let listener = {
        let _context = runtime.enter();
        tokio::net::TcpListener::from_std(listener)
            .map_err(|e| Failure::network(format!("cannot listen on {bind}: {e}")))?
    };
    let app = Arc::new(app(addr, http));
    let (shutdown, shutdown_rx) = watch::channel(false);
    let thread = std::thread::Builder::new()
        .name("b24tel-sandbox".into())
        .spawn(move || {
            runtime.block_on(server::serve(app, listener, shutdown_rx, tls));
            runtime.shutdown_timeout(Duration::from_secs(1));
        })
        .map_err(|e| internal("cannot start the sandbox thread", &e))?;
    Ok((addr, shutdown, thread))
}

/// A given secret must fit in a URL as is; otherwise `words` random 64-bit words in hex.
fn secret_or_random(given: Option<String>, flag: &str, words: usize) -> Result<String, String> {
    match given {
        Some(value) => {
            if value.is_empty()
                || !value
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-' || b == b'.')
            {
                return Err(format!(
                    "{flag} must be non-empty and use only letters, digits, `_`, `-` and `.`"
                ));
            }
            Ok(value)
        }
        None => Ok((0..words)
            .map(|_| format!("{:016x}", random_u64()))
            .collect()),
    }
}
