//! The server under abuse, in figures: memory under a million refused recovery requests,
//! resets during a login flood, and a person's mail while their address is flooded.
//!
//! Run with `cargo bench -p reclaim-server --bench abuse` (`make bench-server`). Each part
//! starts a server in process on a loopback port with the default settings but for what the
//! part names, then:
//! 1. sends 1,000,000 recovery requests, each for a new address from a new client (named in
//!    `X-Forwarded-For` by a trusted local proxy), pipelined on 16 connections, and prints the
//!    answers and the process's resident memory before, at its peak (sampled every 5 ms) and
//!    after;
//! 2. floods logins with wrong passwords from 64 concurrent clients while 20 people reset
//!    their passwords one after another, and prints how many resets were answered 200, their
//!    latency, and how the logins were answered;
//! 3. floods one address from 50 clients (127.0.0.2 and up) with 10 requests each, while its
//!    owner asks for a link from 127.0.0.1 before and after (after `Retry-After` if the whole
//!    server is busy, as the pages do), and prints the mails the address got and whether the
//!    owner's link works.
//!
//! It prints figures and asserts nothing about them (they depend on the machine), except that
//! the person's reset works: a broken server must not produce nice numbers.

use std::net::{IpAddr, Ipv4Addr};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use clap::Parser;
use reclaim_server::{RunningServer, ServeConfig};
use reclaim_testkit::{flood_recovery, Mail, MailKind, Outbox};

const REFUSED_FLOOD: u64 = 1_000_000;
const WARM_UP: u64 = 20_000;
const FLOOD_CONNECTIONS: u64 = 16;
const PEOPLE: usize = 20;
const LOGIN_FLOODERS: usize = 64;
const ATTACKERS: u8 = 50;
const PER_ATTACKER: usize = 10;

fn main() {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("tokio runtime");
    runtime.block_on(async {
        refused_flood_memory().await;
        resets_during_a_login_flood().await;
        mail_during_an_address_flood().await;
    });
}

/// A server on a fresh database in `dir` with the defaults and `flags`, and its outbox.
async fn server(dir: &std::path::Path, flags: &[&str]) -> (RunningServer, Outbox) {
    let database = dir.join("bench.db");
    let outbox = dir.join("outbox");
    let mut args = vec![
        "serve".to_owned(),
        "--addr".to_owned(),
        "127.0.0.1:0".to_owned(),
        "--database".to_owned(),
        database.display().to_string(),
        "--outbox".to_owned(),
        outbox.display().to_string(),
    ];
    args.extend(flags.iter().map(|flag| flag.to_string()));
    let server = reclaim_server::start(ServeConfig::parse_from(args))
        .await
        .expect("server starts");
    (server, Outbox::new(outbox))
}

async fn refused_flood_memory() {
    let dir = tempfile::tempdir().expect("temporary folder");
    let (server, _) = server(dir.path(), &["--trusted-proxy", "127.0.0.1/32"]).await;
    let address = server.local_addr();
    flood_recovery(address, 0, WARM_UP, FLOOD_CONNECTIONS).await;
    let before = resident_kib();
    let sampling = Arc::new(AtomicBool::new(true));
    let sampler = {
        let sampling = Arc::clone(&sampling);
        std::thread::spawn(move || {
            let mut peak = 0;
            while sampling.load(Ordering::Relaxed) {
                peak = peak.max(resident_kib());
                std::thread::sleep(Duration::from_millis(5));
            }
            peak
        })
    };
    let started = Instant::now();
    let answers = flood_recovery(address, WARM_UP, REFUSED_FLOOD, FLOOD_CONNECTIONS).await;
    let elapsed = started.elapsed();
    sampling.store(false, Ordering::Relaxed);
    let peak = sampler.join().expect("sampler");
    let after = resident_kib();
    println!(
        "{REFUSED_FLOOD} recovery requests, each a new address from a new client, in {:.1} s \
         ({:.0}/s), default limits: answers {:?}",
        elapsed.as_secs_f64(),
        REFUSED_FLOOD as f64 / elapsed.as_secs_f64(),
        answers.0,
    );
    println!(
        "  resident memory: {:.1} MiB before, peak {:.1} MiB (+{:.1}), {:.1} MiB after",
        mib(before),
        mib(peak),
        mib(peak.saturating_sub(before)),
        mib(after),
    );
    server.shutdown().await;
}

