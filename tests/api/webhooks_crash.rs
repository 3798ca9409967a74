//! Crash safety of the outbox: a real `recur serve` process commits events and
//! is killed with SIGKILL before it delivered any (its worker is off, so the
//! kill certainly comes first); a new process on the same database delivers
//! every one of them.

use std::net::TcpListener;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::json;

use crate::helpers::{Client, spawn_app_with};
use crate::webhooks::receiver::Receiver;
use crate::webhooks::{START, requests};

/// A `recur serve` child process on `database_url`; killed when dropped.
struct Serve {
    child: Child,
    url: String,
}

impl Serve {
    async fn start(database_url: &str, worker: bool) -> Serve {
        let port = TcpListener::bind("127.0.0.1:0").and_then(|l| l.local_addr()).expect("a free port").port();
        let child = Command::new(env!("CARGO_BIN_EXE_recur"))
            .arg("serve")
            .env("RECUR_CONFIG_DIR", concat!(env!("CARGO_MANIFEST_DIR"), "/config"))
            .env("RECUR_ENV", "test")
            .env("RECUR__DATABASE__URL", database_url)
            .env("RECUR__SERVER__BIND", format!("127.0.0.1:{port}"))
            .env("RECUR__WEBHOOKS__WORKER", worker.to_string())
            .stdout(Stdio::null())
            .spawn()
            .expect("recur serve starts");
        let serve = Serve { child, url: format!("http://127.0.0.1:{port}") };
        let ready = Client::for_url(serve.url.clone(), "");
        let deadline = Instant::now() + Duration::from_secs(30);
        // The request helper expects a listener, so wait for the port first.
        while tokio::net::TcpStream::connect(("127.0.0.1", port)).await.is_err() {
            assert!(Instant::now() < deadline, "recur serve did not listen");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        while ready.get_raw("/ready").await.status != 200 {
            assert!(Instant::now() < deadline, "recur serve did not get ready");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        serve
    }

    /// SIGKILL: no shutdown code runs.
    fn kill(mut self) {
        self.child.kill().expect("SIGKILL");
        self.child.wait().expect("reaped");
    }
}

impl Drop for Serve {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[tokio::test]
async fn events_committed_by_a_killed_process_are_all_delivered_after_a_restart() {
    let test = "events_committed_by_a_killed_process_are_all_delivered_after_a_restart";
    // This process only makes the database, the tenant and the endpoint; it delivers nothing.
    let app = spawn_app_with(|s| s.webhooks.worker = false).await;
    let tenant = app.test_tenant("shop", START).await;
    let local = app.client(&tenant.key);
    let created = local.ok("webhook.create", json!({"DATA": {"URL": "http://127.0.0.1:9/later"}})).await;
    let secret = created["SECRET"].as_str().expect("SECRET");
    let Some(receiver) = Receiver::start(test, secret, &[]) else { return };
    let id = created["WEBHOOK_ID"].clone();
    local.ok("webhook.update", json!({"DATA": {"WEBHOOK_ID": id, "URL": receiver.url("/hook")}})).await;

    let first = Serve::start(&app.database_url, false).await;
    let client = Client::for_url(first.url.clone(), &tenant.key);
    let mut customers = Vec::new();
    for n in 0..20 {
        let c = client.ok("customer.create", json!({"DATA": {"LAST_NAME": format!("K{n}")}})).await;
        customers.push(c["CUSTOMER_ID"].as_i64().expect("id"));
    }
    first.kill();
    assert!(receiver.logged().is_empty(), "nothing was delivered before the kill");

    let _second = Serve::start(&app.database_url, true).await;
    let got = requests(&receiver, customers.len()).await;
    let mut delivered: Vec<i64> = got
        .iter()
        .filter(|r| r["verified"] == true)
        .filter_map(|r| serde_json::from_str::<serde_json::Value>(r["body"].as_str()?).ok())
        .filter_map(|b| b["data"]["object"]["CUSTOMER_ID"].as_i64())
        .collect();
    delivered.sort_unstable();
    delivered.dedup();
    assert_eq!(delivered, customers, "every event arrives after the restart, signed");
}
