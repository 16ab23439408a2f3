//! Every way a run can fail, and the exit code each one maps to: the contract's
//! exit-code table lives here and nowhere else.

use std::fmt;

/// The class of a failure; decides the exit code and the `kind` in JSON errors.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Internal,
    Usage,
    InvalidInput,
    Auth,
    Rejected,
    RateLimited,
    Network,
    Config,
    BatchFailed,
    /// The result could not be written: stdout closed or full.
    Output,
    Interrupted,
    Terminated,
}

impl Kind {
    pub fn exit_code(self) -> i32 {
        match self {
            Kind::Internal => 1,
            Kind::Usage => 2,
            Kind::InvalidInput => 3,
            Kind::Auth => 4,
            Kind::Rejected => 5,
            Kind::RateLimited => 6,
            Kind::Network => 7,
            Kind::Config => 8,
            Kind::BatchFailed => 9,
            Kind::Output => 10,
            Kind::Interrupted => 130,
            Kind::Terminated => 143,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Kind::Internal => "internal",
            Kind::Usage => "usage",
            Kind::InvalidInput => "invalid_input",
            Kind::Auth => "auth",
            Kind::Rejected => "rejected",
            Kind::RateLimited => "rate_limited",
            Kind::Network => "network",
            Kind::Config => "config",
            Kind::BatchFailed => "batch_failed",
            Kind::Output => "output",
            Kind::Interrupted => "interrupted",
            Kind::Terminated => "terminated",
        }
    }

    /// Classifies a Bitrix24 `error` code; `None` when the code alone does not decide.
    pub fn of_portal_code(code: &str) -> Option<Kind> {
        Some(match code {
            "NO_AUTH_FOUND"
            | "expired_token"
            | "invalid_token"
            | "INVALID_CREDENTIALS"
            | "insufficient_scope"
            | "ACCESS_DENIED"
            | "user_access_error"
            | "WRONG_AUTH_TYPE"
            | "INVALID_REQUEST" => Kind::Auth,
            "QUERY_LIMIT_EXCEEDED" | "OPERATION_TIME_LIMIT" | "OVERLOAD_LIMIT" => Kind::RateLimited,
            "INTERNAL_SERVER_ERROR" | "ERROR_UNEXPECTED_ANSWER" | "PORTAL_DELETED" => Kind::Network,
            _ => return None,
        })
    }
}

/// A failure the user should see: what happened, the portal's own words when it
/// sent any, and a hint toward the fix. Boxed so `Result<_, Failure>` stays small.
#[derive(Debug, Clone)]
pub struct Failure(Box<FailureData>);

#[derive(Debug, Clone)]
pub struct FailureData {
    pub kind: Kind,
    pub message: String,
    /// The portal's `error` code.
    pub code: Option<String>,
    /// The portal's `error_description`.
    pub description: Option<String>,
    pub hint: Option<String>,
    /// Further lines, one per problem (validation reports every violation).
    pub details: Vec<String>,
    /// The request may have reached the portal and was not repeated: `batch`
    /// marks such a row `unknown`, not `failed`.
    pub outcome_unknown: bool,
}

impl Failure {
    pub fn new(kind: Kind, message: impl Into<String>) -> Self {
        Failure(Box::new(FailureData {
            kind,
            message: message.into(),
            code: None,
            description: None,
            hint: None,
            details: Vec::new(),
            outcome_unknown: false,
        }))
    }

    pub fn invalid(message: impl Into<String>) -> Self {
        Failure::new(Kind::InvalidInput, message)
    }

    pub fn config(message: impl Into<String>) -> Self {
        Failure::new(Kind::Config, message)
    }

    pub fn network(message: impl Into<String>) -> Self {
        Failure::new(Kind::Network, message)
    }

    pub fn usage(message: impl Into<String>) -> Self {
        Failure::new(Kind::Usage, message)
    }

    pub fn with_hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }

    pub fn with_details(mut self, details: Vec<String>) -> Self {
        self.details = details;
        self
    }

    pub fn exit_code(&self) -> i32 {
        self.kind.exit_code()
    }

    /// The contract's JSON error object.
    pub fn to_json(&self) -> serde_json::Value {
        let mut message = self.message.clone();
        if let Some(description) = &self.description {
            message = format!("{message}: {description}");
        }
        for detail in &self.details {
            message.push('\n');
            message.push_str(detail);
        }
        serde_json::json!({
            "error": {
                "kind": self.kind.name(),
                "code": self.code,
                "message": message,
                "exit_code": self.exit_code(),
            }
        })
    }
}

impl std::ops::Deref for Failure {
    type Target = FailureData;

    fn deref(&self) -> &FailureData {
        &self.0
    }
}

impl std::ops::DerefMut for Failure {
    fn deref_mut(&mut self) -> &mut FailureData {
        &mut self.0
    }
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.message)?;
        match (&self.code, &self.description) {
            (Some(code), Some(description)) => write!(f, " ({code}: {description})")?,
            (Some(code), None) => write!(f, " ({code})")?,
            (None, Some(description)) => write!(f, " ({description})")?,
            (None, None) => {}
        }
        Ok(())
    }
}

impl std::error::Error for Failure {}

/// A path as errors show it: control characters and other unprintable ones are
/// escaped, so a newline in a file name cannot forge a line of output.
pub fn shown_path(path: &std::path::Path) -> String {
    shown_text(&path.to_string_lossy())
}

/// Text from outside (a path, a name) with control and format characters escaped.
pub fn shown_text(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if c.is_control() || crate::call::is_format_char(c) {
            out.extend(c.escape_default());
        } else {
            out.push(c);
        }
    }
    out
}

/// Finds the `Failure` in an error chain; anything else is a bug (exit 1).
pub fn from_anyhow(error: &anyhow::Error) -> Failure {
    if let Some(failure) = error.downcast_ref::<Failure>() {
        return failure.clone();
    }
    let mut failure = Failure::new(Kind::Internal, format!("{error:#}"));
    failure.hint =
        Some("this is a bug in b24tel; please report it with the command you ran".into());
    failure
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn portal_codes_map_to_contract_classes() {
        assert_eq!(Kind::of_portal_code("expired_token"), Some(Kind::Auth));
        assert_eq!(
            Kind::of_portal_code("OVERLOAD_LIMIT"),
            Some(Kind::RateLimited)
        );
        assert_eq!(Kind::of_portal_code("ERROR_CORE"), None);
        assert_eq!(Kind::RateLimited.exit_code(), 6);
        assert_eq!(Kind::Output.exit_code(), 10);
    }

    #[test]
    fn shown_paths_cannot_forge_lines() {
        let shown = shown_path(std::path::Path::new("a\nerror: forged.srt"));
        assert!(!shown.contains('\n'), "{shown}");
        assert_eq!(shown_text("x\u{202e}y"), "x\\u{202e}y");
    }

    #[test]
    fn json_error_carries_code_and_exit_code() {
        let mut failure = Failure::new(Kind::Rejected, "the portal rejected the record");
        failure.code = Some("ERROR_CORE".into());
        failure.description = Some("File name is empty".into());
        let json = failure.to_json();
        assert_eq!(json["error"]["exit_code"], 5);
        assert_eq!(json["error"]["code"], "ERROR_CORE");
        assert_eq!(json["error"]["kind"], "rejected");
    }
}
