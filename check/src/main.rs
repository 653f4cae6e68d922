//! `reclaim-check`: see the library documentation for what it checks.

use clap::Parser;
use reclaim_check::CheckArgs;

#[tokio::main]
async fn main() {
    let args = CheckArgs::parse();
    std::process::exit(reclaim_check::run(&args).await);
}
