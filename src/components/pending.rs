use std::future::Future;

use leptos::{prelude::*, task::spawn_local};

/// One request at a time for a form: `busy` while it is in flight, and a
/// second submit meanwhile sends nothing.
#[derive(Clone, Copy)]
pub struct Pending(RwSignal<bool>);

impl Pending {
    pub fn new() -> Self {
        Self(RwSignal::new(false))
    }

    /// Whether a request is in flight. Tracked.
    pub fn is_busy(&self) -> bool {
        self.0.get()
    }

    /// Runs `request` unless one is already in flight.
    pub fn run(&self, request: impl Future<Output = ()> + 'static) {
        if self.0.get_untracked() {
            return;
        }
        self.0.set(true);
        let busy = self.0;
        spawn_local(async move {
            request.await;
            busy.set(false);
        });
    }
}

impl Default for Pending {
    fn default() -> Self {
        Self::new()
    }
}
