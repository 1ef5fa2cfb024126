//! BENCHMARKS.md from the JSON that `cargo xtask bench` left in target/bench/.
use std::fmt::Write;
use std::path::Path;
use std::time::Duration;

use anyhow::{Context, Result};
use serde_json::Value;

use crate::bench::Options;

const PAGES: [&str; 4] = ["portal", "react", "preact", "vanilla"];

pub fn write(root: &Path, options: &Options, took: Duration) -> Result<String> {
    let out = root.join("target/bench");
    let read = |name: &str| -> Result<Value> {
        let text = std::fs::read_to_string(out.join(name))
            .with_context(|| format!("target/bench/{name} is missing"))?;
        serde_json::from_str(&text).with_context(|| format!("target/bench/{name} is not JSON"))
    };
    let mut md = String::new();
    writeln!(md, "# Benchmarks\n")?;
    writeln!(
        md,
        "Written by `cargo xtask bench{}` in {:.0} min on {}. Every figure below comes \
         from that one run, the peers measured beside the portal, so only ratios within \
         this page compare: the machine is shared and noisy. Medians unless a column says \
         otherwise. The raw results are in `target/bench/*.json`.\n",
        if options.quick { " --quick" } else { "" },
        took.as_secs_f64() / 60.0,
        machine()
    )?;
    writeln!(
        md,
        "The peers (`bench/peers/`) are the same two-step form and 1,000-card account in \
         React 19, Preact and plain JavaScript, with the portal's shell, CSS, wording and \
         API calls, bundled by esbuild (minified ESM) and served by the same release \
         `portal-server`, precompressed the same way.\n"
    )?;

    let sizes = read("sizes.json")?;
    sizes_section(&mut md, &sizes)?;
    for label in ["throttled", "unthrottled"] {
        load_section(&mut md, &read(&format!("load-{label}.json"))?, label)?;
    }
    render_section(&mut md, &out)?;
    server_section(&mut md, &read("server.json")?)?;
    static_section(&mut md, &read("static.json")?)?;
    criterion_section(&mut md, &root.join("target/criterion/listing"))?;
    let levers = std::fs::read_to_string(root.join("bench/levers.md"))
        .context("bench/levers.md is missing")?;
    writeln!(md, "{levers}")?;
    Ok(md)
}

fn machine() -> String {
    let cpus = std::thread::available_parallelism().map_or(0, |n| n.get());
    let model = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|info| {
            info.lines()
                .find(|l| l.starts_with("model name"))
                .and_then(|l| l.split(':').nth(1))
                .map(|m| m.trim().to_string())
        })
        .unwrap_or_else(|| "an unknown CPU".into());
    let chromium = std::process::Command::new("chromium")
        .arg("--version")
        .output()
        .ok()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string())
        .unwrap_or_else(|| "Chromium".into());
    format!("{cpus} × {model}, {chromium} headless")
}

fn kb(bytes: &Value) -> String {
    format!("{:.1} KB", bytes.as_f64().unwrap_or(f64::NAN) / 1000.0)
}

