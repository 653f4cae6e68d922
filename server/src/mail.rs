//! Outgoing mail: the two messages the server sends, and their delivery.
//!
//! Delivery happens in background tasks with retries, after the HTTP answer has gone out, so a
//! slow or broken mail server never changes what a client sees. Messages are built with
//! lettre's builder for both transports, so the outbox files are byte-for-byte what SMTP sends.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use lettre::message::header::{ContentTransferEncoding, ContentType};
use lettre::message::{Body, Mailbox};
use lettre::transport::smtp::authentication::Credentials;
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use secrecy::ExposeSecret;
use tokio_util::task::TaskTracker;

use crate::config::ServeConfig;
use crate::store::now_millis;

/// Waits between delivery attempts; after the last one the message is given up (and logged).
const RETRY_DELAYS: [Duration; 3] = [
    Duration::from_secs(1),
    Duration::from_secs(4),
    Duration::from_secs(16),
];
/// An SMTP server that accepts the connection but never answers must not pin a task forever.
const SMTP_TIMEOUT: Duration = Duration::from_secs(20);

/// Which message it is; also part of the outbox file name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MailKind {
    /// The link to choose a new password.
    Reset,
    /// The notice that the password was changed.
    PasswordChanged,
}

impl MailKind {
    fn slug(self) -> &'static str {
        match self {
            Self::Reset => "reset",
            Self::PasswordChanged => "password-changed",
        }
    }
}

/// Builds and delivers the server's mail.
/// What a reset mail carries: the link, the code alone, and the page to type the code into.
pub struct ResetLink {
    pub url: String,
    pub code: String,
    pub page: String,
}

pub struct Mailer {
    from: Mailbox,
    transport: Transport,
    /// Delivery tasks still running, awaited on shutdown.
    deliveries: TaskTracker,
}

enum Transport {
    /// Development: each message becomes a file in this folder.
    Outbox {
        folder: PathBuf,
        sequence: AtomicU64,
    },
    Smtp(AsyncSmtpTransport<Tokio1Executor>),
    /// Neither configured: messages are dropped with a warning.
    Discard,
}

impl Mailer {
    pub fn new(config: &ServeConfig) -> anyhow::Result<Self> {
        let from: Mailbox = config
            .mail_from
            .parse()
            .context("--mail-from is not a mailbox")?;
        let transport = match (&config.outbox, &config.smtp_url) {
            (Some(folder), _) => {
                std::fs::create_dir_all(folder)
                    .with_context(|| format!("creating the outbox {}", folder.display()))?;
                Transport::Outbox {
                    folder: folder.clone(),
                    sequence: AtomicU64::new(0),
                }
            }
            (None, Some(url)) => Transport::Smtp(smtp_transport(url.expose_secret())?),
            (None, None) => {
                tracing::warn!("neither --outbox nor --smtp-url is set: mail will be discarded");
                Transport::Discard
            }
        };
        Ok(Self {
            from,
            transport,
            deliveries: TaskTracker::new(),
        })
    }

    /// True in outbox (development) mode, where reset links are also logged so a person
    /// running the server locally can click them.
    pub fn is_outbox(&self) -> bool {
        matches!(self.transport, Transport::Outbox { .. })
    }

    /// The message with the reset link, and the code on a line of its own for a person whose
    /// mail app cuts or will not open links, or who resets on another device.
    pub fn reset_message(
        &self,
        to: &str,
        link: &ResetLink,
        lifetime: Duration,
    ) -> anyhow::Result<Message> {
        let ResetLink { url, code, page } = link;
        let text = format!(
            "Hello,\n\
             \n\
             Someone asked to reset the password of the account for {to}.\n\
             If it was you, open this link to choose a new password:\n\
             \n\
             {url}\n\
             \n\
             If the link does not open, go to {page} and enter this code:\n\
             \n\
             {code}\n\
             \n\
             The link expires in {lifetime} and works only once.\n\
             \n\
             If you did not ask for this, you can ignore this email. Your password\n\
             stays the same, and nobody can change it without this link or code.\n",
            lifetime = describe_duration(lifetime),
        );
        self.message(to, "Reset your password", text)
    }

