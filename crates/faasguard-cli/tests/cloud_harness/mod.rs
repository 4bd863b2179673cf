//! Test harness of the cloud tests: moto server on 127.0.0.1 (one per test binary), seeding
//! through aws-sdk-rust, a code server that answers package downloads (with faults), and a
//! fault-injecting proxy in front of moto. Nothing here ever connects outside 127.0.0.1, and
//! every credential is fake.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    dead_code,
    reason = "test harness: fails loudly"
)]

use std::collections::HashMap;
use std::fmt::Write as _;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, Instant};

use aws_config::{BehaviorVersion, Region};
use aws_sdk_lambda::primitives::Blob;

pub const ACCESS_KEY: &str = "AKIAFAKEFAKEFAKE0000";
pub const SECRET_KEY: &str = "fakesecretfakesecretfakesecret00";
pub const ACCOUNT: &str = "123456789012";

/// A moto server, run under a small `sh` guard that kills it when its standard input closes:
/// the test process holds the write end, so moto stops when the test binary exits, however
/// it exits (statics are never dropped).
pub struct Moto {
    child: Mutex<Child>,
    _guard: Mutex<Option<std::process::ChildStdin>>,
    pub url: String,
}

/// A free TCP port on 127.0.0.1.
pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// The moto server of this test binary (started on first use, with AWS managed policies
/// loaded). Tests keep apart by region; IAM is shared.
pub fn moto() -> &'static Moto {
    static MOTO: OnceLock<Moto> = OnceLock::new();
    MOTO.get_or_init(|| {
        let port = free_port();
        let python = std::env::var("FAASGUARD_TEST_PYTHON").unwrap_or_else(|_| "python3".into());
        let mut child = Command::new("sh")
            .args([
                "-c",
                "\"$0\" -m moto.server -H 127.0.0.1 -p \"$1\" >/dev/null 2>&1 & pid=$!; read _; kill $pid; wait $pid",
                &python,
                &port.to_string(),
            ])
            .env("MOTO_IAM_LOAD_MANAGED_POLICIES", "true")
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start sh for moto server: {e}"));
        let guard = child.stdin.take();
        let url = format!("http://127.0.0.1:{port}");
        let moto = Moto {
            child: Mutex::new(child),
            _guard: Mutex::new(guard),
            url: url.clone(),
        };
        let deadline = Instant::now() + Duration::from_secs(90);
        loop {
            if http_get(&format!("{url}/moto-api/")).is_ok_and(|(status, _)| status == 200) {
                break;
            }
            if let Ok(mut child) = moto.child.lock()
                && let Ok(Some(status)) = child.try_wait()
            {
                panic!("moto server guard exited early: {status}");
            }
            assert!(
                Instant::now() < deadline,
                "moto server did not answer on {url} within 90 s; is it installed? (`{python} -c 'import moto.server'`; scripts/test.sh installs `moto[server]`)"
            );
            std::thread::sleep(Duration::from_millis(200));
        }
        moto
    })
}

/// A plain HTTP/1.1 GET to 127.0.0.1 (status, body).
pub fn http_get(url: &str) -> std::io::Result<(u16, Vec<u8>)> {
    http_request("GET", url, &[], b"")
}

/// A plain HTTP/1.1 request to a 127.0.0.1 URL (refuses any other host).
pub fn http_request(
    method: &str,
    url: &str,
    headers: &[(&str, &str)],
    body: &[u8],
) -> std::io::Result<(u16, Vec<u8>)> {
    let rest = url
        .strip_prefix("http://127.0.0.1:")
        .expect("loopback URLs only");
    let (port, path) = rest
        .split_once('/')
        .map_or((rest, "/".to_owned()), |(p, path)| (p, format!("/{path}")));
    let mut stream = TcpStream::connect(("127.0.0.1", port.parse::<u16>().unwrap()))?;
    stream.set_read_timeout(Some(Duration::from_secs(30)))?;
    let mut head = format!(
        "{method} {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nConnection: close\r\nContent-Length: {}\r\n",
        body.len()
    );
    for (k, v) in headers {
        let _ = write!(head, "{k}: {v}\r\n");
    }
    head.push_str("\r\n");
    stream.write_all(head.as_bytes())?;
    stream.write_all(body)?;
    let mut raw = Vec::new();
    stream.read_to_end(&mut raw)?;
    let split = raw
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .ok_or_else(|| std::io::Error::other("no header end"))?;
    let status_line = String::from_utf8_lossy(&raw[..split]).to_string();
    let status = status_line
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    Ok((status, raw[split + 4..].to_vec()))
}

