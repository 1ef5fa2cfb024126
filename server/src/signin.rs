//! The sign-in rules, as functions of one transaction, the keys and the time.
use portal_core::api::{CodeIssue, PortalAccount, PortalMerchantGroup};
use portal_core::{Email, OtpCode};
use r2d2_sqlite::rusqlite::{params, Connection, OptionalExtension, ToSql};

use crate::crypto::{new_session_token, random_bytes, session_hash, Keys};
use crate::state::Limits;
use crate::store::{self, StoreError};

const HOUR: i64 = 60 * 60;

/// Why a sign-in rule said no, or could not decide.
#[derive(Debug, thiserror::Error)]
pub enum SignInError {
    /// Too many codes or starts, or the address is locked after failures.
    #[error("rate limited for {retry_after} s")]
    RateLimited { retry_after: i64 },
    /// The code was refused.
    #[error("code refused: {issue}")]
    Code {
        issue: CodeIssue,
        attempts_remaining: Option<u32>,
    },
    /// No live session for the token: unknown, expired or revoked.
    #[error("no live session")]
    SessionEnded,
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl From<r2d2_sqlite::rusqlite::Error> for SignInError {
    fn from(error: r2d2_sqlite::rusqlite::Error) -> Self {
        SignInError::Store(error.into())
    }
}

pub enum StartOutcome {
    /// A code to mail: new, or the live one again. Unknown addresses are never mailed.
    Send { code: OtpCode, has_account: bool },
    /// Inside the resend cooldown without `resend`: the mail already sent stands.
    AlreadySent,
}

/// How many events in the last hour, and when the oldest of them leaves the window.
fn hourly_window(
    conn: &Connection,
    table_sql: &str,
    keys: &[&str],
    now: i64,
) -> Result<(i64, i64), StoreError> {
    let since = now - HOUR;
    let mut values: Vec<&dyn ToSql> = vec![&since];
    values.extend(keys.iter().map(|key| key as &dyn ToSql));
    let (count, oldest): (i64, Option<i64>) =
        conn.query_row(table_sql, values.as_slice(), |row| {
            Ok((row.get(0)?, row.get(1)?))
        })?;
    Ok((count, oldest.map_or(0, |oldest| oldest + HOUR - now)))
}

pub fn start(
    conn: &Connection,
    keys: &Keys,
    limits: &Limits,
    now: i64,
    email: &Email,
    client: &str,
    resend: bool,
) -> Result<StartOutcome, SignInError> {
    conn.execute("DELETE FROM ip_starts WHERE at <= ?1", [now - HOUR])?;
    conn.execute("DELETE FROM code_sends WHERE sent_at <= ?1", [now - HOUR])?;

    let (starts, retry_after) = hourly_window(
        conn,
        "SELECT COUNT(*), MIN(at) FROM ip_starts WHERE at > ?1 AND ip = ?2",
        &[client],
        now,
    )?;
    if starts >= limits.starts_per_ip_per_hour {
        return Err(SignInError::RateLimited { retry_after });
    }
    conn.execute(
        "INSERT INTO ip_starts (ip, at) VALUES (?1, ?2)",
        params![client, now],
    )?;

    // The code in the inbox stays while it can still be used, from this client:
    // one who spent its own tries gets a new one (mailed to the address's owner,
    // so a stranger who does this only sends the owner a fresher code).
    let live: Option<(Vec<u8>, i64)> = conn
        .query_row(
            "SELECT seed, last_sent_at FROM codes
             WHERE email = ?1 AND expires_at > ?2 AND attempts < ?3
               AND COALESCE((SELECT attempts FROM code_attempts
                             WHERE email = ?1 AND client = ?5), 0) < ?4",
            params![
                email.as_str(),
                now,
                limits.attempts_per_code_all_clients,
                limits.attempts_per_code,
                client
            ],
            |row| Ok((row.get(0)?, row.get(1)?)),
        )
        .optional()?;
    if let Some((_, last_sent_at)) = &live {
        if !resend && now - last_sent_at < limits.resend_cooldown {
            return Ok(StartOutcome::AlreadySent);
        }
    }

    // The hourly codes are counted per address and client, so a stranger
    // cannot use up the owner's; a ceiling over all clients bounds the mail
    // an address can be sent.
    let (sent, retry_after) = hourly_window(
        conn,
        "SELECT COUNT(*), MIN(sent_at) FROM code_sends WHERE sent_at > ?1 AND email = ?2 AND client = ?3",
        &[email.as_str(), client],
        now,
    )?;
    if sent >= limits.codes_per_email_per_hour {
        return Err(SignInError::RateLimited { retry_after });
    }
    let (sent, retry_after) = hourly_window(
        conn,
        "SELECT COUNT(*), MIN(sent_at) FROM code_sends WHERE sent_at > ?1 AND email = ?2",
        &[email.as_str()],
        now,
    )?;
    if sent >= limits.codes_per_email_all_clients_per_hour {
        return Err(SignInError::RateLimited { retry_after });
    }
    conn.execute(
        "INSERT INTO code_sends (email, client, sent_at) VALUES (?1, ?2, ?3)",
        params![email.as_str(), client, now],
    )?;

    let code = match live {
        // The code already in the inbox stays valid: mail the same one again.
        Some((seed, _)) => {
            conn.execute(
                "UPDATE codes SET last_sent_at = ?2 WHERE email = ?1",
                params![email.as_str(), now],
            )?;
            keys.code_from_seed(email, &seed)
        }
        None => {
            let seed: [u8; 16] = random_bytes();
            let code = keys.code_from_seed(email, &seed);
            conn.execute(
                "DELETE FROM code_attempts WHERE email = ?1",
                [email.as_str()],
            )?;
            conn.execute(
                "INSERT OR REPLACE INTO codes (email, seed, code_hash, expires_at, attempts, last_sent_at)
                 VALUES (?1, ?2, ?3, ?4, 0, ?5)",
                params![
                    email.as_str(),
                    &seed[..],
                    keys.hash_code(email, &code),
                    now + limits.code_ttl,
                    now
                ],
            )?;
            code
        }
    };
    Ok(StartOutcome::Send {
        code,
        has_account: store::has_account(conn, email.as_str())?,
    })
}

pub struct SignedIn {
    pub session_token: String,
    pub account: PortalAccount,
    pub merchants: Vec<PortalMerchantGroup>,
}

fn code_error(issue: CodeIssue, attempts_remaining: Option<u32>) -> SignInError {
    SignInError::Code {
        issue,
        attempts_remaining,
    }
}

/// Checks a code. The outer `Result` is for faults (the transaction rolls back);
/// the inner one is the verdict, committed either way so every try is counted.
pub fn verify(
    conn: &Connection,
    keys: &Keys,
    limits: &Limits,
    now: i64,
    email: &Email,
    client: &str,
    code: &OtpCode,
) -> Result<Result<SignedIn, SignInError>, StoreError> {
    // Failures lock the client that made them out of this address, not the
    // address: a stranger's guesses must not keep its owner out.
    let (consecutive, locks, locked_until): (i64, i64, i64) = conn
        .query_row(
            "SELECT consecutive, locks, locked_until FROM sign_in_failures
             WHERE email = ?1 AND client = ?2",
            [email.as_str(), client],
            |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?)),
        )
        .optional()?
        .unwrap_or((0, 0, 0));
    if locked_until > now {
        return Ok(Err(SignInError::RateLimited {
            retry_after: locked_until - now,
        }));
    }
    // And one client guessing across many addresses meets an hourly limit.
    let (failures, retry_after) = hourly_window(
        conn,
        "SELECT COUNT(*), MIN(at) FROM client_failures WHERE at > ?1 AND ip = ?2",
        &[client],
        now,
    )?;
    if failures >= limits.verify_failures_per_client_per_hour {
        return Ok(Err(SignInError::RateLimited { retry_after }));
    }

    let stored: Option<(Vec<u8>, i64, i64)> = conn
        .query_row(
            "SELECT code_hash, expires_at, attempts FROM codes WHERE email = ?1",
            [email.as_str()],
            |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?)),
        )
        .optional()?;
    // No code at all (never sent, or already used) reads as expired: ask for a new one.
    let Some((hash, _, attempts)) = stored.filter(|(_, expires_at, _)| {
        *expires_at > now && !from_the_future(*expires_at - limits.code_ttl, now)
    }) else {
        return Ok(Err(code_error(CodeIssue::Expired, None)));
    };
    // Tries are counted per client (5, as the contract says), under a cap for
    // the code from all clients together: a stranger on one client cannot use
    // up the owner's tries.
    let mine: i64 = conn
        .query_row(
            "SELECT attempts FROM code_attempts WHERE email = ?1 AND client = ?2",
            [email.as_str(), client],
            |row| row.get(0),
        )
        .optional()?
        .unwrap_or(0);
    if mine >= limits.attempts_per_code || attempts >= limits.attempts_per_code_all_clients {
        return Ok(Err(code_error(CodeIssue::AttemptsExceeded, None)));
    }
    // Counted before comparing, in the same transaction.
    let (mine, attempts) = (mine + 1, attempts + 1);
    conn.execute(
        "UPDATE codes SET attempts = ?2 WHERE email = ?1",
        params![email.as_str(), attempts],
    )?;
    conn.execute(
        "INSERT INTO code_attempts (email, client, attempts) VALUES (?1, ?2, ?3)
         ON CONFLICT(email, client) DO UPDATE SET attempts = ?3",
        params![email.as_str(), client, mine],
    )?;

    if keys.code_matches(email, code, &hash) {
        conn.execute("DELETE FROM codes WHERE email = ?1", [email.as_str()])?;
        conn.execute(
            "DELETE FROM code_attempts WHERE email = ?1",
            [email.as_str()],
        )?;
        conn.execute(
            "DELETE FROM sign_in_failures WHERE email = ?1 AND client = ?2",
            [email.as_str(), client],
        )?;
        let (session_token, token_hash) = new_session_token();
        conn.execute(
            "INSERT INTO sessions (token_hash, email, created_at, last_seen_at) VALUES (?1, ?2, ?3, ?3)",
            params![token_hash, email.as_str(), now],
        )?;
        return Ok(Ok(SignedIn {
            session_token,
            account: store::account(conn, email.as_str())?,
            merchants: store::subscriptions_for(conn, email.as_str())?,
        }));
    }

    conn.execute(
        "INSERT INTO client_failures (ip, at) VALUES (?1, ?2)",
        params![client, now],
    )?;
    let consecutive = consecutive + 1;
    let (locks, locked_until) = if consecutive >= limits.failures_before_lock {
        // 30 s, then doubling with each further failure, up to an hour.
        let lock = (limits.first_lock << locks.min(20)).min(limits.longest_lock);
        (locks + 1, now + lock)
    } else {
        (locks, 0)
    };
    conn.execute(
        "INSERT INTO sign_in_failures (email, client, consecutive, locks, locked_until, last_failed_at)
         VALUES (?1, ?5, ?2, ?3, ?4, ?6)
         ON CONFLICT(email, client) DO UPDATE
         SET consecutive = ?2, locks = ?3, locked_until = ?4, last_failed_at = ?6",
        params![email.as_str(), consecutive, locks, locked_until, client, now],
    )?;
    let remaining =
        (limits.attempts_per_code - mine).min(limits.attempts_per_code_all_clients - attempts);
    if remaining <= 0 {
        return Ok(Err(code_error(CodeIssue::AttemptsExceeded, None)));
    }
    Ok(Err(code_error(
        CodeIssue::Incorrect,
        Some(remaining as u32),
    )))
}

