//! Keyed rate limiting with the generic cell rate algorithm (GCRA): each key may spend `limit`
//! requests at once, then one more every `window / limit`. Keys are hashed the same way whether
//! or not an account exists, so a 429 tells nothing about existence.

use std::collections::HashMap;
use std::convert::Infallible;
use std::hash::Hash;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use axum::extract::{ConnectInfo, FromRequestParts};
use axum::http::request::Parts;

/// Prune forgotten keys after this many checks, so memory is bounded by the active keys.
const PRUNE_EVERY: u64 = 1024;

/// A limit of `limit` requests per `window` for each key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Quota {
    pub limit: u32,
    pub window: Duration,
}

/// A rate limiter for one kind of key (an IP, an email address).
pub struct RateLimiter<K> {
    /// `None` when the quota's limit is 0: unlimited.
    quota: Option<Quota>,
    state: Mutex<State<K>>,
}

struct State<K> {
    /// Per key, the "theoretical arrival time": when the key's bucket will be full again.
    full_at: HashMap<K, Instant>,
    checks: u64,
}

impl<K: Hash + Eq> RateLimiter<K> {
    pub fn new(quota: Quota) -> Self {
        Self {
            quota: (quota.limit > 0).then_some(quota),
            state: Mutex::new(State {
                full_at: HashMap::new(),
                checks: 0,
            }),
        }
    }

    /// Counts one request for `key` at `now`. `Err(wait)` if the key is over its quota, with
    /// how long until one more request would be allowed.
    pub fn check_at(&self, key: K, now: Instant) -> Result<(), Duration> {
        let Some(quota) = self.quota else {
            return Ok(());
        };
        let interval = quota.window / quota.limit;
        // A full bucket is `window` of credit; each request spends `interval` of it.
        let tolerance = quota.window.saturating_sub(interval);
        let mut state = self
            .state
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        state.checks += 1;
        if state.checks.is_multiple_of(PRUNE_EVERY) {
            state.full_at.retain(|_, full_at| *full_at > now);
        }
        let full_at = state
            .full_at
            .get(&key)
            .copied()
            .filter(|t| *t > now)
            .unwrap_or(now);
        let earliest = full_at.checked_sub(tolerance).unwrap_or(now);
        if earliest > now {
            return Err(earliest - now);
        }
        state.full_at.insert(key, full_at + interval);
        Ok(())
    }

    /// [`RateLimiter::check_at`] now.
    pub fn check(&self, key: K) -> Result<(), Duration> {
        self.check_at(key, Instant::now())
    }
}

/// The limiters of the API, one per quota in the configuration.
pub struct RateLimits {
    pub recovery_per_email: RateLimiter<String>,
    pub recovery_per_ip: RateLimiter<IpAddr>,
    pub reset_per_ip: RateLimiter<IpAddr>,
    pub login_per_ip: RateLimiter<IpAddr>,
}

/// The client's IP for rate limiting: the TCP peer address, never `X-Forwarded-For` (anyone
/// can write that header). IPv6 clients are keyed by their /64, which one household or host
/// usually owns whole. Without connection info (a router driven in-process) it is 0.0.0.0.
#[derive(Debug, Clone, Copy)]
pub struct ClientIp(pub IpAddr);

impl<S: Send + Sync> FromRequestParts<S> for ClientIp {
    type Rejection = Infallible;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Infallible> {
        let peer = parts
            .extensions
            .get::<ConnectInfo<SocketAddr>>()
            .map(|info| info.0.ip());
        Ok(Self(match peer {
            Some(IpAddr::V6(v6)) => match v6.to_ipv4_mapped() {
                Some(v4) => IpAddr::V4(v4),
                None => IpAddr::V6(Ipv6Addr::from(u128::from(v6) & !u128::from(u64::MAX))),
            },
            Some(v4) => v4,
            None => IpAddr::V4(Ipv4Addr::UNSPECIFIED),
        }))
    }
}

/// Whole seconds for `Retry-After`, rounded up so a client that waits that long is let in.
pub fn retry_after_secs(wait: Duration) -> u64 {
    wait.as_secs() + u64::from(wait.subsec_nanos() > 0)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn limiter(limit: u32, window_secs: u64) -> RateLimiter<&'static str> {
        RateLimiter::new(Quota {
            limit,
            window: Duration::from_secs(window_secs),
        })
    }

    #[test]
    fn allows_a_burst_of_limit_then_refuses() {
        let limiter = limiter(5, 900);
        let now = Instant::now();
        for _ in 0..5 {
            assert_eq!(limiter.check_at("alice", now), Ok(()));
        }
        let wait = limiter.check_at("alice", now).unwrap_err();
        assert_eq!(wait, Duration::from_secs(180));
        assert_eq!(retry_after_secs(wait), 180);
        // Other keys are independent.
        assert_eq!(limiter.check_at("bob", now), Ok(()));
    }

    #[test]
    fn refills_one_request_per_interval() {
        let limiter = limiter(2, 60);
        let start = Instant::now();
        assert!(limiter.check_at("k", start).is_ok());
        assert!(limiter.check_at("k", start).is_ok());
        assert!(limiter
            .check_at("k", start + Duration::from_secs(29))
            .is_err());
        assert!(limiter
            .check_at("k", start + Duration::from_secs(30))
            .is_ok());
        assert!(limiter
            .check_at("k", start + Duration::from_secs(30))
            .is_err());
        // After a whole window of quiet the full burst is back.
        let later = start + Duration::from_secs(200);
        assert!(limiter.check_at("k", later).is_ok());
        assert!(limiter.check_at("k", later).is_ok());
        assert!(limiter.check_at("k", later).is_err());
    }

    #[test]
    fn refused_requests_do_not_count() {
        let limiter = limiter(1, 10);
        let start = Instant::now();
        assert!(limiter.check_at("k", start).is_ok());
        for _ in 0..100 {
            assert!(limiter
                .check_at("k", start + Duration::from_secs(5))
                .is_err());
        }
        assert!(limiter
            .check_at("k", start + Duration::from_secs(10))
            .is_ok());
    }

    #[test]
    fn zero_limit_means_unlimited() {
        let limiter = limiter(0, 60);
        let now = Instant::now();
        for _ in 0..10_000 {
            assert!(limiter.check_at("k", now).is_ok());
        }
    }

    #[test]
    fn retry_after_rounds_up() {
        assert_eq!(retry_after_secs(Duration::from_millis(1)), 1);
        assert_eq!(retry_after_secs(Duration::from_millis(1500)), 2);
        assert_eq!(retry_after_secs(Duration::from_secs(3)), 3);
    }
}
