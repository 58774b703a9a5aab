//! The run folder: creating it (never over someone else's files), resuming it, and writing
//! every file atomically.
//!
//! # Layout
//!
//! ```text
//! <dir>/
//!   run.json                 {"fingerprint": "..."}: written first; what --resume checks
//!   replicates/000000.json   one finished replicate (a ReplicateResult), written as it ends
//!   replicates/000001.json
//!   ...
//!   manifest.json, summary.csv, steps.csv, rows.csv, stats.json, *.png, *.svg
//!                            written by `output::finish` once every replicate is done
//! ```
//!
//! # Crash safety
//!
//! Every file is written to a temporary file in the same folder (named `.ovation-tmp-*`) and
//! renamed over its final name (`rename(2)`, atomic on one filesystem), so a reader, or a run
//! killed at any instant (SIGINT or SIGKILL), sees either the whole old file or the whole new
//! one, never a part. A replicate's file is written as soon as it finishes, so a killed run keeps
//! every finished replicate and `--resume` ([`FolderMode::Resume`]) redoes only the others.
//! Leftover temporary files are removed when a folder is resumed. Files are not `fsync`ed:
//! the guarantee covers the process dying, not the machine losing power.

use std::fs::{self, File};
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};

use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use super::OutputError;
use super::clear::{self, clear};
use crate::engine::measures::ReplicateResult;

/// Name of the file that marks a run folder and records its fingerprint.
pub const RUN_FILE: &str = "run.json";
/// Name of the subfolder holding one file per finished replicate.
pub const REPLICATES_DIR: &str = "replicates";
/// Prefix of temporary files; anything named so is a leftover of an interrupted write.
pub(crate) const TMP_PREFIX: &str = ".ovation-tmp-";

/// What to do when the output folder already exists.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FolderMode {
    /// Create the folder; an existing non-empty folder is an error and is left untouched.
    New,
    /// Delete an existing run folder and start afresh (`--force`).
    Force,
    /// Finish the run already in the folder (`--resume`); its fingerprint must match.
    Resume,
}

/// What `run.json` says in its `written_by` field: together with the strict parse, how a
/// folder is recognised as one ovation wrote.
const WRITTEN_BY: &str = "ovation";

/// Contents of `run.json`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RunFile {
    /// Always [`WRITTEN_BY`].
    written_by: String,
    /// Hash of every input the results depend on, computed by the caller.
    fingerprint: String,
}

impl RunFile {
    /// Reads and verifies `dir/run.json`: `Ok(None)` when there is none, an error when it is
    /// not one ovation wrote.
    pub(crate) fn read(dir: &Path) -> Result<Option<RunFile>, OutputError> {
        let path = dir.join(RUN_FILE);
        let bytes = match fs::read(&path) {
            Ok(bytes) => bytes,
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(None),
            Err(source) => return Err(OutputError::Read { path, source }),
        };
        let run: RunFile = serde_json::from_slice(&bytes).map_err(|source| OutputError::Json {
            path: path.clone(),
            source,
        })?;
        if run.written_by != WRITTEN_BY {
            return Err(OutputError::NotARunFolder {
                dir: dir.into(),
                reason: format!("its run.json says it was written by {:?}", run.written_by),
                found: String::new(),
            });
        }
        Ok(Some(run))
    }
}

/// An open run folder. Only this module and its siblings write into it.
#[derive(Debug, Clone)]
pub struct RunFolder {
    /// The folder.
    dir: PathBuf,
    /// `dir/replicates`, which exists while the value lives.
    replicates: PathBuf,
}

