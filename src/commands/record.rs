//! `b24tel record attach` and `b24tel record upload-url`: put a call's recording
//! on the portal, as streamed Base64, by URL, or through the two-step upload URL.

use std::path::PathBuf;
use std::time::Duration;

use clap::{ArgGroup, Args, Subcommand};
use serde_json::{json, Map, Value};

use crate::call::CallId;
use crate::cli::GlobalArgs;
use crate::failure::Failure;
use crate::output::{fields, Ui};
use crate::portal::{body::base64_len, Portal, Repeat};
use crate::record::{check_url, RecordFile, RecordName};
use crate::secret::SecretUrl;

pub const ATTACH_RECORD: &str = "telephony.externalCall.attachRecord";

#[derive(Debug, Subcommand)]
pub enum Cmd {
    /// Attach a recording (.mp3/.wav) to a finished call, from a file or a URL
    Attach(AttachArgs),
    /// Get a one-off upload URL for a recording, and optionally upload the file to it
    UploadUrl(UploadUrlArgs),
}

#[derive(Debug, Args)]
#[command(group(ArgGroup::new("source").required(true).args(["file", "url"])))]
pub struct AttachArgs {
    /// CALL_ID from telephony.externalCall.register
    #[arg(long, value_name = "ID")]
    pub call_id: String,
    /// Recording file to send (streamed as Base64)
    #[arg(long, value_name = "PATH")]
    pub file: Option<PathBuf>,
    /// URL the portal downloads the recording from
    #[arg(long, value_name = "URL")]
    pub url: Option<String>,
    /// Name to store the recording under [default: the file's or URL's name]
    #[arg(long, value_name = "NAME")]
    pub filename: Option<String>,
    /// Do not check that the content looks like MP3/WAV
    #[arg(long)]
    pub no_sniff: bool,
    /// Keep asking while the portal says the call is not finished, up to SECS
    #[arg(long, value_name = "SECS", default_value_t = 0)]
    pub wait_for_call: u64,
}

#[derive(Debug, Args)]
pub struct UploadUrlArgs {
    /// CALL_ID from telephony.externalCall.register
    #[arg(long, value_name = "ID")]
    pub call_id: String,
    /// Name of the recording (.mp3 or .wav)
    #[arg(long, value_name = "NAME")]
    pub filename: String,
    /// Upload this file to the URL (raw, multipart/form-data) and print its FILE_ID
    #[arg(long, value_name = "PATH")]
    pub upload: Option<PathBuf>,
}

pub fn run(cmd: Cmd, global: &GlobalArgs, ui: &Ui) -> anyhow::Result<()> {
    match cmd {
        Cmd::Attach(args) => attach(args, global, ui),
        Cmd::UploadUrl(args) => upload_url(args, global, ui),
    }
}

/// Nothing is sent when any input is invalid; every problem is listed.
pub fn invalid(problems: Vec<String>) -> Failure {
    let count = problems.len();
    Failure::invalid(format!(
        "{count} problem{} with the input; nothing was sent",
        if count == 1 { "" } else { "s" }
    ))
    .with_details(problems)
}

/// What `record attach` sends: a checked file, or a URL and the name it implies.
pub enum Recording {
    File(RecordFile),
    Url { url: String, name: RecordName },
}

impl Recording {
    pub fn filename(&self) -> &str {
        match self {
            Recording::File(file) => &file.name.sent,
            Recording::Url { name, .. } => &name.sent,
        }
    }
}

/// Attaches one recording; the path `record attach`, `batch` and `demo` share.
pub fn attach_recording(
    portal: &Portal,
    call_id: &CallId,
    recording: &Recording,
    wait_for_call: Duration,
) -> Result<Map<String, Value>, Failure> {
    let mut params = fields([
        ("CALL_ID", json!(call_id.as_str())),
        ("FILENAME", json!(recording.filename())),
    ]);
    if let Recording::Url { url, .. } = recording {
        params.insert("RECORD_URL".into(), json!(url));
    }
    let started = std::time::Instant::now();
    if let (Recording::File(_), false) = (recording, wait_for_call.is_zero()) {
        // Wait with the small upload-URL request (it checks the call the same way
        // and attaches nothing), so a large file is sent once, not once per poll.
        portal
            .until_call_ready(wait_for_call, || {
                portal.call(ATTACH_RECORD, &params, Repeat::Safe)
            })
            .map_err(|f| super::call::explain_not_ready(f, call_id, Some(true)))?;
    }
    let wait_left = wait_for_call.saturating_sub(started.elapsed());
    let result = portal
        .until_call_ready(wait_left, || match recording {
            Recording::File(file) => portal.call_with_file(
                ATTACH_RECORD,
                &params,
                "FILE_CONTENT",
                file.source(),
                Repeat::Safe,
            ),
            Recording::Url { .. } => portal.call(ATTACH_RECORD, &params, Repeat::Safe),
        })
        .map_err(|f| super::call::explain_not_ready(f, call_id, Some(!wait_for_call.is_zero())))?;
    let file_id = id_in(&result, "FILE_ID", ATTACH_RECORD)?;
    let mut out = fields([
        ("call_id", json!(call_id.as_str())),
        ("file_id", json!(file_id)),
        ("filename", json!(recording.filename())),
    ]);
    match recording {
        Recording::File(file) => out.insert("size".into(), json!(file.size)),
        Recording::Url { url, .. } => {
            out.insert("record_url".into(), json!(crate::secret::redact_url(url)))
        }
    };
    Ok(out)
}

