//! `portal-bench`: the measurements `cargo xtask bench` makes in Rust. Each
//! command writes JSON; xtask turns them into BENCHMARKS.md.
use std::path::PathBuf;

use anyhow::Result;
use clap::{Parser, Subcommand};
use serde_json::json;

mod load;
mod server;
mod soak;

#[derive(Parser)]
#[command(about = "Duro Portal's benchmarks (run by cargo xtask bench)")]
struct Cli {
    #[command(subcommand)]
    command: Bench,
}

#[derive(Subcommand)]
enum Bench {
    /// start, verify and the 1,000-subscription listing at fixed rates, then saturated.
    Server {
        /// The release portal-server binary.
        #[arg(long)]
        server_bin: PathBuf,
        #[arg(long, value_delimiter = ',', default_value = "250,500,1000")]
        rates: Vec<u64>,
        #[arg(long, default_value_t = 10)]
        seconds: u64,
        #[arg(long, default_value_t = 5)]
        saturation_seconds: u64,
        #[arg(long, default_value_t = 64)]
        workers: u64,
        /// Only these routes (start, verify, listing); every route if none.
        #[arg(long, value_delimiter = ',')]
        routes: Vec<String>,
        #[arg(long)]
        out: PathBuf,
    },
    /// Start's answer time for a real account beside an unknown address (medians).
    StartTiming {
        #[arg(long)]
        server_bin: PathBuf,
        #[arg(long, default_value_t = 2000)]
        requests: u64,
        #[arg(long)]
        out: PathBuf,
    },
    /// Customers signing in, acting and signing out while the server is killed and restarted.
    Soak {
        #[arg(long)]
        server_bin: PathBuf,
        #[arg(long, default_value_t = 300)]
        seconds: u64,
        #[arg(long, default_value_t = 20)]
        customers: usize,
        #[arg(long, default_value_t = 5)]
        kills: u32,
        #[arg(long)]
        out: PathBuf,
    },
    /// The built app's files fetched one after another on one kept-alive connection.
    Static {
        #[arg(long)]
        server_bin: PathBuf,
        #[arg(long)]
        dist: PathBuf,
        #[arg(long, default_value_t = 200)]
        rounds: u32,
        #[arg(long)]
        out: PathBuf,
    },
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() -> Result<()> {
    match Cli::parse().command {
        Bench::Server {
            server_bin,
            rates,
            seconds,
            saturation_seconds,
            workers,
            routes,
            out,
        } => {
            let plan = server::Plan {
                rates,
                seconds,
                saturation_seconds,
                workers,
                routes,
            };
            let phases = server::run(&server_bin, &plan).await?;
            write(&out, &json!({ "phases": phases }))
        }
        Bench::StartTiming {
            server_bin,
            requests,
            out,
        } => {
            let report = server::start_timing(&server_bin, requests).await?;
            eprintln!("{report}");
            write(&out, &report)
        }
        Bench::Soak {
            server_bin,
            seconds,
            customers,
            kills,
            out,
        } => {
            let plan = soak::Plan {
                seconds,
                customers,
                kills,
            };
            let report = soak::run(&server_bin, &plan).await?;
            write(&out, &report)?;
            let failed = report["violations"]
                .as_array()
                .is_some_and(|v| !v.is_empty())
                || report["notInEnvelope"]
                    .as_array()
                    .is_some_and(|v| !v.is_empty())
                || report["integrityCheck"] != "ok";
            eprintln!("{}", serde_json::to_string_pretty(&report)?);
            anyhow::ensure!(
                !failed,
                "the soak found lost, resurrected or malformed state"
            );
            Ok(())
        }
        Bench::Static {
            server_bin,
            dist,
            rounds,
            out,
        } => {
            let files = server::static_files(&server_bin, &dist, rounds).await?;
            write(&out, &json!({ "rounds": rounds, "files": files }))
        }
    }
}

fn write(path: &PathBuf, value: &serde_json::Value) -> Result<()> {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)?;
    }
    std::fs::write(path, serde_json::to_string_pretty(value)?)?;
    eprintln!("portal-bench: wrote {}", path.display());
    Ok(())
}
