//! `ovation completions SHELL` and `ovation man` (issue 12, item 7): scripts each shell loads,
//! naming every subcommand and option, and a manual page with a section per subcommand.

use crate::support::ovation;

fn stdout(args: &[&str]) -> String {
    let out = ovation().args(args).output().expect("ovation runs");
    assert!(
        out.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).expect("UTF-8")
}

#[test]
fn completion_scripts_name_the_subcommands_and_options() {
    let bash = stdout(&["completions", "bash"]);
    assert!(bash.contains("complete -F _ovation"), "{bash}");
    let zsh = stdout(&["completions", "zsh"]);
    assert!(zsh.starts_with("#compdef ovation"), "{zsh}");
    let fish = stdout(&["completions", "fish"]);
    assert!(fish.contains("complete -c ovation"), "{fish}");
    for script in [&bash, &zsh] {
        for word in ["sweep", "compare", "--resume", "--memory-limit", "stats"] {
            assert!(script.contains(word), "{word} missing");
        }
    }
    // fish names long options without their dashes.
    for word in ["sweep", "compare", "-l resume", "-l memory-limit", "stats"] {
        assert!(fish.contains(word), "{word} missing");
    }
    let bad = ovation()
        .args(["completions", "tcsh"])
        .output()
        .expect("runs");
    assert_eq!(bad.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&bad.stderr).contains("invalid value 'tcsh'"));
}

#[test]
fn the_man_page_has_a_section_per_subcommand() {
    let page = stdout(&["man"]);
    assert!(page.starts_with(".ie"), "{}", &page[..80.min(page.len())]);
    assert!(page.contains(".TH ovation 1"), "no title");
    for section in [
        "OVATION RUN",
        "OVATION SWEEP",
        "OVATION COMPARE",
        "OVATION FIT",
    ] {
        assert!(page.contains(&format!(".SH \"{section}\"")), "{section}");
    }
    assert!(page.contains("\\-\\-resume"), "options are listed");
}
