//! `classes.csv` (issue 12, item 4): tidy measures by population class, which the shipped
//! two-population scenario needs. The class shares, weighted by the classes' sizes, give back
//! the whole population's shares of `summary.csv` (counted by the engine's tallies, not by the
//! per-agent pass that makes `classes.csv`). `agents.csv` (item 4 too): one row per replicate
//! and agent, adding up to `classes.csv` and the graph, refused beyond its size limit.

use crate::support::{ovation, root};

#[test]
fn classes_csv_splits_the_summary_by_class() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let out = tmp.path().join("two");
    let status = ovation()
        .current_dir(root())
        .args(["run", "--quiet", "--set", "replicates=10", "--out"])
        .arg(&out)
        .arg("scenarios/two-populations.toml")
        .status()
        .expect("runs");
    assert!(status.success());
    let text = std::fs::read_to_string(out.join("classes.csv")).expect("classes.csv");
    let mut lines = text.lines();
    assert_eq!(lines.next(), Some("replicate,class,measure,value"));
    let rows: Vec<Vec<&str>> = lines.map(|l| l.split(',').collect()).collect();
    assert_eq!(
        rows.len(),
        10 * 2 * 6,
        "10 replicates x 2 classes x 6 measures"
    );
    let value = |r: &str, class: &str, m: &str| -> f64 {
        rows.iter()
            .find(|row| row[0] == r && row[1] == class && row[2] == m)
            .unwrap_or_else(|| panic!("{r} {class} {m}"))[3]
            .parse()
            .expect("a number")
    };
    let summary = std::fs::read_to_string(out.join("summary.csv")).expect("summary.csv");
    let mut lines = summary.lines();
    let header: Vec<&str> = lines.next().expect("header").split(',').collect();
    let col = |name: &str| header.iter().position(|h| *h == name).expect(name);
    for line in lines {
        let f: Vec<&str> = line.split(',').collect();
        let r = f[0];
        // The shares: 30% critics, 70% fans of 2000 agents, assigned exactly.
        assert_eq!(value(r, "critics", "agents"), 600.0);
        assert_eq!(value(r, "fans", "agents"), 1400.0);
        for m in [
            "initial_standing",
            "final_standing",
            "final_sitting",
            "final_booing",
        ] {
            let whole: f64 = f[col(m)].parse().expect("a number");
            let by_class = (600.0 * value(r, "critics", m) + 1400.0 * value(r, "fans", m)) / 2000.0;
            // Both are counts over 2000 agents; only rounding of the two divisions differs.
            assert!(
                (whole - by_class).abs() < 1e-12,
                "{r} {m}: {whole} vs {by_class}"
            );
        }
        let changed = value(r, "fans", "changed");
        assert!((0.0..=1.0).contains(&changed));
    }
}

/// Runs `args` (a scenario and overrides) into a fresh folder and returns it with its tempdir.
fn run_into(args: &[&str]) -> (tempfile::TempDir, std::path::PathBuf) {
    let tmp = tempfile::tempdir().expect("tempdir");
    let out = tmp.path().join("run");
    let done = ovation()
        .current_dir(root())
        .args(["run", "--quiet", "--out"])
        .arg(&out)
        .args(args)
        .output()
        .expect("runs");
    assert!(
        done.status.success(),
        "{}",
        String::from_utf8_lossy(&done.stderr)
    );
    (tmp, out)
}

/// `agents.csv` as rows of fields, after checking its header.
fn agents_rows(out: &std::path::Path) -> Vec<Vec<String>> {
    let mut reader = csv::Reader::from_path(out.join("agents.csv")).expect("agents.csv");
    let header: Vec<String> = reader
        .headers()
        .expect("header")
        .iter()
        .map(str::to_string)
        .collect();
    assert_eq!(
        header,
        [
            "replicate",
            "id",
            "label",
            "class",
            "followers",
            "action",
            "sentiment",
            "complained",
            "answered",
            "seeded"
        ]
    );
    reader
        .records()
        .map(|r| r.expect("a row").iter().map(str::to_string).collect())
        .collect()
}

