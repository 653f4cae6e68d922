//! `reclaim-server`: see the library documentation for the commands and flags.

use std::io::{BufRead, Write};

use anyhow::Context;
use clap::Parser;
use reclaim_server::{Cli, Command};

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    reclaim_server::init_tracing();
    match cli.command {
        Command::Serve(config) => {
            let server = reclaim_server::start(*config).await?;
            // The one line on stdout: scripts and the end-to-end tests wait for it.
            let mut stdout = std::io::stdout().lock();
            writeln!(stdout, "reclaim-server listening on {}", server.url())?;
            stdout.flush()?;
            drop(stdout);
            shutdown_signal().await;
            server.shutdown().await;
        }
        Command::AddUser(args) => {
            let mut line = String::new();
            let read = std::io::stdin()
                .lock()
                .read_line(&mut line)
                .context("reading the password from standard input")?;
            anyhow::ensure!(read > 0, "no password on standard input");
            reclaim_server::add_user(&args.database, &args.email, strip_newline(&line)).await?;
        }
        Command::Check(args) => std::process::exit(reclaim_check::run(&args).await),
    }
    Ok(())
}

/// Only the line ending goes: spaces are part of the password.
fn strip_newline(line: &str) -> &str {
    let line = line.strip_suffix('\n').unwrap_or(line);
    line.strip_suffix('\r').unwrap_or(line)
}

/// Ctrl-C, or SIGTERM from a service manager or `kill`.
async fn shutdown_signal() {
    let interrupt = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = interrupt => {}
        () = terminate => {}
    }
    tracing::info!("shutting down");
}

#[cfg(test)]
mod tests {
    use super::strip_newline;

    #[test]
    fn strips_only_the_line_ending() {
        assert_eq!(strip_newline("  secret pass  \n"), "  secret pass  ");
        assert_eq!(strip_newline("secret\r\n"), "secret");
        assert_eq!(strip_newline("secret"), "secret");
        assert_eq!(strip_newline("secret\n\n"), "secret\n");
    }
}
