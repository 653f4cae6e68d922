//! `POST /account/recovery`: latency for existing versus unknown addresses, and throughput.
//!
//! Run with `cargo bench -p reclaim-server --bench recovery_latency`. Starts the server in
//! process on a loopback port with rate limits off, creates some accounts, then:
//! 1. sends the same number of requests for known and unknown addresses, interleaved, one at a
//!    time, and prints the median and 99th percentile of each;
//! 2. runs a fixed number of concurrent clients for a few seconds and prints requests per second.
//!
//! It prints figures and asserts nothing about them: timings depend on the machine. The two
//! latency distributions should be indistinguishable, since the handler does the same work for
//! both and the account lookup happens after the answer.

use std::time::{Duration, Instant};

use clap::Parser;
use reclaim_server::ServeConfig;

const USERS: usize = 20;
const SAMPLES_EACH: usize = 500;
const WARM_UP: usize = 50;
const CLIENTS: usize = 16;
const THROUGHPUT_RUN: Duration = Duration::from_secs(3);

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
    ]);
    let server = reclaim_server::start(config).await.expect("server starts");
    let endpoint = format!("{}/account/recovery", server.url());
    let client = reqwest::Client::builder()
        .no_proxy()
        .build()
        .expect("HTTP client");

    for i in 0..WARM_UP {
        send(&client, &endpoint, &format!("warmup{i}@example.com")).await;
    }

    let mut known_times = Vec::with_capacity(SAMPLES_EACH);
    let mut unknown_times = Vec::with_capacity(SAMPLES_EACH);
    for i in 0..SAMPLES_EACH {
        let known_address = &known[i % USERS];
        let unknown_address = format!("ghost{i}@example.com");
        // Alternate which goes first so neither benefits from the other's warm caches.
        if i.is_multiple_of(2) {
            known_times.push(send(&client, &endpoint, known_address).await);
            unknown_times.push(send(&client, &endpoint, &unknown_address).await);
        } else {
            unknown_times.push(send(&client, &endpoint, &unknown_address).await);
            known_times.push(send(&client, &endpoint, known_address).await);
        }
    }
    println!("POST /account/recovery, {SAMPLES_EACH} known + {SAMPLES_EACH} unknown addresses, interleaved, one client:");
    for (label, times) in [("known", &mut known_times), ("unknown", &mut unknown_times)] {
        times.sort();
        println!(
            "  {label:<8} median {:>8.3} ms   p99 {:>8.3} ms   max {:>8.3} ms",
            millis(percentile(times, 50)),
            millis(percentile(times, 99)),
            millis(*times.last().unwrap()),
        );
    }

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
