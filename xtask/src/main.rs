//! `cargo xtask …`: installs the pinned tools, builds, serves and tests Duro Portal.
//!
//! Every command runs `setup` first, which installs only what is missing or at
//! the wrong version, so a new machine and CI need nothing but Rust and Node.
use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use anyhow::{bail, Context, Result};
use clap::{Parser, Subcommand};

mod bench;
mod boundary;
mod engines;
mod fuzz;
mod fuzz_api;
mod names;
mod report;
mod sizes;

const TRUNK_VERSION: &str = "0.21.14";
/// The release wasm is built with this nightly: it builds std for the wasm
/// with `panic=immediate-abort`, 17 KB less brotli than stable (BENCHMARKS.md).
/// Stable still builds the app (`cargo xtask build --stable`, and the browser tests).
const WASM_NIGHTLY: &str = "nightly-2026-05-19";
const BINARYEN_VERSION: &str = "132.0.0";
/// Minifies the apps' JavaScript glue and the CSS (the bench peers use this esbuild too).
const ESBUILD_VERSION: &str = "0.28.2";
const AXE_CORE_VERSION: &str = "4.14.1";
const WASM_TARGET: &str = "wasm32-unknown-unknown";
const CHROMEDRIVER: &str = "/usr/bin/chromedriver";

#[derive(Parser)]
#[command(about = "Set up, build, serve and test Duro Portal")]
struct Cli {
    #[command(subcommand)]
    command: Task,
}

#[derive(Subcommand)]
enum Task {
    /// Install every pinned build and test tool that is missing (idempotent).
    Setup,
    /// Build the web app in release mode into dist/.
    Build {
        /// Build with the stable toolchain instead of the pinned nightly.
        #[arg(long)]
        stable: bool,
    },
    /// Build the app and the server, seed the demo data, and serve on http://127.0.0.1:8080.
    Serve,
    /// Format check, clippy, native tests, the release build, its size budget, browser
    /// tests (Chromium, Firefox) and the e2e suite in Chromium, Firefox and WebKit.
    Test {
        /// Run the end-to-end suite in this engine alone: chromium, firefox or webkit.
        #[arg(long)]
        engine: Option<String>,
    },
    /// Fuzz portal-core's email and code parsers and the API answers the app decodes.
    Fuzz {
        /// Seconds per target.
        #[arg(long, default_value_t = 60)]
        seconds: u64,
    },
    /// Contract fuzzing: schemathesis, all checks, against a running release server's /openapi.json.
    FuzzApi {
        /// Generated examples per operation.
        #[arg(long, default_value_t = 100)]
        examples: u32,
    },
    /// Customers on a release server that is killed with SIGKILL and restarted; checks nothing is lost.
    Soak {
        #[arg(long, default_value_t = 5)]
        minutes: u64,
        /// Kills during the soak.
        #[arg(long, default_value_t = 5)]
        kills: u32,
    },
    /// The built app's first-visit sizes against size-budget.json (no build).
    Sizes,
    /// The portal beside React, Preact and plain-JS peers: sizes, first visits, a
    /// 1,000-card render, the server under load; writes BENCHMARKS.md (~10 min).
    Bench {
        /// First visits of each page per condition.
        #[arg(long, default_value_t = 15)]
        runs: u32,
        /// A short run to try the benchmark itself (3 visits, short load phases).
        #[arg(long)]
        quick: bool,
    },
}

fn main() -> Result<()> {
    let cli = Cli::parse();
    let root = workspace_root();
    std::env::set_current_dir(&root)?;
    let tools = Tools::new(&root);
    // Each command installs what it uses: serving needs no browser.
    match cli.command {
        Task::Setup => {
            tools.setup_build()?;
            tools.setup_browser()
        }
        Task::Build { stable } => {
            tools.setup_build()?;
            build_app(
                &tools,
                if stable {
                    Toolchain::Stable
                } else {
                    Toolchain::Nightly
                },
            )
        }
        Task::Serve => {
            tools.setup_build()?;
            serve(&tools)
        }
        Task::Test { engine } => {
            let engines = engines::selected(engine.as_deref())?;
            tools.setup_build()?;
            tools.setup_browser()?;
            test(&tools, &engines)
        }
        Task::Sizes => sizes::guard(&root),
        Task::Fuzz { seconds } => fuzz::fuzz(&tools, seconds),
        Task::Soak { minutes, kills } => soak(&tools, minutes, kills),
        Task::FuzzApi { examples } => {
            tools.setup_build()?;
            fuzz_api::fuzz_api(&tools, examples)
        }
        Task::Bench { runs, quick } => {
            let runs = if quick { runs.min(3) } else { runs };
            bench::bench(&tools, &bench::Options { runs, quick })
        }
    }
}

fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("xtask lives one level below the workspace root")
        .to_path_buf()
}

/// npm prefixes under target/, one per use, so installing one never removes the
/// other (`npm install --no-save` drops packages a call does not name).
const BUILD_TOOLS: &str = "target/tools/build";
const TEST_TOOLS: &str = "target/tools/test";

/// Where the tools live and the PATH that finds them.
struct Tools {
    root: PathBuf,
    /// npm packages (wasm-opt) installed for this checkout.
    local_bin: PathBuf,
    path: OsString,
}

impl Tools {
    fn new(root: &Path) -> Tools {
        let local_bin = root.join(BUILD_TOOLS).join("node_modules/.bin");
        let cargo_bin = std::env::var_os("CARGO_HOME")
            .map(PathBuf::from)
            .or_else(|| std::env::var_os("HOME").map(|home| PathBuf::from(home).join(".cargo")))
            .map(|home| home.join("bin"));
        let mut dirs = vec![local_bin.clone()];
        dirs.extend(cargo_bin);
        dirs.extend(std::env::split_paths(
            &std::env::var_os("PATH").unwrap_or_default(),
        ));
        let path = std::env::join_paths(dirs).expect("PATH entries hold no separator");
        Tools {
            root: root.to_path_buf(),
            local_bin,
            path,
        }
    }

    fn command(&self, program: &str) -> Command {
        let mut command = Command::new(program);
        command.env("PATH", &self.path).current_dir(&self.root);
        command
    }

    /// The first line a tool prints for `--version`, or None if it is not there.
    fn version_of(&self, program: &str) -> Option<String> {
        let output = self.command(program).arg("--version").output().ok()?;
        output.status.success().then(|| {
            String::from_utf8_lossy(&output.stdout)
                .lines()
                .next()
                .unwrap_or_default()
                .trim()
                .to_string()
        })
    }

    /// What building the app needs: the wasm target, wasm-bindgen, Trunk, wasm-opt.
    fn setup_build(&self) -> Result<()> {
        let wasm_bindgen = pinned_wasm_bindgen(&self.root)?;
        step("rust target wasm32-unknown-unknown", || {
            let installed = self
                .command("rustup")
                .args(["target", "list", "--installed"])
                .output()?;
            if String::from_utf8_lossy(&installed.stdout)
                .lines()
                .any(|l| l.trim() == WASM_TARGET)
            {
                return Ok(Outcome::Present);
            }
            run(self.command("rustup").args(["target", "add", WASM_TARGET]))?;
            Ok(Outcome::Done)
        })?;
        step(
            &format!("rust toolchain {WASM_NIGHTLY} with rust-src (builds the release wasm's std)"),
            || {
                let components = self
                    .command("rustup")
                    .args([
                        "component",
                        "list",
                        "--installed",
                        "--toolchain",
                        WASM_NIGHTLY,
                    ])
                    .output()?;
                let installed = String::from_utf8_lossy(&components.stdout);
                if components.status.success() && installed.lines().any(|l| l.trim() == "rust-src")
                {
                    return Ok(Outcome::Present);
                }
                run(self.command("rustup").args([
                    "toolchain",
                    "install",
                    WASM_NIGHTLY,
                    "--profile",
                    "minimal",
                    "--component",
                    "rust-src",
                ]))?;
                Ok(Outcome::Done)
            },
        )?;
        step(&format!("wasm-bindgen-cli {wasm_bindgen}"), || {
            if self.version_of("wasm-bindgen").as_deref()
                == Some(&format!("wasm-bindgen {wasm_bindgen}"))
            {
                return Ok(Outcome::Present);
            }
            // Not --locked: the CLI's lock file does not resolve with this toolchain.
            self.cargo_install("wasm-bindgen-cli", &wasm_bindgen, false)?;
            Ok(Outcome::Done)
        })?;
        step(&format!("trunk {TRUNK_VERSION}"), || {
            if self.version_of("trunk").as_deref() == Some(&format!("trunk {TRUNK_VERSION}")) {
                return Ok(Outcome::Present);
            }
            self.cargo_install("trunk", TRUNK_VERSION, true)?;
            Ok(Outcome::Done)
        })?;
        step(
            &format!(
                "wasm-opt and esbuild (npm binaryen {BINARYEN_VERSION}, esbuild {ESBUILD_VERSION})"
            ),
            || {
                let wasm_opt = self.local_bin.join("wasm-opt");
                let esbuild = self.local_bin.join("esbuild");
                let major = BINARYEN_VERSION.split('.').next().unwrap_or_default();
                if wasm_opt.exists()
                    && self
                        .version_of(wasm_opt.to_str().unwrap_or_default())
                        .is_some_and(|v| v.contains(&format!("version {major}")))
                    && self
                        .version_of(esbuild.to_str().unwrap_or_default())
                        .as_deref()
                        == Some(ESBUILD_VERSION)
                {
                    return Ok(Outcome::Present);
                }
                // One call for both: `npm install --no-save` drops what it is not named.
                self.npm_install_all(
                    BUILD_TOOLS,
                    &[
                        &format!("binaryen@{BINARYEN_VERSION}"),
                        &format!("esbuild@{ESBUILD_VERSION}"),
                    ],
                )?;
                Ok(Outcome::Done)
            },
        )
    }

