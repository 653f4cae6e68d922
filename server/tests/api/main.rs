//! Black-box tests: each starts the real server on a random port with a fresh database and
//! talks HTTP to it, as the pages and the end-to-end tests do. One test binary, so the crate
//! links once.

mod bad_input;
mod browsers;
mod check;
mod deployment;
mod durability;
mod flood;
mod helpers;
mod languages;
mod lockout;
mod login;
mod pages;
mod proxies;
mod rate_limits;
mod recovery;
mod relay;
mod reset_code;
mod reset_password;
mod return_address;
mod sessions;
mod smtp;
