//! What a first visit downloads, measured from the built files: the byte budget
//! `cargo xtask test` guards and `cargo xtask bench` reports.
use std::path::Path;

use anyhow::{Context, Result};
use serde_json::{json, Value};

/// One file as shipped: raw, gzip -9 and brotli -q 11 bytes.
pub struct Asset {
    pub path: String,
    pub raw: usize,
    pub gzip: usize,
    pub brotli: usize,
}

impl Asset {
    pub fn measure(dir: &Path, path: &str) -> Result<Asset> {
        let bytes = std::fs::read(dir.join(path.trim_start_matches('/')))
            .with_context(|| format!("reading {path} in {}", dir.display()))?;
        let (brotli, gzip) = crate::compress(&bytes)?;
        Ok(Asset {
            path: path.to_string(),
            raw: bytes.len(),
            gzip: gzip.len(),
            brotli: brotli.len(),
        })
    }

    pub fn to_json(&self) -> Value {
        json!({ "path": self.path, "raw": self.raw, "gzip": self.gzip, "brotli": self.brotli })
    }
}

/// index.html and every file it makes the browser fetch before the page is
/// ready: the paths quoted in it (`href`, `src`, the wasm's `module_or_path`),
/// apart from the account app, which `<meta name="portal-account">` names for
/// after sign-in.
pub fn first_visit(dir: &Path) -> Result<Vec<Asset>> {
    let index = std::fs::read_to_string(dir.join("index.html"))
        .with_context(|| format!("no index.html in {}: build first", dir.display()))?;
    let mut paths = vec!["/index.html".to_string()];
    for (at, _) in index.match_indices(['"', '\'']) {
        let rest = &index[at + 1..];
        if !rest.starts_with('/') || rest.starts_with("//") {
            continue;
        }
        let end = rest.find(['"', '\'']).unwrap_or(0);
        let path = &rest[..end];
        let is_file = !path.is_empty()
            && !path.contains(char::is_whitespace)
            && dir.join(path.trim_start_matches('/')).is_file();
        let for_later = index[..at].ends_with("name=\"portal-account\" content=");
        if is_file && !for_later && !paths.iter().any(|p| p == path) {
            paths.push(path.to_string());
        }
    }
    paths.iter().map(|path| Asset::measure(dir, path)).collect()
}

/// The account app's files, named by the meta tag the sign-in app reads.
pub fn account_app(dir: &Path) -> Result<Vec<Asset>> {
    let index = std::fs::read_to_string(dir.join("index.html"))?;
    let marker = "name=\"portal-account\" content=\"";
    let at = index
        .find(marker)
        .context("dist/index.html names no account app")?;
    let rest = &index[at + marker.len()..];
    let js = &rest[..rest.find('"').unwrap_or(0)];
    let wasm = js.replace(".js", "_bg.wasm");
    Ok(vec![Asset::measure(dir, js)?, Asset::measure(dir, &wasm)?])
}

pub fn total(assets: &[Asset], size: impl Fn(&Asset) -> usize) -> usize {
    assets.iter().map(size).sum()
}

/// The committed first-visit budget (`size-budget.json` at the root).
pub struct Budget {
    pub brotli: usize,
    pub slack_percent: usize,
    pub target: usize,
}

impl Budget {
    pub fn read(root: &Path) -> Result<Budget> {
        let text = std::fs::read_to_string(root.join("size-budget.json"))
            .context("reading size-budget.json")?;
        let value: Value = serde_json::from_str(&text).context("size-budget.json is not JSON")?;
        let field = |name: &str| {
            value[name]
                .as_u64()
                .and_then(|n| usize::try_from(n).ok())
                .with_context(|| format!("size-budget.json: `{name}` must be a whole number"))
        };
        Ok(Budget {
            brotli: field("firstVisitBrotli")?,
            slack_percent: field("slackPercent")?,
            target: field("targetBrotli")?,
        })
    }

    pub fn limit(&self) -> usize {
        self.brotli + self.brotli * self.slack_percent / 100
    }
}

/// What embed.js may weigh, brotli (issue 12: at most 2 KB).
const EMBED_JS_BROTLI: u64 = 2048;

/// Fails when the first visit grew past the committed figure and its slack, or
/// past the target (issue 9's 80 KB).
pub fn guard(root: &Path) -> Result<()> {
    let budget = Budget::read(root)?;
    let assets = first_visit(&root.join("dist"))?;
    let brotli = total(&assets, |a| a.brotli);
    for asset in &assets {
        eprintln!("  {:>8} B brotli  {}", asset.brotli, asset.path);
    }
    eprintln!(
        "  first visit: {brotli} B brotli; committed {} B (+{}% = {} B); target {} B",
        budget.brotli,
        budget.slack_percent,
        budget.limit(),
        budget.target
    );
    anyhow::ensure!(
        brotli <= budget.limit(),
        "the first visit is {brotli} B brotli, over the committed {} B + {}% ({} B). \
         Find what grew (BENCHMARKS.md shows each asset) or, if the growth is worth it, \
         raise firstVisitBrotli in size-budget.json in the same commit and say why.",
        budget.brotli,
        budget.slack_percent,
        budget.limit()
    );
    // embed.js is loaded by every page of a merchant that embeds the portal.
    let embed = root.join("dist/embed.js.br");
    let embed_brotli = std::fs::metadata(&embed)
        .with_context(|| format!("{} (built by `cargo xtask build`)", embed.display()))?
        .len();
    eprintln!("  embed.js: {embed_brotli} B brotli; limit {EMBED_JS_BROTLI} B");
    anyhow::ensure!(
        embed_brotli <= EMBED_JS_BROTLI,
        "embed.js is {embed_brotli} B brotli, over its {EMBED_JS_BROTLI} B limit"
    );
    // Issue 9's budget: whatever the committed figure says, never past it.
    anyhow::ensure!(
        brotli <= budget.target,
        "the first visit is {brotli} B brotli, over issue 9's budget of {} B",
        budget.target
    );
    Ok(())
}
