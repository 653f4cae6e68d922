//! Keyed rate limits with governor's GCRA: each key (an IP, an email address) may spend `limit`
//! requests at once, then one more every `window / limit`. Keys are treated the same way
//! whether or not an account exists, so a 429 tells nothing about existence.

use std::convert::Infallible;
use std::hash::Hash;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::num::NonZeroU32;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use axum::extract::{ConnectInfo, FromRequestParts};
use axum::http::request::Parts;
use governor::clock::{Clock, DefaultClock};
use governor::middleware::NoOpMiddleware;
use governor::state::keyed::DashMapStateStore;
use governor::Quota;

use crate::config::LimitConfig;

/// Forget keys back to a full bucket after this many checks, so memory is bounded by the
/// active keys.
const PRUNE_EVERY: u64 = 1024;

/// governor's keyed limiter on `clock` (a fake one in tests).
type Keyed<K, C> =
    governor::RateLimiter<K, DashMapStateStore<K>, C, NoOpMiddleware<<C as Clock>::Instant>>;

/// A limit of `limit` requests per `window` for each key; a limit of 0 is no limit.
pub struct RateLimiter<K: Hash + Eq + Clone, C: Clock + Clone = DefaultClock> {
    /// `None` when unlimited.
    limiter: Option<Keyed<K, C>>,
    clock: C,
    checks: AtomicU64,
}

impl<K: Hash + Eq + Clone> RateLimiter<K> {
    pub fn new(limit: u32, window: Duration) -> Self {
        Self::with_clock(limit, window, DefaultClock::default())
    }
}

impl<K: Hash + Eq + Clone, C: Clock + Clone> RateLimiter<K, C> {
    fn with_clock(limit: u32, window: Duration, clock: C) -> Self {
        // A zero limit, or one so high that the interval rounds to nothing, limits nothing.
        let quota = NonZeroU32::new(limit).and_then(|burst| {
            Quota::with_period(window / limit).map(|quota| quota.allow_burst(burst))
        });
        Self {
            limiter: quota
                .map(|quota| governor::RateLimiter::dashmap_with_clock(quota, clock.clone())),
            clock,
            checks: AtomicU64::new(0),
        }
    }

    /// Counts one request for `key`. `Err(wait)` if the key is over its quota, with how long
    /// until one more request would be allowed; a refused request does not count.
    pub fn check(&self, key: K) -> Result<(), Duration> {
        let Some(limiter) = &self.limiter else {
            return Ok(());
        };
        if (self.checks.fetch_add(1, Ordering::Relaxed) + 1).is_multiple_of(PRUNE_EVERY) {
            limiter.retain_recent();
        }
        limiter
            .check_key(&key)
            .map_err(|not_until| not_until.wait_time_from(self.clock.now()))
    }
}

/// The limiters of the API, one per quota in the configuration.
pub struct RateLimits {
    pub recovery_per_email: RateLimiter<String>,
    /// The daily ceiling per address, on top of `recovery_per_email`.
    pub recovery_per_email_daily: RateLimiter<String>,
    /// Everyone together: refusals are 503, not 429 (the client did nothing wrong).
    pub recovery_global: RateLimiter<()>,
    pub recovery_per_ip: RateLimiter<IpAddr>,
    pub reset_per_ip: RateLimiter<IpAddr>,
    pub login_per_ip: RateLimiter<IpAddr>,
}

impl RateLimits {
    pub fn new(config: &LimitConfig) -> Self {
        let secs = Duration::from_secs;
        Self {
            recovery_per_email: RateLimiter::new(
                config.recovery_per_email_limit,
                secs(config.recovery_per_email_window_secs),
            ),
            recovery_per_email_daily: RateLimiter::new(
                config.recovery_per_email_daily_limit,
                secs(24 * 60 * 60),
            ),
            recovery_global: RateLimiter::new(
                config.recovery_global_limit,
                secs(config.recovery_global_window_secs),
            ),
            recovery_per_ip: RateLimiter::new(
                config.recovery_per_ip_limit,
                secs(config.recovery_per_ip_window_secs),
            ),
            reset_per_ip: RateLimiter::new(
                config.reset_per_ip_limit,
                secs(config.reset_per_ip_window_secs),
            ),
            login_per_ip: RateLimiter::new(
                config.login_per_ip_limit,
                secs(config.login_per_ip_window_secs),
            ),
        }
    }
}

