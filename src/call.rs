//! The call id every command takes, checked before anything is sent.

use std::fmt;

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
