//! Reading the server's outbox: one RFC 5322 `.eml` file per message.
//!
//! Just enough MIME to find who a message is for and what it says: folded headers, multipart
//! bodies, quoted-printable (soft line breaks, `=3D`) and base64 parts.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use base64::Engine as _;

/// One message the server wrote to its outbox.
#[derive(Debug, Clone)]
pub struct Mail {
    pub path: PathBuf,
    /// Addresses from the `To:` header, lower-cased.
    pub to: Vec<String>,
    pub subject: String,
    /// Every text part, decoded, one after another.
    pub text: String,
}

impl Mail {
    pub fn parse(path: &Path, raw: &str) -> Mail {
        let raw = raw.replace("\r\n", "\n");
        let (headers, body) = split_headers(&raw);
        let to = header(&headers, "to")
            .map(|value| addresses(&value))
            .unwrap_or_default();
        let subject = header(&headers, "subject").unwrap_or_default();
        Mail {
            path: path.to_owned(),
            to,
            subject,
            text: decode_part(&headers, body),
        }
    }

    pub fn is_to(&self, email: &str) -> bool {
        self.to
            .iter()
            .any(|address| address.eq_ignore_ascii_case(email))
    }

    /// The first `…/reset?token=…` link in the message, as written.
    pub fn reset_link(&self) -> Option<String> {
        const MARK: &str = "/reset?token=";
        let at = self.text.find(MARK)?;
        let start = ["https://", "http://"]
            .iter()
            .filter_map(|scheme| self.text[..at].rfind(scheme))
            .max()?;
        // No white space between the scheme and the path: it is one URL.
        if self.text[start..at].contains(char::is_whitespace) {
            return None;
        }
        let token_len = self.text[at + MARK.len()..]
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '-' || c == '_'))
            .unwrap_or(self.text.len() - at - MARK.len());
        Some(self.text[start..at + MARK.len() + token_len].to_owned())
    }
}

/// Every message in `outbox`, oldest file name first. Files still being written (not yet `.eml`,
/// or unreadable) are left for the next look.
pub fn read_outbox(outbox: &Path) -> Result<Vec<Mail>> {
    let mut mails = Vec::new();
    let entries = match std::fs::read_dir(outbox) {
        Ok(entries) => entries,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(mails),
        Err(e) => return Err(e).with_context(|| format!("reading {}", outbox.display())),
    };
    for entry in entries {
        let path = entry?.path();
        if path.extension().and_then(|e| e.to_str()) != Some("eml") {
            continue;
        }
        if let Ok(raw) = std::fs::read(&path) {
            mails.push(Mail::parse(&path, &String::from_utf8_lossy(&raw)));
        }
    }
    mails.sort_by(|a, b| a.path.cmp(&b.path));
    Ok(mails)
}

type Headers = Vec<(String, String)>;

fn split_headers(part: &str) -> (Headers, &str) {
    let (head, body) = match part.find("\n\n") {
        Some(at) => (&part[..at], &part[at + 2..]),
        None => (part, ""),
    };
    let mut headers: Headers = Vec::new();
    for line in head.lines() {
        if line.starts_with([' ', '\t']) {
            if let Some((_, value)) = headers.last_mut() {
                value.push(' ');
                value.push_str(line.trim());
            }
        } else if let Some((name, value)) = line.split_once(':') {
            headers.push((name.trim().to_ascii_lowercase(), value.trim().to_owned()));
        }
    }
    (headers, body)
}

fn header(headers: &Headers, name: &str) -> Option<String> {
    headers
        .iter()
        .find(|(n, _)| n == name)
        .map(|(_, v)| v.clone())
}

/// `Alice <alice@example.com>, bob@example.com` → both addresses, lower-cased.
fn addresses(value: &str) -> Vec<String> {
    value
        .split(',')
        .filter_map(|item| {
            let item = item.trim();
            let address = match (item.rfind('<'), item.rfind('>')) {
                (Some(open), Some(close)) if open < close => &item[open + 1..close],
                _ => item,
            };
            let address = address.trim().trim_matches('"');
            (!address.is_empty()).then(|| address.to_ascii_lowercase())
        })
        .collect()
}

