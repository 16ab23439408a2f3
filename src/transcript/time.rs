//! Times as the user wrote them, kept exact so START_TIME rounds down and STOP_TIME
//! rounds up the way the contract says, whatever the number of decimals.

use std::fmt;

/// The largest number of seconds the portal's integer fields take.
pub const MAX_SECONDS: u64 = u32::MAX as u64;

/// A non-negative time: whole seconds, nanoseconds, and whether a non-zero digit
/// came after the ninth decimal (so `0.0000000001` still rounds up to 1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Default)]
pub struct Time {
    secs: u64,
    nanos: u32,
    beyond_nanos: bool,
}

/// Why a text is not a time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TimeError {
    NotANumber,
    Negative,
    TooLarge,
}

impl Time {
    pub fn from_secs(secs: u64) -> Self {
        Time {
            secs,
            nanos: 0,
            beyond_nanos: false,
        }
    }

    /// Whole milliseconds, as whisper's `.tsv` writes them.
    pub fn from_millis(millis: u64) -> Self {
        Time {
            secs: millis / 1000,
            // Below 1,000,000,000: the remainder is under 1000.
            nanos: u32::try_from(millis % 1000).unwrap_or(0) * 1_000_000,
            beyond_nanos: false,
        }
    }

    /// 100-nanosecond ticks, as Azure writes them.
    pub fn from_ticks(ticks: u64) -> Self {
        Time {
            secs: ticks / 10_000_000,
            nanos: u32::try_from(ticks % 10_000_000).unwrap_or(0) * 100,
            beyond_nanos: false,
        }
    }

    pub fn floor(self) -> u64 {
        self.secs
    }

    pub fn ceil(self) -> u64 {
        let fractional = self.nanos > 0 || self.beyond_nanos;
        self.secs.saturating_add(u64::from(fractional))
    }
}

impl fmt::Display for Time {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.secs)?;
        if self.nanos > 0 {
            let digits = format!("{:09}", self.nanos);
            write!(f, ".{}", digits.trim_end_matches('0'))?;
        }
        Ok(())
    }
}

/// Parses `12`, `12.5`, `.5`, `12.` (and `-0`); anything signed below zero is
/// `Negative`, exponents and other text are `NotANumber`.
pub fn parse_decimal(text: &str) -> Result<Time, TimeError> {
    let text = text.trim();
    let (negative, unsigned) = match text.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, text.strip_prefix('+').unwrap_or(text)),
    };
    let (whole, fraction) = unsigned.split_once('.').unwrap_or((unsigned, ""));
    let all_digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    if (whole.is_empty() && fraction.is_empty()) || !all_digits(whole) || !all_digits(fraction) {
        return Err(TimeError::NotANumber);
    }
    if negative {
        let zero = whole.bytes().chain(fraction.bytes()).all(|b| b == b'0');
        return if zero {
            Ok(Time::default())
        } else {
            Err(TimeError::Negative)
        };
    }
    let secs = digits_value(whole).ok_or(TimeError::TooLarge)?;
    let (nanos, beyond_nanos) = fraction_value(fraction);
    Ok(Time {
        secs,
        nanos,
        beyond_nanos,
    })
}

/// Parses a subtitle timestamp: `HH:MM:SS,mmm`, `HH:MM:SS.mmm` or `MM:SS.mmm`
/// (hours may have any number of digits; the fraction is optional).
pub fn parse_timestamp(text: &str) -> Option<Time> {
    let mut parts = text.trim().split(':');
    let first = parts.next()?;
    let second = parts.next()?;
    let third = parts.next();
    if parts.next().is_some() {
        return None;
    }
    let (hours, minutes, seconds) = match third {
        Some(seconds) => (first, second, seconds),
        None => ("0", first, second),
    };
    let (secs_text, fraction) = match seconds.find([',', '.']) {
        Some(at) => (seconds.get(..at)?, seconds.get(at + 1..)?),
        None => (seconds, ""),
    };
    let two_digits = |s: &str| (1..=2).contains(&s.len()) && s.bytes().all(|b| b.is_ascii_digit());
    let is_hours = !hours.is_empty() && hours.bytes().all(|b| b.is_ascii_digit());
    // A separator needs digits after it: `00:00:01,` is cut short.
    let has_separator = seconds.contains([',', '.']);
    let fraction_ok =
        fraction.bytes().all(|b| b.is_ascii_digit()) && has_separator != fraction.is_empty();
    if !is_hours || !two_digits(minutes) || !two_digits(secs_text) || !fraction_ok {
        return None;
    }
    let minutes = digits_value(minutes)?;
    let secs = digits_value(secs_text)?;
    // stable-ts rounds 59.9996 up to `00:00:60,000`: a 60th second carries over.
    if minutes >= 60 || secs > 60 {
        return None;
    }
    let total = digits_value(hours)?
        .checked_mul(3600)?
        .checked_add(minutes * 60 + secs)?;
    let (nanos, beyond_nanos) = fraction_value(fraction);
    Some(Time {
        secs: total,
        nanos,
        beyond_nanos,
    })
}

