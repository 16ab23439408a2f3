//! OAuth application tokens for unattended runs: the token file (0600, in a 0700
//! folder), an exclusive lock beside it, and a refresh that parallel runs never
//! repeat: under the lock the file is read again, and a token another run already
//! got is used instead of spending the one-time refresh token twice. The new pair
//! replaces the file atomically (temp file, fsync, rename); a temp file left by a
//! run killed before its rename is complete and newer, so the next run takes it.

use std::fs::{File, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard};
use std::time::{SystemTime, UNIX_EPOCH};

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::config::AppCredentials;
use crate::failure::{Failure, Kind};
use crate::secret::Secret;

/// The token server of every Bitrix24 cloud portal.
pub const DEFAULT_SERVER_ENDPOINT: &str = "https://oauth.bitrix.info/oauth/";

/// Sends a form to the token server; answers its JSON object, error or not.
pub type PostForm<'a> = &'a dyn Fn(&str, &[(&str, &str)]) -> Result<Value, Failure>;

/// The token file as written on disk. No `Debug`: it holds both tokens.
#[derive(Clone, Serialize, Deserialize)]
struct Stored {
    access_token: String,
    refresh_token: String,
    /// Unix seconds.
    expires_at: u64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    server_endpoint: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    client_endpoint: Option<String>,
}

/// What `auth status` may show: nothing secret.
pub struct Status {
    pub profile: String,
    pub expires_at: u64,
    pub token_server: String,
}

/// How `auth login` gets its first pair.
pub enum Grant<'a> {
    Code(&'a str),
    RefreshToken(&'a str),
}

/// One profile's tokens, shared by every request (and worker) of this run.
pub struct TokenSession {
    app: AppCredentials,
    current: Mutex<Stored>,
    /// One refresh at a time in this process; the file lock covers other processes.
    gate: Mutex<()>,
}

impl std::fmt::Debug for TokenSession {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TokenSession")
            .field("profile", &self.app.profile)
            .field("token_file", &self.app.token_file)
            .finish_non_exhaustive()
    }
}

fn now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default()
        .as_secs()
}

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(|e| e.into_inner())
}

fn login_hint(app: &AppCredentials) -> String {
    format!(
        "run `b24tel auth login -p {} --code CODE` (or --refresh-token TOKEN) to sign the app in again",
        app.profile
    )
}

impl TokenSession {
    /// Reads the profile's token file (taking over one a killed run left half-replaced).
    pub fn open(app: AppCredentials) -> Result<TokenSession, Failure> {
        if pending_path(&app.token_file).exists() {
            let _lock = FileLock::acquire(&app.token_file)?;
            recover_pending(&app.token_file);
        }
        let stored = read(&app)?;
        Ok(TokenSession {
            app,
            current: Mutex::new(stored),
            gate: Mutex::new(()),
        })
    }

    pub fn portal_url(&self) -> &str {
        &self.app.portal_url
    }

    pub fn access_token(&self) -> Secret {
        Secret::new(lock(&self.current).access_token.clone())
    }

    pub fn status(&self) -> Status {
        let current = lock(&self.current);
        Status {
            profile: self.app.profile.clone(),
            expires_at: current.expires_at,
            token_server: server_endpoint(&self.app, Some(&current)),
        }
    }

    /// The portal said `stale` expired: get a live token, from another worker's or
    /// run's refresh if there was one, else from the token server. True when this
    /// call asked the token server itself.
    pub fn renew(&self, stale: &Secret, post: PostForm<'_>) -> Result<bool, Failure> {
        let _gate = lock(&self.gate);
        if lock(&self.current).access_token != stale.expose() {
            return Ok(false); // another worker of this run refreshed meanwhile
        }
        self.refresh(post, |on_disk| {
            on_disk.access_token != stale.expose() && on_disk.expires_at > now()
        })
    }

    /// `auth refresh`: a new pair now, whatever the expiry.
    pub fn refresh_now(&self, post: PostForm<'_>) -> Result<(), Failure> {
        let _gate = lock(&self.gate);
        self.refresh(post, |_| false).map(|_| ())
    }

    fn refresh(
        &self,
        post: PostForm<'_>,
        usable: impl Fn(&Stored) -> bool,
    ) -> Result<bool, Failure> {
        let path = &self.app.token_file;
        let _lock = FileLock::acquire(path)?;
        recover_pending(path);
        let on_disk = read(&self.app)?;
        if usable(&on_disk) {
            *lock(&self.current) = on_disk;
            return Ok(false);
        }
        let endpoint = server_endpoint(&self.app, Some(&on_disk));
        let answer = post(
            &format!("{endpoint}token/"),
            &[
                ("grant_type", "refresh_token"),
                ("client_id", &self.app.client_id),
                ("client_secret", self.app.client_secret.expose()),
                ("refresh_token", &on_disk.refresh_token),
            ],
        )?;
        let fresh = from_answer(&self.app, &answer, Some(&on_disk))?;
        write(path, &fresh)?;
        *lock(&self.current) = fresh;
        Ok(true)
    }
}

