//! `b24tel call register|finish|show|list`: a call's telephony lifecycle from the
//! shell, so a dialplan hook needs nothing else to get a CALL_ID and find it again.

use std::time::SystemTime;

use clap::{ArgGroup, Args, Subcommand, ValueEnum};
use serde_json::{json, Map, Value};

use super::record::invalid;
use crate::call::{local_iso8601, parse_iso8601, CallId};
use crate::cli::GlobalArgs;
use crate::failure::{Failure, Kind};
use crate::output::{fields, Ui};
use crate::portal::{is_call_not_ready, Portal, Repeat};

pub const REGISTER: &str = "telephony.externalCall.register";
pub const FINISH: &str = "telephony.externalCall.finish";
pub const STATISTIC: &str = "voximplant.statistic.get";

#[derive(Debug, Subcommand)]
pub enum Cmd {
    /// Register a call (telephony.externalCall.register) and print its CALL_ID
    Register(RegisterArgs),
    /// Finish a registered call (telephony.externalCall.finish)
    Finish(FinishArgs),
    /// Show one finished call from the portal's call statistics
    Show(ShowArgs),
    /// List finished calls, e.g. today's calls that still lack a recording
    List(ListArgs),
}

/// Whose call it is: a Bitrix24 user id or the user's internal phone number.
#[derive(Debug, Args)]
#[command(group(ArgGroup::new("user").required(true).args(["user_id", "user_phone_inner"])))]
pub struct UserArgs {
    /// Bitrix24 user id of the call's employee (USER_ID)
    #[arg(long, value_name = "N")]
    pub user_id: Option<u64>,
    /// The employee's internal phone number (USER_PHONE_INNER)
    #[arg(long, value_name = "EXT")]
    pub user_phone_inner: Option<String>,
}