/// A session's idle time is written again at most this often, so most signed-in
/// calls only read; the idle limit is then kept to within this many seconds.
pub const SESSION_REFRESH_SECONDS: i64 = 60;

/// A client's failures at an address are forgotten after a quiet day.
pub const FAILURES_KEPT_SECONDS: i64 = 24 * 60 * 60;

/// Deletes what can no longer count: expired codes and their tries, ended
/// sessions, failures after a quiet day, payment answers kept for their
/// idempotency keys after a day, and the hourly windows' rows past the
/// hour (start trims its own two as it goes; wrong codes' rows are trimmed only
/// here). Run on a schedule (`Application`), so the database holds the live
/// state of sign-in and not its history.
pub fn sweep(conn: &Connection, limits: &Limits, now: i64) -> Result<usize, StoreError> {
    let mut deleted = conn.execute("DELETE FROM codes WHERE expires_at <= ?1", [now])?;
    deleted += conn.execute(
        "DELETE FROM code_attempts WHERE email NOT IN (SELECT email FROM codes)",
        [],
    )?;
    deleted += conn.execute(
        "DELETE FROM sessions WHERE revoked OR last_seen_at <= ?1 OR created_at <= ?2",
        params![now - limits.session_idle, now - limits.session_absolute],
    )?;
    deleted += conn.execute(
        "DELETE FROM sign_in_failures WHERE last_failed_at <= ?1 AND locked_until <= ?2",
        params![now - FAILURES_KEPT_SECONDS, now],
    )?;
    deleted += conn.execute("DELETE FROM ip_starts WHERE at <= ?1", [now - HOUR])?;
    deleted += conn.execute("DELETE FROM client_failures WHERE at <= ?1", [now - HOUR])?;
    deleted += conn.execute("DELETE FROM code_sends WHERE sent_at <= ?1", [now - HOUR])?;
    deleted += conn.execute(
        "DELETE FROM idempotent_answers WHERE created_at <= ?1",
        [now - crate::billing::IDEMPOTENT_ANSWERS_KEPT_SECONDS],
    )?;
    Ok(deleted)
}