/// An SDK configuration for `region` on moto, with fake credentials.
pub fn sdk_config(region: &str) -> aws_config::SdkConfig {
    let runtime = runtime();
    runtime.block_on(
        aws_config::defaults(BehaviorVersion::latest())
            .endpoint_url(&moto().url)
            .region(Region::new(region.to_owned()))
            .credentials_provider(aws_sdk_lambda::config::Credentials::new(
                ACCESS_KEY,
                SECRET_KEY,
                None,
                None,
                "faasguard-test",
            ))
            .load(),
    )
}

pub fn runtime() -> &'static tokio::runtime::Runtime {
    static RT: OnceLock<tokio::runtime::Runtime> = OnceLock::new();
    RT.get_or_init(|| {
        tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .unwrap()
    })
}

/// A zip package holding `files` (name, contents).
pub fn zip_of(files: &[(&str, &str)]) -> Vec<u8> {
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    for (name, text) in files {
        zip.start_file(*name, zip::write::SimpleFileOptions::default())
            .unwrap();
        zip.write_all(text.as_bytes()).unwrap();
    }
    zip.finish().unwrap().into_inner()
}

pub const TRUST: &str = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"lambda.amazonaws.com"},"Action":"sts:AssumeRole"}]}"#;

/// Creates an execution role (trust: Lambda) with AWS managed `managed` policies attached and
/// `inline` (name, JSON) policies; returns its ARN.
pub fn create_role(name: &str, managed: &[&str], inline: &[(&str, &str)]) -> String {
    let iam = aws_sdk_iam::Client::new(&sdk_config("us-east-1"));
    runtime().block_on(async {
        let arn = iam
            .create_role()
            .role_name(name)
            .assume_role_policy_document(TRUST)
            .send()
            .await
            .unwrap()
            .role()
            .unwrap()
            .arn()
            .to_owned();
        for policy in managed {
            iam.attach_role_policy()
                .role_name(name)
                .policy_arn(format!("arn:aws:iam::aws:policy/{policy}"))
                .send()
                .await
                .unwrap();
        }
        for (policy, doc) in inline {
            iam.put_role_policy()
                .role_name(name)
                .policy_name(*policy)
                .policy_document(*doc)
                .send()
                .await
                .unwrap();
        }
        arn
    })
}

/// Creates a customer managed policy with `versions` (the last one becomes the default) and
/// returns its ARN.
pub fn create_policy(name: &str, versions: &[&str]) -> String {
    let iam = aws_sdk_iam::Client::new(&sdk_config("us-east-1"));
    runtime().block_on(async {
        let arn = iam
            .create_policy()
            .policy_name(name)
            .policy_document(versions[0])
            .send()
            .await
            .unwrap()
            .policy()
            .unwrap()
            .arn()
            .unwrap()
            .to_owned();
        for doc in &versions[1..] {
            iam.create_policy_version()
                .policy_arn(&arn)
                .policy_document(*doc)
                .set_as_default(true)
                .send()
                .await
                .unwrap();
        }
        arn
    })
}

/// What to create a function with.
#[derive(Default)]
pub struct FnSpec<'a> {
    pub name: &'a str,
    pub runtime: &'a str,
    pub role: &'a str,
    pub zip: Vec<u8>,
    pub env: &'a [(&'a str, &'a str)],
    pub tags: &'a [(&'a str, &'a str)],
    pub layers: Vec<String>,
}

