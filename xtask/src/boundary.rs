//! Short names on the boundary between an app's wasm and its JavaScript glue.
//!
//! wasm-bindgen names each import `__wbg_<name>_<16 hex digits>` and each
//! closure shim it exports after the shim's whole Rust type (a few hundred
//! characters); every name is written in the wasm and again in the glue, and
//! brotli can do little with hex digits. This renames the imports the glue
//! itself provides and every export, in both files, to the shortest names
//! nothing in the glue uses: 2.6 KB (4%) of the sign-in app's first visit
//! after brotli, and 3.8 KB of the account app.
//!
//! Only function imports are expected (all wasm-bindgen makes); anything else,
//! or a name the glue does not spell as expected, stops the build rather than
//! ship a wasm and a glue that disagree.
use std::collections::{HashMap, HashSet};

use anyhow::{bail, ensure, Context, Result};

/// The wasm and its glue with the short names.
pub fn shorten(wasm: &[u8], glue: &str) -> Result<(Vec<u8>, String)> {
    let sections = sections(wasm)?;
    let taken: HashSet<&str> = identifiers(glue).map(|(_, name)| name).collect();
    let mut fresh = ShortNames::new(taken);
    let mut imports: HashMap<String, String> = HashMap::new();
    let mut exports: HashMap<String, String> = HashMap::new();
    let mut out = wasm[..8].to_vec();
    for (id, body) in sections {
        let body = match id {
            IMPORT_SECTION => rename_imports(body, glue, &mut fresh, &mut imports)?,
            EXPORT_SECTION => rename_exports(body, &mut fresh, &mut exports)?,
            _ => body.to_vec(),
        };
        write_section(&mut out, id, &body);
    }
    Ok((out, rename_in_glue(glue, &imports, &exports)?))
}

const CUSTOM_SECTION: u8 = 0;
const IMPORT_SECTION: u8 = 2;
const EXPORT_SECTION: u8 = 7;

/// Custom sections that say how the module was made, which no browser reads:
/// the compilers and tools (`producers`) and the target features it was built
/// with. A quarter of a kilobyte of every first visit.
const METADATA: [&str; 2] = ["producers", "target_features"];

/// The module without its `METADATA` sections; every other section as it was.
pub fn without_metadata(wasm: &[u8]) -> Result<Vec<u8>> {
    let mut out = wasm[..8].to_vec();
    for (id, body) in sections(wasm)? {
        if id == CUSTOM_SECTION && METADATA.contains(&read_name(body, &mut 0)?) {
            continue;
        }
        write_section(&mut out, id, body);
    }
    Ok(out)
}

/// Each section's id and contents, in order, after the 8-byte header.
fn sections(wasm: &[u8]) -> Result<Vec<(u8, &[u8])>> {
    ensure!(
        wasm.len() >= 8 && wasm[..4] == *b"\0asm" && wasm[4..8] == [1, 0, 0, 0],
        "not a WebAssembly module (version 1)"
    );
    let mut at = 8;
    let mut sections = Vec::new();
    while at < wasm.len() {
        let id = wasm[at];
        at += 1;
        let size = read_leb(wasm, &mut at)? as usize;
        let body = wasm
            .get(at..at + size)
            .context("a section runs past the end of the module")?;
        sections.push((id, body));
        at += size;
    }
    Ok(sections)
}

/// The glue provides the imports of one module, `./<crate>_bg.js`, in an object
/// it hands to the instance under that key; the others (snippets) keep their names.
fn rename_imports(
    body: &[u8],
    glue: &str,
    fresh: &mut ShortNames,
    renamed: &mut HashMap<String, String>,
) -> Result<Vec<u8>> {
    each_entry(body, "import", |body, at, out| {
        let module = read_name(body, at)?;
        let name = read_name(body, at)?;
        let kind = *body.get(*at).context("an import without its kind")?;
        *at += 1;
        ensure!(
            kind == 0,
            "import {module:?} {name:?} is not a function (kind {kind})"
        );
        let type_index = read_leb(body, at)?;
        let own = module.ends_with("_bg.js") && glue.contains(&format!("\"{module}\":"));
        let name = if own {
            renamed
                .entry(name.to_string())
                .or_insert_with(|| fresh.next())
                .as_str()
        } else {
            name
        };
        write_name(out, module);
        write_name(out, name);
        out.push(kind);
        write_leb(out, type_index);
        Ok(())
    })
}

