//! `--fault` specs and the per-request checks that play them out, so scripts can be
//! tested against the failures a real portal produces.

use std::fmt;
use std::str::FromStr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, OnceLock};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use hyper::StatusCode;

use super::answer::ApiError;

/// One simulated failure.
#[derive(Debug, Clone, PartialEq)]
pub enum FaultKind {
    /// The first N requests get 503 QUERY_LIMIT_EXCEEDED.
    RateLimit(u64),
    /// The portal's leaky bucket: at most `burst` queued, draining `rate` per second.
    Bucket { burst: f64, rate: f64 },
    /// Every request gets 503 OVERLOAD_LIMIT.
    Overload,
    /// Every request gets a 500 HTML page, as from a proxy in front of the portal.
    Html500,
    /// Each answer is delayed this long, after the request took effect.
    Slow(Duration),
    /// Until this long after the first request, every request gets 429 OPERATION_TIME_LIMIT.
    TimeLimit(Duration),
    /// Every request gets a 302 to the same path on https.
    Redirect,
    /// The first N requests take effect, then the connection closes without an answer.
    Drop(u64),
    /// `voximplant.statistic.get` is refused with ACCESS_DENIED.
    NoStatistics,
}

const ACCEPTED: &str = "ratelimit:N, bucket:BURST:RATE, overload, html500, slow:SECS, \
                        timelimit:SECS, redirect, drop:N or no-statistics, \
                        each optionally followed by @METHOD; or latency:METHOD=SECS";

/// A `--fault` spec: what goes wrong, and for which method (all when `None`).
#[derive(Debug, Clone, PartialEq)]
pub struct Fault {
    pub kind: FaultKind,
    pub method: Option<String>,
}

impl FromStr for Fault {
    type Err = String;

    fn from_str(spec: &str) -> Result<Self, Self::Err> {
        // latency:METHOD=SECS, a real portal's server time for one method, is
        // slow:SECS@METHOD.
        if let Some(rest) = spec.strip_prefix("latency:") {
            let bad = |why: &str| format!("bad fault `{spec}`: {why}; expected one of {ACCEPTED}");
            let (method, secs) = rest
                .split_once('=')
                .filter(|(m, _)| !m.is_empty())
                .ok_or_else(|| bad("write latency:METHOD=SECS"))?;
            let kind = format!("slow:{secs}")
                .parse::<FaultKind>()
                .map_err(|_| bad("SECS must be a number of seconds >= 0"))?;
            return Ok(Fault {
                kind,
                method: Some(method.to_string()),
            });
        }
        let (kind, method) = match spec.split_once('@') {
            Some((kind, method)) if !method.is_empty() => (kind, Some(method.to_string())),
            Some(_) => {
                return Err(format!(
                    "bad fault `{spec}`: METHOD after @ is empty; expected one of {ACCEPTED}"
                ))
            }
            None => (spec, None),
        };
        let kind = kind
            .parse::<FaultKind>()
            .map_err(|e| e.replace(&format!("`{kind}`"), &format!("`{spec}`")))?;
        Ok(Fault { kind, method })
    }
}

impl fmt::Display for Fault {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.kind)?;
        if let Some(method) = &self.method {
            write!(f, "@{method}")?;
        }
        Ok(())
    }
}

impl FromStr for FaultKind {
    type Err = String;

    fn from_str(spec: &str) -> Result<Self, Self::Err> {
        let bad = |why: &str| format!("bad fault `{spec}`: {why}; expected one of {ACCEPTED}");
        let count = |value: &str| {
            value
                .parse::<u64>()
                .map_err(|_| bad("N must be a whole number"))
        };
        let seconds = |value: &str| match value.parse::<f64>() {
            Ok(secs) if secs.is_finite() && secs >= 0.0 => Ok(Duration::from_secs_f64(secs)),
            _ => Err(bad("SECS must be a number of seconds >= 0")),
        };
        let parts: Vec<&str> = spec.split(':').collect();
        match parts.as_slice() {
            ["ratelimit", n] => Ok(FaultKind::RateLimit(count(n)?)),
            ["bucket", burst, rate] => {
                let burst: f64 = burst.parse().map_err(|_| bad("BURST must be a number"))?;
                let rate: f64 = rate.parse().map_err(|_| bad("RATE must be a number"))?;
                if !(burst.is_finite() && burst >= 1.0 && rate.is_finite() && rate >= 0.0) {
                    return Err(bad("BURST must be >= 1 and RATE >= 0"));
                }
                Ok(FaultKind::Bucket { burst, rate })
            }
            ["overload"] => Ok(FaultKind::Overload),
            ["html500"] => Ok(FaultKind::Html500),
            ["slow", secs] => Ok(FaultKind::Slow(seconds(secs)?)),
            ["timelimit", secs] => Ok(FaultKind::TimeLimit(seconds(secs)?)),
            ["redirect"] => Ok(FaultKind::Redirect),
            ["drop", n] => Ok(FaultKind::Drop(count(n)?)),
            ["no-statistics"] => Ok(FaultKind::NoStatistics),
            _ => Err(bad("unknown fault")),
        }
    }
}