/// Creates a function in `region` and returns its ARN.
pub fn create_function(region: &str, spec: FnSpec<'_>) -> String {
    let lambda = aws_sdk_lambda::Client::new(&sdk_config(region));
    runtime().block_on(async {
        let mut env = aws_sdk_lambda::types::Environment::builder();
        for (k, v) in spec.env {
            env = env.variables(*k, *v);
        }
        let mut req = lambda
            .create_function()
            .function_name(spec.name)
            .runtime(aws_sdk_lambda::types::Runtime::from(spec.runtime))
            .role(spec.role)
            .handler("app.handler")
            .code(
                aws_sdk_lambda::types::FunctionCode::builder()
                    .zip_file(Blob::new(spec.zip))
                    .build(),
            )
            .environment(env.build())
            .set_layers(if spec.layers.is_empty() {
                None
            } else {
                Some(spec.layers)
            });
        for (k, v) in spec.tags {
            req = req.tags(*k, *v);
        }
        req.send().await.unwrap().function_arn().unwrap().to_owned()
    })
}

/// Publishes a layer version in `region` and returns its ARN.
pub fn publish_layer(region: &str, name: &str) -> String {
    publish_layer_zip(region, name, zip_of(&[("python/lib.py", "X = 1\n")]))
}

/// Publishes a layer version holding `zip` in `region` and returns its ARN.
pub fn publish_layer_zip(region: &str, name: &str, zip: Vec<u8>) -> String {
    let lambda = aws_sdk_lambda::Client::new(&sdk_config(region));
    runtime().block_on(async {
        lambda
            .publish_layer_version()
            .layer_name(name)
            .content(
                aws_sdk_lambda::types::LayerVersionContentInput::builder()
                    .zip_file(Blob::new(zip))
                    .build(),
            )
            .compatible_runtimes(aws_sdk_lambda::types::Runtime::Python312)
            .send()
            .await
            .unwrap()
            .layer_version_arn()
            .unwrap()
            .to_owned()
    })
}

/// A public function URL (AuthType NONE, CORS `*`) with its public permission.
pub fn public_url(region: &str, name: &str) {
    let lambda = aws_sdk_lambda::Client::new(&sdk_config(region));
    runtime().block_on(async {
        lambda
            .create_function_url_config()
            .function_name(name)
            .auth_type(aws_sdk_lambda::types::FunctionUrlAuthType::None)
            .cors(
                aws_sdk_lambda::types::Cors::builder()
                    .allow_origins("*")
                    .build(),
            )
            .send()
            .await
            .unwrap();
        lambda
            .add_permission()
            .function_name(name)
            .statement_id("public-url")
            .action("lambda:InvokeFunctionUrl")
            .principal("*")
            .function_url_auth_type(aws_sdk_lambda::types::FunctionUrlAuthType::None)
            .send()
            .await
            .unwrap();
    });
}

/// Reserves `n` concurrent executions (0 = blocked).
pub fn reserve_concurrency(region: &str, name: &str, n: i32) {
    let lambda = aws_sdk_lambda::Client::new(&sdk_config(region));
    runtime().block_on(async {
        lambda
            .put_function_concurrency()
            .function_name(name)
            .reserved_concurrent_executions(n)
            .send()
            .await
            .unwrap();
    });
}

/// Puts one `AWS/Lambda` `Invocations` data point (CloudWatch Query protocol over plain HTTP;
/// moto does not check signatures).
pub fn put_invocations(region: &str, name: &str, timestamp: &str, value: u32) {
    let body = format!(
        "Action=PutMetricData&Version=2010-08-01&Namespace=AWS%2FLambda&MetricData.member.1.MetricName=Invocations&MetricData.member.1.Dimensions.member.1.Name=FunctionName&MetricData.member.1.Dimensions.member.1.Value={name}&MetricData.member.1.Timestamp={timestamp}&MetricData.member.1.Value={value}"
    );
    let auth = format!(
        "AWS4-HMAC-SHA256 Credential={ACCESS_KEY}/20261124/{region}/monitoring/aws4_request, SignedHeaders=host, Signature=0000"
    );
    let (status, answer) = http_request(
        "POST",
        &format!("{}/", moto().url),
        &[
            ("Content-Type", "application/x-www-form-urlencoded"),
            ("Authorization", &auth),
        ],
        body.as_bytes(),
    )
    .unwrap();
    assert_eq!(status, 200, "{}", String::from_utf8_lossy(&answer));
}