    /// The notice sent after a password was changed with a reset link.
    pub fn password_changed_message(&self, to: &str) -> anyhow::Result<Message> {
        let text = format!(
            "Hello,\n\
             \n\
             The password of the account for {to} was just changed with a\n\
             password reset link. Every other reset link and every signed-in\n\
             session of the account has been ended.\n\
             \n\
             If you did this, there is nothing more to do.\n\
             \n\
             If you did not, someone may be able to read your email. Secure your\n\
             email account first, then ask for a new password reset link.\n"
        );
        self.message(to, "Your password was changed", text)
    }

    fn message(&self, to: &str, subject: &str, text: String) -> anyhow::Result<Message> {
        let body = plain_body(text);
        Message::builder()
            .from(self.from.clone())
            .to(to.parse().with_context(|| "recipient is not a mailbox")?)
            .subject(subject)
            .message_id(None)
            .header(ContentType::TEXT_PLAIN)
            .body(body)
            .context("building the message")
    }

    /// Delivers `message` in a background task, retrying with backoff; failures are logged,
    /// never reported to a client.
    pub fn send_in_background(
        self: &Arc<Self>,
        kind: MailKind,
        recipient: String,
        message: Message,
    ) {
        // Named now rather than when the task runs, so outbox order is the order of sending.
        let outbox_name = match &self.transport {
            Transport::Outbox { sequence, .. } => Some(outbox_file_name(
                kind,
                &recipient,
                sequence.fetch_add(1, Ordering::Relaxed),
            )),
            Transport::Smtp(_) => None,
            Transport::Discard => {
                tracing::warn!(
                    kind = kind.slug(),
                    "no mail transport configured: message discarded"
                );
                return;
            }
        };
        let mailer = Arc::clone(self);
        self.deliveries.spawn(async move {
            for (attempt, delay) in std::iter::once(Duration::ZERO)
                .chain(RETRY_DELAYS)
                .enumerate()
            {
                tokio::time::sleep(delay).await;
                match mailer.deliver(outbox_name.as_deref(), &message).await {
                    Ok(()) => {
                        tracing::info!(kind = kind.slug(), attempt = attempt + 1, "mail delivered");
                        return;
                    }
                    Err(error) => tracing::warn!(
                        kind = kind.slug(),
                        attempt = attempt + 1,
                        error = format!("{error:#}"),
                        "mail delivery failed"
                    ),
                }
            }
            tracing::error!(
                kind = kind.slug(),
                "mail given up after {} attempts",
                RETRY_DELAYS.len() + 1
            );
        });
    }

    async fn deliver(&self, outbox_name: Option<&str>, message: &Message) -> anyhow::Result<()> {
        match &self.transport {
            Transport::Outbox { folder, .. } => {
                let name = outbox_name.context("outbox message without a file name")?;
                write_atomically(folder, name, &message.formatted()).await
            }
            Transport::Smtp(smtp) => {
                smtp.send(message.clone()).await.context("SMTP delivery")?;
                Ok(())
            }
            Transport::Discard => Ok(()),
        }
    }

    /// Waits (at most `limit`) for deliveries in progress, retries included.
    pub async fn drain(&self, limit: Duration) {
        self.deliveries.close();
        if tokio::time::timeout(limit, self.deliveries.wait())
            .await
            .is_err()
        {
            tracing::warn!(
                pending = self.deliveries.len(),
                "shutting down with mail still undelivered"
            );
        }
    }
}