impl fmt::Display for FaultKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            FaultKind::RateLimit(n) => write!(f, "ratelimit:{n}"),
            FaultKind::Bucket { burst, rate } => write!(f, "bucket:{burst}:{rate}"),
            FaultKind::Overload => f.write_str("overload"),
            FaultKind::Html500 => f.write_str("html500"),
            FaultKind::Slow(d) => write!(f, "slow:{}", d.as_secs_f64()),
            FaultKind::TimeLimit(d) => write!(f, "timelimit:{}", d.as_secs_f64()),
            FaultKind::Redirect => f.write_str("redirect"),
            FaultKind::Drop(n) => write!(f, "drop:{n}"),
            FaultKind::NoStatistics => f.write_str("no-statistics"),
        }
    }
}

/// What a fault does to a request before it is processed.
#[derive(Debug, PartialEq)]
pub enum Refusal {
    Redirect,
    Html500,
    Overload,
    /// Unix time at which the operation time limit ends.
    TimeLimit(u64),
    QueryLimit,
}

impl Refusal {
    /// The portal's own error for a limit (a redirect or an HTML 500 is a proxy's
    /// answer, not a portal error, so it has none).
    pub fn limit_error(&self) -> Option<ApiError> {
        let (status, code, description) = match self {
            Refusal::Overload => (
                StatusCode::SERVICE_UNAVAILABLE,
                "OVERLOAD_LIMIT",
                "REST API is blocked due to overload",
            ),
            Refusal::QueryLimit => (
                StatusCode::SERVICE_UNAVAILABLE,
                "QUERY_LIMIT_EXCEEDED",
                "Too many requests",
            ),
            Refusal::TimeLimit(_) => (
                StatusCode::TOO_MANY_REQUESTS,
                "OPERATION_TIME_LIMIT",
                "Method is blocked due to operation time limit.",
            ),
            Refusal::Redirect | Refusal::Html500 => return None,
        };
        Some(ApiError {
            status,
            code,
            description: description.into(),
        })
    }
}

/// The faults of one scope and the counters they keep.
#[derive(Debug, Default)]
struct FaultSet {
    redirect: bool,
    html500: bool,
    overload: bool,
    time_limit: Option<Duration>,
    rate_limit: Option<u64>,
    bucket: Option<(f64, f64)>,
    slow: Option<Duration>,
    drop: Option<u64>,
    no_statistics: bool,
    first_request: OnceLock<Instant>,
    seen: AtomicU64,
    processed: AtomicU64,
    level: Mutex<Option<(f64, Instant)>>,
}

/// The faults of one sandbox, each group limited to one method or to none.
#[derive(Debug, Default)]
pub struct Faults {
    groups: Vec<(Option<String>, FaultSet)>,
    /// `voximplant.statistic.get` is refused (whatever the scope says).
    pub no_statistics: bool,
}

impl Faults {
    pub fn new(list: &[Fault]) -> Self {
        let mut faults = Faults::default();
        // `@telephony.call.attachTranscription` and `@TELEPHONY.CALL.ATTACHTRANSCRIPTION.json`
        // are one method, as they are to the router.
        let scope_of = |fault: &Fault| fault.method.as_deref().map(normal_method);
        let mut scopes: Vec<Option<String>> = Vec::new();
        for fault in list {
            if !scopes.contains(&scope_of(fault)) {
                scopes.push(scope_of(fault));
            }
        }
        for scope in scopes {
            let kinds: Vec<FaultKind> = list
                .iter()
                .filter(|f| scope_of(f) == scope)
                .map(|f| f.kind.clone())
                .collect();
            let set = FaultSet::new(&kinds);
            faults.no_statistics |= set.no_statistics;
            faults.groups.push((scope, set));
        }
        faults
    }

