//! Outgoing mail: the two messages the server sends, in the reader's language
//! ([`texts`]), and how one is delivered.
//!
//! Messages go into the database's outbox in the same transaction as what they are about; the
//! delivery worker (`crate::delivery`) hands them to [`Mailer::deliver`] with retries, after
//! the HTTP answer has gone out, so a slow or broken mail server never changes what a client
//! sees. Messages are built with lettre's builder for both transports, so the outbox files are
//! byte-for-byte what SMTP sends.

mod texts;

use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::Context;
use lettre::address::Envelope;
use lettre::message::header::{ContentTransferEncoding, ContentType, HeaderName, HeaderValue};
use lettre::message::{Body, Mailbox};
use lettre::transport::smtp::authentication::Credentials;
use lettre::transport::smtp::client::{Certificate, Tls, TlsParameters};
use lettre::{Address, AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use secrecy::ExposeSecret;

use crate::config::MailConfig;
use crate::domain::{EmailAddress, Locale};
use crate::store::{NewMail, QueuedMail};
use texts::MailTexts;

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
    pub fn slug(self) -> &'static str {
        match self {
            Self::Reset => "reset",
            Self::PasswordChanged => "password-changed",
        }
    }
}

/// What a reset mail carries: the link, the short code mailed with it (grouped, `XXXX-XXXX`),
/// and the page to type the code into.
pub struct ResetLink {
    pub url: String,
    pub code: String,
    pub page: String,
}

/// Builds and delivers the server's mail.
pub struct Mailer {
    from: Mailbox,
    transport: Transport,
}

enum Transport {
    /// Development: each message becomes a file in this folder.
    Outbox {
        folder: PathBuf,
    },
    Smtp(AsyncSmtpTransport<Tokio1Executor>),
    /// Neither configured: messages are dropped with a warning.
    Discard,
}

impl Mailer {
    pub fn new(config: &MailConfig) -> anyhow::Result<Self> {
        let from: Mailbox = config
            .mail_from
            .parse()
            .context("--mail-from is not a mailbox")?;
        let transport = match (&config.outbox, &config.smtp_url) {
            (Some(folder), _) => {
                owner_only_dir(folder)
                    .with_context(|| format!("preparing the outbox {}", folder.display()))?;
                Transport::Outbox {
                    folder: folder.clone(),
                }
            }
            (None, Some(url)) => {
                let ca =
                    match &config.smtp_ca_file {
                        Some(path) => Some(std::fs::read(path).with_context(|| {
                            format!("reading --smtp-ca-file {}", path.display())
                        })?),
                        None => None,
                    };
                let (transport, description) = smtp_transport(url.expose_secret(), ca.as_deref())?;
                tracing::info!(relay = %description, "mail goes over SMTP");
                Transport::Smtp(transport)
            }
            (None, None) => {
                tracing::warn!("neither --outbox nor --smtp-url is set: mail will be discarded");
                Transport::Discard
            }
        };
        Ok(Self { from, transport })
    }

    /// True in outbox (development) mode, where reset links are also logged so a person
    /// running the server locally can click them.
    pub fn is_outbox(&self) -> bool {
        matches!(self.transport, Transport::Outbox { .. })
    }

    /// The message with the reset link, and the code on a line of its own for a person whose
    /// mail app cuts or will not open links, or who resets on another device, in `locale`.
    pub fn reset_message(
        &self,
        to: &EmailAddress,
        link: &ResetLink,
        lifetime: Duration,
        locale: Locale,
    ) -> anyhow::Result<Message> {
        let texts = MailTexts::of(locale);
        let ResetLink { url, code, page } = link;
        let lifetime = texts.describe(lifetime);
        let text = texts::fill(
            &texts.reset_body,
            &[
                ("to", to.as_str()),
                ("url", url),
                ("page", page),
                ("code", code),
                ("lifetime", &lifetime),
            ],
        );
        self.message(to, &texts.reset_subject, text, locale)
    }

    /// The notice sent after a password was changed with a reset link, in `locale`.
    pub fn password_changed_message(
        &self,
        to: &EmailAddress,
        locale: Locale,
    ) -> anyhow::Result<Message> {
        let texts = MailTexts::of(locale);
        let text = texts::fill(&texts.changed_body, &[("to", to.as_str())]);
        self.message(to, &texts.changed_subject, text, locale)
    }