/// An id in a result object, as a JSON integer whether the portal sent a number or a string.
pub fn id_in(result: &Value, key: &str, method: &str) -> Result<i64, Failure> {
    let value = result.get(key);
    value
        .and_then(Value::as_i64)
        .or_else(|| value.and_then(Value::as_str).and_then(|s| s.parse().ok()))
        .ok_or_else(|| {
            Failure::network(format!(
                "unexpected answer to {method}: no integer {key} in {}",
                crate::portal::shape_of(result)
            ))
        })
}

fn attach(args: AttachArgs, global: &GlobalArgs, ui: &Ui) -> anyhow::Result<()> {
    let mut problems = Vec::new();
    let call_id = CallId::parse(&args.call_id, "--call-id")
        .map_err(|p| problems.push(p))
        .ok();
    let recording = match (&args.file, &args.url) {
        (Some(path), _) => {
            RecordFile::check(path, args.filename.as_deref(), !args.no_sniff).map(Recording::File)
        }
        (None, Some(url)) => check_url(url, args.filename.as_deref()).map(|name| Recording::Url {
            url: url.clone(),
            name,
        }),
        (None, None) => unreachable!("clap requires --file or --url"),
    }
    .map_err(|mut p| problems.append(&mut p))
    .ok();
    let (Some(call_id), Some(recording)) = (call_id, recording) else {
        return Err(invalid(problems).into());
    };

    let profile = super::profile(global, ui)?;
    let portal = Portal::new(&profile, ui)?;
    if global.dry_run {
        let content = match &recording {
            Recording::File(file) => json!(format!(
                "<Base64 of {} ({} bytes), {} characters>",
                file.path.display(),
                file.size,
                base64_len(file.size)
            )),
            Recording::Url { .. } => Value::Null,
        };
        let mut params = fields([
            ("CALL_ID", json!(call_id.as_str())),
            ("FILENAME", json!(recording.filename())),
        ]);
        match &recording {
            Recording::File(_) => params.insert("FILE_CONTENT".into(), content),
            Recording::Url { url, .. } => {
                params.insert("RECORD_URL".into(), json!(crate::secret::redact_url(url)))
            }
        };
        ui.result_of(&plan(&portal, ATTACH_RECORD, &call_id, params));
        return Ok(());
    }
    let out = attach_recording(
        &portal,
        &call_id,
        &recording,
        Duration::from_secs(args.wait_for_call),
    )?;
    ui.result(&out);
    Ok(())
}

/// The `--dry-run` output: method, redacted URL, call id and parameters.
#[derive(serde::Serialize)]
pub struct Plan<'a, P: serde::Serialize> {
    dry_run: bool,
    method: &'a str,
    url: String,
    call_id: &'a str,
    params: P,
    #[serde(skip_serializing_if = "Option::is_none")]
    then: Option<String>,
}

pub fn plan<'a, P: serde::Serialize>(
    portal: &Portal,
    method: &'a str,
    call_id: &'a CallId,
    params: P,
) -> Plan<'a, crate::portal::PlanParams<P>> {
    Plan {
        dry_run: true,
        method,
        url: portal.describe(method),
        call_id: call_id.as_str(),
        params: portal.plan_params(params),
        then: None,
    }
}

fn upload_url(args: UploadUrlArgs, global: &GlobalArgs, ui: &Ui) -> anyhow::Result<()> {
    let mut problems = Vec::new();
    let call_id = CallId::parse(&args.call_id, "--call-id")
        .map_err(|p| problems.push(p))
        .ok();
    let name = RecordName::parse(&args.filename, "--filename")
        .map_err(|p| problems.push(p))
        .ok();
    let file = match (&args.upload, &name) {
        (Some(path), Some(_)) => RecordFile::check(path, Some(&args.filename), true)
            .map_err(|mut p| problems.append(&mut p))
            .ok(),
        _ => None,
    };
    let (Some(call_id), Some(name)) = (call_id, name) else {
        return Err(invalid(problems).into());
    };
    if !problems.is_empty() {
        return Err(invalid(problems).into());
    }

    let profile = super::profile(global, ui)?;
    let portal = Portal::new(&profile, ui)?;
    let params = fields([
        ("CALL_ID", json!(call_id.as_str())),
        ("FILENAME", json!(name.sent)),
    ]);
    if global.dry_run {
        let mut out = plan(&portal, ATTACH_RECORD, &call_id, params);
        out.then = file.as_ref().map(|file| {
            format!(
                "POST {} ({} bytes) as multipart/form-data to the uploadUrl of the answer",
                file.path.display(),
                file.size
            )
        });
        ui.result_of(&out);
        return Ok(());
    }
    let result = portal
        .call(ATTACH_RECORD, &params, Repeat::Safe)
        .map_err(|f| super::call::explain_not_ready(f, &call_id, None))?;
    let upload_url = result
        .get("uploadUrl")
        .and_then(Value::as_str)
        .ok_or_else(|| {
            Failure::network(format!(
                "unexpected answer to {ATTACH_RECORD}: no uploadUrl"
            ))
        })?;
    let field_name = result
        .get("fieldName")
        .and_then(Value::as_str)
        .unwrap_or("file");
    let Some(file) = file else {
        // The one place a secret is printed: handing the URL on is the point.
        ui.result(&fields([
            ("call_id", json!(call_id.as_str())),
            ("filename", json!(name.sent)),
            ("upload_url", json!(upload_url)),
            ("field_name", json!(field_name)),
        ]));
        return Ok(());
    };
    let answer = portal.upload(
        &SecretUrl::new(upload_url),
        field_name,
        &file.name.sent,
        file.name.format.mime(),
        file.source(),
    )?;
    let file_id = id_in(&answer, "FILE_ID", "the upload URL")?;
    ui.result(&fields([
        ("call_id", json!(call_id.as_str())),
        ("filename", json!(name.sent)),
        ("file_id", json!(file_id)),
        ("size", json!(file.size)),
    ]));
    Ok(())
}