fn rename_exports(
    body: &[u8],
    fresh: &mut ShortNames,
    renamed: &mut HashMap<String, String>,
) -> Result<Vec<u8>> {
    each_entry(body, "export", |body, at, out| {
        let name = read_name(body, at)?;
        let kind = *body.get(*at).context("an export without its kind")?;
        *at += 1;
        let index = read_leb(body, at)?;
        let short = fresh.next();
        renamed.insert(name.to_string(), short.clone());
        write_name(out, &short);
        out.push(kind);
        write_leb(out, index);
        Ok(())
    })
}

/// A section that is a vector of entries, written again entry by entry: `entry`
/// reads one from `body` at `at` and writes it to `out`; the count stays.
fn each_entry(
    body: &[u8],
    what: &str,
    mut entry: impl FnMut(&[u8], &mut usize, &mut Vec<u8>) -> Result<()>,
) -> Result<Vec<u8>> {
    let mut at = 0;
    let count = read_leb(body, &mut at)?;
    let mut out = Vec::with_capacity(body.len());
    write_leb(&mut out, count);
    for _ in 0..count {
        entry(body, &mut at, &mut out)?;
    }
    ensure!(at == body.len(), "bytes after the last {what}");
    Ok(out)
}

/// The glue with the new names: an import's name wherever it is a whole
/// identifier (the key of its function in the imports object), an export's
/// where the glue reads it from the instance (`wasm.<name>`).
fn rename_in_glue(
    glue: &str,
    imports: &HashMap<String, String>,
    exports: &HashMap<String, String>,
) -> Result<String> {
    let mut out = String::with_capacity(glue.len());
    let mut last = 0;
    let mut found: HashSet<&str> = HashSet::new();
    for (at, identifier) in identifiers(glue) {
        let export = read_from_instance(glue, at);
        let short = if export {
            exports.get(identifier)
        } else {
            imports.get(identifier)
        };
        if let Some(short) = short {
            if !export {
                found.insert(identifier);
            }
            out.push_str(&glue[last..at]);
            out.push_str(short);
            last = at + identifier.len();
        }
    }
    out.push_str(&glue[last..]);
    if let Some(missing) = imports.keys().find(|name| !found.contains(name.as_str())) {
        bail!("the glue does not provide the import {missing:?}");
    }
    if let Some((_, unread)) = identifiers(&out)
        .find(|&(at, name)| read_from_instance(&out, at) && exports.contains_key(name))
    {
        bail!("the glue still reads the export {unread:?}");
    }
    Ok(out)
}

/// Whether the word at `at` is read as `wasm.<word>`: the glue keeps the
/// instance's exports in a variable named `wasm`.
fn read_from_instance(glue: &str, at: usize) -> bool {
    let before = &glue[..at];
    before.strip_suffix("wasm.").is_some_and(|rest| {
        !rest
            .chars()
            .next_back()
            .is_some_and(|c| c.is_ascii_alphanumeric() || c == '_' || c == '$' || c == '.')
    })
}

/// Each identifier-like word of the glue and where it starts (strings and
/// comments included: a name found there is renamed alike, which is harmless).
fn identifiers(text: &str) -> impl Iterator<Item = (usize, &str)> {
    let word = |c: char| c.is_ascii_alphanumeric() || c == '_' || c == '$';
    let mut rest = text.char_indices().peekable();
    std::iter::from_fn(move || loop {
        let (start, c) = rest.next()?;
        if !word(c) {
            continue;
        }
        let mut end = start + c.len_utf8();
        while let Some(&(at, c)) = rest.peek() {
            if !word(c) {
                break;
            }
            end = at + c.len_utf8();
            rest.next();
        }
        if !c.is_ascii_digit() {
            return Some((start, &text[start..end]));
        }
    })
}

