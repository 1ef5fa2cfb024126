//! The end-to-end harness: a real `portal-server` (fresh database, demo seed, dev
//! outbox, dev clock) serving the release build of the app, and a real browser
//! driven over WebDriver: headless Chromium, Firefox or WebKit, as `E2E_ENGINE`
//! says (`engine.rs`). Every test gets its own server and browser.
use std::future::Future;
use std::net::SocketAddr;
use std::panic::AssertUnwindSafe;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use anyhow::{anyhow, bail, ensure, Context, Result};
use fantoccini::elements::Element;
use fantoccini::error::{CmdError, ErrorStatus};
use fantoccini::key::Key;
use fantoccini::{Client, ClientBuilder, Locator};
use futures::FutureExt;
use portal_server::crypto::Secret;
use portal_server::{seed, Application, Clock, Config};
use serde_json::{json, Value};

pub mod engine;
pub mod sites;

use engine::Driver;
pub use engine::Engine;

pub const ADA: &str = "ada@example.com";
pub const BOB: &str = "bob@example.com";
pub const PHONE: (u32, u32) = (375, 812);
pub const DESKTOP: (u32, u32) = (1280, 800);
const WAIT: Duration = Duration::from_secs(10);

pub fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .unwrap()
        .to_path_buf()
}

/// Where a run in one engine leaves screenshots, failures and its limits.
fn artifacts(engine: Engine) -> PathBuf {
    workspace_root().join("target/e2e").join(engine.name())
}

/// The release build the tests run against (`cargo xtask test` builds it first).
pub fn dist() -> Result<PathBuf> {
    let dist = workspace_root().join("dist");
    ensure!(
        dist.join("index.html").exists(),
        "dist/ has no built app: run `cargo xtask build` (or `cargo xtask test`) first"
    );
    Ok(dist)
}

pub(crate) fn free_port() -> Result<u16> {
    Ok(std::net::TcpListener::bind("127.0.0.1:0")?
        .local_addr()?
        .port())
}

/// Says what this engine cannot give the suite, one line each, in
/// `target/e2e/<engine>/limits.txt`, which `cargo xtask test` prints (once
/// per distinct line) with the engine's summary: nothing is skipped silently.
fn note_limit(engine: Engine, limit: &str) -> Result<()> {
    use std::io::Write;
    let dir = artifacts(engine);
    std::fs::create_dir_all(&dir)?;
    let mut file = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(dir.join("limits.txt"))?;
    // One write per line: scenarios run in parallel and append to one file.
    file.write_all(format!("{}\n", limit.replace('\n', " ")).as_bytes())?;
    Ok(())
}

/// One test's world: server, database, clock, and browser.
pub struct Portal {
    pub name: String,
    app: Option<Application>,
    pub addr: SocketAddr,
    pub base: String,
    pub http: reqwest::Client,
    pub clock: Clock,
    secret: Secret,
    dir: tempfile::TempDir,
    pub browser: Client,
    pub engine: Engine,
    driver: Driver,
    /// Console entries of the driver's log already looked at (Firefox).
    console_seen: AtomicUsize,
    /// Milliseconds the page's clock has been moved, to match the server's dev clock.
    browser_offset_ms: i64,
    /// `--frame-ancestors` and `--allow-origin`, as `allow_framing` set them.
    frame_ancestors: String,
    allow_origins: Vec<String>,
    _profile: tempfile::TempDir,
}

fn server_config(portal: &Portal) -> Result<Config> {
    let mut config = server_config_at(portal.dir.path(), portal.secret.clone(), portal.addr)?;
    config.frame_ancestors = portal.frame_ancestors.clone();
    for origin in &portal.allow_origins {
        config.allow_origins.push(origin.parse()?);
    }
    Ok(config)
}

fn server_config_at(dir: &Path, secret: Secret, listen: SocketAddr) -> Result<Config> {
    Ok(Config {
        dist: Some(dist()?),
        dev_clock: true,
        ..Config::local(listen, dir.join("portal.db"), secret)
    })
}