    /// A plain-text message; `Content-Language` tells the mail client the language (plain
    /// text has no `lang` or `dir` of its own: a client lays out Arabic right to left from
    /// the text itself).
    fn message(
        &self,
        to: &EmailAddress,
        subject: &str,
        text: String,
        locale: Locale,
    ) -> anyhow::Result<Message> {
        let body = plain_body(text);
        Message::builder()
            .from(self.from.clone())
            .to(Mailbox::new(None, lettre_address(to)?))
            .subject(subject)
            .message_id(None)
            .header(ContentType::TEXT_PLAIN)
            .raw_header(HeaderValue::new(
                HeaderName::new_from_ascii_str("Content-Language"),
                locale.tag().to_owned(),
            ))
            .body(body)
            .context("building the message")
    }

    /// `message` as an outbox row: the envelope and the bytes SMTP will send.
    pub fn queue(&self, kind: MailKind, recipient: &EmailAddress, message: &Message) -> NewMail {
        NewMail {
            kind: kind.slug(),
            envelope_from: self.from.email.to_string(),
            recipient: recipient.clone(),
            message: message.formatted(),
        }
    }

    /// One delivery attempt of a queued message.
    pub async fn deliver(&self, mail: &QueuedMail) -> Result<(), DeliveryError> {
        match &self.transport {
            Transport::Outbox { folder } => {
                // The row id numbers the files: it never repeats and survives restarts, and a
                // retried write replaces the same file, so a message lands once.
                let sequence = u64::try_from(mail.id - 1).unwrap_or_default();
                let name = outbox_file_name(
                    &mail.kind,
                    mail.recipient.as_str(),
                    sequence,
                    mail.created_at,
                );
                write_atomically(folder, &name, &mail.message)
                    .await
                    .map_err(|error| DeliveryError(format!("outbox folder: {}", error.kind())))
            }
            Transport::Smtp(smtp) => {
                let envelope = mail
                    .envelope_from
                    .parse::<Address>()
                    .ok()
                    .zip(lettre_address(&mail.recipient).ok())
                    .and_then(|(from, to)| Envelope::new(Some(from), vec![to]).ok())
                    .ok_or_else(|| DeliveryError("the envelope does not parse".to_owned()))?;
                smtp.send_raw(&envelope, &mail.message)
                    .await
                    .map(drop)
                    .map_err(|error| DeliveryError::smtp(&error))
            }
            Transport::Discard => {
                tracing::warn!(kind = %mail.kind, "no mail transport configured: message discarded");
                Ok(())
            }
        }
    }
}

/// Why a delivery failed, said with nothing the relay wrote but its reply code: relays often
/// repeat the recipient in their replies, and this goes into the log and the outbox table.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct DeliveryError(String);

impl DeliveryError {
    /// `SMTP reply 550 (permanent)`, or the kind of failure when there was no reply:
    /// `SMTP timeout`, `SMTP TLS failure`, `SMTP connection failure (connection refused)`.
    fn smtp(error: &lettre::transport::smtp::Error) -> Self {
        if let Some(code) = error.status() {
            let class = if error.is_permanent() {
                "permanent"
            } else if error.is_transient() {
                "transient"
            } else {
                "unexpected"
            };
            return Self(format!("SMTP reply {code} ({class})"));
        }
        let kind = if error.is_timeout() {
            "timeout"
        } else if error.is_tls() {
            "TLS failure"
        } else if error.is_client() {
            "client error"
        } else {
            "connection failure"
        };
        let io = std::iter::successors(std::error::Error::source(error), |e| e.source())
            .find_map(|e| e.downcast_ref::<std::io::Error>());
        match io {
            Some(io) => Self(format!("SMTP {kind} ({})", io.kind())),
            None => Self(format!("SMTP {kind}")),
        }
    }
}

/// lettre's own address type for `address`. Every [`EmailAddress`] converts (a property test
/// in `domain::email_address` holds the syntax to that); the error never quotes the address.
fn lettre_address(address: &EmailAddress) -> anyhow::Result<Address> {
    address
        .as_str()
        .parse()
        .map_err(|_| anyhow::anyhow!("the recipient is not an address lettre accepts"))
}