async fn resets_during_a_login_flood() {
    let dir = tempfile::tempdir().expect("temporary folder");
    let database = dir.path().join("bench.db");
    let people: Vec<String> = (0..PEOPLE)
        .map(|n| format!("person{n}@example.com"))
        .collect();
    for email in &people {
        reclaim_server::add_user(&database, email, "benchmark passphrase")
            .await
            .expect("add user");
    }
    let (server, outbox) = server(
        dir.path(),
        &["--login-per-ip-limit", "0", "--reset-per-ip-limit", "0"],
    )
    .await;
    let base = server.url();
    let client = reclaim_testkit::http_client();
    let mut tokens = Vec::new();
    for email in &people {
        post_form(
            &client,
            &format!("{base}/account/recovery"),
            &email_body(email),
        )
        .await;
        tokens.push(outbox.wait_for_one(MailKind::Reset, email).await.token());
    }

    let flooding = Arc::new(AtomicBool::new(true));
    let refused = Arc::new(AtomicU64::new(0));
    let answered = Arc::new(AtomicU64::new(0));
    let flooders: Vec<_> = (0..LOGIN_FLOODERS)
        .map(|n| {
            let (client, url) = (client.clone(), format!("{base}/account/login"));
            let (flooding, refused, answered) = (
                Arc::clone(&flooding),
                Arc::clone(&refused),
                Arc::clone(&answered),
            );
            tokio::spawn(async move {
                let body = format!("email=nobody{n}%40example.com&password=a+wrong+guess");
                while flooding.load(Ordering::Relaxed) {
                    match post_form(&client, &url, &body).await {
                        503 => refused.fetch_add(1, Ordering::Relaxed),
                        _ => answered.fetch_add(1, Ordering::Relaxed),
                    };
                }
            })
        })
        .collect();
    // Let the flood fill the logins' share first.
    tokio::time::sleep(Duration::from_millis(500)).await;
    let flood_started = Instant::now();
    let mut resets = Vec::new();
    for token in &tokens {
        let started = Instant::now();
        let body = format!("token={token}&new_password=a+brand+new+passphrase");
        let status = post_form(&client, &format!("{base}/account/reset-password"), &body).await;
        resets.push((status, started.elapsed()));
    }
    let flood_time = flood_started.elapsed().as_secs_f64();
    flooding.store(false, Ordering::Relaxed);
    for flooder in flooders {
        flooder.await.expect("login flooder");
    }
    let ok = resets.iter().filter(|(status, _)| *status == 200).count();
    let mut latencies: Vec<Duration> = resets.iter().map(|(_, latency)| *latency).collect();
    latencies.sort();
    println!(
        "{PEOPLE} resets, one after another, during a flood of logins from {LOGIN_FLOODERS} clients:"
    );
    println!(
        "  resets answered 200: {ok} of {PEOPLE} (median {:.0} ms, max {:.0} ms); \
         logins meanwhile: {:.0}/s answered 401, {:.0}/s refused 503",
        millis(latencies[latencies.len() / 2]),
        millis(*latencies.last().expect("resets")),
        answered.load(Ordering::Relaxed) as f64 / flood_time,
        refused.load(Ordering::Relaxed) as f64 / flood_time,
    );
    server.shutdown().await;
}

