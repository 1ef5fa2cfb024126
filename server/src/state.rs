//! Configuration and the state every handler shares.
use std::net::{IpAddr, SocketAddr};
use std::path::PathBuf;
use std::sync::Arc;

use axum::http::HeaderValue;
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
    pub codes_per_email_per_hour: i64,
    pub starts_per_ip_per_hour: i64,
    pub attempts_per_code: i64,
    pub failures_before_lock: i64,
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
            starts_per_ip_per_hour: 60,
            attempts_per_code: limits::ATTEMPTS_PER_CODE.into(),
            failures_before_lock: 20,
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
    pub dev_clock: bool,
    pub allow_origins: Vec<HeaderValue>,
    pub trusted_proxies: Vec<IpAddr>,
    pub frame_ancestors: String,
    /// Where people open the portal; named in mails and used for links.
    pub public_url: String,
    pub limits: Limits,
}

impl Config {
    /// Settings for one machine: the dev outbox (no SMTP), no dev clock, no CORS
    /// origins or proxies, framing refused, the app in `dist/`.
    pub fn local(listen: SocketAddr, database: PathBuf, secret: Secret) -> Config {
        Config {
            listen,
            database,
            secret,
            dist: Some(PathBuf::from("dist")),
            smtp_url: None,
            mail_from: "Duro Portal <no-reply@localhost>".into(),
            dev_clock: false,
            allow_origins: Vec::new(),
            trusted_proxies: Vec::new(),
            frame_ancestors: "'none'".into(),
            public_url: format!("http://{listen}"),
            limits: Limits::default(),
        }
    }

    /// Dev mode (the outbox at /dev/outbox) is on exactly when no SMTP server is set.
    pub fn dev_mode(&self) -> bool {
        self.smtp_url.is_none()
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
}
