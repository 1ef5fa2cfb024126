//! The soak: simulated customers sign in, list, pause and resume, and sign out
//! against a release server on a loopback port, while the server is killed with
//! SIGKILL and restarted on the same database. After each restart, and at the
//! end, what was acknowledged must still be there: every acknowledged action's
//! result, every live session; nothing signed out or used comes back; the
//! database passes `PRAGMA integrity_check`; every error is in the envelope.
use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{Context, Result};
use serde_json::{json, Value};
use tokio::process::{Child, Command};
use tokio::sync::{Mutex, RwLock};

use crate::server::{mailed_code, wait_until_serving};

pub struct Plan {
    pub seconds: u64,
    pub customers: usize,
    pub kills: u32,
}

/// What the server acknowledged, and what the soak knows it must refuse.
#[derive(Default)]
struct Ledger {
    /// Subscription id → (owner, statuses it may have): one after an answer,
    /// two while an action's answer was lost to a kill (it may have committed).
    subscriptions: HashMap<String, (String, HashSet<String>)>,
    live_sessions: HashMap<String, String>,
    signed_out: Vec<String>,
    used_codes: Vec<(String, String)>,
    requests: u64,
    answers: BTreeMap<String, u64>,
    not_in_envelope: Vec<String>,
    violations: Vec<String>,
}

struct Soaked {
    binary: PathBuf,
    database: PathBuf,
    port: u16,
    child: Option<Child>,
}

