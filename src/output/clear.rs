//! What `--force` may remove: only entries ovation itself wrote into a result folder.
//!
//! A folder is recognised as a result folder by its `run.json`, which must parse strictly and
//! say `"written_by": "ovation"`. Inside it, an entry is accounted for by
//!
//! - the **ledger** `.ovation-files`: the name of every file written into the folder, appended
//!   *before* the file is created (`record`), so a run killed at any instant leaves no file the
//!   ledger does not name;
//! - the **layout**: `run.json` and the ledger themselves, leftovers of atomic writes
//!   (`.ovation-tmp-*`), `replicates/` holding only replicate files (`000042.json`), the per-step
//!   checkpoint of a run without `steps.csv` ([`super::steps`]) and leftovers, and `cells/` (sweeps) or `strategies/` (comparisons) holding only result folders
//!   (each checked the same way) or folders whose start was interrupted (empty, or holding only
//!   leftovers and an empty `replicates/`).
//!
//! [`clear`] plans the whole removal first; if anything is not accounted for it refuses with
//! [`OutputError::UnknownEntries`], naming every such entry, and removes nothing. Folders are
//! removed with `rmdir`, never recursively, and symbolic links are removed as links, never
//! followed. `run.json` goes last, so a `--force` killed part-way leaves a folder that is still
//! recognised: a second `--force` or a `--resume` accepts it.

use std::collections::BTreeSet;
use std::fs::{self, OpenOptions};
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use super::OutputError;
use super::folder::{REPLICATES_DIR, RUN_FILE, RunFile, TMP_PREFIX, replicate_index};

/// The ledger: names of the files ovation wrote into a result folder, one per line.
pub const LEDGER_FILE: &str = ".ovation-files";

/// Subfolders whose entries are result folders of their own.
const NESTED_DIRS: [&str; 2] = ["cells", "strategies"];

/// At most this many unknown entries are named in an error (then a count of the others).
const NAMED_AT_MOST: usize = 20;

/// One removal, in the order they are done.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Step {
    /// `unlink` a file or a symbolic link.
    File(PathBuf),
    /// `rmdir` a folder that the earlier steps emptied.
    Dir(PathBuf),
}

/// Appends `path`'s file name to the ledger of its folder when that folder is a result folder
/// (holds `run.json`), unless the ledger already names it. Called before the file is created.
pub(crate) fn record(path: &Path) -> Result<(), OutputError> {
    let (Some(dir), Some(name)) = (path.parent(), path.file_name()) else {
        return Ok(());
    };
    let dir = if dir.as_os_str().is_empty() {
        Path::new(".")
    } else {
        dir
    };
    let Some(name) = name.to_str() else {
        return Ok(());
    };
    if name == RUN_FILE || name == LEDGER_FILE || !dir.join(RUN_FILE).is_file() {
        return Ok(());
    }
    let ledger = dir.join(LEDGER_FILE);
    if read_ledger(dir)?.contains(name) {
        return Ok(());
    }
    let write_err = |source| OutputError::Write {
        path: ledger.clone(),
        source,
    };
    let mut file = OpenOptions::new()
        .create(true)
        .append(true)
        .open(&ledger)
        .map_err(write_err)?;
    file.write_all(format!("{name}\n").as_bytes())
        .map_err(write_err)
}

/// The names the ledger of `dir` lists (empty when there is none). Lines that are not a plain
/// file name (a separator, `.` or `..`) account for nothing and are skipped.
fn read_ledger(dir: &Path) -> Result<BTreeSet<String>, OutputError> {
    let path = dir.join(LEDGER_FILE);
    let text = match fs::read(&path) {
        Ok(bytes) => bytes,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(BTreeSet::new()),
        Err(source) => return Err(OutputError::Read { path, source }),
    };
    Ok(String::from_utf8_lossy(&text)
        .lines()
        .filter(|l| is_plain_name(l))
        .map(str::to_string)
        .collect())
}

/// The names the ledger of `dir` lists, or `None` when it has none (a folder written before
/// the ledger existed, or not by ovation).
pub(crate) fn ledger_names(dir: &Path) -> Result<Option<BTreeSet<String>>, OutputError> {
    if fs::symlink_metadata(dir.join(LEDGER_FILE)).is_err() {
        return Ok(None);
    }
    read_ledger(dir).map(Some)
}

/// Whether `name` names an entry directly inside a folder.
fn is_plain_name(name: &str) -> bool {
    !name.is_empty()
        && name != "."
        && name != ".."
        && !name.contains(['/', '\\', '\0'])
        && name != RUN_FILE
        && name != LEDGER_FILE
}

