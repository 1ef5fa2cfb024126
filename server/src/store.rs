//! SQLite storage: every rule that must hold across requests and restarts.
//!
//! Writes run in `BEGIN IMMEDIATE` transactions, so a check and the write that
//! follows it (count a try, use a code) happen as one step even under load.
use std::collections::HashMap;
use std::path::Path;
use std::sync::Arc;

use portal_core::api::{
    Mode, PortalAccount, PortalAction, PortalCard, PortalMerchantGroup, PortalPlan,
    PortalSubscription, SubscriptionStatus, WalletResponse, WalletStatus, WalletTransaction,
};
use portal_core::lifecycle::State;
use r2d2_sqlite::rusqlite::{params, Connection, OptionalExtension, TransactionBehavior};
use r2d2_sqlite::SqliteConnectionManager;

pub type Pool = r2d2::Pool<SqliteConnectionManager>;

/// A fault of the database, never a verdict: the transaction rolls back and the
/// request fails as the server's own fault.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("database: {0}")]
    Sqlite(#[from] r2d2_sqlite::rusqlite::Error),
    #[error("database value: {0}")]
    Value(#[from] r2d2_sqlite::rusqlite::types::FromSqlError),
    #[error("database connection pool: {0}")]
    Pool(#[from] r2d2::Error),
    #[error("database task: {0}")]
    Task(#[from] tokio::task::JoinError),
    #[error("stored value: {0}")]
    Stored(String),
}

/// Schema versions, applied in order at start; `PRAGMA user_version` says how many ran.
const MIGRATIONS: &[&str] = &[
    r#"
CREATE TABLE customers (
    id TEXT PRIMARY KEY,
    email TEXT NOT NULL UNIQUE,
    name TEXT
);
CREATE TABLE merchants (
    tenant_id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    -- comma-separated PortalAction values the merchant allows
    actions TEXT NOT NULL DEFAULT ''
);
CREATE TABLE plans (
    id TEXT PRIMARY KEY,
    tenant_id TEXT NOT NULL REFERENCES merchants(tenant_id),
    name TEXT NOT NULL,
    amount INTEGER NOT NULL,
    currency TEXT NOT NULL,
    interval TEXT NOT NULL,
    interval_count INTEGER NOT NULL
);
CREATE TABLE subscriptions (
    id TEXT PRIMARY KEY,
    tenant_id TEXT NOT NULL REFERENCES merchants(tenant_id),
    customer_id TEXT NOT NULL REFERENCES customers(id),
    plan_id TEXT REFERENCES plans(id),
    mode TEXT NOT NULL CHECK (mode IN ('test', 'live')),
    status TEXT NOT NULL,
    cancel_at_period_end INTEGER NOT NULL DEFAULT 0,
    current_period_end INTEGER
);
CREATE INDEX subscriptions_by_customer ON subscriptions(customer_id);
CREATE TABLE cards (
    id TEXT PRIMARY KEY,
    customer_id TEXT NOT NULL REFERENCES customers(id),
    brand TEXT, last4 TEXT, exp_month INTEGER, exp_year INTEGER,
    is_default INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE wallets (
    customer_id TEXT PRIMARY KEY REFERENCES customers(id),
    balance INTEGER NOT NULL,
    currency TEXT NOT NULL,
    status TEXT NOT NULL
);
CREATE TABLE wallet_transactions (
    id TEXT PRIMARY KEY,
    customer_id TEXT NOT NULL REFERENCES customers(id),
    amount INTEGER NOT NULL,
    balance_after INTEGER NOT NULL,
    memo TEXT,
    merchant_name TEXT,
    created_at INTEGER NOT NULL
);
-- One live code per address, for real and unknown addresses alike.
CREATE TABLE codes (
    email TEXT PRIMARY KEY,
    seed BLOB NOT NULL,
    code_hash BLOB NOT NULL,
    expires_at INTEGER NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    last_sent_at INTEGER NOT NULL
);
CREATE TABLE code_sends (email TEXT NOT NULL, sent_at INTEGER NOT NULL);
CREATE INDEX code_sends_by_email ON code_sends(email, sent_at);
CREATE TABLE ip_starts (ip TEXT NOT NULL, at INTEGER NOT NULL);
CREATE INDEX ip_starts_by_ip ON ip_starts(ip, at);
CREATE TABLE sign_in_failures (
    email TEXT PRIMARY KEY,
    consecutive INTEGER NOT NULL DEFAULT 0,
    locks INTEGER NOT NULL DEFAULT 0,
    locked_until INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE sessions (
    token_hash BLOB PRIMARY KEY,
    email TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    last_seen_at INTEGER NOT NULL,
    revoked INTEGER NOT NULL DEFAULT 0
);
"#,
    r#"
-- 0: the merchant publishes no list of portal actions (as Duro's own API), so
-- the status alone decides what the portal may do.
ALTER TABLE merchants ADD COLUMN lists_actions INTEGER NOT NULL DEFAULT 1;
"#,
    r#"
-- The listing reads a customer's subscriptions from this index alone, in the
-- order it groups them (it supersedes subscriptions_by_customer).
CREATE INDEX subscriptions_listing ON subscriptions
    (customer_id, tenant_id, current_period_end, id, plan_id, mode, status, cancel_at_period_end);
DROP INDEX subscriptions_by_customer;
-- The hourly windows drop their expired rows by time.
CREATE INDEX ip_starts_by_at ON ip_starts(at);
CREATE INDEX code_sends_by_time ON code_sends(sent_at);
"#,
    // Failures and hourly codes per address and client (issue 10, D5): a
    // stranger's attempts lock out the stranger, not the address's owner.
    r#"
DROP TABLE sign_in_failures;
CREATE TABLE sign_in_failures (
    email TEXT NOT NULL,
    client TEXT NOT NULL,
    consecutive INTEGER NOT NULL DEFAULT 0,
    locks INTEGER NOT NULL DEFAULT 0,
    locked_until INTEGER NOT NULL DEFAULT 0,
    last_failed_at INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (email, client)
);
CREATE INDEX sign_in_failures_by_time ON sign_in_failures(last_failed_at);
CREATE INDEX codes_by_expiry ON codes(expires_at);
CREATE INDEX sessions_by_last_seen ON sessions(last_seen_at);
ALTER TABLE code_sends ADD COLUMN client TEXT NOT NULL DEFAULT '';
CREATE INDEX code_sends_by_email_client ON code_sends(email, client, sent_at);
-- Each wrong code, by client, for the hourly limit across addresses.
CREATE TABLE client_failures (ip TEXT NOT NULL, at INTEGER NOT NULL);
CREATE INDEX client_failures_by_ip ON client_failures(ip, at);
CREATE INDEX client_failures_by_at ON client_failures(at);
-- Tries at the live code, per client (the code's own row counts them all).
CREATE TABLE code_attempts (
    email TEXT NOT NULL,
    client TEXT NOT NULL,
    attempts INTEGER NOT NULL,
    PRIMARY KEY (email, client)
);
"#,
    // Invoices and paying what is owed (issue 11). A card is named on an
    // invoice by brand and last four as they were, so removing the card later
    // does not change what a receipt says.
    r#"
CREATE TABLE invoices (
    id TEXT PRIMARY KEY,
    number TEXT,
    subscription_id TEXT NOT NULL REFERENCES subscriptions(id),
    status TEXT NOT NULL,
    amount_due INTEGER NOT NULL,
    amount_paid INTEGER NOT NULL DEFAULT 0,
    currency TEXT NOT NULL,
    period_start INTEGER,
    period_end INTEGER,
    created_at INTEGER NOT NULL,
    paid_at INTEGER,
    paid_brand TEXT,
    paid_last4 TEXT,
    failed_at INTEGER,
    failed_brand TEXT,
    failed_last4 TEXT,
    decline_code TEXT
);
CREATE INDEX invoices_by_subscription ON invoices(subscription_id, created_at, id);
-- Every charge the processor was asked to make, paid or declined.
CREATE TABLE charges (
    id INTEGER PRIMARY KEY,
    invoice_id TEXT NOT NULL REFERENCES invoices(id),
    card_id TEXT NOT NULL,
    amount INTEGER NOT NULL,
    outcome TEXT NOT NULL,
    decline_code TEXT,
    created_at INTEGER NOT NULL
);
-- The answer given under an Idempotency-Key, per customer, replayed to a
-- repeat of the same request.
CREATE TABLE idempotent_answers (
    customer_id TEXT NOT NULL,
    key TEXT NOT NULL,
    request TEXT NOT NULL,
    body TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    PRIMARY KEY (customer_id, key)
);
CREATE INDEX idempotent_answers_by_time ON idempotent_answers(created_at);
"#,
    // 6: wallet top-ups through the dev checkout.
    r#"
CREATE TABLE checkouts (
    id TEXT PRIMARY KEY,
    customer_id TEXT NOT NULL REFERENCES customers(id),
    amount INTEGER NOT NULL,
    currency TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('pending', 'paid')),
    created_at INTEGER NOT NULL,
    paid_at INTEGER
);
"#,
    // 7: merchants' secret keys, for minting portal links; only their hashes.
    r#"
CREATE TABLE merchant_keys (
    key_hash BLOB PRIMARY KEY,
    tenant_id TEXT NOT NULL REFERENCES merchants(tenant_id),
    mode TEXT NOT NULL CHECK (mode IN ('test', 'live')),
    created_at INTEGER NOT NULL
);
"#,
];

#[derive(Clone)]
pub struct Store {
    pool: Pool,
    /// Writers take turns here, in order, before they begin: SQLite's own wait
    /// for a busy database sleeps in steps of milliseconds, the tail of every
    /// write under load.
    writer: std::sync::Arc<tokio::sync::Mutex<()>>,
    /// One permit per pooled connection: work waits for a connection here, as a
    /// small future, not in a blocking thread holding its request (under overload
    /// those piled up to gigabytes).
    connections: std::sync::Arc<tokio::sync::Semaphore>,
    checkpoints: std::sync::Arc<Checkpointer>,
}

/// Connections in the pool, and so database tasks at once.
const CONNECTIONS: u32 = 8;

fn configure(conn: &mut Connection) -> Result<(), r2d2_sqlite::rusqlite::Error> {
    conn.busy_timeout(std::time::Duration::from_secs(5))?;
    conn.pragma_update(None, "journal_mode", "WAL")?;
    conn.pragma_update(None, "synchronous", "NORMAL")?;
    conn.pragma_update(None, "foreign_keys", "ON")?;
    // No connection that answers a request checkpoints: with SQLite's default,
    // the commit that took the log past 1,000 pages copied them into the database
    // file while its request (and every writer queued behind it) waited: start's
    // and verify's server p99 at 1,000 requests a second was 4.5 to 6 ms here,
    // 0.6 to 2 ms with `Checkpointer` doing it on its own thread. (Either way,
    // a sync that meets this machine's disk at a slow moment, 0.1 to 1 s, still
    // holds up the writes waiting for it.)
    conn.pragma_update(None, "wal_autocheckpoint", 0)?;
    Ok(())
}

/// Copies the write-ahead log into the database file on a thread of its own,
/// soon after writes: SQLite's passive checkpoint, which waits for no reader and
/// no writer, so requests go on meanwhile. A writer starts the log over only
/// when all of it is in the file, which under steady writes a passive
/// checkpoint never sees (alone, it let the log grow past a gigabyte in a
/// minute of the benchmark); so a long log's last few pages are copied in a
/// writer's turn. Under the benchmark's load the log then peaks at 10 to 50 MB
/// (SQLite's own checkpoint keeps it to 4 MB, in its requests' time).
struct Checkpointer {
    /// One waiting signal at most: writes while a checkpoint runs make one more.
    written: std::sync::mpsc::SyncSender<()>,
}

/// At most this often, so a busy server checkpoints in batches.
const CHECKPOINT_GAP: std::time::Duration = std::time::Duration::from_millis(20);
/// A log longer than this (SQLite's own threshold) is finished in a writer's turn.
const LOG_FRAMES: i64 = 1000;
/// And once in this long whatever else, for a write that did not come through
/// `Store::write` (a passive checkpoint with nothing to copy does nothing).
const CHECKPOINT_IDLE: std::time::Duration = std::time::Duration::from_secs(1);

impl Checkpointer {
    /// The thread ends once the last handle of the store is dropped.
    fn start(
        path: &Path,
        writer: std::sync::Arc<tokio::sync::Mutex<()>>,
    ) -> anyhow::Result<Checkpointer> {
        let mut conn = Connection::open(path)?;
        configure(&mut conn)?;
        let (written, signals) = std::sync::mpsc::sync_channel::<()>(1);
        std::thread::Builder::new()
            .name("sqlite-checkpoint".into())
            .spawn(move || loop {
                let last = match signals.recv_timeout(CHECKPOINT_IDLE) {
                    Err(std::sync::mpsc::RecvTimeoutError::Disconnected) => true,
                    Ok(()) | Err(std::sync::mpsc::RecvTimeoutError::Timeout) => false,
                };
                let passive = |conn: &Connection| {
                    conn.query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |row| {
                        row.get::<_, i64>(1)
                    })
                };
                let done = passive(&conn).and_then(|frames| {
                    if frames <= LOG_FRAMES {
                        return Ok(());
                    }
                    // Copied while writers went on, the log is not done yet: a
                    // writer starts it over only once all of it is in the file.
                    // The rest (what came meanwhile) is copied in a writer's turn.
                    let _turn = writer.blocking_lock();
                    passive(&conn).map(|_| ())
                });
                if let Err(error) = done {
                    tracing::warn!(%error, "checkpointing the database's log failed");
                }
                if last {
                    break;
                }
                std::thread::sleep(CHECKPOINT_GAP);
            })?;
        Ok(Checkpointer { written })
    }

    fn wrote(&self) {
        // Full: a checkpoint is already due.
        let _ = self.written.try_send(());
    }
}

impl Store {
    pub fn open(path: &Path) -> anyhow::Result<Store> {
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir)?;
        }
        let manager = SqliteConnectionManager::file(path).with_init(configure);
        let pool = r2d2::Pool::builder().max_size(CONNECTIONS).build(manager)?;
        let mut conn = pool.get()?;
        migrate(&mut conn)?;
        let writer = std::sync::Arc::<tokio::sync::Mutex<()>>::default();
        Ok(Store {
            pool,
            checkpoints: std::sync::Arc::new(Checkpointer::start(path, writer.clone())?),
            writer,
            connections: std::sync::Arc::new(tokio::sync::Semaphore::new(CONNECTIONS as usize)),
        })
    }

    /// Runs blocking database work off the async runtime. The work's error type is
    /// the caller's (a rule's refusal, say); database faults become one of its values.
    pub async fn run<T, E>(
        &self,
        work: impl FnOnce(&mut Connection) -> Result<T, E> + Send + 'static,
    ) -> Result<T, E>
    where
        T: Send + 'static,
        E: From<StoreError> + Send + 'static,
    {
        let pool = self.pool.clone();
        // The semaphore is never closed, so a permit always comes.
        let _connection = self.connections.acquire().await;
        tokio::task::spawn_blocking(move || {
            let mut conn = pool.get().map_err(StoreError::from)?;
            work(&mut conn)
        })
        .await
        .map_err(StoreError::from)?
    }

    /// Like `run`, inside one `BEGIN IMMEDIATE` transaction that commits only on `Ok`.
    pub async fn write<T, E>(
        &self,
        work: impl FnOnce(&Connection) -> Result<T, E> + Send + 'static,
    ) -> Result<T, E>
    where
        T: Send + 'static,
        E: From<StoreError> + Send + 'static,
    {
        let _turn = self.writer.lock().await;
        let value = self
            .run(move |conn| -> Result<T, E> {
                let tx = conn
                    .transaction_with_behavior(TransactionBehavior::Immediate)
                    .map_err(StoreError::from)?;
                let value = work(&tx)?;
                tx.commit().map_err(StoreError::from)?;
                Ok(value)
            })
            .await?;
        self.checkpoints.wrote();
        Ok(value)
    }
}

fn migrate(conn: &mut Connection) -> anyhow::Result<()> {
    let applied: i64 = conn.pragma_query_value(None, "user_version", |row| row.get(0))?;
    for (index, sql) in MIGRATIONS.iter().enumerate().skip(applied.max(0) as usize) {
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        tx.execute_batch(sql)?;
        tx.pragma_update(None, "user_version", index as i64 + 1)?;
        tx.commit()?;
    }
    Ok(())
}

/// `2026-12-01T00:00:00Z` for a Unix time, years 0000 to 9999; the listing writes
/// one per subscription, so this skips a general formatter's machinery.
pub fn timestamp(unix: i64) -> Option<String> {
    let (year, month, day) = civil_date(unix);
    let seconds = unix.rem_euclid(86_400);
    if !(0..=9999).contains(&year) {
        return None;
    }
    // Digits written directly: `format!` was most of the listing's time per row.
    let mut text = String::with_capacity(20);
    push_digits(&mut text, year, 4);
    text.push('-');
    push_digits(&mut text, month, 2);
    text.push('-');
    push_digits(&mut text, day, 2);
    text.push('T');
    push_digits(&mut text, seconds / 3600, 2);
    text.push(':');
    push_digits(&mut text, seconds % 3600 / 60, 2);
    text.push(':');
    push_digits(&mut text, seconds % 60, 2);
    text.push('Z');
    Some(text)
}

/// Year, month and day of a Unix time, in UTC.
pub fn civil_date(unix: i64) -> (i64, i64, i64) {
    let days = unix.div_euclid(86_400);
    // Days to a civil date (Howard Hinnant's algorithm, proleptic Gregorian).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let day_of_era = z.rem_euclid(146_097);
    let year_of_era =
        (day_of_era - day_of_era / 1460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let month_index = (5 * day_of_year + 2) / 153;
    let day = day_of_year - (153 * month_index + 2) / 5 + 1;
    let month = if month_index < 10 {
        month_index + 3
    } else {
        month_index - 9
    };
    let year = year_of_era + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

/// `value`'s last `width` decimal digits, zero-padded (`value` is not negative).
fn push_digits(text: &mut String, value: i64, width: u32) {
    for place in (0..width).rev() {
        let digit = (value / 10i64.pow(place)) % 10;
        text.push(char::from(b'0' + digit as u8));
    }
}

/// The merchant's list of portal actions, or `None` where it publishes none.
fn parse_actions(listed: bool, list: &str) -> Option<Vec<PortalAction>> {
    listed.then(|| {
        list.split(',')
            .map(str::trim)
            .filter(|a| !a.is_empty())
            .map(PortalAction::from)
            .collect()
    })
}

pub fn account(conn: &Connection, email: &str) -> Result<PortalAccount, StoreError> {
    let name: Option<Option<String>> = conn
        .query_row(
            "SELECT name FROM customers WHERE email = ?1",
            [email],
            |row| row.get(0),
        )
        .optional()?;
    Ok(PortalAccount {
        email: email.to_string(),
        name: name.flatten(),
    })
}

pub fn has_account(conn: &Connection, email: &str) -> Result<bool, StoreError> {
    Ok(conn
        .query_row("SELECT 1 FROM customers WHERE email = ?1", [email], |_| {
            Ok(())
        })
        .optional()?
        .is_some())
}

/// Every subscription of one address, grouped by merchant (by name, then id) and
/// within a merchant by period end. Three queries whatever the number of merchants:
/// one scan of the subscriptions' covering index, already in merchant order, then
/// the merchants and the plans it named, fetched by key.
pub fn subscriptions_for(
    conn: &Connection,
    email: &str,
) -> Result<Vec<PortalMerchantGroup>, StoreError> {
    let mut subscriptions = conn.prepare_cached(
        "SELECT tenant_id, id, mode, status, cancel_at_period_end, current_period_end, plan_id
         FROM subscriptions INDEXED BY subscriptions_listing
         WHERE customer_id = (SELECT id FROM customers WHERE email = ?1)
         ORDER BY tenant_id, current_period_end, id",
    )?;
    // Every row in index order, each with its plan's place for now, and each
    // merchant with how many of them are its: one vector, cut into each
    // merchant's own (sized once) at the end. A vector or two per merchant,
    // grown a row at a time, was a realloc every few rows.
    let mut read: Vec<(PortalSubscription, Option<usize>)> = Vec::new();
    let mut tenants: Vec<(String, usize)> = Vec::new();
    // Each plan id once. A merchant's subscriptions come together and are mostly
    // on few plans, so the last one met is checked first: copying and sorting
    // every row's plan id was a fifth of the listing's time.
    let mut plan_ids: Vec<String> = Vec::new();
    let mut plan_places: HashMap<String, usize> = HashMap::new();
    let mut last_plan: Option<usize> = None;
    let mut rows = subscriptions.query([email])?;
    while let Some(row) = rows.next()? {
        // Ids compared as they are stored; read as text only when new.
        let tenant = row.get_ref(0)?.as_bytes()?;
        if tenants
            .last()
            .is_none_or(|(last, _)| last.as_bytes() != tenant)
        {
            tenants.push((row.get_ref(0)?.as_str()?.to_string(), 0));
        }
        if let Some((_, count)) = tenants.last_mut() {
            *count += 1;
        }
        let plan = match row.get_ref(6)?.as_bytes_or_null()? {
            None => None,
            Some(id) => Some(match last_plan {
                Some(at) if plan_ids[at].as_bytes() == id => at,
                _ => {
                    let id = row.get_ref(6)?.as_str()?;
                    match plan_places.get(id) {
                        Some(&at) => at,
                        None => {
                            plan_ids.push(id.to_string());
                            plan_places.insert(id.to_string(), plan_ids.len() - 1);
                            plan_ids.len() - 1
                        }
                    }
                }
            }),
        };
        last_plan = plan.or(last_plan);
        let subscription = PortalSubscription {
            id: row.get(1)?,
            mode: Some(Mode::from(row.get_ref(2)?.as_str()?)),
            status: SubscriptionStatus::from(row.get_ref(3)?.as_str()?),
            cancel_at_period_end: row.get(4)?,
            current_period_end: row.get::<_, Option<i64>>(5)?.and_then(timestamp),
            plan: None,
        };
        read.push((subscription, plan));
    }
    let keys = |ids: Vec<&str>| serde_json::to_string(&ids).unwrap_or_else(|_| "[]".into());

    // The merchants and plans are looked up key by key in the order of their key
    // list, and each row comes back with its place in it (`key`): no set of keys
    // built and sorted for `IN`, no tenant id matched again in Rust.
    let mut merchants = conn.prepare_cached(
        "SELECT k.key, m.name, m.actions, m.lists_actions
         FROM json_each(?1) AS k CROSS JOIN merchants AS m ON m.tenant_id = k.value",
    )?;
    let tenant_keys = keys(tenants.iter().map(|(tenant, _)| tenant.as_str()).collect());
    // Each group's merchant (`None`: no such merchant, so no group shown).
    let mut merchant_of: Vec<Option<(String, Option<Vec<PortalAction>>)>> =
        vec![None; tenants.len()];
    let mut found = merchants.query([tenant_keys])?;
    while let Some(row) = found.next()? {
        let Some(slot) = place(row.get(0)?).and_then(|at| merchant_of.get_mut(at)) else {
            continue;
        };
        *slot = Some((
            row.get(1)?,
            parse_actions(row.get(3)?, row.get_ref(2)?.as_str()?),
        ));
    }

    let mut plans = conn.prepare_cached(
        "SELECT k.key, p.name, p.amount, p.currency, p.interval, p.interval_count
         FROM json_each(?1) AS k CROSS JOIN plans AS p ON p.id = k.value",
    )?;
    // Each plan read once, in the place its id was met (`None`: no such plan).
    let mut plan_of: Vec<Option<Arc<PortalPlan>>> = vec![None; plan_ids.len()];
    let mut found = plans.query([keys(plan_ids.iter().map(String::as_str).collect())])?;
    while let Some(row) = found.next()? {
        let Some((slot, id)) =
            place(row.get(0)?).and_then(|at| Some((plan_of.get_mut(at)?, plan_ids.get_mut(at)?)))
        else {
            continue;
        };
        *slot = Some(Arc::new(PortalPlan {
            id: std::mem::take(id),
            name: row.get(1)?,
            amount: row.get(2)?,
            currency: row.get(3)?,
            interval: row.get(4)?,
            interval_count: row.get(5)?,
        }));
    }

    let mut listing = Vec::with_capacity(tenants.len());
    let mut read = read.into_iter();
    for ((tenant_id, count), merchant) in tenants.into_iter().zip(merchant_of) {
        let rows = read.by_ref().take(count);
        let Some((merchant_name, actions)) = merchant else {
            rows.for_each(drop);
            continue;
        };
        let mut subscriptions = Vec::with_capacity(count);
        subscriptions.extend(rows.map(|(mut subscription, plan)| {
            subscription.plan = plan.and_then(|at| plan_of[at].clone());
            subscription
        }));
        listing.push(PortalMerchantGroup {
            tenant_id,
            merchant_name,
            subscriptions,
            actions,
        });
    }
    // SQLite's NOCASE: ASCII letters only, so every server orders names alike.
    listing.sort_by(|a, b| {
        let names = a.merchant_name.bytes().map(|c| c.to_ascii_lowercase());
        names
            .cmp(b.merchant_name.bytes().map(|c| c.to_ascii_lowercase()))
            .then_with(|| a.tenant_id.cmp(&b.tenant_id))
    });
    Ok(listing)
}

/// A row's place in its key list, as `json_each` numbers an array's members.
fn place(key: i64) -> Option<usize> {
    usize::try_from(key).ok()
}

/// A subscription as the action rules need it.
pub struct OwnedSubscription {
    pub id: String,
    pub state: State,
    pub current_period_end: Option<i64>,
    /// What its merchant lets the portal do; `None` where it publishes no list.
    pub allowed: Option<Vec<PortalAction>>,
}

/// The subscription with this id and mode if it belongs to `email`; `None` for
/// anyone else's, so another customer's id looks like one that does not exist.
pub fn owned_subscription(
    conn: &Connection,
    email: &str,
    mode: &Mode,
    id: &str,
) -> Result<Option<OwnedSubscription>, StoreError> {
    Ok(conn
        .query_row(
            "SELECT s.id, s.status, s.cancel_at_period_end, s.current_period_end,
                    m.actions, m.lists_actions
             FROM subscriptions s
             JOIN customers c ON c.id = s.customer_id
             JOIN merchants m ON m.tenant_id = s.tenant_id
             WHERE s.id = ?1 AND s.mode = ?2 AND c.email = ?3",
            params![id, mode.as_str(), email],
            |row| {
                Ok(OwnedSubscription {
                    id: row.get(0)?,
                    state: State::new(
                        SubscriptionStatus::from(row.get::<_, String>(1)?),
                        row.get(2)?,
                    ),
                    current_period_end: row.get(3)?,
                    allowed: parse_actions(row.get(5)?, &row.get::<_, String>(4)?),
                })
            },
        )
        .optional()?)
}

pub fn update_subscription(conn: &Connection, id: &str, state: &State) -> Result<(), StoreError> {
    conn.execute(
        "UPDATE subscriptions SET status = ?2, cancel_at_period_end = ?3 WHERE id = ?1",
        params![id, state.status.as_str(), state.cancel_at_period_end],
    )?;
    Ok(())
}

pub fn cards_for(conn: &Connection, email: &str) -> Result<Vec<PortalCard>, StoreError> {
    let mut statement = conn.prepare_cached(
        "SELECT k.id, k.brand, k.last4, k.exp_month, k.exp_year, k.is_default
         FROM cards k JOIN customers c ON c.id = k.customer_id
         WHERE c.email = ?1 ORDER BY k.is_default DESC, k.id",
    )?;
    let cards = statement
        .query_map([email], |row| {
            Ok(PortalCard {
                id: row.get(0)?,
                brand: row.get(1)?,
                last4: row.get(2)?,
                exp_month: row.get(3)?,
                exp_year: row.get(4)?,
                is_default: row.get(5)?,
            })
        })?
        .collect::<Result<Vec<_>, _>>()?;
    Ok(cards)
}

pub fn wallet_for(conn: &Connection, email: &str) -> Result<Option<WalletResponse>, StoreError> {
    let wallet = conn
        .query_row(
            "SELECT w.customer_id, w.balance, w.currency, w.status
             FROM wallets w JOIN customers c ON c.id = w.customer_id WHERE c.email = ?1",
            [email],
            |row| {
                Ok((
                    row.get::<_, String>(0)?,
                    row.get::<_, i64>(1)?,
                    row.get::<_, String>(2)?,
                    row.get::<_, String>(3)?,
                ))
            },
        )
        .optional()?;
    let Some((customer_id, balance, currency, status)) = wallet else {
        return Ok(None);
    };
    let mut statement = conn.prepare_cached(
        "SELECT id, amount, balance_after, memo, merchant_name, created_at
         FROM wallet_transactions WHERE customer_id = ?1 ORDER BY created_at DESC, id",
    )?;
    let transactions = statement
        .query_map([&customer_id], |row| {
            Ok(WalletTransaction {
                id: row.get(0)?,
                amount: row.get(1)?,
                balance_after: row.get(2)?,
                memo: row.get(3)?,
                merchant_name: row.get(4)?,
                created_at: timestamp(row.get(5)?).unwrap_or_default(),
            })
        })?
        .collect::<Result<Vec<_>, _>>()?;
    Ok(Some(WalletResponse {
        balance,
        currency,
        status: WalletStatus::from(status),
        transactions,
    }))
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicUsize, Ordering};

    use super::*;

    static STATEMENTS: AtomicUsize = AtomicUsize::new(0);

    fn count_statement(event: r2d2_sqlite::rusqlite::trace::TraceEvent<'_>) {
        if let r2d2_sqlite::rusqlite::trace::TraceEvent::Stmt(..) = event {
            STATEMENTS.fetch_add(1, Ordering::SeqCst);
        }
    }

    fn add_merchants(conn: &Connection, from: usize, to: usize) {
        for n in from..to {
            conn.execute(
                "INSERT INTO merchants (tenant_id, name, actions) VALUES (?1, ?2, 'cancel')",
                params![format!("ten_{n}"), format!("Merchant {n}")],
            )
            .unwrap();
            conn.execute(
                "INSERT INTO plans (id, tenant_id, name, amount, currency, interval, interval_count)
                 VALUES (?1, ?2, 'Plan', 1000, 'NGN', 'month', 1)",
                params![format!("plan_{n}"), format!("ten_{n}")],
            )
            .unwrap();
            conn.execute(
                "INSERT INTO subscriptions (id, tenant_id, customer_id, plan_id, mode, status)
                 VALUES (?1, ?2, 'cus_1', ?3, 'live', 'active')",
                params![format!("sub_{n}"), format!("ten_{n}"), format!("plan_{n}")],
            )
            .unwrap();
        }
    }

    fn statements_to_list(conn: &Connection) -> (usize, usize) {
        conn.trace_v2(
            r2d2_sqlite::rusqlite::trace::TraceEventCodes::SQLITE_TRACE_STMT,
            Some(count_statement),
        );
        STATEMENTS.store(0, Ordering::SeqCst);
        let groups = subscriptions_for(conn, "ada@example.com").unwrap();
        let count = STATEMENTS.load(Ordering::SeqCst);
        conn.trace_v2(r2d2_sqlite::rusqlite::trace::TraceEventCodes::empty(), None);
        (groups.len(), count)
    }

    #[test]
    fn listing_takes_the_same_number_of_queries_for_any_number_of_merchants() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("portal.db")).unwrap();
        let conn = store.pool.get().unwrap();
        conn.execute(
            "INSERT INTO customers (id, email) VALUES ('cus_1', 'ada@example.com')",
            [],
        )
        .unwrap();
        add_merchants(&conn, 0, 1);
        let (groups, one_merchant) = statements_to_list(&conn);
        assert_eq!(groups, 1);
        add_merchants(&conn, 1, 100);
        let (groups, hundred_merchants) = statements_to_list(&conn);
        assert_eq!(groups, 100);
        assert_eq!(one_merchant, hundred_merchants);
        assert_eq!(
            hundred_merchants, 3,
            "subscriptions, merchants and plans: three queries list everything"
        );
    }

    /// ada@example.com's listing in a fresh database after `sql`.
    fn listing_after(sql: &str) -> Vec<PortalMerchantGroup> {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("portal.db")).unwrap();
        let conn = store.pool.get().unwrap();
        conn.execute_batch(sql).unwrap();
        subscriptions_for(&conn, "ada@example.com").unwrap()
    }

    #[test]
    fn a_merchant_missing_from_the_database_hides_only_its_own_subscriptions() {
        // Foreign keys keep this from happening through the server; a database
        // edited by other means may still have it.
        let listed: Vec<(String, Vec<String>)> = listing_after(
            "PRAGMA foreign_keys = OFF;
             INSERT INTO customers (id, email) VALUES ('cus_1', 'ada@example.com');
             INSERT INTO merchants (tenant_id, name, actions) VALUES ('ten_a', 'A', 'cancel'),
                 ('ten_c', 'C', 'cancel');
             INSERT INTO subscriptions (id, tenant_id, customer_id, mode, status, current_period_end)
                 VALUES ('sub_a1', 'ten_a', 'cus_1', 'live', 'active', 1),
                        ('sub_b1', 'ten_b', 'cus_1', 'live', 'active', 2),
                        ('sub_b2', 'ten_b', 'cus_1', 'live', 'active', 3),
                        ('sub_c1', 'ten_c', 'cus_1', 'live', 'active', 4),
                        ('sub_c2', 'ten_c', 'cus_1', 'live', 'active', 5);",
        )
        .into_iter()
        .map(|group| {
            let ids = group.subscriptions.into_iter().map(|s| s.id).collect();
            (group.merchant_name, ids)
        })
        .collect();
        let expected =
            [("A", vec!["sub_a1"]), ("C", vec!["sub_c1", "sub_c2"])].map(|(name, ids)| {
                (
                    name.to_string(),
                    ids.into_iter().map(String::from).collect(),
                )
            });
        assert_eq!(listed, expected);
    }

    #[test]
    fn each_subscription_in_the_listing_carries_its_own_plan() {
        let listed: Vec<(String, Option<String>)> = listing_after(
            "INSERT INTO customers (id, email) VALUES ('cus_1', 'ada@example.com');
             INSERT INTO merchants (tenant_id, name, actions) VALUES ('ten_a', 'A', 'cancel'),
                 ('ten_b', 'B', 'cancel');
             INSERT INTO plans (id, tenant_id, name, amount, currency, interval, interval_count)
                 VALUES ('plan_1', 'ten_a', 'One', 100, 'NGN', 'month', 1),
                        ('plan_2', 'ten_a', 'Two', 200, 'NGN', 'month', 1),
                        ('plan_3', 'ten_b', 'Three', 300, 'NGN', 'year', 1);
             INSERT INTO subscriptions
                 (id, tenant_id, customer_id, plan_id, mode, status, current_period_end)
                 VALUES ('sub_1', 'ten_a', 'cus_1', 'plan_1', 'live', 'active', 1),
                        ('sub_2', 'ten_a', 'cus_1', 'plan_2', 'live', 'active', 2),
                        ('sub_3', 'ten_a', 'cus_1', 'plan_1', 'live', 'active', 3),
                        ('sub_4', 'ten_a', 'cus_1', NULL, 'live', 'active', 4),
                        ('sub_5', 'ten_a', 'cus_1', 'plan_2', 'live', 'active', 5),
                        ('sub_6', 'ten_b', 'cus_1', 'plan_1', 'live', 'active', 6),
                        ('sub_7', 'ten_b', 'cus_1', 'plan_3', 'live', 'active', 7);",
        )
        .into_iter()
        .flat_map(|group| group.subscriptions)
        .map(|s| {
            (
                s.id,
                s.plan.map(|plan| format!("{}:{}", plan.id, plan.amount)),
            )
        })
        .collect();
        let expected = [
            ("sub_1", Some("plan_1:100")),
            ("sub_2", Some("plan_2:200")),
            ("sub_3", Some("plan_1:100")),
            ("sub_4", None),
            ("sub_5", Some("plan_2:200")),
            ("sub_6", Some("plan_1:100")),
            ("sub_7", Some("plan_3:300")),
        ]
        .map(|(id, plan)| (id.to_string(), plan.map(String::from)));
        assert_eq!(listed, expected);
    }

    #[test]
    fn each_merchant_group_carries_its_own_name_and_actions() {
        // Names in the opposite order to the tenant ids, and one merchant that
        // publishes no list of actions.
        let listed: Vec<(String, String, String, Option<usize>)> = listing_after(
            "INSERT INTO customers (id, email) VALUES ('cus_1', 'ada@example.com');
             INSERT INTO merchants (tenant_id, name, actions) VALUES ('ten_a', 'Zinc', 'cancel'),
                 ('ten_b', 'Mango', 'pause,resume'), ('ten_c', 'apple', '');
             UPDATE merchants SET lists_actions = 0 WHERE tenant_id = 'ten_c';
             INSERT INTO subscriptions (id, tenant_id, customer_id, mode, status)
                 VALUES ('sub_a', 'ten_a', 'cus_1', 'live', 'active'),
                        ('sub_b', 'ten_b', 'cus_1', 'live', 'active'),
                        ('sub_c', 'ten_c', 'cus_1', 'live', 'active');",
        )
        .into_iter()
        .map(|group| {
            (
                group.merchant_name,
                group.tenant_id,
                group.subscriptions[0].id.clone(),
                group.actions.map(|actions| actions.len()),
            )
        })
        .collect();
        let expected = [
            ("apple", "ten_c", "sub_c", None),
            ("Mango", "ten_b", "sub_b", Some(2)),
            ("Zinc", "ten_a", "sub_a", Some(1)),
        ]
        .map(|(name, tenant, id, actions)| (name.into(), tenant.into(), id.into(), actions));
        assert_eq!(listed, expected);
    }

    #[test]
    fn timestamps_read_as_rfc_3339_in_utc() {
        let format = &time::format_description::well_known::Rfc3339;
        // Every day of 1970 to 2100, at several times of day, and the edges.
        for unix in (-86_400 * 365..4_102_444_800)
            .step_by(86_400 * 3 + 3_607)
            .chain([0, -1, 951_782_400, 253_402_300_799])
        {
            let expected = time::OffsetDateTime::from_unix_timestamp(unix)
                .unwrap()
                .format(format)
                .unwrap();
            assert_eq!(
                timestamp(unix).as_deref(),
                Some(expected.as_str()),
                "{unix}"
            );
        }
        assert_eq!(timestamp(253_402_300_800), None, "year 10000");
    }

    #[test]
    fn migrations_run_once_and_reopening_keeps_the_data() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("portal.db");
        {
            let store = Store::open(&path).unwrap();
            let conn = store.pool.get().unwrap();
            conn.execute(
                "INSERT INTO customers (id, email) VALUES ('cus_1', 'ada@example.com')",
                [],
            )
            .unwrap();
        }
        let store = Store::open(&path).unwrap();
        let conn = store.pool.get().unwrap();
        assert!(has_account(&conn, "ada@example.com").unwrap());
        let mode: String = conn
            .pragma_query_value(None, "journal_mode", |r| r.get(0))
            .unwrap();
        assert_eq!(mode, "wal");
    }

    /// Whether the database file alone, read without its log, has this address.
    fn file_alone_has(path: &Path, email: &str) -> bool {
        let copy = tempfile::tempdir().unwrap();
        let copied = copy.path().join("copy.db");
        // A copy taken while a checkpoint writes may be torn: then not yet.
        std::fs::copy(path, &copied).is_ok()
            && Connection::open(&copied)
                .and_then(|conn| {
                    conn.query_row(
                        "SELECT count(*) FROM customers WHERE email = ?1",
                        [email],
                        |row| row.get::<_, i64>(0),
                    )
                })
                .is_ok_and(|found| found == 1)
    }

    /// How many times the log has started over: its header's checkpoint
    /// sequence number, which SQLite counts up at each start.
    fn log_starts(dir: &Path) -> u32 {
        use std::io::Read;
        let mut header = [0u8; 16];
        std::fs::File::open(dir.join("portal.db-wal"))
            .and_then(|mut log| log.read_exact(&mut header))
            .map_or(0, |()| {
                u32::from_be_bytes([header[12], header[13], header[14], header[15]])
            })
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn the_log_starts_over_under_steady_writes() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("portal.db")).unwrap();
        let written = Arc::new(std::sync::atomic::AtomicUsize::new(0));
        let stop = Arc::new(std::sync::atomic::AtomicBool::new(false));
        // Writers always waiting their turn, as under load: a passive checkpoint
        // then never finds the whole log in the file by itself.
        let writers: Vec<_> = (0..8)
            .map(|writer| {
                let (store, written, stop) = (store.clone(), written.clone(), stop.clone());
                tokio::spawn(async move {
                    while !stop.load(Ordering::SeqCst) {
                        let n = written.fetch_add(1, Ordering::SeqCst);
                        // ~3 pages a write: 20,000 are ~80 MB of log never started over.
                        if n >= 20_000 {
                            break;
                        }
                        store
                            .write(move |conn| {
                                conn.execute(
                                    "INSERT INTO customers (id, email) VALUES (?1, ?2)",
                                    params![
                                        format!("cus_{writer}_{n}"),
                                        format!("c{n}@example.com")
                                    ],
                                )
                                .map_err(StoreError::from)
                            })
                            .await
                            .unwrap();
                    }
                })
            })
            .collect();
        while !dir.path().join("portal.db-wal").exists() {
            tokio::time::sleep(std::time::Duration::from_millis(1)).await;
        }
        let first = log_starts(dir.path());
        let started_over = loop {
            let (starts, count) = (log_starts(dir.path()), written.load(Ordering::SeqCst));
            if starts > first || count >= 20_000 {
                break starts > first;
            }
            tokio::time::sleep(std::time::Duration::from_millis(5)).await;
        };
        stop.store(true, Ordering::SeqCst);
        for writer in writers {
            writer.await.unwrap();
        }
        assert!(
            started_over,
            "the log never started over in {} writes",
            written.load(Ordering::SeqCst)
        );
    }

    #[tokio::test]
    async fn a_write_reaches_the_database_file_soon_though_no_request_checkpoints() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("portal.db");
        let store = Store::open(&path).unwrap();
        // Requests never copy the log into the file themselves (their tail).
        let auto: i64 = store
            .pool
            .get()
            .unwrap()
            .pragma_query_value(None, "wal_autocheckpoint", |r| r.get(0))
            .unwrap();
        assert_eq!(auto, 0);
        store
            .write(|conn| {
                conn.execute(
                    "INSERT INTO customers (id, email) VALUES ('cus_1', 'ada@example.com')",
                    [],
                )
                .map_err(StoreError::from)
            })
            .await
            .unwrap();
        // One small write: far from the 1,000 pages SQLite's own checkpoint waits for.
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(5);
        while !file_alone_has(&path, "ada@example.com") {
            assert!(
                std::time::Instant::now() < deadline,
                "the write is still only in the log"
            );
            tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        }
    }
}
