//! `recur bench --processes N`: N `recur serve` child processes over the
//! run's PostgreSQL database, each on its own port, that the HTTP scenarios
//! spread their connections over (connection `i` talks to process `i % N`).
//!
//! The children are this very binary with the bench's configuration
//! directory and environment, plus the overrides the in-process gateway gets
//! (port 0, no billing schedule, webhook targets on 127.0.0.1 allowed).

use std::io::{BufRead, BufReader};
use std::net::SocketAddr;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use super::BenchResult;

/// Longest wait for a child to listen (it migrates first: a no-op here).
const START_LIMIT: Duration = Duration::from_secs(60);
/// Log lines at WARN or ERROR kept per child for the report.
const KEPT_PROBLEMS: usize = 20;

/// The running children.
pub struct Fleet {
    children: Vec<Child>,
    addrs: Vec<SocketAddr>,
    problems: Vec<Arc<Mutex<Vec<String>>>>,
}

impl Fleet {
    /// Starts `n` processes serving `database_url` and waits until each listens.
    pub fn start(n: usize, config_dir: &Path, database_url: &str) -> BenchResult<Fleet> {
        let exe = std::env::current_exe()?;
        let mut fleet = Fleet { children: Vec::new(), addrs: Vec::new(), problems: Vec::new() };
        for _ in 0..n {
            let mut child = Command::new(&exe)
                .arg("--config-dir")
                .arg(config_dir)
                .arg("serve")
                .env("RECUR__DATABASE__URL", database_url)
                .env("RECUR__SERVER__BIND", "127.0.0.1:0")
                .env("RECUR__SERVER__PUBLIC_URL", "")
                .env("RECUR__BILLING__SCHEDULE_SECONDS", "0")
                .env("RECUR__WEBHOOKS__ALLOW_PRIVATE_TARGETS", "true")
                .env("RECUR__LOG__FORMAT", "json")
                .env("RECUR__LOG__LEVEL", "warn,recur::app=info")
                .env_remove("RUST_LOG")
                .stdin(Stdio::null())
                .stdout(Stdio::null())
                .stderr(Stdio::piped())
                .spawn()?;
            let stderr = child.stderr.take().ok_or("no stderr of the child")?;
            fleet.children.push(child);
            let problems = Arc::new(Mutex::new(Vec::new()));
            let (addr_tx, addr_rx) = std::sync::mpsc::channel();
            let kept = problems.clone();
            // Reads the child's log to its end, so a full pipe never stalls it.
            std::thread::spawn(move || {
                for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                    if let Some(addr) = listening_addr(&line) {
                        let _ = addr_tx.send(addr);
                    } else if line.contains("\"WARN\"") || line.contains("\"ERROR\"") {
                        let mut kept = kept.lock().unwrap_or_else(|e| e.into_inner());
                        if kept.len() < KEPT_PROBLEMS {
                            kept.push(line);
                        }
                    }
                }
            });
            let addr = addr_rx.recv_timeout(START_LIMIT).map_err(|_| "a recur serve child did not start listening")?;
            fleet.addrs.push(addr);
            fleet.problems.push(problems);
        }
        Ok(fleet)
    }

    /// Where the children listen, in start order.
    pub fn addrs(&self) -> &[SocketAddr] {
        &self.addrs
    }

    /// The children's process ids (their memory is part of the figures).
    pub fn pids(&self) -> Vec<u32> {
        self.children.iter().map(Child::id).collect()
    }

    /// WARN and ERROR lines the children logged so far (a few per child).
    pub fn problems(&self) -> Vec<String> {
        self.problems.iter().flat_map(|p| p.lock().map(|l| l.clone()).unwrap_or_default()).collect()
    }

    /// Stops every child: SIGTERM (they finish what they are doing), then
    /// SIGKILL for any still running after `limit`.
    pub fn stop(mut self, limit: Duration) {
        for child in &self.children {
            let _ = Command::new("kill").args(["-TERM", &child.id().to_string()]).status();
        }
        let deadline = std::time::Instant::now() + limit;
        for child in &mut self.children {
            while std::time::Instant::now() < deadline && matches!(child.try_wait(), Ok(None)) {
                std::thread::sleep(Duration::from_millis(20));
            }
        }
    }
}

impl Drop for Fleet {
    fn drop(&mut self) {
        for child in &mut self.children {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

/// The address of the "recur gateway listening" JSON log line.
fn listening_addr(line: &str) -> Option<SocketAddr> {
    let value: serde_json::Value = serde_json::from_str(line).ok()?;
    if value["message"] != "recur gateway listening" {
        return None;
    }
    value["addr"].as_str()?.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_listening_line_gives_the_address() {
        let line = r#"{"timestamp":"x","level":"INFO","message":"recur gateway listening","addr":"127.0.0.1:4100"}"#;
        assert_eq!(listening_addr(line), Some("127.0.0.1:4100".parse().expect("addr")));
        assert_eq!(listening_addr(r#"{"message":"other","addr":"127.0.0.1:1"}"#), None);
        assert_eq!(listening_addr("not json"), None);
    }
}
