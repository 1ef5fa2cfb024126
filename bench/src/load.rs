//! Load at a fixed arrival rate (open loop), and as fast as it goes (closed loop).
//!
//! Open loop: request `i` is sent at `start + i / rate` whatever happened to the
//! ones before, and its latency counts from that moment, so time spent queueing
//! (in the client or the server) shows up instead of slowing the arrivals down.
use std::collections::BTreeMap;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use hdrhistogram::Histogram;
use serde::Serialize;

/// What the load generator saw.
#[derive(Debug, Serialize)]
pub struct ClientReport {
    pub sent: u64,
    /// Requests completed per second over the phase.
    pub throughput: f64,
    /// Microseconds.
    pub p50: u64,
    pub p90: u64,
    pub p99: u64,
    pub max: u64,
    /// Answers by HTTP status; "network" for none.
    pub outcomes: BTreeMap<String, u64>,
}

/// One request of a phase: what to send for request number `i`.
pub trait Scenario: Send + Sync + 'static {
    fn request(&self, client: &reqwest::Client, i: u64) -> reqwest::RequestBuilder;
}

fn histogram() -> Histogram<u64> {
    Histogram::new_with_bounds(1, 120_000_000, 3).expect("valid histogram bounds")
}

struct Results {
    latency: Histogram<u64>,
    outcomes: BTreeMap<String, u64>,
}

impl Results {
    fn record(&mut self, micros: u64, outcome: String) {
        self.latency.saturating_record(micros.max(1));
        *self.outcomes.entry(outcome).or_default() += 1;
    }

    fn report(&self, elapsed: Duration) -> ClientReport {
        let h = &self.latency;
        ClientReport {
            sent: h.len(),
            throughput: h.len() as f64 / elapsed.as_secs_f64(),
            p50: h.value_at_quantile(0.50),
            p90: h.value_at_quantile(0.90),
            p99: h.value_at_quantile(0.99),
            max: h.max(),
            outcomes: self.outcomes.clone(),
        }
    }
}

async fn send(client: &reqwest::Client, scenario: &dyn Scenario, i: u64) -> String {
    match scenario.request(client, i).send().await {
        Ok(response) => {
            let status = response.status().as_u16().to_string();
            // Read the whole answer: the request is done when its body is.
            let _ = response.bytes().await;
            status
        }
        Err(_) => "network".to_string(),
    }
}

/// `rate` requests a second for `seconds`, numbered from `first`.
pub async fn open_loop(
    client: reqwest::Client,
    scenario: Arc<dyn Scenario>,
    rate: u64,
    seconds: u64,
    first: u64,
) -> ClientReport {
    let results = Arc::new(Mutex::new(Results {
        latency: histogram(),
        outcomes: BTreeMap::new(),
    }));
    let total = rate * seconds;
    let start = tokio::time::Instant::now() + Duration::from_millis(50);
    let mut tasks = Vec::with_capacity(total as usize);
    for n in 0..total {
        let at = start + Duration::from_nanos(n * 1_000_000_000 / rate);
        let (client, scenario, results) = (client.clone(), scenario.clone(), results.clone());
        tasks.push(tokio::spawn(async move {
            tokio::time::sleep_until(at).await;
            let outcome = send(&client, scenario.as_ref(), first + n).await;
            let micros = u64::try_from(at.elapsed().as_micros()).unwrap_or(u64::MAX);
            results
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .record(micros, outcome);
        }));
    }
    for task in tasks {
        let _ = task.await;
    }
    let elapsed = start.elapsed();
    let report = results
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .report(elapsed);
    report
}

/// `workers` clients, each sending its next request as soon as the last is
/// answered, for `seconds`: the most the server answers.
pub async fn closed_loop(
    client: reqwest::Client,
    scenario: Arc<dyn Scenario>,
    workers: u64,
    seconds: u64,
    first: u64,
) -> ClientReport {
    let results = Arc::new(Mutex::new(Results {
        latency: histogram(),
        outcomes: BTreeMap::new(),
    }));
    let next = Arc::new(std::sync::atomic::AtomicU64::new(first));
    let started = Instant::now();
    let until = started + Duration::from_secs(seconds);
    let mut tasks = Vec::new();
    for _ in 0..workers {
        let (client, scenario, results, next) = (
            client.clone(),
            scenario.clone(),
            results.clone(),
            next.clone(),
        );
        tasks.push(tokio::spawn(async move {
            while Instant::now() < until {
                let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                let sent = Instant::now();
                let outcome = send(&client, scenario.as_ref(), i).await;
                let micros = u64::try_from(sent.elapsed().as_micros()).unwrap_or(u64::MAX);
                results
                    .lock()
                    .unwrap_or_else(PoisonError::into_inner)
                    .record(micros, outcome);
            }
        }));
    }
    for task in tasks {
        let _ = task.await;
    }
    let report = results
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .report(started.elapsed());
    report
}
