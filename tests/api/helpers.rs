//! `spawn_app()`: a real gateway on 127.0.0.1:0 with a fresh database, and a
//! JSON-RPC client speaking to it over HTTP.
//!
//! SQLite by default (a new file per test); with `RECUR_TEST_DATABASE_URL`
//! set to a PostgreSQL URL, each test gets its own database on that server,
//! dropped again when the test ends.

use std::sync::Arc;

use base64::Engine;
use chrono::{DateTime, Utc};
use http_body_util::{BodyExt, Full};
use hyper_util::client::legacy::Client as HyperClient;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;
use jsonrpsee::core::client::ClientT;
use jsonrpsee::core::traits::ToRpcParams;
use jsonrpsee::http_client::{HeaderMap, HeaderValue, HttpClient, HttpClientBuilder};
use recur::App;
use recur::config::Settings;
use recur::service::AppState;
use recur::service::tenant;
use sea_orm::{ConnectionTrait, Database, Statement};
use serde_json::{Value, json};

/// A running gateway for one test.
pub struct TestApp {
    /// Kept alive for the test's duration.
    _app: App,
    /// The database this gateway uses (a second gateway can share it).
    pub database_url: String,
    pub addr: std::net::SocketAddr,
    pub state: Arc<AppState>,
    _dir: tempfile::TempDir,
    pg: Option<PgDatabase>,
}

struct PgDatabase {
    admin_url: String,
    name: String,
}

/// Settings every test starts from: the real layered configuration
/// (`config/default.toml`, `config/test.toml`, `RECUR__` variables) with only
/// the database chosen per test. `TEST_LOG=debug` (any tracing filter) shows
/// the server's logs.
pub fn test_settings(database_url: String) -> Settings {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("config");
    let mut settings = Settings::load_for(&dir, "test").expect("config/test.toml loads");
    settings.database.url = database_url;
    if let Ok(filter) = std::env::var("TEST_LOG") {
        settings.log.level = if filter == "1" { "debug".into() } else { filter };
    }
    settings
}

/// Starts a gateway on a fresh database.
pub async fn spawn_app() -> TestApp {
    spawn_app_with(|_| {}).await
}

/// Starts a gateway on a fresh database after `adjust` changed the settings.
pub async fn spawn_app_with(adjust: impl FnOnce(&mut Settings)) -> TestApp {
    let dir = tempfile::tempdir().expect("temp dir");
    let (url, pg) = match std::env::var("RECUR_TEST_DATABASE_URL") {
        Ok(admin_url) if !admin_url.is_empty() => {
            let name = format!("recur_t_{}", uuid_like());
            let admin = Database::connect(admin_url.as_str()).await.expect("connect to RECUR_TEST_DATABASE_URL");
            admin
                .execute(Statement::from_string(admin.get_database_backend(), format!("CREATE DATABASE \"{name}\"")))
                .await
                .expect("create test database");
            let _ = admin.close().await;
            let url = replace_database(&admin_url, &name);
            (url, Some(PgDatabase { admin_url, name }))
        }
        _ => (format!("sqlite://{}?mode=rwc", dir.path().join("recur.db").display()), None),
    };
    let mut settings = test_settings(url.clone());
    adjust(&mut settings);
    recur::telemetry::init(&settings.log);
    let app = App::build(settings).await.expect("gateway starts");
    TestApp { addr: app.local_addr(), state: app.state(), database_url: url, _app: app, _dir: dir, pg }
}

fn uuid_like() -> String {
    use rand::Rng;
    let mut rng = rand::thread_rng();
    (0..16).map(|_| char::from(b"0123456789abcdef"[rng.gen_range(0..16)])).collect()
}

fn replace_database(url: &str, name: &str) -> String {
    let (base, query) = match url.split_once('?') {
        Some((b, q)) => (b, format!("?{q}")),
        None => (url, String::new()),
    };
    let without_db = match base.rfind('/') {
        Some(i) if i > "postgres://".len() => &base[..i],
        _ => base,
    };
    format!("{without_db}/{name}{query}")
}

/// A second gateway on the database of `first`, as another process would be.
pub async fn spawn_second(first: &TestApp) -> App {
    let settings = test_settings(first.database_url.clone());
    App::build(settings).await.expect("second gateway starts")
}

impl Drop for TestApp {
    fn drop(&mut self) {
        let Some(pg) = self.pg.take() else { return };
        // Drop needs async work on a runtime of its own; FORCE ends the pool's sessions.
        let _ = std::thread::spawn(move || {
            let Ok(runtime) = tokio::runtime::Runtime::new() else {
                return;
            };
            runtime.block_on(async move {
                if let Ok(admin) = Database::connect(pg.admin_url.as_str()).await {
                    let sql = format!("DROP DATABASE IF EXISTS \"{}\" WITH (FORCE)", pg.name);
                    let _ = admin.execute(Statement::from_string(admin.get_database_backend(), sql)).await;
                    let _ = admin.close().await;
                }
            });
        })
        .join();
    }
}

