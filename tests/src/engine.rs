//! The browser engines the suite runs in, each behind its own WebDriver server:
//! Chromium (ChromeDriver), Firefox (geckodriver) and WebKit (WebKitWebDriver
//! driving WebKitGTK's MiniBrowser on a private Xvfb display). `cargo xtask setup`
//! installs all three; `E2E_ENGINE` picks the one a run uses.
use std::fmt;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::Duration;

use anyhow::{bail, Context, Result};
use serde_json::{json, Map, Value};
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::{Child, Command};

use crate::{wait_until, DESKTOP};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Engine {
    Chromium,
    Firefox,
    WebKit,
}

pub const CHROMEDRIVER: &str = "/usr/bin/chromedriver";
pub const WEBKIT_DRIVER: &str = "/usr/bin/WebKitWebDriver";
const MINIBROWSER: &str = "/usr/lib/x86_64-linux-gnu/webkit2gtk-4.1/MiniBrowser";
const FIREFOX: &str = "/usr/bin/firefox-esr";

impl Engine {
    pub const ALL: [Engine; 3] = [Engine::Chromium, Engine::Firefox, Engine::WebKit];

    pub fn name(self) -> &'static str {
        match self {
            Engine::Chromium => "chromium",
            Engine::Firefox => "firefox",
            Engine::WebKit => "webkit",
        }
    }

    pub fn from_name(name: &str) -> Result<Engine> {
        Engine::ALL
            .into_iter()
            .find(|engine| engine.name() == name.trim().to_ascii_lowercase())
            .with_context(|| {
                format!("E2E_ENGINE={name:?} is not an engine: use chromium, firefox or webkit")
            })
    }

    /// The engine this run uses: `E2E_ENGINE`, or Chromium when it is unset.
    pub fn selected() -> Result<Engine> {
        match std::env::var("E2E_ENGINE") {
            Ok(name) if !name.trim().is_empty() => Engine::from_name(&name),
            _ => Ok(Engine::Chromium),
        }
    }

    /// What this engine's driver cannot give the suite, whatever the scenario
    /// (the harness notes others as it meets them, such as a window's minimum width).
    pub fn limits(self) -> &'static [&'static str] {
        match self {
            Engine::Chromium | Engine::Firefox => &[],
            Engine::WebKit => &[
                "the browser console is not readable: WebKitWebDriver has no log endpoint and \
                 MiniBrowser does not write an automated page's console to stdout, so uncaught \
                 errors, rejections and console.error are recorded by a listener the suite adds to \
                 the top page after each load (not inside frames); an error before the load event \
                 shows only as the step that waits for the page failing",
            ],
        }
    }

    /// Whether the console is read from the page itself (see `limits`).
    pub(crate) fn records_errors_in_page(self) -> bool {
        self == Engine::WebKit
    }
}

impl fmt::Display for Engine {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A running WebDriver server (and, for WebKit, the display its browser draws on).
pub struct Driver {
    pub engine: Engine,
    pub port: u16,
    process: Child,
    display: Option<Child>,
    /// The driver's stdout and stderr (Firefox writes the page console there).
    log: PathBuf,
}

impl Driver {
    pub async fn start(engine: Engine, dir: &Path) -> Result<Driver> {
        let port = crate::free_port()?;
        let log = dir.join(format!("{engine}-driver.log"));
        let out = std::fs::File::create(&log)?;
        let mut display = None;
        let mut command = match engine {
            Engine::Chromium => {
                let mut command = Command::new(CHROMEDRIVER);
                command.arg(format!("--port={port}"));
                command
            }
            Engine::Firefox => {
                let mut command = Command::new(geckodriver());
                command.args(["--port", &port.to_string()]);
                command
            }
            Engine::WebKit => {
                let mut command = Command::new(WEBKIT_DRIVER);
                command.arg(format!("--port={port}"));
                if std::env::var("E2E_HEADED").is_err() || std::env::var("DISPLAY").is_err() {
                    let (xvfb, number) = start_xvfb().await?;
                    command.env("DISPLAY", format!(":{number}"));
                    display = Some(xvfb);
                }
                command
            }
        };
        let process = command
            .stdout(out.try_clone()?)
            .stderr(out)
            .kill_on_drop(true)
            .spawn()
            .with_context(|| {
                format!("starting the {engine} driver (cargo xtask setup installs it)")
            })?;
        wait_until(&format!("the {engine} driver on port {port}"), || async {
            let up = tokio::net::TcpStream::connect(("127.0.0.1", port)).await;
            Ok(up.is_ok().then_some(()))
        })
        .await?;
        Ok(Driver {
            engine,
            port,
            process,
            display,
            log,
        })
    }

