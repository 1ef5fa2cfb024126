//! Latency per route as the server itself sees it, from the request reaching the
//! route to the answer leaving it. On a small machine the load generator shares
//! the CPU, so a benchmark needs the server's own numbers beside the client's.
//! Read and reset at `/dev/latency` (dev mode only).
use std::collections::BTreeMap;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Instant;

use axum::extract::{MatchedPath, Request, State};
use axum::middleware::Next;
use axum::response::Response;
use hdrhistogram::Histogram;
use serde::Serialize;

/// Microseconds, 1 µs to 60 s, three significant digits.
fn new_histogram() -> Histogram<u64> {
    Histogram::new_with_bounds(1, 60_000_000, 3).expect("valid histogram bounds")
}

#[derive(Clone, Default)]
pub struct Latency(Arc<Mutex<BTreeMap<String, Histogram<u64>>>>);

/// One route's latency, in microseconds.
#[derive(Debug, Serialize)]
pub struct RouteLatency {
    pub count: u64,
    pub p50: u64,
    pub p90: u64,
    pub p99: u64,
    pub p999: u64,
    pub max: u64,
}

impl Latency {
    pub fn record(&self, route: &str, micros: u64) {
        let mut routes = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        let histogram = routes
            .entry(route.to_string())
            .or_insert_with(new_histogram);
        histogram.saturating_record(micros.max(1));
    }

    pub fn report(&self) -> BTreeMap<String, RouteLatency> {
        let routes = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        routes
            .iter()
            .map(|(route, h)| {
                let latency = RouteLatency {
                    count: h.len(),
                    p50: h.value_at_quantile(0.50),
                    p90: h.value_at_quantile(0.90),
                    p99: h.value_at_quantile(0.99),
                    p999: h.value_at_quantile(0.999),
                    max: h.max(),
                };
                (route.clone(), latency)
            })
            .collect()
    }

    pub fn reset(&self) {
        self.0
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clear();
    }
}

/// Records each request's time under its route's template (`/portal/email/…/{id}/…`).
pub async fn record_latency(
    State(latency): State<Latency>,
    route: MatchedPath,
    request: Request,
    next: Next,
) -> Response {
    let started = Instant::now();
    let response = next.run(request).await;
    let micros = u64::try_from(started.elapsed().as_micros()).unwrap_or(u64::MAX);
    latency.record(route.as_str(), micros);
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentiles_come_per_route() {
        let latency = Latency::default();
        for micros in 1..=1000 {
            latency.record("/a", micros);
        }
        latency.record("/b", 5);
        let report = latency.report();
        let a = &report["/a"];
        assert_eq!(a.count, 1000);
        assert!((495..=505).contains(&a.p50), "{}", a.p50);
        assert!((985..=995).contains(&a.p99), "{}", a.p99);
        assert_eq!(report["/b"].count, 1);
        latency.reset();
        assert!(latency.report().is_empty());
    }
}
