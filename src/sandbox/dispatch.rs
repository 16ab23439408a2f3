//! From a decoded call to the method that answers it: scopes, then the method.

use serde_json::{json, Map, Value};

use super::answer::{ApiError, MethodResult};
use super::app::{App, Caller};
use super::methods::{self, scope_of, KNOWN};
use super::record;
use super::request::FileContent;

/// Runs one method (not `batch`) with its parameters.
pub async fn call(
    app: &App,
    caller: &Caller,
    method: &str,
    params: &Map<String, Value>,
    content: Option<FileContent>,
) -> MethodResult {
    if !KNOWN.contains(&method) || method == "batch" {
        return Err(ApiError::method_not_found());
    }
    if let Some(scope) = scope_of(method) {
        if !app.has_scope(scope) {
            return Err(ApiError::insufficient_scope());
        }
    }
    match method {
        "scope" => Ok(json!(app.scopes).into()),
        "profile" => Ok(methods::profile()),
        "user.current" => Ok(methods::user_current()),
        "server.time" => Ok(methods::server_time()),
        "method.get" => Ok(methods::method_get(app, params)),
        "app.info" => Ok(methods::app_info(app, caller)),
        "telephony.externalcall.register" => methods::register(app, params),
        "telephony.externalcall.finish" => methods::finish(app, params),
        "telephony.externalcall.attachrecord" => record::attach(app, caller, params, content).await,
        "telephony.call.attachtranscription" => methods::attach_transcription(app, params),
        "voximplant.statistic.get" => super::statistic::statistic_get(app, params),
        _ => Err(ApiError::method_not_found()),
    }
}