/// `a`…`z`, `A`…`Z`, then two characters, and so on, skipping any word the
/// glue already uses and the short keywords.
struct ShortNames<'a> {
    taken: HashSet<&'a str>,
    next: usize,
}

impl<'a> ShortNames<'a> {
    fn new(taken: HashSet<&'a str>) -> Self {
        ShortNames { taken, next: 0 }
    }

    fn next(&mut self) -> String {
        const FIRST: &[u8] = b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";
        const LATER: &[u8] = b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_";
        loop {
            let mut n = self.next;
            self.next += 1;
            let mut name = vec![FIRST[n % FIRST.len()]];
            n /= FIRST.len();
            while n > 0 {
                n -= 1;
                name.push(LATER[n % LATER.len()]);
                n /= LATER.len();
            }
            let name = String::from_utf8(name).unwrap_or_default();
            if !self.taken.contains(name.as_str()) && !matches!(name.as_str(), "do" | "if" | "in") {
                return name;
            }
        }
    }
}

fn read_leb(bytes: &[u8], at: &mut usize) -> Result<u64> {
    let mut value = 0u64;
    for shift in (0..64).step_by(7) {
        let byte = *bytes.get(*at).context("a number runs past the end")?;
        *at += 1;
        value |= u64::from(byte & 0x7f) << shift;
        if byte & 0x80 == 0 {
            return Ok(value);
        }
    }
    bail!("a number longer than 64 bits")
}

fn write_leb(out: &mut Vec<u8>, mut value: u64) {
    loop {
        let byte = (value & 0x7f) as u8;
        value >>= 7;
        if value == 0 {
            out.push(byte);
            return;
        }
        out.push(byte | 0x80);
    }
}

fn read_name<'a>(bytes: &'a [u8], at: &mut usize) -> Result<&'a str> {
    let len = read_leb(bytes, at)? as usize;
    let name = bytes
        .get(*at..*at + len)
        .context("a name runs past the end")?;
    *at += len;
    std::str::from_utf8(name).context("a name that is not UTF-8")
}

fn write_name(out: &mut Vec<u8>, name: &str) {
    write_leb(out, name.len() as u64);
    out.extend_from_slice(name.as_bytes());
}

