//! Handles where agent ids are accepted (issue 12, item 5): `seeding.nodes = ["@name", 42]`
//! and `brand.node = "@name"` run exactly as the same accounts named by dense id, and an
//! unknown handle is refused naming it and the closest account.

use std::path::Path;

use crate::support::ovation;

/// A string-labelled edge list: `hub` (dense id 0) followed by everyone, then a chain.
fn edge_list(dir: &Path) {
    let mut text = String::new();
    for i in 0..40 {
        text.push_str(&format!("hub user{i}\n"));
    }
    for i in 0..39 {
        text.push_str(&format!("user{i} user{}\n", i + 1));
    }
    std::fs::write(dir.join("g.txt"), text).expect("write graph");
}

fn scenario(seeds: &str, brand: &str) -> String {
    format!(
        r#"name = "handles"
seed = 4
replicates = 6
steps = 12
[graph]
file = "g.txt"
follows = "second-follows-first"
[[population]]
noise = {{ dist = "normal", mean = 0.0, sd = 0.5 }}
threshold = 0.6
complaint = -0.3
conformity = {{ dist = "uniform", low = 0.2, high = 0.7 }}
[model]
rule = "sop"
quality = -0.1
[seeding]
method = "nodes"
nodes = {seeds}
[brand]
node = {brand}
channel = "broadcast"
listening = 0.8
delay = 1
"#
    )
}

/// Runs `text` in `dir`; returns (success, stderr).
fn run(dir: &Path, name: &str, text: &str) -> (bool, String) {
    let path = dir.join(format!("{name}.toml"));
    std::fs::write(&path, text).expect("write scenario");
    let out = ovation()
        .args(["run", "--quiet", "--out"])
        .arg(dir.join(name))
        .arg(&path)
        .output()
        .expect("ovation runs");
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn handles_run_as_the_same_accounts_by_id() {
    let tmp = tempfile::tempdir().expect("tempdir");
    edge_list(tmp.path());
    // String ids are numbered in order of first appearance: hub 0, user0 1, user1 2, ...
    let (ok, err) = run(tmp.path(), "ids", &scenario("[3, 5]", "0"));
    assert!(ok, "{err}");
    let (ok, err) = run(
        tmp.path(),
        "handles",
        &scenario(r#"["@user2", 5]"#, r#""@hub""#),
    );
    assert!(ok, "{err}");
    for file in ["summary.csv", "seeds.csv", "steps.csv"] {
        let a = std::fs::read(tmp.path().join("ids").join(file)).expect(file);
        let b = std::fs::read(tmp.path().join("handles").join(file)).expect(file);
        assert_eq!(a, b, "{file}");
    }
    let seeds = std::fs::read_to_string(tmp.path().join("handles/seeds.csv")).expect("seeds");
    assert!(seeds.contains(",3,user2,"), "{seeds}");
    // Handles ignore case when one account matches.
    let (ok, err) = run(tmp.path(), "case", &scenario(r#"["@USER2"]"#, r#""@Hub""#));
    assert!(ok, "{err}");
}

#[test]
fn an_unknown_handle_names_the_closest_account() {
    let tmp = tempfile::tempdir().expect("tempdir");
    edge_list(tmp.path());
    let (ok, err) = run(tmp.path(), "a", &scenario(r#"[1, "@usr7"]"#, "0"));
    assert!(!ok);
    assert!(
        err.contains("seeding.nodes[1]: unknown handle `@usr7`; the closest account is `@user7`"),
        "{err}"
    );
    let (ok, err) = run(tmp.path(), "b", &scenario("[1]", r#""@hubb""#));
    assert!(!ok);
    assert!(
        err.contains("brand.node: unknown handle `@hubb`; the closest account is `@hub`"),
        "{err}"
    );
    let (ok, err) = run(tmp.path(), "c", &scenario(r#"["user7"]"#, "0"));
    assert!(!ok);
    assert!(
        err.contains("expected an agent id (a non-negative integer) or a handle like \"@name\", found \"user7\""),
        "{err}"
    );
}
