//! Rate limits with GCRA: each key (a client, an address asked for by a client, or everyone
//! together) may spend `limit` requests at once, then one more every `window / limit`. Keys
//! are treated the same way whether or not an account exists, so a 429 tells nothing about
//! existence.
//!
//! Memory is bounded whatever a flood sends: a key is kept as a 64-bit keyed hash with its
//! next free moment (16 bytes), at most [`MAX_KEYS`] per limiter; a key whose bucket is full
//! again is the same as no entry and is swept away by a background task, never inside a
//! request. [`RateLimiter::peek`] answers without storing anything, so the cheap global checks
//! can come before anything that stores per-key state.

use std::collections::HashMap;
use std::convert::Infallible;
use std::hash::{BuildHasher, Hash, RandomState};
use std::marker::PhantomData;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::extract::{ConnectInfo, FromRequestParts};
use axum::http::request::Parts;
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;

use crate::config::LimitConfig;
use crate::domain::Client;

/// Keys kept per limiter at most (about 1.5 MiB). Past it a new key pushes an arbitrary one
/// out, which then starts over with a full bucket: a flood from that many clients gets
/// through no more than that many clients could anyway, and the database caps the mail.
const MAX_KEYS: usize = 65_536;
/// Keys are spread over this many separately locked maps.
const SHARDS: usize = 16;
/// How often keys whose bucket is full again are swept away.
const SWEEP_EVERY: Duration = Duration::from_secs(10);

/// Time as the limiters count it: nanoseconds since the limiter's start.
pub trait Clock: Send + Sync {
    fn now(&self) -> u64;
}

/// The monotonic clock of the process.
pub struct MonotonicClock(Instant);

impl Clock for MonotonicClock {
    fn now(&self) -> u64 {
        u64::try_from(self.0.elapsed().as_nanos()).unwrap_or(u64::MAX)
    }
}

/// A limit of `limit` requests per `window` for each key `K`; a limit of 0 is no limit.
pub struct RateLimiter<K: Hash + ?Sized, C: Clock = MonotonicClock> {
    /// `None` when unlimited.
    quota: Option<Quota>,
    clock: C,
    /// Keys are stored as this hash of theirs, keyed per process so no one can aim for
    /// collisions; two keys sharing a hash would share a bucket (odds 2^-64 per pair).
    fingerprints: RandomState,
    /// Fingerprint → the moment the key's next request would be one too many ("theoretical
    /// arrival time" in GCRA's terms).
    shards: Box<[Mutex<HashMap<u64, u64>>]>,
    _key: PhantomData<fn(&K)>,
}

/// GCRA's two numbers, in nanoseconds.
#[derive(Debug, Clone, Copy)]
struct Quota {
    /// One request's worth of time: `window / limit`.
    interval: u64,
    /// How far ahead of now a key may run: the burst less one request.
    tolerance: u64,
}

impl<K: Hash + ?Sized> RateLimiter<K> {
    pub fn new(limit: u32, window: Duration) -> Self {
        Self::with_clock(limit, window, MonotonicClock(Instant::now()))
    }
}

impl<K: Hash + ?Sized, C: Clock> RateLimiter<K, C> {
    fn with_clock(limit: u32, window: Duration, clock: C) -> Self {
        let interval = u64::try_from((window / limit.max(1)).as_nanos()).unwrap_or(u64::MAX);
        // A zero limit, or one so high that the interval rounds to nothing, limits nothing.
        let quota = (limit > 0 && interval > 0).then(|| Quota {
            interval,
            tolerance: interval.saturating_mul(u64::from(limit - 1)),
        });
        Self {
            quota,
            clock,
            fingerprints: RandomState::new(),
            shards: (0..SHARDS).map(|_| Mutex::default()).collect(),
            _key: PhantomData,
        }
    }

    /// Counts one request for `key`. `Err(wait)` if the key is over its quota, with how long
    /// until one more request would be allowed; a refused request does not count.
    pub fn check(&self, key: &K) -> Result<(), Duration> {
        let Some(quota) = self.quota else {
            return Ok(());
        };
        let fingerprint = self.fingerprints.hash_one(key);
        let now = self.clock.now();
        let mut shard = self.shard(fingerprint);
        let next = quota.admit(shard.get(&fingerprint).copied(), now)?;
        if shard.len() >= MAX_KEYS / SHARDS && !shard.contains_key(&fingerprint) {
            let evicted = shard.keys().next().copied();
            evicted.map(|old| shard.remove(&old));
        }
        shard.insert(fingerprint, next);
        Ok(())
    }

