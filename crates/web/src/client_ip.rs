//! The client's address: the TCP peer, or the `X-Forwarded-For` entry added by a trusted proxy.
//! The raw address lives only in memory (rate limits); everything stored gets `MaskedIp` (P4).

use std::net::{IpAddr, SocketAddr};

use axum::http::HeaderMap;

/// Proxies whose `X-Forwarded-For` is believed: single addresses or CIDR ranges.
#[derive(Debug, Clone, Default)]
pub struct TrustedProxies(Vec<(IpAddr, u8)>);

impl std::str::FromStr for TrustedProxies {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let mut nets = Vec::new();
        for part in s.split(',').map(str::trim).filter(|p| !p.is_empty()) {
            let (addr, bits) = match part.split_once('/') {
                Some((a, b)) => (a, Some(b)),
                None => (part, None),
            };
            let addr: IpAddr = addr
                .parse()
                .map_err(|_| format!("{part:?} is not an IP address or CIDR range"))?;
            let max = if addr.is_ipv4() { 32 } else { 128 };
            let bits = match bits {
                Some(b) => b
                    .parse::<u8>()
                    .ok()
                    .filter(|b| *b <= max)
                    .ok_or_else(|| format!("{part:?} has a bad prefix length"))?,
                None => max,
            };
            nets.push((addr, bits));
        }
        Ok(Self(nets))
    }
}

fn in_net(ip: IpAddr, (net, bits): (IpAddr, u8)) -> bool {
    match (ip, net) {
        (IpAddr::V4(a), IpAddr::V4(n)) => {
            let mask = if bits == 0 {
                0
            } else {
                u32::MAX << (32 - u32::from(bits))
            };
            u32::from(a) & mask == u32::from(n) & mask
        }
        (IpAddr::V6(a), IpAddr::V6(n)) => {
            let mask = if bits == 0 {
                0
            } else {
                u128::MAX << (128 - u32::from(bits))
            };
            u128::from(a) & mask == u128::from(n) & mask
        }
        _ => false,
    }
}

impl TrustedProxies {
    pub fn trusts(&self, ip: IpAddr) -> bool {
        self.0.iter().any(|net| in_net(ip, *net))
    }

    /// Walks `X-Forwarded-For` from the right, past our own proxies, to the first address they
    /// did not add themselves.
    pub fn client_ip(&self, peer: SocketAddr, headers: &HeaderMap) -> IpAddr {
        let mut ip = peer.ip();
        if !self.trusts(ip) {
            return ip;
        }
        let hops = headers
            .get_all("x-forwarded-for")
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(','))
            .filter_map(|s| s.trim().parse::<IpAddr>().ok())
            .collect::<Vec<_>>();
        for hop in hops.into_iter().rev() {
            ip = hop;
            if !self.trusts(hop) {
                break;
            }
        }
        ip
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(xff: &str) -> HeaderMap {
        let mut h = HeaderMap::new();
        h.insert("x-forwarded-for", xff.parse().unwrap());
        h
    }

    #[test]
    fn forwarded_for_only_from_trusted_proxies() {
        let none = TrustedProxies::default();
        let peer: SocketAddr = "10.0.0.5:1234".parse().unwrap();
        assert_eq!(
            none.client_ip(peer, &headers("1.2.3.4")),
            "10.0.0.5".parse::<IpAddr>().unwrap()
        );

        let trusted: TrustedProxies = "10.0.0.0/8, ::1".parse().unwrap();
        assert_eq!(
            trusted.client_ip(peer, &headers("6.6.6.6, 1.2.3.4")),
            "1.2.3.4".parse::<IpAddr>().unwrap()
        );
        assert_eq!(
            trusted.client_ip(peer, &headers("1.2.3.4, 10.0.0.9")),
            "1.2.3.4".parse::<IpAddr>().unwrap()
        );
        assert!("10.0.0.0/33".parse::<TrustedProxies>().is_err());
    }
}