impl RunFolder {
    /// Opens `dir` as a run folder for a run whose scenario and program version hash to
    /// `fingerprint`.
    ///
    /// - [`FolderMode::New`]: creates `dir` (and its parents). An existing empty folder is used;
    ///   an existing non-empty one is refused with [`OutputError::NotEmpty`] and not touched.
    /// - [`FolderMode::Force`]: empties an existing result folder and starts afresh in it,
    ///   removing only what ovation wrote ([`clear`](super::clear::clear)); a folder that is
    ///   not one, or holds anything else, is refused and left untouched.
    /// - [`FolderMode::Resume`]: `dir` must hold a `run.json` with the same fingerprint
    ///   ([`OutputError::ResumeMissing`], [`OutputError::ResumeNotStarted`],
    ///   [`OutputError::FingerprintMismatch`]); leftover temporary files are removed.
    ///
    /// For `New` and `Force` it writes `run.json` before returning, so a run killed at any
    /// later point can be resumed.
    pub fn open(dir: &Path, mode: FolderMode, fingerprint: &str) -> Result<RunFolder, OutputError> {
        let folder = RunFolder {
            dir: dir.to_path_buf(),
            replicates: dir.join(REPLICATES_DIR),
        };
        let exists = match fs::metadata(dir) {
            Ok(meta) if meta.is_dir() => true,
            Ok(_) => return Err(OutputError::NotAFolder { path: dir.into() }),
            Err(e) if e.kind() == io::ErrorKind::NotFound => false,
            Err(source) => {
                return Err(OutputError::Read {
                    path: dir.into(),
                    source,
                });
            }
        };
        match mode {
            FolderMode::New => {
                if exists && !is_empty(dir)? {
                    return Err(OutputError::NotEmpty { dir: dir.into() });
                }
            }
            FolderMode::Force => {
                if exists {
                    clear(dir)?;
                }
            }
            FolderMode::Resume => {
                if !exists {
                    return Err(OutputError::ResumeMissing { dir: dir.into() });
                }
                let run_file = dir.join(RUN_FILE);
                let Some(found) = RunFile::read(dir)? else {
                    return Err(OutputError::ResumeNotStarted { path: run_file });
                };
                if found.fingerprint != fingerprint {
                    return Err(OutputError::FingerprintMismatch {
                        changed: changes(fingerprint, &found.fingerprint),
                        path: run_file,
                        expected: fingerprint.to_string(),
                        found: found.fingerprint,
                    });
                }
                create_dir(&folder.replicates)?;
                remove_temp_files(dir)?;
                remove_temp_files(&folder.replicates)?;
                return Ok(folder);
            }
        }
        // run.json first: a folder killed at any later point is recognised as ovation's.
        create_dir(dir)?;
        folder.write_started(fingerprint)?;
        create_dir(&folder.replicates)?;
        Ok(folder)
    }

    /// Opens `dir` like [`open`](RunFolder::open) for a job that keeps no replicates of its
    /// own (a sweep or comparison's top folder, a benchmark): the same refusals and `--force`
    /// rules, without the `replicates/` subfolder.
    pub fn open_flat(
        dir: &Path,
        mode: FolderMode,
        fingerprint: &str,
    ) -> Result<RunFolder, OutputError> {
        let folder = RunFolder::open(dir, mode, fingerprint)?;
        // Empty unless something was put there by hand; then it stays.
        let _ = fs::remove_dir(&folder.replicates);
        Ok(folder)
    }

    /// The folder.
    pub fn path(&self) -> &Path {
        &self.dir
    }

    /// The file that holds finished replicate `replicate`: `replicates/000042.json` (six
    /// digits, more for indices of a million and above).
    pub fn replicate_path(&self, replicate: u32) -> PathBuf {
        self.replicates.join(format!("{replicate:06}.json"))
    }

    /// Writes `run.json` recording `fingerprint`. [`open`](RunFolder::open) already does this
    /// for new folders.
    pub fn write_started(&self, fingerprint: &str) -> Result<(), OutputError> {
        let path = self.dir.join(RUN_FILE);
        let run = RunFile {
            written_by: WRITTEN_BY.to_string(),
            fingerprint: fingerprint.to_string(),
        };
        let mut bytes = serde_json::to_vec_pretty(&run).map_err(|source| OutputError::Json {
            path: path.clone(),
            source,
        })?;
        bytes.push(b'\n');
        write_atomic(&path, &bytes)
    }