/// Creates an S3 bucket (path style over plain HTTP; moto does not check signatures).
pub fn create_bucket(name: &str) {
    let auth = format!(
        "AWS4-HMAC-SHA256 Credential={ACCESS_KEY}/20261124/us-east-1/s3/aws4_request, SignedHeaders=host, Signature=0000"
    );
    let (status, answer) = http_request(
        "PUT",
        &format!("{}/{name}", moto().url),
        &[("Authorization", &auth)],
        b"",
    )
    .unwrap();
    assert_eq!(status, 200, "{}", String::from_utf8_lossy(&answer));
}

/// One CloudTrail call (JSON 1.1 over plain HTTP) in `region`; the answer's JSON.
pub fn cloudtrail(region: &str, operation: &str, body: &serde_json::Value) -> serde_json::Value {
    let auth = format!(
        "AWS4-HMAC-SHA256 Credential={ACCESS_KEY}/20261124/{region}/cloudtrail/aws4_request, SignedHeaders=host, Signature=0000"
    );
    let target = format!("com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101.{operation}");
    let (status, answer) = http_request(
        "POST",
        &format!("{}/", moto().url),
        &[
            ("Content-Type", "application/x-amz-json-1.1"),
            ("X-Amz-Target", &target),
            ("Authorization", &auth),
        ],
        body.to_string().as_bytes(),
    )
    .unwrap();
    assert_eq!(
        status,
        200,
        "{operation}: {}",
        String::from_utf8_lossy(&answer)
    );
    serde_json::from_slice(&answer).unwrap_or(serde_json::Value::Null)
}

/// Creates a single-region trail writing to `bucket`, puts its event selectors (an object with
/// `EventSelectors` and/or `AdvancedEventSelectors`) and starts it when `start`.
pub fn create_trail(
    region: &str,
    name: &str,
    bucket: &str,
    selectors: &serde_json::Value,
    start: bool,
) {
    cloudtrail(
        region,
        "CreateTrail",
        &serde_json::json!({"Name": name, "S3BucketName": bucket}),
    );
    let mut body = serde_json::json!({"TrailName": name});
    if let (Some(b), Some(sel)) = (body.as_object_mut(), selectors.as_object()) {
        b.extend(sel.clone());
    }
    cloudtrail(region, "PutEventSelectors", &body);
    if start {
        cloudtrail(region, "StartLogging", &serde_json::json!({"Name": name}));
    }
}

/// The `Code.Location` path (and query) Lambda gives for a function, for the code server.
pub fn code_path(region: &str, name: &str) -> String {
    let lambda = aws_sdk_lambda::Client::new(&sdk_config(region));
    let location = runtime().block_on(async {
        lambda
            .get_function()
            .function_name(name)
            .send()
            .await
            .unwrap()
            .code()
            .unwrap()
            .location()
            .unwrap()
            .to_owned()
    });
    let rest = location.split_once("://").unwrap().1;
    rest[rest.find('/').unwrap()..].to_owned()
}

/// How the code server answers one path.
#[derive(Clone)]
pub enum Serve {
    /// 200 with these bytes.
    Bytes(Vec<u8>),
    /// Announces the full length, sends half, closes.
    Truncated(Vec<u8>),
}

/// A loopback HTTP server answering package downloads by path; unknown paths get 404.
pub struct CodeServer {
    pub url: String,
    pub hits: Arc<AtomicUsize>,
}

pub fn code_server(routes: HashMap<String, Serve>) -> CodeServer {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let hits = Arc::new(AtomicUsize::new(0));
    let counter = hits.clone();
    let routes = Arc::new(routes);
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            let routes = routes.clone();
            let counter = counter.clone();
            std::thread::spawn(move || {
                let Ok((head, _)) = read_request(&stream) else {
                    return;
                };
                counter.fetch_add(1, Ordering::SeqCst);
                let path = head
                    .lines()
                    .next()
                    .and_then(|l| l.split_whitespace().nth(1))
                    .unwrap_or("/")
                    .to_owned();
                let path = path.split('?').next().unwrap_or("/").to_owned();
                let mut out = &stream;
                match routes.get(&path) {
                    Some(Serve::Bytes(bytes)) => {
                        let _ = write!(
                            out,
                            "HTTP/1.1 200 OK\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                            bytes.len()
                        );
                        let _ = out.write_all(bytes);
                    }
                    Some(Serve::Truncated(bytes)) => {
                        let _ = write!(
                            out,
                            "HTTP/1.1 200 OK\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                            bytes.len()
                        );
                        let _ = out.write_all(&bytes[..bytes.len() / 2]);
                    }
                    None => {
                        let _ = write!(
                            out,
                            "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
                        );
                    }
                }
                let _ = out.flush();
            });
        }
    });
    CodeServer { url, hits }
}