    fn matching<'a>(&'a self, method: &str) -> impl Iterator<Item = &'a FaultSet> + 'a {
        let method = normal_method(method);
        self.groups
            .iter()
            .filter(move |(scope, _)| scope.as_deref().is_none_or(|m| m == method))
            .map(|(_, set)| set)
    }

    /// The checks made before a request for `method` is processed.
    pub fn refuse(&self, method: &str) -> Option<Refusal> {
        self.matching(method).find_map(FaultSet::refuse)
    }

    /// After processing: whether this request's connection is closed without an answer.
    pub fn drops_answer(&self, method: &str) -> bool {
        // Every matching counter advances, so each group counts its own requests.
        self.matching(method)
            .map(FaultSet::drops_answer)
            .fold(false, |a, b| a | b)
    }

    pub fn delay(&self, method: &str) -> Option<Duration> {
        self.matching(method).filter_map(FaultSet::delay).max()
    }

    /// The faults limited to `method`, for one command inside a `batch` call (the
    /// unscoped ones were played on the batch request itself).
    pub fn in_batch(&self, method: &str) -> impl Iterator<Item = InBatch<'_>> + '_ {
        let method = normal_method(method);
        self.groups
            .iter()
            .filter(move |(scope, _)| scope.as_deref() == Some(method.as_str()))
            .map(|(_, set)| InBatch(set))
    }
}

/// One scoped fault group as a command inside `batch` meets it.
pub struct InBatch<'a>(&'a FaultSet);

impl InBatch<'_> {
    /// The error a portal gives one command: the limits. A redirect or an HTML 500
    /// comes from a proxy, which sees only the batch request, so neither applies.
    pub fn refuse(&self) -> Option<ApiError> {
        self.0.refuse().and_then(|refusal| refusal.limit_error())
    }

    pub fn drops_answer(&self) -> bool {
        self.0.drops_answer()
    }

    pub fn delay(&self) -> Option<Duration> {
        self.0.delay()
    }
}

/// The method a request path names: `/rest/1/CODE/METHOD`, `/rest//METHOD.json`,
/// and `upload` for both upload URL forms; normalised as the router does.
pub fn method_of(target: &str) -> String {
    let path = target.split('?').next().unwrap_or("");
    normal_method(path.trim_end_matches('/').rsplit('/').next().unwrap_or(""))
}

/// A method name as the router sees it: lower case, without `.json`.
pub fn normal_method(name: &str) -> String {
    let lower = name.to_ascii_lowercase();
    match lower.strip_suffix(".json") {
        Some(stem) => stem.to_string(),
        None => lower,
    }
}

impl FaultSet {
    fn new(list: &[FaultKind]) -> Self {
        let mut faults = FaultSet::default();
        for fault in list {
            match fault {
                FaultKind::RateLimit(n) => faults.rate_limit = Some(*n),
                FaultKind::Bucket { burst, rate } => faults.bucket = Some((*burst, *rate)),
                FaultKind::Overload => faults.overload = true,
                FaultKind::Html500 => faults.html500 = true,
                FaultKind::Slow(d) => faults.slow = Some(*d),
                FaultKind::TimeLimit(d) => faults.time_limit = Some(*d),
                FaultKind::Redirect => faults.redirect = true,
                FaultKind::Drop(n) => faults.drop = Some(*n),
                FaultKind::NoStatistics => faults.no_statistics = true,
            }
        }
        faults
    }

    /// The checks made before a request is processed, in the portal's order.
    fn refuse(&self) -> Option<Refusal> {
        let now = Instant::now();
        let first = *self.first_request.get_or_init(|| now);
        let seen = self.seen.fetch_add(1, Ordering::SeqCst);
        if self.redirect {
            return Some(Refusal::Redirect);
        }
        if self.html500 {
            return Some(Refusal::Html500);
        }
        if self.overload {
            return Some(Refusal::Overload);
        }
        if let Some(limit) = self.time_limit {
            let elapsed = now.duration_since(first);
            if elapsed < limit {
                let left = (limit - elapsed).as_secs_f64();
                let unix_now = SystemTime::now()
                    .duration_since(UNIX_EPOCH)
                    .unwrap_or_default()
                    .as_secs_f64();
                return Some(Refusal::TimeLimit((unix_now + left).ceil() as u64));
            }
        }
        if let Some(n) = self.rate_limit {
            if seen < n {
                return Some(Refusal::QueryLimit);
            }
        }
        if let Some((burst, rate)) = self.bucket {
            let mut state = self.level.lock().unwrap_or_else(|e| e.into_inner());
            let (level, since) = state.unwrap_or((0.0, now));
            let drained = (level - rate * now.duration_since(since).as_secs_f64()).max(0.0);
            if drained + 1.0 > burst {
                *state = Some((drained, now));
                return Some(Refusal::QueryLimit);
            }
            *state = Some((drained + 1.0, now));
        }
        None
    }