    /// Writes one finished replicate to [`replicate_path`](RunFolder::replicate_path),
    /// atomically, as compact JSON (floats in shortest round-trip form, so reading it back
    /// gives the same bits). Call it as each replicate finishes.
    pub fn write_replicate(&self, result: &ReplicateResult) -> Result<(), OutputError> {
        let path = self.replicate_path(result.replicate);
        let bytes = serde_json::to_vec(result).map_err(|source| OutputError::Json {
            path: path.clone(),
            source,
        })?;
        write_atomic(&path, &bytes)
    }

    /// The finished replicates on disk with an index below `replicates`, sorted by index.
    /// Files that are not named like a replicate (e.g. leftovers of an interrupted write), and
    /// those of replicates beyond the count (a run started with more), are not read; a file
    /// that cannot be parsed, or holds another replicate than its name says, is an error.
    /// Computes in **O(total size of the files)**.
    pub fn done(&self, replicates: u32) -> Result<Vec<ReplicateResult>, OutputError> {
        self.done_reading(replicates, true)
    }

    /// [`done`](RunFolder::done), keeping the trajectories or not.
    fn done_reading(
        &self,
        replicates: u32,
        keep_trajectories: bool,
    ) -> Result<Vec<ReplicateResult>, OutputError> {
        let entries = fs::read_dir(&self.replicates).map_err(|source| OutputError::Read {
            path: self.replicates.clone(),
            source,
        })?;
        let mut found = Vec::new();
        for entry in entries {
            let entry = entry.map_err(|source| OutputError::Read {
                path: self.replicates.clone(),
                source,
            })?;
            let name = entry.file_name();
            let Some(index) = name.to_str().and_then(replicate_index) else {
                continue;
            };
            if index >= replicates {
                continue;
            }
            found.push((index, entry.path()));
        }
        found.sort();
        let mut results = Vec::with_capacity(found.len());
        for (index, path) in found {
            let mut result = read_replicate_file(&path, index)?;
            if !keep_trajectories {
                result.trajectory = Vec::new();
            }
            results.push(result);
        }
        Ok(results)
    }

    /// [`done`](RunFolder::done) without the trajectories (the per-step records, most of a
    /// long replicate's size): memory in proportion to the replicate count only, the
    /// trajectories staying on disk for [`read_replicate`](RunFolder::read_replicate).
    pub fn done_summaries(&self, replicates: u32) -> Result<Vec<ReplicateResult>, OutputError> {
        self.done_reading(replicates, false)
    }

    /// Reads finished replicate `replicate` back from its file, trajectory included.
    pub fn read_replicate(&self, replicate: u32) -> Result<ReplicateResult, OutputError> {
        read_replicate_file(&self.replicate_path(replicate), replicate)
    }
}

/// Reads the replicate file `path`, which must hold replicate `index`.
fn read_replicate_file(path: &Path, index: u32) -> Result<ReplicateResult, OutputError> {
    let bytes = fs::read(path).map_err(|source| OutputError::Read {
        path: path.to_path_buf(),
        source,
    })?;
    let result: ReplicateResult =
        serde_json::from_slice(&bytes).map_err(|source| OutputError::Json {
            path: path.to_path_buf(),
            source,
        })?;
    if result.replicate != index {
        return Err(OutputError::WrongReplicate {
            path: path.to_path_buf(),
            expected: index,
            found: result.replicate,
        });
    }
    Ok(result)
}

