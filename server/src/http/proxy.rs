//! The client's address behind trusted reverse proxies (`--trusted-proxy`).
//!
//! Only when the TCP peer is a trusted proxy are `X-Forwarded-For` (or, without it,
//! `Forwarded`) read, and then from the right: each proxy appends the address it saw, so the
//! right-most address that is not itself a trusted proxy is the first one no trusted party
//! vouches beyond. Anything left of it may be forged by the client and is ignored.

use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;

use axum::extract::{ConnectInfo, Request, State};
use axum::http::HeaderMap;
use axum::middleware::Next;
use axum::response::Response;
use ipnet::IpNet;

use crate::domain::Client;

/// The proxies whose forwarding headers are believed.
#[derive(Debug, Clone, Default)]
pub struct TrustedProxies(pub Vec<IpNet>);

impl TrustedProxies {
    fn trusts(&self, ip: IpAddr) -> bool {
        let ip = canonical(ip);
        self.0.iter().any(|net| net.contains(&ip))
    }

    /// The client's address for a request from `peer` with `headers`.
    pub fn client_ip(&self, peer: IpAddr, headers: &HeaderMap) -> IpAddr {
        if !self.trusts(peer) {
            return peer;
        }
        let hops = forwarded_for(headers);
        let mut client = peer;
        for hop in hops.iter().rev() {
            match hop {
                Some(ip) if self.trusts(*ip) => client = *ip,
                Some(ip) => return *ip,
                // An entry that is no address (`unknown`, garbage): nothing left of it can be
                // believed, so the last trusted hop stands for the client.
                None => return client,
            }
        }
        client
    }
}

/// Middleware: puts the resolved [`Client`] into the request's extensions.
pub async fn resolve_client_ip(
    State(proxies): State<Arc<TrustedProxies>>,
    mut request: Request,
    next: Next,
) -> Response {
    if let Some(ConnectInfo(peer)) = request.extensions().get::<ConnectInfo<SocketAddr>>() {
        let ip = proxies.client_ip(canonical(peer.ip()), request.headers());
        request.extensions_mut().insert(Client::of(ip));
    }
    next.run(request).await
}

/// An IPv4 peer on a dual-stack socket arrives as `::ffff:a.b.c.d`.
fn canonical(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(ip, IpAddr::V4),
        v4 => v4,
    }
}

/// The hops of `X-Forwarded-For` (every such header, in order), or else of `Forwarded`'s
/// `for=` parameters; `None` for an entry that is not an address.
fn forwarded_for(headers: &HeaderMap) -> Vec<Option<IpAddr>> {
    let values = |name: &str| -> Vec<String> {
        headers
            .get_all(name)
            .iter()
            .map(|value| String::from_utf8_lossy(value.as_bytes()).into_owned())
            .collect()
    };
    let x_forwarded_for = values("x-forwarded-for");
    if !x_forwarded_for.is_empty() {
        return x_forwarded_for
            .iter()
            .flat_map(|value| value.split(','))
            .map(|hop| parse_node(hop.trim()))
            .collect();
    }
    values("forwarded")
        .iter()
        .flat_map(|value| value.split(','))
        .filter_map(|element| {
            element.split(';').find_map(|pair| {
                let (name, value) = pair.split_once('=')?;
                name.trim()
                    .eq_ignore_ascii_case("for")
                    .then(|| parse_node(value.trim().trim_matches('"')))
            })
        })
        .collect()
}

/// `192.0.2.1`, `192.0.2.1:4711`, `2001:db8::1`, `[2001:db8::1]:4711`.
fn parse_node(node: &str) -> Option<IpAddr> {
    if let Ok(ip) = node.parse::<IpAddr>() {
        return Some(canonical(ip));
    }
    if let Ok(socket) = node.parse::<SocketAddr>() {
        return Some(canonical(socket.ip()));
    }
    node.strip_prefix('[')
        .and_then(|rest| rest.split_once(']'))
        .and_then(|(ip, _)| ip.parse().ok())
        .map(canonical)
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    fn proxies(cidrs: &[&str]) -> TrustedProxies {
        TrustedProxies(cidrs.iter().map(|c| c.parse().unwrap()).collect())
    }

    fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (name, value) in pairs {
            map.append(*name, HeaderValue::from_str(value).unwrap());
        }
        map
    }

    fn ip(text: &str) -> IpAddr {
        text.parse().unwrap()
    }

    #[test]
    fn untrusted_peers_are_their_own_address() {
        let none = proxies(&[]);
        let spoof = headers(&[("x-forwarded-for", "203.0.113.7")]);
        assert_eq!(
            none.client_ip(ip("198.51.100.1"), &spoof),
            ip("198.51.100.1")
        );
        let other = proxies(&["10.0.0.0/8"]);
        assert_eq!(
            other.client_ip(ip("198.51.100.1"), &spoof),
            ip("198.51.100.1")
        );
    }

    #[test]
    fn the_right_most_untrusted_hop_is_the_client() {
        let trusted = proxies(&["10.0.0.0/8", "127.0.0.1/32"]);
        let peer = ip("127.0.0.1");
        let chain = headers(&[("x-forwarded-for", "1.2.3.4, 203.0.113.7, 10.1.1.1")]);
        assert_eq!(trusted.client_ip(peer, &chain), ip("203.0.113.7"));
        // Two headers read as one list.
        let split = headers(&[
            ("x-forwarded-for", "1.2.3.4"),
            ("x-forwarded-for", "203.0.113.8"),
        ]);
        assert_eq!(trusted.client_ip(peer, &split), ip("203.0.113.8"));
        // Only proxies: the left-most proxy stands for the client.
        let internal = headers(&[("x-forwarded-for", "10.2.2.2, 10.1.1.1")]);
        assert_eq!(trusted.client_ip(peer, &internal), ip("10.2.2.2"));
        // Garbage from the client stops the walk.
        let garbage = headers(&[("x-forwarded-for", "203.0.113.9, unknown, 10.1.1.1")]);
        assert_eq!(trusted.client_ip(peer, &garbage), ip("10.1.1.1"));
        // No header: the peer.
        assert_eq!(trusted.client_ip(peer, &HeaderMap::new()), peer);
    }

    #[test]
    fn forwarded_header_and_ports() {
        let trusted = proxies(&["127.0.0.0/8"]);
        let peer = ip("127.0.0.1");
        let forwarded = headers(&[(
            "forwarded",
            r#"for=192.0.2.60;proto=http, For="[2001:db8:cafe::17]:4711";by=127.0.0.1"#,
        )]);
        assert_eq!(trusted.client_ip(peer, &forwarded), ip("2001:db8:cafe::17"));
        let ported = headers(&[("x-forwarded-for", "192.0.2.61:5555")]);
        assert_eq!(trusted.client_ip(peer, &ported), ip("192.0.2.61"));
        let mapped = headers(&[("x-forwarded-for", "::ffff:192.0.2.62")]);
        assert_eq!(trusted.client_ip(peer, &mapped), ip("192.0.2.62"));
    }
}
