//! Password hashing with argon2id (the argon2 crate's defaults: 19 MiB, 2 passes, 1 lane,
//! OWASP's recommended minimum). Each call burns tens of milliseconds of CPU, so the async
//! wrappers run on the blocking pool instead of stalling a runtime worker.

use std::sync::LazyLock;

use anyhow::Context;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;
use secrecy::{ExposeSecret, SecretString};

use crate::domain::NewPassword;

/// A hash of a random password, verified against when the account does not exist, so that a
/// login for an unknown address costs the same time as one for a known address.
static DUMMY_HASH: LazyLock<String> = LazyLock::new(|| {
    let mut secret = [0u8; 32];
    getrandom::fill(&mut secret).expect("the operating system's random source failed");
    hash_bytes(&secret).expect("hashing a fixed-size secret cannot fail")
});

/// Hashes a password into a PHC string (`$argon2id$v=19$m=19456,t=2,p=1$salt$hash`).
pub async fn hash_password(password: &NewPassword) -> anyhow::Result<String> {
    // The blocking task needs its own copy: a secret one, out of `Debug` and wiped on drop.
    let password = SecretString::from(password.expose());
    tokio::task::spawn_blocking(move || hash_bytes(password.expose_secret().as_bytes()))
        .await
        .context("password hashing task panicked")?
}

/// Checks `candidate` against a stored PHC string; with `None` (no such account) it checks
/// against a dummy hash and returns false, taking the same time.
pub async fn verify_password(
    stored: Option<String>,
    candidate: SecretString,
) -> anyhow::Result<bool> {
    tokio::task::spawn_blocking(move || {
        let (stored, exists) = match stored {
            Some(stored) => (stored, true),
            None => (DUMMY_HASH.clone(), false),
        };
        let parsed = PasswordHash::new(&stored)
            .map_err(|e| anyhow::anyhow!("stored password hash is malformed: {e}"))?;
        let matches = Argon2::default()
            .verify_password(candidate.expose_secret().as_bytes(), &parsed)
            .is_ok();
        Ok(exists && matches)
    })
    .await
    .context("password verification task panicked")?
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
        let email = EmailAddress::parse("alice@example.com").unwrap();
        let password = NewPassword::parse("walnut galaxy hinge".to_owned(), &email).unwrap();
        let stored = hash_password(&password).await.unwrap();
        assert!(stored.starts_with("$argon2id$v=19$"), "{stored}");
        assert!(
            verify_password(Some(stored.clone()), "walnut galaxy hinge".into())
                .await
                .unwrap()
        );
        assert!(
            !verify_password(Some(stored), "walnut galaxy hinge ".into())
                .await
                .unwrap()
        );
        assert!(!verify_password(None, "walnut galaxy hinge".into())
            .await
            .unwrap());
    }
}
