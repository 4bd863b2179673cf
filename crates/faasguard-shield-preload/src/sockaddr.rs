//! `struct sockaddr` bytes to a socket address: only `AF_INET` and `AF_INET6` are outbound
//! destinations (Unix sockets, netlink and the rest are not).

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};

/// The destination in `bytes` (a `sockaddr_in` or `sockaddr_in6`), or `None` for any other
/// family or a short buffer.
pub fn parse(bytes: &[u8]) -> Option<SocketAddr> {
    let family = i32::from(u16::from_ne_bytes([*bytes.first()?, *bytes.get(1)?]));
    let port = u16::from_be_bytes([*bytes.get(2)?, *bytes.get(3)?]);
    if family == libc::AF_INET {
        let octets: [u8; 4] = bytes.get(4..8)?.try_into().ok()?;
        Some(SocketAddr::new(IpAddr::V4(Ipv4Addr::from(octets)), port))
    } else if family == libc::AF_INET6 {
        let octets: [u8; 16] = bytes.get(8..24)?.try_into().ok()?;
        Some(SocketAddr::new(IpAddr::V6(Ipv6Addr::from(octets)), port))
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v4(port: u16, ip: [u8; 4]) -> Vec<u8> {
        let mut b = Vec::new();
        b.extend_from_slice(&u16::try_from(libc::AF_INET).unwrap_or(0).to_ne_bytes());
        b.extend_from_slice(&port.to_be_bytes());
        b.extend_from_slice(&ip);
        b.extend_from_slice(&[0; 8]);
        b
    }

    /// IPv4 and IPv6 addresses and ports are read in network order; other families and short
    /// buffers are not destinations.
    #[test]
    fn parses_inet_families() {
        assert_eq!(
            parse(&v4(8080, [127, 0, 0, 1])),
            Some("127.0.0.1:8080".parse().unwrap_or_else(|_| unreachable!()))
        );
        let mut six = Vec::new();
        six.extend_from_slice(&u16::try_from(libc::AF_INET6).unwrap_or(0).to_ne_bytes());
        six.extend_from_slice(&443u16.to_be_bytes());
        six.extend_from_slice(&[0; 4]);
        six.extend_from_slice(&Ipv6Addr::LOCALHOST.octets());
        six.extend_from_slice(&[0; 4]);
        assert_eq!(
            parse(&six),
            Some(SocketAddr::new(IpAddr::V6(Ipv6Addr::LOCALHOST), 443))
        );
        assert_eq!(parse(&v4(1, [1, 2, 3, 4])[..6]), None);
        let mut unix = v4(0, [0; 4]);
        unix[..2].copy_from_slice(&u16::try_from(libc::AF_UNIX).unwrap_or(0).to_ne_bytes());
        assert_eq!(parse(&unix), None);
        assert_eq!(parse(&[]), None);
    }
}
