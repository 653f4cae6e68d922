//! Password hashing with argon2id (the argon2 crate's defaults: 19 MiB, 2 passes, 1 lane,
//! OWASP's recommended minimum), on a pool of its own.
//!
//! Each hash burns tens of milliseconds of CPU and 19 MiB of memory, so hashes run on a fixed
//! number of threads (about one per core) apart from tokio's blocking pool, which the database
//! uses. Each thread keeps its 19 MiB of working memory for its life instead of allocating it
//! per hash: freed per hash, glibc's per-thread arenas kept copies around and a 100-login burst
//! grew the process by ~200 MiB; kept, memory stays at threads × 19 MiB.
//!
//! Logins and password changes have a [`Share`] each: a bounded queue of their own, and the
//! threads take from the two in turn. A login flood fills only the logins' queue, so a reset
//! waits behind at most one login per thread, and the other way round. When a share's queue
//! is full its caller gets [`HashError::Busy`] at once (the API answers 503 with Retry-After),
//! the same whether or not the account exists.
//!
//! Every password is hashed and checked in Unicode NFKC (`domain::nfkc`), so the same password
//! typed on keyboards or input methods that produce different code points still matches.

use std::cell::RefCell;
use std::collections::VecDeque;
use std::sync::{Arc, Condvar, LazyLock, Mutex, MutexGuard, PoisonError};

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
    /// Every hash thread is busy and this share's queue is full: try again in a moment.
    #[error("the password hashing pool is saturated")]
    Busy,
    #[error(transparent)]
    Failed(#[from] anyhow::Error),
}

/// Whose work a hash is. Each share queues apart and the threads serve them in turn.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Share {
    /// Checking a password at login.
    SignIn = 0,
    /// Hashing a new password (a reset, `add-user`).
    PasswordChange = 1,
}

type Job = Box<dyn FnOnce() + Send>;

/// The jobs waiting, per share, and which share goes next.
struct Queues {
    waiting: [VecDeque<Job>; 2],
    next: usize,
    open: bool,
}

/// What the threads and the handles share.
struct Shared {
    queues: Mutex<Queues>,
    work_ready: Condvar,
}

impl Shared {
    fn lock(&self) -> MutexGuard<'_, Queues> {
        // Jobs run outside the lock: a panic cannot leave the queues half changed.
        self.queues.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// The next job, the share whose turn it is first; `None` once closed and drained.
    fn next_job(&self) -> Option<Job> {
        let mut queues = self.lock();
        loop {
            let turn = queues.next;
            let share = if queues.waiting[turn].is_empty() {
                1 - turn
            } else {
                turn
            };
            if let Some(job) = queues.waiting[share].pop_front() {
                queues.next = 1 - share;
                return Some(job);
            }
            if !queues.open {
                return None;
            }
            queues = self
                .work_ready
                .wait(queues)
                .unwrap_or_else(PoisonError::into_inner);
        }
    }
}

/// Closes the queues when the last [`HashPool`] handle goes, so the threads end.
struct Threads {
    shared: Arc<Shared>,
    /// Jobs waiting per share, at most.
    queue: usize,
}

impl Drop for Threads {
    fn drop(&mut self) {
        self.shared.lock().open = false;
        self.shared.work_ready.notify_all();
    }
}

/// The bounded pool of hash threads; cheap to clone. The threads end when the last clone is
/// dropped.
#[derive(Clone)]
pub struct HashPool {
    threads: Arc<Threads>,
}