/// Hand-written rather than lettre's own choice of encoding, which switches to quoted-printable
/// past 76 characters a line (or base64 for most non-Latin text): that turns `token=` into
/// `token=3D` and folds long links, so a person copying the link from a plain-text mail view
/// gets a broken one. Here the text goes as it is when its lines fit RFC 5322's 998 octets:
/// 7bit for ASCII (English), 8bit UTF-8 otherwise, so the raw message and the outbox file show
/// the link exactly as sent in every language. Over SMTP, lettre announces 8bit with
/// `BODY=8BITMIME` (RFC 6152, offered by every common relay) and refuses a relay without it,
/// which the delivery worker logs and retries. Other text gets lettre's choice.
fn plain_body(text: String) -> Body {
    let crlf = text.replace("\r\n", "\n").replace('\n', "\r\n");
    let fits_lines = !crlf.contains('\0') && crlf.split("\r\n").all(|line| line.len() <= 998);
    match (fits_lines, crlf.is_ascii()) {
        (true, true) => {
            Body::dangerous_pre_encoded(crlf.into_bytes(), ContentTransferEncoding::SevenBit)
        }
        (true, false) => {
            Body::dangerous_pre_encoded(crlf.into_bytes(), ContentTransferEncoding::EightBit)
        }
        (false, _) => Body::new(text),
    }
}

/// The SMTP transport for `--smtp-url`, and a description of it without credentials for the
/// log. Errors never quote the URL: it may hold a password.
///
/// - `smtp://host[:port]` (port 25): STARTTLS is required unless the host is loopback (a local
///   MTA), where the connection stays plain unless the URL ends with `?tls=required`;
/// - `smtps://host[:port]` (port 465): TLS from the first byte.
///
/// Certificates are checked against the system's roots plus `extra_ca` (PEM). Credentials in
/// the URL are sent with AUTH only if the server offers it.
fn smtp_transport(
    url: &str,
    extra_ca: Option<&[u8]>,
) -> anyhow::Result<(AsyncSmtpTransport<Tokio1Executor>, String)> {
    let parsed = url::Url::parse(url).map_err(|_| anyhow::anyhow!("--smtp-url is not a URL"))?;
    let tls_required = match parsed.query() {
        None => false,
        Some("tls=required") => true,
        Some(_) => anyhow::bail!("--smtp-url accepts only ?tls=required after the address"),
    };
    let (host, loopback) = match parsed.host() {
        None | Some(url::Host::Domain("")) => anyhow::bail!("--smtp-url has no host"),
        // `[::1]` in a URL is `::1` to a socket.
        Some(url::Host::Ipv6(address)) => (address.to_string(), address.is_loopback()),
        Some(url::Host::Ipv4(address)) => (address.to_string(), address.is_loopback()),
        // smtp: is not a scheme the URL standard knows, so its IPv4 hosts come as text.
        Some(url::Host::Domain(domain)) => match domain.parse::<std::net::IpAddr>() {
            Ok(address) => (address.to_string(), address.is_loopback()),
            Err(_) => (domain.to_owned(), domain.eq_ignore_ascii_case("localhost")),
        },
    };
    let parameters = || -> anyhow::Result<TlsParameters> {
        let mut builder = TlsParameters::builder(host.clone());
        if let Some(pem) = extra_ca {
            builder = builder.add_root_certificate(
                Certificate::from_pem(pem).context("--smtp-ca-file is not a PEM certificate")?,
            );
        }
        builder.build_rustls().context("setting up TLS for SMTP")
    };
    let (tls, port, mode) = match parsed.scheme() {
        "smtps" => (Tls::Wrapper(parameters()?), 465, "TLS"),
        "smtp" if tls_required || !loopback => (Tls::Required(parameters()?), 25, "STARTTLS"),
        "smtp" => (Tls::None, 25, "plain, loopback"),
        _ => anyhow::bail!("--smtp-url must start with smtp:// or smtps://"),
    };
    let port = parsed.port().unwrap_or(port);
    let mut builder = AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(host.as_str())
        .port(port)
        .tls(tls)
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
    let description = format!("{}://{host}:{port} ({mode})", parsed.scheme());
    Ok((builder.build(), description))
}

