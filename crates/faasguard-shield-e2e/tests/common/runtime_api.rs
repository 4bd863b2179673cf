//! A fake Lambda Runtime API (the 2018-06-01 interface the runtime clients speak) on
//! `127.0.0.1:0`: it serves scripted invocations on `GET …/invocation/next` with the headers
//! Lambda sends, records every `POST …/invocation/{id}/response`, `…/{id}/error` and
//! `…/init/error`, and holds `/next` once the script is exhausted (the test then kills the
//! runtime). HTTP/1.1 with keep-alive, `Content-Length` or chunked bodies and
//! `Expect: 100-continue`, as curl (inside both clients' native parts) and Node's `http` send.

use std::collections::VecDeque;
use std::fmt::Write as _;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::{Arc, Condvar, Mutex};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

/// One scripted invocation.
#[derive(Debug, Clone)]
pub struct Invocation {
    pub request_id: String,
    pub trace_id: String,
    pub body: String,
}

/// What the runtime posted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PostKind {
    Response,
    Error,
    InitError,
}

#[derive(Debug, Clone)]
pub struct Post {
    pub kind: PostKind,
    /// The request id in the path (`None` for an init error).
    pub request_id: Option<String>,
    pub headers: Vec<(String, String)>,
    pub body: String,
}

#[derive(Debug, Default)]
struct Inner {
    script: VecDeque<Invocation>,
    /// Request ids handed out by `/next`, in order.
    served: Vec<String>,
    posts: Vec<Post>,
    /// Every request line received (method and path).
    requests: Vec<String>,
    shutdown: bool,
}

type Shared = Arc<(Mutex<Inner>, Condvar)>;

/// The running fake API; dropping it releases every held `/next`.
#[derive(Debug)]
pub struct FakeRuntimeApi {
    addr: String,
    shared: Shared,
}

pub const FUNCTION_ARN: &str = "arn:aws:lambda:us-east-1:123456789012:function:faasguard-e2e";

impl FakeRuntimeApi {
    /// Starts the server with `script`; each connection gets a thread.
    pub fn start(script: Vec<Invocation>) -> FakeRuntimeApi {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind the fake Runtime API");
        let addr = listener.local_addr().unwrap().to_string();
        let shared: Shared = Arc::new((
            Mutex::new(Inner {
                script: script.into(),
                ..Inner::default()
            }),
            Condvar::new(),
        ));
        let accept_shared = Arc::clone(&shared);
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                let Ok(stream) = stream else { continue };
                if accept_shared.0.lock().unwrap().shutdown {
                    break;
                }
                let conn_shared = Arc::clone(&accept_shared);
                std::thread::spawn(move || serve(stream, &conn_shared));
            }
        });
        FakeRuntimeApi { addr, shared }
    }

    /// `host:port`, the value of `AWS_LAMBDA_RUNTIME_API`.
    pub fn address(&self) -> &str {
        &self.addr
    }

    /// Waits until `n` posts were recorded, `done()` says to stop (the runtime exited), or
    /// `timeout`; returns the posts so far.
    pub fn wait_posts(
        &self,
        n: usize,
        timeout: Duration,
        mut done: impl FnMut() -> bool,
    ) -> Vec<Post> {
        let end = Instant::now() + timeout;
        let (lock, cv) = &*self.shared;
        let mut inner = lock.lock().unwrap();
        while inner.posts.len() < n && Instant::now() < end && !done() {
            inner = cv
                .wait_timeout(inner, Duration::from_millis(100))
                .unwrap()
                .0;
        }
        inner.posts.clone()
    }

    /// Request ids served by `/next`, in order.
    pub fn served(&self) -> Vec<String> {
        self.shared.0.lock().unwrap().served.clone()
    }

    /// Every request line received.
    pub fn requests(&self) -> Vec<String> {
        self.shared.0.lock().unwrap().requests.clone()
    }
}

impl Drop for FakeRuntimeApi {
    fn drop(&mut self) {
        let (lock, cv) = &*self.shared;
        if let Ok(mut inner) = lock.lock() {
            inner.shutdown = true;
        }
        cv.notify_all();
        // Wake the accept loop so that it sees the shutdown.
        let _ = TcpStream::connect(&self.addr);
    }
}

struct Request {
    method: String,
    path: String,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

fn header<'a>(headers: &'a [(String, String)], name: &str) -> Option<&'a str> {
    headers
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case(name))
        .map(|(_, v)| v.as_str())
}

