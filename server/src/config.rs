//! Command-line configuration. Every flag can also come from a `RECLAIM_*` environment variable
//! (shown in `--help`); a flag given on the command line wins over the variable.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use clap::{Args, Parser, Subcommand};
use reclaim_contract::link::base_url;
use secrecy::SecretString;
use url::Url;

/// The `reclaim-server` command line.
#[derive(Debug, Parser)]
#[command(
    name = "reclaim-server",
    version,
    about = "Reference account-recovery API server for Reclaim"
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Serve the recovery API, and the built pages with --dist.
    Serve(Box<ServeConfig>),
    /// Create an account (or set the password of an existing one). The password is read from
    /// standard input: one line, without its trailing newline.
    AddUser(AddUserArgs),
}

/// The flags of `reclaim-server serve`.
///
/// Also usable on its own, e.g. in tests:
/// `ServeConfig::parse_from(["serve", "--addr", "127.0.0.1:0", "--outbox", dir])`
/// (the first item stands for the program name and is ignored).
///
/// Rate limits allow LIMIT requests per WINDOW seconds for each key (an address or a client
/// IP), refilling smoothly; a limit of 0 turns that limiter off. The client IP is the TCP peer
/// address: `X-Forwarded-For` is not trusted, so behind a reverse proxy every client shares the
/// proxy's IP and the per-IP limits must be raised (or the proxy must do the limiting).
#[derive(Debug, Clone, Parser)]
#[command(name = "serve")]
pub struct ServeConfig {
    /// Address to listen on; port 0 picks a free port.
    #[arg(long, env = "RECLAIM_ADDR", default_value = "127.0.0.1:8080")]
    pub addr: SocketAddr,

    /// SQLite database file, created and migrated on start.
    #[arg(long, env = "RECLAIM_DATABASE", default_value = "reclaim.db")]
    pub database: PathBuf,

    /// Folder of built pages to serve (trunk's dist). Without it only the API is served.
    #[arg(long, env = "RECLAIM_DIST")]
    pub dist: Option<PathBuf>,

    /// Origin the reset links point at, e.g. https://reclaim.example.com. Never taken from the
    /// request's Host header. Default: http://<the bound address>.
    #[arg(long, env = "RECLAIM_PUBLIC_URL", value_parser = parse_public_url)]
    pub public_url: Option<Url>,

    /// Development mail: write each message as an RFC 5322 .eml file into this folder (and log
    /// reset links) instead of sending it.
    #[arg(long, env = "RECLAIM_OUTBOX", conflicts_with = "smtp_url")]
    pub outbox: Option<PathBuf>,

    /// Send mail through this SMTP server, e.g. smtp://127.0.0.1:2525 (plain SMTP; user and
    /// password may be given in the URL). Without it or --outbox, mail is discarded with a warning.
    #[arg(long, env = "RECLAIM_SMTP_URL", value_parser = secret)]
    pub smtp_url: Option<SecretString>,

    /// Sender of the mail.
    #[arg(long, env = "RECLAIM_MAIL_FROM", default_value = "Reclaim <no-reply@localhost>", value_parser = parse_mailbox)]
    pub mail_from: String,

    /// How long a reset link works, in seconds.
    #[arg(long, env = "RECLAIM_TOKEN_LIFETIME_SECS", default_value_t = 1800, value_parser = clap::value_parser!(u64).range(1..))]
    pub token_lifetime_secs: u64,

    /// Unused reset links kept per account; requesting another revokes the oldest.
    #[arg(long, env = "RECLAIM_MAX_LIVE_TOKENS", default_value_t = 3, value_parser = clap::value_parser!(u64).range(1..))]
    pub max_live_tokens: u64,

    /// Recovery requests allowed per email address per window (0: unlimited).
    #[arg(long, env = "RECLAIM_RECOVERY_PER_EMAIL_LIMIT", default_value_t = 5)]
    pub recovery_per_email_limit: u32,

    /// Window of --recovery-per-email-limit, in seconds.
    #[arg(long, env = "RECLAIM_RECOVERY_PER_EMAIL_WINDOW_SECS", default_value_t = 900, value_parser = clap::value_parser!(u64).range(1..))]
    pub recovery_per_email_window_secs: u64,

    /// Recovery requests allowed per client IP per window (0: unlimited).
    #[arg(long, env = "RECLAIM_RECOVERY_PER_IP_LIMIT", default_value_t = 30)]
    pub recovery_per_ip_limit: u32,

    /// Window of --recovery-per-ip-limit, in seconds.
    #[arg(long, env = "RECLAIM_RECOVERY_PER_IP_WINDOW_SECS", default_value_t = 60, value_parser = clap::value_parser!(u64).range(1..))]
    pub recovery_per_ip_window_secs: u64,

    /// Password-reset attempts allowed per client IP per window (0: unlimited).
    #[arg(long, env = "RECLAIM_RESET_PER_IP_LIMIT", default_value_t = 30)]
    pub reset_per_ip_limit: u32,