    /// What the browser and end-to-end tests need: the three engines and their
    /// drivers (engines.rs), axe-core.
    fn setup_browser(&self) -> Result<()> {
        step(&format!("axe-core {AXE_CORE_VERSION} (npm)"), || {
            let axe = self
                .root
                .join(TEST_TOOLS)
                .join("node_modules/axe-core/package.json");
            if std::fs::read_to_string(axe)
                .unwrap_or_default()
                .contains(&format!("\"version\": \"{AXE_CORE_VERSION}\""))
            {
                return Ok(Outcome::Present);
            }
            self.npm_install(TEST_TOOLS, &format!("axe-core@{AXE_CORE_VERSION}"))?;
            Ok(Outcome::Done)
        })?;
        self.setup_engines()
    }

    /// `cargo install` of one crate at its pinned version, replacing any other.
    fn cargo_install(&self, krate: &str, version: &str, locked: bool) -> Result<()> {
        let mut command = self.command("cargo");
        command.args(["install", krate, "--force", "--version", version]);
        if locked {
            command.arg("--locked");
        }
        run(&mut command)
    }

    fn npm_install(&self, prefix: &str, package: &str) -> Result<()> {
        self.npm_install_all(prefix, &[package])
    }

    fn npm_install_all(&self, prefix: &str, packages: &[&str]) -> Result<()> {
        run(self
            .command("npm")
            .args([
                "install",
                "--prefix",
                prefix,
                "--no-audit",
                "--no-fund",
                "--no-save",
            ])
            .args(packages))
    }
}

enum Outcome {
    Present,
    Done,
}

/// Runs one set-up or test step, printing what it is and how long it took.
fn step(name: &str, action: impl FnOnce() -> Result<Outcome>) -> Result<()> {
    let started = Instant::now();
    eprintln!("xtask: {name} …");
    let outcome = action().with_context(|| format!("step failed: {name}"))?;
    let verdict = match outcome {
        Outcome::Present => "already present",
        Outcome::Done => "done",
    };
    eprintln!(
        "xtask: {name}: {verdict} ({:.1}s)",
        started.elapsed().as_secs_f64()
    );
    Ok(())
}

/// A step that is one command.
fn run_step(name: &str, command: &mut Command) -> Result<()> {
    step(name, || {
        run(command)?;
        Ok(Outcome::Done)
    })
}

fn run(command: &mut Command) -> Result<()> {
    let status = command
        .status()
        .with_context(|| format!("could not start {:?}", command.get_program()))?;
    if !status.success() {
        bail!(
            "{:?} {:?} failed: {status}",
            command.get_program(),
            command.get_args().collect::<Vec<_>>()
        );
    }
    Ok(())
}

fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|out| String::from_utf8_lossy(&out.stdout).trim() == "0")
}

/// The wasm-bindgen version the lock file resolved; the CLI must match it exactly.
fn pinned_wasm_bindgen(root: &Path) -> Result<String> {
    let lock = std::fs::read_to_string(root.join("Cargo.lock")).context("reading Cargo.lock")?;
    let mut lines = lock.lines();
    while let Some(line) = lines.next() {
        if line.trim() == "name = \"wasm-bindgen\"" {
            if let Some(version) = lines
                .next()
                .and_then(|v| v.trim().strip_prefix("version = \""))
                .and_then(|v| v.strip_suffix('"'))
            {
                return Ok(version.to_string());
            }
        }
    }
    bail!("Cargo.lock has no wasm-bindgen entry")
}

#[derive(Clone, Copy)]
enum Toolchain {
    Stable,
    /// The pinned nightly, building std for the wasm too.
    Nightly,
}

impl Toolchain {
    /// The environment that makes cargo (run by us or by Trunk) build the wasm so.
    fn apply(self, command: &mut Command, root: &Path) {
        match self {
            // Stable reads .cargo/config.toml's rustflags for the wasm target.
            Toolchain::Stable => {}
            Toolchain::Nightly => {
                // The rustflags replace .cargo/config.toml's, so they repeat its cfg.
                command
                    .env("RUSTUP_TOOLCHAIN", WASM_NIGHTLY)
                    .env("CARGO_UNSTABLE_BUILD_STD", "std,panic_abort")
                    .env("CARGO_UNSTABLE_BUILD_STD_FEATURES", "optimize_for_size")
                    .env(
                        "CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUSTFLAGS",
                        "--cfg=erase_components -Zunstable-options -Cpanic=immediate-abort",
                    )
                    // Apart from the stable builds, so neither rebuilds the other's.
                    .env("CARGO_TARGET_DIR", root.join("target/wasm-nightly"));
            }
        }
    }

    fn target_dir(self, root: &Path) -> PathBuf {
        match self {
            Toolchain::Stable => root.join("target"),
            Toolchain::Nightly => root.join("target/wasm-nightly"),
        }
    }

    fn label(self) -> String {
        match self {
            Toolchain::Stable => "stable".to_string(),
            Toolchain::Nightly => format!("{WASM_NIGHTLY}, std built for size"),
        }
    }
}

/// The app is two programs: Trunk builds the sign-in app with index.html; the
/// account app, loaded after sign-in, is built beside it here.
fn build_app(tools: &Tools, toolchain: Toolchain) -> Result<()> {
    let mut trunk = tools.command("trunk");
    trunk.args(["build", "--release"]);
    toolchain.apply(&mut trunk, &tools.root);
    run_step(
        &format!(
            "trunk build --release: the sign-in app ({})",
            toolchain.label()
        ),
        &mut trunk,
    )?;
    let mut cargo = tools.command("cargo");
    cargo.args([
        "build",
        "--profile",
        WASM_PROFILE,
        "--target",
        WASM_TARGET,
        "-p",
        "portal-web",
        "--bin",
        ACCOUNT_APP,
    ]);
    toolchain.apply(&mut cargo, &tools.root);
    run_step(
        &format!("cargo build: the account app ({})", toolchain.label()),
        &mut cargo,
    )?;
    step(
        "short names between the sign-in app's wasm and its glue, no metadata",
        || {
            shorten_sign_in_app(&tools.root.join("dist"))?;
            Ok(Outcome::Done)
        },
    )?;
    step(
        "the account app into dist/ (wasm-bindgen, wasm-opt -Oz, short names, no metadata)",
        || {
            let wasm = toolchain
                .target_dir(&tools.root)
                .join(WASM_TARGET)
                .join(WASM_PROFILE)
                .join(format!("{ACCOUNT_APP}.wasm"));
            bundle_account_app(tools, &wasm)?;
            Ok(Outcome::Done)
        },
    )?;
    step("minify the JavaScript glue and the CSS (esbuild)", || {
        minify(tools, &tools.root.join("dist"))?;
        Ok(Outcome::Done)
    })?;
    step(
        "name the files cached for good by their final bytes",
        || {
            names::name_by_content(&tools.root.join("dist"))?;
            Ok(Outcome::Done)
        },
    )?;
    step("precompress dist/ (brotli, gzip)", || {
        precompress(&tools.root.join("dist"))?;
        Ok(Outcome::Done)
    })
}