    /// The session's capabilities: headless (WebKit draws on Xvfb instead),
    /// a fresh profile, no background traffic, desktop window size.
    pub fn capabilities(&self, profile: &Path) -> Map<String, Value> {
        let headless = std::env::var("E2E_HEADED").is_err();
        let mut capabilities = Map::new();
        match self.engine {
            Engine::Chromium => {
                let mut args = vec![
                    "--no-sandbox".to_string(),
                    "--disable-gpu".into(),
                    "--disable-background-networking".into(),
                    "--disable-component-update".into(),
                    "--disable-sync".into(),
                    "--no-first-run".into(),
                    "--disable-dev-shm-usage".into(),
                    format!("--user-data-dir={}", profile.display()),
                    format!("--window-size={},{}", DESKTOP.0, DESKTOP.1),
                ];
                if headless {
                    args.push("--headless=new".into());
                }
                capabilities.insert(
                    "goog:chromeOptions".into(),
                    json!({ "binary": "/usr/bin/chromium", "args": args }),
                );
                capabilities.insert("goog:loggingPrefs".into(), json!({ "browser": "ALL" }));
            }
            Engine::Firefox => {
                // The window is sized by WebDriver (`Portal::size`).
                let args: &[&str] = if headless { &["-headless"] } else { &[] };
                capabilities.insert(
                    "moz:firefoxOptions".into(),
                    json!({
                        "binary": FIREFOX,
                        "args": args,
                        "prefs": {
                            // The page's console goes to stdout: the driver log.
                            "devtools.console.stdout.content": true,
                            "browser.shell.checkDefaultBrowser": false,
                            "app.update.enabled": false,
                            "network.captive-portal-service.enabled": false,
                        },
                        "log": { "level": "error" },
                    }),
                );
            }
            Engine::WebKit => {
                capabilities.insert(
                    "webkitgtk:browserOptions".into(),
                    json!({ "binary": MINIBROWSER, "args": ["--automation"] }),
                );
            }
        }
        capabilities
    }

    /// The driver's own log, kept beside a failure's screenshot.
    pub fn log(&self) -> &Path {
        &self.log
    }

    /// Console entries the driver's log holds (Firefox writes them there):
    /// `(level, message)`, only those of pages, not of the browser's own chrome.
    pub fn logged_console(&self) -> Vec<(String, String)> {
        let log = std::fs::read_to_string(&self.log).unwrap_or_default();
        log.lines()
            .filter_map(|line| {
                if let Some(rest) = line.strip_prefix("JavaScript error: ") {
                    // Errors of the browser itself name resource:// or chrome:// files.
                    return rest
                        .starts_with("http")
                        .then(|| ("SEVERE".to_string(), format!("Uncaught {rest}")));
                }
                let (level, message) = line.strip_prefix("console.")?.split_once(": ")?;
                Some((level.to_ascii_uppercase(), message.to_string()))
            })
            .collect()
    }

    pub async fn stop(&mut self) {
        let _ = self.process.kill().await;
        if let Some(display) = self.display.as_mut() {
            let _ = display.kill().await;
        }
    }
}

/// geckodriver as `cargo install` puts it, or from PATH.
fn geckodriver() -> PathBuf {
    let home = std::env::var_os("CARGO_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|home| PathBuf::from(home).join(".cargo")));
    home.map(|home| home.join("bin/geckodriver"))
        .filter(|installed| installed.exists())
        .unwrap_or_else(|| PathBuf::from("geckodriver"))
}

/// A private X display for one scenario's WebKit browser: Xvfb picks a free
/// display number and writes it to its stdout.
async fn start_xvfb() -> Result<(Child, String)> {
    let mut xvfb = Command::new("Xvfb")
        .args([
            "-displayfd",
            "1",
            "-screen",
            "0",
            "1920x1080x24",
            "-nolisten",
            "tcp",
        ])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .context("starting Xvfb for WebKit (cargo xtask setup installs xvfb)")?;
    let stdout = xvfb.stdout.take().context("Xvfb's stdout")?;
    let mut line = String::new();
    tokio::time::timeout(
        Duration::from_secs(10),
        BufReader::new(stdout).read_line(&mut line),
    )
    .await
    .context("Xvfb did not say its display within 10 s")??;
    let number = line.trim().to_string();
    if number.is_empty() || !number.chars().all(|c| c.is_ascii_digit()) {
        bail!("Xvfb said {line:?} instead of a display number");
    }
    Ok((xvfb, number))
}
