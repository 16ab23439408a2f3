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
use crate::record::convert::{Conversion, Convert, BITRATES};
use crate::record::probe::RawSpec;
use crate::record::{check_url, RecordFile, RecordName};
use crate::secret::SecretUrl;

pub const ATTACH_RECORD: &str = "telephony.externalCall.attachRecord";
pub const STATISTICS: &str = "voximplant.statistic.get";

/// How a recording is converted before it is sent; shared by `record attach`,
/// `record upload-url --upload` and `batch` (flatten it, then call `conversion()`).
#[derive(Debug, Clone, Args)]
pub struct ConvertArgs {
    /// auto: send PCM WAV and MP3 as they are, convert the rest to MP3; mp3/wav: always
    /// convert to that; never: send the file unchanged (.mp3/.wav only)
    #[arg(long, value_enum, value_name = "MODE", default_value_t = Convert::Auto)]
    pub convert: Convert,
    /// MP3 bitrate when converting, in kbps (CBR) [default: 32 per channel]
    #[arg(long, value_name = "KBPS", value_parser = parse_bitrate)]
    pub bitrate: Option<u32>,
    /// Sample rate of headerless .raw/.sln input [default: 8000; .sln16 is 16000]
    #[arg(long, value_name = "HZ", value_parser = clap::value_parser!(u32).range(1000..=384_000))]
    pub raw_rate: Option<u32>,
    /// Channels of headerless .raw/.sln input (2 for MixMonitor's D option)
    #[arg(long, value_name = "N", default_value_t = 1, value_parser = clap::value_parser!(u16).range(1..=2))]
    pub raw_channels: u16,
}

impl ConvertArgs {
    pub fn conversion(&self) -> Conversion {
        Conversion {
            mode: self.convert,
            bitrate: self.bitrate,
            raw: RawSpec {
                rate: self.raw_rate,
                channels: self.raw_channels,
            },
        }
    }
}

fn parse_bitrate(text: &str) -> Result<u32, String> {
    let kbps: u32 = text
        .parse()
        .map_err(|_| format!("{text:?} is not a whole number of kbps"))?;
    if BITRATES.contains(&kbps) {
        Ok(kbps)
    } else {
        Err(format!(
            "{kbps} is not an MP3 bitrate; use one of {BITRATES:?}"
        ))
    }
}

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
    /// Send nothing when the call already has a record (voximplant.statistic.get)
    #[arg(long)]
    pub if_absent: bool,
    #[command(flatten)]
    pub convert: ConvertArgs,
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
    /// Do not check that the content looks like MP3/WAV (and convert nothing)
    #[arg(long)]
    pub no_sniff: bool,
    #[command(flatten)]
    pub convert: ConvertArgs,
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
        .map_err(|f| super::call::explain_not_ready(f, call_id, Some(!wait_for_call.is_zero())))
        .map_err(|f| explain_fetch_failure(f, recording))?;
    let file_id = id_in(&result, "FILE_ID", ATTACH_RECORD)?;
    let mut out = fields([
        ("call_id", json!(call_id.as_str())),
        ("file_id", json!(file_id)),
        ("filename", json!(recording.filename())),
    ]);
    match recording {
        Recording::File(file) => {
            out.insert("size".into(), json!(file.size));
            if let Some(converted) = &file.converted {
                out.insert("converted_from".into(), json!(converted.from.id()));
            }
        }
        Recording::Url { url, .. } => {
            out.insert("record_url".into(), json!(crate::secret::redact_url(url)));
        }
    };
    Ok(out)
}

/// "ERROR_CORE: Server returns HTTP error code 404" is the portal's own download of a
/// RECORD_URL failing: say so, since b24tel itself never fetched the URL.
fn explain_fetch_failure(mut f: Failure, recording: &Recording) -> Failure {
    const FETCH_FAILED: &str = "Server returns HTTP error code";
    let Recording::Url { url, .. } = recording else {
        return f;
    };
    let Some(status) = f
        .description
        .as_deref()
        .filter(|_| f.code.as_deref() == Some("ERROR_CORE"))
        .and_then(|d| d.split_once(FETCH_FAILED))
        .map(|(_, rest)| rest.trim().trim_end_matches('.').to_string())
    else {
        return f;
    };
    f.message = format!(
        "the portal downloaded {} itself and got HTTP {status}; nothing was attached",
        crate::secret::redact_url(url)
    );
    f.hint = Some(
        "the URL must be reachable from the portal's side (its public address, not localhost or a LAN name), without a login; or send the file with --file PATH".into(),
    );
    f
}

