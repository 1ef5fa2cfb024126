//! Configuration and the state every handler shares.
use std::net::{IpAddr, SocketAddr};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use axum::http::HeaderValue;
use portal_core::embed::Ancestors;
use portal_core::limits;

use crate::clock::Clock;
use crate::crypto::{Keys, Secret};
use crate::latency::Latency;
use crate::mail::{MailMetrics, Mailer};
use crate::store::Store;

/// The sign-in rules' numbers, in seconds and counts: the contract's from
/// portal-core, and this server's own per-client and lockout policy.
#[derive(Debug, Clone)]
pub struct Limits {
    pub code_ttl: i64,
    pub resend_cooldown: i64,
    /// Codes an address can be sent in an hour from one client.
    pub codes_per_email_per_hour: i64,
    /// ... and from all clients together.
    pub codes_per_email_all_clients_per_hour: i64,
    pub starts_per_ip_per_hour: i64,
    /// Tries at one code from one client.
    pub attempts_per_code: i64,
    /// ... and from all clients together.
    pub attempts_per_code_all_clients: i64,
    pub failures_before_lock: i64,
    /// Wrong codes one client may send in an hour, across all addresses.
    pub verify_failures_per_client_per_hour: i64,
    pub first_lock: i64,
    pub longest_lock: i64,
    pub session_idle: i64,
    pub session_absolute: i64,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            code_ttl: limits::CODE_TTL_SECONDS.into(),
            resend_cooldown: limits::RESEND_COOLDOWN_SECONDS.into(),
            codes_per_email_per_hour: limits::CODES_PER_EMAIL_PER_HOUR.into(),
            codes_per_email_all_clients_per_hour: 4 * i64::from(limits::CODES_PER_EMAIL_PER_HOUR),
            starts_per_ip_per_hour: 60,
            attempts_per_code: limits::ATTEMPTS_PER_CODE.into(),
            attempts_per_code_all_clients: 2 * i64::from(limits::ATTEMPTS_PER_CODE),
            failures_before_lock: 20,
            verify_failures_per_client_per_hour: 100,
            first_lock: 30,
            longest_lock: 60 * 60,
            session_idle: limits::SESSION_IDLE_SECONDS.into(),
            session_absolute: limits::SESSION_ABSOLUTE_SECONDS.into(),
        }
    }
}

#[derive(Debug, Clone)]
pub struct Config {
    pub listen: SocketAddr,
    pub database: PathBuf,
    pub secret: Secret,
    /// The built web app; `None` serves the API alone.
    pub dist: Option<PathBuf>,
    pub smtp_url: Option<String>,
    pub mail_from: String,
    /// Dev mode: codes go to the log and `GET /dev/outbox` instead of SMTP.
    /// Only ever on purpose, and only on a loopback address (see `check`).
    pub dev: bool,
    /// `POST /dev/clock/advance`; needs dev mode.
    pub dev_clock: bool,
    pub allow_origins: Vec<HeaderValue>,
    pub trusted_proxies: Vec<IpAddr>,
    pub frame_ancestors: String,
    /// Where people open the portal; named in mails and used for links.
    pub public_url: String,
    pub limits: Limits,
    pub connections: ConnectionLimits,
}

/// What one connection may hold of the server, so slow or half-sent requests
/// cannot use it up.
#[derive(Debug, Clone)]
pub struct ConnectionLimits {
    /// To send a request's headers; also how long a kept-alive connection may
    /// wait idle for its next request (hyper starts this timer then).
    pub header_timeout: Duration,
    /// To send a request's body, from its headers.
    pub body_timeout: Duration,
    /// Connections open at once; past it, new ones wait in the kernel's backlog.
    pub max_connections: usize,
}

impl Default for ConnectionLimits {
    fn default() -> Self {
        ConnectionLimits {
            header_timeout: Duration::from_secs(10),
            body_timeout: Duration::from_secs(10),
            max_connections: 1024,
        }
    }
}

impl Config {
    /// Settings for one machine: dev mode (the outbox, no SMTP), no dev clock, no
    /// CORS origins or proxies, framing refused, the app in `dist/`.
    pub fn local(listen: SocketAddr, database: PathBuf, secret: Secret) -> Config {
        Config {
            listen,
            database,
            secret,
            dist: Some(PathBuf::from("dist")),
            smtp_url: None,
            mail_from: "Duro Portal <no-reply@localhost>".into(),
            dev: true,
            dev_clock: false,
            allow_origins: Vec::new(),
            trusted_proxies: Vec::new(),
            frame_ancestors: "'none'".into(),
            public_url: Config::listening_url(listen),
            limits: Limits::default(),
            connections: ConnectionLimits::default(),
        }
    }

    /// The public URL when none is given: the address it listens on. Port 0
    /// (any free port) is made the port it got once bound (`Application::spawn`).
    pub fn listening_url(listen: SocketAddr) -> String {
        format!("http://{listen}")
    }

    /// Dev mode: the outbox at /dev/outbox, codes in the log, the dev routes.
    pub fn dev_mode(&self) -> bool {
        self.dev
    }

    /// Refuses settings that would open a door by accident: dev mode hands out
    /// every sign-in code, so it is asked for by name and never reachable from
    /// another machine; without it, codes need an SMTP server.
    pub fn check(&self) -> anyhow::Result<()> {
        match (self.dev, &self.smtp_url) {
            (true, Some(_)) => anyhow::bail!(
                "--dev and --smtp-url together: dev mode keeps codes in /dev/outbox \
                 instead of mailing them. Choose one."
            ),
            (false, None) => anyhow::bail!(
                "no way to send sign-in codes. Give --smtp-url (e.g. \
                 smtps://user:password@smtp.example.com), or --dev on a loopback \
                 address to read codes at /dev/outbox and in the log."
            ),
            (true, None) if !self.listen.ip().is_loopback() => anyhow::bail!(
                "--dev on {}: dev mode shows every sign-in code at /dev/outbox, so it \
                 listens only on a loopback address (--listen 127.0.0.1:PORT or [::1]:PORT).",
                self.listen
            ),
            _ => {}
        }
        anyhow::ensure!(
            !self.dev_clock || self.dev,
            "--dev-clock needs --dev: moving the clock skips every lock and hourly limit."
        );
        frame_ancestors(&self.frame_ancestors)?;
        let c = &self.connections;
        anyhow::ensure!(
            !c.header_timeout.is_zero() && !c.body_timeout.is_zero(),
            "--header-timeout and --body-timeout must be longer than zero"
        );
        anyhow::ensure!(
            c.max_connections > 0,
            "--max-connections must be at least 1"
        );
        Ok(())
    }
}

#[derive(Clone)]
pub struct AppState {
    pub config: Arc<Config>,
    pub keys: Keys,
    pub store: Store,
    pub clock: Clock,
    pub mailer: Mailer,
    pub metrics: Arc<MailMetrics>,
    pub latency: Latency,
    /// Charges cards; the reference server has only the deterministic test one.
    pub processor: Arc<dyn crate::billing::Processor>,
}

/// `--frame-ancestors` goes into the app's Content-Security-Policy and its
/// served `config.json`, so it may hold only what that directive allows here
/// (portal-core's `Ancestors`); anything else is refused when the server starts.
pub fn frame_ancestors(value: &str) -> anyhow::Result<Ancestors> {
    Ancestors::parse_directive(value)
        .map_err(|e| anyhow::anyhow!("--frame-ancestors {value:?}: {e}."))
}
