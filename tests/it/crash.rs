//! Crash tests (issue 10): a `sweep` and a `compare` killed with SIGKILL at seeded random
//! points, several times, then resumed, give folders byte-identical to uninterrupted runs:
//! every file, the ledgers and `run.json` included, and the manifests too once the fields that
//! record when and how the job ran (`started`, `finished`, `resumed_replicates`) are set aside
//! (and `report.html`, which shows them, with its digits masked).

use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::Instant;

use crate::support::{folder_contents, mask_times, ovation};

const SCENARIO: &str = r#"
name = "crash"
seed = 17
replicates = 30
steps = 40
[graph]
generator = "theater"
rows = 60
seats = 60
cone = 2
[[population]]
noise = { dist = "uniform", low = -0.5, high = 0.5 }
conformity = { dist = "uniform", low = 0.3, high = 0.7 }
[model]
rule = "sop"
quality = 0.5
[sweep.grid]
"model.quality" = [0.45, 0.55]
[strategies.base]
[strategies.better]
"model.quality" = 0.55
[compare]
baseline = "base"
headline = "final_standing"
"#;

/// Every file under `dir`, manifests without their run-time fields, the report with its time
/// stamps masked and, since its numbers all come from the files compared byte for byte here,
/// its digits too (its text and structure are compared).
fn contents(dir: &Path) -> Vec<(PathBuf, Vec<u8>)> {
    folder_contents(
        dir,
        &["started", "finished", "resumed_replicates"],
        |report| {
            mask_times(&without_resumed(report))
                .bytes()
                .map(|c| if c.is_ascii_digit() { b'0' } else { c })
                .collect()
        },
    )
}

/// The report of a resumed job says so ("resumed: N replicates were found on disk"): that
/// entry is about how the job ran, not about its results, so it is left out of the comparison.
fn without_resumed(text: &str) -> String {
    match text.find("<dt>resumed</dt>") {
        Some(start) => match text[start..].find("</dd>") {
            Some(len) => format!("{}{}", &text[..start], &text[start + len + "</dd>".len()..]),
            None => text.to_string(),
        },
        None => text.to_string(),
    }
}

/// A small seeded generator for the kill times (not a simulation draw).
struct Lcg(u64);

impl Lcg {
    fn next_unit(&mut self) -> f64 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        (self.0 >> 11) as f64 / (1u64 << 53) as f64
    }
}

/// Runs `command` to the end in `whole`, then kills it at seeded random points in `cut` (the
/// first start plain, then `--resume`), and resumes until done; the folders must match.
fn killed_and_resumed_matches(command: &str, seed: u64) {
    let tmp = tempfile::tempdir().expect("temp dir");
    let s = tmp.path().join("s.toml");
    std::fs::write(&s, SCENARIO).expect("write");
    let s = s.to_str().expect("utf-8");
    let whole = tmp.path().join("whole");
    let cut = tmp.path().join("cut");
    let args = |out: &Path, resume: bool| {
        let mut a = vec![
            "--threads".to_string(),
            "1".into(),
            command.into(),
            s.into(),
            "--out".into(),
            out.to_str().expect("utf-8").into(),
            "--quiet".into(),
        ];
        if resume {
            a.push("--resume".into());
        }
        a
    };
    let start = Instant::now();
    let done = ovation().args(args(&whole, false)).output().expect("runs");
    assert!(
        done.status.success(),
        "{}",
        String::from_utf8_lossy(&done.stderr)
    );
    let full = start.elapsed();

    let mut rng = Lcg(seed);
    // Kills that landed once the folder had been started (`run.json` written): those are the
    // ones that cut a run part-way. Each start is killed after 5-35% of the uninterrupted
    // run's time and the starts go on until three such kills have landed, so that the test
    // holds whatever this machine's load does between the runs: a kill can come before the
    // folder exists (a slow start) or a resumed start can finish before its kill (a faster
    // machine); a start that finishes on its own has completed the folder.
    let mut kills = 0;
    for _ in 0..12 {
        let started = cut.join("run.json").exists();
        let mut child = ovation()
            .args(args(&cut, started))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("starts");
        std::thread::sleep(full.mul_f64(0.05 + 0.3 * rng.next_unit()));
        let finished = child.try_wait().expect("wait").is_some();
        if !finished {
            child.kill().expect("SIGKILL");
        }
        child.wait().expect("reaped");
        if !finished && cut.join("run.json").exists() {
            kills += 1;
        }
        if finished || kills == 3 {
            break;
        }
    }
    assert!(
        kills >= 2,
        "only {kills} kills landed part-way before the end"
    );
    let out = ovation().args(args(&cut, true)).output().expect("runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let (a, b) = (contents(&whole), contents(&cut));
    let names = |v: &[(PathBuf, Vec<u8>)]| v.iter().map(|(p, _)| p.clone()).collect::<Vec<_>>();
    assert_eq!(names(&a), names(&b), "{command}: different files");
    for ((p, x), (_, y)) in a.iter().zip(&b) {
        assert!(
            x == y,
            "{command}: {} differs after {kills} kills",
            p.display()
        );
    }
}

#[test]
fn a_sweep_killed_several_times_resumes_to_the_same_folder() {
    killed_and_resumed_matches("sweep", 11);
}

#[test]
fn a_comparison_killed_several_times_resumes_to_the_same_folder() {
    killed_and_resumed_matches("compare", 12);
}