#[test]
fn agents_csv_adds_up_to_classes_csv_and_the_graph() {
    // The shipped two-population scenario asks for agents.csv.
    let (_tmp, out) = run_into(&["--set", "replicates=3", "scenarios/two-populations.toml"]);
    let rows = agents_rows(&out);
    assert_eq!(rows.len(), 3 * 2000, "3 replicates x 2000 agents");
    let classes = std::fs::read_to_string(out.join("classes.csv")).expect("classes.csv");
    let class_value = |r: &str, class: &str, m: &str| -> f64 {
        classes
            .lines()
            .map(|l| l.split(',').collect::<Vec<_>>())
            .find(|f| f[0] == r && f[1] == class && f[2] == m)
            .unwrap_or_else(|| panic!("{r} {class} {m}"))[3]
            .parse()
            .expect("a number")
    };
    let manifest: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(out.join("manifest.json")).expect("manifest"),
    )
    .expect("json");
    let edges = manifest["graph"]["edges"].as_u64().expect("edges");
    for r in 0..3 {
        let mine: Vec<&Vec<String>> = rows.iter().filter(|f| f[0] == r.to_string()).collect();
        assert_eq!(mine.len(), 2000);
        let mut followers = 0u64;
        for (i, f) in mine.iter().enumerate() {
            // Dense ids in order; a generated graph's label is the id.
            assert_eq!(
                (f[1].as_str(), f[2].as_str()),
                (&*i.to_string(), &*i.to_string())
            );
            followers += f[4].parse::<u64>().expect("followers");
            // No sentiment rule, no brand, no seeding: empty, empty, false.
            assert_eq!(
                (f[6].as_str(), f[8].as_str(), f[9].as_str()),
                ("", "", "FALSE")
            );
            // An agent booing at the end complained.
            if f[5] == "boo" {
                assert_eq!(f[7], "TRUE");
            }
        }
        // Every follower edge counted once, at the agent followed.
        assert_eq!(followers, edges);
        // Per class, the counts of final actions give classes.csv's shares exactly.
        for (class, n) in [("critics", 600.0), ("fans", 1400.0)] {
            let of: Vec<&&Vec<String>> = mine.iter().filter(|f| f[3] == class).collect();
            assert_eq!(of.len() as f64, n);
            for (action, m) in [
                ("sit", "final_sitting"),
                ("stand", "final_standing"),
                ("boo", "final_booing"),
            ] {
                let k = of.iter().filter(|f| f[5] == action).count() as f64;
                assert_eq!(
                    k / n,
                    class_value(&r.to_string(), class, m),
                    "{r} {class} {m}"
                );
            }
        }
    }
}

#[test]
fn agents_csv_beyond_its_limit_is_refused_before_anything_is_written() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let out = tmp.path().join("big");
    let done = ovation()
        .current_dir(root())
        .args(["run", "--quiet", "--set", "replicates=501", "--out"])
        .arg(&out)
        .arg("scenarios/two-populations.toml")
        .output()
        .expect("runs");
    assert!(!done.status.success());
    let err = String::from_utf8_lossy(&done.stderr);
    assert!(
        err.contains("scenarios/two-populations.toml: output.agents: agents.csv would have 1002000 rows (2000 agents x 501 replicates), more than the limit of 1000000"),
        "{err}"
    );
    assert!(!out.exists(), "nothing is written");
}

#[test]
fn agents_csv_of_a_webcare_run_agrees_with_its_summary() {
    // A sentiment run with a care account, asked for with --agents.
    let (_tmp, out) = run_into(&[
        "--agents",
        "--set",
        "replicates=2",
        "scenarios/brand-response.toml",
    ]);
    let rows = agents_rows(&out);
    let summary = std::fs::read_to_string(out.join("summary.csv")).expect("summary.csv");
    let mut lines = summary.lines();
    let header: Vec<&str> = lines.next().expect("header").split(',').collect();
    let col = |name: &str| header.iter().position(|h| *h == name).expect(name);
    for line in lines {
        let f: Vec<&str> = line.split(',').collect();
        let mine: Vec<&Vec<String>> = rows.iter().filter(|a| a[0] == f[0]).collect();
        let yes = |a: &Vec<String>, c: usize| a[c] == "TRUE";
        let complained = mine.iter().filter(|a| yes(a, 7)).count();
        let answered = mine.iter().filter(|a| yes(a, 8)).count();
        // The webcare measures count the same agents: complainers, and the share of them
        // answered (the same division of the same counts).
        assert_eq!(
            complained as f64,
            f[col("complainers")].parse::<f64>().expect("n")
        );
        assert_eq!(
            answered as f64 / complained as f64,
            f[col("share_answered")].parse::<f64>().expect("share")
        );
        assert!(
            mine.iter().all(|a| !yes(a, 8) || yes(a, 7)),
            "answered => complained"
        );
        // Every agent feels something but the care account (a frozen brand account).
        assert_eq!(mine.iter().filter(|a| a[6].is_empty()).count(), 1);
        assert!(mine.iter().all(|a| a[8] == "TRUE" || a[8] == "FALSE"));
    }
}
