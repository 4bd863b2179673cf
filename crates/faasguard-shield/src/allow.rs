//! The outbound allowlist: `host`, `*.suffix`, an address or CIDR, each with an optional
//! `:port`, and the keyword `aws`.

use std::fmt;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// What an entry names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    /// One host name (lower case, without a trailing dot).
    Host(String),
    /// Any name under this suffix (lower case, without the leading `*.`), not the suffix itself.
    Suffix(String),
    /// An address block (a single address is a /32 or /128).
    Net { addr: IpAddr, prefix: u8 },
}

/// One allowlist entry: a target and a port (`None` = any port).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AllowEntry {
    pub target: Target,
    pub port: Option<u16>,
}

/// Why an entry is not valid.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AllowError {
    pub entry: String,
    pub reason: &'static str,
}

impl fmt::Display for AllowError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "outbound allow entry `{}`: {}", self.entry, self.reason)
    }
}

impl std::error::Error for AllowError {}

/// The domains the keyword `aws` stands for (on port 443).
pub const AWS_SUFFIXES: [&str; 3] = ["amazonaws.com", "aws", "api.aws"];

/// An IPv4-mapped IPv6 address as IPv4; any other address unchanged.
pub fn canonical(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(IpAddr::V6(v6), IpAddr::V4),
        v4 @ IpAddr::V4(_) => v4,
    }
}

fn is_host_name(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 253
        && s.split('.').all(|label| {
            !label.is_empty()
                && label.len() <= 63
                && label
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        })
}

fn parse_port(s: &str) -> Option<u16> {
    s.parse::<u16>().ok().filter(|p| *p != 0)
}

fn parse_net(addr: &str, prefix: Option<&str>) -> Option<Target> {
    let addr: IpAddr = addr.parse().ok()?;
    let addr = canonical(addr);
    let max = if addr.is_ipv4() { 32 } else { 128 };
    let prefix = match prefix {
        Some(p) => p.parse::<u8>().ok().filter(|p| *p <= max)?,
        None => max,
    };
    Some(Target::Net { addr, prefix })
}

impl AllowEntry {
    /// Parses one entry; `aws` expands to several, so this returns a list.
    pub fn parse(text: &str) -> Result<Vec<AllowEntry>, AllowError> {
        let err = |reason| AllowError {
            entry: text.to_owned(),
            reason,
        };
        let s = text.trim();
        if s.is_empty() {
            return Err(err("empty"));
        }
        if s.eq_ignore_ascii_case("aws") {
            return Ok(AWS_SUFFIXES
                .iter()
                .map(|d| AllowEntry {
                    target: Target::Suffix((*d).to_owned()),
                    port: Some(443),
                })
                .collect());
        }
        // `[v6]`, `[v6]/n`, with an optional `:port` after.
        if let Some(rest) = s.strip_prefix('[') {
            let (addr, after) = rest.split_once(']').ok_or_else(|| err("missing `]`"))?;
            let (prefix, port) = match after.split_once(':') {
                Some((p, port)) => (p, Some(parse_port(port).ok_or_else(|| err("bad port"))?)),
                None => (after, None),
            };
            let prefix = match prefix {
                "" => None,
                p => Some(
                    p.strip_prefix('/')
                        .ok_or_else(|| err("expected `/prefix` or `:port` after `]`"))?,
                ),
            };
            let target =
                parse_net(addr, prefix).ok_or_else(|| err("not an IPv6 address or prefix"))?;
            return Ok(vec![AllowEntry { target, port }]);
        }
        // A bare IPv6 address or block (several colons): no port.
        if s.matches(':').count() > 1 {
            let (addr, prefix) = match s.split_once('/') {
                Some((a, p)) => (a, Some(p)),
                None => (s, None),
            };
            let target = parse_net(addr, prefix).ok_or_else(|| {
                err("not an IPv6 address or prefix (write [addr]:port for a port)")
            })?;
            return Ok(vec![AllowEntry { target, port: None }]);
        }
        let (base, port) = match s.rsplit_once(':') {
            Some((b, p)) => (b, Some(parse_port(p).ok_or_else(|| err("bad port"))?)),
            None => (s, None),
        };
        let lower = base.to_ascii_lowercase();
        let lower = lower.trim_end_matches('.');
        let target = if let Some(suffix) = lower.strip_prefix("*.") {
            if !is_host_name(suffix) {
                return Err(err("not a domain after `*.`"));
            }
            Target::Suffix(suffix.to_owned())
        } else if lower.bytes().next().is_some_and(|b| b.is_ascii_digit())
            && (lower.contains('/') || lower.parse::<Ipv4Addr>().is_ok())
        {
            let (addr, prefix) = match lower.split_once('/') {
                Some((a, p)) => (a, Some(p)),
                None => (lower, None),
            };
            parse_net(addr, prefix).ok_or_else(|| err("not an IPv4 address or CIDR"))?
        } else if is_host_name(lower) {
            Target::Host(lower.to_owned())
        } else {
            return Err(err("not a host name, `*.suffix`, address, CIDR or `aws`"));
        };
        Ok(vec![AllowEntry { target, port }])
    }

