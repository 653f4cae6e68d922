//! Password hashing with argon2id (the argon2 crate's defaults: 19 MiB, 2 passes, 1 lane,
//! OWASP's recommended minimum), on a pool of its own.
//!
//! Each hash burns tens of milliseconds of CPU and 19 MiB of memory, so hashes run on a fixed
//! number of threads (about one per core) apart from tokio's blocking pool, which the database
//! uses: a login flood cannot stall resets behind it, and memory stays at threads × 19 MiB.
//! A bounded queue feeds the threads; when it is full the caller gets [`HashError::Busy`] at
//! once (the API answers 503 with Retry-After), the same whether or not the account exists.
//!
//! Every password is hashed and checked in Unicode NFKC, so the same password typed on
//! keyboards or input methods that produce different code points still matches.

use std::sync::mpsc::{sync_channel, SyncSender, TrySendError};
use std::sync::LazyLock;

use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;
use secrecy::{ExposeSecret, SecretString};
use tokio::sync::oneshot;
use unicode_normalization::UnicodeNormalization;

use crate::domain::NewPassword;

/// A hash of a random password, verified against when the account does not exist, so that a
/// login for an unknown address costs the same time as one for a known address.
static DUMMY_HASH: LazyLock<String> = LazyLock::new(|| {
    let mut secret = [0u8; 32];
    getrandom::fill(&mut secret).expect("the operating system's random source failed");
    hash_bytes(&secret).expect("hashing a fixed-size secret cannot fail")
});

/// Why a hash was not computed.
#[derive(Debug, thiserror::Error)]
pub enum HashError {
    /// Every hash thread is busy and the queue is full: try again in a moment.
    #[error("the password hashing pool is saturated")]
    Busy,
    #[error(transparent)]
    Failed(#[from] anyhow::Error),
}

type Job = Box<dyn FnOnce() + Send>;

/// The bounded pool of hash threads; cheap to clone. The threads end when the last clone is
/// dropped.
#[derive(Clone)]
pub struct HashPool {
    jobs: SyncSender<Job>,
}

impl HashPool {
    /// `threads` hash threads (0: one per core) fed by a queue of `queue` waiting jobs (0: eight
    /// per thread).
    pub fn new(threads: usize, queue: usize) -> Self {
        let threads = match threads {
            0 => std::thread::available_parallelism().map_or(2, usize::from),
            n => n,
        };
        let queue = if queue == 0 { 8 * threads } else { queue };
        let (jobs, receiver) = sync_channel::<Job>(queue);
        let receiver = std::sync::Arc::new(std::sync::Mutex::new(receiver));
        for n in 0..threads {
            let receiver = std::sync::Arc::clone(&receiver);
            std::thread::Builder::new()
                .name(format!("argon2-{n}"))
                .spawn(move || loop {
                    let job = receiver
                        .lock()
                        .map_err(drop)
                        .and_then(|r| r.recv().map_err(drop));
                    match job {
                        Ok(job) => job(),
                        Err(()) => break,
                    }
                })
                .expect("starting a password hashing thread");
        }
        Self { jobs }
    }

    /// Runs `work` on a hash thread, or refuses at once if the queue is full.
    async fn run<T: Send + 'static>(
        &self,
        work: impl FnOnce() -> anyhow::Result<T> + Send + 'static,
    ) -> Result<T, HashError> {
        let (done, result) = oneshot::channel();
        let job: Job = Box::new(move || {
            let _ = done.send(work());
        });
        match self.jobs.try_send(job) {
            Ok(()) => {}
            Err(TrySendError::Full(_)) => return Err(HashError::Busy),
            Err(TrySendError::Disconnected(_)) => {
                return Err(anyhow::anyhow!("the hash threads are gone").into())
            }
        }
        result
            .await
            .map_err(|_| anyhow::anyhow!("password hashing panicked"))?
            .map_err(HashError::Failed)
    }

    /// Hashes a password (already NFKC, see [`NewPassword`]) into a PHC string
    /// (`$argon2id$v=19$m=19456,t=2,p=1$salt$hash`).
    pub async fn hash(&self, password: &NewPassword) -> Result<String, HashError> {
        // The thread needs its own copy: a secret one, out of `Debug` and wiped on drop.
        let password = SecretString::from(password.expose());
        self.run(move || hash_bytes(password.expose_secret().as_bytes()))
            .await
    }