impl HashPool {
    /// `threads` hash threads (0: one per core), each share fed by a queue of `queue` waiting
    /// jobs (0: eight per thread).
    pub fn new(threads: usize, queue: usize) -> Self {
        let threads = match threads {
            0 => std::thread::available_parallelism().map_or(2, usize::from),
            n => n,
        };
        let queue = if queue == 0 { 8 * threads } else { queue };
        let shared = Arc::new(Shared {
            queues: Mutex::new(Queues {
                waiting: [VecDeque::new(), VecDeque::new()],
                next: 0,
                open: true,
            }),
            work_ready: Condvar::new(),
        });
        for n in 0..threads {
            let shared = Arc::clone(&shared);
            std::thread::Builder::new()
                .name(format!("argon2-{n}"))
                .spawn(move || {
                    while let Some(job) = shared.next_job() {
                        job();
                    }
                })
                .expect("starting a password hashing thread");
        }
        Self {
            threads: Arc::new(Threads { shared, queue }),
        }
    }

    /// Runs `work` on a hash thread in `share`'s turn, or refuses at once if that share's
    /// queue is full.
    async fn run<T: Send + 'static>(
        &self,
        share: Share,
        work: impl FnOnce() -> anyhow::Result<T> + Send + 'static,
    ) -> Result<T, HashError> {
        let (done, result) = oneshot::channel();
        let job: Job = Box::new(move || {
            let _ = done.send(work());
        });
        {
            let mut queues = self.threads.shared.lock();
            let waiting = &mut queues.waiting[share as usize];
            if waiting.len() >= self.threads.queue {
                return Err(HashError::Busy);
            }
            waiting.push_back(job);
        }
        self.threads.shared.work_ready.notify_one();
        result
            .await
            .map_err(|_| anyhow::anyhow!("password hashing panicked"))?
            .map_err(HashError::Failed)
    }

    /// The process-wide pool for hashing outside the server (`add-user`).
    pub fn one_off() -> &'static Self {
        &ONE_OFF
    }

    /// Computes the dummy hash on a hash thread, so the first unknown-account login is not the
    /// slow one.
    pub async fn prepare(&self) -> Result<(), HashError> {
        self.run(Share::SignIn, || {
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
        self.run(Share::PasswordChange, move || {
            hash_bytes(password.expose_secret().as_bytes())
        })
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
        self.run(Share::SignIn, move || {
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

    /// Waits until `share` of `pool` has `count` jobs waiting.
    async fn waiting(pool: &HashPool, share: Share, count: usize) {
        while pool.threads.shared.lock().waiting[share as usize].len() != count {
            tokio::time::sleep(std::time::Duration::from_millis(1)).await;
        }
    }

    #[tokio::test]
    async fn a_full_share_is_refused_at_once_and_the_other_share_still_takes_its_turn() {
        let pool = HashPool::new(1, 1);
        let order = Arc::new(Mutex::new(Vec::new()));
        let record = |name: &'static str| {
            let order = Arc::clone(&order);
            move || {
                order.lock().unwrap().push(name);
                Ok(())
            }
        };
        // A login holds the only thread, and another waits in the logins' queue...
        let (release, blocked) = std::sync::mpsc::channel::<()>();
        let (started, running) = oneshot::channel();
        let holding = tokio::spawn({
            let pool = pool.clone();
            async move {
                pool.run(Share::SignIn, move || {
                    let _ = started.send(());
                    let _ = blocked.recv();
                    Ok(())
                })
                .await
            }
        });
        running.await.unwrap();
        let login = tokio::spawn({
            let (pool, work) = (pool.clone(), record("login"));
            async move { pool.run(Share::SignIn, work).await }
        });
        waiting(&pool, Share::SignIn, 1).await;
        // ...so the next login is refused at once,
        let refused = pool.run(Share::SignIn, || Ok(())).await;
        assert!(matches!(refused, Err(HashError::Busy)));
        // while a password change still queues, and goes before the waiting login.
        let change = tokio::spawn({
            let (pool, work) = (pool.clone(), record("change"));
            async move { pool.run(Share::PasswordChange, work).await }
        });
        waiting(&pool, Share::PasswordChange, 1).await;
        release.send(()).unwrap();
        holding.await.unwrap().unwrap();
        login.await.unwrap().unwrap();
        change.await.unwrap().unwrap();
        assert_eq!(*order.lock().unwrap(), ["change", "login"]);
    }
}
