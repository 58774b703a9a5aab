//! `ovation compare` end to end: common random numbers (identical strategies differ by exactly
//! zero; the paired interval is narrower than the unpaired one), byte-identical files for 1
//! and 2 threads, the headline agreeing with stats.json, the report, and precise `validate`
//! errors for bad strategies.

use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;

fn ovation() -> Command {
    Command::new(env!("CARGO_BIN_EXE_ovation"))
}

/// A Standing Ovation theater with three strategies: the base, an identical copy (quality set
/// to the value it already has) and a better show.
const SCENARIO: &str = r#"
name = "crn-check"
description = "Common random numbers on the SOP theater"
seed = 11
replicates = 24
steps = 60

[graph]
generator = "theater"
rows = 16
seats = 16
cone = 1

[[population]]
noise = { dist = "uniform", low = -0.5, high = 0.5 }
threshold = 0.5
conformity = 0.5

[model]
rule = "sop"
quality = 0.5
tie = "coin"

[strategies.base]
[strategies.copy]
"model.quality" = 0.5
[strategies.better_show]
"model.quality" = 0.56

[compare]
baseline = "base"
question = "Does a slightly better show raise the final standing share?"
headline = "final_standing"
"#;

fn write_scenario(dir: &Path, text: &str) -> PathBuf {
    let p = dir.join("s.toml");
    std::fs::write(&p, text).expect("write scenario");
    p
}

fn compare(scenario: &Path, out: &Path, extra: &[&str]) {
    let o = ovation()
        .args(extra)
        .arg("compare")
        .arg(scenario)
        .arg("--out")
        .arg(out)
        .arg("--quiet")
        .output()
        .expect("ovation runs");
    assert!(
        o.status.success(),
        "ovation compare: {}",
        String::from_utf8_lossy(&o.stderr)
    );
}

fn json(path: &Path) -> Value {
    serde_json::from_slice(&std::fs::read(path).expect("read")).expect("json")
}

/// The `differences` entry of `strategy` and `measure` in stats.json.
fn diff<'a>(stats: &'a Value, strategy: &str, measure: &str) -> &'a Value {
    stats["differences"]
        .as_array()
        .expect("differences")
        .iter()
        .find(|d| d["strategy"] == strategy && d["measure"] == measure)
        .expect("difference row")
}

#[test]
fn common_random_numbers_pair_the_strategies() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let s = write_scenario(tmp.path(), SCENARIO);
    let out = tmp.path().join("out");
    compare(&s, &out, &["--threads", "2"]);
    let stats = json(&out.join("stats.json"));

    // Identical strategies: every replicate is the same run, so every paired difference is
    // exactly 0 with the interval [0, 0], while the unpaired interval is not.
    for m in stats["measures"].as_array().expect("measures") {
        let d = diff(&stats, "copy", m.as_str().expect("name"));
        assert_eq!(d["paired"]["mean"], 0.0, "{m}");
        assert_eq!(d["paired"]["ci_low"], 0.0, "{m}");
        assert_eq!(d["paired"]["ci_high"], 0.0, "{m}");
    }
    let u = &diff(&stats, "copy", "final_standing")["unpaired"];
    assert!(u["ci_low"].as_f64().expect("low") < 0.0);
    assert!(u["ci_high"].as_f64().expect("high") > 0.0);

    // A better show: the same signals shifted up, so the final standing shares of the two
    // strategies move together across replicates and the paired interval is narrower.
    let d = diff(&stats, "better_show", "final_standing");
    let width = |s: &Value| s["ci_high"].as_f64().expect("hi") - s["ci_low"].as_f64().expect("lo");
    let (paired, unpaired) = (width(&d["paired"]), width(&d["unpaired"]));
    assert!(
        paired < 0.8 * unpaired,
        "paired width {paired} not clearly narrower than unpaired {unpaired}"
    );

    // The differences table says the same as stats.json.
    let csv = std::fs::read_to_string(out.join("differences.csv")).expect("csv");
    let row = csv
        .lines()
        .find(|l| l.starts_with("copy,base,final_standing,"))
        .expect("row");
    assert!(
        row.starts_with("copy,base,final_standing,24,0,0,0,0,"),
        "{row}"
    );
}

