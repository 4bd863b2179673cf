//! `--regions all`: the regions enabled for the account, from EC2 `DescribeRegions` (which
//! lists only enabled regions unless asked for all). It is one signed Query-protocol call, made
//! here with `aws-sigv4` and the same HTTP client as code downloads rather than with the EC2
//! SDK crate, whose generated code is the largest of all AWS services to compile.

use std::time::{Duration, SystemTime};

use aws_credential_types::provider::ProvideCredentials;
use aws_sigv4::http_request::{SignableBody, SignableRequest, SigningSettings, sign};
use aws_sigv4::sign::v4;

use crate::CloudSettings;

const BODY: &str = "Action=DescribeRegions&Version=2016-11-15";
const CONTENT_TYPE: &str = "application/x-www-form-urlencoded; charset=utf-8";

/// The enabled regions of the account behind `config`, sorted.
pub(crate) async fn enabled_regions(
    config: &aws_config::SdkConfig,
    settings: &CloudSettings,
) -> Result<Vec<String>, String> {
    let region = config
        .region()
        .map_or(crate::accounts::DEFAULT_REGION, |r| r.as_ref())
        .to_owned();
    let provider = config
        .credentials_provider()
        .ok_or_else(|| "no credentials".to_owned())?;
    let credentials = provider
        .provide_credentials()
        .await
        .map_err(|e| format!("credentials: {e}"))?;
    let url = match &settings.endpoint_url {
        Some(url) => format!("{}/", url.trim_end_matches('/')),
        None => format!("https://ec2.{region}.amazonaws.com/"),
    };
    let timeout = settings.operation_timeout;
    let attempts = settings.max_attempts.max(1);
    tokio::task::spawn_blocking(move || {
        describe_regions(&url, &region, credentials, timeout, attempts)
    })
    .await
    .map_err(|e| format!("DescribeRegions task: {e}"))?
}

fn describe_regions(
    url: &str,
    region: &str,
    credentials: aws_credential_types::Credentials,
    timeout: Duration,
    attempts: u32,
) -> Result<Vec<String>, String> {
    let identity = credentials.into();
    let agent = crate::download::agent(timeout);
    let mut last_error = String::new();
    for attempt in 0..attempts {
        if attempt > 0 {
            std::thread::sleep(Duration::from_millis(200 << attempt.min(5)));
        }
        let params = v4::SigningParams::builder()
            .identity(&identity)
            .region(region)
            .name("ec2")
            .time(SystemTime::now())
            .settings(SigningSettings::default())
            .build()
            .map_err(|e| e.to_string())?
            .into();
        let headers = [("content-type", CONTENT_TYPE)];
        let signable = SignableRequest::new(
            "POST",
            url,
            headers.iter().copied(),
            SignableBody::Bytes(BODY.as_bytes()),
        )
        .map_err(|e| e.to_string())?;
        let (instructions, _) = sign(signable, &params)
            .map_err(|e| e.to_string())?
            .into_parts();
        let mut request = agent.post(url).header("content-type", CONTENT_TYPE);
        for (name, value) in instructions.headers() {
            request = request.header(name, value);
        }
        let mut response = match request.send(BODY) {
            Ok(r) => r,
            Err(e) => {
                last_error = e.to_string();
                continue;
            }
        };
        let status = response.status().as_u16();
        let text = response
            .body_mut()
            .with_config()
            .limit(1 << 20)
            .read_to_string()
            .map_err(|e| e.to_string())?;
        if status == 200 {
            return Ok(region_names(&text));
        }
        last_error = format!("HTTP {status}: {}", error_message(&text));
        if !(status == 429 || status >= 500 || text.contains("Throttling")) {
            break;
        }
    }
    Err(last_error)
}

/// The text of every `<regionName>` element, sorted.
fn region_names(xml: &str) -> Vec<String> {
    let mut out: Vec<String> = xml
        .split("<regionName>")
        .skip(1)
        .filter_map(|rest| {
            rest.split_once("</regionName>")
                .map(|(name, _)| name.trim().to_owned())
        })
        .filter(|name| !name.is_empty())
        .collect();
    out.sort();
    out.dedup();
    out
}

/// `Code: Message` of an EC2 error response, else its first 200 characters.
fn error_message(xml: &str) -> String {
    let tag = |name: &str| {
        xml.split_once(&format!("<{name}>"))
            .and_then(|(_, rest)| rest.split_once(&format!("</{name}>")))
            .map(|(v, _)| v.to_owned())
    };
    match (tag("Code"), tag("Message")) {
        (Some(code), Some(message)) => format!("{code}: {message}"),
        (Some(code), None) => code,
        _ => xml.chars().take(200).collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Region names are read from a DescribeRegions answer; errors keep code and message.
    #[test]
    fn parses_answers() {
        let xml = "<DescribeRegionsResponse><regionInfo><item><regionName>us-east-1</regionName><optInStatus>opt-in-not-required</optInStatus></item><item><regionName>eu-west-1</regionName></item></regionInfo></DescribeRegionsResponse>";
        assert_eq!(region_names(xml), ["eu-west-1", "us-east-1"]);
        let err = "<Response><Errors><Error><Code>AuthFailure</Code><Message>bad key</Message></Error></Errors></Response>";
        assert_eq!(error_message(err), "AuthFailure: bad key");
    }
}
