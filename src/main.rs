fn main() {
    // Panic messages in the console while developing; in the release bundle a panic still
    // shows as an error, and the formatting code is not shipped.
    #[cfg(debug_assertions)]
    console_error_panic_hook::set_once();
    reclaim::start_up::start();
}
