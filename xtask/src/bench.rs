//! `cargo xtask bench`: the portal beside the React, Preact and plain-JS pages
//! of the same form, in one run on this machine, written to BENCHMARKS.md.
//!
//! Everything is measured here, side by side, because this machine is noisy:
//! only medians and ratios from the same run are compared.
use std::path::{Path, PathBuf};
use std::process::{Child, Command};
use std::time::{Duration, Instant};

use anyhow::{bail, Context, Result};
use serde_json::{json, Value};

use crate::sizes::{self, Asset};
use crate::{
    build_app, build_release, precompress, run, run_step, step, Outcome, Toolchain, Tools,
};

const BENCH_TOOLS: &str = "target/tools/bench";
const OUT: &str = "target/bench";
const PEERS: [&str; 3] = ["react", "preact", "vanilla"];
/// 100 merchants × 10, and one merchant with all 1,000 (memory must stay linear).
const WIDE_ACCOUNT: &str = "wide@bench.example";
const TALL_ACCOUNT: &str = "tall@bench.example";
/// A phone on a slow mobile network, as issue 9 measured.
const THROTTLE: &str = r#"{"rttMs":150,"downKbps":1600,"upKbps":750,"cpu":4}"#;

pub struct Options {
    pub runs: u32,
    pub quick: bool,
}

pub fn bench(tools: &Tools, options: &Options) -> Result<()> {
    let started = Instant::now();
    let root = &tools.root;
    let out = root.join(OUT);
    std::fs::create_dir_all(&out)?;
    setup(tools)?;
    build_app(tools, Toolchain::Nightly)?;
    build_release(tools, &["portal-server", "portal-bench"])?;
    build_peers(tools)?;
    let server_bin = root.join("target/release/portal-server");

    step("sizes of each page's first visit", || {
        let mut pages = serde_json::Map::new();
        pages.insert("portal".into(), page_sizes(&root.join("dist"))?);
        for peer in PEERS {
            pages.insert(peer.into(), page_sizes(&out.join("peers").join(peer))?);
        }
        let account: Vec<Value> = sizes::account_app(&root.join("dist"))?
            .iter()
            .map(Asset::to_json)
            .collect();
        write(
            &out.join("sizes.json"),
            &json!({ "pages": pages, "account": account }),
        )?;
        Ok(Outcome::Done)
    })?;

    // One server per page, each with its own fresh database.
    let mut servers = vec![("portal", Served::start(&server_bin, &root.join("dist"))?)];
    for peer in PEERS {
        servers.push((
            peer,
            Served::start(&server_bin, &out.join("peers").join(peer))?,
        ));
    }
    let pages: Vec<Value> = servers
        .iter()
        .map(|(name, served)| json!({ "name": name, "url": format!("{}/", served.base) }))
        .collect();
    let node = |script: &str| {
        let mut command = tools.command("node");
        command
            .arg(root.join("bench/browser").join(script))
            .env("BENCH_MODULES", root.join(BENCH_TOOLS).join("node_modules"));
        command
    };
    for (label, throttle) in [("throttled", THROTTLE), ("unthrottled", "null")] {
        let config = out.join(format!("load-{label}.config.json"));
        let throttle: Value = serde_json::from_str(throttle)?;
        write(
            &config,
            &json!({
                "pages": pages, "runs": options.runs, "throttle": throttle,
                "out": out.join(format!("load-{label}.json")),
            }),
        )?;
        run_step(
            &format!("first visits, {label}, {} runs each", options.runs),
            node("load.mjs").arg(&config),
        )?;
    }
    let render_runs = if options.quick { 2 } else { 5 };
    for (name, served) in servers
        .iter()
        .filter(|(n, _)| matches!(*n, "portal" | "react"))
    {
        for (shape, email) in [("100x10", WIDE_ACCOUNT), ("1x1000", TALL_ACCOUNT)] {
            let result = out.join(format!("render-{name}-{shape}.json"));
            run_step(
                &format!("render 1,000 cards ({shape}) after sign-in: {name}"),
                node("render.mjs").args([
                    served.base.as_str(),
                    email,
                    "1000",
                    &render_runs.to_string(),
                    "1",
                    result.to_str().context("UTF-8 path")?,
                ]),
            )?;
        }
    }
    drop(servers);

    let bench_bin = root.join("target/release/portal-bench");
    let (seconds, saturation) = if options.quick {
        ("3", "2")
    } else {
        ("10", "5")
    };
    run_step(
        "server: start, verify and listing at 250/500/1,000 per second, then saturated",
        tools
            .command(bench_bin.to_str().context("UTF-8 path")?)
            .args([
                "server",
                "--server-bin",
                server_bin.to_str().context("UTF-8 path")?,
                "--seconds",
                seconds,
                "--saturation-seconds",
                saturation,
                "--out",
                out.join("server.json").to_str().context("UTF-8 path")?,
            ]),
    )?;
    run_step(
        "server: static files on one kept-alive connection",
        tools
            .command(bench_bin.to_str().context("UTF-8 path")?)
            .args([
                "static",
                "--server-bin",
                server_bin.to_str().context("UTF-8 path")?,
                "--dist",
                root.join("dist").to_str().context("UTF-8 path")?,
                "--out",
                out.join("static.json").to_str().context("UTF-8 path")?,
            ]),
    )?;
    let mut criterion = tools.command("cargo");
    criterion.args(["bench", "-p", "portal-server", "--bench", "listing"]);
    if options.quick {
        criterion.args(["--", "--warm-up-time", "1", "--measurement-time", "2"]);
    }
    run_step(
        "listing: the query and the JSON (criterion)",
        &mut criterion,
    )?;
    step("BENCHMARKS.md", || {
        let report = crate::report::write(root, options, started.elapsed())?;
        std::fs::write(root.join("BENCHMARKS.md"), report)?;
        Ok(Outcome::Done)
    })
}

