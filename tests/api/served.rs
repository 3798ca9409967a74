//! Real `recur serve` processes on a test's database, for what only a process
//! can show: signals, crashes, several processes over one database.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use crate::helpers::{Client, TestApp};

/// A running `recur serve` child process.
pub struct Served {
    child: Child,
    pub url: String,
    /// Its log lines (JSON) so far.
    pub log: Arc<Mutex<Vec<String>>>,
}

impl Served {
    /// Starts `recur serve` on `app`'s database with the test configuration
    /// and `env` (`RECUR__...` overrides); waits until it listens.
    pub fn start(app: &TestApp, env: &[(&str, &str)]) -> Served {
        Served::start_on(&app.database_url, env)
    }

    /// Starts `recur serve` on the database at `database_url`, as [`Served::start`] does.
    pub fn start_on(database_url: &str, env: &[(&str, &str)]) -> Served {
        let mut command = Command::new(env!("CARGO_BIN_EXE_recur"));
        command
            .arg("serve")
            .env("RECUR_CONFIG_DIR", concat!(env!("CARGO_MANIFEST_DIR"), "/config"))
            .env("RECUR_ENV", "test")
            .env("RECUR__DATABASE__URL", database_url)
            .env("RECUR__LOG__FORMAT", "json")
            .env("RECUR__LOG__LEVEL", "info")
            .env_remove("RUST_LOG")
            .stdout(Stdio::null())
            .stderr(Stdio::piped());
        for (key, value) in env {
            command.env(key, value);
        }
        let mut child = command.spawn().expect("recur serve starts");
        let stderr = child.stderr.take().expect("piped stderr");
        let log = Arc::new(Mutex::new(Vec::new()));
        let (addr_tx, addr_rx) = std::sync::mpsc::channel();
        let lines = log.clone();
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                if let Some(addr) = listening_addr(&line) {
                    let _ = addr_tx.send(addr);
                }
                lines.lock().expect("log lock").push(line);
            }
        });
        let addr = addr_rx.recv_timeout(Duration::from_secs(60)).unwrap_or_else(|_| {
            panic!("recur serve did not start: {:?}", log.lock().expect("log lock"));
        });
        Served { child, url: format!("http://{addr}"), log }
    }

    /// A JSON-RPC client of this process.
    pub fn client(&self, key: &str) -> Client {
        Client::for_url(self.url.clone(), key)
    }

    /// Sends SIGTERM.
    pub fn terminate(&self) {
        let status = Command::new("kill").args(["-TERM", &self.child.id().to_string()]).status().expect("kill runs");
        assert!(status.success(), "kill -TERM failed");
    }

    /// Kills the process at once (SIGKILL), as a crash or an OOM killer would.
    pub fn crash(mut self) {
        self.child.kill().expect("SIGKILL");
        let _ = self.child.wait();
    }

    /// Waits up to `limit` for the process to exit; its exit code.
    pub fn wait_exit(&mut self, limit: Duration) -> Option<i32> {
        let started = Instant::now();
        while started.elapsed() < limit {
            if let Some(status) = self.child.try_wait().expect("try_wait") {
                return status.code();
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        None
    }

    /// The log lines at level ERROR or WARN.
    pub fn errors(&self) -> Vec<String> {
        let lines = self.log.lock().expect("log lock");
        lines.iter().filter(|l| l.contains("\"ERROR\"") || l.contains("\"WARN\"")).cloned().collect()
    }

    /// True when a log line contains `text`.
    pub fn logged(&self, text: &str) -> bool {
        self.log.lock().expect("log lock").iter().any(|l| l.contains(text))
    }
}

impl Drop for Served {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The address of the "recur gateway listening" JSON log line.
fn listening_addr(line: &str) -> Option<String> {
    let value: serde_json::Value = serde_json::from_str(line).ok()?;
    (value["message"] == "recur gateway listening").then(|| value["addr"].as_str().map(str::to_owned))?
}