impl UserArgs {
    fn insert_into(&self, params: &mut Map<String, Value>) {
        match (&self.user_id, &self.user_phone_inner) {
            (Some(id), _) => params.insert("USER_ID".into(), json!(id)),
            (None, Some(ext)) => params.insert("USER_PHONE_INNER".into(), json!(ext)),
            (None, None) => None,
        };
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum CallType {
    Out,
    In,
    InRedirect,
    Callback,
    Info,
}

impl CallType {
    /// The portal's TYPE number.
    pub fn code(self) -> i64 {
        match self {
            CallType::Out => 1,
            CallType::In => 2,
            CallType::InRedirect => 3,
            CallType::Callback => 4,
            CallType::Info => 5,
        }
    }

    pub fn name_of(code: i64) -> Option<&'static str> {
        Some(match code {
            1 => "out",
            2 => "in",
            3 => "in-redirect",
            4 => "callback",
            5 => "info",
            _ => return None,
        })
    }
}

#[derive(Debug, Args)]
pub struct RegisterArgs {
    /// The other party's phone number (PHONE_NUMBER)
    #[arg(long, value_name = "NUMBER")]
    pub phone: String,
    #[command(flatten)]
    pub user: UserArgs,
    /// Call direction (TYPE 1-5)
    #[arg(long = "type", value_enum, default_value_t = CallType::Out)]
    pub call_type: CallType,
    /// When the call started, ISO 8601 [default: now, with the local offset]
    #[arg(long, value_name = "ISO8601")]
    pub start: Option<String>,
    /// Your PBX's id for the call (EXTERNAL_CALL_ID), to find it again later
    #[arg(long, value_name = "ID")]
    pub external_id: Option<String>,
    /// The line (LINE_NUMBER) the call came on
    #[arg(long, value_name = "NUMBER")]
    pub line: Option<String>,
    /// Let the portal create a CRM lead/contact for an unknown number (CRM_CREATE=1)
    #[arg(long)]
    pub crm_create: bool,
    /// Show the call card to the user (SHOW=1)
    #[arg(long)]
    pub show: bool,
}

#[derive(Debug, Args)]
pub struct FinishArgs {
    /// CALL_ID from `b24tel call register`
    #[arg(long, value_name = "ID")]
    pub call_id: String,
    #[command(flatten)]
    pub user: UserArgs,
    /// Talk time in seconds (DURATION)
    #[arg(long, value_name = "SECS", default_value_t = 0)]
    pub duration: u64,
    /// SIP status code (STATUS_CODE) [default: 200 when --duration > 0, else 304]
    #[arg(long, value_name = "CODE")]
    pub status_code: Option<u32>,
    /// Why the call failed (FAILED_REASON)
    #[arg(long, value_name = "TEXT")]
    pub failed_reason: Option<String>,
    /// Cost of the call (COST)
    #[arg(long, value_name = "AMOUNT", allow_negative_numbers = true)]
    pub cost: Option<String>,
    /// Currency of the cost (three upper-case letters, COST_CURRENCY)
    #[arg(long, value_name = "CODE")]
    pub currency: Option<String>,
    /// Post the call to the user's chat (ADD_TO_CHAT=1; sent as 0 otherwise)
    #[arg(long)]
    pub add_to_chat: bool,
}

#[derive(Debug, Args)]
#[command(group(ArgGroup::new("which").required(true).args(["call_id", "external_id"])))]
pub struct ShowArgs {
    /// CALL_ID of the call
    #[arg(long, value_name = "ID")]
    pub call_id: Option<String>,
    /// EXTERNAL_CALL_ID given at register
    #[arg(long, value_name = "ID")]
    pub external_id: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Missing {
    Record,
    Transcript,
}

#[derive(Debug, Args)]
pub struct ListArgs {
    /// Calls that started at or after WHEN: a duration back from now (24h, 30m) or ISO 8601
    #[arg(long, value_name = "WHEN")]
    pub since: Option<String>,
    /// Calls that started at or before WHEN (as --since)
    #[arg(long, value_name = "WHEN")]
    pub until: Option<String>,
    /// Only calls without a recording or without a transcript
    #[arg(long, value_enum)]
    pub missing: Option<Missing>,
    /// At most N calls
    #[arg(long, value_name = "N")]
    pub limit: Option<usize>,
}

pub fn run(cmd: Cmd, global: &GlobalArgs, ui: &Ui) -> anyhow::Result<()> {
    match cmd {
        Cmd::Register(args) => register(args, global, ui),
        Cmd::Finish(args) => finish(args, global, ui),
        Cmd::Show(args) => show(args, global, ui),
        Cmd::List(args) => list(args, global, ui),
    }
}

/// The `--dry-run` output of a call command.
fn print_plan(ui: &Ui, portal: &Portal, method: &str, params: &Map<String, Value>) {
    ui.result(&fields([
        ("dry_run", json!(true)),
        ("method", json!(method)),
        ("url", json!(portal.describe(method))),
        ("params", Value::Object(params.clone())),
    ]));
}

/// The parameters of `telephony.externalCall.register`; problems name their flag.
pub fn register_params(args: &RegisterArgs) -> Result<Map<String, Value>, Vec<String>> {
    let mut problems = Vec::new();
    if args.phone.trim().is_empty() {
        problems.push("--phone: the phone number is empty".to_string());
    }
    let start = match &args.start {
        None => local_iso8601(SystemTime::now()),
        Some(text) => match parse_iso8601(text) {
            Some(time) => local_iso8601(time),
            None => {
                problems.push(format!(
                    "--start: {text:?} is not an ISO 8601 date-time; pass e.g. --start 2026-03-10T12:49:51+03:00"
                ));
                String::new()
            }
        },
    };
    if let Some(id) = &args.external_id {
        if let Err(p) = CallId::parse(id, "--external-id") {
            problems.push(p.replace("call id", "external id"));
        }
    }
    if !problems.is_empty() {
        return Err(problems);
    }
    let mut params = Map::new();
    args.user.insert_into(&mut params);
    params.insert("PHONE_NUMBER".into(), json!(args.phone.trim()));
    params.insert("TYPE".into(), json!(args.call_type.code()));
    params.insert("CALL_START_DATE".into(), json!(start));
    if let Some(id) = &args.external_id {
        params.insert("EXTERNAL_CALL_ID".into(), json!(id));
    }
    if let Some(line) = &args.line {
        params.insert("LINE_NUMBER".into(), json!(line));
    }
    params.insert("CRM_CREATE".into(), json!(i32::from(args.crm_create)));
    params.insert("SHOW".into(), json!(i32::from(args.show)));
    Ok(params)
}

/// Registers a call; the path `call register` and `smoke` share.
pub fn register_call(
    portal: &Portal,
    params: &Map<String, Value>,
    ui: &Ui,
) -> Result<Map<String, Value>, Failure> {
    let answer = portal.call(REGISTER, params, Repeat::Safe)?;
    let call_id = answer
        .get("CALL_ID")
        .and_then(Value::as_str)
        .filter(|id| !id.is_empty())
        .ok_or_else(|| Failure::network(format!("unexpected answer to {REGISTER}: no CALL_ID")))?;
    if let Some(error) = answer.get("LEAD_CREATION_ERROR").filter(|e| {
        !e.is_null() && e.as_str() != Some("") && *e != &json!(false) && *e != &json!([])
    }) {
        let text = error
            .as_str()
            .map_or_else(|| error.to_string(), str::to_string);
        ui.warn(&format!(
            "the call was registered, but the portal could not create a CRM lead: {text}"
        ));
    }
    let external = answer
        .get("EXTERNAL_CALL_ID")
        .filter(|v| v.as_str().is_some_and(|s| !s.is_empty()))
        .or_else(|| params.get("EXTERNAL_CALL_ID"))
        .cloned()
        .unwrap_or(Value::Null);
    Ok(fields([
        ("call_id", json!(call_id)),
        ("external_call_id", external),
        (
            "crm_entity_type",
            answer
                .get("CRM_ENTITY_TYPE")
                .filter(|v| v.as_str().is_some_and(|s| !s.is_empty()))
                .cloned()
                .unwrap_or(Value::Null),
        ),
        (
            "crm_entity_id",
            integer(answer.get("CRM_ENTITY_ID"))
                .filter(|id| *id > 0)
                .map_or(Value::Null, |id| json!(id)),
        ),
    ]))
}

fn register(args: RegisterArgs, global: &GlobalArgs, ui: &Ui) -> anyhow::Result<()> {
    let params = register_params(&args).map_err(invalid)?;
    let profile = super::profile(global, ui)?;
    let portal = Portal::new(&profile, ui)?;
    if global.dry_run {
        print_plan(ui, &portal, REGISTER, &params);
        return Ok(());
    }
    ui.result(&register_call(&portal, &params, ui)?);
    Ok(())
}

/// The parameters of `telephony.externalCall.finish`; ADD_TO_CHAT always explicit.
pub fn finish_params(
    call_id: &CallId,
    user: &UserArgs,
    duration: u64,
    status_code: Option<u32>,
) -> Map<String, Value> {
    let mut params = fields([("CALL_ID", json!(call_id.as_str()))]);
    user.insert_into(&mut params);
    params.insert("DURATION".into(), json!(duration));
    let status = status_code.unwrap_or(if duration > 0 { 200 } else { 304 });
    params.insert("STATUS_CODE".into(), json!(status));
    params.insert("ADD_TO_CHAT".into(), json!(0));
    params
}

/// Finishes a call; the path `call finish` and `smoke` share.
pub fn finish_call(
    portal: &Portal,
    params: &Map<String, Value>,
) -> Result<Map<String, Value>, Failure> {
    let answer = portal.call(FINISH, params, Repeat::Safe)?;
    let duration = integer(answer.get("CALL_DURATION")).or_else(|| integer(params.get("DURATION")));
    // The code sent: what the call now carries, whatever the answer echoes.
    let status = integer(params.get("STATUS_CODE"));
    Ok(fields([
        ("call_id", params["CALL_ID"].clone()),
        ("duration", json!(duration)),
        ("status_code", json!(status)),
    ]))
}

fn finish(args: FinishArgs, global: &GlobalArgs, ui: &Ui) -> anyhow::Result<()> {
    let mut problems = Vec::new();
    let call_id = CallId::parse(&args.call_id, "--call-id")
        .map_err(|p| problems.push(p))
        .ok();
    let cost = super::transcript::check_cost(args.cost.as_deref(), args.currency.as_deref())
        .map_err(|mut p| problems.append(&mut p))
        .ok()
        .flatten();
    let Some(call_id) = call_id.filter(|_| problems.is_empty()) else {
        return Err(invalid(problems).into());
    };
    let mut params = finish_params(&call_id, &args.user, args.duration, args.status_code);
    if let Some(reason) = &args.failed_reason {
        params.insert("FAILED_REASON".into(), json!(reason));
    }
    if let Some((amount, currency)) = cost {
        params.insert("COST".into(), json!(amount));
        if let Some(currency) = currency {
            params.insert("COST_CURRENCY".into(), json!(currency));
        }
    }
    params.insert("ADD_TO_CHAT".into(), json!(i32::from(args.add_to_chat)));
    let profile = super::profile(global, ui)?;
    let portal = Portal::new(&profile, ui)?;
    if global.dry_run {
        print_plan(ui, &portal, FINISH, &params);
        return Ok(());
    }
    ui.result(&finish_call(&portal, &params).map_err(|f| finish_not_found(f, &call_id))?);
    Ok(())
}

fn finish_not_found(mut failure: Failure, call_id: &CallId) -> Failure {
    if failure.kind == Kind::Rejected
        && failure
            .description
            .as_deref()
            .is_some_and(|d| d.to_ascii_lowercase().contains("not found"))
    {
        failure.hint = Some(format!(
            "the CALL_ID may be wrong, or the call is finished already: check with `b24tel call show --call-id {call_id}`"
        ));
    }
    failure
}

/// The `record attach` / `transcript attach` answer "not found / not finished" comes for
/// a wrong CALL_ID too; say so. `waited`: whether --wait-for-call was given, `None` for a
/// command without that flag; it is suggested only when it exists and was not given.
pub fn explain_not_ready(mut failure: Failure, call_id: &CallId, waited: Option<bool>) -> Failure {
    if !is_call_not_ready(&failure) {
        return failure;
    }
    let mut hint = format!(
        "the portal says this for a call that is not finished yet and for a CALL_ID that does not exist; check it with `b24tel call show --call-id {call_id}`"
    );
    match waited {
        Some(true) => hint.push_str("; it did not become ready within --wait-for-call"),
        Some(false) => hint.push_str(
            "; finish it first (`b24tel call finish`), or wait for it with --wait-for-call SECS",
        ),
        None => hint.push_str("; finish it first (`b24tel call finish`)"),
    }
    failure.hint = Some(hint);
    failure
}

/// An integer given as a JSON number or a string of digits.
fn integer(value: Option<&Value>) -> Option<i64> {
    match value? {
        Value::Number(n) => n.as_i64(),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

/// A statistic row in the contract's `call show` / `call list` shape.
pub fn call_row(row: &Value) -> Map<String, Value> {
    let text = |key: &str| {
        row.get(key)
            .and_then(|v| match v {
                Value::String(s) if !s.is_empty() => Some(json!(s)),
                Value::Number(n) => Some(json!(n.to_string())),
                _ => None,
            })
            .unwrap_or(Value::Null)
    };
    let id = |key: &str| integer(row.get(key)).map_or(Value::Null, |n| json!(n));
    let call_type = integer(row.get("CALL_TYPE"))
        .map(|code| CallType::name_of(code).map_or(json!(code), |name| json!(name)))
        .unwrap_or(Value::Null);
    let status = match integer(row.get("CALL_FAILED_CODE")) {
        Some(code) => json!(code),
        None => text("CALL_FAILED_CODE"),
    };
    fields([
        ("call_id", text("CALL_ID")),
        ("external_call_id", text("EXTERNAL_CALL_ID")),
        ("phone_number", text("PHONE_NUMBER")),
        ("type", call_type),
        ("start", text("CALL_START_DATE")),
        ("duration", id("CALL_DURATION")),
        ("status_code", status),
        ("record_file_id", id("RECORD_FILE_ID")),
        ("transcript_id", id("TRANSCRIPT_ID")),
    ])
}

/// Rows of one `voximplant.statistic.get` page.
pub fn statistic_page(portal: &Portal, params: &Map<String, Value>) -> Result<Vec<Value>, Failure> {
    Ok(statistic_rows(portal, params)?.0)
}

/// Rows of one page and the `start` of the next one, if any.
fn statistic_rows(
    portal: &Portal,
    params: &Map<String, Value>,
) -> Result<(Vec<Value>, Option<u64>), Failure> {
    let (result, next) = portal.call_page(STATISTIC, params)?;
    match result {
        Value::Array(rows) => Ok((rows, next)),
        other => Err(Failure::network(format!(
            "unexpected answer to {STATISTIC}: {} instead of a list of calls",
            match other {
                Value::Object(_) => "an object",
                Value::Null => "null",
                _ => "a single value",
            }
        ))),
    }
}

/// The statistic row of a call, or a "not found" failure that says where to look.
pub fn find_call(portal: &Portal, call_id: &CallId) -> Result<Value, Failure> {
    let rows = statistic_page(
        portal,
        &fields([("FILTER", json!({"CALL_ID": call_id.as_str()}))]),
    )?;
    rows.into_iter()
        .find(|row| row.get("CALL_ID").and_then(Value::as_str) == Some(call_id.as_str()))
        .ok_or_else(|| {
            Failure::new(
                Kind::Rejected,
                format!("call {call_id} is not in the portal's call statistics"),
            )
            .with_hint(
                "a call shows there once it is finished (`b24tel call finish`); check the id, or list recent calls with `b24tel call list --since 24h`",
            )
        })
}

fn show(args: ShowArgs, global: &GlobalArgs, ui: &Ui) -> anyhow::Result<()> {
    let (filter, place) = match (&args.call_id, &args.external_id) {
        (Some(id), _) => ("CALL_ID", CallId::parse(id, "--call-id")),
        (None, Some(id)) => (
            "EXTERNAL_CALL_ID",
            CallId::parse(id, "--external-id").map_err(|p| p.replace("call id", "external id")),
        ),
        (None, None) => unreachable!("clap requires --call-id or --external-id"),
    };
    let id = place.map_err(|p| invalid(vec![p]))?;
    let profile = super::profile(global, ui)?;
    let portal = Portal::new(&profile, ui)?;
    let params = fields([("FILTER", json!({ filter: id.as_str() }))]);
    if global.dry_run {
        print_plan(ui, &portal, STATISTIC, &params);
        return Ok(());
    }
    if filter == "CALL_ID" {
        ui.result(&call_row(&find_call(&portal, &id)?));
        return Ok(());
    }
    let rows: Vec<Value> = statistic_page(&portal, &params)?
        .into_iter()
        .filter(|row| row.get("EXTERNAL_CALL_ID").and_then(Value::as_str) == Some(id.as_str()))
        .collect();
    let Some(chosen) = most_recent(&rows) else {
        return Err(Failure::new(
            Kind::Rejected,
            format!("no finished call has the external id {id}"),
        )
        .with_hint("a call shows in the portal's statistics once it is finished (`b24tel call finish`); list recent calls with `b24tel call list --since 24h`")
        .into());
    };
    let row = call_row(chosen);
    if rows.len() > 1 {
        let others: Vec<String> = rows
            .iter()
            .filter(|r| !std::ptr::eq(*r, chosen))
            .filter_map(|r| r.get("CALL_ID").and_then(Value::as_str).map(str::to_string))
            .collect();
        ui.warn(&format!(
            "{} calls share the external id {id}; showing the most recent (started {}): {}; the others: {} (use --call-id to pick one)",
            rows.len(),
            row["start"].as_str().unwrap_or("-"),
            row["call_id"].as_str().unwrap_or("-"),
            others.join(", ")
        ));
    }
    ui.result(&row);
    Ok(())
}

/// The latest call by CALL_START_DATE, then by statistic row ID.
fn most_recent(rows: &[Value]) -> Option<&Value> {
    rows.iter().max_by_key(|row| {
        (
            row.get("CALL_START_DATE")
                .and_then(Value::as_str)
                .and_then(parse_iso8601),
            integer(row.get("ID")),
        )
    })
}

/// `--since`/`--until`: a duration back from now (`24h`) or an ISO 8601 date.
fn parse_when(text: &str, flag: &str, now: SystemTime) -> Result<SystemTime, String> {
    if let Ok(back) = humantime::parse_duration(text.trim()) {
        return Ok(now.checked_sub(back).unwrap_or(SystemTime::UNIX_EPOCH));
    }
    parse_iso8601(text).ok_or_else(|| {
        format!("{flag}: {text:?} is neither a duration such as 24h nor an ISO 8601 date such as 2026-03-10T00:00:00+03:00")
    })
}

fn list(args: ListArgs, global: &GlobalArgs, ui: &Ui) -> anyhow::Result<()> {
    let now = SystemTime::now();
    let mut problems = Vec::new();
    let mut filter = Map::new();
    for (flag, value, op) in [
        ("--since", &args.since, ">=CALL_START_DATE"),
        ("--until", &args.until, "<=CALL_START_DATE"),
    ] {
        if let Some(text) = value {
            match parse_when(text, flag, now) {
                Ok(time) => {
                    filter.insert(op.into(), json!(local_iso8601(time)));
                }
                Err(p) => problems.push(p),
            }
        }
    }
    if args.limit == Some(0) {
        problems.push("--limit: must be at least 1".into());
    }
    if !problems.is_empty() {
        return Err(invalid(problems).into());
    }
    let profile = super::profile(global, ui)?;
    let portal = Portal::new(&profile, ui)?;
    let mut params = fields([
        ("FILTER", Value::Object(filter)),
        ("SORT", json!("CALL_START_DATE")),
        ("ORDER", json!("ASC")),
        ("start", json!(0)),
    ]);
    if global.dry_run {
        print_plan(ui, &portal, STATISTIC, &params);
        return Ok(());
    }
    let limit = args.limit.unwrap_or(usize::MAX);
    let wanted = |row: &Map<String, Value>| match args.missing {
        None => true,
        Some(Missing::Record) => row["record_file_id"].is_null(),
        Some(Missing::Transcript) => row["transcript_id"].is_null(),
    };
    let mut shown = Vec::new();
    let mut count = 0;
    let mut start = 0;
    'pages: loop {
        params.insert("start".into(), json!(start));
        let (rows, next) = statistic_rows(&portal, &params)?;
        for row in &rows {
            let row = call_row(row);
            if !wanted(&row) {
                continue;
            }
            count += 1;
            if ui.is_json() {
                // Streamed: a month of calls is never held in memory.
                ui.result(&row);
            } else {
                shown.push(row);
            }
            if count >= limit {
                break 'pages;
            }
        }
        // The portal sends `next` while more rows follow.
        match next {
            Some(next) if next > start => start = next,
            _ => break,
        }
    }
    if !ui.is_json() {
        ui.rows(
            &[
                "call_id",
                "start",
                "phone_number",
                "type",
                "duration",
                "record_file_id",
                "transcript_id",
            ],
            &shown,
        );
    }
    ui.note(&format!(
        "{count} call{}",
        if count == 1 { "" } else { "s" }
    ));
    Ok(())
}
