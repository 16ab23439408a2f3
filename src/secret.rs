//! Secrets (webhook codes, access tokens, upload URL parameters) in types whose
//! `Debug` and `Display` never show them, so a stray `{:?}` cannot leak one.

use std::fmt;

/// A secret string: printed as `***`.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    pub fn new(value: impl Into<String>) -> Self {
        Secret(value.into())
    }

    /// The only way to the value: call sites that need it are easy to find.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("***")
    }
}

impl fmt::Display for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("***")
    }
}

/// A URL that may carry a secret (webhook code in the path, `auth`/`token` in the
/// query): `Display` and `Debug` show the redacted form.
#[derive(Clone, PartialEq, Eq)]
pub struct SecretUrl(String);

impl SecretUrl {
    pub fn new(url: impl Into<String>) -> Self {
        SecretUrl(url.into())
    }

    pub fn expose(&self) -> &str {
        &self.0
    }

    pub fn redacted(&self) -> String {
        redact_url(&self.0)
    }
}

impl fmt::Debug for SecretUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:?}", self.redacted())
    }
}

impl fmt::Display for SecretUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.redacted())
    }
}

const SECRET_QUERY_KEYS: &[&str] = &[
    "auth",
    "token",
    "access_token",
    "refresh_token",
    "code",
    "client_secret",
];

/// Hides the webhook code (`/rest/USER_ID/CODE/`), secret query parameters and any
/// password in the authority, keeping the rest readable for logs and errors.
pub fn redact_url(url: &str) -> String {
    let (before_fragment, _) = url.split_once('#').unwrap_or((url, ""));
    let (base, query) = match before_fragment.split_once('?') {
        Some((base, query)) => (base, Some(query)),
        None => (before_fragment, None),
    };
    let mut out = redact_authority(base);
    out = redact_webhook_code(&out);
    if let Some(query) = query {
        out.push('?');
        let parts: Vec<String> = query
            .split('&')
            .map(|pair| match pair.split_once('=') {
                Some((key, _))
                    if SECRET_QUERY_KEYS.contains(&key.to_ascii_lowercase().as_str()) =>
                {
                    format!("{key}=***")
                }
                _ => pair.to_string(),
            })
            .collect();
        out.push_str(&parts.join("&"));
    }
    out
}

fn redact_authority(base: &str) -> String {
    let Some(scheme_end) = base.find("://") else {
        return base.to_string();
    };
    let rest = &base[scheme_end + 3..];
    let authority_end = rest.find('/').unwrap_or(rest.len());
    let authority = &rest[..authority_end];
    match authority.rsplit_once('@') {
        Some((_, host)) => format!(
            "{}***@{}{}",
            &base[..scheme_end + 3],
            host,
            &rest[authority_end..]
        ),
        None => base.to_string(),
    }
}

/// `/rest/<user id>/<code>/...` is the webhook form; the segment after the user id
/// is the code. Read by meaning: repeated slashes (`/rest/1//CODE/`, which some
/// portals accept), any case of `rest`, and relative URLs (a redirect's
/// `Location: /rest/1//CODE/x`) are redacted alike.
fn redact_webhook_code(base: &str) -> String {
    let segments: Vec<&str> = base.split('/').collect();
    let mut out: Vec<String> = segments.iter().map(|s| s.to_string()).collect();
    let filled: Vec<usize> = (0..segments.len())
        .filter(|&i| !segments[i].is_empty())
        .collect();
    for w in 0..filled.len() {
        let i = filled[w];
        if !segments[i].eq_ignore_ascii_case("rest") {
            continue;
        }
        let (Some(&user), Some(&code)) = (filled.get(w + 1), filled.get(w + 2)) else {
            continue;
        };
        if segments[user].bytes().all(|b| b.is_ascii_digit()) {
            out[code] = "***".into();
        }
    }
    out.join("/")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn webhook_code_is_hidden() {
        assert_eq!(
            redact_url(
                "https://x.bitrix24.com/rest/1/abcdef0123/telephony.externalCall.attachRecord"
            ),
            "https://x.bitrix24.com/rest/1/***/telephony.externalCall.attachRecord"
        );
    }

    #[test]
    fn webhook_code_is_hidden_in_any_layout() {
        for url in [
            "https://x.bitrix24.com/rest/1//s3cr3t/profile",
            "https://x.bitrix24.com//rest//1///s3cr3t//",
            "/rest/1//s3cr3t/x",
            "rest/1/s3cr3t/",
            "https://x.bitrix24.com/REST/1/s3cr3t/profile.json",
        ] {
            let shown = redact_url(url);
            assert!(!shown.contains("s3cr3t"), "{url} -> {shown}");
        }
    }

    #[test]
    fn upload_url_parameters_are_hidden() {
        let url = "https://x.bitrix24.com/rest/upload.json?auth=2ae2af&token=telephony%7CY2F";
        assert_eq!(
            redact_url(url),
            "https://x.bitrix24.com/rest/upload.json?auth=***&token=***"
        );
        let url = "https://x.bitrix24.com/rest/7/s3cr3t/upload/?token=abc&x=1";
        assert_eq!(
            redact_url(url),
            "https://x.bitrix24.com/rest/7/***/upload/?token=***&x=1"
        );
    }

    #[test]
    fn oauth_method_url_is_unchanged_and_passwords_hidden() {
        assert_eq!(
            redact_url("https://x.bitrix24.com/rest/profile"),
            "https://x.bitrix24.com/rest/profile"
        );
        assert_eq!(redact_url("https://u:pw@h/a.mp3"), "https://***@h/a.mp3");
    }

    #[test]
    fn debug_and_display_never_show_secret() {
        let secret = Secret::new("tok123");
        assert_eq!(format!("{secret:?} {secret}"), "*** ***");
        let url = SecretUrl::new("https://h/rest/1/code99/");
        assert!(!format!("{url:?}{url}").contains("code99"));
    }
}
