//! `report.html` in a run folder: self-contained (plots inlined, no script, no external
//! resource), rebuilt identically by `ovation report`, and, when Chromium is installed, clean in
//! a headless browser (scripts/report_browser_check.py: no console error, no network request).

use std::path::PathBuf;
use std::process::Command;

fn ovation() -> Command {
    Command::new(env!("CARGO_BIN_EXE_ovation"))
}

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn has_chromium() -> bool {
    Command::new("chromium")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success())
}

#[test]
fn run_folder_report_is_self_contained() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let out = tmp.path().join("so");
    let o = ovation()
        .arg("run")
        .arg(root().join("scenarios/standing-ovation.toml"))
        .args(["--set", "replicates=6", "--quiet", "--out"])
        .arg(&out)
        .output()
        .expect("runs");
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let html = std::fs::read_to_string(out.join("report.html")).expect("report.html");
    assert!(html.starts_with("<!DOCTYPE html>"));
    assert!(html.contains("<h1>standing-ovation</h1>"));
    assert!(html.contains("Over 6 replicates, the final share standing is"));
    // shares, final_standing and seat_map, each inlined.
    assert_eq!(html.matches("src=\"data:image/png;base64,").count(), 3);
    assert!(!html.contains("<script") && !html.contains("<link"));
    assert!(!html.contains("http://") && !html.contains("https://"));
    assert!(html.contains("@media print"));
    assert!(html.contains("20040501"), "the seed is shown");
    // What was assumed, with the defaults filled in, and a glossary of the measures shown.
    assert!(html.contains("<h2>What was assumed</h2>"));
    assert!(html.contains("<code>stop_at_fixed_point</code>"));
    assert!(html.contains("<h2>Glossary</h2>"));
    assert!(html.contains("<code>information_efficiency</code>: share of agents whose final"));

    let before = std::fs::read(out.join("report.html")).expect("report");
    let o = ovation()
        .args(["report", "--quiet"])
        .arg(&out)
        .output()
        .expect("runs");
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert_eq!(
        std::fs::read(out.join("report.html")).expect("report"),
        before
    );

    // A folder without a manifest is refused with the file named.
    let o = ovation()
        .arg("report")
        .arg(tmp.path())
        .output()
        .expect("runs");
    assert_eq!(o.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&o.stderr).contains("manifest.json"));

    if has_chromium() {
        let o = Command::new("python3")
            .arg(root().join("scripts/report_browser_check.py"))
            .arg(out.join("report.html"))
            .output()
            .expect("python3 runs");
        assert!(
            o.status.success(),
            "browser check: {}{}",
            String::from_utf8_lossy(&o.stdout),
            String::from_utf8_lossy(&o.stderr)
        );
    } else {
        eprintln!("chromium not installed: browser check left to scripts/report_browser_check.sh");
    }
}
