//! Runs `tests/webhook_receiver.py` (the official `standardwebhooks` Python
//! package verifies every signature) as a child process on 127.0.0.1 and
//! reads back its JSON-lines log of the requests it got.
//!
//! Without the package a test fails with an install hint, unless
//! `RECUR_SKIP_WEBHOOK_TOOLS=1`, which turns it into a visible skip.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

/// A running receiver; killed when dropped.
pub struct Receiver {
    child: Child,
    pub port: u16,
    log: PathBuf,
    _dir: tempfile::TempDir,
}

/// Whether the receiver can run; panics with the install hint when it cannot
/// and skipping was not asked for.
pub fn tools_present(test: &str) -> bool {
    let found = Command::new("python3")
        .args(["-c", "import standardwebhooks"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    if found {
        return true;
    }
    let skip = std::env::var("RECUR_SKIP_WEBHOOK_TOOLS").is_ok_and(|v| v == "1");
    assert!(
        skip,
        "python3 with the `standardwebhooks` package is needed: run .ci/install-webhook-tools \
         (pip install standardwebhooks), or set RECUR_SKIP_WEBHOOK_TOOLS=1 to skip"
    );
    eprintln!("SKIPPED {test}: python3 `standardwebhooks` missing (RECUR_SKIP_WEBHOOK_TOOLS=1)");
    false
}

impl Receiver {
    /// Starts a receiver verifying with `secret`; `args` as the script takes them.
    /// `None` when the tools are missing and skipping was asked for.
    pub fn start(test: &str, secret: &str, args: &[&str]) -> Option<Receiver> {
        if !tools_present(test) {
            return None;
        }
        let dir = tempfile::tempdir().expect("temp dir");
        let log = dir.path().join("requests.jsonl");
        let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/webhook_receiver.py");
        let mut child = Command::new("python3")
            .arg(script)
            .args(["--secret", secret, "--log"])
            .arg(&log)
            .args(args)
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("python3 starts");
        let stdout = child.stdout.take().expect("piped stdout");
        let mut line = String::new();
        BufReader::new(stdout).read_line(&mut line).expect("the receiver prints its port");
        let port = line.trim().parse().unwrap_or_else(|_| panic!("a port, got {line:?}"));
        Some(Receiver { child, port, log, _dir: dir })
    }

    /// `http://127.0.0.1:<port><path>`.
    pub fn url(&self, path: &str) -> String {
        format!("http://127.0.0.1:{}{path}", self.port)
    }

    /// The logged requests once there are at least `n` (waits up to 5 s).
    pub fn requests(&self, n: usize) -> Vec<Value> {
        let deadline = Instant::now() + Duration::from_secs(5);
        loop {
            let got = self.logged();
            if got.len() >= n || Instant::now() > deadline {
                return got;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// The requests logged so far. A line the receiver is still writing (no newline yet) is left
    /// for the next look.
    pub fn logged(&self) -> Vec<Value> {
        let text = std::fs::read_to_string(&self.log).unwrap_or_default();
        let complete = text.rfind('\n').map_or("", |end| &text[..end]);
        complete.lines().map(|l| serde_json::from_str(l).expect("a JSON line")).collect()
    }
}

impl Drop for Receiver {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
