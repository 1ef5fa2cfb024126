//! The contract's numbers, in one place: the server enforces them and the page
//! explains them (`docs/api.md` says where each comes from).

/// Digits in a sign-in code.
pub const OTP_CODE_DIGITS: usize = 6;

/// How long a mailed code works, in seconds (Triport documents ten minutes).
pub const CODE_TTL_SECONDS: u32 = 10 * 60;

/// How long after a mail a plain `start` sends nothing new, in seconds (project choice).
pub const RESEND_COOLDOWN_SECONDS: u32 = 60;

/// Codes mailed to one address in an hour; the next one is `429` (Triport documents five).
pub const CODES_PER_EMAIL_PER_HOUR: u32 = 5;

/// Wrong tries that kill a code (project choice).
pub const ATTEMPTS_PER_CODE: u32 = 5;

/// A session ends after this long without a call, in seconds (project choice).
pub const SESSION_IDLE_SECONDS: u32 = 30 * 60;

/// A session ends this long after sign-in however busy it is, in seconds (project choice).
pub const SESSION_ABSOLUTE_SECONDS: u32 = 12 * 60 * 60;

/// The largest request body the API reads, in bytes (Triport documents 4 KB).
pub const MAX_BODY_BYTES: usize = 4 * 1024;

/// How long a portal link pre-fills its address unless its minter says, in
/// seconds (project choice: a week, the life of a billing email).
pub const LINK_TTL_DEFAULT_SECONDS: u32 = 7 * 24 * 60 * 60;

/// The shortest and longest life a portal link may be minted with, in seconds
/// (project choice).
pub const LINK_TTL_MIN_SECONDS: u32 = 60;
pub const LINK_TTL_MAX_SECONDS: u32 = 30 * 24 * 60 * 60;
