//! Command-line configuration. Every flag can also come from a `RECLAIM_*` environment variable
//! (shown in `--help`); a flag given on the command line wins over the variable.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use clap::{Args, Parser, Subcommand, ValueEnum};
use ipnet::IpNet;
use reclaim_contract::link::{base_url, is_safe_destination};
use secrecy::SecretString;
use url::Url;

use crate::domain::{PasswordPolicy, ReturnOrigins};

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
    /// Load a deployed site as a browser would and say, with the fix, whatever would keep the
    /// pages from working there: `reclaim-check`, for those who have the server installed.
    /// Only reads (and sends CORS preflights): nothing is changed. Exits 0 only when everything
    /// holds.
    Check(reclaim_check::CheckArgs),
}

/// The flags of `reclaim-server serve`, in groups (each a section of `--help`), so that each
/// part of the server takes the group it needs.
///
/// Also usable on its own, e.g. in tests:
/// `ServeConfig::parse_from(["serve", "--addr", "127.0.0.1:0", "--outbox", dir])`
/// (the first item stands for the program name and is ignored).
#[derive(Debug, Clone, Parser)]
#[command(name = "serve")]
pub struct ServeConfig {
    /// Address to listen on; port 0 picks a free port.
    #[arg(long, env = "RECLAIM_ADDR", default_value = "127.0.0.1:8080")]
    pub addr: SocketAddr,

    /// SQLite database file, created and migrated on start.
    #[arg(long, env = "RECLAIM_DATABASE", default_value = "reclaim.db")]
    pub database: PathBuf,

    /// File of the secret key that reset codes are hashed with (64 hex digits), created
    /// owner-only at first start. Kept apart from the database, so that a copy of the database
    /// alone cannot be searched for live codes. Default: the database's path with `.key` as
    /// its extension (reclaim.key).
    #[arg(long, env = "RECLAIM_CODE_KEY_FILE")]
    pub code_key_file: Option<PathBuf>,

    /// Folder of built pages to serve (trunk's dist). Without it only the API is served.
    #[arg(long, env = "RECLAIM_DIST")]
    pub dist: Option<PathBuf>,

    /// Origin the reset links point at, e.g. https://reclaim.example.com. Never taken from the
    /// request's Host header. Default: http://<the bound address>. Required, with https, when
    /// --addr is not a loopback address.
    #[arg(long, env = "RECLAIM_PUBLIC_URL", value_parser = parse_public_url)]
    pub public_url: Option<Url>,

    /// Longest a request may take before it is answered 408, in seconds.
    #[arg(long, env = "RECLAIM_REQUEST_TIMEOUT_SECS", default_value_t = 30, value_parser = clap::value_parser!(u64).range(1..))]
    pub request_timeout_secs: u64,

    /// On shutdown, how long requests in flight may still take, in seconds.
    #[arg(long, env = "RECLAIM_SHUTDOWN_TIMEOUT_SECS", default_value_t = 10)]
    pub shutdown_timeout_secs: u64,

    #[command(flatten)]
    pub links: LinkConfig,

    #[command(flatten)]
    pub mail: MailConfig,

    #[command(flatten)]
    pub limits: LimitConfig,

    #[command(flatten)]
    pub passwords: PasswordConfig,

    #[command(flatten)]
    pub network: NetworkConfig,
}

/// The reset links: their shape, lifetime and number.
#[derive(Debug, Clone, Args)]
#[command(next_help_heading = "Reset links")]
pub struct LinkConfig {
    /// Where the token goes in the mailed link: `query` (/reset?token=, the contract's
    /// default) or `fragment` (/reset#token=, never sent to a server or written in its logs).
    #[arg(long, env = "RECLAIM_LINK_STYLE", value_enum, default_value_t = LinkStyle::Query)]
    pub link_style: LinkStyle,

    /// How long a reset link works, in seconds.
    #[arg(long, env = "RECLAIM_TOKEN_LIFETIME_SECS", default_value_t = 1800, value_parser = clap::value_parser!(u64).range(1..))]
    pub token_lifetime_secs: u64,

