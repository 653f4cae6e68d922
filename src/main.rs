use reclaim::{start_up, Route};

fn main() {
    // Panic messages in the console while developing; in the release bundle a panic still
    // shows as an error, and the formatting code is not shipped.
    #[cfg(debug_assertions)]
    console_error_panic_hook::set_once();
    let route = Route::from_path(
        &leptos::prelude::window()
            .location()
            .pathname()
            .unwrap_or_default(),
    );
    // Rendering waits for a task of its own: instantiating the wasm and rendering the page are
    // two shorter tasks rather than one long one that would keep the page from answering a tap
    // (unless a send is waiting on the start: see `in_own_task`).
    start_up::in_own_task(move || start_up::start(route));
}