    /// Whether a connection to `ip:port`, whose address was looked up as `host` (if known),
    /// matches this entry.
    pub fn matches(&self, host: Option<&str>, ip: IpAddr, port: u16) -> bool {
        if self.port.is_some_and(|p| p != port) {
            return false;
        }
        match &self.target {
            Target::Host(h) => {
                host.is_some_and(|n| n.trim_end_matches('.').eq_ignore_ascii_case(h))
            }
            Target::Suffix(suffix) => host.is_some_and(|n| {
                let n = n.trim_end_matches('.');
                n.len() > suffix.len() + 1
                    && n[n.len() - suffix.len()..].eq_ignore_ascii_case(suffix)
                    && n.as_bytes()[n.len() - suffix.len() - 1] == b'.'
            }),
            Target::Net { addr, prefix } => in_net(canonical(ip), *addr, *prefix),
        }
    }
}

/// Whether `ip` is inside `net/prefix` (both canonical).
pub fn in_net(ip: IpAddr, net: IpAddr, prefix: u8) -> bool {
    match (ip, net) {
        (IpAddr::V4(ip), IpAddr::V4(net)) => {
            let mask = u32::MAX.checked_shl(32 - u32::from(prefix)).unwrap_or(0);
            u32::from(ip) & mask == u32::from(net) & mask
        }
        (IpAddr::V6(ip), IpAddr::V6(net)) => {
            let mask = u128::MAX.checked_shl(128 - u32::from(prefix)).unwrap_or(0);
            u128::from(ip) & mask == u128::from(net) & mask
        }
        _ => false,
    }
}

impl fmt::Display for AllowEntry {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (&self.target, self.port) {
            (Target::Host(h), None) => write!(f, "{h}"),
            (Target::Host(h), Some(p)) => write!(f, "{h}:{p}"),
            (Target::Suffix(s), None) => write!(f, "*.{s}"),
            (Target::Suffix(s), Some(p)) => write!(f, "*.{s}:{p}"),
            (
                Target::Net {
                    addr: IpAddr::V4(a),
                    prefix,
                },
                port,
            ) => {
                write!(f, "{a}")?;
                if *prefix != 32 {
                    write!(f, "/{prefix}")?;
                }
                port.map_or(Ok(()), |p| write!(f, ":{p}"))
            }
            (
                Target::Net {
                    addr: IpAddr::V6(a),
                    prefix,
                },
                port,
            ) => {
                write!(f, "[{a}]")?;
                if *prefix != 128 {
                    write!(f, "/{prefix}")?;
                }
                port.map_or(Ok(()), |p| write!(f, ":{p}"))
            }
        }
    }
}

/// Entries travel as their text (in the policy file and in `FAASGUARD_SHIELD_EFFECTIVE`).
impl Serialize for AllowEntry {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for AllowEntry {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        let mut entries = AllowEntry::parse(&text).map_err(serde::de::Error::custom)?;
        if entries.len() == 1 {
            Ok(entries.remove(0))
        } else {
            Err(serde::de::Error::custom(format!(
                "`{text}` stands for several entries; expand it first"
            )))
        }
    }
}