    /// An origin a reset mail may send the person back to after the reset, e.g.
    /// https://app.example.com (repeatable; https, or http on this machine). A recovery
    /// request's `continue` address on one of these goes into the link (`&continue=`); any
    /// other is dropped without a word. None: links never carry one.
    #[arg(long = "continue-origin", env = "RECLAIM_CONTINUE_ORIGINS", value_delimiter = ',', value_parser = parse_continue_origin)]
    pub continue_origins: Vec<String>,

    /// Unused reset links kept per account and client; requesting another from the same client
    /// revokes that client's oldest (links asked for elsewhere are never revoked by it).
    #[arg(long, env = "RECLAIM_MAX_LIVE_TOKENS", default_value_t = 3, value_parser = clap::value_parser!(u64).range(1..))]
    pub max_live_tokens: u64,
}

/// How mail leaves the server, and how long a failed delivery is retried.
#[derive(Debug, Clone, Args)]
#[command(next_help_heading = "Mail")]
pub struct MailConfig {
    /// Development mail: write each message as an RFC 5322 .eml file into this folder (and log
    /// reset links) instead of sending it.
    #[arg(long, env = "RECLAIM_OUTBOX", conflicts_with = "smtp_url")]
    pub outbox: Option<PathBuf>,

    /// Send mail through this SMTP relay: smtp://[user:password@]host[:port] (STARTTLS required
    /// unless the host is loopback; add ?tls=required to require it there too) or
    /// smtps://host[:port] (TLS from the start, port 465). Without it or --outbox, mail is
    /// discarded with a warning.
    #[arg(long, env = "RECLAIM_SMTP_URL", value_parser = secret)]
    pub smtp_url: Option<SecretString>,

    /// A PEM file of extra CA certificates to trust for the SMTP relay's TLS certificate
    /// (besides the system's).
    #[arg(long, env = "RECLAIM_SMTP_CA_FILE", requires = "smtp_url")]
    pub smtp_ca_file: Option<PathBuf>,

    /// Sender of the mail.
    #[arg(long, env = "RECLAIM_MAIL_FROM", default_value = "Reclaim <no-reply@localhost>", value_parser = parse_mailbox)]
    pub mail_from: String,

    /// First wait before retrying a failed delivery, in milliseconds; each retry waits twice as
    /// long as the one before, up to --mail-retry-max-secs.
    #[arg(long, env = "RECLAIM_MAIL_RETRY_FIRST_MS", default_value_t = 1000, value_parser = clap::value_parser!(u64).range(1..))]
    pub mail_retry_first_ms: u64,

    /// Longest wait between two delivery attempts, in seconds.
    #[arg(long, env = "RECLAIM_MAIL_RETRY_MAX_SECS", default_value_t = 600, value_parser = clap::value_parser!(u64).range(1..))]
    pub mail_retry_max_secs: u64,

    /// How long a message is retried before it is given up (and logged), in seconds.
    #[arg(long, env = "RECLAIM_MAIL_RETRY_FOR_SECS", default_value_t = 86400, value_parser = clap::value_parser!(u64).range(1..))]
    pub mail_retry_for_secs: u64,
}

/// How much each client, each address from one client, and everyone together may ask.
///
/// Rate limits allow LIMIT requests per WINDOW seconds for each key, refilling smoothly; a
/// limit of 0 turns that limiter off. A client is an IPv4 address or an IPv6 /64.
#[derive(Debug, Clone, Args)]
#[command(next_help_heading = "Rate limits")]
pub struct LimitConfig {
    /// Recovery requests allowed per email address from one client per window (0: unlimited).
    /// No limit is kept per address alone: anyone could spend it and lock the owner out.
    #[arg(long, env = "RECLAIM_RECOVERY_PER_EMAIL_LIMIT", default_value_t = 5)]
    pub recovery_per_email_limit: u32,

    /// Window of --recovery-per-email-limit, in seconds.
    #[arg(long, env = "RECLAIM_RECOVERY_PER_EMAIL_WINDOW_SECS", default_value_t = 900, value_parser = clap::value_parser!(u64).range(1..))]
    pub recovery_per_email_window_secs: u64,