/// Polls `check` until it gives a value or `WAIT` is up; then the error names
/// `what` and the last thing `check` saw. The one way this suite waits.
pub async fn wait_until<T, F, Fut>(what: &str, mut check: F) -> Result<T>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<Option<T>, String>>,
{
    let deadline = Instant::now() + WAIT;
    loop {
        let last = match check().await {
            Ok(Some(found)) => return Ok(found),
            Ok(None) => String::new(),
            Err(seen) => seen,
        };
        if Instant::now() >= deadline {
            bail!("waited {}s for {what}; last seen: {last}", WAIT.as_secs());
        }
        tokio::time::sleep(Duration::from_millis(40)).await;
    }
}

/// Whether a command failed only because its page went while it ran (a link
/// followed, a sign-out): WebKitWebDriver answers such a search with an error,
/// "Callback was not called before the unload event", where the other drivers
/// wait for the next page.
fn page_went(error: &CmdError) -> bool {
    matches!(error, CmdError::Standard(e) if e.message.contains("before the unload event"))
}

impl Portal {
    pub async fn start(name: &str) -> Result<Portal> {
        // Two rustls crypto providers are linked (via lettre and fantoccini); pick one.
        let _ = rustls::crypto::ring::default_provider().install_default();
        let dir = tempfile::tempdir()?;
        let secret = Secret::generate();
        let listen: SocketAddr = format!("127.0.0.1:{}", free_port()?).parse()?;
        let clock = Clock::default();
        let app = Application::spawn(
            server_config_at(dir.path(), secret.clone(), listen)?,
            clock.clone(),
        )
        .await?;
        seed::seed_demo(&app.state.store, clock.now()).await?;

        let engine = Engine::selected()?;
        let driver = Driver::start(engine, dir.path()).await?;
        let profile = tempfile::tempdir()?;
        let browser = ClientBuilder::rustls()?
            .capabilities(driver.capabilities(profile.path()))
            .connect(&format!("http://127.0.0.1:{}", driver.port))
            .await
            .with_context(|| format!("opening a {engine} session"))?;
        for limit in engine.limits() {
            note_limit(engine, limit)?;
        }
        let portal = Portal {
            name: name.to_string(),
            base: format!("http://{}", app.addr),
            addr: app.addr,
            app: Some(app),
            http: reqwest::Client::new(),
            clock,
            secret,
            dir,
            browser,
            engine,
            driver,
            console_seen: AtomicUsize::new(0),
            browser_offset_ms: 0,
            frame_ancestors: "'none'".into(),
            allow_origins: Vec::new(),
            _profile: profile,
        };
        portal.size(DESKTOP).await?;
        Ok(portal)
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    pub fn store(&self) -> &portal_server::store::Store {
        &self.app.as_ref().expect("server running").state.store
    }

    pub async fn size(&self, (width, height): (u32, u32)) -> Result<()> {
        self.browser
            .set_window_size(width, height)
            .await
            .with_context(|| format!("sizing the window to {width}x{height}"))?;
        let (got, _) = self.browser.get_window_size().await?;
        if got > u64::from(width) {
            note_limit(
                self.engine,
                &format!(
                    "a window narrower than {got} px (its own minimum): steps asked at \
                     {width} px wide are checked at {got} px"
                ),
            )?;
        }
        Ok(())
    }

    // ---- the server side ----

    /// Stops the server, as if it went away.
    pub async fn stop_server(&mut self) -> Result<()> {
        if let Some(app) = self.app.take() {
            app.stop().await?;
        }
        Ok(())
    }

    /// Starts it again on the same address, database and secret.
    pub async fn restart_server(&mut self) -> Result<()> {
        let config = server_config(self)?;
        self.app = Some(Application::spawn(config, self.clock.clone()).await?);
        Ok(())
    }

    /// Restarts the server letting `ancestors` frame the app (`--frame-ancestors`)
    /// and `origins` call its API from other origins (`--allow-origin`).
    pub async fn allow_framing(&mut self, ancestors: &str, origins: &[String]) -> Result<()> {
        self.frame_ancestors = ancestors.to_string();
        self.allow_origins = origins.to_vec();
        self.stop_server().await?;
        self.restart_server().await
    }

    /// Moves the server's clock and the page's `Date.now` together.
    pub async fn advance(&mut self, seconds: i64) -> Result<()> {
        self.clock.advance(seconds);
        self.browser_offset_ms += seconds * 1000;
        self.apply_browser_clock().await
    }

    async fn apply_browser_clock(&self) -> Result<()> {
        self.browser
            .execute(
                // `window.Date`, not `Date`: Firefox runs WebDriver scripts in a
                // sandbox with its own built-ins, and the page never sees those.
                "const offset = arguments[0];
                 if (!window.__realNow) { window.__realNow = window.Date.now.bind(window.Date); }
                 window.Date.now = () => window.__realNow() + offset;",
                vec![json!(self.browser_offset_ms)],
            )
            .await
            .context("moving the page's clock")?;
        Ok(())
    }

    /// Mails in the dev outbox for one address, newest first.
    pub async fn mails_to(&self, email: &str) -> Result<Vec<Value>> {
        let outbox: Value = self
            .http
            .get(self.url("/dev/outbox"))
            .send()
            .await?
            .json()
            .await?;
        Ok(outbox["items"]
            .as_array()
            .context("outbox items")?
            .iter()
            .filter(|m| m["to"] == email)
            .cloned()
            .collect())
    }

    /// The newest code mailed to the address, read as a person reads their mail.
    pub async fn code_for(&self, email: &str, mails: usize) -> Result<String> {
        wait_until(&format!("mail number {mails} to {email}"), || async {
            let found = self.mails_to(email).await.map_err(|e| e.to_string())?;
            if found.len() < mails {
                return Err(format!("{} mails", found.len()));
            }
            // Newest first: the code of the mail that just came.
            Ok(found[0]["code"].as_str().map(str::to_string))
        })
        .await
    }

    pub fn link_for(&self, email: &str) -> Result<String> {
        Ok(format!("{}/#token={}", self.base, self.link_token(email)?))
    }

    /// A portal link's token for the address, good for an hour.
    pub fn link_token(&self, email: &str) -> Result<String> {
        let email = portal_core::Email::parse(email).map_err(|e| anyhow!("{e}"))?;
        Ok(self
            .secret
            .keys()
            .mint_link_token(&email, self.clock.now() + 3600))
    }

    // ---- the browser side ----

    pub async fn open(&self, path: &str) -> Result<()> {
        self.goto(&self.url(path)).await
    }

    /// Loads a whole address (another site's page, a portal link).
    pub async fn goto(&self, url: &str) -> Result<()> {
        self.browser
            .goto(url)
            .await
            .with_context(|| format!("loading {url}"))?;
        self.loaded().await
    }

    /// Reloads the page, as the browser's reload button does.
    pub async fn reload(&self) -> Result<()> {
        self.browser.refresh().await?;
        self.loaded().await
    }

    /// What each new page needs: the moved clock, and where the engine's
    /// console cannot be read, a recorder of the page's uncaught errors.
    async fn loaded(&self) -> Result<()> {
        self.apply_browser_clock().await?;
        if self.engine.records_errors_in_page() {
            self.browser
                .execute(
                    "if (!window.__e2eErrors) {
                       const errors = window.__e2eErrors = [];
                       const text = e => e && e.stack ? e + '\\n' + e.stack : String(e);
                       window.addEventListener('error', e => errors.push('Uncaught ' +
                           (e.error ? text(e.error) : e.message)));
                       window.addEventListener('unhandledrejection', e => errors.push(
                           'Uncaught (in promise) ' + text(e.reason)));
                       const error = window.console.error.bind(window.console);
                       window.console.error = (...args) => {
                           errors.push(args.join(' ')); error(...args); };
                     }",
                    vec![],
                )
                .await
                .context("adding the page's error recorder")?;
        }
        Ok(())
    }

