//! The files of a sharded job: `shard.json` in a shard's partial result folder, and the list of
//! shards a merged folder's manifest records.
//!
//! A shard folder has the layout of the job's own folder (a run folder, or a sweep or
//! comparison folder with its `cells/` or `strategies/`), holding only the replicates of its
//! shard, and no tables: those are written once, by `ovation merge`, from every shard's
//! replicates. Beside them, `shard.json`:
//!
//! ```text
//! {
//!   "written_by": "ovation",
//!   "kind": "sweep",                     run, sweep or compare
//!   "shard": 2, "shards": 3,             this is shard 2 of 3 (numbered from 1)
//!   "scenario_file": "scenarios/x.toml", as given, read from `cwd`
//!   "cwd": "/home/me/study",
//!   "overrides": ["model.quality=0.5"],
//!   "job": "scenario: ...\nprogram: ...", what identifies the job (scenario, seed, inputs, build)
//!   "units": 40,                         replicates assigned to this shard
//!   "complete": true                     false until every one of them is written
//! }
//! ```

use std::fs;
use std::io;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::OutputError;
use super::folder::write_atomic;
use crate::engine::measures::ReplicateResult;

/// Name of the file that marks a shard's partial result folder.
pub const SHARD_FILE: &str = "shard.json";

/// What `run.json`'s and `shard.json`'s `written_by` say.
const WRITTEN_BY: &str = "ovation";

/// Contents of `shard.json`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ShardFile {
    /// Always `ovation`.
    pub written_by: String,
    /// The job: `run`, `sweep` or `compare`.
    pub kind: String,
    /// This shard's number, from 1.
    pub shard: u32,
    /// How many shards the job was split into.
    pub shards: u32,
    /// The scenario file as given on the command line.
    pub scenario_file: String,
    /// The working folder the shard ran in (a relative `scenario_file` is read from it).
    pub cwd: String,
    /// The `--set` overrides, in order.
    pub overrides: Vec<String>,
    /// What identifies the job: one `label: value` line per input (the resolved scenario, seed
    /// included, every graph file's hash, the program build).
    pub job: String,
    /// Replicates assigned to this shard.
    pub units: u64,
    /// Whether every assigned replicate is written.
    pub complete: bool,
}

impl ShardFile {
    /// A shard file for a job of `kind`, not yet complete.
    #[allow(clippy::too_many_arguments)]
    pub fn new(
        kind: &str,
        shard: u32,
        shards: u32,
        scenario_file: &Path,
        overrides: &[String],
        job: &str,
        units: u64,
    ) -> ShardFile {
        ShardFile {
            written_by: WRITTEN_BY.into(),
            kind: kind.into(),
            shard,
            shards,
            scenario_file: scenario_file.display().to_string(),
            cwd: std::env::current_dir()
                .map(|d| d.display().to_string())
                .unwrap_or_default(),
            overrides: overrides.to_vec(),
            job: job.into(),
            units,
            complete: false,
        }
    }

    /// Writes it to `dir/shard.json`, atomically.
    pub fn write(&self, dir: &Path) -> Result<(), OutputError> {
        let path = dir.join(SHARD_FILE);
        let mut bytes = serde_json::to_vec_pretty(self).map_err(|source| OutputError::Json {
            path: path.clone(),
            source,
        })?;
        bytes.push(b'\n');
        write_atomic(&path, &bytes)
    }

    /// Reads `dir/shard.json`: `Ok(None)` when there is none, an error naming the file when it
    /// cannot be read or is not one ovation wrote.
    pub fn read(dir: &Path) -> Result<Option<ShardFile>, OutputError> {
        let path = dir.join(SHARD_FILE);
        let bytes = match fs::read(&path) {
            Ok(b) => b,
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(None),
            Err(source) => return Err(OutputError::Read { path, source }),
        };
        let file: ShardFile =
            serde_json::from_slice(&bytes).map_err(|source| OutputError::Json {
                path: path.clone(),
                source,
            })?;
        if file.written_by != WRITTEN_BY {
            return Err(OutputError::NotARunFolder {
                dir: dir.into(),
                reason: format!(
                    "its shard.json says it was written by {:?}",
                    file.written_by
                ),
                found: String::new(),
            });
        }
        Ok(Some(file))
    }
}

/// One shard as a merged folder's manifest lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ShardEntry {
    /// `I/N`.
    pub shard: String,
    /// The shard's folder, as given to `merge`.
    pub folder: String,
    /// Replicates it ran.
    pub replicates: u64,
}

/// The finished replicate `replicate` kept in the run folder `dir` (its file's bytes, and the
/// result they hold), read without opening the folder for writing: `Ok(None)` when the file is
/// not there; an error naming the file when it cannot be read, parsed, or holds another
/// replicate.
pub fn read_replicate(
    dir: &Path,
    replicate: u32,
) -> Result<Option<(Vec<u8>, ReplicateResult)>, OutputError> {
    let path: PathBuf = dir
        .join(super::folder::REPLICATES_DIR)
        .join(format!("{replicate:06}.json"));
    let bytes = match fs::read(&path) {
        Ok(b) => b,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(None),
        Err(source) => return Err(OutputError::Read { path, source }),
    };
    let result: ReplicateResult =
        serde_json::from_slice(&bytes).map_err(|source| OutputError::Json {
            path: path.clone(),
            source,
        })?;
    if result.replicate != replicate {
        return Err(OutputError::WrongReplicate {
            path,
            expected: replicate,
            found: result.replicate,
        });
    }
    Ok(Some((bytes, result)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::output::fixtures::replicate;
    use crate::output::{FolderMode, RunFolder};

    #[test]
    fn shard_file_round_trips_and_is_recognised() {
        let root = tempfile::tempdir().expect("temp dir");
        let f = ShardFile::new(
            "sweep",
            2,
            3,
            Path::new("s.toml"),
            &["a=1".into()],
            "scenario: 1\n",
            7,
        );
        assert_eq!(ShardFile::read(root.path()).expect("none"), None);
        f.write(root.path()).expect("write");
        assert_eq!(ShardFile::read(root.path()).expect("read"), Some(f));
        fs::write(
            root.path().join(SHARD_FILE),
            br#"{"written_by":"else","kind":"run","shard":1,"shards":1,"scenario_file":"",
            "cwd":"","overrides":[],"job":"","units":0,"complete":true}"#,
        )
        .expect("write");
        let err = ShardFile::read(root.path()).expect_err("foreign");
        assert!(err.to_string().contains("else"), "{err}");
    }

    #[test]
    fn read_replicate_gives_the_bytes_written() {
        let root = tempfile::tempdir().expect("temp dir");
        let folder = RunFolder::open(root.path(), FolderMode::New, "f").expect("new");
        folder.write_replicate(&replicate(4)).expect("write");
        let (bytes, r) = read_replicate(root.path(), 4)
            .expect("read")
            .expect("present");
        assert_eq!(r, replicate(4));
        assert_eq!(
            bytes,
            fs::read(folder.replicate_path(4)).expect("file bytes")
        );
        assert!(read_replicate(root.path(), 5).expect("read").is_none());
    }
}