    /// Recovery requests allowed per email address from one client per day, on top of the
    /// per-window limit; also the reset mails an account gets per day (counted in the
    /// database), past which a client is sent a link only when it holds no live one
    /// (0: unlimited).
    #[arg(
        long,
        env = "RECLAIM_RECOVERY_PER_EMAIL_DAILY_LIMIT",
        default_value_t = 10
    )]
    pub recovery_per_email_daily_limit: u32,

    /// Recovery requests allowed per client IP per window (0: unlimited).
    #[arg(long, env = "RECLAIM_RECOVERY_PER_IP_LIMIT", default_value_t = 30)]
    pub recovery_per_ip_limit: u32,

    /// Window of --recovery-per-ip-limit, in seconds.
    #[arg(long, env = "RECLAIM_RECOVERY_PER_IP_WINDOW_SECS", default_value_t = 60, value_parser = clap::value_parser!(u64).range(1..))]
    pub recovery_per_ip_window_secs: u64,

    /// Recovery requests allowed from everyone together per window (0: unlimited); beyond it
    /// the answer is 503 with Retry-After.
    #[arg(long, env = "RECLAIM_RECOVERY_GLOBAL_LIMIT", default_value_t = 100)]
    pub recovery_global_limit: u32,

    /// Window of --recovery-global-limit, in seconds.
    #[arg(long, env = "RECLAIM_RECOVERY_GLOBAL_WINDOW_SECS", default_value_t = 1, value_parser = clap::value_parser!(u64).range(1..))]
    pub recovery_global_window_secs: u64,

    /// Recovery requests answered but not yet handled, at most; beyond it the answer is 503
    /// with Retry-After.
    #[arg(long, env = "RECLAIM_RECOVERY_BACKLOG", default_value_t = 1000, value_parser = clap::value_parser!(u64).range(1..))]
    pub recovery_backlog: u64,

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

/// The password policy's tunable part and the argon2 work behind it.
#[derive(Debug, Clone, Args)]
#[command(next_help_heading = "Passwords")]
pub struct PasswordConfig {
    /// Shortest password accepted, in characters (8 to 128; ASVS suggests 12, NIST 15 for
    /// single-factor accounts).
    #[arg(long, env = "RECLAIM_MIN_PASSWORD_CHARS", default_value_t = 8, value_parser = clap::value_parser!(u64).range(8..=128))]
    pub min_password_chars: u64,

    /// Password hashes (argon2id, 19 MiB each) computed at once; 0: one per CPU core.
    #[arg(long, env = "RECLAIM_HASH_THREADS", default_value_t = 0)]
    pub hash_threads: usize,

    /// Password hashes waiting for a thread, at most, for logins and for password changes
    /// each; beyond it the answer is 503 with Retry-After. 0: 8 per hash thread.
    #[arg(long, env = "RECLAIM_HASH_QUEUE", default_value_t = 0)]
    pub hash_queue: usize,
}

/// Who may post to the API, and whose word about a client's address is believed.
///
/// The client IP is the TCP peer address, unless the peer is a `--trusted-proxy`: then it is
/// the right-most address of `X-Forwarded-For` (or `Forwarded`) that is not itself a trusted
/// proxy.
#[derive(Debug, Clone, Args)]
#[command(next_help_heading = "Origins and proxies")]
pub struct NetworkConfig {
    /// Another origin whose pages may post to the API, e.g. https://app.example.com
    /// (repeatable; the public URL's origin always may). Posts from other origins get 403.
    #[arg(long = "allowed-origin", env = "RECLAIM_ALLOWED_ORIGINS", value_delimiter = ',', value_parser = parse_origin)]
    pub allowed_origins: Vec<Url>,

    /// A reverse proxy (CIDR, e.g. 10.0.0.0/8 or 127.0.0.1/32) whose X-Forwarded-For or
    /// Forwarded header is believed (repeatable). Without it those headers are ignored. Wider
    /// than /8 (IPv4) or /32 (IPv6) is refused: it would let clients choose their own address.
    #[arg(long = "trusted-proxy", env = "RECLAIM_TRUSTED_PROXIES", value_delimiter = ',', value_parser = parse_cidr)]
    pub trusted_proxies: Vec<IpNet>,
}

/// Where the mailed link carries the token.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum LinkStyle {
    /// `/reset?token=…`
    Query,
    /// `/reset#token=…`
    Fragment,
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

impl LinkConfig {
    /// How long a reset link works.
    pub fn token_lifetime(&self) -> Duration {
        Duration::from_secs(self.token_lifetime_secs)
    }

    /// The origins a link may send the person back to.
    pub fn return_origins(&self) -> ReturnOrigins {
        ReturnOrigins::new(self.continue_origins.iter().cloned())
    }
}

