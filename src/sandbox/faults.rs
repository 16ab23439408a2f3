//! `--fault` specs and the per-request checks that play them out, so scripts can be
//! tested against the failures a real portal produces.

use std::fmt;
use std::str::FromStr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, OnceLock};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

/// One simulated failure, as given to `--fault`.
#[derive(Debug, Clone, PartialEq)]
pub enum Fault {
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
                        timelimit:SECS, redirect, drop:N or no-statistics";

impl FromStr for Fault {
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
            ["ratelimit", n] => Ok(Fault::RateLimit(count(n)?)),
            ["bucket", burst, rate] => {
                let burst: f64 = burst.parse().map_err(|_| bad("BURST must be a number"))?;
                let rate: f64 = rate.parse().map_err(|_| bad("RATE must be a number"))?;
                if !(burst.is_finite() && burst >= 1.0 && rate.is_finite() && rate >= 0.0) {
                    return Err(bad("BURST must be >= 1 and RATE >= 0"));
                }
                Ok(Fault::Bucket { burst, rate })
            }
            ["overload"] => Ok(Fault::Overload),
            ["html500"] => Ok(Fault::Html500),
            ["slow", secs] => Ok(Fault::Slow(seconds(secs)?)),
            ["timelimit", secs] => Ok(Fault::TimeLimit(seconds(secs)?)),
            ["redirect"] => Ok(Fault::Redirect),
            ["drop", n] => Ok(Fault::Drop(count(n)?)),
            ["no-statistics"] => Ok(Fault::NoStatistics),
            _ => Err(bad("unknown fault")),
        }
    }
}

impl fmt::Display for Fault {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Fault::RateLimit(n) => write!(f, "ratelimit:{n}"),
            Fault::Bucket { burst, rate } => write!(f, "bucket:{burst}:{rate}"),
            Fault::Overload => f.write_str("overload"),
            Fault::Html500 => f.write_str("html500"),
            Fault::Slow(d) => write!(f, "slow:{}", d.as_secs_f64()),
            Fault::TimeLimit(d) => write!(f, "timelimit:{}", d.as_secs_f64()),
            Fault::Redirect => f.write_str("redirect"),
            Fault::Drop(n) => write!(f, "drop:{n}"),
            Fault::NoStatistics => f.write_str("no-statistics"),
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

/// The faults of one sandbox and the counters they keep.
#[derive(Debug, Default)]
pub struct Faults {
    redirect: bool,
    html500: bool,
    overload: bool,
    time_limit: Option<Duration>,
    rate_limit: Option<u64>,
    bucket: Option<(f64, f64)>,
    slow: Option<Duration>,
    drop: Option<u64>,
    pub no_statistics: bool,
    first_request: OnceLock<Instant>,
    seen: AtomicU64,
    processed: AtomicU64,
    level: Mutex<Option<(f64, Instant)>>,
}

impl Faults {
    pub fn new(list: &[Fault]) -> Self {
        let mut faults = Faults::default();
        for fault in list {
            match fault {
                Fault::RateLimit(n) => faults.rate_limit = Some(*n),
                Fault::Bucket { burst, rate } => faults.bucket = Some((*burst, *rate)),
                Fault::Overload => faults.overload = true,
                Fault::Html500 => faults.html500 = true,
                Fault::Slow(d) => faults.slow = Some(*d),
                Fault::TimeLimit(d) => faults.time_limit = Some(*d),
                Fault::Redirect => faults.redirect = true,
                Fault::Drop(n) => faults.drop = Some(*n),
                Fault::NoStatistics => faults.no_statistics = true,
            }
        }
        faults
    }

    /// The checks made before a request is processed, in the portal's order.
    pub fn refuse(&self) -> Option<Refusal> {
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

    /// After processing: whether this request's connection is closed without an answer.
    pub fn drops_answer(&self) -> bool {
        let processed = self.processed.fetch_add(1, Ordering::SeqCst);
        self.drop.is_some_and(|n| processed < n)
    }

    pub fn delay(&self) -> Option<Duration> {
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
        for spec in ["ratelimit", "ratelimit:x", "slow:-1", "bucket:0:1", "nope"] {
            let error = spec.parse::<Fault>().unwrap_err();
            assert!(error.contains("bucket:BURST:RATE"), "{error}");
        }
    }

    #[test]
    fn bucket_refuses_beyond_burst_without_adding() {
        let faults = Faults::new(&[Fault::Bucket {
            burst: 2.0,
            rate: 0.0,
        }]);
        assert_eq!(faults.refuse(), None);
        assert_eq!(faults.refuse(), None);
        assert_eq!(faults.refuse(), Some(Refusal::QueryLimit));
        assert_eq!(faults.refuse(), Some(Refusal::QueryLimit));
    }

    #[test]
    fn rate_limit_counts_first_requests_only() {
        let faults = Faults::new(&[Fault::RateLimit(1)]);
        assert_eq!(faults.refuse(), Some(Refusal::QueryLimit));
        assert_eq!(faults.refuse(), None);
    }
}
