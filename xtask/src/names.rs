//! The files the server caches for good are named by what is in them.
//!
//! portal-server sends `name-<16 hex digits>.ext` as `immutable` for a year, and
//! index.html pins the first visit's files by `integrity`. Trunk names the
//! sign-in app's files and the CSS after their bytes as Trunk wrote them, but
//! the build rewrites them afterwards (short names, metadata, esbuild). A
//! change to those rewrites alone gave a file new bytes under its old name: a
//! returning visitor's cached copy would no longer match index.html's
//! integrity, and the portal would not start for them until their cache
//! expired. So the build's last rewrite names each such file again, by a hash
//! of its final bytes (an app's glue and wasm together, so either names the
//! other), and index.html follows; `cargo xtask test` checks the result.
use std::collections::BTreeMap;
use std::hash::{Hash, Hasher};
use std::path::Path;

use anyhow::{bail, Context, Result};

/// What a file named by its content is called: `stem-<16 hex digits>`, from the
/// bytes of every file of the group (in order).
pub fn content_name(stem: &str, parts: &[&[u8]]) -> String {
    // SipHash with fixed keys: the same bytes always get the same name.
    let mut hasher = std::collections::hash_map::DefaultHasher::new();
    parts.hash(&mut hasher);
    format!("{stem}-{:016x}", hasher.finish())
}

/// Names every hashed file of `dist` (not its folders: snippets keep the names
/// wasm-bindgen gives them, which the server does not cache) by its content,
/// and rewrites index.html's references to match.
pub fn name_by_content(dist: &Path) -> Result<()> {
    let index_path = dist.join("index.html");
    let mut index = std::fs::read_to_string(&index_path)
        .with_context(|| format!("reading {}", index_path.display()))?;
    for (named, files) in groups(dist)? {
        let wanted = expected_name(dist, &named, &files)?;
        if wanted == named {
            continue;
        }
        for rest in &files {
            let (old, new) = (format!("{named}{rest}"), format!("{wanted}{rest}"));
            std::fs::rename(dist.join(&old), dist.join(&new))
                .with_context(|| format!("renaming {old} to {new}"))?;
            index = index.replace(&format!("/{old}"), &format!("/{new}"));
        }
    }
    std::fs::write(&index_path, index)?;
    Ok(())
}

/// Fails, naming the file, when a file the server caches for good is not named
/// by its content.
pub fn check(dist: &Path) -> Result<()> {
    for (named, files) in groups(dist)? {
        let wanted = expected_name(dist, &named, &files)?;
        if named.len() != wanted.len() {
            // Fewer than 16 digits: the server does not cache it for good.
            continue;
        }
        if wanted != named {
            bail!(
                "{named}{} is cached for good but not named by its content (it should be \
                 {wanted}{}): build it with `cargo xtask build`",
                files[0],
                files[0]
            );
        }
    }
    Ok(())
}

/// The hashed files of `dist`'s top folder by name (`stem-<hex>`), each with
/// what follows the name (`.js`, `_bg.wasm`, `.css`), in order.
fn groups(dist: &Path) -> Result<BTreeMap<String, Vec<String>>> {
    let mut groups: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for entry in std::fs::read_dir(dist).with_context(|| format!("reading {}", dist.display()))? {
        let entry = entry?;
        if !entry.file_type()?.is_file() {
            continue;
        }
        let Ok(file) = entry.file_name().into_string() else {
            continue;
        };
        // Precompressed copies are made from the files, after them.
        if file.ends_with(".br") || file.ends_with(".gz") {
            continue;
        }
        if let Some(at) = hash_end(&file) {
            let (named, rest) = file.split_at(at);
            groups
                .entry(named.to_string())
                .or_default()
                .push(rest.to_string());
        }
    }
    for files in groups.values_mut() {
        files.sort();
    }
    Ok(groups)
}

fn expected_name(dist: &Path, named: &str, files: &[String]) -> Result<String> {
    let stem = &named[..named.rfind('-').context("a hashed name without its dash")?];
    let bytes = files
        .iter()
        .map(|rest| {
            let path = dist.join(format!("{named}{rest}"));
            std::fs::read(&path).with_context(|| format!("reading {}", path.display()))
        })
        .collect::<Result<Vec<_>>>()?;
    let parts: Vec<&[u8]> = bytes.iter().map(Vec::as_slice).collect();
    Ok(content_name(stem, &parts))
}