/// Reads one request; `None` at the end of the connection.
fn read_request(reader: &mut BufReader<TcpStream>) -> Option<Request> {
    let mut line = String::new();
    if reader.read_line(&mut line).ok()? == 0 {
        return None;
    }
    let mut parts = line.split_whitespace();
    let method = parts.next()?.to_owned();
    let path = parts.next()?.to_owned();
    let mut headers = Vec::new();
    loop {
        let mut h = String::new();
        if reader.read_line(&mut h).ok()? == 0 {
            return None;
        }
        let h = h.trim_end();
        if h.is_empty() {
            break;
        }
        if let Some((k, v)) = h.split_once(':') {
            headers.push((k.trim().to_owned(), v.trim().to_owned()));
        }
    }
    if header(&headers, "expect").is_some_and(|v| v.eq_ignore_ascii_case("100-continue")) {
        reader
            .get_mut()
            .write_all(b"HTTP/1.1 100 Continue\r\n\r\n")
            .ok()?;
    }
    let mut body = Vec::new();
    if header(&headers, "transfer-encoding").is_some_and(|v| v.eq_ignore_ascii_case("chunked")) {
        loop {
            let mut size = String::new();
            reader.read_line(&mut size).ok()?;
            let size = usize::from_str_radix(size.trim().split(';').next()?, 16).ok()?;
            let mut chunk = vec![0u8; size + 2];
            reader.read_exact(&mut chunk).ok()?;
            if size == 0 {
                break;
            }
            body.extend_from_slice(&chunk[..size]);
        }
    } else if let Some(len) = header(&headers, "content-length").and_then(|v| v.parse().ok()) {
        body = vec![0u8; len];
        reader.read_exact(&mut body).ok()?;
    }
    Some(Request {
        method,
        path,
        headers,
        body,
    })
}

fn respond(stream: &mut TcpStream, status: &str, headers: &[(&str, String)], body: &str) -> bool {
    let mut out = format!("HTTP/1.1 {status}\r\nContent-Length: {}\r\n", body.len());
    for (k, v) in headers {
        let _ = write!(out, "{k}: {v}\r\n");
    }
    out.push_str("\r\n");
    out.push_str(body);
    stream.write_all(out.as_bytes()).is_ok()
}

const PREFIX: &str = "/2018-06-01/runtime/";

fn serve(stream: TcpStream, shared: &Shared) {
    let Ok(mut writer) = stream.try_clone() else {
        return;
    };
    let mut reader = BufReader::new(stream);
    while let Some(req) = read_request(&mut reader) {
        let (lock, cv) = &**shared;
        lock.lock()
            .unwrap()
            .requests
            .push(format!("{} {}", req.method, req.path));
        let route = req.path.strip_prefix(PREFIX).unwrap_or("");
        let ok = match (req.method.as_str(), route) {
            ("GET", "invocation/next") => {
                let mut inner = lock.lock().unwrap();
                let next = loop {
                    if inner.shutdown {
                        return;
                    }
                    if let Some(inv) = inner.script.pop_front() {
                        break inv;
                    }
                    // Script exhausted: hold the request, as Lambda does between invocations.
                    inner = cv.wait(inner).unwrap();
                };
                inner.served.push(next.request_id.clone());
                drop(inner);
                let deadline = SystemTime::now()
                    .duration_since(UNIX_EPOCH)
                    .unwrap()
                    .as_millis()
                    + 60_000;
                respond(
                    &mut writer,
                    "200 OK",
                    &[
                        ("Content-Type", "application/json".to_owned()),
                        ("Lambda-Runtime-Aws-Request-Id", next.request_id.clone()),
                        ("Lambda-Runtime-Deadline-Ms", deadline.to_string()),
                        (
                            "Lambda-Runtime-Invoked-Function-Arn",
                            FUNCTION_ARN.to_owned(),
                        ),
                        ("Lambda-Runtime-Trace-Id", next.trace_id.clone()),
                    ],
                    &next.body,
                )
            }
            ("POST", "init/error") => {
                record(shared, PostKind::InitError, None, req);
                respond(&mut writer, "202 Accepted", &[], r#"{"status":"OK"}"#)
            }
            ("POST", r) if r.starts_with("invocation/") => {
                let rest = &r["invocation/".len()..];
                let kind = if rest.ends_with("/response") {
                    Some(PostKind::Response)
                } else if rest.ends_with("/error") {
                    Some(PostKind::Error)
                } else {
                    None
                };
                match kind {
                    Some(kind) => {
                        let id = rest.rsplit_once('/').map(|(id, _)| id.to_owned());
                        record(shared, kind, id, req);
                        respond(&mut writer, "202 Accepted", &[], r#"{"status":"OK"}"#)
                    }
                    None => respond(&mut writer, "404 Not Found", &[], "{}"),
                }
            }
            _ => respond(&mut writer, "404 Not Found", &[], "{}"),
        };
        if !ok {
            return;
        }
    }
}

fn record(shared: &Shared, kind: PostKind, request_id: Option<String>, req: Request) {
    let (lock, cv) = &**shared;
    lock.lock().unwrap().posts.push(Post {
        kind,
        request_id,
        headers: req.headers,
        body: String::from_utf8_lossy(&req.body).into_owned(),
    });
    cv.notify_all();
}