    /// What [`Self::check`] would answer, without counting the request or storing anything.
    pub fn peek(&self, key: &K) -> Result<(), Duration> {
        let Some(quota) = self.quota else {
            return Ok(());
        };
        let fingerprint = self.fingerprints.hash_one(key);
        let now = self.clock.now();
        let stored = self.shard(fingerprint).get(&fingerprint).copied();
        quota.admit(stored, now).map(drop)
    }

    /// Forgets the keys whose bucket is full again: they are as good as absent.
    fn sweep(&self) {
        let now = self.clock.now();
        for shard in &*self.shards {
            lock(shard).retain(|_, next| *next > now);
        }
    }

    /// How many keys are kept now.
    #[cfg(test)]
    fn len(&self) -> usize {
        self.shards.iter().map(|shard| lock(shard).len()).sum()
    }

    fn shard(&self, fingerprint: u64) -> std::sync::MutexGuard<'_, HashMap<u64, u64>> {
        // The low bits pick the shard; the map hashes the whole value again.
        lock(&self.shards[(fingerprint % SHARDS as u64) as usize])
    }
}

/// A poisoned map only means a panic elsewhere mid-update of plain numbers: keep using it.
fn lock(shard: &Mutex<HashMap<u64, u64>>) -> std::sync::MutexGuard<'_, HashMap<u64, u64>> {
    shard
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

impl Quota {
    /// GCRA: a key whose next free moment is at most `tolerance` ahead of `now` may go, and
    /// moves it one interval on. Otherwise, how long until it may.
    fn admit(self, stored: Option<u64>, now: u64) -> Result<u64, Duration> {
        let next = stored.map_or(now, |next| next.max(now));
        let ahead = next - now;
        if ahead > self.tolerance {
            return Err(Duration::from_nanos(ahead - self.tolerance));
        }
        Ok(next.saturating_add(self.interval))
    }
}

/// The limiters of the API, one per quota in the configuration.
///
/// Recovery requests are limited per client and per address *from one client*, never per
/// address alone: a limit that every client shares could be spent by anyone, and would lock
/// the address's owner out. What stops a flood of one address from many clients is the mail
/// cap per account, kept in the database (`store::tokens`), which never refuses the owner a
/// working link.
pub struct RateLimits {
    /// Everyone together: refusals are 503, not 429 (the client did nothing wrong).
    pub recovery_global: RateLimiter<()>,
    pub recovery_per_ip: RateLimiter<Client>,
    /// An address (its lookup key) asked for by one client.
    pub recovery_per_email: RateLimiter<(String, Client)>,
    /// The daily ceiling of the same, on top of `recovery_per_email`.
    pub recovery_per_email_daily: RateLimiter<(String, Client)>,
    pub reset_per_ip: RateLimiter<Client>,
    pub login_per_ip: RateLimiter<Client>,
}

