use std::time::Duration;

use leptos::prelude::*;

/// Seconds left before something may be done again (a rate limit's
/// `Retry-After`, or the pause before "Send again"). Ticks once a second.
#[derive(Clone, Copy)]
pub struct Countdown {
    remaining: RwSignal<u64>,
    ticker: StoredValue<Option<IntervalHandle>>,
}

impl Countdown {
    pub fn new() -> Self {
        let countdown = Self {
            remaining: RwSignal::new(0),
            ticker: StoredValue::new(None),
        };
        on_cleanup(move || countdown.stop());
        countdown
    }

    /// Starts (or restarts) the countdown from `seconds`.
    pub fn start(&self, seconds: u64) {
        self.stop();
        self.remaining.set(seconds);
        if seconds == 0 {
            return;
        }
        let this = *self;
        let ticker = set_interval_with_handle(
            move || {
                let left = this.remaining.get_untracked().saturating_sub(1);
                this.remaining.set(left);
                if left == 0 {
                    this.stop();
                }
            },
            Duration::from_secs(1),
        )
        .ok();
        self.ticker.set_value(ticker);
    }

    fn stop(&self) {
        if let Some(Some(ticker)) = self.ticker.try_update_value(Option::take) {
            ticker.clear();
        }
    }

    /// Seconds left; 0 when done. Tracked.
    pub fn remaining(&self) -> u64 {
        self.remaining.get()
    }

    pub fn is_running(&self) -> bool {
        self.remaining.get() > 0
    }
}

impl Default for Countdown {
    fn default() -> Self {
        Self::new()
    }
}
