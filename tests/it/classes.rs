//! `classes.csv` (issue 12, item 4): tidy measures by population class, which the shipped
//! two-population scenario needs. The class shares, weighted by the classes' sizes, give back
//! the whole population's shares of `summary.csv` (counted by the engine's tallies, not by the
//! per-agent pass that makes `classes.csv`).

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