/// `<unix millis>-<sequence>-<kind>-<recipient>.eml`: sorts by time of sending, and a test can
/// find "the latest reset mail for alice@example.com" from the name alone. The recipient is
/// lower-cased and anything but letters, digits and `@._+-` becomes `_`.
fn outbox_file_name(kind: &str, recipient: &str, sequence: u64, millis: i64) -> String {
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
    format!("{millis:013}-{sequence:06}-{kind}-{recipient}.eml")
}

/// The outbox folder, created if missing, and owner-only (0700) either way: reset links are
/// as good as passwords.
fn owner_only_dir(folder: &Path) -> std::io::Result<()> {
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::{DirBuilderExt, PermissionsExt};
        builder.mode(0o700).create(folder)?;
        std::fs::set_permissions(folder, std::fs::Permissions::from_mode(0o700))
    }
    #[cfg(not(unix))]
    builder.create(folder)
}

/// Writes to a hidden temporary file and renames it, so a reader polling the folder never sees
/// half a message. Files are owner-only (0600): a reset link is as good as a password.
async fn write_atomically(folder: &Path, name: &str, contents: &[u8]) -> std::io::Result<()> {
    let owned = folder.to_path_buf();
    tokio::task::spawn_blocking(move || owner_only_dir(&owned)).await??;
    let temporary = folder.join(format!(".{name}.tmp"));
    let mut options = tokio::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    options.mode(0o600);
    let mut file = options.open(&temporary).await?;
    tokio::io::AsyncWriteExt::write_all(&mut file, contents).await?;
    file.sync_all().await?;
    drop(file);
    tokio::fs::rename(&temporary, folder.join(name)).await
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::Parser;

    fn alice() -> EmailAddress {
        EmailAddress::parse("alice@example.com").unwrap()
    }

    fn outbox_mailer(dir: &Path) -> Mailer {
        let config = crate::ServeConfig::parse_from(["serve", "--outbox", dir.to_str().unwrap()]);
        Mailer::new(&config.mail).unwrap()
    }

    #[test]
    fn smtp_urls() {
        let mode = |url: &str| smtp_transport(url, None).map(|(_, description)| description);
        assert_eq!(
            mode("smtp://127.0.0.1:2525").unwrap(),
            "smtp://127.0.0.1:2525 (plain, loopback)"
        );
        assert_eq!(
            mode("smtp://[::1]:25").unwrap(),
            "smtp://::1:25 (plain, loopback)"
        );
        assert_eq!(
            mode("smtp://localhost").unwrap(),
            "smtp://localhost:25 (plain, loopback)"
        );
        // Anywhere but loopback, STARTTLS is required; on loopback it can be asked for.
        assert_eq!(
            mode("smtp://user:p%40ss@mail.example.com").unwrap(),
            "smtp://mail.example.com:25 (STARTTLS)"
        );
        assert_eq!(
            mode("smtp://10.1.2.3:587").unwrap(),
            "smtp://10.1.2.3:587 (STARTTLS)"
        );
        assert_eq!(
            mode("smtp://127.0.0.1:2525?tls=required").unwrap(),
            "smtp://127.0.0.1:2525 (STARTTLS)"
        );
        assert_eq!(
            mode("smtps://mail.example.com").unwrap(),
            "smtps://mail.example.com:465 (TLS)"
        );
        for bad in [
            "smtp://mail.example.com?tls=none",
            "http://mail.example.com",
            "127.0.0.1:25",
            "smtp://",
        ] {
            assert!(mode(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn smtp_errors_and_descriptions_do_not_carry_the_password() {
        let (_, description) =
            smtp_transport("smtp://user:hunter2@mail.example.com", None).unwrap();
        assert!(
            !description.contains("hunter2") && !description.contains("user"),
            "{description}"
        );
        for bad in [
            "smtp://user:hunter2@mail.example.com?tls=off",
            "ftp://user:hunter2@mail.example.com",
            "smtp ://user:hunter2@x",
        ] {
            let error = format!("{:#}", smtp_transport(bad, None).err().unwrap());
            assert!(!error.contains("hunter2"), "{error}");
        }
    }

    #[test]
    fn reset_message_has_the_link_intact() {
        let dir = tempfile::tempdir().unwrap();
        let mailer = outbox_mailer(dir.path());
        let link = ResetLink {
            url: "http://127.0.0.1:8080/reset?token=abc-_DEF123".into(),
            code: "KQ7M-XW3P".into(),
            page: "http://127.0.0.1:8080/reset?lang=en".into(),
        };
        let message = mailer
            .reset_message(&alice(), &link, Duration::from_secs(1800), Locale::DEFAULT)
            .unwrap();
        let raw = String::from_utf8(message.formatted()).unwrap();
        assert!(raw.contains(&format!("\r\n{}\r\n", link.url)), "{raw}");
        // The code on a line of its own, and where to enter it.
        assert!(raw.contains("\r\n\r\nKQ7M-XW3P\r\n\r\n"), "{raw}");
        assert!(
            raw.contains("go to http://127.0.0.1:8080/reset?lang=en and enter this code"),
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
            raw.contains("The link and the code expire in 30 minutes and work only once."),
            "{raw}"
        );
        assert!(raw.contains("you can ignore this email"), "{raw}");
        assert!(raw.contains("Message-ID: <"), "{raw}");
        assert!(raw.contains("Content-Language: en\r\n"), "{raw}");
    }

    #[test]
    fn every_locale_sends_the_link_and_the_code_on_lines_of_their_own() {
        let dir = tempfile::tempdir().unwrap();
        let mailer = outbox_mailer(dir.path());
        for locale in Locale::all() {
            let tag = locale.tag();
            let link = ResetLink {
                url: format!("https://reclaim.example.com/reset?token=abc-_DEF123&lang={tag}"),
                code: "KQ7M-XW3P".into(),
                page: format!("https://reclaim.example.com/reset?lang={tag}"),
            };
            let message = mailer
                .reset_message(&alice(), &link, Duration::from_secs(1800), locale)
                .unwrap();
            let raw = String::from_utf8(message.formatted()).unwrap();
            let texts = MailTexts::of(locale);
            assert!(raw.contains(&format!("\r\n{}\r\n", link.url)), "{raw}");
            assert!(raw.contains("\r\n\r\nKQ7M-XW3P\r\n\r\n"), "{raw}");
            assert!(raw.contains(&link.page), "{raw}");
            assert!(
                raw.contains(&format!("Content-Language: {tag}\r\n")),
                "{raw}"
            );
            let first_line = texts.reset_body.lines().find(|l| !l.contains('{')).unwrap();
            assert!(raw.contains(first_line), "{tag}: {raw}");
            // Plain ASCII (English, and Filipino's words too) needs no 8-bit transfer.
            let ascii = texts.reset_body.is_ascii() && texts.reset_subject.is_ascii();
            let encoding = if ascii { "7bit" } else { "8bit" };
            assert!(
                raw.contains(&format!("Content-Transfer-Encoding: {encoding}\r\n")),
                "{raw}"
            );
            let notice = mailer.password_changed_message(&alice(), locale).unwrap();
            let raw = String::from_utf8(notice.formatted()).unwrap();
            assert!(
                raw.contains(&format!("Content-Language: {tag}\r\n")),
                "{raw}"
            );
            assert!(raw.contains("alice@example.com"), "{raw}");
        }
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
        assert_eq!(
            plain_body("Grüße\n".to_owned()).encoding(),
            ContentTransferEncoding::EightBit
        );
        assert_ne!(
            plain_body(format!("{}\n", "é".repeat(500))).encoding(),
            ContentTransferEncoding::EightBit,
            "a line over 998 octets"
        );
    }

    #[test]
    fn outbox_names_sort_and_name_the_recipient() {
        let name = outbox_file_name("reset", "Alice+x@Example.com", 7, 1_764_126_978_314);
        assert!(
            name.ends_with("-000007-reset-alice+x@example.com.eml"),
            "{name}"
        );
        let odd = outbox_file_name("password-changed", "a/b@ex.com", 8, 1_764_126_978_315);
        assert!(odd.ends_with("-password-changed-a_b@ex.com.eml"), "{odd}");
        assert!(name.starts_with("1764126978314-000007-"), "{name}");
        assert!(name < odd);
    }
}
