//! Pacing for many requests in a row (`batch`): at most N requests a second,
//! slowing down when the portal answers QUERY_LIMIT_EXCEEDED and creeping back
//! up to N as answers succeed, like the portal's own leaky bucket drains.

use std::time::{Duration, Instant};

const SLOWEST: Duration = Duration::from_secs(10);

#[derive(Debug)]
pub struct Pacer {
    fastest: Duration,
    interval: Duration,
    last: Option<Instant>,
}

impl Pacer {
    pub fn new(per_second: f64) -> Pacer {
        let fastest = Duration::from_secs_f64(1.0 / per_second.max(0.001));
        Pacer {
            fastest,
            interval: fastest,
            last: None,
        }
    }

    /// How long to wait before the next request may start; marks it started.
    pub fn next(&mut self) -> Duration {
        let now = Instant::now();
        let wait = self
            .last
            .map(|last| (last + self.interval).saturating_duration_since(now))
            .unwrap_or_default();
        self.last = Some(now + wait);
        wait
    }

    pub fn limited(&mut self) {
        self.interval = (self.interval * 2).min(SLOWEST);
    }

    pub fn succeeded(&mut self) {
        self.interval = self.interval.mul_f64(0.9).max(self.fastest);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slows_down_when_limited_and_recovers_to_the_rate() {
        let mut pacer = Pacer::new(4.0);
        assert_eq!(pacer.next(), Duration::ZERO);
        assert!(pacer.next() > Duration::from_millis(200));
        pacer.limited();
        assert_eq!(pacer.interval, Duration::from_millis(500));
        for _ in 0..50 {
            pacer.succeeded();
        }
        assert_eq!(pacer.interval, Duration::from_millis(250));
    }
}
