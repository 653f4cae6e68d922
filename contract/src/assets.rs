//! The build's file names as hosts read them: a name that carries a hash of the file's content
//! never changes meaning, so every host keeps such a file for good (the reference server does,
//! and the deployment check asks it of any host).

/// trunk names assets `name-<hash>.ext` (or `name-<hash>_bg.wasm`), the hash a 64-bit number in
/// hex without leading zeros: usually 16 digits, sometimes fewer (one build in sixteen has 15).
pub fn has_content_hash(file_name: &str) -> bool {
    let stem = file_name
        .rsplit_once('.')
        .map_or(file_name, |(stem, _)| stem);
    let stem = stem.strip_suffix("_bg").unwrap_or(stem);
    stem.rsplit_once('-')
        .is_some_and(|(_, hash)| hash.len() >= 12 && hash.chars().all(|c| c.is_ascii_hexdigit()))
}

/// The wasm a prerendered page starts, as its `<meta name=reclaim-app … data-wasm=…>` (the
/// build's) names it; `None` for a page without it (a build without the prerender).
pub fn wasm_of_page(page: &str) -> Option<&str> {
    let (_, rest) = page.split_once(" data-wasm=")?;
    rest.split(['>', ' '])
        .next()
        .filter(|name| !name.is_empty())
}

/// The `Link` header that asks for `wasm` with a page's response: what the page's own
/// `<link rel=preload>` asks for (the same destination, type and CORS mode, so that the browser
/// downloads it once), only sooner, as the response arrives. `dist/_headers` (written by the
/// build) and the reference server send it on every page.
pub fn wasm_preload_header(wasm: &str) -> String {
    format!("<{wasm}>; rel=preload; as=fetch; type=\"application/wasm\"; crossorigin")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_wasm_a_page_names() {
        let page = "<meta name=reclaim-app data-glue=/reclaim-1a2b.js data-wasm=/reclaim-1a2b_bg.wasm><script>";
        assert_eq!(wasm_of_page(page), Some("/reclaim-1a2b_bg.wasm"));
        assert_eq!(wasm_of_page("<title>Reclaim</title>"), None);
    }

    #[test]
    fn hashed_asset_names() {
        assert!(has_content_hash("reclaim-1a2b3c4d5e6f7a8b.js"));
        assert!(has_content_hash("reclaim-1a2b3c4d5e6f7a8b_bg.wasm"));
        // A hash with a leading zero dropped.
        assert!(has_content_hash("reclaim-355491398ef7800_bg.wasm"));
        assert!(!has_content_hash("config.json"));
        assert!(!has_content_hash("my-app.js"));
        assert!(!has_content_hash("brand.css"));
    }
}