fn page_sizes(dir: &Path) -> Result<Value> {
    let assets = sizes::first_visit(dir)?;
    Ok(json!({
        "assets": assets.iter().map(Asset::to_json).collect::<Vec<_>>(),
        "brotli": sizes::total(&assets, |a| a.brotli),
        "gzip": sizes::total(&assets, |a| a.gzip),
        "raw": sizes::total(&assets, |a| a.raw),
    }))
}

/// The peers' npm packages, exactly as bench/peers/package-lock.json pins them.
fn setup(tools: &Tools) -> Result<()> {
    tools.setup_build()?;
    tools.setup_browser()?;
    step("bench peers' npm packages (npm ci)", || {
        let prefix = tools.root.join(BENCH_TOOLS);
        let lock = tools.root.join("bench/peers/package-lock.json");
        let installed = prefix.join("package-lock.json");
        let wanted = std::fs::read(&lock)?;
        if std::fs::read(&installed).ok().as_ref() == Some(&wanted)
            && prefix.join("node_modules/.bin/esbuild").exists()
        {
            return Ok(Outcome::Present);
        }
        std::fs::create_dir_all(&prefix)?;
        std::fs::copy(
            tools.root.join("bench/peers/package.json"),
            prefix.join("package.json"),
        )?;
        std::fs::write(&installed, &wanted)?;
        // No install scripts: esbuild's only checks the binary its platform
        // package already brings.
        run(tools.command("npm").current_dir(&prefix).args([
            "ci",
            "--ignore-scripts",
            "--no-audit",
            "--no-fund",
        ]))?;
        Ok(Outcome::Done)
    })
}