/// The sign-in app's glue and wasm as Trunk left them in dist/, with the short
/// names of [`boundary`] and without the wasm's metadata (index.html's integrity
/// attributes are made again later).
fn shorten_sign_in_app(dist: &Path) -> Result<()> {
    let mut wasm_files = files_under(dist)?.into_iter().filter(|path| {
        path.file_name()
            .and_then(|name| name.to_str())
            .is_some_and(|name| name.starts_with("portal-web-") && name.ends_with("_bg.wasm"))
    });
    let (Some(wasm_path), None) = (wasm_files.next(), wasm_files.next()) else {
        bail!("dist/ should hold one portal-web-*_bg.wasm");
    };
    let glue_path = wasm_path.with_file_name(
        wasm_path
            .file_name()
            .and_then(|name| name.to_str())
            .context("a file name that is not UTF-8")?
            .replace("_bg.wasm", ".js"),
    );
    let glue = std::fs::read_to_string(&glue_path)
        .with_context(|| format!("reading {}", glue_path.display()))?;
    let (wasm, glue) = boundary::shorten(&std::fs::read(&wasm_path)?, &glue)?;
    std::fs::write(&wasm_path, boundary::without_metadata(&wasm)?)?;
    std::fs::write(&glue_path, glue)?;
    Ok(())
}

const ACCOUNT_APP: &str = "portal-account";
/// The cargo profile for both apps' wasm (index.html names it for Trunk).
const WASM_PROFILE: &str = "wasm-release";

/// wasm-bindgen and wasm-opt as Trunk runs them, files named by their content
/// (`names`: the server caches them for good), and index.html told where they
/// are (`<meta name="portal-account">`, read by the sign-in app).
fn bundle_account_app(tools: &Tools, wasm: &Path) -> Result<()> {
    let out = tools.root.join("target/account-bundle");
    if out.exists() {
        std::fs::remove_dir_all(&out)?;
    }
    let out_arg = out.to_str().context("the workspace path is not UTF-8")?;
    let wasm_arg = wasm.to_str().context("the workspace path is not UTF-8")?;
    run(tools
        .command("wasm-bindgen")
        .args(["--target", "web", "--out-dir", out_arg, wasm_arg]))?;
    let bound = out.join(format!("{ACCOUNT_APP}_bg.wasm"));
    let optimized = out.join("optimized.wasm");
    run(tools.command("wasm-opt").args([
        "-Oz",
        "--enable-bulk-memory",
        "--enable-nontrapping-float-to-int",
        "--enable-sign-ext",
        "--enable-mutable-globals",
        "--enable-reference-types",
        "--strip-debug",
        "--strip-producers",
        bound.to_str().context("UTF-8 path")?,
        "-o",
        optimized.to_str().context("UTF-8 path")?,
    ]))?;
    let js = std::fs::read_to_string(out.join(format!("{ACCOUNT_APP}.js")))?;
    let (wasm, js) = boundary::shorten(&std::fs::read(&optimized)?, &js)
        .context("short names between the account app's wasm and its glue")?;
    let wasm = boundary::without_metadata(&wasm)?;
    // Named again once esbuild has minified the glue (`names`).
    let name = names::content_name(ACCOUNT_APP, &[js.as_bytes(), &wasm]);
    let dist = tools.root.join("dist");
    std::fs::write(dist.join(format!("{name}.js")), &js)?;
    std::fs::write(dist.join(format!("{name}_bg.wasm")), &wasm)?;
    // Inline JS the account app's glue imports (Trunk copies the sign-in app's).
    let snippets = out.join("snippets");
    if snippets.exists() {
        copy_dir(&snippets, &dist.join("snippets"))?;
    }
    let index_path = dist.join("index.html");
    let index = std::fs::read_to_string(&index_path)?;
    let meta = format!("<meta name=\"{ACCOUNT_APP}\" content=\"/{name}.js\">\n</head>");
    anyhow::ensure!(index.contains("</head>"), "dist/index.html has no </head>");
    std::fs::write(&index_path, index.replacen("</head>", &meta, 1))?;
    Ok(())
}