/// What differs between two fingerprints of `label: value` lines, in words, naming each
/// input that changed, e.g. "the folder was started with other inputs: graph file g.txt
/// changed".
fn changes(expected: &str, found: &str) -> String {
    let split = |text: &str| -> Vec<(String, String)> {
        text.lines()
            .map(|l| match l.rsplit_once(": ") {
                Some((k, v)) => (k.to_string(), v.to_string()),
                None => (String::new(), l.to_string()),
            })
            .collect()
    };
    let (exp, old) = (split(expected), split(found));
    let mut what = Vec::new();
    for (k, v) in &exp {
        match old.iter().find(|(ok, _)| ok == k) {
            Some((_, ov)) if ov == v => {}
            Some((_, ov)) if k.is_empty() => what.push(format!("fingerprint {ov} is now {v}")),
            Some((_, ov)) => what.push(format!("{k} changed (was {ov}, now {v})")),
            None if k.is_empty() => what.push(format!("fingerprint is now {v}")),
            None => what.push(format!("{k} is new")),
        }
    }
    for (k, _) in &old {
        if !exp.iter().any(|(ek, _)| ek == k) {
            what.push(if k.is_empty() {
                "the folder's fingerprint has another form".to_string()
            } else {
                format!("{k} is no longer an input")
            });
        }
    }
    if what.is_empty() {
        what.push("the fingerprint differs".into());
    }
    format!(
        "the folder was started with other inputs: {}",
        what.join("; ")
    )
}

/// The replicates in `0..replicates` that `done` (sorted by index, as [`RunFolder::done`]
/// returns them) lacks, in order. The list is not built: only the finished indices are kept, so
/// the bookkeeping takes memory in proportion to the finished replicates, never to the count.
pub fn missing_replicates(done: &[ReplicateResult], replicates: u32) -> Missing {
    let mut finished: Vec<u32> = done
        .iter()
        .map(|d| d.replicate)
        .filter(|&r| r < replicates)
        .collect();
    finished.sort_unstable();
    finished.dedup();
    Missing {
        finished,
        total: replicates,
    }
}

/// The replicates a run still has to do: `0..total` less the finished ones (see
/// [`missing_replicates`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Missing {
    /// Finished indices below `total`, sorted, without repeats.
    finished: Vec<u32>,
    /// The scenario's replicate count.
    total: u32,
}

impl Missing {
    /// How many replicates are missing.
    pub fn len(&self) -> usize {
        self.total as usize - self.finished.len()
    }

    /// Whether none is.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Whether replicate `r` is missing.
    pub fn contains(&self, r: u32) -> bool {
        r < self.total && self.finished.binary_search(&r).is_err()
    }

    /// The missing replicates in ascending order.
    pub fn iter(&self) -> impl Iterator<Item = u32> + '_ {
        (0..self.total).filter(|&r| self.contains(r))
    }

    /// The missing replicates in parallel; collecting keeps ascending order.
    pub fn par_iter(&self) -> impl ParallelIterator<Item = u32> + '_ {
        (0..self.total)
            .into_par_iter()
            .filter(|&r| self.finished.binary_search(&r).is_err())
    }
}

/// The replicate index of a file named like `000042.json`, or `None`.
pub(crate) fn replicate_index(name: &str) -> Option<u32> {
    let digits = name.strip_suffix(".json")?;
    if digits.len() < 6 || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    digits.parse().ok()
}

/// Whether the folder has no entries.
fn is_empty(dir: &Path) -> Result<bool, OutputError> {
    let mut entries = fs::read_dir(dir).map_err(|source| OutputError::Read {
        path: dir.into(),
        source,
    })?;
    Ok(entries.next().is_none())
}

/// Creates `dir` and its parents; an existing folder is fine.
fn create_dir(dir: &Path) -> Result<(), OutputError> {
    fs::create_dir_all(dir).map_err(|source| OutputError::Write {
        path: dir.into(),
        source,
    })
}

/// Removes the leftovers of interrupted atomic writes directly inside `dir`.
fn remove_temp_files(dir: &Path) -> Result<(), OutputError> {
    let entries = fs::read_dir(dir).map_err(|source| OutputError::Read {
        path: dir.into(),
        source,
    })?;
    for entry in entries {
        let entry = entry.map_err(|source| OutputError::Read {
            path: dir.into(),
            source,
        })?;
        if entry.file_name().to_string_lossy().starts_with(TMP_PREFIX) {
            let path = entry.path();
            fs::remove_file(&path).map_err(|source| OutputError::Write { path, source })?;
        }
    }
    Ok(())
}