    /// Window of --reset-per-ip-limit, in seconds.
    #[arg(long, env = "RECLAIM_RESET_PER_IP_WINDOW_SECS", default_value_t = 60, value_parser = clap::value_parser!(u64).range(1..))]
    pub reset_per_ip_window_secs: u64,

    /// Login attempts allowed per client IP per window (0: unlimited).
    #[arg(long, env = "RECLAIM_LOGIN_PER_IP_LIMIT", default_value_t = 30)]
    pub login_per_ip_limit: u32,

    /// Window of --login-per-ip-limit, in seconds.
    #[arg(long, env = "RECLAIM_LOGIN_PER_IP_WINDOW_SECS", default_value_t = 60, value_parser = clap::value_parser!(u64).range(1..))]
    pub login_per_ip_window_secs: u64,
}

/// The flags of `reclaim-server add-user`.
#[derive(Debug, Clone, Args)]
pub struct AddUserArgs {
    /// The account's email address.
    pub email: String,

    /// SQLite database file, created and migrated if needed.
    #[arg(long, env = "RECLAIM_DATABASE", default_value = "reclaim.db")]
    pub database: PathBuf,
}

impl ServeConfig {
    /// How long a reset link works.
    pub fn token_lifetime(&self) -> Duration {
        Duration::from_secs(self.token_lifetime_secs)
    }
}

/// Accepts an absolute http(s) URL of the pages (a path prefix is allowed): the contract's
/// base-URL rule, the one the pages apply to their `api_base`, then parsed by the url crate.
fn parse_public_url(input: &str) -> Result<Url, String> {
    let base = base_url(input).ok_or(
        "must be an http:// or https:// address with a host and no query, fragment or spaces",
    )?;
    Url::parse(base).map_err(|e| e.to_string())
}

/// Keeps a value that may hold a password (the SMTP URL) out of `Debug` output.
fn secret(input: &str) -> Result<SecretString, std::convert::Infallible> {
    Ok(input.into())
}

fn parse_mailbox(input: &str) -> Result<String, String> {
    input
        .parse::<lettre::message::Mailbox>()
        .map(|_| input.to_owned())
        .map_err(|e| format!("not a mailbox like `Reclaim <no-reply@example.com>`: {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn cli_definition_is_consistent() {
        Cli::command().debug_assert();
        ServeConfig::command().debug_assert();
    }

    #[test]
    fn parse_from_with_program_name_first() {
        let config = ServeConfig::parse_from([
            "serve",
            "--addr",
            "127.0.0.1:0",
            "--database",
            "x.db",
            "--outbox",
            "out",
            "--token-lifetime-secs",
            "2",
        ]);
        assert_eq!(config.addr.port(), 0);
        assert_eq!(config.database, PathBuf::from("x.db"));
        assert_eq!(config.outbox, Some(PathBuf::from("out")));
        assert_eq!(config.token_lifetime(), Duration::from_secs(2));
        assert_eq!(config.max_live_tokens, 3);
        assert_eq!(config.mail_from, "Reclaim <no-reply@localhost>");
    }

    #[test]
    fn subcommands_parse() {
        let cli = Cli::parse_from([
            "reclaim-server",
            "add-user",
            "a@example.com",
            "--database",
            "d.db",
        ]);
        assert!(
            matches!(cli.command, Command::AddUser(AddUserArgs { ref email, .. }) if email == "a@example.com")
        );
        let cli = Cli::parse_from(["reclaim-server", "serve", "--addr", "0.0.0.0:9000"]);
        assert!(matches!(cli.command, Command::Serve(ref config) if config.addr.port() == 9000));
    }

    #[test]
    fn help_shows_environment_variables() {
        let help = ServeConfig::command().render_long_help().to_string();
        for variable in [
            "RECLAIM_ADDR",
            "RECLAIM_OUTBOX",
            "RECLAIM_SMTP_URL",
            "RECLAIM_LOGIN_PER_IP_LIMIT",
        ] {
            assert!(help.contains(variable), "{variable} missing from --help");
        }
    }

    #[test]
    fn public_url_is_checked() {
        // Where links lead from these: `recovery::tests::links_have_one_slash_before_reset`.
        for good in [
            "https://reclaim.example.com/",
            "http://127.0.0.1:8080",
            "https://example.com/app/",
        ] {
            assert!(parse_public_url(good).is_ok(), "{good}");
        }
        for bad in [
            "example.com",
            "ftp://example.com",
            "https://",
            "https://x/?a",
            "https://x/#a",
            "https://x/a b",
            "http:///x",
        ] {
            assert!(parse_public_url(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn debug_output_hides_smtp_credentials() {
        let config = ServeConfig::parse_from(["serve", "--smtp-url", "smtp://user:hunter2@mail"]);
        let debug = format!("{config:?}");
        assert!(!debug.contains("hunter2"), "{debug}");
    }

    #[test]
    fn conflicting_mail_transports_are_refused() {
        let result = ServeConfig::try_parse_from([
            "serve",
            "--outbox",
            "o",
            "--smtp-url",
            "smtp://127.0.0.1:25",
        ]);
        assert!(result.is_err());
        assert!(ServeConfig::try_parse_from(["serve", "--mail-from", "not a mailbox"]).is_err());
    }
}
