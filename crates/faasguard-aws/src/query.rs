//! Signed calls for the few operations faasguard makes outside the Lambda/IAM/STS/Organizations
//! SDK clients: in the AWS Query protocol (form-encoded POST, XML answer) EC2 `DescribeRegions`
//! and CloudWatch `GetMetricData`; in the JSON 1.1 protocol CloudTrail `DescribeTrails`,
//! `GetTrailStatus` and `GetEventSelectors`. The EC2 crate is the largest AWS crate to compile;
//! the current CloudWatch crate speaks only the CBOR protocol, which moto does not serve, while
//! CloudWatch itself still answers the Query protocol; three CloudTrail calls do not pay for a
//! crate. Signing is SigV4 (`aws-sigv4`, already
//! in the SDK's dependency graph); retries back off on throttling and 5xx answers.

use std::fmt::Write as _;
use std::time::{Duration, SystemTime};

use aws_credential_types::provider::ProvideCredentials;
use aws_sigv4::http_request::{SignableBody, SignableRequest, SigningSettings, sign};
use aws_sigv4::sign::v4;

use crate::CloudSettings;

const CONTENT_TYPE: &str = "application/x-www-form-urlencoded; charset=utf-8";
const JSON_CONTENT_TYPE: &str = "application/x-amz-json-1.1";

/// One Query-protocol service as it is called.
#[derive(Debug, Clone)]
pub(crate) struct QueryClient {
    url: String,
    region: String,
    service: &'static str,
    credentials: aws_credential_types::Credentials,
    timeout: Duration,
    attempts: u32,
}

impl QueryClient {
    /// A client of `service` (`ec2`, `monitoring`, `cloudtrail`) in the configuration's region,
    /// with its credentials resolved now.
    pub(crate) async fn new(
        config: &aws_config::SdkConfig,
        settings: &CloudSettings,
        service: &'static str,
    ) -> Result<QueryClient, String> {
        let region = config
            .region()
            .map_or(crate::accounts::DEFAULT_REGION, |r| r.as_ref())
            .to_owned();
        QueryClient::in_region(config, settings, service, &region).await
    }

    /// A client of `service` in `region`.
    pub(crate) async fn in_region(
        config: &aws_config::SdkConfig,
        settings: &CloudSettings,
        service: &'static str,
        region: &str,
    ) -> Result<QueryClient, String> {
        let region = region.to_owned();
        let provider = config
            .credentials_provider()
            .ok_or_else(|| "no credentials".to_owned())?;
        let credentials = provider
            .provide_credentials()
            .await
            .map_err(|e| format!("credentials: {e}"))?;
        let url = match &settings.endpoint_url {
            Some(url) => format!("{}/", url.trim_end_matches('/')),
            None => format!("https://{service}.{region}.amazonaws.com/"),
        };
        Ok(QueryClient {
            url,
            region,
            service,
            credentials,
            timeout: settings.operation_timeout,
            attempts: settings.max_attempts.max(1),
        })
    }

    /// POSTs `body` (already form-encoded, with `Action` and `Version`) and returns the XML
    /// answer of a 200, or `Code: Message` of the last failure.
    pub(crate) async fn call(&self, body: String) -> Result<String, String> {
        let this = self.clone();
        tokio::task::spawn_blocking(move || this.call_blocking(&body, CONTENT_TYPE, None))
            .await
            .map_err(|e| format!("{} call task: {e}", self.service))?
    }

    /// POSTs a JSON 1.1 request (`target` is the `X-Amz-Target` header) and returns the JSON
    /// answer of a 200, or `Type: message` of the last failure.
    pub(crate) async fn call_json(
        &self,
        target: &'static str,
        body: String,
    ) -> Result<String, String> {
        let this = self.clone();
        tokio::task::spawn_blocking(move || {
            this.call_blocking(&body, JSON_CONTENT_TYPE, Some(target))
        })
        .await
        .map_err(|e| format!("{} call task: {e}", self.service))?
    }

