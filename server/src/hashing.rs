//! Password hashing with argon2id (the argon2 crate's defaults: 19 MiB, 2 passes, 1 lane,
//! OWASP's recommended minimum), on a pool of its own.
//!
//! Each hash burns tens of milliseconds of CPU and 19 MiB of memory, so hashes run on a fixed
//! number of threads (about one per core) apart from tokio's blocking pool, which the database
//! uses: a login flood cannot stall database queries behind it. Each thread keeps its 19 MiB of working
//! memory for its life instead of allocating it per hash: freed per hash, glibc's per-thread
//! arenas kept copies around and a 100-login burst grew the process by ~200 MiB; kept, memory
//! stays at threads × 19 MiB.
//! A bounded queue feeds the threads; when it is full the caller gets [`HashError::Busy`] at
//! once (the API answers 503 with Retry-After), the same whether or not the account exists.
//!
//! Every password is hashed and checked in Unicode NFKC (`domain::nfkc`), so the same password
//! typed on keyboards or input methods that produce different code points still matches.

use std::cell::RefCell;
use std::sync::mpsc::{sync_channel, SyncSender, TrySendError};
use std::sync::LazyLock;

use argon2::password_hash::{Output, ParamsString, PasswordHash, Salt, SaltString};
use argon2::{Algorithm, Argon2, Block, Params, Version};
use secrecy::{ExposeSecret, SecretString};
use tokio::sync::oneshot;

use crate::domain::{nfkc, NewPassword};

/// A hash of a random password, verified against when the account does not exist, so that a
/// login for an unknown address costs the same time as one for a known address.
static DUMMY_HASH: LazyLock<String> = LazyLock::new(|| {
    let mut secret = [0u8; 32];
    getrandom::fill(&mut secret).expect("the operating system's random source failed");
    hash_bytes(&secret).expect("hashing a fixed-size secret cannot fail")
});

/// The hashing of `add-user` and other one-off callers: one pool for the whole process, so its
/// working memory is allocated once however many accounts are added.
static ONE_OFF: LazyLock<HashPool> = LazyLock::new(|| HashPool::new(0, 1024));

thread_local! {
    /// argon2's working memory, reused by every hash on this thread.
    static MEMORY: RefCell<Vec<Block>> = const { RefCell::new(Vec::new()) };
}

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

    /// The process-wide one-thread pool for hashing outside the server (`add-user`).
    pub fn one_off() -> &'static Self {
        &ONE_OFF
    }

    /// Computes the dummy hash on a hash thread, so the first unknown-account login is not the
    /// slow one.
    pub async fn prepare(&self) -> Result<(), HashError> {
        self.run(|| {
            LazyLock::force(&DUMMY_HASH);
            Ok(())
        })
        .await
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
            let matches = verify_bytes(&parsed, normalised.expose_secret().as_bytes())?
                || (normalised.expose_secret() != typed
                    && verify_bytes(&parsed, typed.as_bytes())?);
            Ok(exists && matches)
        })
        .await
    }
}

/// A new PHC string for `password` with the default parameters and a random salt: what
/// argon2's `PasswordHasher` makes, computed in this thread's reused memory.
fn hash_bytes(password: &[u8]) -> anyhow::Result<String> {
    let mut salt = [0u8; 16];
    getrandom::fill(&mut salt)
        .map_err(|e| anyhow::anyhow!("the operating system's random source failed: {e}"))?;
    let salt = SaltString::encode_b64(&salt).map_err(|e| anyhow::anyhow!("salt encoding: {e}"))?;
    let argon2 = Argon2::default();
    let output = compute(&argon2, password, salt.as_salt())?;
    let hash = PasswordHash {
        algorithm: Algorithm::default().ident(),
        version: Some(Version::default().into()),
        params: ParamsString::try_from(argon2.params())
            .map_err(|e| anyhow::anyhow!("argon2 parameters: {e}"))?,
        salt: Some(salt.as_salt()),
        hash: Some(output),
    };
    Ok(hash.to_string())
}

/// Whether `password` hashes to `stored` (with the stored algorithm, version, parameters and
/// salt), compared in constant time: argon2's `PasswordVerifier`, in reused memory.
fn verify_bytes(stored: &PasswordHash<'_>, password: &[u8]) -> anyhow::Result<bool> {
    let malformed = |e: argon2::password_hash::Error| anyhow::anyhow!("stored hash: {e}");
    let (Some(salt), Some(expected)) = (stored.salt, stored.hash) else {
        return Ok(false);
    };
    let algorithm = Algorithm::try_from(stored.algorithm).map_err(malformed)?;
    let version = stored
        .version
        .map(Version::try_from)
        .transpose()
        .map_err(|e| anyhow::anyhow!("stored hash version: {e}"))?
        .unwrap_or_default();
    let params = Params::try_from(stored).map_err(malformed)?;
    let computed = compute(&Argon2::new(algorithm, version, params), password, salt)?;
    // Output's equality is constant-time.
    Ok(computed == expected)
}

/// argon2 of `password` with `salt`, in this thread's working memory (grown once, kept).
fn compute(argon2: &Argon2<'_>, password: &[u8], salt: Salt<'_>) -> anyhow::Result<Output> {
    let mut salt_bytes = [0u8; 64];
    let salt = salt
        .decode_b64(&mut salt_bytes)
        .map_err(|e| anyhow::anyhow!("salt: {e}"))?;
    let length = argon2
        .params()
        .output_len()
        .unwrap_or(Params::DEFAULT_OUTPUT_LEN);
    let blocks = argon2.params().block_count();
    MEMORY.with_borrow_mut(|memory| {
        if memory.len() < blocks {
            memory.resize(blocks, Block::default());
        }
        Output::init_with(length, |out| {
            argon2
                .hash_password_into_with_memory(password, salt, out, &mut memory[..blocks])
                .map_err(|_| argon2::password_hash::Error::Password)
        })
        .map_err(|e| anyhow::anyhow!("argon2 hashing failed: {e}"))
    })
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

    #[test]
    fn hashes_are_argon2s_own_phc_strings() {
        use argon2::password_hash::{PasswordHasher, PasswordVerifier};
        // Made here, checked by argon2's verifier; made by argon2's hasher, checked here.
        let ours = hash_bytes(b"walnut galaxy hinge").unwrap();
        let parsed = PasswordHash::new(&ours).unwrap();
        assert!(Argon2::default()
            .verify_password(b"walnut galaxy hinge", &parsed)
            .is_ok());
        assert!(Argon2::default()
            .verify_password(b"walnut galaxy hing", &parsed)
            .is_err());
        let salt = SaltString::encode_b64(b"0123456789abcdef").unwrap();
        let theirs = Argon2::default()
            .hash_password(b"walnut galaxy hinge", &salt)
            .unwrap();
        assert!(verify_bytes(&theirs, b"walnut galaxy hinge").unwrap());
        assert!(!verify_bytes(&theirs, b"Walnut galaxy hinge").unwrap());
        // Other parameters (an older, cheaper hash) still verify, in a memory grown to fit.
        let cheap = Argon2::new(
            Algorithm::Argon2i,
            Version::V0x10,
            Params::new(4096, 3, 1, None).unwrap(),
        )
        .hash_password(b"walnut galaxy hinge", &salt)
        .unwrap();
        assert!(verify_bytes(&cheap, b"walnut galaxy hinge").unwrap());
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