#[test]
fn headline_agrees_with_stats_json_and_the_report() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let s = write_scenario(tmp.path(), SCENARIO);
    let out = tmp.path().join("out");
    compare(&s, &out, &[]);
    let stats = json(&out.join("stats.json"));
    let h = &stats["headline"];
    assert_eq!(h["measure"], "final_standing");
    assert_eq!(h["goal"], "higher");
    assert_eq!(h["baseline"], "base");
    // The headline strategy is the best ranked one other than the baseline.
    let first_other = stats["ranking"]
        .as_array()
        .expect("ranking")
        .iter()
        .find(|r| r["strategy"] != "base")
        .expect("a strategy");
    assert_eq!(h["strategy"], first_other["strategy"]);
    assert_eq!(h["strategy"], "better_show");
    // Its numbers are the paired difference of stats.json, and the sentence shows them.
    let d = &diff(&stats, "better_show", "final_standing")["paired"];
    assert_eq!(&h["difference"], d);
    let (mean, lo, hi) = (
        d["mean"].as_f64().expect("mean"),
        d["ci_low"].as_f64().expect("lo"),
        d["ci_high"].as_f64().expect("hi"),
    );
    let sentence = h["sentence"].as_str().expect("sentence");
    let verb = if mean > 0.0 { "raises" } else { "lowers" };
    let (a, b) = if mean > 0.0 { (lo, hi) } else { (-hi, -lo) };
    let expected = format!(
        "better show {verb} the final standing share by {} points (95% CI {} to {}) compared with base.",
        ovation::output::compare::number(mean.abs() * 100.0),
        ovation::output::compare::number(a * 100.0),
        ovation::output::compare::number(b * 100.0),
    );
    assert!(sentence.starts_with(&expected), "{sentence}\n{expected}");
    assert_eq!(h["ci_excludes_zero"], lo > 0.0 || hi < 0.0);

    // The report: self-contained, with the question, the headline and every plot inlined.
    let html = std::fs::read_to_string(out.join("report.html")).expect("report");
    assert!(html.contains("Does a slightly better show raise"));
    assert!(html.contains(&sentence.replace('\'', "&#39;")));
    for plot in ["outcome_over_time", "forest"] {
        assert!(out.join(format!("{plot}.png")).is_file(), "{plot}");
        assert!(out.join(format!("{plot}.svg")).is_file(), "{plot}");
    }
    let pngs = std::fs::read_dir(&out)
        .expect("dir")
        .filter(|e| {
            e.as_ref()
                .expect("entry")
                .file_name()
                .to_string_lossy()
                .ends_with(".png")
        })
        .count();
    assert_eq!(html.matches("src=\"data:image/png;base64,").count(), pngs);
    assert!(!html.contains("<script"));
    assert!(!html.contains("http://") && !html.contains("https://"));
    // `ovation report` rebuilds the same page from the folder.
    let before = std::fs::read(out.join("report.html")).expect("report");
    std::fs::remove_file(out.join("report.html")).expect("remove");
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
    // Each strategy has its own run folder with its replicates, and its report names it.
    for name in ["base", "copy", "better_show"] {
        let d = out.join("strategies").join(name);
        assert!(d.join("summary.csv").is_file(), "{name}");
        assert!(d.join("replicates/000023.json").is_file(), "{name}");
        let page = std::fs::read_to_string(d.join("report.html")).expect("strategy report");
        let words = name.replace('_', " ");
        assert!(
            page.contains(&format!("Strategy <b>{words}</b> of the comparison")),
            "{name}"
        );
    }
    // What was assumed (defaults filled in: the scenario does not set `replicates` per class or
    // the timing scheme) and a glossary of the measures shown; shares as percentages.
    assert!(html.contains("<h2>What was assumed</h2>"));
    assert!(html.contains("<code>model.quality</code></td><td class=\"text\">0.5</td>"));
    assert!(html.contains("<code>timing.scheme</code></td><td class=\"text\">synchronous</td>"));
    assert!(html.contains("<h2>Glossary</h2>"));
    assert!(html.contains("<code>final_standing</code>: share of agents standing"));
    assert!(
        html.contains("% <span class=\"note\">("),
        "shares in percent"
    );
    // The manifest records the version, the commit and a checksum of the scenario file.
    let m = json(&out.join("manifest.json"));
    let p = &m["provenance"];
    assert_eq!(p["version"], env!("CARGO_PKG_VERSION"));
    assert!(!p["commit"].as_str().expect("commit").is_empty());
    let input = &p["inputs"][0];
    assert_eq!(input["role"], "scenario");
    assert_eq!(input["bytes"], SCENARIO.len());
    let sha = input["sha256"].as_str().expect("sha256");
    assert!(
        sha.len() == 64 && sha.chars().all(|c| c.is_ascii_hexdigit()),
        "{sha}"
    );
    assert_eq!(p["effective"]["timing"]["scheme"], "synchronous");
}

