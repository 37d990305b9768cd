//! A loopback HTTP/1.1 server that answers from a script, for testing the
//! client under faults: throttling, failures, resets, truncated and
//! oversized bodies, slowness. It records every request it saw.
//!
//! It binds 127.0.0.1 only and stops when dropped.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

/// One scripted answer.
#[derive(Debug, Clone)]
pub enum Reply {
    /// A complete response.
    Respond {
        status: u16,
        headers: Vec<(String, String)>,
        body: Vec<u8>,
    },
    /// Headers promising `claimed` bytes, then only `body`, then close.
    Truncated {
        status: u16,
        body: Vec<u8>,
        claimed: usize,
    },
    /// Close the connection without answering.
    Reset,
    /// Wait (real time), then answer.
    Delay(Duration, Box<Reply>),
}

impl Reply {
    pub fn json(status: u16, body: &serde_json::Value) -> Self {
        Reply::Respond {
            status,
            headers: vec![("x-ms-request-id".into(), format!("req-{status}"))],
            body: body.to_string().into_bytes(),
        }
    }

    pub fn with_header(self, name: &str, value: &str) -> Self {
        match self {
            Reply::Respond {
                status,
                mut headers,
                body,
            } => {
                headers.push((name.to_string(), value.to_string()));
                Reply::Respond {
                    status,
                    headers,
                    body,
                }
            }
            other => other,
        }
    }
}

/// What the server saw.
#[derive(Debug, Clone)]
pub struct Seen {
    pub method: String,
    /// Path and query.
    pub target: String,
    /// Header names lower-cased.
    pub headers: Vec<(String, String)>,
}

impl Seen {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }
}

#[derive(Debug, Default)]
struct Script {
    /// Answers in order; the last one repeats when `repeat_last`.
    replies: VecDeque<Reply>,
    repeat_last: bool,
    seen: Vec<Seen>,
}

pub struct FaultServer {
    pub base: String,
    script: Arc<Mutex<Script>>,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for FaultServer {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl FaultServer {
    /// Starts on a random loopback port. With `repeat_last`, the last reply
    /// answers every request after the script runs out.
    pub async fn start(replies: Vec<Reply>, repeat_last: bool) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0")
            .await
            .unwrap_or_else(|e| panic!("bind: {e}"));
        let addr = listener.local_addr().unwrap_or_else(|e| panic!("{e}"));
        let script = Arc::new(Mutex::new(Script {
            replies: replies.into(),
            repeat_last,
            seen: Vec::new(),
        }));
        let shared = script.clone();
        let base = format!("http://{addr}");
        let own = base.clone();
        let task = tokio::spawn(async move {
            loop {
                let Ok((stream, _)) = listener.accept().await else {
                    return;
                };
                let script = shared.clone();
                let base = own.clone();
                tokio::spawn(async move {
                    let _ = serve(stream, script, base).await;
                });
            }
        });
        Self { base, script, task }
    }

    /// Every request seen so far.
    pub fn seen(&self) -> Vec<Seen> {
        self.script
            .lock()
            .map(|s| s.seen.clone())
            .unwrap_or_default()
    }

    pub fn count(&self) -> usize {
        self.seen().len()
    }
}

fn next_reply(script: &Arc<Mutex<Script>>, seen: Seen) -> Reply {
    let Ok(mut s) = script.lock() else {
        return Reply::Reset;
    };
    s.seen.push(seen);
    if s.replies.len() == 1 && s.repeat_last {
        return s.replies.front().cloned().unwrap_or(Reply::Reset);
    }
    s.replies
        .pop_front()
        .unwrap_or_else(|| Reply::json(599, &serde_json::json!({"code": "ScriptExhausted"})))
}

/// Header values may say `{base}` for the server's own URL.
async fn serve(
    mut stream: TcpStream,
    script: Arc<Mutex<Script>>,
    base: String,
) -> std::io::Result<()> {
    let mut buffer = Vec::new();
    loop {
        // Read one request head, then its body.
        let head_end = loop {
            if let Some(i) = buffer.windows(4).position(|w| w == b"\r\n\r\n") {
                break i + 4;
            }
            let mut chunk = [0u8; 4096];
            let n = stream.read(&mut chunk).await?;
            if n == 0 {
                return Ok(());
            }
            buffer.extend_from_slice(&chunk[..n]);
        };
        let head = String::from_utf8_lossy(&buffer[..head_end]).into_owned();
        let mut lines = head.split("\r\n");
        let mut request_line = lines.next().unwrap_or_default().split(' ');
        let method = request_line.next().unwrap_or_default().to_string();
        let target = request_line.next().unwrap_or_default().to_string();
        let headers: Vec<(String, String)> = lines
            .filter_map(|l| l.split_once(':'))
            .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_string()))
            .collect();
        let length: usize = headers
            .iter()
            .find(|(k, _)| k == "content-length")
            .and_then(|(_, v)| v.parse().ok())
            .unwrap_or(0);
        while buffer.len() < head_end + length {
            let mut chunk = [0u8; 4096];
            let n = stream.read(&mut chunk).await?;
            if n == 0 {
                return Ok(());
            }
            buffer.extend_from_slice(&chunk[..n]);
        }
        buffer.drain(..head_end + length);
        let mut reply = next_reply(
            &script,
            Seen {
                method,
                target,
                headers,
            },
        );
        while let Reply::Delay(duration, then) = reply {
            tokio::time::sleep(duration).await;
            reply = *then;
        }
        match reply {
            Reply::Respond {
                status,
                headers,
                body,
            } => {
                let mut out = format!("HTTP/1.1 {status} X\r\ncontent-length: {}\r\n", body.len());
                if !headers
                    .iter()
                    .any(|(k, _)| k.eq_ignore_ascii_case("content-type"))
                {
                    out.push_str("content-type: application/json\r\n");
                }
                for (k, v) in headers {
                    out.push_str(&format!("{k}: {}\r\n", v.replace("{base}", &base)));
                }
                out.push_str("\r\n");
                stream.write_all(out.as_bytes()).await?;
                stream.write_all(&body).await?;
            }
            Reply::Truncated {
                status,
                body,
                claimed,
            } => {
                let out = format!(
                    "HTTP/1.1 {status} X\r\ncontent-length: {claimed}\r\ncontent-type: application/json\r\n\r\n"
                );
                stream.write_all(out.as_bytes()).await?;
                stream.write_all(&body).await?;
                return Ok(());
            }
            Reply::Reset | Reply::Delay(..) => return Ok(()),
        }
    }
}