impl PasswordConfig {
    /// The policy new passwords are held to.
    pub fn policy(&self) -> PasswordPolicy {
        PasswordPolicy {
            min_chars: usize::try_from(self.min_password_chars).unwrap_or(usize::MAX),
        }
    }
}

impl ServeConfig {
    /// `--code-key-file`, or its default beside the database.
    pub fn code_key_file(&self) -> PathBuf {
        self.code_key_file
            .clone()
            .unwrap_or_else(|| self.database.with_extension("key"))
    }

    /// Refuses a configuration that would serve the public over plain http: listening on an
    /// address other people can reach needs the https public URL of the TLS proxy in front.
    pub fn check_deployment(&self) -> anyhow::Result<()> {
        let https = self
            .public_url
            .as_ref()
            .is_some_and(|url| url.scheme() == "https");
        anyhow::ensure!(
            self.addr.ip().is_loopback() || https,
            "--addr {} is not a loopback address: set --public-url to the https:// address \
             people open (the TLS proxy in front of this server), or listen on 127.0.0.1",
            self.addr
        );
        Ok(())
    }
}

/// Accepts an absolute http(s) URL of the pages (a path prefix is allowed): the contract's
/// base-URL rule, the one the pages apply to their `api_base`, then parsed by the url crate.
fn parse_public_url(input: &str) -> Result<Url, String> {
    let base = base_url(input).ok_or(
        "must be an http:// or https:// address with a host and no query, fragment or spaces",
    )?;
    let url = Url::parse(base).map_err(|e| e.to_string())?;
    let unspecified = match url.host() {
        Some(url::Host::Ipv4(v4)) => v4.is_unspecified(),
        Some(url::Host::Ipv6(v6)) => v6.is_unspecified(),
        _ => false,
    };
    if unspecified {
        return Err(
            "must name the host people open (0.0.0.0 and [::] are not addresses to visit)"
                .to_owned(),
        );
    }
    Ok(url)
}

/// An origin (`https://host[:port]`) given alone, without a path.
fn parse_origin(input: &str) -> Result<Url, String> {
    let url = Url::parse(input).map_err(|e| e.to_string())?;
    let bare = url.path() == "/" && url.query().is_none() && url.fragment().is_none();
    if !matches!(url.scheme(), "http" | "https") || url.host().is_none() || !bare {
        return Err("must be an origin like https://app.example.com (no path)".to_owned());
    }
    Ok(url)
}

/// An origin people may be sent back to: alone, without a path, and https (or http on this
/// machine, where no network can rewrite the page), as the pages' `continue_origins` are.
/// Given as a browser serialises it (`https://app.example.com`), which is how return
/// addresses are compared with it.
fn parse_continue_origin(input: &str) -> Result<String, String> {
    const EXPECTED: &str =
        "must be an https origin like https://app.example.com (no path; http only on this machine)";
    let origin = parse_origin(input)
        .map_err(|_| EXPECTED.to_owned())?
        .origin()
        .ascii_serialization();
    if !is_safe_destination(&origin) {
        return Err(EXPECTED.to_owned());
    }
    Ok(origin)
}