/// Neither Trunk (its JavaScript minifier fails on wasm-bindgen's glue and
/// leaves it whole) nor wasm-bindgen minifies: esbuild does, file by file (no
/// bundling), the glue of both apps, their snippets and the CSS; a sixth less
/// brotli for the glue, a fifth for the CSS. embed.js stays as written: merchants
/// read it. Then index.html's integrity attributes are made again to match.
fn minify(tools: &Tools, dist: &Path) -> Result<()> {
    let esbuild = tools.local_bin.join("esbuild");
    let esbuild = esbuild
        .to_str()
        .context("the workspace path is not UTF-8")?;
    let files = files_under(dist)?.into_iter().filter(|path| {
        path.extension().is_some_and(|e| e == "js" || e == "css")
            && path.file_name().is_some_and(|name| name != "embed.js")
    });
    for file in files {
        let file = file.to_str().context("the workspace path is not UTF-8")?;
        run(tools.command(esbuild).args([
            file,
            "--minify",
            "--charset=utf8",
            "--log-level=warning",
            "--allow-overwrite",
            &format!("--outfile={file}"),
        ]))?;
    }
    let index_path = dist.join("index.html");
    let index = std::fs::read_to_string(&index_path)?;
    std::fs::write(&index_path, with_integrity_of(dist, &index)?)?;
    Ok(())
}

/// index.html with each `integrity` attribute made from the file its tag names
/// (`href` or `src`), as Trunk writes them: `sha384-<base64>`.
fn with_integrity_of(dist: &Path, index: &str) -> Result<String> {
    use base64::Engine;
    use sha2::Digest;
    const ATTRIBUTE: &str = "integrity=\"";
    let mut out = String::with_capacity(index.len());
    let mut rest = index;
    while let Some(at) = rest.find(ATTRIBUTE) {
        let tag_start = rest[..at]
            .rfind('<')
            .context("an integrity outside a tag")?;
        let tag_end = at + rest[at..].find('>').context("an unclosed tag")?;
        let tag = &rest[tag_start..tag_end];
        let url = ["href=\"", "src=\""]
            .iter()
            .find_map(|name| {
                let from = tag.find(name)? + name.len();
                Some(&tag[from..from + tag[from..].find('"')?])
            })
            .with_context(|| format!("a tag with integrity names no file: {tag}"))?;
        let bytes = std::fs::read(dist.join(url.trim_start_matches('/')))
            .with_context(|| format!("reading {url}, named in index.html"))?;
        let digest = base64::engine::general_purpose::STANDARD.encode(sha2::Sha384::digest(&bytes));
        let value_start = at + ATTRIBUTE.len();
        let value_end = value_start
            + rest[value_start..]
                .find('"')
                .context("an unclosed integrity")?;
        out.push_str(&rest[..value_start]);
        out.push_str(&format!("sha384-{digest}"));
        rest = &rest[value_end..];
    }
    out.push_str(rest);
    Ok(out)
}

fn copy_dir(from: &Path, to: &Path) -> Result<()> {
    std::fs::create_dir_all(to)?;
    for entry in std::fs::read_dir(from)? {
        let entry = entry?;
        let target = to.join(entry.file_name());
        if entry.file_type()?.is_dir() {
            copy_dir(&entry.path(), &target)?;
        } else {
            std::fs::copy(entry.path(), target)?;
        }
    }
    Ok(())
}

/// A file as the server sends it: brotli -q 11 and gzip -9 (the sizes
/// `cargo xtask sizes` reports are these same bytes).
fn compress(bytes: &[u8]) -> Result<(Vec<u8>, Vec<u8>)> {
    use std::io::Write;
    let mut brotli = Vec::new();
    let params = brotli::enc::BrotliEncoderParams {
        quality: 11,
        ..Default::default()
    };
    brotli::BrotliCompress(&mut &bytes[..], &mut brotli, &params)?;
    let mut gzip = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    gzip.write_all(bytes)?;
    Ok((brotli, gzip.finish()?))
}

