//! `voximplant.statistic.get` as a portal answers it: `FILTER` with operators on any
//! field, `SORT`/`ORDER`, pages of 50 with `start`, `next` and `total`; and
//! `server.time`. Also what register and finish leave in a call's statistic row.

use std::cmp::Ordering;

use serde_json::{Map, Value};

use super::answer::{ApiError, MethodResult, Success};
use super::app::App;
use super::params::text_param;
use crate::call::parse_iso8601;

/// Rows per page, as the portal pages every list method.
pub const PAGE: usize = 50;

/// A top-level parameter, its key in any case.
fn param<'a>(params: &'a Map<String, Value>, key: &str) -> Option<&'a Value> {
    params
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case(key))
        .map(|(_, v)| v)
}

/// A parameter as text (strings as they are, numbers printed).
fn text(value: &Value) -> Option<String> {
    match value {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(if *b { "1" } else { "" }.into()),
        _ => None,
    }
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Op {
    Eq,
    Not,
    Greater,
    GreaterEq,
    Less,
    LessEq,
    Like,
    NotLike,
}

/// Splits `>=CALL_START_DATE` into its operator and upper-case field name.
fn operator(key: &str) -> (Op, String) {
    const OPS: [(&str, Op); 9] = [
        (">=", Op::GreaterEq),
        ("<=", Op::LessEq),
        ("!=", Op::Not),
        ("!%", Op::NotLike),
        (">", Op::Greater),
        ("<", Op::Less),
        ("!", Op::Not),
        ("%", Op::Like),
        ("=", Op::Eq),
    ];
    for (prefix, op) in OPS {
        if let Some(field) = key.strip_prefix(prefix) {
            return (op, field.trim().to_ascii_uppercase());
        }
    }
    (Op::Eq, key.trim().to_ascii_uppercase())
}

/// Orders two field values as the portal's SQL would: numbers as numbers, dates as
/// instants, everything else as text. `None` when the row has no value.
fn compare(row: &Value, wanted: &str) -> Option<Ordering> {
    let have = text(row)?;
    if let (Ok(a), Ok(b)) = (have.trim().parse::<f64>(), wanted.trim().parse::<f64>()) {
        return a.partial_cmp(&b);
    }
    if let (Some(a), Some(b)) = (parse_iso8601(&have), parse_iso8601(wanted)) {
        return Some(a.cmp(&b));
    }
    Some(have.as_str().cmp(wanted))
}

fn equal(row: &Value, wanted: &str) -> bool {
    match text(row) {
        None => wanted.is_empty(),
        Some(_) => compare(row, wanted) == Some(Ordering::Equal),
    }
}

fn matches(row: &Value, op: Op, wanted: &Value) -> bool {
    // A list means any of its values (`IN (...)`); `!` with a list means none of them.
    if let Value::Array(list) = wanted {
        let any = list.iter().any(|w| matches(row, Op::Eq, w));
        return match op {
            Op::Not => !any,
            _ => list.iter().any(|w| matches(row, op, w)),
        };
    }
    let wanted = text(wanted).unwrap_or_default();
    let like = || {
        text(row)
            .unwrap_or_default()
            .to_lowercase()
            .contains(&wanted.to_lowercase())
    };
    match op {
        Op::Eq => equal(row, &wanted),
        Op::Not => !equal(row, &wanted),
        Op::Like => like(),
        Op::NotLike => !like(),
        Op::Greater => compare(row, &wanted) == Some(Ordering::Greater),
        Op::GreaterEq => matches!(
            compare(row, &wanted),
            Some(Ordering::Greater | Ordering::Equal)
        ),
        Op::Less => compare(row, &wanted) == Some(Ordering::Less),
        Op::LessEq => matches!(
            compare(row, &wanted),
            Some(Ordering::Less | Ordering::Equal)
        ),
    }
}

/// The filter's conditions, from `FILTER: {...}` or PHP-style `FILTER[>=KEY]` keys.
fn conditions(params: &Map<String, Value>) -> Vec<(Op, String, Value)> {
    let mut out = Vec::new();
    if let Some(Value::Object(filter)) = param(params, "FILTER") {
        for (key, value) in filter {
            let (op, field) = operator(key);
            out.push((op, field, value.clone()));
        }
    }
    for (key, value) in params {
        let upper = key.to_ascii_uppercase();
        if let Some(inner) = upper
            .strip_prefix("FILTER[")
            .and_then(|k| k.strip_suffix(']'))
        {
            let (op, field) = operator(&key[7..7 + inner.len()]);
            out.push((op, field, value.clone()));
        }
    }
    out
}

fn field<'a>(row: &'a Value, name: &str) -> &'a Value {
    row.as_object()
        .and_then(|r| r.iter().find(|(k, _)| k.eq_ignore_ascii_case(name)))
        .map(|(_, v)| v)
        .unwrap_or(&Value::Null)
}

