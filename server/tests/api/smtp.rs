//! Sign-in mail through a real SMTP server process on loopback.

use std::sync::{Arc, Mutex};

use crate::helpers::*;
use reqwest::StatusCode;
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpListener;

/// A minimal SMTP server that accepts every message and keeps its DATA.
async fn smtp_sink() -> (u16, Arc<Mutex<Vec<String>>>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let received = Arc::new(Mutex::new(Vec::new()));
    let store = received.clone();
    tokio::spawn(async move {
        while let Ok((socket, _)) = listener.accept().await {
            let store = store.clone();
            tokio::spawn(async move {
                let (read, mut write) = socket.into_split();
                let mut lines = BufReader::new(read).lines();
                write.write_all(b"220 sink ESMTP\r\n").await.unwrap();
                while let Ok(Some(line)) = lines.next_line().await {
                    let verb = line
                        .split_whitespace()
                        .next()
                        .unwrap_or_default()
                        .to_ascii_uppercase();
                    let reply: &[u8] = match verb.as_str() {
                        "EHLO" | "HELO" => b"250 sink\r\n",
                        "DATA" => {
                            write.write_all(b"354 go ahead\r\n").await.unwrap();
                            let mut message = String::new();
                            while let Ok(Some(data)) = lines.next_line().await {
                                if data == "." {
                                    break;
                                }
                                message.push_str(&data);
                                message.push('\n');
                            }
                            store.lock().unwrap().push(message);
                            b"250 queued\r\n"
                        }
                        "QUIT" => {
                            let _ = write.write_all(b"221 bye\r\n").await;
                            break;
                        }
                        _ => b"250 ok\r\n",
                    };
                    write.write_all(reply).await.unwrap();
                }
            });
        }
    });
    (port, received)
}

#[tokio::test]
async fn the_code_goes_by_smtp_with_the_code_in_the_subject() {
    let (port, received) = smtp_sink().await;
    let app =
        spawn_app_with(|config| mail_by_smtp(config, &format!("smtp://127.0.0.1:{port}"))).await;
    assert_eq!(app.start(ADA).await.status(), StatusCode::OK);

    let message = wait_until("the SMTP server to receive the mail", || async {
        received.lock().unwrap().first().cloned()
    })
    .await;
    assert!(message.contains("To: ada@example.com"), "{message}");
    let subject = message
        .lines()
        .find(|l| l.starts_with("Subject: "))
        .unwrap();
    let code = subject
        .trim_start_matches("Subject: ")
        .split(' ')
        .next()
        .unwrap()
        .to_string();
    assert!(
        code.len() == 6 && code.bytes().all(|b| b.is_ascii_digit()),
        "{subject}"
    );
    assert!(message.contains("Content-Type: text/plain"));
    assert!(message.contains("10 minutes"));
    assert!(
        message.contains(&format!("    {code}")),
        "the body states the code"
    );

    // The dev outbox is off with SMTP, and the mailed code signs in.
    let outbox = app.get("/dev/outbox").await;
    assert_eq!(outbox.status(), StatusCode::NOT_FOUND);
    assert_eq!(app.verify(ADA, &code).await.status(), StatusCode::OK);
    let sent = app
        .app
        .as_ref()
        .unwrap()
        .state
        .metrics
        .mails_sent
        .load(std::sync::atomic::Ordering::SeqCst);
    assert_eq!(sent, 1);
}

#[tokio::test]
async fn a_mail_that_cannot_be_sent_is_counted_not_silent() {
    // A port nobody listens on.
    let closed = TcpListener::bind("127.0.0.1:0")
        .await
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let app =
        spawn_app_with(|config| mail_by_smtp(config, &format!("smtp://127.0.0.1:{closed}"))).await;
    // The answer does not depend on the mail server: no enumeration, no slow responses.
    assert_eq!(app.start(ADA).await.status(), StatusCode::OK);
    let metrics = app.app.as_ref().unwrap().state.metrics.clone();
    wait_until("the failed mail to be counted", || async {
        let failed = metrics
            .mails_failed
            .load(std::sync::atomic::Ordering::SeqCst);
        (failed == 1).then_some(())
    })
    .await;
}
