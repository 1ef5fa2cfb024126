//! `cargo xtask fuzz-api`: schemathesis, every check, against the OpenAPI
//! description a running release server publishes, signed in as the demo
//! customer so the session routes are exercised too.
use anyhow::{Context, Result};

use crate::bench::Served;
use crate::{run, run_step, step, Outcome, Tools};

const SCHEMATHESIS_VERSION: &str = "4.32.5";
const VENV: &str = "target/tools/api-fuzz";

pub fn fuzz_api(tools: &Tools, examples: u32) -> Result<()> {
    let venv = tools.root.join(VENV);
    let st = venv.join("bin/st");
    step(
        &format!("schemathesis {SCHEMATHESIS_VERSION} (PyPI, in {VENV})"),
        || {
            if tools
                .version_of(st.to_str().context("UTF-8 path")?)
                .is_some_and(|v| v.contains(SCHEMATHESIS_VERSION))
            {
                return Ok(Outcome::Present);
            }
            run(tools.command("python3").args(["-m", "venv"]).arg(&venv))?;
            run(tools
                .command(venv.join("bin/pip").to_str().context("UTF-8 path")?)
                .args([
                    "install",
                    "--quiet",
                    &format!("schemathesis=={SCHEMATHESIS_VERSION}"),
                ]))?;
            Ok(Outcome::Done)
        },
    )?;
    crate::build_release(tools, &["portal-server"])?;
    let served = Served::start(
        &tools.root.join("target/release/portal-server"),
        &tools.root.join("dist"),
    )?;
    let token = sign_in(tools, &venv, &served.base)?;
    let report = tools.root.join("target/fuzz-api");
    std::fs::create_dir_all(&report)?;
    run_step(
        &format!("schemathesis run, all checks, {examples} examples an operation"),
        tools
            .command(st.to_str().context("UTF-8 path")?)
            .arg("--config-file")
            .arg(tools.root.join("server/api-fuzz/schemathesis.toml"))
            .arg("run")
            .arg(format!("{}/openapi.json", served.base))
            .args(["--url", &served.base])
            .args(["--checks", "all"])
            .args(["--max-examples", &examples.to_string()])
            .args(["--header", &format!("x-portal-session: {token}")])
            .args(["--report", "junit", "--report-dir"])
            .arg(&report)
            .arg("--no-color"),
    )?;
    eprintln!("xtask: report in {}", report.display());
    Ok(())
}

/// The demo customer's session, through the API as the app gets one.
fn sign_in(tools: &Tools, venv: &std::path::Path, base: &str) -> Result<String> {
    let script = r#"
import json, sys, time, urllib.request
base, email = sys.argv[1], "ada@example.com"
def post(path, body):
    request = urllib.request.Request(base + path, json.dumps(body).encode(),
                                     {"content-type": "application/json"})
    return json.load(urllib.request.urlopen(request))
post("/portal/email/start", {"email": email})
for _ in range(100):
    mails = [m for m in json.load(urllib.request.urlopen(base + "/dev/outbox"))["items"] if m["to"] == email]
    if mails:
        break
    time.sleep(0.05)
print(post("/portal/email/verify", {"email": email, "code": mails[0]["code"]})["sessionToken"])
"#;
    let output = tools
        .command(venv.join("bin/python").to_str().context("UTF-8 path")?)
        .args(["-c", script, base])
        .output()?;
    anyhow::ensure!(
        output.status.success(),
        "signing in the demo customer failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    Ok(String::from_utf8_lossy(&output.stdout).trim().to_string())
}
