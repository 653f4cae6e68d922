//! Reading what the server sends and what the build holds: Content-Security-Policies, inline
//! scripts, headers, the files of `dist/`. Shared by the security and static-hosting tests.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use anyhow::Result;
use base64::Engine as _;
use reclaim_testkit::reqwest::header::HeaderMap;
use sha2::{Digest, Sha256};

/// `default-src 'self'; script-src 'self' 'wasm-unsafe-eval'` → directive → sources, hashes
/// included.
pub fn parse_csp(header: &str) -> BTreeMap<String, Vec<String>> {
    header
        .split(';')
        .filter_map(|directive| {
            let mut words = directive.split_whitespace();
            let name = words.next()?.to_ascii_lowercase();
            Some((name, words.map(str::to_owned).collect()))
        })
        .collect()
}

/// The page's own Content-Security-Policy: the content of its
/// `<meta http-equiv=Content-Security-Policy>`, as the build writes it.
pub fn meta_csp(html: &str) -> Option<&str> {
    let start = html.find("<meta http-equiv=Content-Security-Policy content=\"")?;
    let content = &html[start..];
    let content = &content[content.find('"')? + 1..];
    Some(&content[..content.find('"')?])
}

/// The `'sha256-…'` source of each inline `<script>` in `html`.
pub fn inline_script_hashes(html: &str) -> Vec<String> {
    let mut hashes = Vec::new();
    let mut rest = html;
    while let Some(open) = rest.find("<script") {
        let after = &rest[open..];
        let Some(tag_end) = after.find('>') else {
            break;
        };
        let tag = &after[..tag_end];
        let body_start = &after[tag_end + 1..];
        let Some(close) = body_start.find("</script>") else {
            break;
        };
        if !tag.contains(" src=") {
            let digest = Sha256::digest(&body_start.as_bytes()[..close]);
            hashes.push(format!(
                "'sha256-{}'",
                base64::engine::general_purpose::STANDARD.encode(digest)
            ));
        }
        rest = &body_start[close..];
    }
    hashes
}

/// A response header's value, or `""` when it is missing (so a failed check prints what was there).
pub fn header<'a>(headers: &'a HeaderMap, name: &str) -> &'a str {
    headers
        .get(name)
        .and_then(|value| value.to_str().ok())
        .unwrap_or("")
}

/// Whether a file of the build has a hash of its content in its name, as trunk writes it
/// (`reclaim-1a2b…_bg.wasm`, `main-9f8e….css`), unlike the files a deployer edits.
pub fn has_content_hash(file: &Path) -> bool {
    let stem = file
        .file_stem()
        .and_then(|s| s.to_str())
        .unwrap_or_default();
    let stem = stem.strip_suffix("_bg").unwrap_or(stem);
    stem.rsplit_once('-')
        .is_some_and(|(_, hash)| hash.len() >= 12 && hash.chars().all(|c| c.is_ascii_hexdigit()))
}

/// A copy of `from` (a build) in `to`, to change as a deployer would.
pub fn copy_dir(from: &Path, to: &Path) -> Result<()> {
    std::fs::create_dir_all(to)?;
    for entry in std::fs::read_dir(from)? {
        let entry = entry?;
        let target = to.join(entry.file_name());
        if entry.file_type()?.is_dir() {
            copy_dir(&entry.path(), &target)?;
        } else {
            std::fs::copy(entry.path(), &target)?;
        }
    }
    Ok(())
}

/// Every file below `dir`.
pub fn files(dir: &Path) -> Result<Vec<PathBuf>> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir)? {
        let path = entry?.path();
        if path.is_dir() {
            out.extend(files(&path)?);
        } else {
            out.push(path);
        }
    }
    Ok(out)
}