impl Soaked {
    fn base(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    async fn spawn(&mut self) -> Result<()> {
        let child = Command::new(&self.binary)
            .args([
                "serve",
                "--dev",
                "--api-only",
                "--trusted-proxy",
                "127.0.0.1",
            ])
            .args(["--listen", &format!("127.0.0.1:{}", self.port)])
            .arg("--database")
            .arg(&self.database)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .kill_on_drop(true)
            .spawn()
            .context("starting portal-server")?;
        self.child = Some(child);
        wait_until_serving(&self.base()).await
    }

    async fn kill(&mut self) -> Result<()> {
        if let Some(mut child) = self.child.take() {
            // SIGKILL: no shutdown, no flush beyond what each commit already did.
            child.start_kill()?;
            child.wait().await?;
        }
        Ok(())
    }
}

pub async fn run(binary: &Path, plan: &Plan) -> Result<Value> {
    let dir = tempfile::tempdir()?;
    let database = dir.path().join("portal.db");
    let seed = |args: Vec<String>| {
        let database = database.clone();
        async move {
            let status = Command::new(binary)
                .arg("seed")
                .args(args)
                .arg("--database")
                .arg(&database)
                .stdout(Stdio::null())
                .status()
                .await?;
            anyhow::ensure!(status.success(), "portal-server seed failed");
            anyhow::Ok(())
        }
    };
    seed(vec!["--demo".into()]).await?;
    for i in 0..plan.customers {
        seed(vec![
            "--large-account".into(),
            customer(i),
            "--merchants".into(),
            "1".into(),
            "--each".into(),
            "3".into(),
        ])
        .await?;
    }
    let port = std::net::TcpListener::bind("127.0.0.1:0")?
        .local_addr()?
        .port();
    let mut server = Soaked {
        binary: binary.to_path_buf(),
        database: database.clone(),
        port,
        child: None,
    };
    server.spawn().await?;
    let base = server.base();
    let ledger = Arc::new(Mutex::new(Ledger::default()));
    // Customers hold it shared for each step; a check after a restart holds it alone.
    let gate = Arc::new(RwLock::new(()));
    let deadline = Instant::now() + Duration::from_secs(plan.seconds);
    let mut customers = Vec::new();
    for i in 0..plan.customers {
        let (base, ledger, gate) = (base.clone(), ledger.clone(), gate.clone());
        customers.push(tokio::spawn(async move {
            simulate(i, &base, &ledger, &gate, deadline).await;
        }));
    }

    let mut outages = Vec::new();
    let mut checks = Vec::new();
    let pause = Duration::from_secs(plan.seconds) / (plan.kills + 1);
    for _ in 0..plan.kills {
        tokio::time::sleep(pause).await;
        server.kill().await?;
        let down = Instant::now();
        server.spawn().await?;
        outages.push(down.elapsed().as_millis() as u64);
        let _alone = gate.write().await;
        checks.push(check(&base, &ledger).await?);
    }
    for customer in customers {
        customer.await?;
    }
    let final_check = {
        let _alone = gate.write().await;
        check(&base, &ledger).await?
    };
    checks.push(final_check);
    server.kill().await?;
    let integrity: String =
        rusqlite::Connection::open(&database)?
            .query_row("PRAGMA integrity_check", [], |row| row.get(0))?;
    let ledger = ledger.lock().await;
    Ok(json!({
        "seconds": plan.seconds,
        "customers": plan.customers,
        "kills": plan.kills,
        "requests": ledger.requests,
        "answers": ledger.answers,
        "outagesMs": outages,
        "longestOutageMs": outages.iter().max(),
        "checks": checks,
        "integrityCheck": integrity,
        "notInEnvelope": ledger.not_in_envelope,
        "violations": ledger.violations,
    }))
}

fn customer(i: usize) -> String {
    format!("soak{i}@soak.example")
}

/// One request, counted by outcome; an error must be in the envelope.
async fn send(ledger: &Mutex<Ledger>, request: reqwest::RequestBuilder) -> Option<(u16, Value)> {
    let outcome = match request.timeout(Duration::from_secs(10)).send().await {
        Ok(response) => {
            let status = response.status().as_u16();
            let body: Value = response.json().await.unwrap_or(Value::Null);
            Some((status, body))
        }
        Err(_) => None,
    };
    let mut ledger = ledger.lock().await;
    ledger.requests += 1;
    let class = match &outcome {
        Some((status, body)) => {
            if *status >= 400 && !body["error"]["code"].is_string() {
                ledger.not_in_envelope.push(format!("{status}: {body}"));
            }
            match body["error"]["code"].as_str() {
                Some(code) => format!("{status} {code}"),
                None => status.to_string(),
            }
        }
        None => "no answer (server down)".to_string(),
    };
    *ledger.answers.entry(class).or_default() += 1;
    outcome
}

async fn simulate(
    i: usize,
    base: &str,
    ledger: &Mutex<Ledger>,
    gate: &RwLock<()>,
    deadline: Instant,
) {
    let client = reqwest::Client::new();
    let email = customer(i);
    // Each customer behind its own address, as different people are.
    let address = format!("10.9.{}.{}", i / 250, i % 250 + 1);
    let post = |path: &str| {
        client
            .post(format!("{base}{path}"))
            .header("x-forwarded-for", &address)
    };
    let mut session: Option<String> = None;
    let mut signed_in_at = Instant::now();
    while Instant::now() < deadline {
        let _shared = gate.read().await;
        let Some(token) = session.clone() else {
            session = sign_in(ledger, &client, base, &email, &post).await;
            signed_in_at = Instant::now();
            if session.is_none() {
                tokio::time::sleep(Duration::from_millis(500)).await;
            }
            continue;
        };
        // A session lasts about twenty seconds, then its holder signs out:
        // with 5 codes an hour per address and client, a customer signs in
        // a few times in a soak of minutes.
        if signed_in_at.elapsed() > Duration::from_secs(20) {
            let answer = send(
                ledger,
                post("/portal/email/signout").header("x-portal-session", &token),
            )
            .await;
            if matches!(answer, Some((200, _))) {
                let mut ledger = ledger.lock().await;
                ledger.live_sessions.remove(&email);
                ledger.signed_out.push(token);
                session = None;
            }
            continue;
        }
        let listed = send(
            ledger,
            client
                .get(format!("{base}/portal/email/subscriptions"))
                .header("x-portal-session", &token),
        )
        .await;
        let Some((200, body)) = listed else {
            tokio::time::sleep(Duration::from_millis(100)).await;
            continue;
        };
        let subscriptions: Vec<Value> = body["merchants"]
            .as_array()
            .into_iter()
            .flatten()
            .flat_map(|m| m["subscriptions"].as_array().cloned().unwrap_or_default())
            .collect();
        let Some(subscription) = subscriptions.get(fastrand_index(subscriptions.len())) else {
            continue;
        };
        let id = subscription["id"].as_str().unwrap_or_default().to_string();
        let (action, next) = match subscription["status"].as_str() {
            Some("active") => ("pause", "paused"),
            Some("paused") => ("resume", "active"),
            _ => continue,
        };
        let before = subscription["status"]
            .as_str()
            .unwrap_or_default()
            .to_string();
        // Before sending: if the answer is lost, either status may be true.
        ledger
            .lock()
            .await
            .subscriptions
            .entry(id.clone())
            .or_insert_with(|| (email.clone(), HashSet::new()))
            .1
            .extend([before.clone(), next.to_string()]);
        let answer = send(
            ledger,
            post(&format!("/portal/email/subscriptions/live/{id}/{action}"))
                .header("x-portal-session", &token),
        )
        .await;
        let mut ledger = ledger.lock().await;
        let entry = ledger
            .subscriptions
            .entry(id)
            .or_insert_with(|| (email.clone(), HashSet::new()));
        match answer {
            Some((200, body)) => {
                entry.1 = HashSet::from([body["status"].as_str().unwrap_or_default().to_string()])
            }
            // Refused: nothing changed.
            Some((_, _)) => entry.1 = HashSet::from([before]),
            None => {}
        }
        drop(ledger);
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// A small spread over the list without a random-number crate.
fn fastrand_index(len: usize) -> usize {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.subsec_nanos() as usize);
    if len == 0 {
        0
    } else {
        (nanos / 1000) % len
    }
}

async fn sign_in(
    ledger: &Mutex<Ledger>,
    client: &reqwest::Client,
    base: &str,
    email: &str,
    post: &impl Fn(&str) -> reqwest::RequestBuilder,
) -> Option<String> {
    let started = send(
        ledger,
        post("/portal/email/start").json(&json!({ "email": email })),
    )
    .await;
    if !matches!(started, Some((200, _))) {
        return None;
    }
    // A kill empties the outbox: the next round asks again.
    let code = mailed_code(client, base, email).await.ok().flatten()?;
    let verified = send(
        ledger,
        post("/portal/email/verify").json(&json!({ "email": email, "code": code })),
    )
    .await;
    let Some((200, body)) = verified else {
        return None;
    };
    let token = body["sessionToken"].as_str()?.to_string();
    let mut ledger = ledger.lock().await;
    ledger.used_codes.push((email.to_string(), code));
    ledger
        .live_sessions
        .insert(email.to_string(), token.clone());
    Some(token)
}

/// With the customers paused: every live session lists, every acknowledged
/// status is what the server says, nothing signed out or used works again.
async fn check(base: &str, ledger: &Mutex<Ledger>) -> Result<Value> {
    let client = reqwest::Client::new();
    let mut ledger = ledger.lock().await;
    let mut failures = Vec::new();
    let mut statuses: HashMap<String, String> = HashMap::new();
    for (email, token) in &ledger.live_sessions {
        let response = client
            .get(format!("{base}/portal/email/subscriptions"))
            .header("x-portal-session", token)
            .send()
            .await?;
        if response.status() != 200 {
            failures.push(format!(
                "{email}'s live session answered {}",
                response.status()
            ));
            continue;
        }
        let body: Value = response.json().await?;
        for subscription in body["merchants"]
            .as_array()
            .into_iter()
            .flatten()
            .flat_map(|m| m["subscriptions"].as_array().cloned().unwrap_or_default())
        {
            statuses.insert(
                subscription["id"].as_str().unwrap_or_default().to_string(),
                subscription["status"]
                    .as_str()
                    .unwrap_or_default()
                    .to_string(),
            );
        }
    }
    let mut subscriptions_checked = 0;
    for (id, (email, allowed)) in &mut ledger.subscriptions {
        let Some(status) = statuses.get(id) else {
            continue; // its owner is signed out right now
        };
        subscriptions_checked += 1;
        if !allowed.contains(status) {
            failures.push(format!(
                "{email}'s {id} is {status}, acknowledged {allowed:?}"
            ));
        }
        // From here on the server's word is the known state.
        *allowed = HashSet::from([status.clone()]);
    }
    for token in &ledger.signed_out {
        let status = client
            .get(format!("{base}/portal/email/subscriptions"))
            .header("x-portal-session", token)
            .send()
            .await?
            .status();
        if status != 401 {
            failures.push(format!("a signed-out session answered {status}"));
        }
    }
    for (email, code) in &ledger.used_codes {
        let answer = client
            .post(format!("{base}/portal/email/verify"))
            .header("x-forwarded-for", "10.250.0.1")
            .json(&json!({ "email": email, "code": code }))
            .send()
            .await?;
        if answer.status() == 200 {
            failures.push(format!("{email}'s used code signed in again"));
        }
    }
    let report = json!({
        "liveSessions": ledger.live_sessions.len(),
        "subscriptions": subscriptions_checked,
        "signedOut": ledger.signed_out.len(),
        "usedCodes": ledger.used_codes.len(),
        "failures": failures,
    });
    ledger.violations.extend(failures);
    Ok(report)
}
