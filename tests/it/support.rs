//! Helpers the end-to-end tests share: the binary under test, the repository root, and the
//! finished replicate files of a result folder.

use std::path::{Path, PathBuf};
use std::process::Command;

/// The `ovation` binary under test.
pub fn ovation() -> Command {
    Command::new(env!("CARGO_BIN_EXE_ovation"))
}

/// The repository root.
pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Finished replicate files in `dir`, sorted (a file being written is a hidden temporary,
/// `.ovation-tmp-*`, until it is renamed).
pub fn finished(dir: &Path) -> Vec<PathBuf> {
    let mut out: Vec<PathBuf> = std::fs::read_dir(dir)
        .map(|d| {
            d.filter_map(Result::ok)
                .filter(|e| {
                    let name = e.file_name();
                    let name = name.to_string_lossy();
                    !name.starts_with('.') && name.ends_with(".json")
                })
                .map(|e| e.path())
                .collect()
        })
        .unwrap_or_default();
    out.sort();
    out
}

/// Every file under `dir` as (relative path, bytes), sorted by path, for comparing two result
/// folders byte for byte: each `manifest.json` without the keys `manifest_drop` (the fields that
/// record how a job ran rather than what it found), each `report.html` passed through `report`.
pub fn folder_contents(
    dir: &Path,
    manifest_drop: &[&str],
    report: impl Fn(&str) -> Vec<u8>,
) -> Vec<(PathBuf, Vec<u8>)> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).expect("readable") {
            let path = entry.expect("entry").path();
            if path.is_dir() {
                stack.push(path);
                continue;
            }
            let rel = path.strip_prefix(dir).expect("under dir").to_path_buf();
            let mut bytes = std::fs::read(&path).expect("readable");
            match rel.file_name().and_then(|n| n.to_str()) {
                Some("manifest.json") => {
                    let mut v: serde_json::Value = serde_json::from_slice(&bytes).expect("JSON");
                    let o = v.as_object_mut().expect("a manifest is a JSON object");
                    for k in manifest_drop {
                        o.remove(*k);
                    }
                    bytes = serde_json::to_vec(&v).expect("JSON");
                }
                Some("report.html") => bytes = report(&String::from_utf8_lossy(&bytes)),
                _ => {}
            }
            out.push((rel, bytes));
        }
    }
    out.sort();
    out
}

/// Masks every UTC time stamp (`2026-12-05T10:00:00Z` -> `TIME`) in `text`.
pub fn mask_times(text: &str) -> String {
    let b = text.as_bytes();
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    let shape = b"dddd-dd-ddTdd:dd:ddZ";
    while i < b.len() {
        if i + shape.len() <= b.len()
            && shape.iter().zip(&b[i..]).all(|(s, c)| {
                if *s == b'd' {
                    c.is_ascii_digit()
                } else {
                    s == c
                }
            })
        {
            out.push_str("TIME");
            i += shape.len();
        } else {
            let c = text[i..].chars().next().expect("a char");
            out.push(c);
            i += c.len_utf8();
        }
    }
    out
}
