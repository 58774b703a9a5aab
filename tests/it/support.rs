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