fn sizes_section(md: &mut String, sizes: &Value) -> Result<()> {
    writeln!(md, "## First visit: bytes\n")?;
    writeln!(
        md,
        "Every file index.html makes the browser fetch before the form is ready (HTML, JS, \
         wasm, CSS, config.json, icon), compressed as the server sends them. \
         `cargo xtask test` fails when the portal's brotli total grows past \
         `size-budget.json`.\n"
    )?;
    writeln!(
        md,
        "| page | raw | gzip -9 | brotli -q 11 |\n|---|--:|--:|--:|"
    )?;
    for page in PAGES {
        let p = &sizes["pages"][page];
        writeln!(
            md,
            "| {page} | {} | {} | **{}** |",
            kb(&p["raw"]),
            kb(&p["gzip"]),
            kb(&p["brotli"])
        )?;
    }
    writeln!(md, "\nThe portal's first visit, file by file, and the account app (fetched while the person reads the mail):\n")?;
    writeln!(
        md,
        "| file | raw | gzip -9 | brotli -q 11 |\n|---|--:|--:|--:|"
    )?;
    let account = sizes["account"].as_array().cloned().unwrap_or_default();
    let files = sizes["pages"]["portal"]["assets"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    for (asset, later) in files
        .iter()
        .map(|a| (a, ""))
        .chain(account.iter().map(|a| (a, " (after sign-in)")))
    {
        writeln!(
            md,
            "| `{}`{later} | {} | {} | {} |",
            asset["path"].as_str().unwrap_or_default(),
            kb(&asset["raw"]),
            kb(&asset["gzip"]),
            kb(&asset["brotli"])
        )?;
    }
    writeln!(md)?;
    Ok(())
}

fn median(values: impl Iterator<Item = f64>) -> f64 {
    let mut values: Vec<f64> = values.filter(|v| v.is_finite()).collect();
    if values.is_empty() {
        return f64::NAN;
    }
    values.sort_by(f64::total_cmp);
    let mid = values.len() / 2;
    if values.len() % 2 == 1 {
        values[mid]
    } else {
        (values[mid - 1] + values[mid]) / 2.0
    }
}

fn field_median(runs: &Value, field: &str) -> f64 {
    median(
        runs.as_array()
            .into_iter()
            .flatten()
            .filter_map(|run| run[field].as_f64()),
    )
}

fn load_section(md: &mut String, load: &Value, label: &str) -> Result<()> {
    let runs = load["runs"].as_u64().unwrap_or(0);
    match &load["throttle"] {
        Value::Null => writeln!(
            md,
            "## First visit: time, unthrottled\n\nLoopback, no CPU slow-down, {runs} first visits of each page, interleaved.\n"
        )?,
        t => writeln!(
            md,
            "## First visit: time, {label}\n\nChromium's own throttling: {} ms round trip, {} kbit/s down, {} kbit/s up, CPU {}× slower; {runs} first visits of each page (fresh context, empty cache), interleaved.\n",
            t["rttMs"], t["downKbps"], t["upKbps"], t["cpu"]
        )?,
    }
    writeln!(
        md,
        "| page | first contentful paint | ready (email field live) | transferred | portal's ready ÷ page's |\n|---|--:|--:|--:|--:|"
    )?;
    let ours = field_median(&load["pages"]["portal"], "readyMs");
    for page in PAGES {
        let runs = &load["pages"][page];
        let ready = field_median(runs, "readyMs");
        writeln!(
            md,
            "| {page} | {:.0} ms | {:.0} ms | {:.1} KB | {} |",
            field_median(runs, "fcpMs"),
            ready,
            field_median(runs, "transferred") / 1000.0,
            if page == "portal" {
                "".to_string()
            } else {
                format!("{:.2}", ours / ready)
            }
        )?;
    }
    writeln!(md)?;
    Ok(())
}

fn render_section(md: &mut String, out: &Path) -> Result<()> {
    writeln!(md, "## After sign-in: 1,000 subscriptions\n")?;
    writeln!(
        md,
        "Signed in through the form at normal CPU (1280×800), the account app already \
         fetched and started, as it is once the code step has been shown a moment; \
         timed from the verify answer's last byte to the 1,000th card in the \
         DOM. Longest task: the longest main-thread task after that answer, as the \
         browser's Long Tasks API reports them, which is only tasks of 50 ms or more \
         (\"none\": no such task in the median run; the worst run beside it). Memory: \
         the WebAssembly memories' size (the React page has none). Update: from an \
         action's answer to its card saying so.\n"
    )?;
    writeln!(
        md,
        "| page | account | render | longest task | wasm memory | card update |\n|---|---|--:|--:|--:|--:|"
    )?;
    for shape in ["100x10", "1x1000"] {
        for page in ["portal", "react"] {
            let path = out.join(format!("render-{page}-{shape}.json"));
            let text = std::fs::read_to_string(&path)
                .with_context(|| format!("{} is missing", path.display()))?;
            let result: Value = serde_json::from_str(&text)?;
            let runs = &result["runs"];
            // Runs in which no memory was found say nothing (not 0 MiB).
            let memories: Vec<f64> = runs
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|run| run["wasmMemoryMiB"].as_array())
                .filter(|m| !m.is_empty())
                .map(|m| m.iter().filter_map(Value::as_f64).sum::<f64>())
                .collect();
            let account = match shape {
                "100x10" => "100 merchants × 10",
                _ => "1 merchant × 1,000",
            };
            let worst = runs
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|run| run["longestTaskMs"].as_f64())
                .fold(0.0, f64::max);
            let longest = match field_median(runs, "longestTaskMs") {
                median if median > 0.0 => format!("{median:.0} ms"),
                _ if worst > 0.0 => format!("none (worst run {worst:.0} ms)"),
                _ => "none".to_string(),
            };
            writeln!(
                md,
                "| {page} | {account} | {:.0} ms | {longest} | {} | {:.1} ms |",
                field_median(runs, "renderMs"),
                match page {
                    "portal" if memories.is_empty() => "not found".to_string(),
                    "portal" => format!("{:.1} MiB", median(memories.into_iter())),
                    _ => "–".into(),
                },
                field_median(runs, "updateMs"),
            )?;
        }
    }
    writeln!(md)?;
    Ok(())
}

