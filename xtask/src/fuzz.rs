//! `cargo xtask fuzz`: libFuzzer (cargo-fuzz, on the pinned nightly) on the
//! parsers every outside input meets first, seeded with the JSON vectors.
use std::path::Path;

use anyhow::{Context, Result};
use serde_json::Value;

use crate::{run_step, step, Outcome, Tools, WASM_NIGHTLY};

const CARGO_FUZZ_VERSION: &str = "0.13.2";

/// Each target and the vector file whose inputs seed its corpus.
const TARGETS: [(&str, &str); 4] = [
    ("email", "core/tests/vectors/emails.json"),
    ("code", "core/tests/vectors/codes.json"),
    ("link_token", "core/tests/vectors/emails.json"),
    ("models", "core/tests/vectors/verify_example.json"),
];

pub fn fuzz(tools: &Tools, seconds: u64) -> Result<()> {
    tools.setup_build()?;
    step(&format!("cargo-fuzz {CARGO_FUZZ_VERSION}"), || {
        let mut version = tools.command("cargo");
        version.args(["fuzz", "--version"]);
        let output = version.output().ok();
        if output.is_some_and(|o| {
            String::from_utf8_lossy(&o.stdout).contains(&format!("cargo-fuzz {CARGO_FUZZ_VERSION}"))
        }) {
            return Ok(Outcome::Present);
        }
        tools.cargo_install("cargo-fuzz", CARGO_FUZZ_VERSION, true)?;
        Ok(Outcome::Done)
    })?;
    for (target, vectors) in TARGETS {
        let corpus = tools.root.join("fuzz/corpus").join(target);
        seed(&tools.root.join(vectors), &corpus)?;
        run_step(
            &format!("fuzz {target} for {seconds} s (crashes go to fuzz/artifacts/{target}/)"),
            tools
                .command("cargo")
                .env("RUSTUP_TOOLCHAIN", WASM_NIGHTLY)
                .args(["fuzz", "run", target])
                .arg(&corpus)
                .arg("--")
                .arg(format!("-max_total_time={seconds}")),
        )?;
    }
    Ok(())
}

/// Writes each vector's `input` (or, for a file of one answer, the whole file
/// after the byte that names its model)
/// into the corpus, so the fuzzer starts from what real inputs look like.
fn seed(vectors: &Path, corpus: &Path) -> Result<()> {
    std::fs::create_dir_all(corpus)?;
    let text = std::fs::read_to_string(vectors)
        .with_context(|| format!("reading {}", vectors.display()))?;
    let value: Value = serde_json::from_str(&text)?;
    let inputs: Vec<Vec<u8>> = match &value {
        Value::Array(cases) => cases
            .iter()
            .filter_map(|case| case["input"].as_str())
            .map(|input| input.as_bytes().to_vec())
            .collect(),
        // One answer: `models` picks the model by the first byte (4: VerifyResponse).
        _ => vec![[&[4u8][..], text.as_bytes()].concat()],
    };
    for (index, input) in inputs.iter().enumerate() {
        std::fs::write(corpus.join(format!("vector-{index}")), input)?;
    }
    Ok(())
}
