//! JSON messages: an array, or `{"messages": [...]}`, of objects with the API's keys
//! (`SIDE`, `START_TIME`, `STOP_TIME`, `MESSAGE`) or `side`, `start`, `stop`,
//! `message`. Times are numbers or numeric strings.

use serde_json::{Map, Value};

use super::collect::{self, snippet, Collector, Draft, Loc, SideInput};
use super::time::{self, Time};

pub const SIDE_KEYS: &[&str] = &["side", "speaker"];
pub const START_KEYS: &[&str] = &["start_time", "start"];
pub const STOP_KEYS: &[&str] = &["stop_time", "stop", "end"];
pub const MESSAGE_KEYS: &[&str] = &["message", "text"];

pub fn parse(text: &str, collector: &mut Collector) {
    let Some(value) = parse_value(text, collector) else {
        return;
    };
    let items = match &value {
        Value::Array(items) => items,
        Value::Object(object) => match field(object, &["messages"]) {
            Some(Value::Array(items)) => items,
            _ if object.contains_key("segments") => {
                collector.problem_in_source(
                    "expected an array of messages, found whisper output \
                     (an object with \"segments\"); pass --format whisper",
                );
                return;
            }
            _ => {
                collector.problem_in_source(
                    "expected an array of messages or an object with a \"messages\" array",
                );
                return;
            }
        },
        _ => {
            collector.problem_in_source(
                "expected an array of messages or an object with a \"messages\" array",
            );
            return;
        }
    };
    for (index, item) in items.iter().enumerate() {
        let loc = Loc::Item("messages", index + 1);
        let Value::Object(object) = item else {
            collector.problem(
                loc,
                "expected an object with SIDE, START_TIME, STOP_TIME, MESSAGE",
            );
            continue;
        };
        let draft = Draft {
            side: side_input(field(object, SIDE_KEYS), "SIDE"),
            start: time_field(field(object, START_KEYS), "START_TIME"),
            stop: time_field(field(object, STOP_KEYS), "STOP_TIME"),
            text: match field(object, MESSAGE_KEYS) {
                Some(Value::String(text)) => Ok(text.clone()),
                None => Err("missing MESSAGE".into()),
                Some(_) => Err("MESSAGE must be a string".into()),
            },
        };
        collector.cue(loc, draft);
    }
}

/// Parses JSON, reporting a syntax error at serde_json's line.
pub fn parse_value(text: &str, collector: &mut Collector) -> Option<Value> {
    match serde_json::from_str(text) {
        Ok(value) => Some(value),
        Err(error) => {
            let message = error.to_string();
            let message = match message.rfind(" at line ") {
                Some(at) => message.get(..at).unwrap_or(&message),
                None => &message,
            };
            let column = error.column();
            collector.problem(
                Loc::Line(error.line().max(1)),
                format!("invalid JSON: {message} (column {column})"),
            );
            None
        }
    }
}

/// The first present, non-null value under any of `names`, matched case-insensitively.
pub fn field<'v>(object: &'v Map<String, Value>, names: &[&str]) -> Option<&'v Value> {
    names.iter().find_map(|name| {
        object
            .iter()
            .find(|(key, value)| key.eq_ignore_ascii_case(name) && !value.is_null())
            .map(|(_, value)| value)
    })
}

pub fn side_input(value: Option<&Value>, field: &str) -> SideInput {
    match value {
        None => SideInput::Missing,
        Some(Value::String(label)) if label.trim().is_empty() => SideInput::Missing,
        Some(Value::String(label)) => SideInput::Label(label.clone()),
        Some(other) => SideInput::Invalid(format!(
            "{field} must be a string (User, Client or a speaker label), got {}",
            snippet(&other.to_string())
        )),
    }
}

pub fn time_field(value: Option<&Value>, field: &str) -> Result<Time, String> {
    match value {
        None => Err(format!("missing {field}")),
        Some(Value::Number(number)) => time::from_json_number(number)
            .map_err(|error| collect::time_error(field, &number.to_string(), error)),
        Some(Value::String(text)) => time_text(text, field),
        Some(other) => Err(format!(
            "{field} must be a number of seconds, got {}",
            snippet(&other.to_string())
        )),
    }
}