    /// Checks `candidate` against a stored PHC string; with `None` (no such account) it checks
    /// against a dummy hash and returns false, taking the same time.
    ///
    /// The candidate is checked in NFKC. Passwords set before the server normalised were
    /// hashed as typed: when NFKC changes the candidate and does not match, the candidate as
    /// typed is tried too (against the dummy as well, so timing does not tell accounts apart).
    pub async fn verify(
        &self,
        stored: Option<String>,
        candidate: SecretString,
    ) -> Result<bool, HashError> {
        self.run(move || {
            let (stored, exists) = match stored {
                Some(stored) => (stored, true),
                None => (DUMMY_HASH.clone(), false),
            };
            let parsed = PasswordHash::new(&stored)
                .map_err(|e| anyhow::anyhow!("stored password hash is malformed: {e}"))?;
            let typed = candidate.expose_secret();
            let normalised = SecretString::from(nfkc(typed));
            let check = |password: &str| {
                Argon2::default()
                    .verify_password(password.as_bytes(), &parsed)
                    .is_ok()
            };
            let matches = check(normalised.expose_secret())
                || (normalised.expose_secret() != typed && check(typed));
            Ok(exists && matches)
        })
        .await
    }
}

/// Unicode compatibility composition (NFKC): what the server hashes and compares.
pub fn nfkc(text: &str) -> String {
    text.nfkc().collect()
}

/// Warms the dummy hash at start-up so the first unknown-account login is not the slow one.
pub fn prepare() {
    LazyLock::force(&DUMMY_HASH);
}

fn hash_bytes(password: &[u8]) -> anyhow::Result<String> {
    let mut salt = [0u8; 16];
    getrandom::fill(&mut salt)
        .map_err(|e| anyhow::anyhow!("the operating system's random source failed: {e}"))?;
    let salt = SaltString::encode_b64(&salt).map_err(|e| anyhow::anyhow!("salt encoding: {e}"))?;
    let hash = Argon2::default()
        .hash_password(password, &salt)
        .map_err(|e| anyhow::anyhow!("argon2 hashing failed: {e}"))?;
    Ok(hash.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::EmailAddress;

    #[tokio::test]
    async fn hashes_with_argon2id_and_verifies() {
        let pool = HashPool::new(1, 4);
        let email = EmailAddress::parse("alice@example.com").unwrap();
        let password = NewPassword::parse("walnut galaxy hinge".to_owned(), &email).unwrap();
        let stored = pool.hash(&password).await.unwrap();
        assert!(stored.starts_with("$argon2id$v=19$"), "{stored}");
        assert!(pool
            .verify(Some(stored.clone()), "walnut galaxy hinge".into())
            .await
            .unwrap());
        assert!(!pool
            .verify(Some(stored), "walnut galaxy hinge ".into())
            .await
            .unwrap());
        assert!(!pool
            .verify(None, "walnut galaxy hinge".into())
            .await
            .unwrap());
    }

    #[tokio::test]
    async fn compatibility_forms_match_and_old_hashes_still_work() {
        let pool = HashPool::new(1, 4);
        let email = EmailAddress::parse("alice@example.com").unwrap();
        // "ﬁ" (one ligature code point) and "e" + combining acute are NFKC "fi" and "é".
        let typed = "\u{FB01}ne cafe\u{301} au lait";
        let password = NewPassword::parse(typed.to_owned(), &email).unwrap();
        let stored = pool.hash(&password).await.unwrap();
        assert!(pool
            .verify(Some(stored.clone()), "fine café au lait".into())
            .await
            .unwrap());
        assert!(pool.verify(Some(stored), typed.into()).await.unwrap());
        // A hash made from the bytes as typed, before the server normalised.
        let legacy = hash_bytes(typed.as_bytes()).unwrap();
        assert!(pool.verify(Some(legacy), typed.into()).await.unwrap());
    }

    #[tokio::test]
    async fn a_full_queue_is_refused_at_once() {
        let pool = HashPool::new(1, 1);
        let (release, blocked) = std::sync::mpsc::channel::<()>();
        // One job holds the thread, one waits in the queue: the next is refused.
        let holding = tokio::spawn({
            let pool = pool.clone();
            async move {
                pool.run(move || {
                    let _ = blocked.recv();
                    Ok(())
                })
                .await
            }
        });
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        let queued = tokio::spawn({
            let pool = pool.clone();
            async move { pool.run(|| Ok(())).await }
        });
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        assert!(matches!(pool.run(|| Ok(())).await, Err(HashError::Busy)));
        release.send(()).unwrap();
        holding.await.unwrap().unwrap();
        queued.await.unwrap().unwrap();
    }
}