    /// Waits for an element, across page loads: a search that was under way as
    /// its page went is asked again of the page that came (see `page_went`).
    /// Any other error ends the wait at once.
    pub async fn wait_for(&self, css: &str) -> Result<Element> {
        wait_until(css, || async {
            match self.browser.find(Locator::Css(css)).await {
                Ok(found) => Ok(Some(Ok(found))),
                Err(CmdError::Standard(e)) if e.error == ErrorStatus::NoSuchElement => Ok(None),
                Err(gone) if page_went(&gone) => Err(gone.to_string()),
                Err(other) => Ok(Some(Err(other))),
            }
        })
        .await?
        .with_context(|| format!("waiting for {css}"))
    }

    pub async fn by_test_id(&self, id: &str) -> Result<Element> {
        self.wait_for(&format!("[data-testid='{id}']")).await
    }

    /// Whether the page has such an element now; asked again of the next page
    /// if the page went mid-search (see `page_went`).
    pub async fn exists(&self, css: &str) -> Result<bool> {
        wait_until(css, || async {
            match self.browser.find_all(Locator::Css(css)).await {
                Ok(found) => Ok(Some(Ok(!found.is_empty()))),
                Err(gone) if page_went(&gone) => Err(gone.to_string()),
                Err(other) => Ok(Some(Err(other))),
            }
        })
        .await?
        .with_context(|| format!("looking for {css}"))
    }

