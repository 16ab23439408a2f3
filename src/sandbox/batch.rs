//! `batch`: up to 50 commands in one call, `halt` on the first error, and
//! `$result[name][KEY]` references to earlier commands' results, answered as a portal
//! answers (`result`, `result_error`, `result_total`, `result_next`, `result_time`).

use std::time::{Duration, SystemTime};

use hyper::StatusCode;

use serde_json::{json, Map, Value};

use super::answer::{time_block, ApiError, MethodResult};
use super::app::App;
use super::app::Caller;
use super::dispatch;
use super::params::truthy;
use super::request::command_params;

const MAX_COMMANDS: usize = 50;

/// What `batch` answered, and whether a command's `drop` fault closes the batch
/// request's connection after it took effect.
pub struct Batched {
    pub result: MethodResult,
    pub dropped: bool,
}

pub async fn run(app: &App, caller: &Caller, params: &Map<String, Value>) -> Batched {
    let mut dropped = false;
    let mut delay = Duration::ZERO;
    let result = commands(app, caller, params, &mut dropped, &mut delay).await;
    // A portal answers a batch once every command ran: their server times add up.
    if !dropped && !delay.is_zero() {
        tokio::time::sleep(delay).await;
    }
    Batched { result, dropped }
}

async fn commands(
    app: &App,
    caller: &Caller,
    params: &Map<String, Value>,
    dropped: &mut bool,
    delay: &mut Duration,
) -> MethodResult {
    let halt = truthy(params.get("halt"));
    let (commands, listed): (Vec<(String, String)>, bool) = match params.get("cmd") {
        Some(Value::Object(map)) => (
            map.iter().map(|(k, v)| (k.clone(), text_of(v))).collect(),
            false,
        ),
        Some(Value::Array(list)) => (
            list.iter()
                .enumerate()
                .map(|(i, v)| (i.to_string(), text_of(v)))
                .collect(),
            true,
        ),
        _ => return Err(ApiError::argument("Batch parameters are not set (cmd)")),
    };
    if commands.len() > MAX_COMMANDS {
        return Err(ApiError {
            status: StatusCode::BAD_REQUEST,
            code: "ERROR_BATCH_LENGTH_EXCEEDED",
            description: format!("Max batch length exceeded ({MAX_COMMANDS})"),
        });
    }
    let data_dir = app.state().data_dir.clone();
    let mut results = Map::new();
    let mut errors = Map::new();
    let mut totals = Map::new();
    let mut nexts = Map::new();
    let mut times = Map::new();
    for (name, command) in commands {
        let started = SystemTime::now();
        let (method, query) = command.split_once('?').unwrap_or((&command, ""));
        let method = method.trim_start_matches('/').to_ascii_lowercase();
        let method = method.strip_suffix(".json").unwrap_or(&method).to_string();
        let outcome = if method == "batch" {
            Err(ApiError {
                status: StatusCode::BAD_REQUEST,
                code: "ERROR_BATCH_METHOD_NOT_ALLOWED",
                description: "Method is not allowed for batch usage".into(),
            })
        } else {
            match command_params(query, data_dir.clone()) {
                Ok((mut command_params, content)) => {
                    match app.faults.in_batch(&method).find_map(|f| f.refuse()) {
                        Some(limit) => Err(limit),
                        None => {
                            resolve_references(&mut command_params, &results);
                            let outcome =
                                dispatch::call(app, caller, &method, &command_params, content)
                                    .await;
                            for fault in app.faults.in_batch(&method) {
                                *dropped |= fault.drops_answer();
                                *delay += fault.delay().unwrap_or_default();
                            }
                            outcome
                        }
                    }
                }
                Err(error) => Err(error),
            }
        };
        times.insert(name.clone(), time_block(started));
        match outcome {
            Ok(success) => {
                if let Some(total) = success.total {
                    totals.insert(name.clone(), total.into());
                }
                if let Some(next) = success.next {
                    nexts.insert(name.clone(), next.into());
                }
                results.insert(name, success.result);
            }
            Err(error) => {
                errors.insert(name, error.body());
                if halt {
                    break;
                }
            }
        }
    }
    let shape = |map: Map<String, Value>| -> Value {
        // PHP's json_encode writes an empty array, and a list for numbered commands.
        if map.is_empty() {
            json!([])
        } else if listed && map.keys().enumerate().all(|(i, k)| *k == i.to_string()) {
            Value::Array(map.into_iter().map(|(_, v)| v).collect())
        } else {
            Value::Object(map)
        }
    };
    Ok(json!({
        "result": shape(results),
        "result_error": shape(errors),
        "result_total": shape(totals),
        "result_next": shape(nexts),
        "result_time": shape(times),
    })
    .into())
}

fn text_of(value: &Value) -> String {
    match value {
        Value::String(text) => text.clone(),
        other => other.to_string(),
    }
}

/// Replaces `$result[name][KEY]...` in string parameters with earlier results.
fn resolve_references(params: &mut Map<String, Value>, results: &Map<String, Value>) {
    for value in params.values_mut() {
        resolve_value(value, results);
    }
}

fn resolve_value(value: &mut Value, results: &Map<String, Value>) {
    match value {
        Value::String(text) if text.contains("$result[") => {
            if let Some(whole) = whole_reference(text, results) {
                *value = whole;
            } else {
                *text = substitute(text, results);
            }
        }
        Value::Array(list) => list.iter_mut().for_each(|v| resolve_value(v, results)),
        Value::Object(map) => map.values_mut().for_each(|v| resolve_value(v, results)),
        _ => {}
    }
}

/// A reference at `text`'s start: what it points at and its length.
fn reference(text: &str, results: &Map<String, Value>) -> Option<(Value, usize)> {
    let mut rest = text.strip_prefix("$result")?;
    let mut keys = Vec::new();
    while let Some(inner) = rest.strip_prefix('[') {
        let close = inner.find(']')?;
        keys.push(&inner[..close]);
        rest = &inner[close + 1..];
    }
    let (name, path) = keys.split_first()?;
    let mut node = results.get(*name)?;
    for key in path {
        node = match node {
            Value::Object(map) => map.get(*key)?,
            Value::Array(list) => list.get(key.parse::<usize>().ok()?)?,
            _ => return None,
        };
    }
    Some((node.clone(), text.len() - rest.len()))
}

fn whole_reference(text: &str, results: &Map<String, Value>) -> Option<Value> {
    let (value, used) = reference(text, results)?;
    (used == text.len()).then_some(value)
}

fn substitute(text: &str, results: &Map<String, Value>) -> String {
    let mut out = String::new();
    let mut rest = text;
    while let Some(at) = rest.find("$result[") {
        out.push_str(&rest[..at]);
        rest = &rest[at..];
        match reference(rest, results) {
            Some((value, used)) => {
                out.push_str(&text_of(&value));
                rest = &rest[used..];
            }
            None => {
                out.push('$');
                rest = &rest[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn references_reach_into_earlier_results() {
        let mut results = Map::new();
        results.insert("reg".into(), json!({"CALL_ID": "c1", "L": [{"ID": 7}]}));
        let mut params = Map::new();
        params.insert("CALL_ID".into(), json!("$result[reg][CALL_ID]"));
        params.insert("X".into(), json!("id=$result[reg][L][0][ID];$result[nope]"));
        params.insert("W".into(), json!("$result[reg]"));
        resolve_references(&mut params, &results);
        assert_eq!(params["CALL_ID"], "c1");
        assert_eq!(params["X"], "id=7;$result[nope]");
        assert_eq!(params["W"]["CALL_ID"], "c1");
    }
}