/// `auth login`: exchanges a code (or seeds a refresh token) and writes the token file.
pub fn login(
    app: &AppCredentials,
    grant: Grant<'_>,
    post: PostForm<'_>,
) -> Result<Status, Failure> {
    ensure_folder(&app.token_file)?;
    let _lock = FileLock::acquire(&app.token_file)?;
    let endpoint = server_endpoint(app, None);
    let mut form = vec![
        ("client_id", app.client_id.as_str()),
        ("client_secret", app.client_secret.expose()),
    ];
    match grant {
        Grant::Code(code) => {
            form.push(("grant_type", "authorization_code"));
            form.push(("code", code));
        }
        Grant::RefreshToken(token) => {
            form.push(("grant_type", "refresh_token"));
            form.push(("refresh_token", token));
        }
    }
    let answer = post(&format!("{endpoint}token/"), &form)?;
    let fresh = from_answer(app, &answer, None)?;
    write(&app.token_file, &fresh)?;
    Ok(Status {
        profile: app.profile.clone(),
        expires_at: fresh.expires_at,
        token_server: server_endpoint(app, Some(&fresh)),
    })
}

/// The token file's server, else the profile's, else Bitrix24's; always ending in `/`.
fn server_endpoint(app: &AppCredentials, stored: Option<&Stored>) -> String {
    let endpoint = stored
        .and_then(|s| s.server_endpoint.clone())
        .or_else(|| app.server_endpoint.clone())
        .unwrap_or_else(|| DEFAULT_SERVER_ENDPOINT.to_string());
    if endpoint.ends_with('/') {
        endpoint
    } else {
        format!("{endpoint}/")
    }
}

/// The token server's answer as the next token file, or why it is refused.
fn from_answer(
    app: &AppCredentials,
    answer: &Value,
    previous: Option<&Stored>,
) -> Result<Stored, Failure> {
    if let Some(code) = answer.get("error").and_then(Value::as_str) {
        let mut failure = Failure::new(
            Kind::Auth,
            format!(
                "the token server refused to renew the tokens of profile '{}'",
                app.profile
            ),
        );
        failure.code = Some(code.to_string());
        failure.description = answer
            .get("error_description")
            .and_then(Value::as_str)
            .map(str::to_string);
        return Err(failure.with_hint(login_hint(app)));
    }
    let text = |key: &str| {
        answer
            .get(key)
            .and_then(Value::as_str)
            .filter(|s| !s.is_empty())
            .map(str::to_string)
    };
    let (Some(access_token), Some(refresh_token)) = (text("access_token"), text("refresh_token"))
    else {
        return Err(Failure::network(format!(
            "the token server's answer for profile '{}' has no access_token or refresh_token",
            app.profile
        ))
        .with_hint("check server_endpoint in the profile; it should be the app's OAuth server"));
    };
    let expires_at = answer
        .get("expires")
        .and_then(Value::as_u64)
        .or_else(|| {
            answer
                .get("expires_in")
                .and_then(Value::as_u64)
                .map(|secs| now().saturating_add(secs))
        })
        .unwrap_or_else(|| now() + 3600);
    Ok(Stored {
        access_token,
        refresh_token,
        expires_at,
        server_endpoint: text("server_endpoint")
            .or_else(|| previous.and_then(|p| p.server_endpoint.clone())),
        client_endpoint: text("client_endpoint")
            .or_else(|| previous.and_then(|p| p.client_endpoint.clone())),
    })
}

fn read(app: &AppCredentials) -> Result<Stored, Failure> {
    let path = &app.token_file;
    let bytes = match std::fs::read(path) {
        Ok(bytes) => bytes,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return Err(Failure::new(
                Kind::Auth,
                format!(
                    "profile '{}' has no tokens yet: {} does not exist",
                    app.profile,
                    path.display()
                ),
            )
            .with_hint(login_hint(app)))
        }
        Err(e) => {
            return Err(
                Failure::config(format!("cannot read token file {}: {e}", path.display()))
                    .with_hint("check the file's owner and permissions"),
            )
        }
    };
    if crate::config::readable_by_others(path) {
        return Err(Failure::config(format!(
            "token file {} is accessible by other users; it holds the app's tokens, so it is not used",
            path.display()
        ))
        .with_hint(format!("run: chmod 600 {}", path.display())));
    }
    // The parse error is not shown: it could quote a token.
    serde_json::from_slice::<Stored>(&bytes).map_err(|_| {
        Failure::config(format!(
            "token file {} is not a b24tel token file",
            path.display()
        ))
        .with_hint(login_hint(app))
    })
}