    pub async fn text_of(&self, id: &str) -> Result<String> {
        Ok(self.by_test_id(id).await?.text().await?)
    }

    /// Waits until the element's text satisfies the check.
    pub async fn wait_text(&self, id: &str, check: impl Fn(&str) -> bool) -> Result<String> {
        self.wait_css_text(&format!("[data-testid='{id}']"), check)
            .await
    }

    /// Waits until the text of the element `css` finds satisfies the check.
    pub async fn wait_css_text(&self, css: &str, check: impl Fn(&str) -> bool) -> Result<String> {
        wait_until(&format!("the expected text in {css}"), || async {
            let element = self
                .browser
                .find(Locator::Css(css))
                .await
                .map_err(|_| "no such element".to_string())?;
            let text = element.text().await.unwrap_or_default();
            if check(&text) {
                Ok(Some(text))
            } else {
                Err(format!("{text:?}"))
            }
        })
        .await
    }

    pub async fn wait_path(&self, path: &str) -> Result<()> {
        wait_until(&format!("the page at {path}"), || async {
            let url = self
                .browser
                .current_url()
                .await
                .map_err(|e| e.to_string())?;
            if url.path() == path {
                Ok(Some(()))
            } else {
                Err(url.to_string())
            }
        })
        .await
    }

    pub async fn click(&self, id: &str) -> Result<()> {
        let element = self.by_test_id(id).await?;
        self.click_on(&element, id).await
    }

    /// Clicks as a person does: the element is scrolled into the middle of
    /// the view first, and the page gets two frames to draw it. WebDriver's own
    /// scrolling is not enough everywhere: WebKitWebDriver finds a button under
    /// `content-visibility: auto` not interactable until a frame has laid it out
    /// (under load the click could come first), and ChromeDriver scrolls only
    /// inside a cross-site frame.
    pub async fn click_on(&self, element: &Element, what: &str) -> Result<()> {
        self.browser
            .execute_async(
                // Until it stays in view two frames after the scroll: a page that
                // has just arrived may still move (WebKit reveals a newly focused
                // heading at its next frame, scrolling back to the top).
                "const [element, done] = arguments;\n\
                 let tries = 0;\n\
                 const settle = () => {\n\
                   element.scrollIntoView({ block: 'center' });\n\
                   requestAnimationFrame(() => requestAnimationFrame(() => {\n\
                     const r = element.getBoundingClientRect();\n\
                     const seen = r.bottom > 0 && r.top < innerHeight && r.right > 0 && r.left < innerWidth;\n\
                     if (seen || ++tries >= 5) { done(); } else { settle(); }\n\
                   }));\n\
                 };\n\
                 settle();",
                vec![serde_json::to_value(element)?],
            )
            .await
            .with_context(|| format!("scrolling to {what}"))?;
        element
            .clone()
            .click()
            .await
            .with_context(|| format!("clicking {what}"))?;
        Ok(())
    }

