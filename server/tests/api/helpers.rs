//! Spawns the real server on port 0 with a fresh database, and talks to it over HTTP.

use std::path::{Path, PathBuf};
use std::time::Duration;

use portal_server::crypto::Secret;
use portal_server::{seed, Application, Clock, Config};
use reqwest::header::CONTENT_TYPE;
use reqwest::{Response, StatusCode};
use serde_json::{json, Value};

pub struct TestApp {
    pub app: Option<Application>,
    pub base: String,
    pub client: reqwest::Client,
    pub clock: Clock,
    pub secret: Secret,
    pub dir: tempfile::TempDir,
}

pub fn config(dir: &Path, secret: Secret) -> Config {
    let listen = "127.0.0.1:0".parse().unwrap();
    Config {
        dist: None,
        dev_clock: true,
        public_url: "http://127.0.0.1:8080".into(),
        ..Config::local(listen, dir.join("portal.db"), secret)
    }
}

/// Production's mail settings: codes by SMTP, so no dev mode and no dev clock.
pub fn mail_by_smtp(config: &mut Config, url: &str) {
    config.smtp_url = Some(url.into());
    config.dev = false;
    config.dev_clock = false;
}

pub async fn spawn_app() -> TestApp {
    spawn_app_with(|_| {}).await
}

pub async fn spawn_app_with(adjust: impl FnOnce(&mut Config)) -> TestApp {
    let dir = tempfile::tempdir().unwrap();
    let secret = Secret::generate();
    let mut config = config(dir.path(), secret.clone());
    adjust(&mut config);
    // Mid-2027, standing still: time moves only when a test advances it.
    let clock = Clock::frozen(1_800_000_000);
    let app = Application::spawn(config, clock.clone()).await.unwrap();
    seed::seed_demo(&app.state.store, clock.now())
        .await
        .unwrap();
    TestApp {
        base: format!("http://{}", app.addr),
        app: Some(app),
        client: reqwest::Client::new(),
        clock,
        secret,
        dir,
    }
}

pub const ADA: &str = "ada@example.com";
pub const BOB: &str = "bob@example.com";

impl TestApp {
    pub fn database(&self) -> PathBuf {
        self.dir.path().join("portal.db")
    }

    /// Stops the server and starts a new one on the same database and secret.
    pub async fn restart(&mut self) {
        self.app.take().unwrap().stop().await.unwrap();
        let config = config(self.dir.path(), self.secret.clone());
        let app = Application::spawn(config, self.clock.clone())
            .await
            .unwrap();
        self.base = format!("http://{}", app.addr);
        self.app = Some(app);
    }