fn pending_path(path: &Path) -> PathBuf {
    let mut name = path.file_name().unwrap_or_default().to_os_string();
    name.push(".new");
    path.with_file_name(name)
}

/// Under the lock: a complete temp file is a refresh whose rename a kill prevented.
fn recover_pending(path: &Path) {
    let pending = pending_path(path);
    let Ok(bytes) = std::fs::read(&pending) else {
        return;
    };
    if serde_json::from_slice::<Stored>(&bytes).is_ok() {
        if std::fs::rename(&pending, path).is_ok() {
            sync_folder(path);
        }
    } else {
        let _ = std::fs::remove_file(&pending);
    }
}

fn write_failure(path: &Path, e: std::io::Error) -> Failure {
    Failure::config(format!("cannot write token file {}: {e}", path.display()))
        .with_hint("check that its folder exists and is writable by you")
}

/// Temp file (0600), fsync, rename over the old file, fsync the folder.
fn write(path: &Path, stored: &Stored) -> Result<(), Failure> {
    let pending = pending_path(path);
    let text = serde_json::to_vec_pretty(stored).expect("tokens serialise");
    let mut file = create_private(&pending).map_err(|e| write_failure(path, e))?;
    file.write_all(&text)
        .and_then(|_| file.write_all(b"\n"))
        .and_then(|_| file.sync_all())
        .map_err(|e| write_failure(path, e))?;
    drop(file);
    pause_before_rename();
    std::fs::rename(&pending, path).map_err(|e| write_failure(path, e))?;
    sync_folder(path);
    Ok(())
}

/// Test builds only: stops here until killed, so a test can kill a refresh between
/// the token server's answer and the rename.
fn pause_before_rename() {
    #[cfg(debug_assertions)]
    if let Some(marker) = std::env::var_os("B24TEL_TEST_PAUSE_BEFORE_RENAME") {
        let _ = std::fs::write(marker, b"paused\n");
        loop {
            std::thread::sleep(std::time::Duration::from_secs(1));
        }
    }
}

#[cfg(unix)]
fn create_private(path: &Path) -> std::io::Result<File> {
    use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
    let file = OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .mode(0o600)
        .open(path)?;
    // A file left by an older run may have kept wider permissions.
    file.set_permissions(std::fs::Permissions::from_mode(0o600))?;
    Ok(file)
}

#[cfg(not(unix))]
fn create_private(path: &Path) -> std::io::Result<File> {
    OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .open(path)
}

fn sync_folder(path: &Path) {
    if let Some(folder) = path.parent() {
        if let Ok(dir) = File::open(folder) {
            let _ = dir.sync_all();
        }
    }
}

/// Creates the token file's folder, private (0700), if it is missing.
fn ensure_folder(path: &Path) -> Result<(), Failure> {
    let Some(folder) = path.parent().filter(|p| !p.as_os_str().is_empty()) else {
        return Ok(());
    };
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
    builder.create(folder).map_err(|e| {
        Failure::config(format!(
            "cannot create the token folder {}: {e}",
            folder.display()
        ))
        .with_hint("set token_file in the profile to a path you can write")
    })
}

/// An exclusive `flock` on `<token file>.lock`, held until dropped.
struct FileLock {
    _file: File,
}

impl FileLock {
    fn acquire(token_file: &Path) -> Result<FileLock, Failure> {
        let mut name = token_file.file_name().unwrap_or_default().to_os_string();
        name.push(".lock");
        let path = token_file.with_file_name(name);
        let file = create_lock_file(&path).map_err(|e| {
            Failure::config(format!("cannot open the lock file {}: {e}", path.display()))
                .with_hint("check that the token file's folder exists and is writable by you")
        })?;
        flock_exclusive(&file).map_err(|e| {
            Failure::config(format!("cannot lock {}: {e}", path.display()))
                .with_hint("the token file must be on a local file system that supports locks")
        })?;
        Ok(FileLock { _file: file })
    }
}

#[cfg(unix)]
fn create_lock_file(path: &Path) -> std::io::Result<File> {
    use std::os::unix::fs::OpenOptionsExt;
    OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(false)
        .mode(0o600)
        .open(path)
}

#[cfg(not(unix))]
fn create_lock_file(path: &Path) -> std::io::Result<File> {
    OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(false)
        .open(path)
}

#[cfg(unix)]
fn flock_exclusive(file: &File) -> std::io::Result<()> {
    use std::os::unix::io::AsRawFd;
    loop {
        // SAFETY: the descriptor is open for as long as `file` lives; the lock goes with it.
        let rc = unsafe { libc::flock(file.as_raw_fd(), libc::LOCK_EX) };
        if rc == 0 {
            return Ok(());
        }
        let error = std::io::Error::last_os_error();
        if error.kind() != std::io::ErrorKind::Interrupted {
            return Err(error);
        }
    }
}