async fn mail_during_an_address_flood() {
    let dir = tempfile::tempdir().expect("temporary folder");
    let database = dir.path().join("bench.db");
    let person = "person@example.com";
    reclaim_server::add_user(&database, person, "benchmark passphrase")
        .await
        .expect("add user");
    let (server, outbox) = server(dir.path(), &[]).await;
    let url = format!("{}/account/recovery", server.url());
    let own_client = reclaim_testkit::http_client();

    // The person asks first, and holds that link through the flood.
    let own_first = post_form(&own_client, &url, &email_body(person)).await;
    let held = outbox.wait_for_one(MailKind::Reset, person).await;
    let mut attackers = tokio::task::JoinSet::new();
    for n in 0..ATTACKERS {
        let source = IpAddr::V4(Ipv4Addr::new(127, 0, 0, 2 + n));
        let client = reqwest::Client::builder()
            .no_proxy()
            .local_address(source)
            .build()
            .expect("attacker client");
        let url = url.clone();
        attackers.spawn(async move {
            let mut accepted = 0;
            for _ in 0..PER_ATTACKER {
                if post_form(&client, &url, &email_body(person)).await == 200 {
                    accepted += 1;
                }
            }
            accepted
        });
    }
    let mut accepted = 0;
    while let Some(count) = attackers.join_next().await {
        accepted += count.expect("attacker");
    }
    // The owner asks again as the pages let them: after Retry-After when the server is busy.
    let mut own_again = Vec::new();
    loop {
        let response = own_client
            .post(&url)
            .header("content-type", "application/x-www-form-urlencoded")
            .body(email_body(person))
            .send()
            .await
            .expect("request sent");
        own_again.push(response.status().as_u16());
        let wait = response
            .headers()
            .get("retry-after")
            .and_then(|value| value.to_str().ok()?.parse().ok());
        match (response.status().as_u16(), wait) {
            (503, Some(wait)) if own_again.len() < 10 => {
                tokio::time::sleep(Duration::from_secs(wait)).await;
            }
            _ => break,
        }
    }
    // Everything asked so far is handled once a later request's mail is out.
    reclaim_server::add_user(&database, "marker@example.com", "benchmark passphrase")
        .await
        .expect("add user");
    post_form(&own_client, &url, &email_body("marker@example.com")).await;
    let marker = outbox
        .wait_for_one(MailKind::Reset, "marker@example.com")
        .await;
    outbox.wait_for_all_before(&marker).await;
    let mails: Vec<Mail> = outbox.mails_of(MailKind::Reset, person);
    let reset = post_form(
        &own_client,
        &format!("{}/account/reset-password", server.url()),
        &format!("token={}&new_password=a+brand+new+passphrase", held.token()),
    )
    .await;
    assert_eq!(reset, 200, "the person's link was revoked");
    println!(
        "one address flooded from {ATTACKERS} clients, {PER_ATTACKER} requests each \
         ({accepted} answered 200), its owner asking before and after from their own client:"
    );
    println!(
        "  the owner's request before: {own_first}; after: {own_again:?} (503 is the whole \
         server's limit, retried after Retry-After); mails to the address: {} (its daily cap \
         is 10, then one per client holding no live link); the owner's link from before the \
         flood: reset answered {reset}",
        mails.len()
    );
    server.shutdown().await;
}

/// Posts a form; the status.
async fn post_form(client: &reqwest::Client, url: &str, body: &str) -> u16 {
    client
        .post(url)
        .header("content-type", "application/x-www-form-urlencoded")
        .body(body.to_owned())
        .send()
        .await
        .expect("request sent")
        .status()
        .as_u16()
}

fn email_body(email: &str) -> String {
    format!("email={}", reclaim_testkit::form_encode(email))
}

/// The process's resident memory now, in KiB (Linux).
fn resident_kib() -> u64 {
    reclaim_testkit::memory_kib("self", "VmRSS").unwrap_or(0)
}

fn mib(kib: u64) -> f64 {
    kib as f64 / 1024.0
}

fn millis(duration: Duration) -> f64 {
    duration.as_secs_f64() * 1000.0
}