/// `10.0.0.0/8`, `2001:db8::/32`, or a single address (a /32 or /128), and no wider than a
/// network of proxies can be: /8 for IPv4, /32 for IPv6.
fn parse_cidr(input: &str) -> Result<IpNet, String> {
    let network = input
        .parse::<IpNet>()
        .or_else(|_| input.parse::<std::net::IpAddr>().map(IpNet::from))
        .map_err(|_| format!("{input:?} is not an address or CIDR like 10.0.0.0/8"))?;
    let widest = match network {
        IpNet::V4(_) => 8,
        IpNet::V6(_) => 32,
    };
    if network.prefix_len() < widest {
        return Err(format!(
            "{input:?} is wider than /{widest}: every client in it could write its own address \
             into X-Forwarded-For and pass for anyone; name the proxies' own network"
        ));
    }
    Ok(network)
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
        assert_eq!(config.mail.outbox, Some(PathBuf::from("out")));
        assert_eq!(config.links.token_lifetime(), Duration::from_secs(2));
        assert_eq!(config.links.max_live_tokens, 3);
        assert_eq!(config.mail.mail_from, "Reclaim <no-reply@localhost>");
        assert_eq!(config.code_key_file(), PathBuf::from("x.key"));
        let config = ServeConfig::parse_from(["serve", "--code-key-file", "/run/secrets/code"]);
        assert_eq!(config.code_key_file(), PathBuf::from("/run/secrets/code"));
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
            "RECLAIM_CONTINUE_ORIGINS",
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
            "http://0.0.0.0:8080",
            "https://[::]/",
        ] {
            assert!(parse_public_url(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn public_addresses_need_an_https_public_url() {
        let check = |args: &[&str]| {
            let mut all = vec!["serve"];
            all.extend_from_slice(args);
            ServeConfig::parse_from(all).check_deployment()
        };
        assert!(check(&["--addr", "127.0.0.1:0"]).is_ok());
        assert!(check(&["--addr", "[::1]:0"]).is_ok());
        let refused = check(&["--addr", "0.0.0.0:8080"]).unwrap_err().to_string();
        assert!(refused.contains("--public-url"), "{refused}");
        assert!(check(&[
            "--addr",
            "0.0.0.0:8080",
            "--public-url",
            "http://example.com"
        ])
        .is_err());
        assert!(check(&[
            "--addr",
            "0.0.0.0:8080",
            "--public-url",
            "https://example.com"
        ])
        .is_ok());
    }

    #[test]
    fn origins_and_proxies_parse() {
        let config = ServeConfig::parse_from([
            "serve",
            "--allowed-origin",
            "https://app.example.com",
            "--allowed-origin",
            "http://localhost:8081",
            "--trusted-proxy",
            "10.0.0.0/8",
            "--trusted-proxy",
            "127.0.0.1",
        ]);
        assert_eq!(config.network.allowed_origins.len(), 2);
        assert_eq!(
            config.network.trusted_proxies[1].to_string(),
            "127.0.0.1/32"
        );
        assert!(
            ServeConfig::try_parse_from(["serve", "--allowed-origin", "https://a.example/x"])
                .is_err()
        );
        assert!(ServeConfig::try_parse_from(["serve", "--trusted-proxy", "10.0.0.0/33"]).is_err());
        for too_wide in ["0.0.0.0/0", "10.0.0.0/7", "::/0", "2001:db8::/31"] {
            let refused = ServeConfig::try_parse_from(["serve", "--trusted-proxy", too_wide])
                .unwrap_err()
                .to_string();
            assert!(refused.contains("X-Forwarded-For"), "{too_wide}: {refused}");
        }
        for narrow_enough in ["10.0.0.0/8", "2001:db8::/32", "::1"] {
            assert!(
                ServeConfig::try_parse_from(["serve", "--trusted-proxy", narrow_enough]).is_ok(),
                "{narrow_enough}"
            );
        }
        assert!(ServeConfig::try_parse_from(["serve", "--min-password-chars", "7"]).is_err());
        assert!(ServeConfig::try_parse_from(["serve", "--min-password-chars", "129"]).is_err());
        assert_eq!(config.links.link_style, LinkStyle::Query);
        assert_eq!(config.passwords.min_password_chars, 8);
    }

    #[test]
    fn continue_origins_are_https_origins_or_this_machine() {
        let config = ServeConfig::parse_from([
            "serve",
            "--continue-origin",
            "https://App.Example.com:443/",
            "--continue-origin",
            "http://127.0.0.1:3000",
        ]);
        assert_eq!(
            config.links.continue_origins,
            ["https://app.example.com", "http://127.0.0.1:3000"]
        );
        let allowed = config.links.return_origins();
        assert!(allowed.allow("https://app.example.com/home").is_some());
        assert!(allowed.allow("http://127.0.0.1:3000/").is_some());
        assert!(allowed.allow("https://other.example/").is_none());
        for refused in [
            "http://app.example.com",
            "https://app.example.com/path",
            "ftp://app.example.com",
            "app.example.com",
        ] {
            let error = ServeConfig::try_parse_from(["serve", "--continue-origin", refused])
                .unwrap_err()
                .to_string();
            assert!(error.contains("origin like https://"), "{refused}: {error}");
        }
        let none = ServeConfig::parse_from(["serve"]).links.return_origins();
        assert!(none.allow("https://app.example.com/").is_none());
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
