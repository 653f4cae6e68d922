//! `POST /account/recovery` latency for existing versus unknown addresses, with and without a
//! flood, throughput, peak memory under a login flood, and the time of a wrong reset code for
//! an account that holds a live code versus an address without an account.
//!
//! Run with `cargo bench -p reclaim-server --bench recovery_latency` (`make bench-server`).
//! Starts the server in process on a loopback port with rate limits off, creates some
//! accounts, then:
//! 1. sends the same number of requests for known and unknown addresses, interleaved, one at a
//!    time, and prints the median and 99th percentile of each; then again while flood clients
//!    on other source addresses (127.0.0.2 and up) post unknown addresses as fast as they can;
//! 2. runs a fixed number of concurrent clients for a few seconds and prints requests per second;
//! 3. sends 100 concurrent logins and prints the process's peak resident memory meanwhile;
//! 4. (before 1, while the recovery worker is idle) sends wrong codes to
//!    `POST /account/reset-password` for accounts that hold a live code (5 each, the fifth of
//!    which spends it, then a new code is mailed) and for addresses without an account (5 each
//!    too), interleaved, and prints the median and 99th percentile of each, over every try and
//!    over the fifth alone.
//!
//! It prints figures and asserts nothing about them: timings depend on the machine. The known
//! and unknown distributions should be indistinguishable, since the handler does the same work
//! (one insert) for both and the account lookup happens after the answer; for codes, the store
//! runs the same lookup and writes one row for both.

use std::net::{IpAddr, Ipv4Addr};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use clap::Parser;
use reclaim_server::ServeConfig;

const USERS: usize = 20;
const SAMPLES_EACH: usize = 500;
/// Fifth wrong codes timed for accounts, and as many for addresses without one: every try is
/// timed five times as often.
const FIFTH_TRIES: usize = 200;
const WARM_UP: usize = 50;
const CLIENTS: usize = 16;
const THROUGHPUT_RUN: Duration = Duration::from_secs(3);
/// Flood clients, each on its own source address.
const FLOODERS: u8 = 16;
const CONCURRENT_LOGINS: usize = 100;

fn main() {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("tokio runtime");
    runtime.block_on(run());
}