    fn drops_answer(&self) -> bool {
        let processed = self.processed.fetch_add(1, Ordering::SeqCst);
        self.drop.is_some_and(|n| processed < n)
    }

    fn delay(&self) -> Option<Duration> {
        self.slow.filter(|d| !d.is_zero())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn specs_parse_and_print_back() {
        for spec in [
            "ratelimit:3",
            "bucket:2:0.5",
            "overload",
            "html500",
            "slow:1.5",
            "timelimit:2",
            "redirect",
            "drop:1",
            "no-statistics",
        ] {
            let fault: Fault = spec.parse().unwrap();
            assert_eq!(fault.to_string(), spec);
        }
    }

    #[test]
    fn bad_specs_name_the_accepted_forms() {
        for spec in [
            "ratelimit",
            "ratelimit:x",
            "slow:-1",
            "bucket:0:1",
            "nope",
            "drop:1@",
        ] {
            let error = spec.parse::<Fault>().unwrap_err();
            assert!(error.contains("bucket:BURST:RATE"), "{error}");
        }
    }

    #[test]
    fn bucket_refuses_beyond_burst_without_adding() {
        let faults = Faults::new(&["bucket:2:0".parse().unwrap()]);
        assert_eq!(faults.refuse("m"), None);
        assert_eq!(faults.refuse("m"), None);
        assert_eq!(faults.refuse("m"), Some(Refusal::QueryLimit));
        assert_eq!(faults.refuse("m"), Some(Refusal::QueryLimit));
    }

    #[test]
    fn latency_is_a_delay_of_one_method() {
        let fault: Fault = "latency:telephony.externalCall.attachRecord=2.4"
            .parse()
            .unwrap();
        assert_eq!(fault.kind, FaultKind::Slow(Duration::from_secs_f64(2.4)));
        assert_eq!(
            fault.method.as_deref(),
            Some("telephony.externalCall.attachRecord")
        );
        let faults = Faults::new(&[fault]);
        assert_eq!(
            faults.delay("telephony.externalCall.attachRecord"),
            Some(Duration::from_secs_f64(2.4))
        );
        assert_eq!(faults.delay("telephony.call.attachTranscription"), None);
        for bad in ["latency:=1", "latency:m", "latency:m=x", "latency:m=-1"] {
            assert!(bad
                .parse::<Fault>()
                .unwrap_err()
                .contains("latency:METHOD=SECS"));
        }
    }

    #[test]
    fn rate_limit_counts_first_requests_only() {
        let faults = Faults::new(&["ratelimit:1".parse().unwrap()]);
        assert_eq!(faults.refuse("m"), Some(Refusal::QueryLimit));
        assert_eq!(faults.refuse("m"), None);
    }

    #[test]
    fn a_scoped_fault_touches_only_its_method() {
        let faults = Faults::new(&[
            "ratelimit:1@telephony.call.attachTranscription"
                .parse()
                .unwrap(),
            "drop:1@upload".parse().unwrap(),
        ]);
        assert_eq!(faults.refuse("telephony.externalCall.register"), None);
        assert_eq!(
            faults.refuse("telephony.call.attachTranscription"),
            Some(Refusal::QueryLimit)
        );
        assert_eq!(faults.refuse("telephony.call.attachTranscription"), None);
        assert!(!faults.drops_answer("telephony.externalCall.register"));
        assert!(faults.drops_answer("upload"));
        assert!(!faults.drops_answer("upload"));
        assert_eq!(
            method_of("/rest/1/abc/telephony.call.attachTranscription.json?x=1"),
            "telephony.call.attachtranscription"
        );
        assert_eq!(method_of("/rest/1/abc/upload/?token=t"), "upload");
        assert_eq!(
            method_of("/rest//1/abc//Telephony.Call.AttachTranscription.JSON/"),
            "telephony.call.attachtranscription"
        );
        let faults = Faults::new(&["drop:1@Telephony.ExternalCall.Finish.json".parse().unwrap()]);
        assert!(faults.drops_answer("telephony.externalcall.finish"));
        assert_eq!(method_of("/rest/upload.json?auth=a&token=t"), "upload");
    }
}