/// Loopback: 127.0.0.0/8 and ::1.
pub fn is_loopback(ip: IpAddr) -> bool {
    match canonical(ip) {
        IpAddr::V4(v4) => v4.is_loopback(),
        IpAddr::V6(v6) => v6 == Ipv6Addr::LOCALHOST,
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, reason = "tests")]

    use super::*;

    fn one(text: &str) -> AllowEntry {
        let mut v = AllowEntry::parse(text).unwrap();
        assert_eq!(v.len(), 1, "{text}");
        v.remove(0)
    }

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    /// Every form parses to its target and port, prints back as written, and bad entries say
    /// why.
    #[test]
    fn entry_forms() {
        for (text, shown) in [
            ("api.stripe.com:443", "api.stripe.com:443"),
            ("API.Example.org.", "api.example.org"),
            ("*.example.org", "*.example.org"),
            ("*.example.org:8443", "*.example.org:8443"),
            ("10.0.0.0/8:5432", "10.0.0.0/8:5432"),
            ("192.0.2.7", "192.0.2.7"),
            ("[2001:db8::]/32:443", "[2001:db8::]/32:443"),
            ("[2001:db8::1]:8080", "[2001:db8::1]:8080"),
            ("2001:db8::/48", "[2001:db8::]/48"),
            ("::ffff:192.0.2.1", "192.0.2.1"),
        ] {
            assert_eq!(one(text).to_string(), shown, "{text}");
        }
        let aws = AllowEntry::parse("AWS").unwrap();
        assert_eq!(
            aws.iter().map(ToString::to_string).collect::<Vec<_>>(),
            ["*.amazonaws.com:443", "*.aws:443", "*.api.aws:443"]
        );
        for bad in [
            "",
            "host:0",
            "host:99999",
            "*.",
            "10.0.0.0/33",
            "[::1",
            "[::1]x",
            "bad host",
            "2001:db8::/129",
            "1.2.3.4.5/8",
        ] {
            assert!(AllowEntry::parse(bad).is_err(), "{bad:?} should be refused");
        }
    }

    /// Host entries need the looked-up name, suffixes match below the domain only, CIDRs
    /// match addresses (IPv4-mapped IPv6 as IPv4), and ports restrict.
    #[test]
    fn matching() {
        let host = one("api.stripe.com:443");
        assert!(host.matches(Some("API.stripe.com."), ip("203.0.113.1"), 443));
        assert!(!host.matches(Some("api.stripe.com"), ip("203.0.113.1"), 80));
        assert!(!host.matches(None, ip("203.0.113.1"), 443));
        assert!(!host.matches(Some("evil-api.stripe.com"), ip("203.0.113.1"), 443));
        let suffix = one("*.amazonaws.com");
        assert!(suffix.matches(Some("s3.eu-west-1.amazonaws.com"), ip("52.0.0.1"), 443));
        assert!(!suffix.matches(Some("amazonaws.com"), ip("52.0.0.1"), 443));
        assert!(!suffix.matches(Some("evilamazonaws.com"), ip("52.0.0.1"), 443));
        let net = one("10.0.0.0/8:5432");
        assert!(net.matches(None, ip("10.1.2.3"), 5432));
        assert!(net.matches(None, ip("::ffff:10.1.2.3"), 5432));
        assert!(!net.matches(None, ip("11.0.0.1"), 5432));
        assert!(!net.matches(None, ip("10.1.2.3"), 5433));
        let v6 = one("[2001:db8::]/32");
        assert!(v6.matches(None, ip("2001:db8:ffff::1"), 1));
        assert!(!v6.matches(None, ip("2001:db9::1"), 1));
        assert!(one("0.0.0.0/0").matches(None, ip("198.51.100.1"), 9));
        assert!(is_loopback(ip("127.9.9.9")) && is_loopback(ip("::1")));
        assert!(is_loopback(ip("::ffff:127.0.0.1")) && !is_loopback(ip("10.0.0.1")));
    }

    /// Entries survive a JSON round trip as their text.
    #[test]
    fn json_round_trip() {
        let entries: Vec<AllowEntry> = ["*.example.org:443", "10.0.0.0/8", "[2001:db8::1]:80"]
            .iter()
            .map(|t| one(t))
            .collect();
        let json = serde_json::to_string(&entries).unwrap();
        assert_eq!(
            json,
            r#"["*.example.org:443","10.0.0.0/8","[2001:db8::1]:80"]"#
        );
        let back: Vec<AllowEntry> = serde_json::from_str(&json).unwrap();
        assert_eq!(back, entries);
    }
}