#[cfg(not(unix))]
fn flock_exclusive(_file: &File) -> std::io::Result<()> {
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn app(dir: &Path) -> AppCredentials {
        AppCredentials {
            profile: "app".into(),
            portal_url: "https://x.bitrix24.com".into(),
            client_id: "local.1".into(),
            client_secret: Secret::new("s3cret"),
            token_file: dir.join("tokens").join("app.json"),
            server_endpoint: None,
        }
    }

    #[test]
    fn a_refused_refresh_is_an_auth_failure_with_the_login_hint() {
        let dir = tempfile::tempdir().unwrap();
        let answer = serde_json::json!({"error": "invalid_grant", "error_description": "spent"});
        let Err(failure) = from_answer(&app(dir.path()), &answer, None) else {
            panic!("an error answer was taken as tokens");
        };
        assert_eq!(failure.exit_code(), 4);
        assert!(failure
            .hint
            .as_deref()
            .unwrap()
            .contains("b24tel auth login -p app"));
    }

    #[test]
    fn a_complete_temp_file_is_taken_over_and_a_torn_one_dropped() {
        let dir = tempfile::tempdir().unwrap();
        let app = app(dir.path());
        ensure_folder(&app.token_file).unwrap();
        let stored = |token: &str| Stored {
            access_token: token.into(),
            refresh_token: "r".into(),
            expires_at: 1,
            server_endpoint: None,
            client_endpoint: None,
        };
        write(&app.token_file, &stored("old")).unwrap();
        std::fs::write(pending_path(&app.token_file), b"{\"access_tok").unwrap();
        let session = TokenSession::open(app.clone()).unwrap();
        assert_eq!(session.access_token().expose(), "old");
        let pending = pending_path(&app.token_file);
        let mut file = create_private(&pending).unwrap();
        file.write_all(&serde_json::to_vec(&stored("new")).unwrap())
            .unwrap();
        let session = TokenSession::open(app).unwrap();
        assert_eq!(session.access_token().expose(), "new");
        assert!(!pending.exists());
    }
}

/// Against the in-process sandbox's token server: workers of one run that meet an
/// expired token together make one refresh.
#[cfg(test)]
mod concurrent_tests {
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::sync::Arc;

    use super::*;
    use crate::config::{Auth, Profile};
    use crate::portal::Portal;

    #[test]
    fn workers_meeting_expiry_together_refresh_once() {
        let sandbox = crate::sandbox::start(crate::sandbox::Options {
            addr: "127.0.0.1:0".parse().unwrap(),
            data_dir: None,
            faults: Vec::new(),
            webhook_code: None,
            access_token: None,
            scopes: Vec::new(),
            log: false,
            strict: false,
            token_lifetime: None,
            tls: false,
        })
        .unwrap();
        let dir = tempfile::tempdir().unwrap();
        let app = AppCredentials {
            profile: "app".into(),
            portal_url: sandbox.portal_url.clone(),
            client_id: sandbox.client_id.clone(),
            client_secret: Secret::new(sandbox.client_secret.clone()),
            token_file: dir.path().join("app.json"),
            server_endpoint: Some(format!("{}/oauth/", sandbox.portal_url)),
        };
        let ui = crate::output::Ui::new(None, true, false);
        let profile = Profile {
            name: Some("app".into()),
            auth: Auth::OAuth {
                portal_url: sandbox.portal_url.clone(),
                token: Secret::new(""),
                session: None,
            },
            timeout: std::time::Duration::from_secs(10),
            retries: 0,
            ca_cert: None,
            allow_http: false,
        };
        let portal = Portal::new(&profile, &ui).unwrap();
        login(
            &app,
            Grant::RefreshToken(&sandbox.refresh_token),
            &|url, form| portal.post_form(url, form),
        )
        .unwrap();
        let session = Arc::new(TokenSession::open(app).unwrap());
        let stale = session.access_token();
        let posts = Arc::new(AtomicUsize::new(0));
        let workers: Vec<_> = (0..8)
            .map(|_| {
                let (session, stale, posts) = (session.clone(), stale.clone(), posts.clone());
                let (profile, ui) = (profile.clone(), ui.clone());
                std::thread::spawn(move || {
                    let portal = Portal::new(&profile, &ui).unwrap();
                    session
                        .renew(&stale, &|url, form| {
                            posts.fetch_add(1, Ordering::SeqCst);
                            portal.post_form(url, form)
                        })
                        .unwrap();
                    session.access_token()
                })
            })
            .collect();
        let tokens: Vec<Secret> = workers.into_iter().map(|w| w.join().unwrap()).collect();
        assert_eq!(posts.load(Ordering::SeqCst), 1);
        assert!(tokens.iter().all(|t| *t == tokens[0] && *t != stale));
    }
}
