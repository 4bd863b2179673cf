//! Checksums embedded in provider token formats.

const BASE62: &[u8; 62] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

/// CRC-32 (IEEE 802.3, reflected polynomial `0xEDB88320`), as used by GitHub token checksums.
pub fn crc32(data: &[u8]) -> u32 {
    let mut crc = 0xFFFF_FFFF_u32;
    for &byte in data {
        crc ^= u32::from(byte);
        for _ in 0..8 {
            let mask = (crc & 1).wrapping_neg();
            crc = (crc >> 1) ^ (0xEDB8_8320 & mask);
        }
    }
    !crc
}

/// The 6-character base62 checksum GitHub appends to the 30 random characters of a
/// `ghp_`/`gho_`/`ghu_`/`ghs_`/`ghr_` token: CRC-32 of those characters, base62, left-padded
/// with `0`.
pub fn github_checksum(random_part: &str) -> String {
    let mut value = crc32(random_part.as_bytes());
    let mut digits = Vec::with_capacity(6);
    while value > 0 {
        digits.push(BASE62[(value % 62) as usize]);
        value /= 62;
    }
    while digits.len() < 6 {
        digits.push(b'0');
    }
    digits.reverse();
    String::from_utf8_lossy(&digits).into_owned()
}

/// Whether a GitHub token (`ghp_` + 30 random + 6 checksum characters) carries a valid checksum.
pub fn github_token_checksum_ok(token: &str) -> bool {
    let Some((_, body)) = token.split_once('_') else {
        return false;
    };
    if body.len() != 36 || !body.is_ascii() {
        return false;
    }
    let (random, check) = body.split_at(30);
    github_checksum(random) == check
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The CRC-32 matches the standard check value for "123456789".
    #[test]
    fn crc32_check_value() {
        assert_eq!(crc32(b"123456789"), 0xCBF4_3926);
    }

    /// A token built with `github_checksum` validates; changing one character breaks it.
    #[test]
    fn github_checksum_round_trip() {
        let random = "FAKEfakeFAKEfakeFAKEfakeFAKE00";
        let token = format!("ghp_{random}{}", github_checksum(random));
        assert!(github_token_checksum_ok(&token));
        let broken = token.replacen("FAKE", "FAKF", 1);
        assert!(!github_token_checksum_ok(&broken));
        assert!(!github_token_checksum_ok("ghp_short"));
    }
}