async fn run() {
    let dir = tempfile::tempdir().expect("temporary folder");
    let database = dir.path().join("bench.db");
    let outbox = dir.path().join("outbox");
    let known: Vec<String> = (0..USERS).map(|i| format!("user{i}@example.com")).collect();
    for email in &known {
        reclaim_server::add_user(&database, email, "benchmark passphrase")
            .await
            .expect("add user");
    }
    let config = ServeConfig::parse_from([
        "serve",
        "--addr",
        "127.0.0.1:0",
        "--database",
        database.to_str().unwrap(),
        "--outbox",
        outbox.to_str().unwrap(),
        "--recovery-per-email-limit",
        "0",
        "--recovery-per-ip-limit",
        "0",
        "--recovery-per-email-daily-limit",
        "0",
        "--recovery-global-limit",
        "0",
        "--recovery-backlog",
        "1000000",
        "--login-per-ip-limit",
        "0",
        "--reset-per-ip-limit",
        "0",
        // Every one of the 100 logins waits for a hash thread instead of getting a 503, so
        // the memory figure is that of 100 logins handled, not refused.
        "--hash-queue",
        "1000",
    ]);
    let server = reclaim_server::start(config).await.expect("server starts");
    let endpoint = format!("{}/account/recovery", server.url());
    let client = reqwest::Client::builder()
        .no_proxy()
        .build()
        .expect("HTTP client");

    // First, while the process is fresh: the memory figure is then the logins' own.
    login_memory(&client, &server.url(), &known).await;

    for i in 0..WARM_UP {
        send(&client, &endpoint, &format!("warmup{i}@example.com")).await;
    }

    wrong_codes(&client, &server.url(), &outbox, &known).await;

    println!("POST /account/recovery, {SAMPLES_EACH} known + {SAMPLES_EACH} unknown addresses, interleaved, one client:");
    latencies(&client, &endpoint, &known, "quiet").await;

    let flooding = Arc::new(AtomicBool::new(true));
    let flooded = Arc::new(AtomicU64::new(0));
    let flooders: Vec<_> = (0..FLOODERS)
        .map(|n| {
            let source = IpAddr::V4(Ipv4Addr::new(127, 0, 0, 2 + n));
            let client = reqwest::Client::builder()
                .no_proxy()
                .local_address(source)
                .build()
                .expect("flood client");
            let (endpoint, flooding, flooded) = (
                endpoint.clone(),
                Arc::clone(&flooding),
                Arc::clone(&flooded),
            );
            tokio::spawn(async move {
                let mut sent = 0u64;
                while flooding.load(Ordering::Relaxed) {
                    send(&client, &endpoint, &format!("flood{n}-{sent}@example.com")).await;
                    sent += 1;
                    flooded.fetch_add(1, Ordering::Relaxed);
                }
            })
        })
        .collect();
    let flood_started = Instant::now();
    latencies(&client, &endpoint, &known, "flooded").await;
    flooding.store(false, Ordering::Relaxed);
    for flooder in flooders {
        flooder.await.expect("flood client");
    }
    println!(
        "  (the flood: {FLOODERS} clients on 127.0.0.2-{}, {:.0} requests/s of unknown addresses)",
        2 + FLOODERS - 1,
        flooded.load(Ordering::Relaxed) as f64 / flood_started.elapsed().as_secs_f64()
    );

    let started = Instant::now();
    let deadline = started + THROUGHPUT_RUN;
    let clients: Vec<_> = (0..CLIENTS)
        .map(|c| {
            let (client, endpoint, known) = (client.clone(), endpoint.clone(), known.clone());
            tokio::spawn(async move {
                let mut sent = 0usize;
                while Instant::now() < deadline {
                    let address = if sent.is_multiple_of(2) {
                        known[(c + sent) % USERS].clone()
                    } else {
                        format!("ghost{c}-{sent}@example.com")
                    };
                    send(&client, &endpoint, &address).await;
                    sent += 1;
                }
                sent
            })
        })
        .collect();
    let mut total = 0;
    for client in clients {
        total += client.await.expect("client task");
    }
    let elapsed = started.elapsed().as_secs_f64();
    println!(
        "throughput: {CLIENTS} concurrent clients for {elapsed:.1} s: {total} requests, {:.0} requests/s (half known, half unknown)",
        total as f64 / elapsed
    );

    server.shutdown().await;
}

/// Interleaved known and unknown requests from one client; prints median, p99 and max.
async fn latencies(client: &reqwest::Client, endpoint: &str, known: &[String], label: &str) {
    let mut known_times = Vec::with_capacity(SAMPLES_EACH);
    let mut unknown_times = Vec::with_capacity(SAMPLES_EACH);
    for i in 0..SAMPLES_EACH {
        let known_address = &known[i % USERS];
        let unknown_address = format!("ghost-{label}-{i}@example.com");
        // Alternate which goes first so neither benefits from the other's warm caches.
        if i.is_multiple_of(2) {
            known_times.push(send(client, endpoint, known_address).await);
            unknown_times.push(send(client, endpoint, &unknown_address).await);
        } else {
            unknown_times.push(send(client, endpoint, &unknown_address).await);
            known_times.push(send(client, endpoint, known_address).await);
        }
    }
    for (kind, times) in [("known", &mut known_times), ("unknown", &mut unknown_times)] {
        times.sort();
        println!(
            "  {label:<8} {kind:<8} median {:>8.3} ms   p99 {:>8.3} ms   max {:>8.3} ms",
            millis(percentile(times, 50)),
            millis(percentile(times, 99)),
            millis(*times.last().unwrap()),
        );
    }
}

