//! Reading parameters the way the portal's PHP reads them.

use serde_json::{Map, Value};

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
pub fn integer(value: Option<&Value>) -> Option<i64> {
    match value? {
        Value::Number(number) => number.as_i64(),
        Value::String(text) => text.trim().parse().ok(),
        _ => None,
    }
}

/// PHP's `(int)` cast: `1.5` is 1, `"2.7s"` is 2, `"x"` and null are 0; `None` when the
/// value is absent. The flag says whether the cast changed what was sent.
pub fn php_int(value: Option<&Value>) -> Option<(i64, bool)> {
    let value = value?;
    if let Some(exact) = integer(Some(value)) {
        return Some((exact, false));
    }
    let cast = match value {
        Value::Number(number) => number.as_f64().map_or(0, |f| f.trunc() as i64),
        Value::String(text) => {
            let text = text.trim_start();
            let end = text
                .char_indices()
                .find(|&(i, c)| {
                    !(c.is_ascii_digit() || (i == 0 && (c == '-' || c == '+')) || c == '.')
                })
                .map_or(text.len(), |(i, _)| i);
            text[..end].parse::<f64>().map_or(0, |f| f.trunc() as i64)
        }
        Value::Bool(true) => 1,
        _ => 0,
    };
    Some((cast, true))
}

/// PHP truthiness of a flag parameter such as `halt`.
pub fn truthy(value: Option<&Value>) -> bool {
    match value {
        None | Some(Value::Null) => false,
        Some(Value::Bool(b)) => *b,
        Some(Value::Number(n)) => n.as_f64() != Some(0.0),
        Some(Value::String(s)) => !(s.is_empty() || s == "0"),
        Some(Value::Array(a)) => !a.is_empty(),
        Some(Value::Object(o)) => !o.is_empty(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn integers_may_come_as_strings() {
        assert_eq!(integer(Some(&json!(3))), Some(3));
        assert_eq!(integer(Some(&json!("3"))), Some(3));
        assert_eq!(integer(Some(&json!(1.5))), None);
        assert_eq!(integer(Some(&json!("x"))), None);
        assert_eq!(integer(None), None);
    }

    #[test]
    fn casts_as_php() {
        assert_eq!(php_int(Some(&json!(1.5))), Some((1, true)));
        assert_eq!(php_int(Some(&json!("2.7s"))), Some((2, true)));
        assert_eq!(php_int(Some(&json!("x"))), Some((0, true)));
        assert_eq!(php_int(Some(&json!("4"))), Some((4, false)));
        assert_eq!(php_int(None), None);
        assert!(truthy(Some(&json!("1"))));
        assert!(!truthy(Some(&json!("0"))));
    }
}
