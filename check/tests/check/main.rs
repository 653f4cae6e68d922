//! `reclaim-check` as a deployer or CI runs it: the real binary (or the library) against a
//! local static host serving a small site shaped like the build, its exit status the verdict,
//! its report in sentences or JSON. (The end-to-end tests run it against the real build, the
//! reference server, nginx, and broken deployments.) One test binary, so the crate links once.

mod bounds;
mod brand;
mod host;
mod languages;
mod site;
mod verdicts;
