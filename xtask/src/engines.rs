//! The three browser engines: installing them and their WebDriver servers, and
//! running the end-to-end suite once per engine with a summary per engine.
//! The suite's own side (drivers, capabilities, `E2E_ENGINE`) is
//! tests/src/engine.rs; the names here are the ones it accepts.
use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::Stdio;
use std::time::Instant;

use anyhow::{bail, Context, Result};

use crate::{is_root, run, step, Outcome, Tools};

pub const ENGINES: [&str; 3] = ["chromium", "firefox", "webkit"];
pub const GECKODRIVER_VERSION: &str = "0.37.1";

/// Debian's packages the engines come from, and a file each one installs.
const DEBIAN_PACKAGES: [(&str, &str); 5] = [
    ("chromium", "/usr/bin/chromium"),
    ("chromium-driver", "/usr/bin/chromedriver"),
    ("firefox-esr", "/usr/bin/firefox-esr"),
    ("webkit2gtk-driver", "/usr/bin/WebKitWebDriver"),
    ("xvfb", "/usr/bin/Xvfb"),
];

/// The engines a run uses: the one asked for, or all three.
pub fn selected(engine: Option<&str>) -> Result<Vec<&'static str>> {
    match engine {
        None => Ok(ENGINES.to_vec()),
        Some(name) => ENGINES
            .into_iter()
            .find(|known| *known == name)
            .map(|known| vec![known])
            .with_context(|| format!("--engine {name:?}: use one of {}", ENGINES.join(", "))),
    }
}

impl Tools {
    /// geckodriver's path, as wasm-bindgen-test-runner wants it in `GECKODRIVER`.
    pub fn geckodriver(&self) -> std::path::PathBuf {
        std::env::split_paths(&self.path)
            .map(|dir| dir.join("geckodriver"))
            .find(|path| path.exists())
            .unwrap_or_else(|| "geckodriver".into())
    }

    /// Chromium, Firefox ESR and WebKitGTK (with Xvfb for its window) at
    /// Debian's current versions, and geckodriver pinned from crates.io.
    pub fn setup_engines(&self) -> Result<()> {
        step(
            "browser engines (Debian: chromium, chromium-driver, firefox-esr, webkit2gtk-driver, xvfb)",
            || {
                let missing: Vec<&str> = DEBIAN_PACKAGES
                    .iter()
                    .filter(|(_, file)| !Path::new(file).exists())
                    .map(|(package, _)| *package)
                    .collect();
                if missing.is_empty() {
                    return Ok(Outcome::Present);
                }
                if !is_root() {
                    bail!(
                        "{} missing. Install as root: apt-get update && apt-get install -y --no-install-recommends {}",
                        missing.join(", "),
                        missing.join(" ")
                    );
                }
                run(self.command("apt-get").arg("update"))?;
                run(self
                    .command("apt-get")
                    .args(["install", "-y", "--no-install-recommends"])
                    .args(&missing)
                    .env("DEBIAN_FRONTEND", "noninteractive"))?;
                Ok(Outcome::Done)
            },
        )?;
        step(
            &format!("geckodriver {GECKODRIVER_VERSION} (crates.io, about 2 min the first time)"),
            || {
                if self.version_of("geckodriver").as_deref()
                    == Some(&format!("geckodriver {GECKODRIVER_VERSION}"))
                {
                    return Ok(Outcome::Present);
                }
                self.cargo_install("geckodriver", GECKODRIVER_VERSION, true)?;
                Ok(Outcome::Done)
            },
        )
    }
}

/// What one engine's run of the suite came to.
struct EngineRun {
    engine: &'static str,
    passed: usize,
    failed: Vec<String>,
    seconds: f64,
    limits: String,
    finished: bool,
}

/// Runs the end-to-end suite once per engine (all of them, even after a
/// failure), prints a summary per engine, and fails unless every engine passed
/// the same number of scenarios.
pub fn end_to_end(tools: &Tools, engines: &[&'static str]) -> Result<()> {
    let mut runs = Vec::new();
    for engine in engines {
        eprintln!("xtask: end-to-end suite in {engine} …");
        let _ = std::fs::remove_dir_all(tools.root.join("target/e2e").join(engine));
        let started = Instant::now();
        let mut child = tools
            .command("cargo")
            .args(["test", "-p", "portal-e2e", "--", "--test-threads=2"])
            .env("E2E_ENGINE", engine)
            .stdout(Stdio::piped())
            .spawn()
            .context("starting cargo test -p portal-e2e")?;
        let mut passed = 0;
        let mut failed = Vec::new();
        if let Some(stdout) = child.stdout.take() {
            for line in BufReader::new(stdout).lines() {
                let line = line?;
                println!("{line}");
                if let Some(name) = line
                    .strip_prefix("test ")
                    .and_then(|rest| rest.strip_suffix(" ... ok"))
                {
                    if !name.is_empty() {
                        passed += 1;
                    }
                } else if let Some(name) = line
                    .strip_prefix("test ")
                    .and_then(|rest| rest.strip_suffix(" ... FAILED"))
                {
                    failed.push(name.to_string());
                }
            }
        }
        let status = child.wait()?;
        let limits = std::fs::read_to_string(
            tools
                .root
                .join("target/e2e")
                .join(engine)
                .join("limits.txt"),
        )
        .unwrap_or_default();
        runs.push(EngineRun {
            engine,
            passed,
            failed,
            seconds: started.elapsed().as_secs_f64(),
            limits,
            // A build error or a crash of the harness leaves no failed test to name.
            finished: status.success(),
        });
    }
    eprintln!("\nxtask: end-to-end scenarios per engine");
    eprintln!("  engine    passed  failed  time");
    for run in &runs {
        eprintln!(
            "  {:<9} {:>6}  {:>6}  {:.0}s",
            run.engine,
            run.passed,
            run.failed.len(),
            run.seconds
        );
        for name in &run.failed {
            eprintln!(
                "    FAILED in {}: {name} (screenshot and console log in target/e2e/{}/)",
                run.engine, run.engine
            );
        }
        // Each scenario notes what it met; say each thing once.
        let mut said = std::collections::BTreeSet::new();
        for limit in run.limits.lines().filter(|l| !l.trim().is_empty()) {
            if said.insert(limit) {
                eprintln!("    {}: {limit}", run.engine);
            }
        }
    }
    let failing: Vec<&str> = runs
        .iter()
        .filter(|run| !run.finished || !run.failed.is_empty())
        .map(|run| run.engine)
        .collect();
    if !failing.is_empty() {
        bail!("the end-to-end suite failed in {}", failing.join(", "));
    }
    if runs
        .iter()
        .any(|run| run.passed != runs[0].passed || run.passed == 0)
    {
        bail!("the engines did not pass the same number of scenarios");
    }
    Ok(())
}