/// A tenant made for a test, with its admin key.
#[derive(Clone, Debug)]
pub struct TestTenant {
    pub id: i64,
    pub key: String,
}

impl TestApp {
    /// The gateway's base URL.
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// A live tenant with an admin key.
    pub async fn tenant(&self, name: &str) -> TestTenant {
        self.make_tenant(name, false, None).await
    }

    /// A test tenant whose clock starts at `clock` (e.g. "2024-01-31 00:00:00").
    pub async fn test_tenant(&self, name: &str, clock: &str) -> TestTenant {
        let start = recur::rpc::values::datetime(clock).expect("clock literal");
        self.make_tenant(name, true, Some(start)).await
    }

    async fn make_tenant(&self, name: &str, test: bool, clock: Option<DateTime<Utc>>) -> TestTenant {
        let hasher = self.state.keys.hasher();
        let created = tenant::create(&self.state.db.write, &hasher, name, test, clock, self.state.clock.now())
            .await
            .expect("tenant created");
        TestTenant { id: created.tenant_id, key: created.key.plain.expose() }
    }

    /// A client authenticated with `key` as Bearer token.
    pub fn client(&self, key: &str) -> Client {
        Client::new(self.url(), format!("Bearer {key}"))
    }

    /// A client authenticated with HTTP Basic (an email as user, the key as password).
    pub fn basic_client(&self, key: &str) -> Client {
        let token = base64::engine::general_purpose::STANDARD.encode(format!("shop@example.com:{key}"));
        Client::new(self.url(), format!("Basic {token}"))
    }

    /// A client with a raw `Authorization` value (or none).
    pub fn client_with_auth(&self, authorization: Option<&str>) -> Client {
        Client::new(self.url(), authorization.unwrap_or_default().to_owned())
    }

    /// A new admin client of a new live tenant.
    pub async fn admin(&self) -> Client {
        let t = self.tenant("shop").await;
        self.client(&t.key)
    }
}

/// A JSON-RPC error as the client sees it.
#[derive(Debug, Clone)]
pub struct RpcError {
    pub code: i32,
    pub message: String,
    pub data: Value,
}

impl RpcError {
    /// `data.TAG`, when the error names one.
    pub fn tag(&self) -> Option<&str> {
        self.data.get("TAG").and_then(Value::as_str)
    }
}

struct Params(Value);

impl ToRpcParams for Params {
    fn to_rpc_params(self) -> Result<Option<Box<serde_json::value::RawValue>>, serde_json::Error> {
        serde_json::value::to_raw_value(&self.0).map(Some)
    }
}

/// A raw HTTP answer.
#[derive(Debug)]
pub struct RawResponse {
    pub status: u16,
    pub headers: http::HeaderMap,
    pub body: String,
}

impl RawResponse {
    /// The body as JSON.
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("body is not JSON ({e}): {:?}", self.body))
    }
}

/// Calls the gateway: JSON-RPC through jsonrpsee's HTTP client, raw bodies through hyper.
#[derive(Clone)]
pub struct Client {
    url: String,
    authorization: String,
    rpc: Arc<HttpClient>,
    http: HyperClient<HttpConnector, Full<bytes::Bytes>>,
}

impl Client {
    /// A Bearer client for a gateway at `url`.
    pub fn for_url(url: String, key: &str) -> Client {
        Client::new(url, format!("Bearer {key}"))
    }

    fn new(url: String, authorization: String) -> Client {
        let mut headers = HeaderMap::new();
        if !authorization.is_empty() {
            headers.insert("authorization", HeaderValue::from_str(&authorization).expect("header value"));
        }
        let rpc = HttpClientBuilder::default()
            .set_headers(headers)
            .request_timeout(std::time::Duration::from_secs(120))
            .build(format!("{url}/rpc"))
            .expect("jsonrpsee client");
        let http = HyperClient::builder(TokioExecutor::new()).build_http();
        Client { url, authorization, rpc: Arc::new(rpc), http }
    }

    /// Calls `method` with `params` (the envelope); `Err` carries the JSON-RPC error.
    pub async fn call(&self, method: &str, params: Value) -> Result<Value, RpcError> {
        match self.reach(method, params).await {
            Some(answer) => answer,
            None => panic!("{method}: no answer (transport error)"),
        }
    }

    /// Like [`Client::call`], `None` when no answer came (the server died or
    /// refused the connection).
    pub async fn reach(&self, method: &str, params: Value) -> Option<Result<Value, RpcError>> {
        match self.rpc.request::<Value, _>(method, Params(params)).await {
            Ok(value) => Some(Ok(value)),
            Err(jsonrpsee::core::ClientError::Call(err)) => Some(Err(RpcError {
                code: err.code(),
                message: err.message().to_owned(),
                data: err.data().map(|d| serde_json::from_str(d.get()).unwrap_or(Value::Null)).unwrap_or(Value::Null),
            })),
            Err(_) => None,
        }
    }