/// Writes `.br` and `.gz` beside each text and wasm asset, so the server can send
/// them to browsers that accept them (a third of the bytes for the wasm).
fn precompress(dist: &Path) -> Result<()> {
    // Trunk puts wasm-bindgen's inline JS in snippets/.
    for path in files_under(dist)? {
        let compressible = path
            .extension()
            .and_then(|e| e.to_str())
            .is_some_and(|e| matches!(e, "wasm" | "js" | "css" | "html" | "svg"));
        // config.json stays plain: people edit it in place to pick the API host.
        if !compressible {
            continue;
        }
        let (brotli, gzip) = compress(&std::fs::read(&path)?)?;
        let name = path
            .file_name()
            .and_then(|n| n.to_str())
            .context("file name")?;
        std::fs::write(path.with_file_name(format!("{name}.br")), brotli)?;
        std::fs::write(path.with_file_name(format!("{name}.gz")), gzip)?;
    }
    Ok(())
}

/// Every file in `dir` and its folders.
fn files_under(dir: &Path) -> Result<Vec<PathBuf>> {
    let mut files = Vec::new();
    let mut folders = vec![dir.to_path_buf()];
    while let Some(folder) = folders.pop() {
        for entry in std::fs::read_dir(&folder)? {
            let path = entry?.path();
            if path.is_dir() {
                folders.push(path);
            } else {
                files.push(path);
            }
        }
    }
    Ok(files)
}

const DEMO_EMAIL: &str = "ada@example.com";
const SERVE_URL: &str = "http://127.0.0.1:8080";

fn serve(tools: &Tools) -> Result<()> {
    build_app(tools, Toolchain::Nightly)?;
    run_step(
        "build portal-server",
        tools
            .command("cargo")
            .args(["build", "-p", "portal-server"]),
    )?;
    let server = tools.root.join("target/debug/portal-server");
    let server = server.to_str().context("the workspace path is not UTF-8")?;
    // Idempotent: adds the demo data only to a database without it.
    run(tools.command(server).args(["seed", "--demo"]))?;
    let link = tools
        .command(server)
        .args(["link", "--email", DEMO_EMAIL])
        .output()?;
    if !link.status.success() {
        bail!(
            "portal-server link failed: {}",
            String::from_utf8_lossy(&link.stderr)
        );
    }
    let link = String::from_utf8_lossy(&link.stdout).trim().to_string();
    eprintln!(
        "\n  Duro Portal: {SERVE_URL}\n  \
         Portal link for the demo customer {DEMO_EMAIL}:\n    {link}\n  \
         Sign-in codes appear in this log and at {SERVE_URL}/dev/outbox (dev mode: no SMTP).\n  \
         Data lives in data/ (delete it to start over). Ctrl-C stops the server.\n"
    );
    run(tools.command(server).args(["serve", "--dev"]))
}

/// Release builds of the workspace's native programs, into target/release/.
fn build_release(tools: &Tools, packages: &[&str]) -> Result<()> {
    let mut cargo = tools.command("cargo");
    cargo.args(["build", "--release"]);
    for package in packages {
        cargo.args(["-p", package]);
    }
    run_step(
        &format!("cargo build --release: {}", packages.join(", ")),
        &mut cargo,
    )
}

/// The soak runs in portal-bench (loopback only, bounded by --minutes).
fn soak(tools: &Tools, minutes: u64, kills: u32) -> Result<()> {
    build_release(tools, &["portal-server", "portal-bench"])?;
    let root = &tools.root;
    run_step(
        &format!("soak: {minutes} min, {kills} kills"),
        tools
            .command(
                root.join("target/release/portal-bench")
                    .to_str()
                    .context("UTF-8 path")?,
            )
            .arg("soak")
            .arg("--server-bin")
            .arg(root.join("target/release/portal-server"))
            .args(["--seconds", &(minutes * 60).to_string()])
            .args(["--kills", &kills.to_string()])
            .arg("--out")
            .arg(root.join("target/soak/soak.json")),
    )
}