    fn call_blocking(
        &self,
        body: &str,
        content_type: &str,
        target: Option<&str>,
    ) -> Result<String, String> {
        let identity = self.credentials.clone().into();
        let agent = crate::download::agent(self.timeout);
        let mut last_error = String::new();
        for attempt in 0..self.attempts {
            if attempt > 0 {
                std::thread::sleep(Duration::from_millis(200 << attempt.min(5)));
            }
            let params = v4::SigningParams::builder()
                .identity(&identity)
                .region(&self.region)
                .name(self.service)
                .time(SystemTime::now())
                .settings(SigningSettings::default())
                .build()
                .map_err(|e| e.to_string())?
                .into();
            let mut headers = vec![("content-type", content_type)];
            if let Some(target) = target {
                headers.push(("x-amz-target", target));
            }
            let signable = SignableRequest::new(
                "POST",
                self.url.as_str(),
                headers.iter().copied(),
                SignableBody::Bytes(body.as_bytes()),
            )
            .map_err(|e| e.to_string())?;
            let (instructions, _) = sign(signable, &params)
                .map_err(|e| e.to_string())?
                .into_parts();
            let mut request = agent.post(&self.url);
            for (name, value) in &headers {
                request = request.header(*name, *value);
            }
            for (name, value) in instructions.headers() {
                request = request.header(name, value);
            }
            let mut response = match request.send(body) {
                Ok(r) => r,
                Err(e) => {
                    last_error = e.to_string();
                    continue;
                }
            };
            let status = response.status().as_u16();
            let text = match response
                .body_mut()
                .with_config()
                .limit(16 << 20)
                .read_to_string()
            {
                Ok(t) => t,
                Err(e) => {
                    last_error = e.to_string();
                    continue;
                }
            };
            if status == 200 {
                return Ok(text);
            }
            last_error = format!("HTTP {status}: {}", error_message(&text));
            if !(status == 429 || status >= 500 || text.contains("Throttl")) {
                break;
            }
        }
        Err(last_error)
    }
}

/// Form-encodes one value (RFC 3986 unreserved characters kept).
pub(crate) fn form_value(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for b in value.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
            out.push(char::from(b));
        } else {
            let _ = write!(out, "%{b:02X}");
        }
    }
    out
}

/// The text of every `<tag>` element in `xml`, in order (XML entities for `&`, `<`, `>`
/// decoded).
pub(crate) fn elements<'a>(xml: &'a str, tag: &str) -> Vec<String> {
    let open = format!("<{tag}>");
    let close = format!("</{tag}>");
    xml.split(open.as_str())
        .skip(1)
        .filter_map(|rest: &'a str| {
            rest.split_once(close.as_str())
                .map(|(v, _)| unescape(v.trim()))
        })
        .collect()
}

fn unescape(text: &str) -> String {
    text.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&apos;", "'")
        .replace("&amp;", "&")
}

/// `Code: Message` of a Query error answer (`__type: message` of a JSON one), else its first
/// 200 characters.
pub(crate) fn error_message(xml: &str) -> String {
    if let Ok(json) = serde_json::from_str::<serde_json::Value>(xml) {
        let field = |k: &str| json.get(k).and_then(|v| v.as_str()).map(str::to_owned);
        let ty = field("__type").map(|t| t.rsplit('#').next().unwrap_or_default().to_owned());
        let message = field("message").or_else(|| field("Message"));
        match (ty, message) {
            (Some(t), Some(m)) => return format!("{t}: {m}"),
            (Some(t), None) => return t,
            _ => {}
        }
    }
    let code = elements(xml, "Code").into_iter().next();
    let message = elements(xml, "Message").into_iter().next();
    match (code, message) {
        (Some(code), Some(message)) => format!("{code}: {message}"),
        (Some(code), None) => code,
        _ => xml.chars().take(200).collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Element texts are found in order and unescaped; error answers keep code and message;
    /// form values are percent-encoded.
    #[test]
    fn xml_and_form() {
        let xml = "<a><regionName>us-east-1</regionName><regionName>eu-west-1</regionName><x>a &amp; b</x></a>";
        assert_eq!(elements(xml, "regionName"), ["us-east-1", "eu-west-1"]);
        assert_eq!(elements(xml, "x"), ["a & b"]);
        let err = "<Response><Errors><Error><Code>AuthFailure</Code><Message>bad key</Message></Error></Errors></Response>";
        assert_eq!(error_message(err), "AuthFailure: bad key");
        let err = r#"{"__type":"com.amazonaws#TrailNotFoundException","message":"no trail"}"#;
        assert_eq!(error_message(err), "TrailNotFoundException: no trail");
        assert_eq!(form_value("a b/c=d"), "a%20b%2Fc%3Dd");
    }
}
