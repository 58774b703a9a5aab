//! `ovation validate` on malformed scenarios: one precise line per problem (file, line:col, key
//! path, expected and found), exit status 2, never a panic.

use std::path::Path;

use assert_cmd::Command;

/// A valid scenario; the cases below edit it. Line numbers matter to the expected positions:
///
/// ```text
///  1 seed = 7                 9 [[population]]
///  2 replicates = 3          10 noise = { dist = "uniform", low = -0.5, high = 0.5 }
///  3                         11 conformity = 0.5
///  4 [graph]                 12
///  5 generator = "theater"   13 [model]
///  6 rows = 4                14 rule = "sop"
///  7 seats = 5               15 quality = 0.5
///  8
/// ```
const BASE: &str = "seed = 7
replicates = 3

[graph]
generator = \"theater\"
rows = 4
seats = 5

[[population]]
noise = { dist = \"uniform\", low = -0.5, high = 0.5 }
conformity = 0.5

[model]
rule = \"sop\"
quality = 0.5
";

/// Runs `ovation validate` on `files` (written into a fresh folder) with `sets` as `--set`.
/// Returns the exit status, standard output and standard error.
fn validate(files: &[(&str, &str)], sets: &[&str]) -> (i32, String, String) {
    let dir = tempfile::tempdir().expect("a temporary folder");
    let mut cmd = Command::cargo_bin("ovation").expect("the ovation binary");
    cmd.current_dir(dir.path()).arg("validate");
    for (name, text) in files {
        std::fs::write(dir.path().join(name), text).expect("write the scenario");
        cmd.arg(name);
    }
    for s in sets {
        cmd.arg("--set").arg(s);
    }
    let out = cmd.output().expect("ovation runs");
    let code = out.status.code().expect("exited, not killed");
    assert_ne!(
        code,
        101,
        "ovation panicked:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    (
        code,
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// Checks that `text` (as `bad.toml`, with `sets`) gives exactly one error line holding every
/// fragment, and exit status 2.
fn check_set(text: &str, sets: &[&str], expected: &[&str]) {
    let (code, stdout, stderr) = validate(&[("bad.toml", text)], sets);
    assert_eq!(code, 2, "stdout: {stdout}\nstderr: {stderr}");
    assert_eq!(stdout, "", "a bad file is not ok");
    let lines: Vec<&str> = stderr.lines().collect();
    assert_eq!(lines.len(), 1, "expected one error line, got:\n{stderr}");
    for fragment in expected {
        assert!(
            lines[0].contains(fragment),
            "`{fragment}` missing from:\n{}",
            lines[0]
        );
    }
}

fn check(text: &str, expected: &[&str]) {
    check_set(text, &[], expected);
}

#[test]
fn the_base_scenario_and_the_shipped_ones_are_ok() {
    let (code, stdout, stderr) = validate(&[("good.toml", BASE)], &[]);
    assert_eq!((code, stderr.as_str()), (0, ""));
    // One line: ok, with the memory estimate and the limit (issue 10, item 3).
    assert!(
        stdout.starts_with("good.toml: ok; memory needed: about ")
            && stdout.contains("limit")
            && stdout.lines().count() == 1,
        "{stdout}"
    );
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut cmd = Command::cargo_bin("ovation").expect("the ovation binary");
    cmd.current_dir(root).arg("validate");
    for dir in ["scenarios", "scenarios/validation", "scenarios/bench"] {
        for entry in std::fs::read_dir(root.join(dir)).expect("scenario folder") {
            let path = entry.expect("entry").path();
            if path.extension().is_some_and(|e| e == "toml") {
                cmd.arg(path.strip_prefix(root).expect("inside the repository"));
            }
        }
    }
    let out = cmd.output().expect("ovation runs");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        stdout.contains("scenarios/standing-ovation.toml: ok"),
        "{stdout}"
    );
}

#[test]
fn unknown_key() {
    check(
        &BASE.replace("replicates = 3", "replicates = 3\ncolour = \"red\""),
        &[
            "bad.toml:3:1: colour: unknown key `colour` at the top level",
            "expected one of `name`, `description`, `seed`",
        ],
    );
}

#[test]
fn misspelt_key_in_a_table_suggests_the_right_one() {
    check(
        &BASE.replace("quality = 0.5", "qualty = 0.5"),
        &[
            "bad.toml:15:1: model.qualty: unknown key `qualty` in [model] (did you mean `quality`?)",
            "expected one of `quality`, `tie`, `noise`",
        ],
    );
}

#[test]
fn wrong_type() {
    check(
        &BASE.replace("rows = 4", "rows = \"four\""),
        &["bad.toml:6:8: graph.rows: expected a non-negative integer, found string \"four\""],
    );
}

#[test]
fn value_out_of_range() {
    check(
        &BASE.replace("replicates = 3", "replicates = 3\nsteps = 0"),
        &["bad.toml:3:9: steps: expected an integer >= 1, found 0"],
    );
}

#[test]
fn negative_replicates() {
    check(
        &BASE.replace("replicates = 3", "replicates = -5"),
        &["bad.toml:2:14: replicates: expected an integer >= 1, found -5 (negative)"],
    );
}

#[test]
fn negative_seed() {
    check(
        &BASE.replace("seed = 7", "seed = -1"),
        &["bad.toml:1:8: seed: expected a non-negative integer, found -1"],
    );
}

#[test]
fn missing_seed() {
    check(
        &BASE.replace("seed = 7\n", ""),
        &["bad.toml: missing key `seed`; expected a non-negative integer"],
    );
}

#[test]
fn shares_summing_over_one() {
    check(
        &BASE.replace(
            "conformity = 0.5\n",
            "conformity = 0.5\nshare = 0.7\n\n[[population]]\nname = \"fans\"\nshare = 0.5\n",
        ),
        &[
            "bad.toml:12:9: population[0].share:",
            "expected the shares of the classes without `nodes` to sum to 1, found 0.7 + 0.5 = 1.2",
        ],
    );
}

#[test]
fn missing_graph_file() {
    check(
        &BASE.replace(
            "generator = \"theater\"\nrows = 4\nseats = 5",
            "file = \"graphs/missing.txt\"\nfollows = \"mutual\"",
        ),
        &[
            "bad.toml:5:8: graph.file: graph file ",
            "graphs/missing.txt does not exist (the path is relative to the scenario's folder)",
        ],
    );
}

#[test]
fn unknown_generator() {
    check(
        &BASE.replace("\"theater\"", "\"lattice\""),
        &[
            "bad.toml:5:13: graph.generator: unknown generator `lattice`",
            "expected one of `theater`, `erdos_renyi`, `barabasi_albert`",
        ],
    );
}

#[test]
fn generator_parameters_out_of_range() {
    check(
        &BASE.replace("seats = 5", "seats = 0"),
        &["bad.toml:7:9: graph.seats: expected at least 1, found 0 (theater generator)"],
    );
}

#[test]
fn bad_distribution_parameters() {
    check(
        &BASE.replace("low = -0.5, high = 0.5", "low = 0.5, high = -0.5"),
        &[
            "bad.toml:10:9: population[0].noise:",
            "uniform: expected low <= high, found low = 0.5, high = -0.5",
        ],
    );
}

#[test]
fn unknown_distribution() {
    check(
        &BASE.replace("dist = \"uniform\"", "dist = \"gauss\""),
        &[
            "bad.toml:10:18: population[0].noise.dist: unknown distribution `gauss`",
            "expected one of `constant`, `uniform`, `normal`, `truncated_normal`, `beta`",
        ],
    );
}

#[test]
fn distribution_of_the_wrong_type() {
    check(
        &BASE.replace("conformity = 0.5", "conformity = \"high\""),
        &[
            "bad.toml:11:14: population[0].conformity:",
            "expected a number or a distribution table",
            "found string \"high\"",
        ],
    );
}

#[test]
fn conformity_out_of_the_unit_interval() {
    check(
        &BASE.replace("conformity = 0.5", "conformity = 1.5"),
        &["bad.toml:11:14: population[0].conformity: expected a number in [0, 1], found 1.5"],
    );
    check(
        &BASE.replace(
            "conformity = 0.5",
            "conformity = { dist = \"uniform\", low = 0.2, high = 1.4 }",
        ),
        &["population[0].conformity: expected values in [0, 1], found uniform on [0.2, 1.4]"],
    );
}

#[test]
fn unknown_set_key() {
    check_set(
        BASE,
        &["model.qualty=3"],
        &[
            "bad.toml: --set model.qualty=3: unknown key `qualty` in [model]",
            "expected one of `quality`, `tie`, `noise`",
        ],
    );
}

#[test]
fn a_timing_scheme_for_a_rule_that_sets_its_own_updating() {
    let text = BASE.replace(
        "rule = \"sop\"\nquality = 0.5",
        "rule = \"threshold\"\nphi = 0.2",
    ) + "\n[timing]\nscheme = \"async_random\"\n";
    check(
        &text,
        &[
            "bad.toml:18:10: timing.scheme: expected `synchronous`",
            "the `threshold` rule sets its own updating",
        ],
    );
}

#[test]
fn set_value_out_of_range() {
    check_set(
        BASE,
        &["population.0.conformity=2"],
        &["bad.toml: --set population.0.conformity=2: expected a number in [0, 1], found 2"],
    );
}

#[test]
fn malformed_set_argument() {
    check_set(
        BASE,
        &["population.4.share=1"],
        &[
            "bad.toml: --set population.4.share=1: index 4 is out of range: `population` has 1 entry (index 1 appends one)",
        ],
    );
}

#[test]
fn syntax_error() {
    check(
        &BASE.replace("rows = 4", "rows = [4"),
        &["bad.toml:7:1: TOML syntax: missing comma between array elements"],
    );
    check(
        &BASE.replace("seats = 5", "seats = 5\nrows = 6"),
        &["bad.toml:8:1: TOML syntax: duplicate key `rows`"],
    );
}

#[test]
fn both_generator_and_file() {
    check(
        &BASE.replace("seats = 5", "seats = 5\nfile = \"x.txt\""),
        &["bad.toml:4:1: graph: expected either `generator` or `file`, found both"],
    );
}

#[test]
fn population_written_as_a_single_table() {
    check(
        &BASE.replace("[[population]]", "[population]"),
        &[
            "bad.toml:9:1: population: expected an array of tables, found a table; write `[[population]]`",
        ],
    );
}

#[test]
fn node_lists_with_repeats() {
    check(
        &BASE.replace(
            "[[population]]\n",
            "[[population]]\nname = \"plants\"\nnodes = [3, 4, 3]\nfixed = \"stand\"\n\n[[population]]\n",
        ),
        &["bad.toml:11:16: population[0].nodes[2]: agent 3 is listed twice"],
    );
}

#[test]
fn latency_that_needs_a_theater() {
    check(
        &(BASE.replace(
            "generator = \"theater\"\nrows = 4\nseats = 5",
            "generator = \"complete\"\nn = 5",
        ) + "\n[timing]\nscheme = \"delayed\"\nlatency = { kind = \"row_distance\" }\n"),
        &[
            "bad.toml:18:20: timing.latency.kind:",
            "latency `row_distance` needs a theater graph (generator = \"theater\"), found generator `complete`",
        ],
    );
}

#[test]
fn every_error_of_a_file_is_printed_and_good_files_still_pass() {
    let bad = BASE
        .replace("seed = 7", "seed = \"seven\"")
        .replace("rows = 4", "rows = 0")
        .replace("conformity = 0.5", "conformity = -1");
    let (code, stdout, stderr) = validate(&[("good.toml", BASE), ("bad.toml", &bad)], &[]);
    assert_eq!(code, 2);
    assert!(
        stdout.starts_with("good.toml: ok;") && stdout.lines().count() == 1,
        "{stdout}"
    );
    let lines: Vec<&str> = stderr.lines().collect();
    assert_eq!(
        lines,
        [
            "bad.toml:1:8: seed: expected a non-negative integer, found string \"seven\"",
            "bad.toml:6:8: graph.rows: expected at least 1, found 0 (theater generator)",
            "bad.toml:11:14: population[0].conformity: expected a number in [0, 1], found -1",
        ]
    );
}

#[test]
fn unreadable_files_are_errors() {
    let (code, _, stderr) = validate(&[("not-utf8.toml", "seed = 1\n\u{0}")], &[]);
    assert_eq!(code, 2, "{stderr}");
    let dir = tempfile::tempdir().expect("a temporary folder");
    let out = Command::cargo_bin("ovation")
        .expect("the ovation binary")
        .current_dir(dir.path())
        .args(["validate", "absent.toml"])
        .output()
        .expect("ovation runs");
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.starts_with("absent.toml: cannot read the scenario file"),
        "{stderr}"
    );
}