/// Reads one HTTP/1.1 request (head text, body).
fn read_request(stream: &TcpStream) -> std::io::Result<(String, Vec<u8>)> {
    let mut reader = BufReader::new(stream);
    let mut head = String::new();
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line)? == 0 {
            return Err(std::io::Error::other("closed"));
        }
        head.push_str(&line);
        if line == "\r\n" {
            break;
        }
    }
    let length = head
        .lines()
        .find_map(|l| {
            let (k, v) = l.split_once(':')?;
            k.eq_ignore_ascii_case("content-length")
                .then(|| v.trim().parse::<usize>().ok())?
        })
        .unwrap_or(0);
    let mut body = vec![0; length];
    reader.read_exact(&mut body)?;
    Ok((head, body))
}

/// An injected answer: status, content type, body.
pub type Fault = (u16, &'static str, String);

/// A fault decision for one proxied request (request line, head, body): `None` forwards it to
/// moto.
pub type FaultRule = dyn Fn(&str, &str, &[u8]) -> Option<Fault> + Send + Sync;

/// A fault-injecting proxy in front of moto: each request's head and body go to `rule`, which
/// may answer it with an error status and body instead of forwarding.
pub struct Proxy {
    pub url: String,
    pub injected: Arc<AtomicUsize>,
}

pub fn fault_proxy(rule: Box<FaultRule>) -> Proxy {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let injected = Arc::new(AtomicUsize::new(0));
    let counter = injected.clone();
    let rule: Arc<FaultRule> = Arc::from(rule);
    let upstream = moto().url.trim_start_matches("http://").to_owned();
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            let rule = rule.clone();
            let counter = counter.clone();
            let upstream = upstream.clone();
            std::thread::spawn(move || {
                let Ok((head, body)) = read_request(&stream) else {
                    return;
                };
                let request_line = head.lines().next().unwrap_or_default().to_owned();
                let mut out = &stream;
                if let Some((status, content_type, text)) = rule(&request_line, &head, &body) {
                    counter.fetch_add(1, Ordering::SeqCst);
                    let _ = write!(
                        out,
                        "HTTP/1.1 {status} Injected\r\nContent-Type: {content_type}\r\nx-amzn-errortype: {}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{text}",
                        error_type(&text),
                        text.len()
                    );
                    let _ = out.flush();
                    return;
                }
                // Forward with Connection: close, then relay the whole answer.
                let Ok(mut up) = TcpStream::connect(&upstream) else {
                    return;
                };
                let mut forwarded = String::new();
                for line in head.split("\r\n") {
                    let lower = line.to_ascii_lowercase();
                    if lower.starts_with("connection:") || line.is_empty() {
                        continue;
                    }
                    forwarded.push_str(line);
                    forwarded.push_str("\r\n");
                }
                forwarded.push_str("Connection: close\r\n\r\n");
                let _ = up.write_all(forwarded.as_bytes());
                let _ = up.write_all(&body);
                let mut answer = Vec::new();
                let _ = up.read_to_end(&mut answer);
                // Tell the client this connection ends here (moto may not say so), so that it
                // does not send its next request on a socket the proxy is about to close.
                if let Some(split) = answer.windows(4).position(|w| w == b"\r\n\r\n") {
                    let head = String::from_utf8_lossy(&answer[..split]).to_string();
                    let mut rewritten = String::new();
                    for line in head.split("\r\n") {
                        if !line.to_ascii_lowercase().starts_with("connection:") {
                            rewritten.push_str(line);
                            rewritten.push_str("\r\n");
                        }
                    }
                    rewritten.push_str("Connection: close\r\n\r\n");
                    let _ = out.write_all(rewritten.as_bytes());
                    let _ = out.write_all(&answer[split + 4..]);
                } else {
                    let _ = out.write_all(&answer);
                }
                let _ = out.flush();
            });
        }
    });
    Proxy { url, injected }
}

