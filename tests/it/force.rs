//! `--force` never deletes what ovation did not write (issue 10, item 1): a folder holding a
//! foreign `run.json` beside other files, or a result folder a user added a file to, survives
//! `run`, `sweep`, `compare`, `bench` and `graph ... --force` byte for byte, and the refusal
//! names what it found; a genuine result folder is still replaced.

use std::path::{Path, PathBuf};

use crate::support::ovation;

/// Every entry under `dir`, relative and sorted, with its bytes (folders with none).
pub fn snapshot(dir: &Path) -> Vec<(PathBuf, Vec<u8>)> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).expect("test folder is readable") {
            let path = entry.expect("test folder is readable").path();
            let rel = path.strip_prefix(dir).expect("under dir").to_path_buf();
            let meta = std::fs::symlink_metadata(&path).expect("stat");
            if meta.is_dir() {
                out.push((rel, Vec::new()));
                stack.push(path);
            } else if meta.file_type().is_symlink() {
                let target = std::fs::read_link(&path).expect("readlink");
                out.push((rel, target.to_string_lossy().as_bytes().to_vec()));
            } else {
                out.push((rel, std::fs::read(&path).expect("test file is readable")));
            }
        }
    }
    out.sort();
    out
}

/// A copy of a home folder with a `run.json` of its own.
fn home_like(dir: &Path) {
    std::fs::create_dir_all(dir.join(".ssh")).expect("mkdir");
    std::fs::create_dir_all(dir.join("Documents/taxes")).expect("mkdir");
    std::fs::write(dir.join(".ssh/id_rsa"), "-----BEGIN PRIVATE KEY-----\n").expect("write");
    std::fs::write(
        dir.join("Documents/taxes/2025.csv"),
        "year,amount\n2025,1\n",
    )
    .expect("write");
    std::fs::write(dir.join("run.json"), "{\"distance_km\": 10.5}\n").expect("write");
    std::fs::write(dir.join("summary.csv"), "mine\n").expect("write");
}

const SCENARIO: &str = r#"
name = "tiny"
seed = 3
replicates = 4
steps = 20
[graph]
generator = "theater"
rows = 4
seats = 4
[[population]]
noise = { dist = "uniform", low = -0.5, high = 0.5 }
conformity = 0.5
[model]
rule = "sop"
quality = 0.5
[output]
plots = false
[sweep.grid]
"model.quality" = [0.4, 0.6]
[strategies.base]
[strategies.better]
"model.quality" = 0.6
[compare]
baseline = "base"
headline = "final_standing"
"#;

/// Runs ovation with `args` and returns (success, stderr).
fn ovation_in(args: &[&str]) -> (bool, String) {
    let out = ovation().args(args).output().expect("ovation runs");
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn scenario(tmp: &Path) -> String {
    let p = tmp.join("s.toml");
    std::fs::write(&p, SCENARIO).expect("write scenario");
    p.to_str().expect("utf-8").to_string()
}

fn commands(s: &str, out: &str) -> Vec<Vec<String>> {
    let v = |a: &[&str]| a.iter().map(|x| (*x).to_string()).collect::<Vec<_>>();
    vec![
        v(&["run", s, "--out", out, "--force", "--quiet"]),
        v(&["sweep", s, "--out", out, "--force", "--quiet"]),
        v(&["compare", s, "--out", out, "--force", "--quiet"]),
        v(&[
            "bench",
            "--workload",
            "sop",
            "--n",
            "200",
            "--m",
            "2",
            "--reps",
            "1",
            "--threads-list",
            "1",
            "--out",
            out,
            "--force",
        ]),
    ]
}

#[test]
fn force_leaves_a_foreign_folder_byte_for_byte() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let s = scenario(tmp.path());
    let home = tmp.path().join("home");
    home_like(&home);
    let before = snapshot(&home);
    for cmd in commands(&s, home.to_str().expect("utf-8")) {
        let args: Vec<&str> = cmd.iter().map(String::as_str).collect();
        let (ok, err) = ovation_in(&args);
        assert!(!ok, "{args:?} succeeded over a foreign folder");
        assert!(!err.contains("panicked"), "{err}");
        assert!(
            err.contains(home.to_str().expect("utf-8")),
            "{args:?}: {err}"
        );
        assert_eq!(snapshot(&home), before, "{args:?} changed the folder");
    }
}

#[test]
fn force_names_a_file_added_to_a_result_folder_and_keeps_it() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let s = scenario(tmp.path());
    for (i, cmd) in commands(&s, "OUT").into_iter().enumerate() {
        let out = tmp.path().join(format!("out{i}"));
        let o = out.to_str().expect("utf-8");
        let args: Vec<String> = cmd
            .iter()
            .map(|a| if a == "OUT" { o.to_string() } else { a.clone() })
            .collect();
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        // A fresh folder, then a second --force over ovation's own files: both fine.
        let (ok, err) = ovation_in(&args);
        assert!(ok, "{args:?}: {err}");
        let (ok, err) = ovation_in(&args);
        assert!(ok, "{args:?} over its own folder: {err}");
        // The user adds notes and a folder; --force refuses, naming them, and keeps every byte.
        std::fs::write(out.join("notes.txt"), "my analysis").expect("write");
        std::fs::create_dir(out.join("drafts")).expect("mkdir");
        std::fs::write(out.join("drafts/paper.tex"), "\\section{}").expect("write");
        let before = snapshot(&out);
        let (ok, err) = ovation_in(&args);
        assert!(!ok, "{args:?} cleared a folder with a user's file");
        assert!(
            err.contains("notes.txt") && err.contains("drafts"),
            "{args:?}: {err}"
        );
        assert_eq!(snapshot(&out), before, "{args:?} changed the folder");
    }
}

