//! [`Client`]: who sent a request, in the unit that rate limits and reset links are counted
//! per.

use std::fmt;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};
use std::str::FromStr;

/// A client: its IPv4 address, or the /64 of its IPv6 address, which one household or host
/// usually owns whole (and can change the rest of at will). An IPv4 client on a dual-stack
/// socket (`::ffff:a.b.c.d`) is its IPv4 address.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Client(IpAddr);

impl Client {
    /// Stands for the client when the connection's address is not known (a router driven
    /// in-process), and for requests stored before clients were.
    pub const UNKNOWN: Client = Client(IpAddr::V4(Ipv4Addr::UNSPECIFIED));

    /// The client that `ip` belongs to.
    pub fn of(ip: IpAddr) -> Self {
        Self(match ip {
            IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
                Some(v4) => IpAddr::V4(v4),
                None => IpAddr::V6(Ipv6Addr::from(u128::from(v6) & !u128::from(u64::MAX))),
            },
            v4 => v4,
        })
    }
}

/// How a client is stored: `203.0.113.7`, or `2001:db8:1:2::` for an IPv6 /64.
impl fmt::Display for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

impl FromStr for Client {
    type Err = std::net::AddrParseError;

    fn from_str(stored: &str) -> Result<Self, Self::Err> {
        stored.parse().map(Self::of)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn client(ip: &str) -> Client {
        Client::of(ip.parse().unwrap())
    }

    #[test]
    fn ipv6_clients_are_their_slash_64_and_mapped_ipv4_is_ipv4() {
        assert_eq!(
            client("2001:db8:1:2:aaaa::1"),
            client("2001:db8:1:2:bbbb::9")
        );
        assert_ne!(client("2001:db8:1:2::1"), client("2001:db8:1:3::1"));
        assert_eq!(client("::ffff:192.0.2.7"), client("192.0.2.7"));
        assert_ne!(client("192.0.2.7"), client("192.0.2.8"));
    }

    #[test]
    fn stored_text_reads_back_as_the_same_client() {
        for ip in ["203.0.113.7", "2001:db8:1:2:aaaa::1", "::ffff:192.0.2.7"] {
            let stored = client(ip).to_string();
            assert_eq!(stored.parse::<Client>().unwrap(), client(ip), "{stored}");
        }
        assert_eq!(client("2001:db8:1:2:aaaa::1").to_string(), "2001:db8:1:2::");
    }
}