/// Writes `bytes` to `path` atomically: to a temporary file in the same folder, then renamed
/// over `path`. Readers never see a partial file; on error `path` is unchanged and the temporary
/// file is removed.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<(), OutputError> {
    let mut file = AtomicFile::create(path)?;
    file.writer()
        .write_all(bytes)
        .map_err(|source| OutputError::Write {
            path: path.into(),
            source,
        })?;
    file.commit()
}

/// A file being written atomically: a temporary file beside `path` until
/// [`commit`](AtomicFile::commit) renames it to `path`. Dropped without commit, it is deleted.
pub(crate) struct AtomicFile {
    /// The temporary file.
    tmp: tempfile::NamedTempFile,
    /// The final name.
    path: PathBuf,
}

impl AtomicFile {
    /// Creates the temporary file in `path`'s folder. Its name ends with `path`'s file name, so
    /// encoders that pick the format from the extension (the PNG writer) see the right one.
    pub(crate) fn create(path: &Path) -> Result<AtomicFile, OutputError> {
        clear::record(path)?;
        let parent = match path.parent() {
            Some(p) if !p.as_os_str().is_empty() => p,
            _ => Path::new("."),
        };
        let suffix = format!(
            "-{}",
            path.file_name()
                .map(|n| n.to_string_lossy())
                .unwrap_or_default()
        );
        let mut builder = tempfile::Builder::new();
        builder.prefix(TMP_PREFIX).suffix(&suffix);
        // NamedTempFile defaults to mode 0600; results are ordinary files, so let the umask
        // decide, as `File::create` does.
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            builder.permissions(fs::Permissions::from_mode(0o666));
        }
        let tmp = builder
            .tempfile_in(parent)
            .map_err(|source| OutputError::Write {
                path: path.into(),
                source,
            })?;
        Ok(AtomicFile {
            tmp,
            path: path.into(),
        })
    }

    /// Where the temporary file is, for writers that want a path.
    pub(crate) fn temp_path(&self) -> &Path {
        self.tmp.path()
    }

    /// A buffered writer into the temporary file.
    pub(crate) fn writer(&mut self) -> BufWriter<&mut File> {
        BufWriter::new(self.tmp.as_file_mut())
    }

    /// Renames the temporary file to the final name unless something is there by now
    /// (**errors** with `AlreadyExists` then, leaving it as it is).
    pub(crate) fn commit_noclobber(self) -> Result<(), OutputError> {
        self.tmp
            .persist_noclobber(&self.path)
            .map(drop)
            .map_err(|e| OutputError::Write {
                path: self.path,
                source: e.error,
            })
    }

    /// Renames the temporary file to the final name, replacing any file there.
    pub(crate) fn commit(self) -> Result<(), OutputError> {
        self.tmp
            .persist(&self.path)
            .map(drop)
            .map_err(|e| OutputError::Write {
                path: self.path,
                source: e.error,
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::output::fixtures::replicate;

    #[test]
    fn missing_replicates_are_the_complement_of_the_finished_ones() {
        let done: Vec<ReplicateResult> = [7, 0, 3, 3, 12].into_iter().map(replicate).collect();
        let m = missing_replicates(&done, 10);
        let expected = vec![1, 2, 4, 5, 6, 8, 9];
        assert_eq!(m.len(), 7);
        assert_eq!(m.iter().collect::<Vec<_>>(), expected);
        assert_eq!(m.par_iter().collect::<Vec<_>>(), expected);
        assert!(!m.contains(3) && m.contains(4) && !m.contains(10));
        assert!(missing_replicates(&done, 1).is_empty());
        // The count itself is not materialised: a huge count costs nothing up front.
        let huge = missing_replicates(&[], u32::MAX);
        assert_eq!(huge.len(), u32::MAX as usize);
        assert_eq!(huge.iter().take(3).collect::<Vec<_>>(), [0, 1, 2]);
    }

    /// Every entry under `dir`, relative, sorted, with file contents.
    fn snapshot(dir: &Path) -> Vec<(PathBuf, Vec<u8>)> {
        let mut out = Vec::new();
        let mut stack = vec![dir.to_path_buf()];
        while let Some(d) = stack.pop() {
            for entry in fs::read_dir(&d).expect("test folder is readable") {
                let path = entry.expect("test folder is readable").path();
                if path.is_dir() {
                    out.push((path.strip_prefix(dir).expect("under dir").into(), vec![]));
                    stack.push(path);
                } else {
                    let bytes = fs::read(&path).expect("test file is readable");
                    out.push((path.strip_prefix(dir).expect("under dir").into(), bytes));
                }
            }
        }
        out.sort();
        out
    }

    #[test]
    fn new_creates_and_refuses_non_empty() {
        let root = tempfile::tempdir().expect("temp dir");
        let dir = root.path().join("runs/a");
        let folder = RunFolder::open(&dir, FolderMode::New, "abc").expect("new folder");
        assert!(dir.join(RUN_FILE).is_file() && dir.join(REPLICATES_DIR).is_dir());
        folder.write_replicate(&replicate(3)).expect("write");

        // An unrelated non-empty folder: refused, nothing changes.
        let other = root.path().join("mine");
        fs::create_dir(&other).expect("mkdir");
        fs::write(other.join("thesis.tex"), "precious").expect("write");
        for d in [&dir, &other] {
            let before = snapshot(d);
            let err = RunFolder::open(d, FolderMode::New, "abc").expect_err("non-empty");
            assert!(matches!(err, OutputError::NotEmpty { .. }));
            let msg = err.to_string();
            assert!(msg.contains(&d.display().to_string()), "{msg}");
            assert!(msg.contains("--force") && msg.contains("--resume"), "{msg}");
            assert_eq!(snapshot(d), before);
        }

        // An empty existing folder is used.
        let empty = root.path().join("empty");
        fs::create_dir(&empty).expect("mkdir");
        RunFolder::open(&empty, FolderMode::New, "abc").expect("empty folder is fine");
    }

    #[test]
    fn force_clears_run_folders_only() {
        let root = tempfile::tempdir().expect("temp dir");
        let dir = root.path().join("run");
        let folder = RunFolder::open(&dir, FolderMode::New, "old").expect("new");
        folder.write_replicate(&replicate(0)).expect("write");
        write_atomic(&dir.join("summary.csv"), b"x").expect("write");

        // A file written by someone else is named, and nothing is removed.
        fs::write(dir.join("notes.csv"), "mine").expect("write");
        let before = snapshot(&dir);
        let err = RunFolder::open(&dir, FolderMode::Force, "new").expect_err("foreign file");
        assert!(err.to_string().contains("notes.csv"), "{err}");
        assert_eq!(snapshot(&dir), before);
        fs::remove_file(dir.join("notes.csv")).expect("rm");

        let folder = RunFolder::open(&dir, FolderMode::Force, "new").expect("force");
        assert!(folder.done(u32::MAX).expect("done").is_empty());
        assert!(!dir.join("summary.csv").exists());
        // The new fingerprint is recorded.
        RunFolder::open(&dir, FolderMode::Resume, "new").expect("resume");

        // Force on a folder that does not exist creates it.
        RunFolder::open(&root.path().join("fresh"), FolderMode::Force, "x").expect("force new");

        let other = root.path().join("mine");
        fs::create_dir(&other).expect("mkdir");
        fs::write(other.join("thesis.tex"), "precious").expect("write");
        let before = snapshot(&other);
        let err = RunFolder::open(&other, FolderMode::Force, "x").expect_err("not a run");
        assert!(matches!(err, OutputError::NotARunFolder { .. }), "{err}");
        assert_eq!(snapshot(&other), before);
    }

    #[test]
    fn resume_checks_fingerprint_and_keeps_replicates() {
        let root = tempfile::tempdir().expect("temp dir");
        let dir = root.path().join("run");
        let folder = RunFolder::open(&dir, FolderMode::New, "f1").expect("new");
        for i in [2, 0, 5] {
            folder.write_replicate(&replicate(i)).expect("write");
        }
        // A leftover of a write killed half-way.
        let stale = dir.join(REPLICATES_DIR).join(".ovation-tmp-x1-000001.json");
        fs::write(&stale, "{\"replic").expect("write");

        let err = RunFolder::open(&dir, FolderMode::Resume, "f2").expect_err("mismatch");
        let OutputError::FingerprintMismatch {
            expected, found, ..
        } = &err
        else {
            panic!("expected FingerprintMismatch, got {err}");
        };
        assert_eq!((expected.as_str(), found.as_str()), ("f2", "f1"));
        assert!(err.to_string().contains("run.json"), "{err}");

        let folder = RunFolder::open(&dir, FolderMode::Resume, "f1").expect("resume");
        assert!(!stale.exists());
        let done = folder.done(u32::MAX).expect("done");
        assert_eq!(done, vec![replicate(0), replicate(2), replicate(5)]);

        let missing = root.path().join("nope");
        let err = RunFolder::open(&missing, FolderMode::Resume, "f1").expect_err("missing");
        assert!(matches!(err, OutputError::ResumeMissing { .. }), "{err}");
        let empty = root.path().join("empty");
        fs::create_dir(&empty).expect("mkdir");
        let err = RunFolder::open(&empty, FolderMode::Resume, "f1").expect_err("no run.json");
        assert!(matches!(err, OutputError::ResumeNotStarted { .. }), "{err}");
    }

    #[test]
    fn replicate_round_trips_exact_floats() {
        let root = tempfile::tempdir().expect("temp dir");
        let folder = RunFolder::open(root.path(), FolderMode::New, "f").expect("new");
        let mut r = replicate(7);
        r.final_standing = 1.0 / 3.0;
        r.conformers = 0.1 + 0.2;
        r.information_efficiency = 5e-324;
        folder.write_replicate(&r).expect("write");
        assert!(folder.replicate_path(7).ends_with("replicates/000007.json"));
        assert_eq!(folder.done(u32::MAX).expect("done"), vec![r]);
    }

    #[test]
    fn done_rejects_a_misnamed_replicate() {
        let root = tempfile::tempdir().expect("temp dir");
        let folder = RunFolder::open(root.path(), FolderMode::New, "f").expect("new");
        let bytes = serde_json::to_vec(&replicate(1)).expect("json");
        write_atomic(&folder.replicate_path(4), &bytes).expect("write");
        let err = folder.done(u32::MAX).expect_err("misnamed");
        assert!(err.to_string().contains("000004.json"), "{err}");
    }

    #[test]
    fn atomic_write_leaves_no_temp_files() {
        let root = tempfile::tempdir().expect("temp dir");
        let path = root.path().join("a.txt");
        write_atomic(&path, b"one").expect("write");
        write_atomic(&path, b"two").expect("overwrite");
        assert_eq!(fs::read(&path).expect("read"), b"two");
        // An abandoned write leaves nothing behind.
        let file = AtomicFile::create(&root.path().join("b.png")).expect("create");
        assert!(file.temp_path().to_string_lossy().ends_with("-b.png"));
        drop(file);
        let names: Vec<_> = snapshot(root.path()).into_iter().map(|(p, _)| p).collect();
        assert_eq!(names, vec![PathBuf::from("a.txt")]);
        // A folder that does not exist is an error naming the file.
        let err = write_atomic(&root.path().join("no/such/c.txt"), b"x").expect_err("no dir");
        assert!(err.to_string().contains("c.txt"), "{err}");
    }
}