/// How far the clock may step back (an NTP correction) before records written
/// "later" stop counting: past it, a code or session made in what is now the
/// future has ended, so a clock set back never lengthens a lifetime.
pub const CLOCK_STEP_BACK_TOLERANCE: i64 = 60;

fn from_the_future(at: i64, now: i64) -> bool {
    at - now > CLOCK_STEP_BACK_TOLERANCE
}

/// A live session: its address, and whether its idle time is due to be written.
pub struct LiveSession {
    pub email: String,
    pub refresh_due: bool,
}

/// The session a token stands for, if it is live; reads only.
pub fn check_session(
    conn: &Connection,
    limits: &Limits,
    now: i64,
    token: &str,
) -> Result<LiveSession, SignInError> {
    let session: Option<(String, i64, i64, bool)> = conn
        .query_row(
            "SELECT email, created_at, last_seen_at, revoked FROM sessions WHERE token_hash = ?1",
            [session_hash(token)],
            |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?, row.get(3)?)),
        )
        .optional()?;
    match session {
        Some((email, created_at, last_seen_at, false))
            if now - last_seen_at < limits.session_idle
                && now - created_at < limits.session_absolute
                && !from_the_future(created_at.max(last_seen_at), now) =>
        {
            Ok(LiveSession {
                email,
                refresh_due: now - last_seen_at >= SESSION_REFRESH_SECONDS,
            })
        }
        _ => Err(SignInError::SessionEnded),
    }
}

/// Checks the session again inside a write (it may have been revoked meanwhile)
/// and writes its idle time.
pub fn refresh_session(
    conn: &Connection,
    limits: &Limits,
    now: i64,
    token: &str,
) -> Result<String, SignInError> {
    let live = check_session(conn, limits, now, token)?;
    conn.execute(
        "UPDATE sessions SET last_seen_at = ?2 WHERE token_hash = ?1",
        params![session_hash(token), now],
    )?;
    Ok(live.email)
}

pub fn revoke_session(conn: &Connection, token: &str) -> Result<(), StoreError> {
    conn.execute(
        "UPDATE sessions SET revoked = 1 WHERE token_hash = ?1",
        [session_hash(token)],
    )?;
    Ok(())
}