impl RateLimits {
    pub fn new(config: &LimitConfig) -> Self {
        let secs = Duration::from_secs;
        Self {
            recovery_global: RateLimiter::new(
                config.recovery_global_limit,
                secs(config.recovery_global_window_secs),
            ),
            recovery_per_ip: RateLimiter::new(
                config.recovery_per_ip_limit,
                secs(config.recovery_per_ip_window_secs),
            ),
            recovery_per_email: RateLimiter::new(
                config.recovery_per_email_limit,
                secs(config.recovery_per_email_window_secs),
            ),
            recovery_per_email_daily: RateLimiter::new(
                config.recovery_per_email_daily_limit,
                secs(24 * 60 * 60),
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

    /// Sweeps every limiter every [`SWEEP_EVERY`] until `stop`.
    pub fn spawn_sweeper(self: &Arc<Self>, stop: CancellationToken) -> JoinHandle<()> {
        let limits = Arc::clone(self);
        tokio::spawn(async move {
            loop {
                tokio::select! {
                    () = stop.cancelled() => break,
                    () = tokio::time::sleep(SWEEP_EVERY) => {}
                }
                limits.recovery_global.sweep();
                limits.recovery_per_ip.sweep();
                limits.recovery_per_email.sweep();
                limits.recovery_per_email_daily.sweep();
                limits.reset_per_ip.sweep();
                limits.login_per_ip.sweep();
            }
        })
    }
}

/// Counts one request for `key` in each of `limiters` only if all of them have room: a
/// request refused by one spends nothing in the others. The longest wait if not.
pub fn check_all<K: Hash + ?Sized, C: Clock>(
    limiters: &[&RateLimiter<K, C>],
    key: &K,
) -> Result<(), Duration> {
    let longest = limiters
        .iter()
        .filter_map(|limiter| limiter.peek(key).err())
        .max();
    if let Some(wait) = longest {
        return Err(wait);
    }
    limiters.iter().try_for_each(|limiter| limiter.check(key))
}

/// The [`Client`] of a request: the TCP peer's, or the one a trusted proxy forwarded (see
/// `super::proxy`), never a header from anyone else. Without connection info (a router driven
/// in-process) it is [`Client::UNKNOWN`].
impl<S: Send + Sync> FromRequestParts<S> for Client {
    type Rejection = Infallible;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Infallible> {
        if let Some(resolved) = parts.extensions.get::<Client>() {
            return Ok(*resolved);
        }
        let peer = parts
            .extensions
            .get::<ConnectInfo<SocketAddr>>()
            .map(|info| info.0.ip());
        Ok(peer.map_or(Client::UNKNOWN, Client::of))
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
    use std::sync::atomic::{AtomicU64, Ordering};

    /// A clock that moves only when told.
    #[derive(Clone, Default)]
    struct FakeClock(Arc<AtomicU64>);

    impl FakeClock {
        fn advance(&self, by: Duration) {
            let nanos = u64::try_from(by.as_nanos()).unwrap();
            self.0.fetch_add(nanos, Ordering::Relaxed);
        }
    }

    impl Clock for FakeClock {
        fn now(&self) -> u64 {
            self.0.load(Ordering::Relaxed)
        }
    }

    fn limiter(limit: u32, window_secs: u64) -> (RateLimiter<str, FakeClock>, FakeClock) {
        let clock = FakeClock::default();
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
    fn zero_limit_means_unlimited_and_keeps_nothing() {
        let (limiter, _clock) = limiter(0, 60);
        for n in 0..10_000 {
            assert!(limiter.check(&n.to_string()).is_ok());
        }
        assert_eq!(limiter.len(), 0);
    }

    #[test]
    fn peeking_answers_like_check_and_stores_nothing() {
        let (limiter, _clock) = limiter(1, 60);
        for n in 0..1_000 {
            assert_eq!(limiter.peek(&format!("new{n}")), Ok(()));
        }
        assert_eq!(limiter.len(), 0);
        limiter.check("k").unwrap();
        assert_eq!(limiter.peek("k"), Err(Duration::from_secs(60)));
        assert_eq!(limiter.len(), 1);
    }

    #[test]
    fn keys_are_bounded_and_swept_once_their_bucket_is_full_again() {
        let (limiter, clock) = limiter(2, 60);
        for n in 0..3 * MAX_KEYS {
            limiter.check(&n.to_string()).unwrap();
        }
        let kept = limiter.len();
        assert!(kept <= MAX_KEYS, "{kept} keys");
        // A key that is pushed out starts over: never refused more than the quota says.
        clock.advance(Duration::from_secs(29));
        limiter.sweep();
        assert_eq!(limiter.len(), kept, "each key still owes 1 s");
        clock.advance(Duration::from_secs(1));
        limiter.sweep();
        assert_eq!(limiter.len(), 0);
    }

    #[test]
    fn check_all_spends_nothing_when_one_refuses() {
        let (window, _) = limiter(2, 60);
        let (daily, _) = limiter(1, 86_400);
        assert_eq!(check_all(&[&window, &daily], "k"), Ok(()));
        // `daily` refuses with the longer wait, and `window` is not charged for it.
        assert_eq!(
            check_all(&[&window, &daily], "k"),
            Err(Duration::from_secs(86_400))
        );
        assert_eq!(window.check("k"), Ok(()));
    }

    #[test]
    fn retry_after_rounds_up() {
        assert_eq!(retry_after_secs(Duration::from_millis(1)), 1);
        assert_eq!(retry_after_secs(Duration::from_millis(1500)), 2);
        assert_eq!(retry_after_secs(Duration::from_secs(3)), 3);
        assert_eq!(retry_after_secs(Duration::ZERO), 1);
    }
}