    /// Calls and expects success.
    pub async fn ok(&self, method: &str, params: Value) -> Value {
        match self.call(method, params.clone()).await {
            Ok(v) => v,
            Err(e) => panic!("{method} {params} failed: {e:?}"),
        }
    }

    /// Calls and expects an error.
    pub async fn err(&self, method: &str, params: Value) -> RpcError {
        match self.call(method, params.clone()).await {
            Ok(v) => panic!("{method} {params} should fail, answered {v}"),
            Err(e) => e,
        }
    }

    /// POSTs a raw body to `path` with this client's auth and extra headers.
    pub async fn post_raw(&self, path: &str, body: &str, extra: &[(&str, &str)]) -> RawResponse {
        let mut request = http::Request::post(format!("{}{path}", self.url));
        if !extra.iter().any(|(name, _)| name.eq_ignore_ascii_case("content-type")) {
            request = request.header("content-type", "application/json");
        }
        if !self.authorization.is_empty() {
            request = request.header("authorization", &self.authorization);
        }
        for (name, value) in extra {
            request = request.header(*name, *value);
        }
        let request = request.body(Full::new(bytes::Bytes::from(body.to_owned()))).expect("request");
        self.send(request).await
    }

    /// GETs `path` without auth.
    pub async fn get_raw(&self, path: &str) -> RawResponse {
        let request =
            http::Request::get(format!("{}{path}", self.url)).body(Full::new(bytes::Bytes::new())).expect("request");
        self.send(request).await
    }

    /// Any request to an absolute `url` without auth (hosted pages).
    pub async fn browse(&self, method: &str, url: &str, headers: &[(&str, &str)], body: &str) -> RawResponse {
        let mut request = http::Request::builder().method(method).uri(url);
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        let request = request.body(Full::new(bytes::Bytes::from(body.to_owned()))).expect("request");
        self.send(request).await
    }

    async fn send(&self, request: http::Request<Full<bytes::Bytes>>) -> RawResponse {
        let response = self.http.request(request).await.expect("HTTP request");
        let status = response.status().as_u16();
        let headers = response.headers().clone();
        let body = response.into_body().collect().await.expect("body").to_bytes();
        RawResponse { status, headers, body: String::from_utf8_lossy(&body).into_owned() }
    }

    /// Sends a JSON-RPC batch as a raw body and returns the parsed answer.
    pub async fn batch(&self, entries: &[Value]) -> Value {
        self.post_raw("/rpc", &Value::Array(entries.to_vec()).to_string(), &[]).await.json()
    }
}

/// One JSON-RPC request object for batches.
pub fn request(id: i64, method: &str, params: Value) -> Value {
    json!({ "jsonrpc": "2.0", "id": id, "method": method, "params": params })
}

/// Finds the response with `id` in a batch answer.
pub fn by_id(batch: &Value, id: i64) -> &Value {
    batch
        .as_array()
        .and_then(|a| a.iter().find(|r| r["id"] == json!(id)))
        .unwrap_or_else(|| panic!("no response with id {id} in {batch}"))
}

/// Counts the rows of a table over all tenants (for "nothing changed" checks).
pub async fn count_rows(app: &TestApp, table: &str) -> i64 {
    let db = &app.state.db.read;
    let row = db
        .query_one(Statement::from_string(db.get_database_backend(), format!("SELECT COUNT(*) AS n FROM {table}")))
        .await
        .expect("count query")
        .expect("one row");
    row.try_get_by_index::<i64>(0).expect("count")
}

/// True when the suite runs on PostgreSQL (`RECUR_TEST_DATABASE_URL` set).
pub fn on_postgres() -> bool {
    std::env::var("RECUR_TEST_DATABASE_URL").is_ok_and(|v| !v.is_empty())
}

/// Says loudly that `test` did not run its assertions on this backend. Tests
/// that call it carry the backend they need in their name (`..._on_sqlite`,
/// `..._on_postgres`), so a skip is visible in the list as well as in the output.
pub fn skip(test: &str, reason: &str) {
    let backend = if on_postgres() { "PostgreSQL" } else { "SQLite" };
    eprintln!("SKIPPED on {backend}: {test}: {reason}");
}

impl Client {
    /// The raw HTTP body answering one call of `method` with request id 1
    /// (for byte-for-byte comparisons of answers).
    pub async fn raw_call(&self, method: &str, params: &Value) -> String {
        let body = json!({"jsonrpc": "2.0", "id": 1, "method": method, "params": params});
        self.post_raw("/rpc", &body.to_string(), &[]).await.body
    }
}

/// Runs one SQL statement on the gateway's write pool (fault injection:
/// triggers, corrupted rows).
pub async fn execute_sql(app: &TestApp, sql: &str) {
    let db = &app.state.db.write;
    db.execute(Statement::from_string(db.get_database_backend(), sql.to_owned()))
        .await
        .unwrap_or_else(|e| panic!("{sql}: {e}"));
}