/// The `__type` of an injected JSON error body (for the `x-amzn-errortype` header).
fn error_type(body: &str) -> String {
    serde_json::from_str::<serde_json::Value>(body)
        .ok()
        .and_then(|v| v["__type"].as_str().map(str::to_owned))
        .unwrap_or_default()
}

/// The signing region of a request (from its SigV4 `Authorization` credential scope).
pub fn signing_region(head: &str) -> Option<String> {
    let auth = head
        .lines()
        .find(|l| l.to_ascii_lowercase().starts_with("authorization:"))?;
    let scope = auth.split("Credential=").nth(1)?;
    scope.split('/').nth(2).map(str::to_owned)
}

/// The binary with fake credentials only (no inherited AWS settings, no instance metadata),
/// a fixed date, and no colour.
pub fn faasguard() -> assert_cmd::Command {
    let mut cmd = assert_cmd::cargo::cargo_bin_cmd!("faasguard");
    cmd.env_clear()
        .env("HOME", std::env::temp_dir())
        .env("FAASGUARD_TODAY", "2026-11-24")
        .env("AWS_ACCESS_KEY_ID", ACCESS_KEY)
        .env("AWS_SECRET_ACCESS_KEY", SECRET_KEY)
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .env("AWS_CONFIG_FILE", "/dev/null")
        .env("AWS_SHARED_CREDENTIALS_FILE", "/dev/null");
    cmd
}

/// Seeds one function `name` (Python, with its own role) in another `account`, through
/// credentials assumed into it (moto's STS lets any role ARN be assumed into its account).
pub fn seed_account(account: &str, region: &str, name: &str) {
    let base = sdk_config(region);
    let conf = runtime().block_on(async {
        let provider = aws_config::sts::AssumeRoleProvider::builder(format!(
            "arn:aws:iam::{account}:role/Seeder"
        ))
        .session_name("seed")
        .configure(&base)
        .build()
        .await;
        base.clone()
            .into_builder()
            .credentials_provider(aws_sdk_lambda::config::SharedCredentialsProvider::new(
                provider,
            ))
            .build()
    });
    let iam = aws_sdk_iam::Client::new(&conf);
    let lambda = aws_sdk_lambda::Client::new(&conf);
    runtime().block_on(async {
        let role = iam
            .create_role()
            .role_name(format!("{name}-role"))
            .assume_role_policy_document(TRUST)
            .send()
            .await
            .unwrap()
            .role()
            .unwrap()
            .arn()
            .to_owned();
        lambda
            .create_function()
            .function_name(name)
            .runtime(aws_sdk_lambda::types::Runtime::Python312)
            .role(role)
            .handler("app.handler")
            .code(
                aws_sdk_lambda::types::FunctionCode::builder()
                    .zip_file(aws_sdk_lambda::primitives::Blob::new(zip_of(&[(
                        "app.py", "X=1\n",
                    )])))
                    .build(),
            )
            .send()
            .await
            .unwrap();
    });
}

/// GET or POST a `faasguard serve` API path with a bearer token: (status, JSON body or Null).
/// Status 0 when the server does not answer.
pub fn api(port: u16, method: &str, path: &str, token: &str) -> (u16, serde_json::Value) {
    let auth = format!("Bearer {token}");
    match http_request(
        method,
        &format!("http://127.0.0.1:{port}{path}"),
        &[("Authorization", &auth)],
        b"",
    ) {
        Ok((status, body)) => (
            status,
            serde_json::from_slice(&body).unwrap_or(serde_json::Value::Null),
        ),
        Err(_) => (0, serde_json::Value::Null),
    }
}

/// Polls `check` every 100 ms until it returns Some, or panics after `limit`.
pub fn wait_for<T>(limit: Duration, what: &str, mut check: impl FnMut() -> Option<T>) -> T {
    let start = Instant::now();
    loop {
        if let Some(v) = check() {
            return v;
        }
        assert!(start.elapsed() < limit, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// The function's reserved concurrency through the Lambda API (`None`: unreserved).
pub fn concurrency(region: &str, name: &str) -> Option<i32> {
    let lambda = aws_sdk_lambda::Client::new(&sdk_config(region));
    runtime().block_on(async {
        lambda
            .get_function_concurrency()
            .function_name(name)
            .send()
            .await
            .unwrap()
            .reserved_concurrent_executions()
    })
}