/// The FILE_ID of the record a finished call already has, if any.
pub fn existing_record(portal: &Portal, call_id: &CallId) -> Result<Option<i64>, Failure> {
    let params = fields([("FILTER", json!({"CALL_ID": call_id.as_str()}))]);
    let rows = portal.call(STATISTICS, &params, Repeat::Safe)?;
    Ok(rows
        .as_array()
        .into_iter()
        .flatten()
        .filter(|row| row.get("CALL_ID").and_then(Value::as_str) == Some(call_id.as_str()))
        .filter_map(|row| {
            let id = row.get("RECORD_FILE_ID")?;
            id.as_i64().or_else(|| id.as_str()?.parse().ok())
        })
        .find(|id| *id > 0))
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

/// What `record attach` got on the command line, checked: a planned file or a URL.
enum Source {
    File(crate::record::Plan),
    Url { url: String, name: RecordName },
}

fn attach(args: AttachArgs, global: &GlobalArgs, ui: &Ui) -> anyhow::Result<()> {
    let mut problems = Vec::new();
    let call_id = CallId::parse(&args.call_id, "--call-id")
        .map_err(|p| problems.push(p))
        .ok();
    let conversion = args.convert.conversion();
    let source = match (&args.file, &args.url) {
        (Some(path), _) => {
            crate::record::plan(path, args.filename.as_deref(), !args.no_sniff, &conversion)
                .map(Source::File)
        }
        (None, Some(url)) => check_url(url, args.filename.as_deref()).map(|name| Source::Url {
            url: url.clone(),
            name,
        }),
        (None, None) => unreachable!("clap requires --file or --url"),
    }
    .map_err(|mut p| problems.append(&mut p))
    .ok();
    let (Some(call_id), Some(source)) = (call_id, source) else {
        return Err(invalid(problems).into());
    };
    if let Source::File(plan) = &source {
        for warning in &plan.warnings {
            ui.warn(warning);
        }
    }

    let profile = super::profile(global, ui)?;
    let portal = Portal::new(&profile, ui)?;
    if global.dry_run {
        let name = match &source {
            Source::File(plan) => &plan.name.sent,
            Source::Url { name, .. } => &name.sent,
        };
        let mut params = fields([
            ("CALL_ID", json!(call_id.as_str())),
            ("FILENAME", json!(name)),
        ]);
        match &source {
            Source::File(plan) => {
                let content = match plan.target {
                    Some(_) => format!("<Base64 of {}>", plan.describe()),
                    None => format!(
                        "<Base64 of {}, {} characters>",
                        plan.describe(),
                        base64_len(plan.size)
                    ),
                };
                params.insert("FILE_CONTENT".into(), json!(content))
            }
            Source::Url { url, .. } => {
                params.insert("RECORD_URL".into(), json!(crate::secret::redact_url(url)))
            }
        };
        let mut out = plan(&portal, ATTACH_RECORD, &call_id, params);
        if args.if_absent {
            out.then = Some(format!(
                "{STATISTICS} first: nothing is sent when the call already has a record"
            ));
        }
        ui.result_of(&out);
        return Ok(());
    }
    if args.if_absent {
        if let Some(file_id) = existing_record(&portal, &call_id)? {
            ui.note(&format!(
                "call {} already has record {file_id}; nothing sent (--if-absent)",
                call_id.as_str()
            ));
            ui.result(&fields([
                ("call_id", json!(call_id.as_str())),
                ("file_id", json!(file_id)),
                ("skipped", json!(true)),
            ]));
            return Ok(());
        }
    }
    let recording = match source {
        Source::File(plan) => Recording::File(plan.run(ui).map_err(|p| invalid(vec![p]))?),
        Source::Url { url, name } => Recording::Url { url, name },
    };
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
    let conversion = args.convert.conversion();
    let file = match (&args.upload, &name) {
        (Some(path), Some(_)) => {
            crate::record::plan(path, Some(&args.filename), !args.no_sniff, &conversion)
                .map_err(|mut p| problems.append(&mut p))
                .ok()
        }
        _ => None,
    };
    let (Some(call_id), Some(name)) = (call_id, name) else {
        return Err(invalid(problems).into());
    };
    if !problems.is_empty() {
        return Err(invalid(problems).into());
    }

    if let Some(file) = &file {
        for warning in &file.warnings {
            ui.warn(warning);
        }
    }
    // A converted file goes under the output's extension.
    let name = file.as_ref().map(|f| f.name.clone()).unwrap_or(name);

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
                "POST {} as multipart/form-data to the uploadUrl of the answer",
                file.describe()
            )
        });
        ui.result_of(&out);
        return Ok(());
    }
    // Convert before asking for the URL: the FILENAME is fixed by then and a
    // file that cannot be converted asks the portal for nothing.
    let file: Option<RecordFile> = match file {
        Some(plan) => Some(plan.run(ui).map_err(|p| invalid(vec![p]))?),
        None => None,
    };
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
    let mut out = fields([
        ("call_id", json!(call_id.as_str())),
        ("filename", json!(name.sent)),
        ("file_id", json!(file_id)),
        ("size", json!(file.size)),
    ]);
    if let Some(converted) = &file.converted {
        out.insert("converted_from".into(), json!(converted.from.id()));
    }
    ui.result(&out);
    Ok(())
}
