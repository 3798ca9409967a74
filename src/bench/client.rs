//! The load client: N keep-alive HTTP/1.1 connections, each a plain
//! `TcpStream` in its own task sending one request at a time (closed loop).
//!
//! Requests completing inside the measured window (after the warm-up) count;
//! their latency, write to last byte read, is kept in integer microseconds.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use super::BenchResult;
use super::http::{self, Response};

/// The JSON body of request `seq` on connection `conn`.
pub type BodyFn = Arc<dyn Fn(usize, u64) -> String + Send + Sync>;

/// What each connection sends.
#[derive(Clone)]
pub enum Requests {
    /// The same bytes every time, built once.
    Fixed(Arc<Vec<u8>>),
    /// A body per request.
    Varying { key: Option<Arc<str>>, body: BodyFn },
    /// A body per request to another path, with a whole `Authorization` value.
    At { path: &'static str, authorization: Arc<str>, body: BodyFn },
}

impl Requests {
    /// One request, prebuilt.
    pub fn fixed(addr: SocketAddr, key: Option<&str>, body: &str) -> Requests {
        Requests::Fixed(Arc::new(http::post_rpc(&addr.to_string(), key, body)))
    }

    /// A body per request from `body(connection, sequence)`.
    pub fn varying(key: Option<&str>, body: impl Fn(usize, u64) -> String + Send + Sync + 'static) -> Requests {
        Requests::Varying { key: key.map(Arc::from), body: Arc::new(body) }
    }

    /// A body per request to `path` with `authorization` (the FastBill endpoint).
    pub fn at(
        path: &'static str,
        authorization: &str,
        body: impl Fn(usize, u64) -> String + Send + Sync + 'static,
    ) -> Requests {
        Requests::At { path, authorization: Arc::from(authorization), body: Arc::new(body) }
    }

    fn build(&self, host: &str, conn: usize, seq: u64) -> std::borrow::Cow<'_, [u8]> {
        match self {
            Requests::Fixed(bytes) => std::borrow::Cow::Borrowed(bytes.as_slice()),
            Requests::Varying { key, body } => {
                std::borrow::Cow::Owned(http::post_rpc(host, key.as_deref(), &body(conn, seq)))
            }
            Requests::At { path, authorization, body } => {
                std::borrow::Cow::Owned(http::post(host, path, Some(authorization), &body(conn, seq)))
            }
        }
    }
}

/// A closed-loop load.
#[derive(Clone)]
pub struct Load {
    /// Where the gateways listen; connection `i` talks to `addrs[i % len]`.
    pub addrs: Vec<SocketAddr>,
    pub connections: usize,
    pub warmup: Duration,
    pub measure: Duration,
    pub requests: Requests,
    /// Longest wait for one response before the scenario fails.
    pub timeout: Duration,
}

/// What a load measured.
#[derive(Debug, Default)]
pub struct Outcome {
    /// Latencies of the successful requests in the window, in microseconds, sorted.
    pub latencies_us: Vec<u32>,
    /// Requests in the window answered with an HTTP error or a JSON-RPC error.
    pub errors: u64,
    /// Connections the server closed (each was reopened).
    pub reconnects: u64,
}

/// Runs `load` and gathers every connection's figures.
pub async fn run(load: Load) -> BenchResult<Outcome> {
    let start = Instant::now();
    let window = (start + load.warmup, start + load.warmup + load.measure);
    let load = Arc::new(load);
    let mut tasks = Vec::with_capacity(load.connections);
    for conn in 0..load.connections {
        let load = load.clone();
        tasks.push(tokio::spawn(async move { drive(&load, conn, window).await }));
    }
    let mut total = Outcome::default();
    for task in tasks {
        let one = task.await??;
        total.latencies_us.extend(one.latencies_us);
        total.errors += one.errors;
        total.reconnects += one.reconnects;
    }
    total.latencies_us.sort_unstable();
    Ok(total)
}

async fn drive(load: &Load, conn: usize, (from, until): (Instant, Instant)) -> BenchResult<Outcome> {
    let addr = *load.addrs.get(conn % load.addrs.len().max(1)).ok_or("a load needs an address")?;
    let host = addr.to_string();
    let mut connection = Connection::open(addr).await?;
    let mut outcome = Outcome::default();
    let mut seq = 0;
    loop {
        let sent = Instant::now();
        if sent >= until {
            return Ok(outcome);
        }
        let request = load.requests.build(&host, conn, seq);
        seq += 1;
        let response = tokio::time::timeout(load.timeout, connection.exchange(&request))
            .await
            .map_err(|_| format!("no response within {:?}", load.timeout))??;
        let done = Instant::now();
        if done >= from && done <= until {
            if response.is_success() {
                let micros = done.duration_since(sent).as_micros();
                outcome.latencies_us.push(u32::try_from(micros).unwrap_or(u32::MAX));
            } else {
                outcome.errors += 1;
            }
        }
        if response.close {
            connection = Connection::open(addr).await?;
            outcome.reconnects += 1;
        }
    }
}

/// Sends one request on a fresh connection and waits up to `timeout` for the answer.
pub async fn once(addr: SocketAddr, request: &[u8], timeout: Duration) -> BenchResult<Response> {
    let mut connection = Connection::open(addr).await?;
    let response = tokio::time::timeout(timeout, connection.exchange(request))
        .await
        .map_err(|_| format!("no response within {timeout:?}"))??;
    Ok(response)
}

/// One keep-alive connection with its read buffer.
struct Connection {
    stream: TcpStream,
    buf: Vec<u8>,
}

impl Connection {
    async fn open(addr: SocketAddr) -> BenchResult<Connection> {
        let stream = TcpStream::connect(addr).await?;
        stream.set_nodelay(true)?;
        Ok(Connection { stream, buf: Vec::with_capacity(16 * 1024) })
    }

    /// Writes one request and reads exactly one response.
    async fn exchange(&mut self, request: &[u8]) -> BenchResult<Response> {
        self.stream.write_all(request).await?;
        loop {
            if let Some((response, used)) = http::parse_response(&self.buf)? {
                self.buf.drain(..used);
                return Ok(response);
            }
            self.buf.reserve(16 * 1024);
            if self.stream.read_buf(&mut self.buf).await? == 0 {
                return Err("the server closed the connection mid-response".into());
            }
        }
    }
}