fn ms(micros: &Value) -> String {
    format!("{:.2}", micros.as_f64().unwrap_or(f64::NAN) / 1000.0)
}

fn server_section(md: &mut String, server: &Value) -> Result<()> {
    writeln!(md, "## Server\n")?;
    writeln!(
        md,
        "A release `portal-server` in its own process, fed by `portal-bench` on the same \
         two cores (so the client's figures include its own CPU contention; the server's \
         are its own measurement from request to answer). Open loop at fixed rates, then \
         closed loop as fast as it goes. Each request comes from its own forwarded client \
         address so the per-address limits count as they would for many people: start asks \
         codes for new addresses; verify sends a wrong code, at most 5 to each code; the \
         listing is one session's 1,000 subscriptions (100 × 10). Times in ms.\n"
    )?;
    writeln!(
        md,
        "| route | load | done/s | client p50 | client p99 | server p50 | server p99 | answers | RSS |\n|---|---|--:|--:|--:|--:|--:|---|--:|"
    )?;
    for phase in server["phases"].as_array().into_iter().flatten() {
        let load = match phase["rate"].as_u64() {
            Some(rate) => format!("{rate}/s"),
            None => format!("saturated, {} workers", phase["workers"]),
        };
        let outcomes = phase["client"]["outcomes"]
            .as_object()
            .map(|o| {
                o.iter()
                    .map(|(status, n)| format!("{status}: {n}"))
                    .collect::<Vec<_>>()
                    .join(", ")
            })
            .unwrap_or_default();
        writeln!(
            md,
            "| {} | {load} | {:.0} | {} | {} | {} | {} | {outcomes} | {} |",
            phase["route"].as_str().unwrap_or_default(),
            phase["client"]["throughput"].as_f64().unwrap_or(f64::NAN),
            ms(&phase["client"]["p50"]),
            ms(&phase["client"]["p99"]),
            ms(&phase["server"]["p50"]),
            ms(&phase["server"]["p99"]),
            phase["rss_kb"]
                .as_u64()
                .map_or("–".into(), |kb| format!("{:.0} MB", kb as f64 / 1024.0)),
        )?;
    }
    writeln!(md)?;
    Ok(())
}

fn static_section(md: &mut String, files: &Value) -> Result<()> {
    writeln!(md, "## Static files on one kept-alive connection\n")?;
    writeln!(
        md,
        "Each file of dist/ fetched {} times in a row on one connection, brotli accepted. Times in ms.\n",
        files["rounds"]
    )?;
    writeln!(
        md,
        "| file | p50 | p99 | max | over 30 ms |\n|---|--:|--:|--:|--:|"
    )?;
    for (name, f) in files["files"].as_object().into_iter().flatten() {
        writeln!(
            md,
            "| `{name}` | {} | {} | {} | {} |",
            ms(&f["p50"]),
            ms(&f["p99"]),
            ms(&f["max"]),
            f["over_30ms"]
        )?;
    }
    writeln!(md)?;
    Ok(())
}

/// Criterion's medians for the listing: the query, and the JSON of its answer.
fn criterion_section(md: &mut String, dir: &Path) -> Result<()> {
    writeln!(md, "## The listing's own cost (criterion)\n")?;
    writeln!(
        md,
        "`cargo bench -p portal-server --bench listing`: reading one customer's \
         subscriptions from SQLite, and writing the answer as JSON, in one thread.\n"
    )?;
    writeln!(md, "| merchants × each | query | JSON |\n|---|--:|--:|")?;
    let mut rows = Vec::new();
    for entry in std::fs::read_dir(dir.join("query")).context("no criterion results")? {
        let size = entry?.file_name().to_string_lossy().to_string();
        if size == "report" {
            continue;
        }
        let estimate = |part: &str| -> Option<f64> {
            let text =
                std::fs::read_to_string(dir.join(part).join(&size).join("new/estimates.json"))
                    .ok()?;
            let value: Value = serde_json::from_str(&text).ok()?;
            value["median"]["point_estimate"].as_f64()
        };
        let count: u64 = size
            .split(|c: char| !c.is_ascii_digit())
            .filter_map(|n| n.parse::<u64>().ok())
            .product();
        rows.push((count, size.clone(), estimate("query"), estimate("json")));
    }
    rows.sort_by_key(|row| row.0);
    let show = |ns: Option<f64>| ns.map_or("–".into(), |ns| format!("{:.3} ms", ns / 1e6));
    for (_, size, query, json) in rows {
        writeln!(
            md,
            "| {} | {} | {} |",
            size.replace('_', " "),
            show(query),
            show(json)
        )?;
    }
    writeln!(md)?;
    Ok(())
}