/// Each peer: one esbuild bundle, the portal's own shell (index.html without
/// Trunk's links), built CSS, config.json and icon, precompressed as dist/ is.
fn build_peers(tools: &Tools) -> Result<()> {
    let root = &tools.root;
    let esbuild = root.join(BENCH_TOOLS).join("node_modules/.bin/esbuild");
    let shell = std::fs::read_to_string(root.join("index.html"))?;
    let shell: String = shell
        .lines()
        .filter(|line| !line.contains("data-trunk"))
        .map(|line| format!("{line}\n"))
        .collect();
    let head = "  <link rel=\"stylesheet\" href=\"/style.css\">\n  \
                <script type=\"module\" src=\"/app.js\"></script>\n</head>";
    anyhow::ensure!(shell.contains("</head>"), "index.html has no </head>");
    let shell = shell.replacen("</head>", head, 1);
    // The portal's CSS as dist/ sends it (minified), so every page gets the same.
    let css = std::fs::read_dir(root.join("dist"))?
        .filter_map(|entry| entry.ok().map(|entry| entry.path()))
        .find(|path| {
            path.file_name()
                .and_then(|name| name.to_str())
                .is_some_and(|name| name.starts_with("style-") && name.ends_with(".css"))
        })
        .context("dist/ has no style-<hash>.css: build first")?;
    for peer in PEERS {
        step(&format!("bench peer: {peer} (esbuild)"), || {
            let dir = root.join(OUT).join("peers").join(peer);
            if dir.exists() {
                std::fs::remove_dir_all(&dir)?;
            }
            std::fs::create_dir_all(&dir)?;
            let mut command = tools.command(esbuild.to_str().context("UTF-8 path")?);
            let entry = if peer == "vanilla" {
                "bench/peers/src/vanilla.js".to_string()
            } else {
                format!("bench/peers/src/{peer}.jsx")
            };
            command
                .env("NODE_PATH", root.join(BENCH_TOOLS).join("node_modules"))
                .args([
                    entry.as_str(),
                    "--bundle",
                    "--minify",
                    "--format=esm",
                    "--target=es2022",
                    "--jsx=automatic",
                    "--log-level=warning",
                    "--define:process.env.NODE_ENV=\"production\"",
                ])
                .arg(format!("--outfile={}", dir.join("app.js").display()));
            match peer {
                "react" => command.args(["--jsx-import-source=react", "--alias:peer-hooks=react"]),
                "preact" => command.args([
                    "--jsx-import-source=preact",
                    "--alias:peer-hooks=preact/hooks",
                ]),
                _ => &mut command,
            };
            run(&mut command)?;
            std::fs::write(dir.join("index.html"), &shell)?;
            std::fs::copy(&css, dir.join("style.css"))?;
            std::fs::copy(root.join("public/favicon.svg"), dir.join("favicon.svg"))?;
            std::fs::copy(root.join("dist/config.json"), dir.join("config.json"))?;
            precompress(&dir)?;
            Ok(Outcome::Done)
        })?;
    }
    Ok(())
}

/// A release portal-server on a free port with a fresh database holding the
/// demo data and the two big accounts; stopped (its PID only) when dropped.
pub struct Served {
    child: Child,
    pub base: String,
    _dir: TempDir,
}

impl Served {
    pub fn start(server_bin: &Path, dist: &Path) -> Result<Served> {
        let dir = TempDir::new()?;
        let db = dir.0.join("portal.db");
        let db_arg = db.to_str().context("UTF-8 path")?;
        let bin = server_bin.to_str().context("UTF-8 path")?;
        run(Command::new(bin).args(["seed", "--demo", "--database", db_arg]))?;
        run(Command::new(bin).args([
            "seed",
            "--large-account",
            WIDE_ACCOUNT,
            "--database",
            db_arg,
        ]))?;
        run(Command::new(bin).args([
            "seed",
            "--large-account",
            TALL_ACCOUNT,
            "--merchants",
            "1",
            "--each",
            "1000",
            "--database",
            db_arg,
        ]))?;
        let log = dir.0.join("server.log");
        let log_file = std::fs::File::create(&log)?;
        let child = Command::new(bin)
            .args([
                "serve",
                "--dev",
                "--listen",
                "127.0.0.1:0",
                "--database",
                db_arg,
            ])
            .arg("--dist")
            .arg(dist)
            .stdout(log_file.try_clone()?)
            .stderr(log_file)
            .spawn()?;
        let mut served = Served {
            child,
            base: String::new(),
            _dir: dir,
        };
        let deadline = Instant::now() + Duration::from_secs(15);
        while Instant::now() < deadline {
            let text = std::fs::read_to_string(&log).unwrap_or_default();
            if let Some(at) = text.find("http://127.0.0.1:") {
                let rest = &text[at..];
                let end = rest
                    .find(|c: char| !(c.is_ascii_alphanumeric() || ":/.".contains(c)))
                    .unwrap_or(rest.len());
                served.base = rest[..end].to_string();
                return Ok(served);
            }
            if let Some(status) = served.child.try_wait()? {
                bail!("portal-server exited ({status}): {text}");
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        bail!("portal-server did not say where it listens within 15 s")
    }
}

impl Drop for Served {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A folder under the system's temporary directory, removed when dropped.
struct TempDir(PathBuf);

impl TempDir {
    fn new() -> Result<TempDir> {
        use std::sync::atomic::{AtomicU32, Ordering};
        static NEXT: AtomicU32 = AtomicU32::new(0);
        let path = std::env::temp_dir().join(format!(
            "portal-bench-{}-{}",
            std::process::id(),
            NEXT.fetch_add(1, Ordering::Relaxed)
        ));
        std::fs::create_dir_all(&path)?;
        Ok(TempDir(path))
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn write(path: &Path, value: &Value) -> Result<()> {
    std::fs::write(path, serde_json::to_vec_pretty(value)?)
        .with_context(|| format!("writing {}", path.display()))
}
