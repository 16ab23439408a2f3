//! The portal methods whose parameters fit in memory: scope, profile, call register and
//! finish, transcripts, call statistics.

use serde_json::{json, Map, Value};

use super::server::{ApiError, App, MethodResult, Success};

pub fn profile() -> Success {
    json!({"ID": "1", "ADMIN": true, "NAME": "Sandbox", "LAST_NAME": "Admin"}).into()
}

/// A parameter as the text PHP would see: strings as they are, numbers printed.
pub fn text_param(params: &Map<String, Value>, key: &str) -> Option<String> {
    match params.get(key)? {
        Value::String(text) => Some(text.clone()),
        Value::Number(number) => Some(number.to_string()),
        Value::Bool(true) => Some("1".into()),
        Value::Bool(false) | Value::Null => Some(String::new()),
        _ => None,
    }
}

/// A whole number given as a JSON integer or a string of digits.
fn integer(value: Option<&Value>) -> Option<i64> {
    match value? {
        Value::Number(number) => number.as_i64(),
        Value::String(text) => text.trim().parse().ok(),
        _ => None,
    }
}

pub fn register(app: &App, params: &Map<String, Value>) -> MethodResult {
    let phone = text_param(params, "PHONE_NUMBER").unwrap_or_default();
    if phone.is_empty() {
        return Err(ApiError::core("PHONE_NUMBER is not set"));
    }
    let call_type = match params.get("TYPE") {
        None => 1,
        Some(value) => match integer(Some(value)) {
            Some(kind @ 1..=4) => kind,
            _ => return Err(ApiError::core("Unknown TYPE")),
        },
    };
    let call_id = app.state().register(phone, call_type);
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
    let Some(call) = app.state().finish(&call_id, duration) else {
        return Err(ApiError::core("Call is not found"));
    };
    super::statistic::remember_finish(app, &call_id, params);
    Ok(json!({
        "ID": call.row_id.to_string(),
        "CALL_ID": call.call_id,
        "PORTAL_USER_ID": "1",
        "PHONE_NUMBER": call.phone_number,
        "CALL_TYPE": call.call_type.to_string(),
        "CALL_DURATION": duration,
        "CALL_START_DATE": super::server::portal_date(call.started),
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
        if integer(field("START_TIME")).is_none_or(|t| t < 0) {
            return Err(ApiError::core(format!(
                "MESSAGES[{n}][START_TIME] should be greater or equal to zero"
            )));
        }
        if integer(field("STOP_TIME")).is_none_or(|t| t <= 0) {
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
        Err(error) => Err(storage_error(error)),
    }
}

pub fn storage_error(error: std::io::Error) -> ApiError {
    ApiError {
        status: hyper::StatusCode::INTERNAL_SERVER_ERROR,
        code: "INTERNAL_SERVER_ERROR",
        description: format!("Internal server error: the sandbox could not store a file: {error}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn integers_may_come_as_strings() {
        assert_eq!(integer(Some(&json!(3))), Some(3));
        assert_eq!(integer(Some(&json!("3"))), Some(3));
        assert_eq!(integer(Some(&json!(1.5))), None);
        assert_eq!(integer(Some(&json!("x"))), None);
        assert_eq!(integer(None), None);
    }
}
