//! Secrets, codes, session tokens and portal links.
use std::path::Path;

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use hmac::{Hmac, Mac};
use portal_core::{Email, OtpCode};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

type HmacSha256 = Hmac<Sha256>;

const SECRET_LEN: usize = 32;
const LINK_PURPOSE: &str = "portal-link";
const LINK_AAD: &[u8] = b"duro-portal-link-v1";

/// The server secret: every other key is derived from it, one per purpose.
#[derive(Clone)]
pub struct Secret([u8; SECRET_LEN]);

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Secret(…)")
    }
}

impl Secret {
    pub fn generate() -> Secret {
        Secret(random_bytes())
    }

    pub fn from_hex(text: &str) -> anyhow::Result<Secret> {
        let text = text.trim();
        anyhow::ensure!(
            text.len() == SECRET_LEN * 2,
            "the secret must be {} hex digits",
            SECRET_LEN * 2
        );
        let mut bytes = [0u8; SECRET_LEN];
        for (i, byte) in bytes.iter_mut().enumerate() {
            *byte = u8::from_str_radix(&text[i * 2..i * 2 + 2], 16)
                .map_err(|_| anyhow::anyhow!("the secret must be hex digits only"))?;
        }
        Ok(Secret(bytes))
    }

    fn to_hex(&self) -> String {
        self.0.iter().map(|b| format!("{b:02x}")).collect()
    }

    /// Reads the secret file, or creates it (mode 0600) with a new secret.
    pub fn load_or_create(path: &Path) -> anyhow::Result<Secret> {
        use anyhow::Context;
        if path.exists() {
            let text = std::fs::read_to_string(path)
                .with_context(|| format!("reading the secret from {}", path.display()))?;
            return Secret::from_hex(&text).with_context(|| format!("in {}", path.display()));
        }
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir)?;
        }
        let secret = Secret::generate();
        let mut options = std::fs::OpenOptions::new();
        options.write(true).create_new(true);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
        let mut file = options
            .open(path)
            .with_context(|| format!("creating the secret file {}", path.display()))?;
        std::io::Write::write_all(&mut file, secret.to_hex().as_bytes())?;
        Ok(secret)
    }

    fn derive(&self, purpose: &str) -> [u8; 32] {
        let mut mac =
            <HmacSha256 as Mac>::new_from_slice(&self.0).expect("HMAC takes any key length");
        mac.update(purpose.as_bytes());
        mac.finalize().into_bytes().into()
    }

    pub fn keys(&self) -> Keys {
        Keys {
            code_hash: self.derive("code-hash"),
            code_seed: self.derive("code-seed"),
            link: self.derive("portal-link"),
            log: self.derive("log-email"),
        }
    }
}

/// Keys derived from the secret, each for one purpose only.
#[derive(Clone)]
pub struct Keys {
    code_hash: [u8; 32],
    code_seed: [u8; 32],
    link: [u8; 32],
    log: [u8; 32],
}

pub fn random_bytes<const N: usize>() -> [u8; N] {
    let mut bytes = [0u8; N];
    getrandom::getrandom(&mut bytes).expect("the OS random source is available");
    bytes
}

fn hmac(key: &[u8], parts: &[&[u8]]) -> HmacSha256 {
    let mut mac = <HmacSha256 as Mac>::new_from_slice(key).expect("HMAC takes any key length");
    for part in parts {
        // Length-prefixed, so ("ab","c") and ("a","bc") never collide.
        mac.update(&(part.len() as u64).to_be_bytes());
        mac.update(part);
    }
    mac
}

impl Keys {
    /// The code a seed stands for: uniform over 000000..=999999.
    ///
    /// The database keeps the random seed and the code's keyed hash, never the
    /// code, so a resend can mail the same code again (the one already in the
    /// inbox keeps working) while the database alone reveals nothing.
    pub fn code_from_seed(&self, email: &Email, seed: &[u8]) -> OtpCode {
        let mut counter = 0u32;
        loop {
            let block = hmac(
                &self.code_seed,
                &[email.as_str().as_bytes(), seed, &counter.to_be_bytes()],
            )
            .finalize()
            .into_bytes();
            for chunk in block.chunks_exact(4) {
                let value = u32::from_be_bytes(chunk.try_into().expect("4-byte chunk"));
                // Rejection sampling keeps the digits uniform: no modulo bias.
                const LIMIT: u32 = u32::MAX - (u32::MAX % 1_000_000) - 1;
                if value <= LIMIT {
                    return OtpCode::from_number(value % 1_000_000).expect("below a million");
                }
            }
            counter += 1;
        }
    }

    pub fn hash_code(&self, email: &Email, code: &OtpCode) -> Vec<u8> {
        hmac(
            &self.code_hash,
            &[email.as_str().as_bytes(), code.as_str().as_bytes()],
        )
        .finalize()
        .into_bytes()
        .to_vec()
    }

    /// Constant-time comparison of a code against the stored hash.
    pub fn code_matches(&self, email: &Email, code: &OtpCode, stored: &[u8]) -> bool {
        hmac(
            &self.code_hash,
            &[email.as_str().as_bytes(), code.as_str().as_bytes()],
        )
        .verify_slice(stored)
        .is_ok()
    }

    /// A short, stable pseudonym for an address in the logs.
    pub fn log_id(&self, email: &Email) -> String {
        let digest = hmac(&self.log, &[email.as_str().as_bytes()])
            .finalize()
            .into_bytes();
        digest[..6].iter().map(|b| format!("{b:02x}")).collect()
    }

