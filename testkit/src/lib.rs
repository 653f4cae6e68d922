//! What every Reclaim test that talks to a real server needs, in one place: the server's
//! black-box tests (`server/tests/api`) and the end-to-end tests (`e2e/`) both use it.
//!
//! - [`TestServer`]: `reclaim_server` in-process on port 0, with a fresh folder (database,
//!   outbox), a configuration blind to `RECLAIM_*` variables in the shell, and [`ALICE`]'s account;
//! - [`Outbox`] and [`Mail`]: the mail the server wrote, parsed with `mailparse`, links found
//!   with `linkify`;
//! - [`http_client`]: the one HTTP client (`reqwest`, plain HTTP);
//! - [`flood_recovery`]: recovery requests by the hundred thousand, pipelined by hand;
//! - [`eventually`]: the one wait for something that happens in the background. Browser state is
//!   waited for through fantoccini's own `wait()`;
//! - [`memory_kib`]: a process's memory as Linux counts it, for the tests and benchmarks that
//!   measure it.

mod flood;
mod outbox;
mod server;

use std::fmt::Display;
use std::future::Future;
use std::time::Duration;

pub use flood::{flood_client, flood_recovery, FloodAnswers};
pub use outbox::{Mail, MailKind, Outbox};
pub use reqwest;
pub use server::{Builder, TestServer, ALICE, ALICE_PASSWORD};

/// How long a test waits for something to happen (mail from a background task, a browser's
/// log) on a busy 2-core machine.
pub const PATIENCE: Duration = Duration::from_secs(15);

/// A memory figure of process `pid` (`"self"` for this one) in KiB, as Linux's
/// `/proc/<pid>/status` gives it under `field` (`"VmRSS"`, resident now; `"VmHWM"`, the peak);
/// `None` off Linux or for a process that has gone.
pub fn memory_kib(pid: &str, field: &str) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    status
        .lines()
        .find_map(|line| line.strip_prefix(field)?.strip_prefix(':'))?
        .trim()
        .trim_end_matches("kB")
        .trim()
        .parse()
        .ok()
}

/// Runs `check` every 20 ms until it gives `Some`, and returns that. Fails with `check`'s own
/// error at once, or after [`PATIENCE`] with "waited … for {what}".
///
/// Waiting for a positive event is also how a test proves something did *not* happen: wait
/// for a later event that could only come after it, then assert the absence.
pub async fn eventually<T, F, Fut>(what: impl Display, mut check: F) -> anyhow::Result<T>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = anyhow::Result<Option<T>>>,
{
    let deadline = tokio::time::Instant::now() + PATIENCE;
    loop {
        if let Some(value) = check().await? {
            return Ok(value);
        }
        anyhow::ensure!(
            tokio::time::Instant::now() < deadline,
            "waited {PATIENCE:?} for {what}"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// A plain-HTTP client that ignores proxy settings in the environment (the servers under test
/// are on 127.0.0.1).
pub fn http_client() -> reqwest::Client {
    reqwest::Client::builder()
        .no_proxy()
        .build()
        .expect("building the HTTP client")
}

/// `application/x-www-form-urlencoded` encoding of one value, byte for byte.
pub fn form_encode(value: &str) -> String {
    value
        .bytes()
        .map(|byte| match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'*' => {
                (byte as char).to_string()
            }
            b' ' => "+".to_owned(),
            other => format!("%{other:02X}"),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    #[test]
    fn form_encoding_keeps_the_bytes() {
        assert_eq!(super::form_encode("a b+c@d.é"), "a+b%2Bc%40d.%C3%A9");
    }

    #[test]
    fn memory_figures_are_read_by_their_whole_name() {
        let resident = super::memory_kib("self", "VmRSS").expect("VmRSS on Linux");
        let peak = super::memory_kib("self", "VmHWM").expect("VmHWM on Linux");
        assert!(
            0 < resident && resident <= peak,
            "resident {resident} KiB, peak {peak} KiB"
        );
        // A prefix of a field's name is not that field.
        assert_eq!(super::memory_kib("self", "VmRS"), None);
        assert_eq!(super::memory_kib("no-such-process", "VmRSS"), None);
    }
}