/// The sort field and whether it descends: `SORT=F, ORDER=DESC` or `SORT: {F: DESC}`.
fn sort_order(params: &Map<String, Value>) -> (String, bool) {
    let order_text = |v: Option<&Value>| {
        v.and_then(text)
            .is_some_and(|o| o.eq_ignore_ascii_case("desc"))
    };
    match param(params, "SORT") {
        Some(Value::Object(sort)) => match sort.iter().next() {
            Some((k, v)) => (k.to_ascii_uppercase(), order_text(Some(v))),
            None => ("ID".into(), false),
        },
        Some(value) => (
            text(value)
                .filter(|s| !s.is_empty())
                .unwrap_or_else(|| "ID".into())
                .to_ascii_uppercase(),
            order_text(param(params, "ORDER")),
        ),
        None => ("ID".into(), order_text(param(params, "ORDER"))),
    }
}

pub fn statistic_get(app: &App, params: &Map<String, Value>) -> MethodResult {
    if app.faults.no_statistics {
        return Err(ApiError::access_denied());
    }
    let conditions = conditions(params);
    let (sort, descending) = sort_order(params);
    let start = param(params, "start")
        .and_then(text)
        .and_then(|s| s.trim().parse::<usize>().ok())
        .unwrap_or(0);
    let mut rows: Vec<Value> = app
        .state()
        .finished_calls()
        .into_iter()
        .map(|call| call.statistic_row())
        .filter(|row| {
            conditions
                .iter()
                .all(|(op, name, wanted)| matches(field(row, name), *op, wanted))
        })
        .collect();
    rows.sort_by(|a, b| {
        let by = match text(field(b, &sort)) {
            Some(other) => compare(field(a, &sort), &other).unwrap_or(Ordering::Less),
            None => Ordering::Greater,
        };
        if descending {
            by.reverse()
        } else {
            by
        }
    });
    let total = rows.len();
    let page: Vec<Value> = rows.into_iter().skip(start).take(PAGE).collect();
    Ok(Success {
        result: Value::Array(page),
        total: Some(total),
        next: (start + PAGE < total).then_some(start + PAGE),
    })
}

/// `server.time`: the portal's clock, as `2026-03-10T12:49:51+00:00`.
/// What register keeps beyond the sandbox's registration: the CALL_START_DATE it was given.
pub fn remember_registration(app: &App, call_id: &str, params: &Map<String, Value>) {
    let mut state = app.state();
    let Some(call) = state.call_mut(call_id) else {
        return;
    };
    if let Some(started) = text_param(params, "CALL_START_DATE").and_then(|s| parse_iso8601(&s)) {
        call.started = started;
        if let Err(error) = state.save() {
            eprintln!("sandbox: cannot save the calls: {error}");
        }
    }
}

/// What finish keeps: STATUS_CODE as CALL_FAILED_CODE (200 when not given).
pub fn remember_finish(app: &App, call_id: &str, params: &Map<String, Value>) {
    let mut state = app.state();
    if let Some(call) = state.call_mut(call_id) {
        call.status_code = text_param(params, "STATUS_CODE")
            .filter(|s| !s.is_empty())
            .unwrap_or_else(|| "200".into());
        if let Err(error) = state.save() {
            eprintln!("sandbox: cannot save the calls: {error}");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn operators_and_fields_in_any_case() {
        assert_eq!(
            operator(">=call_start_date"),
            (Op::GreaterEq, "CALL_START_DATE".into())
        );
        assert_eq!(
            operator("!RECORD_FILE_ID"),
            (Op::Not, "RECORD_FILE_ID".into())
        );
        assert_eq!(operator("%phone_number"), (Op::Like, "PHONE_NUMBER".into()));
        assert_eq!(operator("CALL_ID"), (Op::Eq, "CALL_ID".into()));
    }

    #[test]
    fn values_compare_as_numbers_dates_and_text() {
        assert!(matches(&json!("42"), Op::Greater, &json!(9)));
        assert!(matches(
            &json!("2026-03-10T12:00:00+03:00"),
            Op::Less,
            &json!("2026-03-10T10:00:00Z")
        ));
        assert!(matches(&Value::Null, Op::Eq, &json!("")));
        assert!(!matches(&Value::Null, Op::Not, &json!("")));
        assert!(matches(&json!(9001), Op::Not, &json!("")));
        assert!(matches(&json!("+15550100"), Op::Like, &json!("5550")));
        assert!(matches(&json!("b"), Op::Eq, &json!(["a", "b"])));
        assert!(matches(&json!("c"), Op::Not, &json!(["a", "b"])));
    }
}