/// A user's file named like a replicate, inside a sweep cell, is not ovation's either.
#[test]
fn force_refuses_a_stray_file_deep_in_a_sweep() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let s = scenario(tmp.path());
    let out = tmp.path().join("sw");
    let o = out.to_str().expect("utf-8");
    let (ok, err) = ovation_in(&["sweep", &s, "--out", o, "--quiet"]);
    assert!(ok, "{err}");
    let stray = out.join("cells/000001/replicates/keep.me");
    std::fs::write(&stray, "x").expect("write");
    let before = snapshot(&out);
    let (ok, err) = ovation_in(&["sweep", &s, "--out", o, "--force", "--quiet"]);
    assert!(!ok);
    assert!(err.contains("keep.me"), "{err}");
    assert_eq!(snapshot(&out), before);
}

#[test]
fn graph_force_replaces_only_graph_files_ovation_wrote() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let mine = tmp.path().join("mine.txt");
    std::fs::write(&mine, "my own notes, not a graph\n").expect("write");
    let m = mine.to_str().expect("utf-8");
    let edges = tmp.path().join("g.tsv");
    let e = edges.to_str().expect("utf-8");
    let gen_args = [
        "graph",
        "gen",
        "erdos_renyi",
        "--n",
        "20",
        "--p",
        "0.1",
        "--output",
        e,
    ];
    let (ok, err) = ovation_in(&gen_args);
    assert!(ok, "{err}");
    for args in [
        vec![
            "graph",
            "gen",
            "erdos_renyi",
            "--n",
            "20",
            "--p",
            "0.1",
            "--output",
            m,
            "--force",
        ],
        vec![
            "graph", "export", e, "--format", "dot", "--output", m, "--force",
        ],
        vec!["graph", "import", e, "--output", m, "--force"],
    ] {
        let (ok, err) = ovation_in(&args);
        assert!(!ok, "{args:?} overwrote a user's file");
        assert!(err.contains(m), "{err}");
        assert_eq!(
            std::fs::read_to_string(&mine).expect("read"),
            "my own notes, not a graph\n"
        );
    }
    // Files ovation wrote (an edge list, a DOT export) are replaced with --force.
    let (ok, err) = ovation_in(&[&gen_args[..], &["--force", "--seed", "9"]].concat());
    assert!(ok, "{err}");
    let dot = tmp.path().join("g.dot");
    let d = dot.to_str().expect("utf-8");
    for _ in 0..2 {
        let (ok, err) = ovation_in(&[
            "graph", "export", e, "--format", "dot", "--output", d, "--force",
        ]);
        assert!(ok, "{err}");
    }
}

/// Copies the tree `from` into `to` (files and folders).
fn copy_tree(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("mkdir");
    for entry in std::fs::read_dir(from).expect("readable") {
        let entry = entry.expect("readable");
        let target = to.join(entry.file_name());
        if entry.file_type().expect("stat").is_dir() {
            copy_tree(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).expect("copy");
        }
    }
}

/// The outermost folders under `dir` that hold a `manifest.json` (result folders ovation
/// wrote; those nested in them, like a comparison's strategies, come with them).
fn result_folders(dir: &Path, out: &mut Vec<PathBuf>) {
    if dir.join("manifest.json").is_file() {
        out.push(dir.to_path_buf());
        return;
    }
    let mut subdirs: Vec<PathBuf> = std::fs::read_dir(dir)
        .expect("readable")
        .map(|e| e.expect("readable").path())
        .filter(|p| p.is_dir())
        .collect();
    subdirs.sort();
    for d in subdirs {
        result_folders(&d, out);
    }
}

/// Every result folder shipped under `results/` can be replaced with `--force` from a fresh
/// clone: it ships its `run.json` and its ledger, and the ledger names every file in it. Checked
/// on a copy of each, with the clearing `--force` does, and end to end for the main scenario.
#[test]
fn shipped_result_folders_can_be_forced_in_a_fresh_clone() {
    let mut folders = Vec::new();
    result_folders(&crate::support::root().join("results"), &mut folders);
    let names: Vec<String> = folders
        .iter()
        .map(|f| {
            f.strip_prefix(crate::support::root())
                .expect("under root")
                .display()
                .to_string()
        })
        .collect();
    for expected in [
        "results/standing-ovation",
        "results/brand-response",
        "results/calibration/ckm-network",
        "results/validation/epidemic/sir-final-size",
    ] {
        assert!(
            names.iter().any(|n| n == expected),
            "{expected} not found in {names:?}"
        );
    }
    let tmp = tempfile::tempdir().expect("temp dir");
    for (i, folder) in folders.iter().enumerate() {
        let copy = tmp.path().join(i.to_string());
        copy_tree(folder, &copy);
        ::ovation::output::clear::clear(&copy)
            .unwrap_or_else(|e| panic!("{}: --force would refuse: {e}", names[i]));
        assert!(
            snapshot(&copy).is_empty(),
            "{}: left {:?}",
            names[i],
            snapshot(&copy)
        );
    }
    // End to end: the documented regeneration of the main scenario, on a copy.
    let copy = tmp.path().join("standing-ovation");
    copy_tree(
        &crate::support::root().join("results/standing-ovation"),
        &copy,
    );
    let out = ovation()
        .current_dir(crate::support::root())
        .args([
            "run",
            "scenarios/standing-ovation.toml",
            "--quiet",
            "--force",
        ])
        .args(["--set", "replicates=4", "--out"])
        .arg(&copy)
        .output()
        .expect("ovation runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(copy.join("summary.csv").is_file() && copy.join("run.json").is_file());
}
