//! The server under load: a release `portal-server` in its own process on a
//! loopback port, with the demo data, a 1,000-subscription account, and the dev
//! outbox (so sign-in codes can be read). It trusts `X-Forwarded-For` from
//! 127.0.0.1, so each simulated client can have its own address.
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{bail, Context, Result};
use serde::Serialize;
use serde_json::{json, Value};
use tokio::process::{Child, Command};

use crate::load::{closed_loop, open_loop, ClientReport, Scenario};

pub const LARGE_ACCOUNT: &str = "large@bench.example";

pub struct Server {
    pub base: String,
    child: Child,
    _dir: tempfile::TempDir,
}

fn free_port() -> Result<u16> {
    Ok(std::net::TcpListener::bind("127.0.0.1:0")?
        .local_addr()?
        .port())
}

impl Server {
    pub async fn start(binary: &Path, dist: Option<&Path>) -> Result<Server> {
        let dir = tempfile::tempdir()?;
        let database = dir.path().join("portal.db");
        let seeded = Command::new(binary)
            .args([
                "seed",
                "--demo",
                "--large-account",
                LARGE_ACCOUNT,
                "--database",
            ])
            .arg(&database)
            .stdout(Stdio::null())
            .status()
            .await
            .context("seeding the benchmark database")?;
        anyhow::ensure!(seeded.success(), "portal-server seed failed");
        let port = free_port()?;
        let mut serve = Command::new(binary);
        serve
            .args([
                "serve",
                "--dev",
                "--listen",
                &format!("127.0.0.1:{port}"),
                "--trusted-proxy",
                "127.0.0.1",
                "--dev-clock",
            ])
            .arg("--database")
            .arg(&database)
            // Its log goes nowhere rather than into a pipe nobody reads, which would block it.
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .kill_on_drop(true);
        match dist {
            Some(dist) => serve.arg("--dist").arg(dist),
            None => serve.arg("--api-only"),
        };
        let child = serve.spawn().context("starting portal-server")?;
        let server = Server {
            base: format!("http://127.0.0.1:{port}"),
            child,
            _dir: dir,
        };
        wait_until_serving(&server.base).await?;
        Ok(server)
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// Resident memory of the server process, in kilobytes.
    pub fn rss_kb(&self) -> Option<u64> {
        let pid = self.child.id()?;
        let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
        status
            .lines()
            .find_map(|l| l.strip_prefix("VmRSS:"))?
            .split_whitespace()
            .next()?
            .parse()
            .ok()
    }

    /// Signs in as a person would: a code from the dev outbox.
    pub async fn sign_in(&self, client: &reqwest::Client, email: &str) -> Result<String> {
        client
            .post(self.url("/portal/email/start"))
            .json(&json!({ "email": email }))
            .send()
            .await?
            .error_for_status()?;
        let code = mailed_code(client, &self.base, email)
            .await?
            .context("no code in the dev outbox")?;
        let answer: Value = client
            .post(self.url("/portal/email/verify"))
            .json(&json!({ "email": email, "code": code }))
            .send()
            .await?
            .json()
            .await?;
        answer["sessionToken"]
            .as_str()
            .map(str::to_string)
            .context("a session token")
    }

    pub async fn server_latency(&self, client: &reqwest::Client, route: &str) -> Result<Value> {
        let report: Value = client
            .get(self.url("/dev/latency"))
            .send()
            .await?
            .json()
            .await?;
        Ok(report["routes"][route].clone())
    }

    pub async fn reset_latency(&self, client: &reqwest::Client) -> Result<()> {
        client.post(self.url("/dev/latency/reset")).send().await?;
        Ok(())
    }
}

/// Waits up to 20 s for a freshly started server to answer /healthz.
pub async fn wait_until_serving(base: &str) -> Result<()> {
    let client = reqwest::Client::new();
    let deadline = Instant::now() + Duration::from_secs(20);
    while client.get(format!("{base}/healthz")).send().await.is_err() {
        if Instant::now() > deadline {
            bail!("portal-server did not answer at {base}");
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    Ok(())
}

/// The newest code mailed to `email`, read from the dev outbox (mail leaves
/// off the request path, so it may take a moment); `None` after 2 s.
pub async fn mailed_code(
    client: &reqwest::Client,
    base: &str,
    email: &str,
) -> Result<Option<String>> {
    for _ in 0..100 {
        let outbox: Value = client
            .get(format!("{base}/dev/outbox"))
            .send()
            .await?
            .json()
            .await?;
        let code = outbox["items"]
            .as_array()
            .and_then(|items| items.iter().find(|m| m["to"] == email))
            .and_then(|m| m["code"].as_str().map(str::to_string));
        if code.is_some() {
            return Ok(code);
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    Ok(None)
}

/// A client address for request `i`, from 10.0.0.0/8: one per simulated client.
fn client_address(i: u64) -> String {
    format!("10.{}.{}.{}", (i >> 16) & 255, (i >> 8) & 255, i & 255)
}

/// A new, unknown address and a new client for each request: no limit is reached,
/// and an unknown address does the same work as a real one (by design) without mail.
pub struct Start {
    pub base: String,
}

impl Scenario for Start {
    fn request(&self, client: &reqwest::Client, i: u64) -> reqwest::RequestBuilder {
        client
            .post(format!("{}/portal/email/start", self.base))
            .header("x-forwarded-for", client_address(i))
            .json(&json!({ "email": format!("start-{i}@bench.example") }))
    }
}

/// A wrong code for addresses that each got a code first, at most five tries
/// each: every request is an evaluated, counted try (incorrect, or the fifth,
/// attempts_exceeded), and no address reaches its lock.
pub struct WrongCode {
    pub base: String,
    pub addresses: u64,
}

impl WrongCode {
    pub fn address(n: u64) -> String {
        format!("verify-{n}@bench.example")
    }
}

impl Scenario for WrongCode {
    fn request(&self, client: &reqwest::Client, i: u64) -> reqwest::RequestBuilder {
        client
            .post(format!("{}/portal/email/verify", self.base))
            .header("x-forwarded-for", client_address(i))
            .json(&json!({ "email": WrongCode::address(i % self.addresses), "code": "000000" }))
    }
}

/// The 1,000-subscription account's list, with one session.
pub struct Listing {
    pub base: String,
    pub session: String,
}

impl Scenario for Listing {
    fn request(&self, client: &reqwest::Client, _i: u64) -> reqwest::RequestBuilder {
        client
            .get(format!("{}/portal/email/subscriptions", self.base))
            .header("x-portal-session", &self.session)
    }
}

#[derive(Debug, Serialize)]
pub struct Phase {
    pub route: String,
    /// "open" at `rate`, or "closed" with `workers`.
    pub mode: String,
    pub rate: Option<u64>,
    pub workers: Option<u64>,
    pub seconds: u64,
    pub client: ClientReport,
    /// The server's own latency for the route, in microseconds.
    pub server: Value,
    pub rss_kb: Option<u64>,
}

pub struct Plan {
    pub rates: Vec<u64>,
    pub seconds: u64,
    pub saturation_seconds: u64,
    pub workers: u64,
    /// Route names to run, by their first word; all of them if empty.
    pub routes: Vec<String>,
}

fn bench_client() -> Result<reqwest::Client> {
    Ok(reqwest::Client::builder()
        .tcp_nodelay(true)
        .pool_max_idle_per_host(4096)
        .timeout(Duration::from_secs(30))
        .build()?)
}

/// Every route at every rate, then as fast as it goes.
pub async fn run(binary: &Path, plan: &Plan) -> Result<Vec<Phase>> {
    let server = Server::start(binary, None).await?;
    let client = bench_client()?;
    let session = server.sign_in(&client, LARGE_ACCOUNT).await?;
    // Codes for the wrong-code phases: five tries for each address is enough for all of them.
    let verifies = plan.rates.iter().sum::<u64>() * plan.seconds
        + plan.workers * 4_000 * plan.saturation_seconds / 10;
    let addresses = verifies.div_ceil(5) + 1;
    prepare_codes(&server, &client, addresses).await?;

    let routes: [(&str, &str, Arc<dyn Scenario>); 3] = [
        (
            "start",
            "/portal/email/start",
            Arc::new(Start {
                base: server.base.clone(),
            }),
        ),
        (
            "verify (wrong code)",
            "/portal/email/verify",
            Arc::new(WrongCode {
                base: server.base.clone(),
                addresses,
            }),
        ),
        (
            "listing (1,000 subscriptions)",
            "/portal/email/subscriptions",
            Arc::new(Listing {
                base: server.base.clone(),
                session,
            }),
        ),
    ];
    let mut phases = Vec::new();
    let mut numbered = 0u64;
    let chosen = |name: &str| {
        plan.routes.is_empty()
            || plan
                .routes
                .iter()
                .any(|wanted| name.split(' ').next() == Some(wanted.as_str()))
    };
    for (name, route, scenario) in routes.into_iter().filter(|(name, _, _)| chosen(name)) {
        for &rate in &plan.rates {
            server.reset_latency(&client).await?;
            let report = open_loop(
                client.clone(),
                scenario.clone(),
                rate,
                plan.seconds,
                numbered,
            )
            .await;
            numbered += rate * plan.seconds;
            phases.push(Phase {
                route: name.to_string(),
                mode: "open".into(),
                rate: Some(rate),
                workers: None,
                seconds: plan.seconds,
                client: report,
                server: server.server_latency(&client, route).await?,
                rss_kb: server.rss_kb(),
            });
            eprintln!("portal-bench: {name} at {rate}/s done");
        }
        server.reset_latency(&client).await?;
        let report = closed_loop(
            client.clone(),
            scenario.clone(),
            plan.workers,
            plan.saturation_seconds,
            numbered,
        )
        .await;
        numbered += report.sent;
        phases.push(Phase {
            route: name.to_string(),
            mode: "closed".into(),
            rate: None,
            workers: Some(plan.workers),
            seconds: plan.saturation_seconds,
            client: report,
            server: server.server_latency(&client, route).await?,
            rss_kb: server.rss_kb(),
        });
        eprintln!("portal-bench: {name} saturation done");
    }
    Ok(phases)
}

/// Mails a code to each wrong-code address (unknown addresses: a code, no mail).
async fn prepare_codes(server: &Server, client: &reqwest::Client, addresses: u64) -> Result<()> {
    let next = Arc::new(std::sync::atomic::AtomicU64::new(0));
    let mut tasks = Vec::new();
    for _ in 0..32 {
        let (client, next, base) = (client.clone(), next.clone(), server.base.clone());
        tasks.push(tokio::spawn(async move {
            loop {
                let n = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                if n >= addresses {
                    return Ok::<_, anyhow::Error>(());
                }
                client
                    .post(format!("{base}/portal/email/start"))
                    .header("x-forwarded-for", client_address(1_000_000 + n))
                    .json(&json!({ "email": WrongCode::address(n) }))
                    .send()
                    .await?
                    .error_for_status()?;
            }
        }));
    }
    for task in tasks {
        task.await??;
    }
    Ok(())
}

/// Sequential requests for the app's files on one kept-alive connection, as a
/// browser fetches them: each file's latency, in microseconds.
pub async fn static_files(binary: &Path, dist: &Path, rounds: u32) -> Result<Value> {
    let server = Server::start(binary, Some(dist)).await?;
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(1)
        .build()?;
    let mut files: Vec<PathBuf> = std::fs::read_dir(dist)?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| {
            p.extension()
                .and_then(|e| e.to_str())
                .is_some_and(|e| matches!(e, "html" | "js" | "wasm" | "css" | "json"))
        })
        .collect();
    files.sort();
    let mut report = serde_json::Map::new();
    for file in files {
        let name = file
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or_default()
            .to_string();
        let mut latency = hdrhistogram::Histogram::<u64>::new_with_bounds(1, 60_000_000, 3)?;
        for _ in 0..rounds {
            let sent = Instant::now();
            let response = client
                .get(server.url(&format!("/{name}")))
                .header("accept-encoding", "br")
                .send()
                .await?;
            let _ = response.bytes().await?;
            latency
                .saturating_record(u64::try_from(sent.elapsed().as_micros()).unwrap_or(u64::MAX));
        }
        report.insert(
            name,
            json!({
                "p50": latency.value_at_quantile(0.5),
                "p99": latency.value_at_quantile(0.99),
                "max": latency.max(),
                "over_30ms": latency.count_between(30_000, u64::MAX),
                "count": latency.len(),
            }),
        );
    }
    Ok(Value::Object(report))
}

/// Start for a real account and for an unknown address, interleaved, one
/// request at a time on one connection: the medians must not tell them apart.
/// Both are resends from a fresh client address each (the same database work),
/// and the dev clock skips an hour before the hourly ceilings are reached.
pub async fn start_timing(binary: &Path, requests: u64) -> Result<Value> {
    let server = Server::start(binary, None).await?;
    let client = reqwest::Client::builder().tcp_nodelay(true).build()?;
    let mut known = Vec::with_capacity(requests as usize);
    let mut unknown = Vec::with_capacity(requests as usize);
    for i in 0..requests * 2 {
        if i % 30 == 0 {
            client
                .post(server.url("/dev/clock/advance"))
                .json(&json!({ "seconds": 3601 }))
                .send()
                .await?
                .error_for_status()?;
        }
        let (email, times) = if i % 2 == 0 {
            (LARGE_ACCOUNT, &mut known)
        } else {
            ("nobody@bench.example", &mut unknown)
        };
        let sent = Instant::now();
        let status = client
            .post(server.url("/portal/email/start"))
            .header("x-forwarded-for", client_address(i + 1_000_000))
            .json(&json!({ "email": email, "resend": true }))
            .send()
            .await?
            .status();
        let took = sent.elapsed().as_secs_f64() * 1000.0;
        anyhow::ensure!(status.is_success(), "start answered {status} for {email}");
        times.push(took);
    }
    let median = |times: &mut Vec<f64>| {
        times.sort_by(f64::total_cmp);
        times[times.len() / 2]
    };
    let (known_ms, unknown_ms) = (median(&mut known), median(&mut unknown));
    Ok(json!({
        "requests": requests,
        "knownMedianMs": known_ms,
        "unknownMedianMs": unknown_ms,
        "differenceMs": known_ms - unknown_ms,
    }))
}