/// Empties `dir` for `--force`, removing only what ovation wrote (see the module docs); the
/// folder itself stays. An empty folder is fine. **Errors**: [`OutputError::NotARunFolder`]
/// when `dir` is not a result folder, [`OutputError::UnknownEntries`] when it holds anything
/// ovation did not write; in both cases nothing is removed.
pub fn clear(dir: &Path) -> Result<(), OutputError> {
    clear_at_most(dir, usize::MAX)
}

/// [`clear`], stopping after `budget` removals (as a kill would): for the tests.
pub(crate) fn clear_at_most(dir: &Path, budget: usize) -> Result<(), OutputError> {
    let mut steps = Vec::new();
    let mut unknown = Vec::new();
    match RunFile::read(dir) {
        Ok(Some(_)) => plan_result(dir, dir, &mut steps, &mut unknown)?,
        Ok(None) => {
            if !plan_unstarted(dir, &mut steps)? {
                return Err(OutputError::NotARunFolder {
                    dir: dir.into(),
                    reason: "it has no run.json".into(),
                    found: entry_names(dir)?,
                });
            }
        }
        Err(e) => {
            return Err(OutputError::NotARunFolder {
                dir: dir.into(),
                reason: format!("its run.json is not one ovation wrote ({e})"),
                found: entry_names(dir)?,
            });
        }
    }
    if !unknown.is_empty() {
        return Err(OutputError::UnknownEntries {
            dir: dir.into(),
            entries: name_list(&unknown),
        });
    }
    for step in steps.into_iter().take(budget) {
        let (path, result) = match step {
            Step::File(p) => {
                let r = fs::remove_file(&p);
                (p, r)
            }
            Step::Dir(p) => {
                let r = fs::remove_dir(&p);
                (p, r)
            }
        };
        match result {
            Ok(()) => {}
            Err(e) if e.kind() == io::ErrorKind::NotFound => {}
            Err(source) => return Err(OutputError::Write { path, source }),
        }
    }
    Ok(())
}

/// The entries of `dir`, sorted by name, with their metadata (links not followed).
fn entries(dir: &Path) -> Result<Vec<(String, PathBuf, fs::Metadata)>, OutputError> {
    let read_err = |source| OutputError::Read {
        path: dir.into(),
        source,
    };
    let mut out = Vec::new();
    for entry in fs::read_dir(dir).map_err(read_err)? {
        let entry = entry.map_err(read_err)?;
        let path = entry.path();
        let meta = fs::symlink_metadata(&path).map_err(|source| OutputError::Read {
            path: path.clone(),
            source,
        })?;
        out.push((entry.file_name().to_string_lossy().into_owned(), path, meta));
    }
    out.sort_by(|a, b| a.0.cmp(&b.0));
    Ok(out)
}

/// Names of the entries of `dir`, for an error message.
fn entry_names(dir: &Path) -> Result<String, OutputError> {
    let names: Vec<PathBuf> = entries(dir)?
        .into_iter()
        .map(|(n, _, _)| PathBuf::from(n))
        .collect();
    Ok(name_list(&names))
}

/// `a, b, c` (at most [`NAMED_AT_MOST`], then "and N more").
fn name_list(paths: &[PathBuf]) -> String {
    let mut text: Vec<String> = paths
        .iter()
        .take(NAMED_AT_MOST)
        .map(|p| p.display().to_string())
        .collect();
    if paths.len() > NAMED_AT_MOST {
        text.push(format!("and {} more", paths.len() - NAMED_AT_MOST));
    }
    text.join(", ")
}

/// Whether a directory entry is a file or a link (not a folder or a device).
fn is_file_or_link(meta: &fs::Metadata) -> bool {
    meta.file_type().is_file() || meta.file_type().is_symlink()
}

