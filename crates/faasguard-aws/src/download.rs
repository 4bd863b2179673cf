//! Function package download: the presigned `Code.Location` fetched over HTTPS (or the test
//! server that replaces its host), streamed into memory up to a size bound, and checked against
//! the `CodeSha256` Lambda reports.

use std::io::Read;
use std::time::Duration;

use sha2::{Digest, Sha256};

/// Bounds of one download.
#[derive(Debug, Clone)]
pub struct DownloadSettings {
    /// Packages larger than this are not downloaded (Lambda's own limit for an unzipped
    /// package is 250 MB; a zipped upload is at most 50 MB through the API).
    pub max_bytes: u64,
    /// Time limit of the whole download.
    pub timeout: Duration,
    /// Replace the scheme and host of `Code.Location` with this base URL
    /// (`http://127.0.0.1:PORT`), keeping path and query: for tests against moto, whose
    /// locations name an S3 host it does not serve.
    pub host_override: Option<String>,
}

impl Default for DownloadSettings {
    fn default() -> Self {
        DownloadSettings {
            max_bytes: 256 << 20,
            timeout: Duration::from_mins(5),
            host_override: None,
        }
    }
}

/// Why a package could not be used.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum DownloadError {
    #[error("the download failed: {0}")]
    Http(String),
    #[error("HTTP status {0}")]
    Status(u16),
    #[error("the package is larger than {limit} bytes (not downloaded)")]
    TooLarge { limit: u64 },
    #[error(
        "the downloaded package ({got} bytes) does not match CodeSha256 {expected}: truncated or altered in transit"
    )]
    Digest {
        expected: String,
        actual: String,
        got: usize,
    },
    #[error("bad package URL: {0}")]
    Url(String),
}

/// An HTTP agent with a global time limit, no proxy from the environment, and HTTP errors
/// returned as statuses.
pub(crate) fn agent(timeout: Duration) -> ureq::Agent {
    ureq::Agent::config_builder()
        .timeout_global(Some(timeout))
        .http_status_as_error(false)
        .proxy(None)
        .build()
        .into()
}

/// `url` with its scheme and host replaced by `base` (path and query kept).
pub fn rewrite_host(url: &str, base: &str) -> Result<String, DownloadError> {
    let (_, rest) = url
        .split_once("://")
        .ok_or_else(|| DownloadError::Url("no scheme".into()))?;
    let path = rest.find('/').map_or("/", |i| &rest[i..]);
    Ok(format!("{}{path}", base.trim_end_matches('/')))
}

/// Base64 of the SHA-256 of `bytes`: the form of Lambda's `CodeSha256`.
pub fn sha256_base64(bytes: &[u8]) -> String {
    base64(&Sha256::digest(bytes))
}

fn base64(bytes: &[u8]) -> String {
    const TABLE: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let b = [
            chunk[0],
            *chunk.get(1).unwrap_or(&0),
            *chunk.get(2).unwrap_or(&0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for (i, shift) in [18, 12, 6, 0].into_iter().enumerate() {
            if i <= chunk.len() {
                out.push(char::from(TABLE[((n >> shift) & 63) as usize]));
            } else {
                out.push('=');
            }
        }
    }
    out
}

/// Downloads one package (blocking), streamed into memory up to `settings.max_bytes`, and
/// checks it against `expected_sha256` (base64, as `CodeSha256`) when given.
pub fn download_code(
    location: &str,
    expected_sha256: Option<&str>,
    settings: &DownloadSettings,
) -> Result<Vec<u8>, DownloadError> {
    let url = match &settings.host_override {
        Some(base) => rewrite_host(location, base)?,
        None => location.to_owned(),
    };
    let response = agent(settings.timeout)
        .get(&url)
        .call()
        .map_err(|e| DownloadError::Http(e.to_string()))?;
    let status = response.status().as_u16();
    if status != 200 {
        return Err(DownloadError::Status(status));
    }
    let declared = response
        .headers()
        .get("content-length")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|n| n > settings.max_bytes) {
        return Err(DownloadError::TooLarge {
            limit: settings.max_bytes,
        });
    }
    let mut bytes = Vec::new();
    response
        .into_body()
        .into_reader()
        .take(settings.max_bytes + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| DownloadError::Http(e.to_string()))?;
    if bytes.len() as u64 > settings.max_bytes {
        return Err(DownloadError::TooLarge {
            limit: settings.max_bytes,
        });
    }
    if let Some(expected) = expected_sha256 {
        let actual = sha256_base64(&bytes);
        if actual != expected {
            return Err(DownloadError::Digest {
                expected: expected.to_owned(),
                actual,
                got: bytes.len(),
            });
        }
    }
    Ok(bytes)
}

#[cfg(test)]
#[allow(clippy::unwrap_used, reason = "tests fail loudly")]
mod tests {
    use super::*;

    /// Base64 matches the RFC 4648 test vectors and Lambda's form of an empty package digest.
    #[test]
    fn base64_vectors() {
        assert_eq!(base64(b""), "");
        assert_eq!(base64(b"f"), "Zg==");
        assert_eq!(base64(b"fo"), "Zm8=");
        assert_eq!(base64(b"foobar"), "Zm9vYmFy");
        assert_eq!(
            sha256_base64(b""),
            "47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU="
        );
    }

    /// The host is replaced and the presigned path and query are kept.
    #[test]
    fn rewrites_the_host() {
        let url = "https://awslambda-us-east-1-tasks.s3.us-east-1.amazonaws.com/snapshots/1/fn-abc?X-Amz-Signature=x&a=b";
        assert_eq!(
            rewrite_host(url, "http://127.0.0.1:9000/").unwrap(),
            "http://127.0.0.1:9000/snapshots/1/fn-abc?X-Amz-Signature=x&a=b"
        );
        assert!(rewrite_host("no-scheme", "http://x").is_err());
    }
}
