//! A flood of recovery requests, as fast as a few connections carry them: HTTP/1.1 pipelined
//! by hand (an HTTP client library would spend more time than the server), each request for a
//! new address from a new client. The client is named in `X-Forwarded-For`, so the server must
//! trust the flood's own address as a proxy (`--trusted-proxy 127.0.0.1/32`).

use std::collections::BTreeMap;
use std::net::{Ipv4Addr, SocketAddr};

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// Requests written at once on a connection before their answers are read.
const PIPELINED: u64 = 64;

/// How a flood was answered: the count of each status.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FloodAnswers(pub BTreeMap<u16, u64>);

impl FloodAnswers {
    /// How many requests got `status`.
    pub fn of(&self, status: u16) -> u64 {
        self.0.get(&status).copied().unwrap_or(0)
    }

    /// How many requests were answered in all.
    pub fn total(&self) -> u64 {
        self.0.values().sum()
    }
}

/// The client of the `n`-th request: a different IPv4 address for each of the first 16 million.
pub fn flood_client(n: u64) -> Ipv4Addr {
    let [_, a, b, c] = u32::try_from(n % (1 << 24)).unwrap_or(0).to_be_bytes();
    Ipv4Addr::new(10, a, b, c)
}

/// Sends `total` recovery requests to the server at `server` over `connections` connections,
/// request `n` for `flood-<first + n>@example.com` from [`flood_client`]`(first + n)`, and
/// counts the answers. Panics if a connection breaks.
pub async fn flood_recovery(
    server: SocketAddr,
    first: u64,
    total: u64,
    connections: u64,
) -> FloodAnswers {
    let mut floods = tokio::task::JoinSet::new();
    let mut start = first;
    for connection in 0..connections {
        let share = total / connections + u64::from(connection < total % connections);
        floods.spawn(flood_one_connection(server, start, share));
        start += share;
    }
    let mut answers = FloodAnswers::default();
    while let Some(counted) = floods.join_next().await {
        for (status, count) in counted.expect("a flood connection").0 {
            *answers.0.entry(status).or_default() += count;
        }
    }
    answers
}

async fn flood_one_connection(server: SocketAddr, first: u64, total: u64) -> FloodAnswers {
    let mut stream = TcpStream::connect(server).await.expect("connecting");
    let mut answers = FloodAnswers::default();
    let mut unread = Vec::new();
    let mut sent = 0;
    while sent < total {
        let batch = PIPELINED.min(total - sent);
        let mut requests = String::new();
        for n in first + sent..first + sent + batch {
            let body = format!("email=flood-{n}%40example.com");
            requests.push_str(&format!(
                "POST /account/recovery HTTP/1.1\r\nHost: flood\r\n\
                 Content-Type: application/x-www-form-urlencoded\r\n\
                 X-Forwarded-For: {}\r\nContent-Length: {}\r\n\r\n{body}",
                flood_client(n),
                body.len()
            ));
        }
        stream
            .write_all(requests.as_bytes())
            .await
            .expect("sending");
        let mut answered = 0;
        while answered < batch {
            match next_status(&mut unread) {
                Some(status) => {
                    *answers.0.entry(status).or_default() += 1;
                    answered += 1;
                }
                None => {
                    let mut buffer = [0u8; 64 * 1024];
                    let read = stream.read(&mut buffer).await.expect("reading");
                    assert!(read > 0, "the server closed the connection");
                    unread.extend_from_slice(&buffer[..read]);
                }
            }
        }
        sent += batch;
    }
    answers
}

/// Takes one whole response off the front of `unread` and gives its status, or `None` if it
/// has not all arrived yet.
fn next_status(unread: &mut Vec<u8>) -> Option<u16> {
    let head_end = unread.windows(4).position(|w| w == b"\r\n\r\n")? + 4;
    let head = std::str::from_utf8(&unread[..head_end]).expect("an HTTP head");
    let status = head.get(9..12)?.parse().expect("a status code");
    let length: usize = head
        .lines()
        .find_map(|line| {
            let (name, value) = line.split_once(':')?;
            name.eq_ignore_ascii_case("content-length")
                .then(|| value.trim().parse().expect("a length"))
        })
        .unwrap_or(0);
    if unread.len() < head_end + length {
        return None;
    }
    unread.drain(..head_end + length);
    Some(status)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn responses_are_taken_whole_one_at_a_time() {
        let mut unread = b"HTTP/1.1 503 Service Unavailable\r\ncontent-length: 2\r\n\r\n{}HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\n{}"
            .to_vec();
        assert_eq!(next_status(&mut unread), Some(503));
        assert_eq!(
            next_status(&mut unread),
            None,
            "one byte of the body is missing"
        );
        unread.push(b'\n');
        assert_eq!(next_status(&mut unread), Some(200));
        assert!(unread.is_empty());
    }

    #[test]
    fn each_request_has_its_own_client_address() {
        assert_eq!(flood_client(0), Ipv4Addr::new(10, 0, 0, 0));
        assert_eq!(flood_client(65_793), Ipv4Addr::new(10, 1, 1, 1));
        assert_ne!(flood_client(7), flood_client(8));
    }
}