/// Plans the removal of everything in the result folder `dir` (whose `run.json` was verified);
/// `root` is the folder being cleared, for relative names in errors.
fn plan_result(
    root: &Path,
    dir: &Path,
    steps: &mut Vec<Step>,
    unknown: &mut Vec<PathBuf>,
) -> Result<(), OutputError> {
    let ledger = read_ledger(dir)?;
    let rel = |p: &Path| p.strip_prefix(root).unwrap_or(p).to_path_buf();
    let mut last = Vec::new();
    for (name, path, meta) in entries(dir)? {
        let file_like = is_file_or_link(&meta);
        if (name == RUN_FILE || name == LEDGER_FILE) && meta.file_type().is_file() {
            last.push(path);
        } else if file_like && (name.starts_with(TMP_PREFIX) || ledger.contains(&name)) {
            steps.push(Step::File(path));
        } else if name == REPLICATES_DIR && meta.is_dir() {
            for (n, p, m) in entries(&path)? {
                if is_file_or_link(&m)
                    && (replicate_index(&n).is_some()
                        || n.starts_with(TMP_PREFIX)
                        || n == super::steps::CHECKPOINT_FILE)
                {
                    steps.push(Step::File(p));
                } else {
                    unknown.push(rel(&p));
                }
            }
            steps.push(Step::Dir(path));
        } else if NESTED_DIRS.contains(&name.as_str()) && meta.is_dir() {
            for (_, p, m) in entries(&path)? {
                if !m.is_dir() {
                    unknown.push(rel(&p));
                    continue;
                }
                match RunFile::read(&p) {
                    Ok(Some(_)) => plan_result(root, &p, steps, unknown)?,
                    Ok(None) => {
                        if !plan_unstarted(&p, steps)? {
                            unknown.push(rel(&p));
                        }
                    }
                    Err(_) => unknown.push(rel(&p)),
                }
                steps.push(Step::Dir(p));
            }
            steps.push(Step::Dir(path));
        } else {
            unknown.push(rel(&path));
        }
    }
    // The ledger, then run.json: a clear killed before this point leaves a recognised folder.
    last.sort_by_key(|p| p.file_name().is_some_and(|n| n == RUN_FILE));
    steps.extend(last.into_iter().map(Step::File));
    Ok(())
}