/// The client's IP for rate limiting: the TCP peer address, or the address a trusted proxy
/// forwarded (see `super::proxy`), never a header from anyone else. IPv6 clients are keyed by
/// their /64, which one household or host usually owns whole. Without connection info (a
/// router driven in-process) it is 0.0.0.0.
#[derive(Debug, Clone, Copy)]
pub struct ClientIp(pub IpAddr);

impl ClientIp {
    /// The rate-limit key of `ip`.
    pub fn keyed(ip: IpAddr) -> Self {
        Self(match ip {
            IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
                Some(v4) => IpAddr::V4(v4),
                None => IpAddr::V6(Ipv6Addr::from(u128::from(v6) & !u128::from(u64::MAX))),
            },
            v4 => v4,
        })
    }
}

impl<S: Send + Sync> FromRequestParts<S> for ClientIp {
    type Rejection = Infallible;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Infallible> {
        if let Some(resolved) = parts.extensions.get::<ClientIp>() {
            return Ok(*resolved);
        }
        let peer = parts
            .extensions
            .get::<ConnectInfo<SocketAddr>>()
            .map(|info| info.0.ip());
        Ok(peer.map_or(Self(IpAddr::V4(Ipv4Addr::UNSPECIFIED)), Self::keyed))
    }
}

/// Whole seconds for `Retry-After`, rounded up so a client that waits that long is let in, and
/// at least 1: the limiter's clock moves between the refusal and the reckoning, and "retry after
/// 0 seconds" invites a client to hammer.
pub fn retry_after_secs(wait: Duration) -> u64 {
    (wait.as_secs() + u64::from(wait.subsec_nanos() > 0)).max(1)
}

#[cfg(test)]
mod tests {
    use super::*;
    use governor::clock::FakeRelativeClock;

    fn limiter(
        limit: u32,
        window_secs: u64,
    ) -> (
        RateLimiter<&'static str, FakeRelativeClock>,
        FakeRelativeClock,
    ) {
        let clock = FakeRelativeClock::default();
        let limiter =
            RateLimiter::with_clock(limit, Duration::from_secs(window_secs), clock.clone());
        (limiter, clock)
    }

    #[test]
    fn allows_a_burst_of_limit_then_refuses() {
        let (limiter, _clock) = limiter(5, 900);
        for _ in 0..5 {
            assert_eq!(limiter.check("alice"), Ok(()));
        }
        let wait = limiter.check("alice").unwrap_err();
        assert_eq!(wait, Duration::from_secs(180));
        assert_eq!(retry_after_secs(wait), 180);
        // Other keys are independent.
        assert_eq!(limiter.check("bob"), Ok(()));
    }

    #[test]
    fn refills_one_request_per_interval() {
        let (limiter, clock) = limiter(2, 60);
        assert!(limiter.check("k").is_ok());
        assert!(limiter.check("k").is_ok());
        clock.advance(Duration::from_secs(29));
        assert_eq!(limiter.check("k"), Err(Duration::from_secs(1)));
        clock.advance(Duration::from_secs(1));
        assert!(limiter.check("k").is_ok());
        assert!(limiter.check("k").is_err());
        // After a whole window of quiet the full burst is back.
        clock.advance(Duration::from_secs(170));
        assert!(limiter.check("k").is_ok());
        assert!(limiter.check("k").is_ok());
        assert!(limiter.check("k").is_err());
    }

    #[test]
    fn refused_requests_do_not_count() {
        let (limiter, clock) = limiter(1, 10);
        assert!(limiter.check("k").is_ok());
        clock.advance(Duration::from_secs(5));
        for _ in 0..100 {
            assert!(limiter.check("k").is_err());
        }
        clock.advance(Duration::from_secs(5));
        assert!(limiter.check("k").is_ok());
    }

    #[test]
    fn zero_limit_means_unlimited() {
        let (limiter, _clock) = limiter(0, 60);
        for _ in 0..10_000 {
            assert!(limiter.check("k").is_ok());
        }
    }

    #[test]
    fn retry_after_rounds_up() {
        assert_eq!(retry_after_secs(Duration::from_millis(1)), 1);
        assert_eq!(retry_after_secs(Duration::from_millis(1500)), 2);
        assert_eq!(retry_after_secs(Duration::from_secs(3)), 3);
        assert_eq!(retry_after_secs(Duration::ZERO), 1);
    }
}