/// Converts a JSON number exactly enough (an `f64` prints without an exponent).
pub fn from_json_number(number: &serde_json::Number) -> Result<Time, TimeError> {
    if let Some(secs) = number.as_u64() {
        return Ok(Time::from_secs(secs));
    }
    if number.as_i64().is_some_and(|n| n < 0) {
        return Err(TimeError::Negative);
    }
    match number.as_f64() {
        Some(value) if value.is_finite() => parse_decimal(&value.to_string()),
        _ => Err(TimeError::NotANumber),
    }
}

fn digits_value(digits: &str) -> Option<u64> {
    digits.bytes().try_fold(0u64, |acc, b| {
        acc.checked_mul(10)?
            .checked_add(u64::from(b.wrapping_sub(b'0')))
    })
}

fn fraction_value(fraction: &str) -> (u32, bool) {
    let mut nanos = 0u32;
    for position in 0..9 {
        let digit = fraction.as_bytes().get(position).map_or(0, |b| b - b'0');
        nanos = nanos * 10 + u32::from(digit);
    }
    let beyond = fraction.bytes().skip(9).any(|b| b != b'0');
    (nanos, beyond)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decimals_round_down_for_start_and_up_for_stop() {
        let t = parse_decimal("12.5").unwrap();
        assert_eq!((t.floor(), t.ceil()), (12, 13));
        let t = parse_decimal("7").unwrap();
        assert_eq!((t.floor(), t.ceil()), (7, 7));
        let t = parse_decimal("7.000").unwrap();
        assert_eq!((t.floor(), t.ceil()), (7, 7));
        let t = parse_decimal("0.0000000001").unwrap();
        assert_eq!((t.floor(), t.ceil()), (0, 1));
        let t = parse_decimal(".25").unwrap();
        assert_eq!((t.floor(), t.ceil()), (0, 1));
        assert_eq!(parse_decimal(" 3. ").unwrap().ceil(), 3);
    }

    #[test]
    fn bad_decimals_say_why() {
        assert_eq!(parse_decimal("-1"), Err(TimeError::Negative));
        assert_eq!(parse_decimal("-0.0"), Ok(Time::default()));
        for text in ["", ".", "abc", "1e3", "NaN", "inf", "1.2.3", "--1", "1 2"] {
            assert_eq!(parse_decimal(text), Err(TimeError::NotANumber), "{text}");
        }
        assert_eq!(
            parse_decimal("99999999999999999999999"),
            Err(TimeError::TooLarge)
        );
    }

    #[test]
    fn times_order_exactly() {
        let a = parse_decimal("5.5").unwrap();
        let b = parse_decimal("5.45").unwrap();
        let c = parse_decimal("5.5000000001").unwrap();
        assert!(b < a && a < c);
        assert_eq!(a.to_string(), "5.5");
        assert_eq!(Time::from_secs(4).to_string(), "4");
    }

    #[test]
    fn timestamps_in_subtitle_forms() {
        let t = parse_timestamp("01:02:03,456").unwrap();
        assert_eq!((t.floor(), t.ceil()), (3723, 3724));
        assert_eq!(parse_timestamp("00:01.000").unwrap().floor(), 1);
        assert_eq!(parse_timestamp("02:05.5").unwrap().ceil(), 126);
        assert_eq!(parse_timestamp("100:00:00.000").unwrap().floor(), 360_000);
        assert_eq!(parse_timestamp("00:00:09").unwrap().floor(), 9);
        assert_eq!(parse_timestamp("00:00:60,000").unwrap().floor(), 60);
        assert_eq!(parse_timestamp("00:01:60,000").unwrap().floor(), 120);
        for bad in [
            "00:60:00,000",
            "00:00:61,000",
            "1:2:3:4",
            "00:00:01,",
            "00:00:01,abc",
            "-00:00:01,000",
            "a:00:01",
            "12",
            "99999999999999999999:00:00",
            "",
        ] {
            assert_eq!(parse_timestamp(bad), None, "{bad}");
        }
    }

    #[test]
    fn json_numbers_convert_exactly() {
        let n = |v: serde_json::Value| match v {
            serde_json::Value::Number(n) => from_json_number(&n),
            _ => unreachable!(),
        };
        assert_eq!(n(serde_json::json!(3)).unwrap().floor(), 3);
        assert_eq!(n(serde_json::json!(3.52)).unwrap().ceil(), 4);
        assert_eq!(n(serde_json::json!(-2)), Err(TimeError::Negative));
        assert_eq!(n(serde_json::json!(-0.5)), Err(TimeError::Negative));
        assert_eq!(n(serde_json::json!(1e300)), Err(TimeError::TooLarge));
    }
}
