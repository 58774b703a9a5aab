//! Errors from writing and reading a run folder. Every variant names the file or folder.

use std::path::PathBuf;

/// Something went wrong with a result file or folder.
#[derive(Debug, thiserror::Error)]
pub enum OutputError {
    /// `--out` points at a folder that already holds files, and neither `--force` nor
    /// `--resume` was given. The folder is left untouched.
    #[error(
        "{}: the folder already exists and is not empty; pass --force to overwrite it or \
         --resume to finish the run in it",
        dir.display()
    )]
    NotEmpty {
        /// The folder.
        dir: PathBuf,
    },
    /// The path exists but is a file, not a folder.
    #[error("{}: exists and is not a folder; choose another output folder", path.display())]
    NotAFolder {
        /// The path.
        path: PathBuf,
    },
    /// `--force` was given for a non-empty folder that ovation did not create (no `run.json`,
    /// or one ovation did not write); nothing in it is removed, since it may hold anything.
    #[error(
        "{}: refusing to clear this folder with --force: it is not an ovation result folder \
         ({reason}; found: {found}); nothing was removed; choose another output folder",
        dir.display()
    )]
    NotARunFolder {
        /// The folder.
        dir: PathBuf,
        /// Why it is not recognised.
        reason: String,
        /// Its entries, by name.
        found: String,
    },
    /// `--force` was given for a result folder that also holds entries ovation did not write;
    /// nothing in it is removed.
    #[error(
        "{}: refusing to clear this folder with --force: it holds entries ovation did not \
         write: {entries}; nothing was removed; move them elsewhere or choose another output \
         folder",
        dir.display()
    )]
    UnknownEntries {
        /// The folder.
        dir: PathBuf,
        /// The entries, relative to the folder.
        entries: String,
    },
    /// `--resume` was given for a folder that does not exist.
    #[error("{}: cannot resume: the folder does not exist; run without --resume to start it", dir.display())]
    ResumeMissing {
        /// The folder.
        dir: PathBuf,
    },
    /// `--resume` was given for a folder without `run.json`.
    #[error(
        "{}: cannot resume: the file is missing, so the folder was not started by `ovation run`",
        path.display()
    )]
    ResumeNotStarted {
        /// The missing `run.json`.
        path: PathBuf,
    },
    /// `--resume` was given for a folder started with other inputs (scenario, graph file,
    /// program build).
    #[error(
        "{}: cannot resume: {changed}; the results would mix the two; pass --force to start \
         over or choose another output folder",
        path.display()
    )]
    FingerprintMismatch {
        /// What changed, in words.
        changed: String,
        /// The `run.json` read.
        path: PathBuf,
        /// The fingerprint of the scenario being run.
        expected: String,
        /// The fingerprint recorded in the folder.
        found: String,
    },
    /// A file or folder could not be created, written, renamed or removed.
    #[error("{}: cannot write: {source}", path.display())]
    Write {
        /// The file or folder.
        path: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
    /// A file or folder could not be read.
    #[error("{}: cannot read: {source}", path.display())]
    Read {
        /// The file or folder.
        path: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
    /// A JSON file could not be written or parsed.
    #[error("{}: {source}", path.display())]
    Json {
        /// The file.
        path: PathBuf,
        /// The cause, with line and column when parsing.
        source: serde_json::Error,
    },
    /// A finished-replicate file does not hold the replicate its name says.
    #[error("{}: expected replicate {expected}, found replicate {found}", path.display())]
    WrongReplicate {
        /// The file.
        path: PathBuf,
        /// The index in the file name.
        expected: u32,
        /// The index in the file.
        found: u32,
    },
    /// A CSV table the report reads back (a sweep's `cells.csv`) could not be read.
    #[error("{}: cannot read CSV: {source}", path.display())]
    CsvRead {
        /// The file.
        path: PathBuf,
        /// The cause (with the line and field, when a field is wrong).
        source: csv::Error,
    },
    /// A CSV table could not be written.
    #[error("{}: cannot write CSV: {source}", path.display())]
    Csv {
        /// The file.
        path: PathBuf,
        /// The cause.
        source: csv::Error,
    },
    /// A plot could not be drawn or encoded.
    #[error("{}: cannot draw the plot: {message}", path.display())]
    Plot {
        /// The file.
        path: PathBuf,
        /// What the plotting library said.
        message: String,
    },
    /// The results do not fit the plot or table asked for (a bug in the caller).
    #[error("{}: {message}", path.display())]
    Inconsistent {
        /// The file that was to be written.
        path: PathBuf,
        /// What did not fit.
        message: String,
    },
    /// The per-step checkpoint of a run without `steps.csv` is not one ovation wrote, or is cut
    /// short.
    #[error(
        "{}: not a per-step checkpoint written by this ovation ({message}); remove it and \
         resume (the replicates after the last complete checkpoint are run again)",
        path.display()
    )]
    Checkpoint {
        /// The file.
        path: PathBuf,
        /// What is wrong with it.
        message: String,
    },
}
