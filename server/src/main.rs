use std::net::{IpAddr, SocketAddr};
use std::path::PathBuf;

use anyhow::Context;
use axum::http::HeaderValue;
use clap::{Args, Parser, Subcommand};
use portal_core::api::{Mode, PortalLinkRequest};
use portal_core::paths::{DeepLink, SUBSCRIPTIONS_PAGE};
use portal_core::Email;
use portal_server::crypto::Secret;
use portal_server::store::Store;
use portal_server::{seed, Application, Clock, Config, ConnectionLimits};

#[derive(Parser)]
#[command(version, about = "Duro Portal's reference API server")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Serve the API and the built web app.
    Serve(ServeArgs),
    /// Print a portal link that pre-fills an address (it never signs anyone in).
    Link(LinkArgs),
    /// Load data into the database.
    Seed(SeedArgs),
    /// Issue a merchant a secret key for the merchant API (POST /v1/portal/links).
    /// The key is printed once; the database keeps only its hash.
    MerchantKey(MerchantKeyArgs),
}

#[derive(Args)]
struct MerchantKeyArgs {
    /// The merchant's tenant id, e.g. ten_lagosfresh.
    #[arg(long)]
    tenant: String,
    /// test or live: a key links to subscriptions in its own mode only.
    #[arg(long, default_value = "test", value_parser = ["test", "live"])]
    mode: String,
    #[command(flatten)]
    storage: StorageArgs,
}

#[derive(Args)]
struct StorageArgs {
    /// SQLite database file; created with its folder if missing.
    #[arg(long, default_value = "data/portal.db")]
    database: PathBuf,
    /// The server secret (64 hex digits); created (mode 0600) if missing.
    /// Default: secret.key beside the database.
    #[arg(long)]
    secret_file: Option<PathBuf>,
}

impl StorageArgs {
    fn secret(&self) -> anyhow::Result<Secret> {
        let path = self.secret_file.clone().unwrap_or_else(|| {
            self.database
                .parent()
                .map(|dir| dir.join("secret.key"))
                .unwrap_or_else(|| PathBuf::from("secret.key"))
        });
        Secret::load_or_create(&path)
    }
}

#[derive(Args)]
struct ServeArgs {
    #[arg(long, default_value = "127.0.0.1:8080")]
    listen: SocketAddr,
    #[command(flatten)]
    storage: StorageArgs,
    /// The built web app (trunk build --release).
    #[arg(long, default_value = "dist")]
    dist: PathBuf,
    /// Serve the API only, without the web app.
    #[arg(long)]
    api_only: bool,
    /// Send codes by SMTP, e.g. smtps://user:pass@smtp.example.com. Required
    /// unless --dev.
    #[arg(long, conflicts_with = "dev")]
    smtp_url: Option<String>,
    /// Dev mode, for one machine: codes go to the log and GET /dev/outbox instead
    /// of SMTP. Refused unless --listen is a loopback address.
    #[arg(long)]
    dev: bool,
    #[arg(long, default_value = "Duro Portal <no-reply@localhost>")]
    mail_from: String,
    /// Allow POST /dev/clock/advance to move the server's clock (tests only; needs --dev).
    #[arg(long, requires = "dev")]
    dev_clock: bool,
    /// Time to send a request's headers, and the longest a kept-alive connection
    /// waits idle for its next request, e.g. 10s.
    #[arg(long, default_value = "10s", value_parser = humantime::parse_duration)]
    header_timeout: std::time::Duration,
    /// Time to send a request's body once its headers are in, e.g. 10s.
    #[arg(long, default_value = "10s", value_parser = humantime::parse_duration)]
    body_timeout: std::time::Duration,
    /// Connections served at once; further ones wait until one closes.
    #[arg(long, default_value_t = 1024)]
    max_connections: usize,
    /// An origin allowed to call the API from a browser (repeatable), e.g. https://portal.example.com.
    #[arg(long = "allow-origin")]
    allow_origins: Vec<String>,
    /// A reverse proxy whose X-Forwarded-For is believed (repeatable).
    #[arg(long = "trusted-proxy")]
    trusted_proxies: Vec<IpAddr>,
    /// CSP frame-ancestors: who may frame the portal.
    #[arg(long, default_value = "'none'")]
    frame_ancestors: String,
    /// The portal's public address, named in mails and links. Default:
    /// http://<listen>, and with port 0 the port it got.
    #[arg(long)]
    public_url: Option<String>,
    /// Load the demo data set first if the database has none.
    #[arg(long)]
    seed_demo: bool,
}

#[derive(Args)]
struct LinkArgs {
    #[arg(long)]
    email: String,
    /// How long the link pre-fills the address, e.g. 7d, 12h, 30m.
    #[arg(long, default_value = "7d", value_parser = humantime::parse_duration)]
    ttl: std::time::Duration,
    /// Land on one subscription, as MODE/ID, e.g. live/sub_123.
    #[arg(long, value_name = "MODE/ID")]
    subscription: Option<String>,
    #[command(flatten)]
    storage: StorageArgs,
    #[arg(long, default_value = "http://127.0.0.1:8080")]
    public_url: String,
}

