//! The cost of answering the listing: the query (one, whatever the number of
//! merchants) and the JSON as the route writes it, for 1 to 1,000 merchants.
//! `cargo xtask bench` runs it.
use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use portal_core::api::SubscriptionsResponse;
use portal_core::Email;
use portal_server::seed::seed_large_account;
use portal_server::store::{self, Store};
use r2d2_sqlite::rusqlite::Connection;

const NOW: i64 = 1_800_000_000;

fn listing(c: &mut Criterion) {
    let runtime = tokio::runtime::Runtime::new().expect("a runtime");
    let email = Email::parse("large@bench.example").expect("an address");
    let mut group = c.benchmark_group("listing");
    for (merchants, each) in [(1, 1), (10, 1), (100, 1), (1000, 1), (100, 10)] {
        let dir = tempfile::tempdir().expect("a temporary folder");
        let path = dir.path().join("portal.db");
        let store = Store::open(&path).expect("a database");
        runtime
            .block_on(seed_large_account(&store, &email, merchants, each, NOW))
            .expect("seeded");
        let conn = Connection::open(&path).expect("a connection");
        let size = format!("{merchants} x {each}");
        group.throughput(Throughput::Elements((merchants * each) as u64));
        group.bench_with_input(BenchmarkId::new("query", &size), &(), |b, ()| {
            b.iter(|| store::subscriptions_for(&conn, email.as_str()).expect("listed"))
        });
        let groups = store::subscriptions_for(&conn, email.as_str()).expect("listed");
        let answer = SubscriptionsResponse { merchants: groups };
        group.bench_with_input(BenchmarkId::new("json", &size), &(), |b, ()| {
            b.iter(|| portal_server::routes::portal::listing_body(&answer).expect("serialized"))
        });
    }
    group.finish();
}

criterion_group!(benches, listing);
criterion_main!(benches);