/// The longest the benchmark waits for the mails a round of requests sends.
const MAIL_WAIT: Duration = Duration::from_secs(30);

/// Wrong codes for accounts holding a live code and for addresses without an account,
/// interleaved, one client; prints median, p99 and max of each, for every try and for the
/// fifth alone (the one that spends a code). Each account takes five wrong codes, then is
/// mailed a new code; each address without an account takes five too.
async fn wrong_codes(
    client: &reqwest::Client,
    base: &str,
    outbox: &std::path::Path,
    known: &[String],
) {
    const TRIES: usize = 5;
    let recovery = format!("{base}/account/recovery");
    let reset = format!("{base}/account/reset-password");
    // Every try, and the fifth alone: (accounts, no account) each.
    let mut every_try = (Vec::new(), Vec::new());
    let mut fifth_try = (Vec::new(), Vec::new());
    let mut round = 0;
    while fifth_try.0.len() < FIFTH_TRIES {
        // A live code for every account: its mail in the outbox means its row is committed.
        let mailed = reset_mails(outbox);
        for email in known {
            send(client, &recovery, email).await;
        }
        // Bounded: a mail that never comes (a broken delivery) fails the benchmark, saying
        // why, rather than leaving it waiting forever.
        let deadline = Instant::now() + MAIL_WAIT;
        while reset_mails(outbox) < mailed + known.len() {
            assert!(
                Instant::now() < deadline,
                "{} of {} reset mails reached {} within {MAIL_WAIT:?}",
                reset_mails(outbox) - mailed,
                known.len(),
                outbox.display(),
            );
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
        for (i, email) in known.iter().enumerate() {
            let unknown = format!("ghost-code-{round}-{i}@example.com");
            for try_number in 0..TRIES {
                let (known_time, unknown_time) = if (i + try_number).is_multiple_of(2) {
                    let known_time = send_wrong_code(client, &reset, email).await;
                    (known_time, send_wrong_code(client, &reset, &unknown).await)
                } else {
                    let unknown_time = send_wrong_code(client, &reset, &unknown).await;
                    (send_wrong_code(client, &reset, email).await, unknown_time)
                };
                every_try.0.push(known_time);
                every_try.1.push(unknown_time);
                if try_number == TRIES - 1 {
                    fifth_try.0.push(known_time);
                    fifth_try.1.push(unknown_time);
                }
            }
        }
        round += 1;
    }
    for (which, (known_times, unknown_times)) in [
        ("every try", &mut every_try),
        ("the fifth try", &mut fifth_try),
    ] {
        println!(
            "POST /account/reset-password with a wrong code, {which}: {} for accounts holding a live code + {} for addresses without an account, interleaved, one client:",
            known_times.len(),
            unknown_times.len()
        );
        for (kind, times) in [("account", known_times), ("none", unknown_times)] {
            times.sort();
            println!(
                "  {kind:<8} median {:>8.3} ms   p99 {:>8.3} ms   max {:>8.3} ms",
                millis(percentile(times, 50)),
                millis(percentile(times, 99)),
                millis(*times.last().unwrap()),
            );
        }
    }
}

/// Reset mails in the outbox folder now.
fn reset_mails(outbox: &std::path::Path) -> usize {
    std::fs::read_dir(outbox).map_or(0, |entries| {
        entries
            .filter_map(Result::ok)
            .filter(|entry| {
                let name = entry.file_name();
                let name = name.to_string_lossy();
                name.contains("-reset-") && name.ends_with(".eml")
            })
            .count()
    })
}

/// One reset with a code that is not the account's; panics on anything but 400.
async fn send_wrong_code(client: &reqwest::Client, endpoint: &str, email: &str) -> Duration {
    let started = Instant::now();
    let response = client
        .post(endpoint)
        .header("content-type", "application/x-www-form-urlencoded")
        .body(format!(
            "email={}&code=2222-2222&new_password=another+benchmark+passphrase",
            email.replace('@', "%40")
        ))
        .send()
        .await
        .expect("request sent");
    let status = response.status();
    response.bytes().await.expect("body read");
    let elapsed = started.elapsed();
    assert_eq!(status, reqwest::StatusCode::BAD_REQUEST, "{email}");
    elapsed
}

/// 100 concurrent logins (half known accounts, half unknown, all wrong passwords): the peak
/// resident memory of the whole process meanwhile, as the kernel counts it (VmHWM, reset first
/// where the kernel allows) and as sampled every 2 ms.
async fn login_memory(client: &reqwest::Client, base: &str, known: &[String]) {
    let reset = std::fs::write("/proc/self/clear_refs", "5").is_ok();
    let before = reclaim_testkit::memory_kib("self", "VmRSS");
    let sampling = Arc::new(AtomicBool::new(true));
    let sampler = {
        let sampling = Arc::clone(&sampling);
        std::thread::spawn(move || {
            let mut peak = 0;
            while sampling.load(Ordering::Relaxed) {
                peak = peak.max(reclaim_testkit::memory_kib("self", "VmRSS").unwrap_or(0));
                std::thread::sleep(Duration::from_millis(2));
            }
            peak
        })
    };
    let started = Instant::now();
    let logins: Vec<_> = (0..CONCURRENT_LOGINS)
        .map(|i| {
            let client = client.clone();
            let url = format!("{base}/account/login");
            let email = if i.is_multiple_of(2) {
                known[i % USERS].clone()
            } else {
                format!("nobody{i}@example.com")
            };
            tokio::spawn(async move {
                let response = client
                    .post(url)
                    .header("content-type", "application/x-www-form-urlencoded")
                    .body(format!(
                        "email={}&password=wrong+password",
                        email.replace('@', "%40")
                    ))
                    .send()
                    .await
                    .expect("login sent");
                response.status()
            })
        })
        .collect();
    let mut statuses = std::collections::BTreeMap::new();
    for login in logins {
        *statuses
            .entry(login.await.expect("login task").as_u16())
            .or_insert(0) += 1;
    }
    let elapsed = started.elapsed();
    sampling.store(false, Ordering::Relaxed);
    let sampled_peak = sampler.join().expect("sampler");
    let hwm = reclaim_testkit::memory_kib("self", "VmHWM");
    let mib = |kib: u64| kib as f64 / 1024.0;
    println!(
        "{CONCURRENT_LOGINS} concurrent logins in {:.1} s, answers {statuses:?}:",
        elapsed.as_secs_f64()
    );
    println!(
        "  resident memory before {:.1} MiB, sampled peak {:.1} MiB, kernel peak (VmHWM{}) {:.1} MiB",
        mib(before.unwrap_or(0)),
        mib(sampled_peak),
        if reset { ", reset before the logins" } else { ", whole run" },
        mib(hwm.unwrap_or(0)),
    );
}

/// One request; panics on anything but 200 so a broken server cannot produce nice numbers.
async fn send(client: &reqwest::Client, endpoint: &str, email: &str) -> Duration {
    let started = Instant::now();
    let response = client
        .post(endpoint)
        .header("content-type", "application/x-www-form-urlencoded")
        .body(format!("email={}", email.replace('@', "%40")))
        .send()
        .await
        .expect("request sent");
    let status = response.status();
    response.bytes().await.expect("body read");
    let elapsed = started.elapsed();
    assert_eq!(status, reqwest::StatusCode::OK, "{email}");
    elapsed
}

/// Nearest-rank percentile of sorted samples.
fn percentile(sorted: &[Duration], p: usize) -> Duration {
    let rank = (p * sorted.len()).div_ceil(100).max(1);
    sorted[rank - 1]
}

fn millis(duration: Duration) -> f64 {
    duration.as_secs_f64() * 1000.0
}