/// A parameter of a header value such as `multipart/alternative; boundary="abc"`.
fn parameter(value: &str, name: &str) -> Option<String> {
    value.split(';').skip(1).find_map(|param| {
        let (key, val) = param.split_once('=')?;
        key.trim()
            .eq_ignore_ascii_case(name)
            .then(|| val.trim().trim_matches('"').to_owned())
    })
}

fn decode_part(headers: &Headers, body: &str) -> String {
    let content_type = header(headers, "content-type").unwrap_or_default();
    if content_type.to_ascii_lowercase().starts_with("multipart/") {
        if let Some(boundary) = parameter(&content_type, "boundary") {
            let delimiter = format!("--{boundary}");
            return body
                .split(&delimiter)
                .skip(1) // the preamble
                .take_while(|part| !part.starts_with("--")) // the closing delimiter
                .map(|part| {
                    let part = part.strip_prefix('\n').unwrap_or(part);
                    let (headers, body) = split_headers(part);
                    decode_part(&headers, body)
                })
                .collect::<Vec<_>>()
                .join("\n");
        }
    }
    let encoding = header(headers, "content-transfer-encoding")
        .unwrap_or_default()
        .to_ascii_lowercase();
    match encoding.as_str() {
        "quoted-printable" => String::from_utf8_lossy(&quoted_printable(body)).into_owned(),
        "base64" => {
            let compact: String = body.chars().filter(|c| !c.is_whitespace()).collect();
            match base64::engine::general_purpose::STANDARD.decode(compact) {
                Ok(bytes) => String::from_utf8_lossy(&bytes).into_owned(),
                Err(_) => body.to_owned(),
            }
        }
        _ => body.to_owned(),
    }
}

fn quoted_printable(body: &str) -> Vec<u8> {
    let bytes = body.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'=' {
            // Soft line break: `=` at the end of a line (possibly followed by spaces).
            let rest = &body[i + 1..];
            let line_end = rest.find('\n').unwrap_or(rest.len());
            if rest[..line_end].trim().is_empty() {
                i += 1 + line_end + 1;
                continue;
            }
            if let Some(byte) = bytes
                .get(i + 1..i + 3)
                .and_then(|hex| std::str::from_utf8(hex).ok())
                .and_then(|hex| u8::from_str_radix(hex, 16).ok())
            {
                out.push(byte);
                i += 3;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(raw: &str) -> Mail {
        Mail::parse(Path::new("x.eml"), raw)
    }

    #[test]
    fn quoted_printable_link_with_soft_breaks() {
        let mail = parse(
            "From: Reclaim <no-reply@example.com>\r\n\
             To: Alice <Alice@Example.com>\r\n\
             Subject: Reset your password\r\n\
             Content-Type: text/plain; charset=utf-8\r\n\
             Content-Transfer-Encoding: quoted-printable\r\n\
             \r\n\
             Open this link:\r\n\
             http://127.0.0.1:4000/reset?token=3DAbc_def-=\r\n\
             GHI123\r\n\
             It expires in 30 minutes.\r\n",
        );
        assert!(mail.is_to("alice@example.com"));
        assert_eq!(
            mail.reset_link().as_deref(),
            Some("http://127.0.0.1:4000/reset?token=Abc_def-GHI123")
        );
    }

    #[test]
    fn multipart_with_base64_and_folded_to() {
        let text = base64::engine::general_purpose::STANDARD
            .encode("Link: https://reclaim.example/reset?token=tok_EN-1\n");
        let mail = parse(&format!(
            "To: bob@example.com,\n\t\"Carol\" <carol@example.com>\n\
             Content-Type: multipart/alternative; boundary=\"b1\"\n\n\
             preamble\n--b1\nContent-Type: text/plain\nContent-Transfer-Encoding: base64\n\n\
             {text}\n--b1--\n"
        ));
        assert_eq!(mail.to, ["bob@example.com", "carol@example.com"]);
        assert_eq!(
            mail.reset_link().as_deref(),
            Some("https://reclaim.example/reset?token=tok_EN-1")
        );
    }

    #[test]
    fn seven_bit_body_and_no_link() {
        let mail = parse("To: dan@example.com\nSubject: Your password was changed\n\nHello.\n");
        assert!(mail.is_to("DAN@example.com"));
        assert!(!mail.is_to("dan@example.org"));
        assert_eq!(mail.reset_link(), None);
    }
}