    /// The running server's database, to set up what the API cannot.
    pub fn store(&self) -> &portal_server::store::Store {
        &self
            .app
            .as_ref()
            .expect("the server is running")
            .state
            .store
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    pub async fn get(&self, path: &str) -> Response {
        self.client.get(self.url(path)).send().await.unwrap()
    }

    pub async fn post(&self, path: &str, body: Value) -> Response {
        self.client
            .post(self.url(path))
            .json(&body)
            .send()
            .await
            .unwrap()
    }

    pub async fn start(&self, email: &str) -> Response {
        self.post("/portal/email/start", json!({ "email": email }))
            .await
    }

    pub async fn resend(&self, email: &str) -> Response {
        self.post(
            "/portal/email/start",
            json!({ "email": email, "resend": true }),
        )
        .await
    }

    pub async fn verify(&self, email: &str, code: &str) -> Response {
        self.post(
            "/portal/email/verify",
            json!({ "email": email, "code": code }),
        )
        .await
    }

    pub async fn get_with_session(&self, path: &str, token: &str) -> Response {
        self.client
            .get(self.url(path))
            .header("x-portal-session", token)
            .send()
            .await
            .unwrap()
    }

    /// The status a signed-in GET answers with this token.
    pub async fn session_status(&self, path: &str, token: &str) -> StatusCode {
        self.get_with_session(path, token).await.status()
    }

    pub async fn post_with_session(
        &self,
        path: &str,
        token: &str,
        body: Option<Value>,
    ) -> Response {
        let request = self
            .client
            .post(self.url(path))
            .header("x-portal-session", token);
        let request = match body {
            Some(body) => request.json(&body),
            None => request,
        };
        request.send().await.unwrap()
    }

    /// A POST with a session and an `Idempotency-Key`.
    pub async fn post_with_key(&self, path: &str, token: &str, key: &str, body: Value) -> Response {
        self.client
            .post(self.url(path))
            .header("x-portal-session", token)
            .header("idempotency-key", key)
            .json(&body)
            .send()
            .await
            .unwrap()
    }

    pub async fn delete_with_session(&self, path: &str, token: &str) -> Response {
        self.client
            .delete(self.url(path))
            .header("x-portal-session", token)
            .send()
            .await
            .unwrap()
    }

    /// One number from the database, to show what a request did or did not change.
    pub fn count(&self, sql: &str) -> i64 {
        let conn = r2d2_sqlite::rusqlite::Connection::open(self.database()).unwrap();
        conn.query_row(sql, [], |row| row.get(0)).unwrap()
    }

    /// Mails in the dev outbox for one address, newest first.
    pub async fn mails_to(&self, email: &str) -> Vec<Value> {
        let outbox: Value = self
            .client
            .get(self.url("/dev/outbox"))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        outbox["items"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|mail| mail["to"] == email)
            .cloned()
            .collect()
    }

    /// Waits until `count` mails reached the address (mail leaves off the request path).
    pub async fn wait_for_mails(&self, email: &str, count: usize) -> Vec<Value> {
        wait_until(&format!("{count} mails to {email}"), || async {
            let mails = self.mails_to(email).await;
            (mails.len() >= count).then_some(mails)
        })
        .await
    }

    /// Asks for a code and reads it from the newest mail, as a person would.
    pub async fn request_code(&self, email: &str) -> String {
        let before = self.mails_to(email).await.len();
        assert_eq!(self.start(email).await.status(), StatusCode::OK);
        self.newest_code(email, before + 1).await
    }

    /// The code in the newest mail to the address, once `count` mails have come.
    pub async fn newest_code(&self, email: &str, count: usize) -> String {
        let mails = self.wait_for_mails(email, count).await;
        mails[0]["code"].as_str().unwrap().to_string()
    }

    pub async fn sign_in(&self, email: &str) -> String {
        let code = self.request_code(email).await;
        let response = self.verify(email, &code).await;
        assert_eq!(response.status(), StatusCode::OK);
        let body: Value = response.json().await.unwrap();
        body["sessionToken"].as_str().unwrap().to_string()
    }

    pub fn advance(&self, seconds: i64) {
        self.clock.advance(seconds);
    }

    pub async fn raw_post(
        &self,
        path: &str,
        content_type: Option<&str>,
        body: Vec<u8>,
    ) -> Response {
        let mut request = self.client.post(self.url(path)).body(body);
        if let Some(content_type) = content_type {
            request = request.header(CONTENT_TYPE, content_type);
        }
        request.send().await.unwrap()
    }
}

/// Polls `check` until it gives a value; after five seconds the test fails,
/// naming `what` it waited for. The one way these tests wait.
pub async fn wait_until<T, Fut>(what: &str, mut check: impl FnMut() -> Fut) -> T
where
    Fut: std::future::Future<Output = Option<T>>,
{
    let deadline = std::time::Instant::now() + Duration::from_secs(5);
    loop {
        if let Some(found) = check().await {
            return found;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "waited 5 s for {what}"
        );
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

/// Status, error code and first detail of an error answer.
pub async fn error_of(response: Response) -> (StatusCode, String, Option<(String, String)>) {
    let status = response.status();
    let body: Value = response.json().await.expect("an error answer is JSON");
    let error = &body["error"];
    assert!(
        error["message"].as_str().is_some_and(|m| !m.is_empty()),
        "{body}"
    );
    let detail = error["details"].get(0).map(|d| {
        (
            d["path"].as_str().unwrap().to_string(),
            d["issue"].as_str().unwrap().to_string(),
        )
    });
    (status, error["code"].as_str().unwrap().to_string(), detail)
}

/// A code that is not the right one.
pub fn wrong(code: &str) -> String {
    let n: u32 = code.parse().unwrap();
    format!("{:06}", (n + 1) % 1_000_000)
}