#[test]
fn files_are_identical_for_1_and_2_threads() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let s = write_scenario(
        tmp.path(),
        &SCENARIO.replace("replicates = 24", "replicates = 8"),
    );
    let (a, b) = (tmp.path().join("a"), tmp.path().join("b"));
    compare(&s, &a, &["--threads", "1"]);
    compare(&s, &b, &["--threads", "2"]);
    let mut files: Vec<PathBuf> = [
        "compare.csv",
        "strategies.csv",
        "differences.csv",
        "stats.json",
    ]
    .iter()
    .map(PathBuf::from)
    .collect();
    for name in ["base", "copy", "better_show"] {
        for f in ["summary.csv", "steps.csv", "stats.json"] {
            files.push(Path::new("strategies").join(name).join(f));
        }
    }
    for f in files {
        let (x, y) = (
            std::fs::read(a.join(&f)).expect("a"),
            std::fs::read(b.join(&f)).expect("b"),
        );
        assert!(x == y, "{} differs between 1 and 2 threads", f.display());
    }
}

#[test]
fn bad_strategies_give_precise_validate_errors() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let text = SCENARIO
        .replace("\"model.quality\" = 0.56", "\"model.qualty\" = 0.56")
        .replace("baseline = \"base\"", "baseline = \"nobody\"");
    let s = write_scenario(tmp.path(), &text);
    let o = ovation().arg("validate").arg(&s).output().expect("runs");
    assert_eq!(o.status.code(), Some(2));
    let err = String::from_utf8_lossy(&o.stderr);
    let file = s.display().to_string();
    let lines: Vec<&str> = err.lines().collect();
    // The better_show key is at line 28 (the text starts with a newline); baseline at 31:12.
    assert!(
        lines.iter().any(|l| l.starts_with(&format!(
            "{file}:28:1: strategies.better_show.\"model.qualty\": unknown key `qualty`"
        ))),
        "{err}"
    );
    assert!(
        lines.iter().any(|l| *l
            == format!(
                "{file}:31:12: compare.baseline: expected the name of a strategy (`base`, \
                 `better_show`, `copy`), found `nobody`"
            )),
        "{err}"
    );
}

#[test]
fn a_headline_without_a_declared_direction_asks_for_a_goal() {
    // `cascade_size` is declared with no better direction (agents changed either way), and
    // the scenario gives no `goal`: compare and validate both refuse, naming the file, the
    // measure and the key to add, and nothing is written.
    let tmp = tempfile::tempdir().expect("temp dir");
    let text = SCENARIO.replace(
        "headline = \"final_standing\"",
        "headline = \"cascade_size\"",
    );
    let s = write_scenario(tmp.path(), &text);
    let out = tmp.path().join("out");
    let o = ovation()
        .args(["compare", "--quiet", "--out"])
        .arg(&out)
        .arg(&s)
        .output()
        .expect("ovation runs");
    assert!(!o.status.success(), "compare guessed a direction");
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains(&s.display().to_string()), "{err}");
    assert!(err.contains("`cascade_size`"), "{err}");
    assert!(
        err.contains("goal = \"higher\"") && err.contains("goal = \"lower\""),
        "{err}"
    );
    assert!(!out.exists(), "compare wrote {}", out.display());
    let v = ovation()
        .arg("validate")
        .arg(&s)
        .output()
        .expect("ovation runs");
    assert_eq!(v.status.code(), Some(2));
    let err = String::from_utf8_lossy(&v.stderr);
    assert!(
        err.contains("`cascade_size`") && err.contains("[compare]"),
        "{err}"
    );

    // With `goal` it runs and ranks by it.
    let with_goal = text.replace(
        "headline = \"cascade_size\"",
        "headline = \"cascade_size\"\ngoal = \"lower\"",
    );
    let s = write_scenario(tmp.path(), &with_goal);
    compare(&s, &out, &[]);
    assert_eq!(json(&out.join("stats.json"))["headline"]["goal"], "lower");
}
