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
        if let Some(c) = value.chars().find(|c| c.is_whitespace() || c.is_control()) {
            return Err(format!(
                "{place}: the call id contains {c:?}; remove spaces and control characters"
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn call_id_rules() {
        assert!(CallId::parse("externalCall.716f.1773130779", "--call-id").is_ok());
        assert!(CallId::parse("", "--call-id").is_err());
        assert!(CallId::parse("a b", "--call-id").is_err());
        assert!(CallId::parse("a\u{7}", "--call-id").is_err());
        assert!(CallId::parse(&"x".repeat(256), "--call-id").is_err());
        assert!(CallId::parse(&"x".repeat(255), "--call-id").is_ok());
    }
}