fn test(tools: &Tools, engines: &[&'static str]) -> Result<()> {
    let started = Instant::now();
    run_step(
        "cargo fmt --check",
        tools.command("cargo").args(["fmt", "--all", "--check"]),
    )?;
    run_step(
        "clippy (native)",
        tools.command("cargo").args([
            "clippy",
            "--workspace",
            "--all-targets",
            "--",
            "-D",
            "warnings",
        ]),
    )?;
    run_step(
        "clippy (wasm web app)",
        tools.command("cargo").args([
            "clippy",
            "-p",
            "portal-web",
            "--all-targets",
            "--target",
            WASM_TARGET,
            "--",
            "-D",
            "warnings",
        ]),
    )?;
    // The sign-in app is built without the account feature (index.html says so):
    // what only the account app uses must not leave it warnings or errors.
    run_step(
        "clippy (wasm sign-in app, without the account app)",
        tools.command("cargo").args([
            "clippy",
            "-p",
            "portal-web",
            "--no-default-features",
            "--bin",
            "portal-web",
            "--target",
            WASM_TARGET,
            "--",
            "-D",
            "warnings",
        ]),
    )?;
    run_step(
        "portal-core builds without std",
        tools
            .command("cargo")
            .args(["build", "-p", "portal-core", "--no-default-features"]),
    )?;
    run_step(
        "native tests",
        tools
            .command("cargo")
            .args(["test", "--workspace", "--exclude", "portal-e2e"]),
    )?;
    build_app(tools, Toolchain::Nightly)?;
    step("first-visit size budget (size-budget.json)", || {
        sizes::guard(&tools.root)?;
        Ok(Outcome::Done)
    })?;
    step("files cached for good are named by their content", || {
        names::check(&tools.root.join("dist"))?;
        Ok(Outcome::Done)
    })?;
    run_step(
        "browser tests (headless Chromium)",
        tools
            .command("cargo")
            .args(["test", "-p", "portal-web", "--target", WASM_TARGET])
            .env("CHROMEDRIVER", CHROMEDRIVER),
    )?;
    run_step(
        "browser tests (headless Firefox)",
        tools
            .command("cargo")
            .args(["test", "-p", "portal-web", "--target", WASM_TARGET])
            .env("GECKODRIVER", tools.geckodriver()),
    )?;
    step("end-to-end suite (real server; each engine)", || {
        engines::end_to_end(tools, engines)?;
        Ok(Outcome::Done)
    })?;
    eprintln!(
        "xtask: all tests passed in {:.0}s",
        started.elapsed().as_secs_f64()
    );
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn integrity_attributes_are_made_from_the_files_their_tags_name() {
        let dist = std::env::temp_dir().join(format!("xtask-integrity-{}", std::process::id()));
        std::fs::create_dir_all(dist.join("snippets")).unwrap();
        std::fs::write(dist.join("app.js"), "x").unwrap();
        std::fs::write(dist.join("snippets/a.js"), "").unwrap();
        let index = "<link rel=\"modulepreload\" href=\"/app.js\" integrity=\"sha384-old\">\n\
                     <link integrity=\"sha384-old\" href=\"/snippets/a.js\" rel=\"modulepreload\">\n\
                     <link rel=\"icon\" href=\"/favicon.svg\">";
        let made = with_integrity_of(&dist, index).unwrap();
        // `printf x | openssl dgst -sha384 -binary | base64`, and the same of nothing.
        assert_eq!(
            made,
            "<link rel=\"modulepreload\" href=\"/app.js\" integrity=\"sha384-11LCxR+6DimqGQVwqdQlPkQHegWNMpf6OlYw1b0BJiL5fCisrtMTtcg7uZDKp9qF\">\n\
             <link integrity=\"sha384-OLBgp1GsljhM2TJ+sbHjaiH9txEUvgdDTAzHv2P24donTt6/529l+9Ua0vFImLlb\" href=\"/snippets/a.js\" rel=\"modulepreload\">\n\
             <link rel=\"icon\" href=\"/favicon.svg\">"
        );
        let missing = "<link href=\"/gone.js\" integrity=\"sha384-old\">";
        assert!(with_integrity_of(&dist, missing).is_err());
        std::fs::remove_dir_all(&dist).unwrap();
    }
}