    pub async fn type_into(&self, id: &str, text: &str) -> Result<()> {
        let field = self.by_test_id(id).await?;
        field
            .clear()
            .await
            .with_context(|| format!("clearing {id}"))?;
        field
            .send_keys(text)
            .await
            .with_context(|| format!("typing into {id}"))?;
        Ok(())
    }

    /// Pastes text into a field: the browser's `input` event with `insertFromPaste`.
    pub async fn paste_into(&self, id: &str, text: &str) -> Result<()> {
        self.put_into(id, text, "insertFromPaste").await
    }

    /// Fills a field as a phone's one-time-code autofill does: the browser's
    /// `input` event with `insertReplacementText`.
    pub async fn autofill_into(&self, id: &str, text: &str) -> Result<()> {
        self.put_into(id, text, "insertReplacementText").await
    }

    async fn put_into(&self, id: &str, text: &str, input_type: &str) -> Result<()> {
        let field = self.by_test_id(id).await?;
        self.browser
            .execute(
                "const [field, text, inputType] = arguments;
                 field.focus();
                 field.value = text;
                 field.dispatchEvent(new InputEvent('input', { bubbles: true, inputType, data: text }));",
                vec![serde_json::to_value(&field)?, json!(text), json!(input_type)],
            )
            .await
            .with_context(|| format!("{input_type} into {id}"))?;
        Ok(())
    }

    /// Presses keys together, as a person does: `[Shift, Tab]` holds Shift while pressing Tab.
    pub async fn press(&self, keys: &[Key]) -> Result<()> {
        use fantoccini::actions::{InputSource, KeyAction, KeyActions};
        let mut actions = KeyActions::new("keyboard".into());
        for key in keys {
            actions = actions.then(KeyAction::Down {
                value: char::from(*key),
            });
        }
        for key in keys.iter().rev() {
            actions = actions.then(KeyAction::Up {
                value: char::from(*key),
            });
        }
        self.browser.perform_actions(actions).await?;
        Ok(())
    }

    pub async fn session_token(&self) -> Result<Option<String>> {
        let raw = self
            .browser
            .execute(
                "return sessionStorage.getItem('duro-portal.session');",
                vec![],
            )
            .await?;
        Ok(raw
            .as_str()
            .and_then(|s| serde_json::from_str::<Value>(s).ok())
            .and_then(|v| v["token"].as_str().map(str::to_string)))
    }

    /// The document is no wider than the window.
    pub async fn assert_no_horizontal_scroll(&self, step: &str) -> Result<()> {
        let widths = self
            .browser
            .execute(
                "return [document.documentElement.scrollWidth, document.documentElement.clientWidth];",
                vec![],
            )
            .await
            .with_context(|| format!("{step}: measuring the page's width"))?;
        let (scroll, client) = (
            widths[0].as_i64().unwrap_or(0),
            widths[1].as_i64().unwrap_or(0),
        );
        ensure!(
            scroll <= client,
            "{step}: page is {scroll}px wide in a {client}px window"
        );
        Ok(())
    }