/// Hand-written rather than lettre's own choice of encoding, which switches to quoted-printable
/// past 76 characters a line: that turns `token=` into `token=3D` and folds long links, so a
/// person copying the link from a plain-text mail view gets a broken one. Here the text is a
/// 7bit body when it can be (ASCII, lines within RFC 5322's 998 octets), so the raw message and
/// the outbox file show the link exactly as sent; other text gets lettre's choice.
fn plain_body(text: String) -> Body {
    let crlf = text.replace("\r\n", "\n").replace('\n', "\r\n");
    let fits_7bit =
        crlf.is_ascii() && !crlf.contains('\0') && crlf.split("\r\n").all(|line| line.len() <= 998);
    if fits_7bit {
        Body::dangerous_pre_encoded(crlf.into_bytes(), ContentTransferEncoding::SevenBit)
    } else {
        Body::new(text)
    }
}

/// A plain-SMTP transport from `smtp://[user:password@]host[:port]` (port 25 by default).
///
/// Only plain SMTP: lettre's TLS backends need native TLS or extra crypto toolchains, and the
/// intended relay is a local MTA or a development mail catcher. Credentials in the URL are
/// sent with AUTH only if the server offers it.
fn smtp_transport(url: &str) -> anyhow::Result<AsyncSmtpTransport<Tokio1Executor>> {
    // The URL may hold a password: errors do not quote it.
    let parsed = url::Url::parse(url).context("--smtp-url is not a URL")?;
    anyhow::ensure!(
        parsed.scheme() == "smtp" && parsed.query().is_none(),
        "--smtp-url must be plain smtp://host:port (TLS is not supported)"
    );
    let host = match parsed.host() {
        None | Some(url::Host::Domain("")) => anyhow::bail!("--smtp-url has no host"),
        // `[::1]` in a URL is `::1` to a socket.
        Some(url::Host::Ipv6(address)) => address.to_string(),
        Some(host) => host.to_string(),
    };
    let mut builder = AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(host)
        .port(parsed.port().unwrap_or(25))
        .timeout(Some(SMTP_TIMEOUT));
    if let Some(password) = parsed.password() {
        let decode = |text: &str| {
            percent_encoding::percent_decode_str(text)
                .decode_utf8_lossy()
                .into_owned()
        };
        builder = builder.credentials(Credentials::new(
            decode(parsed.username()),
            decode(password),
        ));
    }
    Ok(builder.build())
}

/// `<unix millis>-<sequence>-<kind>-<recipient>.eml`: sorts by time of sending, and a test can
/// find "the latest reset mail for alice@example.com" from the name alone. The recipient is
/// lower-cased and anything but letters, digits and `@._+-` becomes `_`.
fn outbox_file_name(kind: MailKind, recipient: &str, sequence: u64) -> String {
    let recipient: String = recipient
        .to_lowercase()
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || "@._+-".contains(c) {
                c
            } else {
                '_'
            }
        })
        .collect();
    format!(
        "{:013}-{sequence:06}-{}-{recipient}.eml",
        now_millis(),
        kind.slug()
    )
}

/// Writes to a hidden temporary file and renames it, so a reader polling the folder never sees
/// half a message.
async fn write_atomically(folder: &Path, name: &str, contents: &[u8]) -> anyhow::Result<()> {
    tokio::fs::create_dir_all(folder)
        .await
        .context("creating the outbox")?;
    let temporary = folder.join(format!(".{name}.tmp"));
    tokio::fs::write(&temporary, contents)
        .await
        .context("writing to the outbox")?;
    tokio::fs::rename(&temporary, folder.join(name))
        .await
        .context("renaming into the outbox")?;
    Ok(())
}

