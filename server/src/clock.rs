//! Time as the server sees it, injectable so expiry and cooldowns are testable
//! without sleeping (`serve --dev-clock` moves it over HTTP as well).
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::Arc;
use std::time::{SystemTime, UNIX_EPOCH};

/// Seconds since the Unix epoch: the system's time, or a frozen one for tests,
/// plus however far the clock was advanced.
#[derive(Clone, Default)]
pub struct Clock {
    frozen_at: Option<i64>,
    offset: Arc<AtomicI64>,
}

impl Clock {
    /// A clock that stands still at `unix` until advanced.
    pub fn frozen(unix: i64) -> Clock {
        Clock {
            frozen_at: Some(unix),
            offset: Arc::default(),
        }
    }

    pub fn now(&self) -> i64 {
        let base = self.frozen_at.unwrap_or_else(|| {
            SystemTime::now()
                .duration_since(UNIX_EPOCH)
                .map_or(0, |d| d.as_secs() as i64)
        });
        base + self.offset.load(Ordering::SeqCst)
    }

    pub fn advance(&self, seconds: i64) {
        self.offset.fetch_add(seconds, Ordering::SeqCst);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_frozen_clock_moves_only_when_advanced_and_clones_share_it() {
        let clock = Clock::frozen(1_000);
        let shared = clock.clone();
        assert_eq!(clock.now(), 1_000);
        shared.advance(61);
        assert_eq!(clock.now(), 1_061);
    }
}