/// A section as the binary format writes it: its id, its size, its contents.
fn write_section(out: &mut Vec<u8>, id: u8, body: &[u8]) {
    out.push(id);
    write_leb(out, body.len() as u64);
    out.extend_from_slice(body);
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A module importing one function from the glue and one from a snippet,
    /// defining one, and exporting it twice under wasm-bindgen-like names.
    fn module(import_kind: &[u8]) -> Vec<u8> {
        let mut wasm = b"\0asm\x01\0\0\0".to_vec();
        let mut section = |id: u8, body: Vec<u8>| write_section(&mut wasm, id, &body);
        section(1, vec![1, 0x60, 0, 0]);
        let mut imports = vec![2];
        write_name(&mut imports, "./app_bg.js");
        write_name(&mut imports, "__wbg_log_0123456789abcdef");
        imports.extend_from_slice(import_kind);
        write_name(&mut imports, "./snippets/app-1/inline0.js");
        write_name(&mut imports, "warm_dates");
        imports.extend_from_slice(&[0, 0]);
        section(2, imports);
        section(3, vec![1, 0]);
        let mut exports = vec![2];
        write_name(&mut exports, "main");
        exports.extend_from_slice(&[0, 2]);
        write_name(
            &mut exports,
            "wasm_bindgen_0123___convert__closures_____invoke_______true_",
        );
        exports.extend_from_slice(&[0, 2]);
        section(7, exports);
        section(10, vec![1, 2, 0, 0x0b]);
        wasm
    }

    const GLUE: &str = r#"function __wbg_get_imports() {
    const import0 = {
        __proto__: null,
        __wbg_log_0123456789abcdef: function() { console.log(a); },
    };
    return { __proto__: null, "./app_bg.js": import0, "./snippets/app-1/inline0.js": import1 };
}
function finish(a, b) { wasm.main(); notwasm.main(); wasm.wasm_bindgen_0123___convert__closures_____invoke_______true_(a, b); }
"#;

    fn names(wasm: &[u8]) -> (Vec<(String, String)>, Vec<String>) {
        let (mut imports, mut exports) = (Vec::new(), Vec::new());
        for payload in wasmparser::Parser::new(0).parse_all(wasm) {
            match payload.unwrap() {
                wasmparser::Payload::ImportSection(reader) => {
                    for import in reader.into_imports() {
                        let import = import.unwrap();
                        imports.push((import.module.to_string(), import.name.to_string()));
                    }
                }
                wasmparser::Payload::ExportSection(reader) => {
                    for export in reader {
                        exports.push(export.unwrap().name.to_string());
                    }
                }
                _ => {}
            }
        }
        (imports, exports)
    }

    #[test]
    fn the_glue_and_the_wasm_agree_on_the_short_names() {
        let (wasm, glue) = shorten(&module(&[0, 0]), GLUE).unwrap();
        wasmparser::Validator::new().validate_all(&wasm).unwrap();
        let (imports, exports) = names(&wasm);
        // `a` and `b` are the glue's own words, so the names start at `c`.
        assert_eq!(
            imports,
            [
                ("./app_bg.js".to_string(), "c".to_string()),
                (
                    "./snippets/app-1/inline0.js".to_string(),
                    "warm_dates".to_string()
                ),
            ]
        );
        assert_eq!(exports, ["d", "e"]);
        assert!(
            glue.contains("        c: function() { console.log(a); },"),
            "{glue}"
        );
        assert!(
            glue.contains("{ wasm.d(); notwasm.main(); wasm.e(a, b); }"),
            "{glue}"
        );
    }

    #[test]
    fn an_import_the_glue_does_not_provide_stops_the_build() {
        let glue = GLUE.replace("__wbg_log_0123456789abcdef", "__wbg_log_fedcba9876543210");
        let error = shorten(&module(&[0, 0]), &glue).unwrap_err();
        assert!(error.to_string().contains("does not provide"), "{error}");
    }

    #[test]
    fn an_import_other_than_a_function_stops_the_build() {
        // A memory import (limits: no maximum, one page).
        let error = shorten(&module(&[2, 0, 1]), GLUE).unwrap_err();
        assert!(error.to_string().contains("not a function"), "{error}");
    }

    #[test]
    fn only_the_sections_that_say_how_the_module_was_made_are_dropped() {
        let custom = |name: &str, payload: &[u8]| {
            let mut body = Vec::new();
            write_name(&mut body, name);
            body.extend_from_slice(payload);
            let mut section = Vec::new();
            write_section(&mut section, CUSTOM_SECTION, &body);
            section
        };
        let plain = module(&[0, 0]);
        let mut made = plain.clone();
        made.extend(custom("producers", b"\x01\x0clanguage\x01\x04Rust\x00"));
        made.extend(custom("keep_me", b"data"));
        made.extend(custom("target_features", b"\x01\x2b\x0bbulk-memory"));
        let stripped = without_metadata(&made).unwrap();
        wasmparser::Validator::new()
            .validate_all(&stripped)
            .unwrap();
        let mut expected = plain;
        expected.extend(custom("keep_me", b"data"));
        assert_eq!(stripped, expected);
        // A module without them comes back byte for byte.
        assert_eq!(without_metadata(&expected).unwrap(), expected);
    }

    #[test]
    fn short_names_skip_the_words_taken_and_the_keywords() {
        let mut names = ShortNames::new(["b", "Z"].into_iter().collect());
        let made: Vec<String> = (0..60).map(|_| names.next()).collect();
        assert_eq!(made[..2], ["a", "c"]);
        assert!(!made
            .iter()
            .any(|n| n == "b" || n == "Z" || n == "do" || n == "if" || n == "in"));
        assert_eq!(made.iter().collect::<HashSet<_>>().len(), 60, "{made:?}");
        assert!(made.iter().all(|n| n.len() <= 2));
    }
}