    /// axe-core over the page: no WCAG 2.0/2.1/2.2 A or AA violations. Frames
    /// are checked on their own (enter the frame and call this again).
    pub async fn assert_accessible(&self, step: &str) -> Result<()> {
        let axe_path = workspace_root().join("target/tools/test/node_modules/axe-core/axe.min.js");
        let axe = std::fs::read_to_string(&axe_path).with_context(|| {
            format!(
                "{} (cargo xtask setup installs axe-core)",
                axe_path.display()
            )
        })?;
        self.browser
            .execute(&format!("{axe}\n;return true;"), vec![])
            .await?;
        let violations = self
            .browser
            .execute_async(
                "const done = arguments[arguments.length - 1];
                 axe.run(document, { iframes: false, runOnly: { type: 'tag',
                     values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'] } })
                   .then(r => done(r.violations.map(v => v.id + ': ' + v.help + ' at ' +
                       v.nodes.map(n => n.target.join(' ')).join(', '))))
                   .catch(e => done(['axe failed: ' + e]));",
                vec![],
            )
            .await?;
        let violations: Vec<String> = serde_json::from_value(violations)?;
        ensure!(
            violations.is_empty(),
            "{step}: accessibility violations:\n  {}",
            violations.join("\n  ")
        );
        println!("{}: axe-core: 0 violations at {step}", self.name);
        Ok(())
    }

    /// A screenshot of the page as it prints (its print stylesheet), at desktop
    /// size, where the engine can show one: Chromium, through DevTools; there
    /// `check`, a script's body, must return true of the printed page. Says
    /// whether it took one.
    pub async fn printed(&self, step: &str, check: &str) -> Result<bool> {
        if self.engine != Engine::Chromium {
            note_limit(
                self.engine,
                "The print view is screenshotted in Chromium only (DevTools print media).",
            )?;
            return Ok(false);
        }
        let media = |media: &str| Cdp {
            cmd: "Emulation.setEmulatedMedia",
            params: serde_json::json!({ "media": media }),
        };
        self.browser.issue_cmd(media("print")).await?;
        // Paper starts at the top of the document, whatever was scrolled to.
        self.browser
            .execute("window.scrollTo(0, 0);", vec![])
            .await?;
        tokio::time::sleep(Duration::from_millis(120)).await;
        let png = self.browser.screenshot().await;
        let checked = self.browser.execute(check, vec![]).await;
        self.browser.issue_cmd(media("")).await?;
        ensure!(
            checked? == Value::Bool(true),
            "{step}: as printed, not true: {check}"
        );
        let dir = artifacts(self.engine).join("screenshots");
        std::fs::create_dir_all(&dir)?;
        std::fs::write(dir.join(format!("{}--{step}--print.png", self.name)), png?)?;
        Ok(true)
    }

    /// Screenshots of this step at phone and desktop size, then checks the step
    /// for accessibility and horizontal scroll at both sizes.
    pub async fn step(&self, step: &str) -> Result<()> {
        let dir = artifacts(self.engine).join("screenshots");
        std::fs::create_dir_all(&dir)?;
        for (label, size) in [("375x812", PHONE), ("1280x800", DESKTOP)] {
            self.size(size).await?;
            tokio::time::sleep(Duration::from_millis(120)).await;
            let png = self.browser.screenshot().await?;
            std::fs::write(dir.join(format!("{}--{step}--{label}.png", self.name)), png)?;
            self.assert_no_horizontal_scroll(&format!("{step} at {label}"))
                .await?;
        }
        self.assert_accessible(step).await
    }

    /// The browser console's entries, `(level, message)`, as the engine gives them.
    async fn console_entries(&self) -> Vec<(String, String)> {
        match self.engine {
            Engine::Chromium => self.chromedriver_log().await,
            Engine::Firefox => self.driver.logged_console(),
            Engine::WebKit => self.recorded_errors(false).await,
        }
    }

    /// Uncaught errors and panics in the page since the last call, in any engine.
    pub async fn take_crashes(&self) -> Vec<String> {
        let entries = match self.engine {
            // ChromeDriver hands out each entry once.
            Engine::Chromium => self.chromedriver_log().await,
            Engine::Firefox => {
                let all = self.driver.logged_console();
                let seen = self.console_seen.swap(all.len(), Ordering::SeqCst);
                all.into_iter().skip(seen).collect()
            }
            Engine::WebKit => self.recorded_errors(true).await,
        };
        entries
            .into_iter()
            .filter(|(_, message)| message.contains("panicked at") || message.contains("Uncaught"))
            .map(|(_, message)| message.chars().take(400).collect())
            .collect()
    }

    /// The errors the page recorded itself (see `loaded`), read from the top
    /// window; `take` empties the record.
    async fn recorded_errors(&self, take: bool) -> Vec<(String, String)> {
        for _ in 0..2 {
            let _ = self.browser.enter_parent_frame().await;
        }
        let script = if take {
            "return window.__e2eErrors ? window.__e2eErrors.splice(0) : [];"
        } else {
            "return window.__e2eErrors || [];"
        };
        let recorded = self
            .browser
            .execute(script, vec![])
            .await
            .unwrap_or(Value::Null);
        recorded
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|e| e.as_str())
            .map(|message| ("SEVERE".to_string(), message.to_string()))
            .collect()
    }

    /// The console as ChromeDriver keeps it.
    async fn chromedriver_log(&self) -> Vec<(String, String)> {
        let Ok(Some(session)) = self.browser.session_id().await else {
            return Vec::new();
        };
        let url = format!(
            "http://127.0.0.1:{}/session/{session}/se/log",
            self.driver.port
        );
        let Ok(response) = self
            .http
            .post(url)
            .json(&json!({ "type": "browser" }))
            .send()
            .await
        else {
            return Vec::new();
        };
        let body: Value = response.json().await.unwrap_or(Value::Null);
        body["value"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|e| {
                (
                    e["level"].as_str().unwrap_or_default().to_string(),
                    e["message"].as_str().unwrap_or_default().to_string(),
                )
            })
            .collect()
    }

    /// Saves what a person would need to see why a test failed.
    async fn save_failure(&self) {
        let dir = artifacts(self.engine);
        let _ = std::fs::create_dir_all(&dir);
        if let Ok(png) = self.browser.screenshot().await {
            let _ = std::fs::write(dir.join(format!("{}--failure.png", self.name)), png);
        }
        let url = self
            .browser
            .current_url()
            .await
            .map(|u| u.to_string())
            .unwrap_or_default();
        let mut log = format!("url: {url}\n");
        for (level, message) in self.console_entries().await {
            log.push_str(&format!("{level} {message}\n"));
        }
        let _ = std::fs::write(dir.join(format!("{}--console.log", self.name)), log);
        let _ = std::fs::copy(
            self.driver.log(),
            dir.join(format!("{}--driver.log", self.name)),
        );
        eprintln!(
            "e2e: {} failed in {}; screenshot and console log in {}",
            self.name,
            self.engine,
            dir.display()
        );
    }

    async fn finish(mut self) {
        let _ = self.browser.clone().close().await;
        self.driver.stop().await;
        if let Some(app) = self.app.take() {
            let _ = app.stop().await;
        }
    }
}

/// Runs one scenario with its own server and browser; on failure (an error or a
/// panic, or a crash in the page) it saves a screenshot and the console log under
/// target/e2e/ first. A plain `#[test]` calls it; the scenario is named after the test.
pub fn scenario(body: impl AsyncFnOnce(&mut Portal) -> Result<()>) {
    // The test harness names each test's thread after the test.
    let name = std::thread::current()
        .name()
        .map(|name| name.rsplit("::").next().unwrap_or(name).to_string())
        .unwrap_or_else(|| "scenario".to_string());
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("a tokio runtime");
    runtime.block_on(run_scenario(&name, body));
}

async fn run_scenario(name: &str, body: impl AsyncFnOnce(&mut Portal) -> Result<()>) {
    let mut portal = Portal::start(name)
        .await
        .expect("the portal and browser start");
    let portal_engine = portal.engine;
    let outcome = AssertUnwindSafe(body(&mut portal)).catch_unwind().await;
    let failure = match outcome {
        // A scenario that did everything right still fails if the app panicked on the way.
        Ok(Ok(())) => {
            let crashes = portal.take_crashes().await;
            (!crashes.is_empty())
                .then(|| format!("the app crashed in the browser:\n{}", crashes.join("\n")))
        }
        Ok(Err(error)) => {
            let mut text = format!("{error:#}");
            // WebKitWebDriver sends some errors without a message: name the error then.
            if text.trim_end().ends_with(':') {
                text.push_str(&format!(" {:?}", error.root_cause()));
            }
            Some(text)
        }
        Err(panic) => Some(
            panic
                .downcast_ref::<String>()
                .cloned()
                .or_else(|| panic.downcast_ref::<&str>().map(|s| s.to_string()))
                .unwrap_or_else(|| "panicked".into()),
        ),
    };
    if failure.is_some() {
        portal.save_failure().await;
    }
    portal.finish().await;
    if let Some(failure) = failure {
        panic!("{name} in {}: {failure}", portal_engine);
    }
}

/// Opens the portal and asks for a code for `email`, as a person does; answers
/// how many mails the address will have once that code arrives.
pub async fn start_code_step(portal: &Portal, email: &str) -> Result<usize> {
    let mails = portal.mails_to(email).await?.len();
    portal.open("/").await?;
    portal.type_into("email-input", email).await?;
    portal.click("email-submit").await?;
    portal.by_test_id("code-step").await?;
    Ok(mails + 1)
}

/// Pastes the code from mail number `mails` to `email`, written as `written`
/// writes it, and waits for the signed-in page.
pub async fn enter_mailed_code(
    portal: &Portal,
    email: &str,
    mails: usize,
    written: impl Fn(&str) -> String,
) -> Result<()> {
    let code = portal.code_for(email, mails).await?;
    portal.paste_into("code-input", &written(&code)).await?;
    portal.wait_path("/subscriptions").await?;
    portal
        .wait_for("[data-testid='subscription'], [data-testid='empty']")
        .await?;
    Ok(())
}

/// Signs in through the UI by email, reading the code from the outbox.
pub async fn sign_in(portal: &Portal, email: &str) -> Result<()> {
    let mails = start_code_step(portal, email).await?;
    enter_mailed_code(portal, email, mails, str::to_string).await
}

/// Signs out as a person does, and waits for the sign-in page it loads. A
/// command sent before that page is there can meet the load half-way: WebKit
/// then fails the command's script ("Callback was not called before the unload
/// event"), as CI saw when the next step went straight to another page.
pub async fn sign_out(portal: &Portal) -> Result<()> {
    portal.click("sign-out").await?;
    portal
        .wait_text("notice", |t| t.contains("signed out"))
        .await?;
    Ok(())
}

/// A Chrome DevTools command, sent through ChromeDriver (Chromium only).
#[derive(Debug)]
struct Cdp {
    cmd: &'static str,
    params: Value,
}

impl fantoccini::wd::WebDriverCompatibleCommand for Cdp {
    fn endpoint(
        &self,
        base_url: &reqwest::Url,
        session_id: Option<&str>,
    ) -> Result<reqwest::Url, url_error::ParseError> {
        base_url.join(&format!(
            "session/{}/goog/cdp/execute",
            session_id.unwrap_or_default()
        ))
    }

    fn method_and_body(&self, _: &reqwest::Url) -> (axum::http::Method, Option<String>) {
        let body = serde_json::json!({ "cmd": self.cmd, "params": self.params });
        (axum::http::Method::POST, Some(body.to_string()))
    }
}

/// `url`'s parse error, as reqwest re-exports the crate's `Url` only.
mod url_error {
    pub type ParseError = <reqwest::Url as std::str::FromStr>::Err;
}
