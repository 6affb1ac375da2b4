//! Client IP masking (PRIVACY.md P4): the only form of an IP address that may be stored.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

/// An IP address with its host part removed: IPv4 keeps 24 bits, IPv6 keeps 48 bits,
/// IPv4-mapped IPv6 is masked as IPv4.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct MaskedIp(IpAddr);

impl MaskedIp {
    pub fn mask(ip: IpAddr) -> Self {
        // P4: the raw address never leaves this function in any stored form.
        let ip = match ip {
            IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(IpAddr::V6(v6), IpAddr::V4),
            v4 => v4,
        };
        Self(match ip {
            IpAddr::V4(v4) => {
                let [a, b, c, _] = v4.octets();
                IpAddr::V4(Ipv4Addr::new(a, b, c, 0))
            }
            IpAddr::V6(v6) => {
                let s = v6.segments();
                IpAddr::V6(Ipv6Addr::new(s[0], s[1], s[2], 0, 0, 0, 0, 0))
            }
        })
    }

    pub fn addr(self) -> IpAddr {
        self.0
    }
}

impl std::fmt::Display for MaskedIp {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.fmt(f)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn masked(s: &str) -> String {
        MaskedIp::mask(s.parse().unwrap()).to_string()
    }

    #[test]
    fn p4_masks_as_the_policy_says() {
        assert_eq!(masked("8.8.4.4"), "8.8.4.0");
        assert_eq!(masked("2001:4860:4860::8844"), "2001:4860:4860::");
        assert_eq!(masked("::ffff:192.0.2.77"), "192.0.2.0");
        assert_eq!(masked("127.0.0.1"), "127.0.0.0");
        assert_eq!(masked("::1"), "::");
    }
}