/// Where `name-<hex>` ends in a file name: a dash, 1 to 16 hex digits, then `.`
/// or `_` (Trunk leaves out a hash's leading zeros; the server caches only
/// names with all 16).
fn hash_end(file: &str) -> Option<usize> {
    let bytes = file.as_bytes();
    bytes
        .iter()
        .enumerate()
        .filter(|&(_, &b)| b == b'-')
        .filter_map(|(dash, _)| {
            let digits = bytes[dash + 1..]
                .iter()
                .take_while(|b| b.is_ascii_hexdigit())
                .count();
            let end = dash + 1 + digits;
            ((1..=16).contains(&digits) && matches!(bytes.get(end), Some(b'.' | b'_')))
                .then_some(end)
        })
        .next_back()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A dist/ like the build's before its last rewrite, in a folder of its own.
    fn dist(test: &str) -> std::path::PathBuf {
        let dir = std::env::temp_dir().join(format!("xtask-names-{}-{test}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(dir.join("snippets/portal-web-786469b5485a19f7")).unwrap();
        let write = |name: &str, text: &str| std::fs::write(dir.join(name), text).unwrap();
        write(
            "index.html",
            "<script type=module>import init from '/portal-web-42109bff5bf3688e.js';\
             init({module_or_path: '/portal-web-42109bff5bf3688e_bg.wasm'});</script>\
             <link rel=stylesheet href=\"/style-cf859cce492938f.css\">\
             <meta name=\"portal-account\" content=\"/portal-account-377d4c598d74bb6e.js\">",
        );
        write("portal-web-42109bff5bf3688e.js", "glue");
        write("portal-web-42109bff5bf3688e_bg.wasm", "wasm");
        write("portal-web-42109bff5bf3688e_bg.wasm.br", "stale");
        write("style-cf859cce492938f.css", "css");
        write("portal-account-377d4c598d74bb6e.js", "account glue");
        write("portal-account-377d4c598d74bb6e_bg.wasm", "account wasm");
        write("embed.js", "embed");
        write("snippets/portal-web-786469b5485a19f7/inline0.js", "snippet");
        dir
    }

    fn files(dir: &Path) -> Vec<String> {
        let mut names: Vec<String> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().into_string().unwrap())
            .collect();
        names.sort();
        names
    }

    #[test]
    fn a_file_cached_for_good_whose_bytes_changed_under_its_name_fails_the_check() {
        let dir = dist("stale");
        let error = check(&dir).unwrap_err().to_string();
        assert!(
            error.contains("portal-account-377d4c598d74bb6e.js")
                && error.contains("cargo xtask build"),
            "{error}"
        );
    }

    #[test]
    fn each_app_and_the_css_are_named_by_their_bytes_and_index_html_follows() {
        let dir = dist("rename");
        name_by_content(&dir).unwrap();
        check(&dir).unwrap();
        let web = content_name("portal-web", &[b"glue", b"wasm"]);
        let account = content_name("portal-account", &[b"account glue", b"account wasm"]);
        let style = content_name("style", &[b"css"]);
        let index = std::fs::read_to_string(dir.join("index.html")).unwrap();
        for referenced in [
            format!("'/{web}.js'"),
            format!("'/{web}_bg.wasm'"),
            format!("\"/{style}.css\""),
            format!("\"/{account}.js\""),
        ] {
            assert!(index.contains(&referenced), "{referenced} in {index}");
        }
        let mut expected = vec![
            format!("{account}.js"),
            format!("{account}_bg.wasm"),
            "embed.js".to_string(),
            "index.html".to_string(),
            "portal-web-42109bff5bf3688e_bg.wasm.br".to_string(),
            "snippets".to_string(),
            format!("{style}.css"),
            format!("{web}.js"),
            format!("{web}_bg.wasm"),
        ];
        expected.sort();
        assert_eq!(files(&dir), expected);
        assert_eq!(
            std::fs::read_to_string(dir.join(format!("{web}_bg.wasm"))).unwrap(),
            "wasm"
        );
        // Named once, named for good: a second pass changes nothing.
        name_by_content(&dir).unwrap();
        assert_eq!(files(&dir), expected);
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn other_bytes_get_another_name() {
        assert_ne!(
            content_name("portal-web", &[b"glue", b"wasm"]),
            content_name("portal-web", &[b"glue", b"wasm2"])
        );
        // The glue's end and the wasm's start are not confused.
        assert_ne!(
            content_name("portal-web", &[b"glue", b"wasm"]),
            content_name("portal-web", &[b"gluew", b"asm"])
        );
        assert_eq!(content_name("style", &[b"css"]).len(), "style-".len() + 16);
    }

    #[test]
    fn a_hash_is_a_dash_then_up_to_16_hex_digits_before_the_extension() {
        assert_eq!(hash_end("portal-web-42109bff5bf3688e_bg.wasm"), Some(27));
        assert_eq!(hash_end("style-cf859cce492938f.css"), Some(21));
        assert_eq!(hash_end("embed.js"), None);
        assert_eq!(hash_end("portal-web.js"), None);
        assert_eq!(hash_end("x-0123456789abcdef0.js"), None);
    }
}
