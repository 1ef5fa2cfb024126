//! Sign-in mail: by SMTP, or to the dev outbox (log + `GET /dev/outbox`).
use std::collections::VecDeque;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};

use lettre::message::header::ContentType;
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use portal_core::{Email, OtpCode};
use serde::Serialize;

/// Mails sent and failed since the server started.
#[derive(Default)]
pub struct MailMetrics {
    pub mails_sent: AtomicU64,
    pub mails_failed: AtomicU64,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct OutboxMail {
    pub to: String,
    pub subject: String,
    pub body: String,
    /// The code alone, so tests and people read it the same way.
    pub code: String,
    pub sent_at: i64,
}

/// The dev outbox keeps the latest mails only, so a long-running dev server's
/// memory does not grow with every code it sends.
pub const OUTBOX_CAPACITY: usize = 200;

#[derive(Clone)]
enum Transport {
    Outbox,
    Smtp(AsyncSmtpTransport<Tokio1Executor>),
}

#[derive(Clone)]
pub struct Mailer {
    transport: Transport,
    from: String,
    site: String,
    outbox: Arc<Mutex<VecDeque<OutboxMail>>>,
}

impl Mailer {
    pub fn new(smtp_url: Option<&str>, from: &str, site: &str) -> anyhow::Result<Mailer> {
        let transport = match smtp_url {
            Some(url) => Transport::Smtp(
                AsyncSmtpTransport::<Tokio1Executor>::from_url(url)
                    .map_err(|e| anyhow::anyhow!("--smtp-url is not a usable SMTP URL: {e}"))?
                    .build(),
            ),
            None => Transport::Outbox,
        };
        // Check the sender now rather than at the first mail.
        from.parse::<lettre::message::Mailbox>()
            .map_err(|e| anyhow::anyhow!("--mail-from {from:?} is not an address: {e}"))?;
        Ok(Mailer {
            transport,
            from: from.to_string(),
            site: site.to_string(),
            outbox: Arc::default(),
        })
    }

    pub fn compose(&self, to: &Email, code: &OtpCode, ttl_minutes: i64, now: i64) -> OutboxMail {
        OutboxMail {
            to: to.to_string(),
            // The code leads the subject so mail apps and phones offer it for autofill.
            subject: format!("{code} is your Duro Portal sign-in code"),
            body: format!(
                "Your Duro Portal sign-in code is:\n\n    {code}\n\n\
                 Enter it at {site} within {ttl_minutes} minutes. It works once.\n\n\
                 If you did not ask to sign in, you can ignore this email: \
                 nobody can sign in without the code.\n",
                site = self.site,
            ),
            code: code.to_string(),
            sent_at: now,
        }
    }

    /// Sends off the request path, so a slow mail server never shows in response
    /// times; a failure is logged and counted, never silent.
    pub fn send_in_background(&self, mail: OutboxMail, log_id: String, metrics: Arc<MailMetrics>) {
        let mailer = self.clone();
        tokio::spawn(async move {
            match mailer.deliver(mail).await {
                Ok(()) => {
                    metrics.mails_sent.fetch_add(1, Ordering::Relaxed);
                    tracing::info!(email = %log_id, "sign-in mail sent");
                }
                Err(error) => {
                    metrics.mails_failed.fetch_add(1, Ordering::Relaxed);
                    tracing::error!(email = %log_id, error = %format!("{error:#}"), "sign-in mail failed");
                }
            }
        });
    }

    async fn deliver(&self, mail: OutboxMail) -> anyhow::Result<()> {
        match &self.transport {
            Transport::Outbox => {
                tracing::info!(to = %mail.to, subject = %mail.subject, "dev outbox (no SMTP configured):\n{}", mail.body);
                let mut outbox = self.outbox.lock().unwrap_or_else(PoisonError::into_inner);
                if outbox.len() == OUTBOX_CAPACITY {
                    outbox.pop_front();
                }
                outbox.push_back(mail);
                Ok(())
            }
            Transport::Smtp(smtp) => {
                let message = Message::builder()
                    .from(self.from.parse()?)
                    .to(mail.to.parse()?)
                    .subject(mail.subject)
                    .header(ContentType::TEXT_PLAIN)
                    .body(mail.body)?;
                smtp.send(message).await?;
                Ok(())
            }
        }
    }

    /// Mails in the dev outbox, newest first.
    pub fn outbox(&self) -> Vec<OutboxMail> {
        let outbox = self.outbox.lock().unwrap_or_else(PoisonError::into_inner);
        outbox.iter().rev().cloned().collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn the_dev_outbox_keeps_only_the_latest_mails() {
        let mailer = Mailer::new(None, "Duro Portal <no-reply@localhost>", "http://x").unwrap();
        let to = Email::parse("ada@example.com").unwrap();
        for i in 0..OUTBOX_CAPACITY + 5 {
            let code = OtpCode::parse(&format!("{:06}", i)).unwrap();
            mailer
                .deliver(mailer.compose(&to, &code, 10, i as i64))
                .await
                .unwrap();
        }
        let outbox = mailer.outbox();
        assert_eq!(outbox.len(), OUTBOX_CAPACITY);
        assert_eq!(
            outbox[0].sent_at,
            (OUTBOX_CAPACITY + 4) as i64,
            "newest first"
        );
        assert_eq!(
            outbox[OUTBOX_CAPACITY - 1].sent_at,
            5,
            "the oldest five dropped"
        );
    }
}
