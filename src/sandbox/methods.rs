//! The portal methods whose parameters fit in memory: the portal and user descriptions
//! every SDK asks for, call register and finish, transcripts, call statistics.

use std::time::SystemTime;

use serde_json::{json, Map, Value};

use super::answer::{portal_date, ApiError, MethodResult, Success};
use super::app::{App, Caller, Credential};
use super::params::{integer, php_int, text_param};
use super::state::Registration;

/// Methods this stand-in knows, lower case as the portal matches them.
pub const KNOWN: &[&str] = &[
    "batch",
    "scope",
    "profile",
    "user.current",
    "server.time",
    "method.get",
    "app.info",
    "telephony.externalcall.register",
    "telephony.externalcall.finish",
    "telephony.externalcall.attachrecord",
    "telephony.call.attachtranscription",
    "voximplant.statistic.get",
];

/// The scope a method needs, if any.
pub fn scope_of(method: &str) -> Option<&'static str> {
    if method.starts_with("telephony.") || method.starts_with("voximplant.") {
        Some("telephony")
    } else if method == "user.current" {
        Some("user")
    } else {
        None
    }
}

pub fn profile() -> Success {
    json!({
        "ID": "1",
        "ADMIN": true,
        "NAME": "Sandbox",
        "LAST_NAME": "Admin",
        "PERSONAL_GENDER": "",
        "PERSONAL_PHOTO": "",
        "TIME_ZONE": "",
        "TIME_ZONE_OFFSET": 0,
    })
    .into()
}

pub fn user_current() -> Success {
    json!({
        "ID": "1",
        "XML_ID": null,
        "ACTIVE": true,
        "NAME": "Sandbox",
        "LAST_NAME": "Admin",
        "SECOND_NAME": "",
        "EMAIL": "admin@sandbox.invalid",
        "LAST_LOGIN": portal_date(SystemTime::now()),
        "DATE_REGISTER": "2026-01-01T00:00:00+00:00",
        "IS_ONLINE": "Y",
        "TIME_ZONE": "",
        "TIME_ZONE_OFFSET": "0",
        "TIMESTAMP_X": "",
        "LAST_ACTIVITY_DATE": "",
        "PERSONAL_GENDER": "",
        "PERSONAL_PROFESSION": "",
        "PERSONAL_WWW": "",
        "PERSONAL_BIRTHDAY": "",
        "PERSONAL_PHOTO": "",
        "PERSONAL_ICQ": "",
        "PERSONAL_PHONE": "",
        "PERSONAL_FAX": "",
        "PERSONAL_MOBILE": "",
        "PERSONAL_PAGER": "",
        "PERSONAL_STREET": "",
        "PERSONAL_CITY": "",
        "PERSONAL_STATE": "",
        "PERSONAL_ZIP": "",
        "PERSONAL_COUNTRY": "",
        "WORK_COMPANY": "",
        "WORK_POSITION": "",
        "WORK_PHONE": "",
        "UF_DEPARTMENT": [1],
        "UF_PHONE_INNER": "101",
        "USER_TYPE": "employee",
    })
    .into()
}

pub fn server_time() -> Success {
    Value::String(portal_date(SystemTime::now())).into()
}

/// `method.get`: whether a method exists and this caller may use it.
pub fn method_get(app: &App, params: &Map<String, Value>) -> Success {
    let name = text_param(params, "name")
        .or_else(|| text_param(params, "NAME"))
        .unwrap_or_default()
        .to_ascii_lowercase();
    let existing = KNOWN.contains(&name.as_str());
    let available = existing && scope_of(&name).is_none_or(|scope| app.has_scope(scope));
    json!({"isExisting": existing, "isAvailable": available}).into()
}

pub fn app_info(app: &App, caller: &Caller) -> Success {
    let mut info = json!({
        "ID": 1,
        "CODE": "local.b24tel.sandbox",
        "VERSION": 1,
        "STATUS": "L",
        "INSTALLED": true,
        "PAYMENT_EXPIRED": "N",
        "DAYS": null,
        "LANGUAGE_ID": "en",
        "LICENSE": "en_project",
        "LICENSE_TYPE": "project",
        "LICENSE_FAMILY": "project",
        "scope": app.scopes,
    });
    if caller.credential == Credential::Webhook {
        info["CODE"] = "webhook".into();
    }
    info.into()
}