/// Seconds (`12.5`) or, where a tool exported them, a timestamp (`00:00:12,500`).
pub fn time_text(text: &str, field: &str) -> Result<Time, String> {
    if text.contains(':') {
        if let Some(time) = time::parse_timestamp(text) {
            return Ok(time);
        }
    }
    time::parse_decimal(text).map_err(|error| collect::time_error(field, text, error))
}

#[cfg(test)]
mod tests {
    use super::super::tests::{msg, read_err, read_ok};
    use super::super::{Format, Side};

    #[test]
    fn api_keys_lower_keys_and_wrapper_object() {
        let json = r#"[
            {"SIDE": "User", "START_TIME": 1, "STOP_TIME": 3, "MESSAGE": "Good afternoon"},
            {"side": "client", "start": "3.5", "stop": 7.2, "message": " Hello "},
            {"side": "agent", "start": "00:00:08,000", "stop": "9", "message": "Bye: see you"}
        ]"#;
        let t = read_ok(
            "call.json",
            json,
            Format::Json,
            &[("Agent", Side::User)],
            None,
        );
        assert_eq!(
            t.messages,
            vec![
                msg(Side::User, 1, 3, "Good afternoon"),
                msg(Side::Client, 3, 8, "Hello"),
                msg(Side::User, 8, 9, "Bye: see you"),
            ]
        );
        let wrapped = format!(r#"{{"call_id": "x", "messages": {json}}}"#);
        let t2 = read_ok(
            "call.json",
            &wrapped,
            Format::Json,
            &[("agent", Side::User)],
            None,
        );
        assert_eq!(t2.messages, t.messages);
    }

    #[test]
    fn every_violation_is_reported_with_its_index() {
        let json = r#"{"messages": [
            {"SIDE": "User", "START_TIME": -1, "STOP_TIME": 0, "MESSAGE": "  "},
            {"SIDE": 5, "START_TIME": "abc", "STOP_TIME": true, "MESSAGE": 7},
            {"START_TIME": 1, "STOP_TIME": 2, "MESSAGE": "no side"},
            "text",
            {"SIDE": "Client", "START_TIME": 9, "STOP_TIME": 4.5, "MESSAGE": "x"},
            {"SIDE": "Client", "START_TIME": 5000000000, "MESSAGE": "x"}
        ]}"#;
        assert_eq!(
            read_err("call.json", json, Format::Json, &[], None),
            vec![
                "call.json: messages[1]: START_TIME -1 is negative",
                "call.json: messages[1]: STOP_TIME must be at least 1 second (this message ends at 0)",
                "call.json: messages[1]: MESSAGE is empty",
                "call.json: messages[2]: SIDE must be a string (User, Client or a speaker label), got 5",
                "call.json: messages[2]: START_TIME `abc` is not a number of seconds",
                "call.json: messages[2]: STOP_TIME must be a number of seconds, got true",
                "call.json: messages[2]: MESSAGE must be a string",
                "call.json: messages[3]: no SIDE: pass --default-side User|Client or give the message a SIDE",
                "call.json: messages[4]: expected an object with SIDE, START_TIME, STOP_TIME, MESSAGE",
                "call.json: messages[5]: STOP_TIME (4.5 s) is before START_TIME (9 s)",
                "call.json: messages[6]: START_TIME 5000000000 is too large (at most 4294967295 seconds)",
                "call.json: messages[6]: missing STOP_TIME",
            ]
        );
    }

    #[test]
    fn syntax_errors_name_the_line_and_shapes_are_explained() {
        let problems = read_err("-", "[\n {\"SIDE\": \"User\",\n ]", Format::Json, &[], None);
        assert_eq!(problems.len(), 1);
        assert!(
            problems[0].starts_with("stdin:3: invalid JSON: "),
            "{problems:?}"
        );
        assert_eq!(
            read_err("a.json", r#"{"segments": []}"#, Format::Json, &[], None),
            vec!["a.json: expected an array of messages, found whisper output (an object with \"segments\"); pass --format whisper"]
        );
        assert_eq!(
            read_err("a.json", "42", Format::Json, &[], None),
            vec!["a.json: expected an array of messages or an object with a \"messages\" array"]
        );
        assert_eq!(
            read_err("a.json", "[]", Format::Json, &[], None),
            vec!["a.json: no messages"]
        );
    }
}
