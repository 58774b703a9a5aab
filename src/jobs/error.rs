//! [`JobError`]: why a job did not finish. Every message names the file or folder involved,
//! and says what to do next where there is something to do.

use std::path::PathBuf;

use crate::output::OutputError;
use crate::scenario::ScenarioErrors;

/// Why a job did not finish.
#[derive(Debug, thiserror::Error)]
pub enum JobError {
    /// The scenario file has errors (one per line, `file:line:col: key: expected ...`).
    #[error("{0}")]
    Scenario(#[from] ScenarioErrors),
    /// A sweep was asked of a scenario without a `[sweep]` table.
    #[error(
        "{file}: no [sweep] table; add one naming the keys to vary, e.g.\n  [sweep.grid]\n  \
         \"model.quality\" = [0.4, 0.5, 0.6]\n(see docs/sweep.md)"
    )]
    NoSweep {
        /// The scenario file.
        file: String,
    },
    /// The scenarios would need more memory than the limit.
    #[error("{file}: {message}")]
    Memory {
        /// The scenario file.
        file: String,
        /// The estimate against the limit.
        message: String,
    },
    /// `agents.csv` was asked for a run too large for it.
    #[error(
        "{file}: output.agents: agents.csv would have {} rows ({nodes} agents x {replicates} \
         replicates), more than the limit of {}; turn it off, or lower `replicates` or the \
         graph's size (docs/output.md)",
        nodes.saturating_mul(u64::from(*replicates)),
        crate::scenario::MAX_AGENT_ROWS
    )]
    TooManyAgents {
        /// The scenario file.
        file: String,
        /// Agents in the graph.
        nodes: u64,
        /// Replicates in the run.
        replicates: u32,
    },
    /// A comparison's headline measure has no declared better direction and the scenario's
    /// `[compare]` table gives no `goal`.
    #[error("{}: {}", file.display(), crate::output::compare::no_goal_text(measure))]
    NoGoal {
        /// The scenario file.
        file: PathBuf,
        /// The headline measure.
        measure: String,
    },
    /// The job needs a result folder and was asked to keep its results in memory.
    #[error("{job} writes a result folder: give it one")]
    NeedsFolder {
        /// The job (`sweep`, `compare`, `fit`).
        job: &'static str,
    },
    /// The result folder could not be opened, read or written.
    #[error(transparent)]
    Output(#[from] OutputError),
    /// Building the graph or the agents failed before any replicate ran.
    #[error("{0:#}")]
    Setup(anyhow::Error),
    /// Some replicates failed; the others finished (and are kept in the folder, if any).
    #[error("{}", failed_text(*failed, *total, unit, dir.as_ref(), first))]
    Failed {
        /// How many failed.
        failed: usize,
        /// How many were run.
        total: usize,
        /// What a unit is called (`replicates`, `runs`).
        unit: &'static str,
        /// The folder keeping the finished ones.
        dir: Option<PathBuf>,
        /// The first failure, naming its replicate.
        first: String,
    },
    /// The progress observer stopped the job (Ctrl-C); finished replicates are kept.
    #[error("{}", interrupted_text(*finished, *total, unit, dir.as_ref()))]
    Interrupted {
        /// How many finished before the stop.
        finished: usize,
        /// How many were to run.
        total: usize,
        /// What a unit is called.
        unit: &'static str,
        /// The folder keeping the finished ones.
        dir: Option<PathBuf>,
    },
    /// The fit failed (its own messages name the key or file).
    #[error("{0:#}")]
    Fit(anyhow::Error),
    /// Shard folders could not be merged (a missing, repeated or foreign shard, one that did
    /// not finish, or a scenario that changed since), or a shard was asked of a job that cannot
    /// be split; the message names the folder or shard.
    #[error("{0}")]
    Merge(String),
}

fn failed_text(
    failed: usize,
    total: usize,
    unit: &str,
    dir: Option<&PathBuf>,
    first: &str,
) -> String {
    match dir {
        Some(d) => format!(
            "{failed} of {total} {unit} failed (finished ones are kept in {}; rerun with \
             --resume): {first}",
            d.display()
        ),
        None => format!("{failed} of {total} {unit} failed: {first}"),
    }
}

fn interrupted_text(finished: usize, total: usize, unit: &str, dir: Option<&PathBuf>) -> String {
    match dir {
        Some(d) => format!(
            "interrupted: {finished} of {total} {unit} finished (kept in {}; rerun with \
             --resume)",
            d.display()
        ),
        None => format!("interrupted: {finished} of {total} {unit} finished"),
    }
}