/// "30 minutes", "1 hour", "45 seconds": rounded down, so the mail never promises more time
/// than the link has.
fn describe_duration(duration: Duration) -> String {
    let seconds = duration.as_secs();
    let (count, unit) = if seconds >= 3600 && seconds.is_multiple_of(3600) {
        (seconds / 3600, "hour")
    } else if seconds >= 60 {
        (seconds / 60, "minute")
    } else {
        (seconds, "second")
    };
    format!("{count} {unit}{}", if count == 1 { "" } else { "s" })
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::Parser;

    fn outbox_mailer(dir: &Path) -> Mailer {
        let config = ServeConfig::parse_from(["serve", "--outbox", dir.to_str().unwrap()]);
        Mailer::new(&config).unwrap()
    }

    #[test]
    fn smtp_urls() {
        assert!(smtp_transport("smtp://127.0.0.1:2525").is_ok());
        assert!(smtp_transport("smtp://user:p%40ss@mail.example.com").is_ok());
        assert!(smtp_transport("smtp://[::1]:25").is_ok());
        for bad in [
            "smtps://mail.example.com",
            "smtp://mail.example.com?tls=required",
            "127.0.0.1:25",
            "smtp://",
        ] {
            assert!(smtp_transport(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn durations_read_naturally() {
        assert_eq!(describe_duration(Duration::from_secs(1800)), "30 minutes");
        assert_eq!(describe_duration(Duration::from_secs(3600)), "1 hour");
        assert_eq!(describe_duration(Duration::from_secs(5400)), "90 minutes");
        assert_eq!(describe_duration(Duration::from_secs(61)), "1 minute");
        assert_eq!(describe_duration(Duration::from_secs(2)), "2 seconds");
    }

    #[test]
    fn reset_message_has_the_link_intact() {
        let dir = tempfile::tempdir().unwrap();
        let mailer = outbox_mailer(dir.path());
        let link = ResetLink {
            url: "http://127.0.0.1:8080/reset?token=abc-_DEF123".into(),
            code: "abc-_DEF123".into(),
            page: "http://127.0.0.1:8080/reset".into(),
        };
        let message = mailer
            .reset_message("alice@example.com", &link, Duration::from_secs(1800))
            .unwrap();
        let raw = String::from_utf8(message.formatted()).unwrap();
        assert!(raw.contains(&format!("\r\n{}\r\n", link.url)), "{raw}");
        // The code on a line of its own, and where to enter it.
        assert!(raw.contains("\r\nabc-_DEF123\r\n"), "{raw}");
        assert!(
            raw.contains("go to http://127.0.0.1:8080/reset and enter this code"),
            "{raw}"
        );
        assert!(raw.contains("To: alice@example.com\r\n"), "{raw}");
        assert!(
            raw.contains("From: Reclaim <no-reply@localhost>\r\n"),
            "{raw}"
        );
        assert!(raw.contains("Subject: Reset your password\r\n"), "{raw}");
        assert!(raw.contains("Content-Transfer-Encoding: 7bit\r\n"), "{raw}");
        assert!(
            raw.contains("expires in 30 minutes and works only once"),
            "{raw}"
        );
        assert!(raw.contains("you can ignore this email"), "{raw}");
        assert!(raw.contains("Message-ID: <"), "{raw}");
    }

    #[test]
    fn long_links_stay_on_one_line_in_7bit() {
        let link = format!(
            "https://reclaim.example.com/some/prefix/reset?token={}",
            "A".repeat(43)
        );
        let body = plain_body(format!("Open this:\n\n{link}\n"));
        assert_eq!(body.encoding(), ContentTransferEncoding::SevenBit);
        assert_eq!(
            body.into_vec(),
            format!("Open this:\r\n\r\n{link}\r\n").into_bytes()
        );
        assert_ne!(
            plain_body("Grüße\n".to_owned()).encoding(),
            ContentTransferEncoding::SevenBit
        );
    }

    #[test]
    fn outbox_names_sort_and_name_the_recipient() {
        let name = outbox_file_name(MailKind::Reset, "Alice+x@Example.com", 7);
        assert!(
            name.ends_with("-000007-reset-alice+x@example.com.eml"),
            "{name}"
        );
        let odd = outbox_file_name(MailKind::PasswordChanged, "a/b@ex.com", 8);
        assert!(odd.ends_with("-password-changed-a_b@ex.com.eml"), "{odd}");
        assert!(name < odd);
    }
}
