//! Source hygiene: every Rust file opens with a `//!` module doc saying what it is for.

use std::path::Path;

fn rust_files(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("source folder is readable") {
        let path = entry.expect("directory entry").path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

#[test]
fn every_module_has_a_doc_comment() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut files = Vec::new();
    for dir in ["src", "tests", "benches"] {
        rust_files(&root.join(dir), &mut files);
    }
    let missing: Vec<_> = files
        .iter()
        .filter(|p| {
            let text = std::fs::read_to_string(p).expect("source is UTF-8");
            !text.trim_start().starts_with("//!")
        })
        .collect();
    assert!(
        missing.is_empty(),
        "files without a //! module doc: {missing:?}"
    );
}

/// The modules of `src/`, each with the `crate::` modules its files name (in `use` lines and
/// paths; comments skipped).
fn module_references(root: &Path) -> Vec<(String, std::path::PathBuf, Vec<String>)> {
    let mut files = Vec::new();
    rust_files(&root.join("src"), &mut files);
    let mut out = Vec::new();
    for path in files {
        let rel = path.strip_prefix(root.join("src")).expect("under src");
        let first = rel
            .components()
            .next()
            .expect("a file name")
            .as_os_str()
            .to_string_lossy()
            .trim_end_matches(".rs")
            .to_string();
        if first == "lib" || first == "main" {
            continue;
        }
        let text = std::fs::read_to_string(&path).expect("source is UTF-8");
        let code: String = text
            .lines()
            .map(|l| l.split("//").next().unwrap_or_default())
            .collect::<Vec<_>>()
            .join("\n");
        let mut refs = Vec::new();
        for (at, _) in code.match_indices("crate::") {
            // Not `ovation::crate::` or an identifier ending in `crate`.
            if code[..at]
                .chars()
                .last()
                .is_some_and(|c| c.is_alphanumeric() || c == '_')
            {
                continue;
            }
            let rest = &code[at + "crate::".len()..];
            if let Some(group) = rest.strip_prefix('{') {
                let inner = &group[..group.find('}').unwrap_or(group.len())];
                refs.extend(
                    inner
                        .split(',')
                        .map(|p| p.trim().split("::").next().unwrap_or_default().to_string())
                        .filter(|p| !p.is_empty()),
                );
            } else {
                let name: String = rest
                    .chars()
                    .take_while(|c| c.is_alphanumeric() || *c == '_')
                    .collect();
                refs.push(name);
            }
        }
        refs.sort();
        refs.dedup();
        out.push((first, path, refs));
    }
    out
}

/// ARCHITECTURE.md's dependency direction holds: a module uses only those to its left in the
/// chain written there (`rng <- graph <- ... <- cli`), `stats` uses nothing and `analysis` only
/// `stats`, and every module of `src/` is placed (issue 10, item 11). A new arrow the wrong way
/// fails here, naming the file.
#[test]
fn modules_depend_only_in_the_direction_architecture_md_gives() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let doc = std::fs::read_to_string(root.join("ARCHITECTURE.md")).expect("ARCHITECTURE.md");
    let chain_line = doc
        .lines()
        .find(|l| l.trim_start().starts_with("rng") && l.contains("<-"))
        .expect("ARCHITECTURE.md states the chain `rng <- graph <- ...`");
    let chain: Vec<&str> = chain_line.split("<-").map(str::trim).collect();
    assert!(chain.len() >= 5, "{chain:?}");
    // Modules outside the chain that anyone may use, and what they may use themselves.
    let leaves: [(&str, &[&str]); 2] = [("stats", &[]), ("analysis", &["stats"])];
    for (name, _) in leaves {
        assert!(
            doc.contains(&format!("`{name}`")),
            "ARCHITECTURE.md names {name}"
        );
    }
    let mut wrong = Vec::new();
    for (module, path, refs) in module_references(root) {
        let leaf = leaves.iter().find(|(l, _)| *l == module);
        let own = chain.iter().position(|c| *c == module);
        if leaf.is_none() && own.is_none() {
            wrong.push(format!(
                "{}: module `{module}` is not in ARCHITECTURE.md's dependency chain",
                path.display()
            ));
            continue;
        }
        for r in refs.iter().filter(|r| **r != module) {
            let ok = match (leaf, own) {
                (Some((_, allowed)), _) => allowed.contains(&r.as_str()),
                (None, Some(i)) => {
                    leaves.iter().any(|(l, _)| l == r)
                        || chain.iter().position(|c| c == r).is_some_and(|j| j <= i)
                }
                (None, None) => unreachable!("checked above"),
            };
            if !ok {
                wrong.push(format!("{}: `{module}` uses `crate::{r}`", path.display()));
            }
        }
    }
    assert!(
        wrong.is_empty(),
        "arrows against ARCHITECTURE.md's dependency direction:\n{}",
        wrong.join("\n")
    );
}

/// The scanner itself sees an arrow the wrong way (so the test above can fail).
#[test]
fn the_dependency_scanner_finds_grouped_and_plain_paths() {
    let dir = tempfile::tempdir().expect("temp dir");
    let src = dir.path().join("src/graph");
    std::fs::create_dir_all(&src).expect("mkdir");
    std::fs::write(
        src.join("x.rs"),
        "//! x\nuse crate::{rng::Stream, cli::main};\n// crate::bench in a comment\nfn f() { crate::output::go(); }\n",
    )
    .expect("write");
    let refs = module_references(dir.path());
    assert_eq!(refs.len(), 1);
    assert_eq!(refs[0].0, "graph");
    assert_eq!(refs[0].2, ["cli", "output", "rng"]);
}

/// Scripts ask cargo where the binary is rather than assuming `target/release` (which
/// `CARGO_TARGET_DIR` moves; issue 10, item 10).
#[test]
fn no_script_assumes_the_target_folder() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut found = Vec::new();
    for dir in ["scripts", ".ci"] {
        for entry in std::fs::read_dir(root.join(dir)).expect("folder is readable") {
            let path = entry.expect("entry").path();
            let Ok(text) = std::fs::read_to_string(&path) else {
                continue;
            };
            for (i, line) in text.lines().enumerate() {
                let code = line.split('#').next().unwrap_or_default();
                if code.contains("target/release") || code.contains("target/debug") {
                    found.push(format!("{}:{}: {line}", path.display(), i + 1));
                }
            }
        }
    }
    assert!(
        found.is_empty(),
        "hard-coded target folder:\n{}",
        found.join("\n")
    );
}
