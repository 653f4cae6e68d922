//! The file the server keeps its [`CodeKey`] in (`--code-key-file`, by default beside the
//! database): read at start, or made at the first start.
//!
//! Not in the database, where the rest of the state is: a reset code has only 28^8 values, so
//! whoever holds a copy of the database and the key can test every value against a stored hash
//! within hours. Apart, a leaked database (a backup, a copied file) gives no live code away.
//! Not derived from anything either: the server has no other secret to derive it from. Losing
//! the file only ends the codes already mailed (their links still work): a new key is made.

use std::io::Write;
use std::path::Path;

use anyhow::Context;

use crate::domain::CodeKey;

/// The key in `path`, or a new one written there (owner-only, 0600) if there is no file yet.
/// An existing file is made owner-only too. A file that holds something else is an error, not
/// replaced: the operator may have put it there.
pub fn load_or_create(path: &Path) -> anyhow::Result<CodeKey> {
    match std::fs::read_to_string(path) {
        Ok(text) => {
            owner_only(path)?;
            CodeKey::from_hex(&text).with_context(|| {
                format!(
                    "{} is not a code key (64 hex digits); remove it to have a new one made \
                     (codes mailed until now then stop working, links do not)",
                    path.display()
                )
            })
        }
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => create(path),
        Err(error) => Err(error).with_context(|| format!("reading {}", path.display())),
    }
}

/// Writes a new key to a temporary file and links it into place, so that a reader never sees
/// half a key and two servers starting at once end up with the same one.
fn create(path: &Path) -> anyhow::Result<CodeKey> {
    if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(parent)
            .with_context(|| format!("creating the folder of {}", path.display()))?;
    }
    let key = CodeKey::generate();
    let mut temporary = path.as_os_str().to_owned();
    temporary.push(format!(".{}.tmp", std::process::id()));
    let temporary = std::path::PathBuf::from(temporary);
    let written = write_owner_only(&temporary, &key).and_then(|()| {
        // A hard link fails rather than replace a file another server made meanwhile.
        match std::fs::hard_link(&temporary, path) {
            Err(error) if error.kind() == std::io::ErrorKind::AlreadyExists => Ok(false),
            other => other.map(|()| true),
        }
    });
    let _ = std::fs::remove_file(&temporary);
    match written.with_context(|| format!("writing the code key {}", path.display()))? {
        true => {
            tracing::info!(path = %path.display(), "made a new code key");
            Ok(key)
        }
        false => load_or_create(path),
    }
}

fn write_owner_only(path: &Path, key: &CodeKey) -> std::io::Result<()> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut file = options.open(path)?;
    writeln!(file, "{}", key.to_hex())?;
    file.sync_all()
}

fn owner_only(path: &Path) -> anyhow::Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600))
            .with_context(|| format!("making {} owner-only", path.display()))?;
    }
    #[cfg(not(unix))]
    let _ = path;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{EmailAddress, ResetCode};

    /// Whether `a` and `b` are the same key: they hash a code alike.
    fn same(a: &CodeKey, b: &CodeKey) -> bool {
        let code = ResetCode::parse("KQ7M-XW3P").unwrap();
        let alice = EmailAddress::parse("alice@example.com").unwrap();
        code.hash(a, &alice).matches(&code.hash(b, &alice))
    }

    #[test]
    fn made_once_owner_only_and_read_back() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("state/reclaim.key");
        let made = load_or_create(&path).unwrap();
        let text = std::fs::read_to_string(&path).unwrap();
        assert_eq!(text.trim().len(), 64, "{text}");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&path).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
            std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();
        }
        let read = load_or_create(&path).unwrap();
        assert!(
            same(&made, &read),
            "the second start reads the first one's key"
        );
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&path).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600, "made owner-only again");
        }
        let leftovers = std::fs::read_dir(path.parent().unwrap()).unwrap().count();
        assert_eq!(leftovers, 1, "no temporary file left behind");
    }

    #[test]
    fn a_file_that_is_not_a_key_is_refused_and_kept() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("reclaim.key");
        std::fs::write(&path, "not a key\n").unwrap();
        let error = format!("{:#}", load_or_create(&path).unwrap_err());
        assert!(error.contains("is not a code key"), "{error}");
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "not a key\n");
    }
}