/// Plans the removal of a folder whose start was interrupted before its `run.json` was written:
/// it may hold only leftovers of atomic writes and an empty `replicates/`. Returns whether it
/// is such a folder; if not, nothing is planned.
fn plan_unstarted(dir: &Path, steps: &mut Vec<Step>) -> Result<bool, OutputError> {
    let mut planned = Vec::new();
    for (name, path, meta) in entries(dir)? {
        if is_file_or_link(&meta) && name.starts_with(TMP_PREFIX) {
            planned.push(Step::File(path));
        } else if name == REPLICATES_DIR && meta.is_dir() && entries(&path)?.is_empty() {
            planned.push(Step::Dir(path));
        } else {
            return Ok(false);
        }
    }
    steps.extend(planned);
    Ok(true)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::output::fixtures::replicate;
    use crate::output::folder::{FolderMode, RunFolder, write_atomic};

    /// Every entry under `dir`, relative, sorted, with file contents.
    fn snapshot(dir: &Path) -> Vec<(PathBuf, Vec<u8>)> {
        let mut out = Vec::new();
        let mut stack = vec![dir.to_path_buf()];
        while let Some(d) = stack.pop() {
            for (_, path, meta) in entries(&d).expect("readable") {
                let rel = path.strip_prefix(dir).expect("under dir").to_path_buf();
                if meta.is_dir() {
                    out.push((rel, vec![]));
                    stack.push(path);
                } else {
                    out.push((rel, fs::read(&path).unwrap_or_default()));
                }
            }
        }
        out.sort();
        out
    }

    /// A sweep-like folder: a top run folder with two finished cells, one cell whose start was
    /// interrupted, and final files written through the ledger.
    fn sweep_like(dir: &Path) {
        RunFolder::open_flat(dir, FolderMode::New, "top").expect("top");
        for c in 0..2 {
            let cell = dir.join(format!("cells/00000{c}"));
            let f = RunFolder::open(&cell, FolderMode::New, "cell").expect("cell");
            for r in 0..3 {
                f.write_replicate(&replicate(r)).expect("replicate");
            }
            write_atomic(&cell.join("summary.csv"), b"a,b\n").expect("write");
        }
        fs::create_dir_all(dir.join("cells/000002/replicates")).expect("mkdir");
        fs::write(dir.join("cells/000002/.ovation-tmp-x-run.json"), "{").expect("write");
        write_atomic(&dir.join("sweep.csv"), b"x\n").expect("write");
        write_atomic(&dir.join("manifest.json"), b"{}\n").expect("write");
    }

    #[test]
    fn the_ledger_names_each_file_once_and_only_in_result_folders() {
        let root = tempfile::tempdir().expect("temp dir");
        let dir = root.path().join("r");
        RunFolder::open(&dir, FolderMode::New, "f").expect("open");
        write_atomic(&dir.join("a.csv"), b"1").expect("write");
        write_atomic(&dir.join("a.csv"), b"2").expect("write");
        write_atomic(&dir.join("b.png"), b"3").expect("write");
        let ledger = fs::read_to_string(dir.join(LEDGER_FILE)).expect("ledger");
        assert_eq!(ledger, "a.csv\nb.png\n");
        // Outside a result folder nothing is recorded.
        write_atomic(&root.path().join("c.txt"), b"4").expect("write");
        assert!(!root.path().join(LEDGER_FILE).exists());
    }

    #[test]
    fn a_clear_killed_after_any_removal_leaves_a_folder_force_and_resume_accept() {
        let root = tempfile::tempdir().expect("temp dir");
        let dir = root.path().join("s");
        sweep_like(&dir);
        let mut steps = Vec::new();
        let mut unknown = Vec::new();
        plan_result(&dir, &dir, &mut steps, &mut unknown).expect("plan");
        assert!(unknown.is_empty(), "{unknown:?}");
        // run.json goes last.
        assert_eq!(steps.last(), Some(&Step::File(dir.join(RUN_FILE))));
        for k in 0..=steps.len() {
            fs::remove_dir_all(&dir).ok();
            sweep_like(&dir);
            clear_at_most(&dir, k).expect("partial clear");
            if k < steps.len() {
                // Still recognised: resume opens it and a second clear finishes the job.
                RunFolder::open_flat(&dir, FolderMode::Resume, "top").expect("resume");
            }
            clear(&dir).expect("second clear");
            assert!(snapshot(&dir).is_empty(), "after {k} removals");
        }
    }

    #[test]
    fn a_foreign_entry_anywhere_stops_the_whole_clear() {
        let root = tempfile::tempdir().expect("temp dir");
        let dir = root.path().join("s");
        for (stray, is_dir) in [
            ("notes.txt", false),
            ("cells/000001/replicates/1.json", false),
            ("cells/000001/private", true),
            ("cells/x.txt", false),
            ("cells/000002/data.csv", false),
            ("replicates", true),
        ] {
            fs::remove_dir_all(&dir).ok();
            sweep_like(&dir);
            let path = dir.join(stray);
            if is_dir {
                fs::create_dir_all(path.join("inner")).expect("mkdir");
            } else {
                fs::write(&path, "mine").expect("write");
            }
            let before = snapshot(&dir);
            let err = clear(&dir).expect_err(stray);
            assert!(matches!(err, OutputError::UnknownEntries { .. }), "{err}");
            let shown = if stray == "cells/000002/data.csv" {
                "cells/000002"
            } else {
                stray
            };
            assert!(err.to_string().contains(shown), "{stray}: {err}");
            assert_eq!(snapshot(&dir), before, "{stray}");
        }
    }

    #[test]
    fn a_ledger_cannot_reach_outside_its_folder() {
        let root = tempfile::tempdir().expect("temp dir");
        let dir = root.path().join("r");
        RunFolder::open(&dir, FolderMode::New, "f").expect("open");
        fs::write(root.path().join("secret"), "keep").expect("write");
        fs::write(dir.join(LEDGER_FILE), "../secret\n/etc/passwd\n..\n").expect("write");
        clear(&dir).expect("clear");
        assert_eq!(
            fs::read_to_string(root.path().join("secret")).expect("kept"),
            "keep"
        );
        // A linked folder is named, not followed.
        RunFolder::open(&dir, FolderMode::New, "f").expect("open");
        #[cfg(unix)]
        {
            std::os::unix::fs::symlink(root.path(), dir.join("cells")).expect("symlink");
            let err = clear(&dir).expect_err("a link is not a cells folder");
            assert!(err.to_string().contains("cells"), "{err}");
            assert!(root.path().join("secret").exists());
        }
    }

    #[test]
    fn a_foreign_run_json_is_not_a_result_folder() {
        let root = tempfile::tempdir().expect("temp dir");
        for text in [
            "{\"distance_km\": 3}",
            "{\"fingerprint\": \"abc\"}",
            "{\"written_by\": \"someone\", \"fingerprint\": \"abc\"}",
            "not json",
        ] {
            let dir = root.path().join("home");
            fs::create_dir_all(&dir).expect("mkdir");
            fs::write(dir.join(RUN_FILE), text).expect("write");
            let err = clear(&dir).expect_err(text);
            assert!(matches!(err, OutputError::NotARunFolder { .. }), "{err}");
            assert!(err.to_string().contains("run.json"), "{err}");
            assert!(dir.join(RUN_FILE).exists());
        }
    }
}