pub fn register(app: &App, params: &Map<String, Value>) -> MethodResult {
    let user_id = integer(params.get("USER_ID")).filter(|id| *id > 0);
    let inner = text_param(params, "USER_PHONE_INNER").filter(|n| !n.is_empty());
    if user_id.is_none() && inner.is_none() {
        return Err(ApiError::argument(
            "USER_ID or USER_PHONE_INNER should be set",
        ));
    }
    let phone = text_param(params, "PHONE_NUMBER").unwrap_or_default();
    if phone.is_empty() {
        return Err(ApiError::core("PHONE_NUMBER is not set"));
    }
    let call_type = match integer(params.get("TYPE")) {
        Some(kind @ 1..=5) => kind,
        _ => return Err(ApiError::core("Unknown TYPE")),
    };
    let registration = Registration {
        user: user_id.map_or_else(
            || format!("inner:{}", inner.unwrap_or_default()),
            |id| id.to_string(),
        ),
        phone_number: phone,
        call_type,
        line_number: text_param(params, "LINE_NUMBER").unwrap_or_default(),
        external_call_id: text_param(params, "EXTERNAL_CALL_ID").unwrap_or_default(),
    };
    let (call_id, repeated) = app.state().register(registration);
    if repeated {
        app.note(&format!(
            "register repeated within 30 minutes with the same parameters: the portal answers the same CALL_ID {call_id} (send a different EXTERNAL_CALL_ID for a new call)"
        ));
    }
    super::statistic::remember_registration(app, &call_id, params);
    Ok(json!({
        "CALL_ID": call_id,
        "CRM_CREATED_LEAD": null,
        "CRM_CREATED_ENTITIES": [],
        "LEAD_CREATION_ERROR": null,
    })
    .into())
}

pub fn finish(app: &App, params: &Map<String, Value>) -> MethodResult {
    let call_id = text_param(params, "CALL_ID").unwrap_or_default();
    let duration = integer(params.get("DURATION")).unwrap_or(0).max(0);
    let finished = app.state().finish(&call_id, duration);
    let call = match finished {
        Ok(Some(call)) => call,
        Ok(None) => return Err(ApiError::core("Call is not found")),
        Err(error) => return Err(ApiError::storage(error)),
    };
    super::statistic::remember_finish(app, &call_id, params);
    Ok(json!({
        "ID": call.row_id.to_string(),
        "CALL_ID": call.call_id,
        "PORTAL_USER_ID": "1",
        "PHONE_NUMBER": call.phone_number,
        "CALL_TYPE": call.call_type.to_string(),
        "CALL_DURATION": duration,
        "CALL_START_DATE": portal_date(call.started),
        "CALL_STATUS": 1,
        "CALL_FAILED_CODE": "200",
        "CALL_FAILED_REASON": "Success call",
        "COST": 0,
        "COST_CURRENCY": "",
    })
    .into())
}

pub fn attach_transcription(app: &App, params: &Map<String, Value>) -> MethodResult {
    let call_id = text_param(params, "CALL_ID").unwrap_or_default();
    if call_id.is_empty() {
        return Err(ApiError::core("CALL_ID should be set"));
    }
    let messages = params.get("MESSAGES");
    // PHP decodes JSON objects to arrays too; their keys are what it prints as N.
    let entries: Vec<(String, &Value)> = match messages {
        Some(Value::Array(list)) => list
            .iter()
            .enumerate()
            .map(|(i, m)| (i.to_string(), m))
            .collect(),
        Some(Value::Object(map)) => map.iter().map(|(k, m)| (k.clone(), m)).collect(),
        _ => return Err(ApiError::core("MESSAGES should be an array")),
    };
    let mut casts = Vec::new();
    for (n, message) in entries {
        let field = |key: &str| message.get(key);
        if !matches!(
            field("SIDE").and_then(Value::as_str),
            Some("Client" | "User")
        ) {
            return Err(ApiError::core(format!(
                "MESSAGES[{n}][SIDE] should be either Client or User"
            )));
        }
        // The portal casts the times with (int): null is 0, 1.5 is 1.
        let (start, start_cast) = php_int(field("START_TIME")).unwrap_or((0, true));
        let (stop, stop_cast) = php_int(field("STOP_TIME")).unwrap_or((0, true));
        if start < 0 {
            return Err(ApiError::core(format!(
                "MESSAGES[{n}][START_TIME] should be greater or equal to zero"
            )));
        }
        if stop <= 0 {
            return Err(ApiError::core(format!(
                "MESSAGES[{n}][STOP_TIME] should be greater than zero"
            )));
        }
        let text = message
            .as_object()
            .and_then(|m| text_param(m, "MESSAGE"))
            .unwrap_or_default();
        if text.is_empty() {
            return Err(ApiError::core(format!("MESSAGES[{n}][MESSAGE] is empty")));
        }
        for (key, cast, value) in [
            ("START_TIME", start_cast, start),
            ("STOP_TIME", stop_cast, stop),
        ] {
            if cast {
                let sent = field(key).map_or("nothing".to_string(), Value::to_string);
                casts.push(format!(
                    "MESSAGES[{n}][{key}] is {sent}, which a portal stores as {value} (send whole seconds)"
                ));
            }
        }
    }
    for cast in &casts {
        app.note(cast);
    }
    if app.strict && !casts.is_empty() {
        return Err(ApiError::core(format!("--strict: {}", casts.join("; "))));
    }
    let messages = messages.expect("checked above");
    let stored = app.state().attach_transcript(
        &call_id,
        messages,
        params.get("COST"),
        params.get("COST_CURRENCY"),
    );
    match stored {
        Ok(Some(id)) => Ok(json!({"TRANSCRIPT_ID": id}).into()),
        Ok(None) => Err(ApiError::core(format!(
            "Call {call_id} is not found. Is it finished?"
        ))),
        Err(error) => Err(ApiError::storage(error)),
    }
}