    pub fn mint_link_token(&self, email: &Email, expires_at: i64) -> String {
        let claims = LinkClaims {
            email: email.to_string(),
            purpose: LINK_PURPOSE.to_string(),
            exp: expires_at,
        };
        let plaintext = serde_json::to_vec(&claims).expect("claims serialize");
        let nonce_bytes: [u8; 24] = random_bytes();
        let cipher = XChaCha20Poly1305::new((&self.link).into());
        let sealed = cipher
            .encrypt(
                XNonce::from_slice(&nonce_bytes),
                Payload {
                    msg: &plaintext,
                    aad: LINK_AAD,
                },
            )
            .expect("encryption with a valid key does not fail");
        let mut token = nonce_bytes.to_vec();
        token.extend(sealed);
        URL_SAFE_NO_PAD.encode(token)
    }

    /// The address a portal link token pre-fills, if the token is genuine and current.
    pub fn open_link_token(&self, token: &str, now: i64) -> Result<Email, LinkError> {
        let raw = URL_SAFE_NO_PAD
            .decode(token.trim())
            .map_err(|_| LinkError::Malformed)?;
        if raw.len() < 24 + 16 {
            return Err(LinkError::Malformed);
        }
        let (nonce, sealed) = raw.split_at(24);
        let cipher = XChaCha20Poly1305::new((&self.link).into());
        let plaintext = cipher
            .decrypt(
                XNonce::from_slice(nonce),
                Payload {
                    msg: sealed,
                    aad: LINK_AAD,
                },
            )
            .map_err(|_| LinkError::Forged)?;
        let claims: LinkClaims =
            serde_json::from_slice(&plaintext).map_err(|_| LinkError::Malformed)?;
        if claims.purpose != LINK_PURPOSE {
            return Err(LinkError::Forged);
        }
        if claims.exp <= now {
            return Err(LinkError::Expired);
        }
        Email::parse(&claims.email).map_err(|_| LinkError::Malformed)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum LinkError {
    #[error("This sign-in link is not valid. Enter your email address instead.")]
    Malformed,
    #[error("This sign-in link is not valid. Enter your email address instead.")]
    Forged,
    #[error("This sign-in link has expired. Enter your email address instead.")]
    Expired,
}

impl LinkError {
    pub fn issue(&self) -> &'static str {
        match self {
            LinkError::Malformed => "malformed",
            LinkError::Forged => "invalid",
            LinkError::Expired => "expired",
        }
    }
}

#[derive(Serialize, Deserialize)]
struct LinkClaims {
    email: String,
    purpose: String,
    exp: i64,
}

/// A new session token (256 bits, base64url) and the SHA-256 the server keeps.
pub fn new_session_token() -> (String, Vec<u8>) {
    let token = URL_SAFE_NO_PAD.encode(random_bytes::<32>());
    let hash = session_hash(&token);
    (token, hash)
}

pub fn session_hash(token: &str) -> Vec<u8> {
    Sha256::digest(token.as_bytes()).to_vec()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keys() -> Keys {
        Secret::generate().keys()
    }

    #[test]
    fn link_tokens_open_only_untampered_and_current() {
        let keys = keys();
        let ada = Email::parse("ada@example.com").unwrap();
        let token = keys.mint_link_token(&ada, 1_000);
        assert_eq!(keys.open_link_token(&token, 999), Ok(ada));
        assert_eq!(keys.open_link_token(&token, 1_000), Err(LinkError::Expired));
        assert_eq!(
            keys.open_link_token(&token[..token.len() - 4], 0),
            Err(LinkError::Forged)
        );
        assert_eq!(
            keys.open_link_token("not-a-token", 0),
            Err(LinkError::Malformed)
        );
        let mut bytes = URL_SAFE_NO_PAD.decode(&token).unwrap();
        bytes[30] ^= 1;
        let tampered = URL_SAFE_NO_PAD.encode(bytes);
        assert_eq!(keys.open_link_token(&tampered, 0), Err(LinkError::Forged));
        // Another server's key cannot open it.
        assert_eq!(
            self::keys().open_link_token(&token, 0),
            Err(LinkError::Forged)
        );
    }

    #[test]
    fn codes_from_seeds_are_stable_and_spread_over_every_digit() {
        let keys = keys();
        let ada = Email::parse("ada@example.com").unwrap();
        let seed: [u8; 16] = random_bytes();
        assert_eq!(
            keys.code_from_seed(&ada, &seed),
            keys.code_from_seed(&ada, &seed)
        );
        let mut first_digit_counts = [0u32; 10];
        for _ in 0..5_000 {
            let code = keys.code_from_seed(&ada, &random_bytes::<16>());
            first_digit_counts[(code.as_str().as_bytes()[0] - b'0') as usize] += 1;
        }
        // 500 expected per digit; a uniform source stays far inside these bounds.
        assert!(
            first_digit_counts.iter().all(|&n| (350..650).contains(&n)),
            "{first_digit_counts:?}"
        );
    }

    #[test]
    fn code_hash_is_keyed_by_email() {
        let keys = keys();
        let ada = Email::parse("ada@example.com").unwrap();
        let bob = Email::parse("bob@example.com").unwrap();
        let code = OtpCode::parse("123456").unwrap();
        let hash = keys.hash_code(&ada, &code);
        assert!(keys.code_matches(&ada, &code, &hash));
        assert!(!keys.code_matches(&bob, &code, &hash));
        assert!(!keys.code_matches(&ada, &OtpCode::parse("123457").unwrap(), &hash));
    }
}
