//! The call id every command takes, checked before anything is sent, and the
//! ISO 8601 dates a call starts at.

use std::fmt;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// A Bitrix24 call id as returned by `telephony.externalCall.register`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CallId(String);

impl CallId {
    /// Checks the contract's rule; the error is a problem line naming `place`.
    pub fn parse(value: &str, place: &str) -> Result<CallId, String> {
        if value.is_empty() {
            return Err(format!("{place}: the call id is empty; pass the CALL_ID from telephony.externalCall.register"));
        }
        if value.len() > 255 {
            return Err(format!(
                "{place}: the call id is {} bytes long; at most 255 are allowed",
                value.len()
            ));
        }
        if let Some(c) = value
            .chars()
            .find(|c| c.is_whitespace() || c.is_control() || is_format_char(*c))
        {
            return Err(format!(
                "{place}: the call id contains {}; remove spaces, control and format characters",
                c.escape_unicode()
            ));
        }
        Ok(CallId(value.to_string()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for CallId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// The local UTC offset at `time`, in seconds east of UTC (0 when unknown).
pub fn local_offset(time: SystemTime) -> i64 {
    let secs = unix_secs(time) as libc::time_t;
    // SAFETY: localtime_r writes only into the `tm` we own.
    unsafe {
        let mut tm: libc::tm = std::mem::zeroed();
        if libc::localtime_r(&secs, &mut tm).is_null() {
            return 0;
        }
        tm.tm_gmtoff
    }
}

fn unix_secs(time: SystemTime) -> i64 {
    match time.duration_since(UNIX_EPOCH) {
        Ok(d) => d.as_secs() as i64,
        Err(e) => -(e.duration().as_secs() as i64),
    }
}

/// `time` as ISO 8601 with the given offset: `2026-03-10T15:49:51+03:00`.
pub fn iso8601(time: SystemTime, offset_secs: i64) -> String {
    let shifted = if offset_secs >= 0 {
        time + Duration::from_secs(offset_secs as u64)
    } else {
        time - Duration::from_secs(offset_secs.unsigned_abs())
    };
    let base = humantime::format_rfc3339_seconds(shifted).to_string();
    let base = base.trim_end_matches('Z');
    let sign = if offset_secs < 0 { '-' } else { '+' };
    let minutes = offset_secs.unsigned_abs() / 60;
    format!("{base}{sign}{:02}:{:02}", minutes / 60, minutes % 60)
}

/// `time` in the local offset, as `call register` sends CALL_START_DATE.
pub fn local_iso8601(time: SystemTime) -> String {
    iso8601(time, local_offset(time))
}

/// Parses ISO 8601 (`2026-03-10T12:49:51+03:00`, `...Z`, `2026-03-10 12:49`, `2026-03-10`);
/// without an offset the time is local.
pub fn parse_iso8601(text: &str) -> Option<SystemTime> {
    let text = text.trim();
    let (body, offset) = split_offset(text);
    let body = if body.len() == 10 {
        format!("{body}T00:00:00")
    } else if body.len() == 16 {
        format!("{body}:00")
    } else {
        body.to_string()
    };
    let naive = humantime::parse_rfc3339_weak(&body.replacen(' ', "T", 1)).ok()?;
    let offset = offset.unwrap_or_else(|| local_offset(naive));
    Some(if offset >= 0 {
        naive - Duration::from_secs(offset as u64)
    } else {
        naive + Duration::from_secs(offset.unsigned_abs())
    })
}

/// Splits `Z`, `+03:00`, `+0300` or `-05` off a date-time; `None` when there is none.
fn split_offset(text: &str) -> (&str, Option<i64>) {
    if let Some(body) = text.strip_suffix(['Z', 'z']) {
        return (body, Some(0));
    }
    // An offset only follows a time, so look after the `T` or space.
    let Some(t) = text.find(['T', 't', ' ']) else {
        return (text, None);
    };
    let Some(at) = text[t..].rfind(['+', '-']).map(|i| i + t) else {
        return (text, None);
    };
    let digits: String = text[at + 1..].chars().filter(|c| *c != ':').collect();
    if !(digits.len() == 2 || digits.len() == 4) || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return (text, None);
    }
    let hours: i64 = digits[..2].parse().ok().unwrap_or(0);
    let minutes: i64 = digits.get(2..).and_then(|m| m.parse().ok()).unwrap_or(0);
    let secs = (hours * 60 + minutes) * 60;
    let sign = if text[at..].starts_with('-') { -1 } else { 1 };
    (&text[..at], Some(sign * secs))
}

/// Unicode general category Cf (format): bidi overrides, zero-width characters,
/// the BOM and friends; they make a call id look like another one.
pub fn is_format_char(c: char) -> bool {
    matches!(c as u32,
        0x00AD
        | 0x0600..=0x0605
        | 0x061C
        | 0x06DD
        | 0x070F
        | 0x0890..=0x0891
        | 0x08E2
        | 0x180E
        | 0x200B..=0x200F
        | 0x202A..=0x202E
        | 0x2060..=0x2064
        | 0x2066..=0x206F
        | 0xFEFF
        | 0xFFF9..=0xFFFB
        | 0x110BD
        | 0x110CD
        | 0x13430..=0x1343F
        | 0x1BCA0..=0x1BCA3
        | 0x1D173..=0x1D17A
        | 0xE0001
        | 0xE0020..=0xE007F)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_round_trip_with_offsets() {
        let t = parse_iso8601("2026-03-10T12:49:51+03:00").unwrap();
        assert_eq!(iso8601(t, 0), "2026-03-10T09:49:51+00:00");
        assert_eq!(iso8601(t, -5 * 3600), "2026-03-10T04:49:51-05:00");
        assert_eq!(parse_iso8601("2026-03-10T09:49:51Z"), Some(t));
        assert_eq!(parse_iso8601("2026-03-10T08:49:51-0100"), Some(t));
        assert!(parse_iso8601("2026-03-10").is_some());
        assert!(parse_iso8601("yesterday").is_none());
        let now = SystemTime::UNIX_EPOCH + Duration::from_secs(1_800_000_000);
        assert_eq!(parse_iso8601(&local_iso8601(now)), Some(now));
    }

    #[test]
    fn call_id_rules() {
        assert!(CallId::parse("externalCall.716f.1773130779", "--call-id").is_ok());
        assert!(CallId::parse("", "--call-id").is_err());
        assert!(CallId::parse("a b", "--call-id").is_err());
        assert!(CallId::parse("a\u{7}", "--call-id").is_err());
        assert!(CallId::parse("a\u{202e}b", "--call-id").is_err());
        assert!(CallId::parse("a\u{200b}b", "--call-id").is_err());
        assert!(CallId::parse("a\u{feff}", "--call-id").is_err());
        assert!(CallId::parse("звонок-1", "--call-id").is_ok());
        assert!(CallId::parse(&"x".repeat(256), "--call-id").is_err());
        assert!(CallId::parse(&"x".repeat(255), "--call-id").is_ok());
    }
}