#[derive(Args)]
#[group(id = "what", required = true, multiple = true, args = ["demo", "large_account"])]
struct SeedArgs {
    /// The demo data set: four merchants, ada@, bob@ and cara@example.com.
    #[arg(long)]
    demo: bool,
    /// A customer with many live subscriptions, to try a big account.
    #[arg(long, value_name = "EMAIL")]
    large_account: Option<String>,
    /// With --large-account: how many merchants.
    #[arg(long, default_value_t = 100)]
    merchants: usize,
    /// With --large-account: subscriptions at each merchant.
    #[arg(long, default_value_t = 10)]
    each: usize,
    #[command(flatten)]
    storage: StorageArgs,
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| "portal_server=info,tower_http=info".into()),
        )
        .with_writer(std::io::stderr)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .init();
    match Cli::parse().command {
        Command::Serve(args) => serve(args).await,
        Command::Link(args) => link(args),
        Command::MerchantKey(args) => {
            let store = Store::open(&args.storage.database)?;
            let now = Clock::default().now();
            let (tenant, mode) = (args.tenant, Mode::from(args.mode));
            let key = store
                .write(move |conn| portal_server::links::create_key(conn, &tenant, &mode, now))
                .await?;
            println!("{key}");
            Ok(())
        }
        Command::Seed(args) => {
            let store = Store::open(&args.storage.database)?;
            let now = Clock::default().now();
            if args.demo {
                let added = seed::seed_demo(&store, now).await?;
                println!(
                    "{}",
                    if added {
                        "demo data added"
                    } else {
                        "demo data already present"
                    }
                );
            }
            if let Some(email) = &args.large_account {
                let email =
                    Email::parse(email).map_err(|e| anyhow::anyhow!("--large-account: {e}"))?;
                seed::seed_large_account(&store, &email, args.merchants, args.each, now).await?;
                println!(
                    "{email}: {} subscriptions at {} merchants",
                    args.merchants * args.each,
                    args.merchants
                );
            }
            Ok(())
        }
    }
}

async fn serve(args: ServeArgs) -> anyhow::Result<()> {
    let allow_origins = args
        .allow_origins
        .iter()
        .map(|origin| {
            HeaderValue::from_str(origin.trim_end_matches('/'))
                .with_context(|| format!("--allow-origin {origin:?} is not a valid origin"))
        })
        .collect::<anyhow::Result<Vec<_>>>()?;
    let public_url = args
        .public_url
        .unwrap_or_else(|| Config::listening_url(args.listen));
    let config = Config {
        dist: (!args.api_only).then_some(args.dist),
        smtp_url: args.smtp_url,
        mail_from: args.mail_from,
        dev: args.dev,
        dev_clock: args.dev_clock,
        connections: ConnectionLimits {
            header_timeout: args.header_timeout,
            body_timeout: args.body_timeout,
            max_connections: args.max_connections,
        },
        allow_origins,
        trusted_proxies: args.trusted_proxies,
        frame_ancestors: args.frame_ancestors,
        public_url,
        ..Config::local(
            args.listen,
            args.storage.database.clone(),
            args.storage.secret()?,
        )
    };
    let dev_mode = config.dev_mode();
    let app = Application::spawn(config, Clock::default()).await?;
    if args.seed_demo && seed::seed_demo(&app.state.store, app.state.clock.now()).await? {
        tracing::info!("demo data added");
    }
    tracing::info!(
        "Duro Portal on http://{} ({})",
        app.addr,
        if dev_mode {
            "dev mode: codes at /dev/outbox and in this log"
        } else {
            "codes by SMTP"
        }
    );
    app.run_until_signal().await
}

fn link(args: LinkArgs) -> anyhow::Result<()> {
    let ttl = i64::try_from(args.ttl.as_secs()).context("--ttl is too long")?;
    // The same checks as a merchant's request: one rule for the address and the life.
    let (email, ttl) = portal_server::links::check_request(&PortalLinkRequest {
        email: args.email,
        subscription: None,
        ttl_seconds: Some(ttl),
    })
    .map_err(|e| anyhow::anyhow!("{e}"))?;
    let target = match &args.subscription {
        None => None,
        Some(text) => Some(
            DeepLink::parse(&format!("{SUBSCRIPTIONS_PAGE}/{text}"))
                .context("--subscription is MODE/ID, e.g. live/sub_123")?,
        ),
    };
    let expires_at = Clock::default().now() + ttl;
    let keys = args.storage.secret()?.keys();
    println!(
        "{}",
        portal_server::links::url(&keys, &args.public_url, &email, target.as_ref(), expires_at)
    );
    Ok(())
}
