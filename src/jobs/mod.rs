//! Jobs: `run`, `sweep`, `compare` and `fit` as library calls.
//!
//! Each job takes a validated scenario (see [`crate::scenario`]), [`JobOptions`] (where the
//! results go, the memory limit, a [`Progress`] observer) and returns typed results with the
//! manifest. The command line (`cli`) and the Python package are thin layers over these calls:
//! they parse arguments, draw progress and print.
//!
//! A job runs its replicates on the current rayon pool (`ThreadPool::install` chooses the
//! thread count); results are byte-identical for any count. Every job shares one failure and
//! resume policy (`pool`): each finished replicate is written to its folder at once, a
//! failed replicate does not stop the others, and the job then fails naming how many failed
//! and the first error, keeping the finished ones for `--resume`. A [`Progress`] that reports
//! [`Progress::cancelled`] stops the job between replicates, with the same guarantee.

mod blocks;
pub mod compare;
mod error;
pub mod fit;
mod manifest;
#[cfg(feature = "distributed")]
pub mod partitioned;
mod pool;
pub mod run;
pub mod shard;
pub mod sweep;

use std::path::PathBuf;

pub use compare::{CompareOutcome, compare};
pub use error::JobError;
pub use fit::{FitOutcome, fit};
pub use run::{RunOutcome, run};
pub use shard::{MergeOutcome, Shard, ShardOutcome, merge};
pub use sweep::{SweepOutcome, sweep};

use crate::output::FolderMode;
use crate::scenario::{Scenario, memory};

/// Where a job's results go.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Destination {
    /// A result folder, opened new, with `--force` or with `--resume`.
    Folder {
        /// The folder.
        dir: PathBuf,
        /// How to open it.
        mode: FolderMode,
    },
    /// Nowhere: the results are only returned (`run` only; `sweep`, `compare` and `fit` need
    /// a folder, since their tables and plots are built from the cells' folders).
    Memory,
}

impl Destination {
    /// The folder, when there is one.
    pub fn dir(&self) -> Option<&std::path::Path> {
        match self {
            Destination::Folder { dir, .. } => Some(dir),
            Destination::Memory => None,
        }
    }

    /// Whether replicates already in the folder are kept and only the missing ones run.
    pub fn resume(&self) -> bool {
        matches!(
            self,
            Destination::Folder {
                mode: FolderMode::Resume,
                ..
            }
        )
    }
}

/// Hears how a job advances, and may stop it. Every method has a default that does nothing.
///
/// Its methods are called from the worker threads, hence `Sync`.
pub trait Progress: Sync {
    /// The job has `total` units (replicates, cells or runs, named by `unit`) of which `done`
    /// were already finished (resumed).
    fn start(&self, unit: &str, total: u64, done: u64) {
        let _ = (unit, total, done);
    }
    /// One more unit finished.
    fn advance(&self) {}
    /// All units finished (or the job stopped).
    fn finish(&self) {}
    /// Something the user should know that does not stop the job (for instance a graph file
    /// whose first line looks like a header).
    fn warn(&self, text: &str) {
        let _ = text;
    }
    /// Whether the job should stop: asked before each replicate starts.
    fn cancelled(&self) -> bool {
        false
    }
}

/// A [`Progress`] that hears nothing and never stops a job.
#[derive(Debug, Clone, Copy, Default)]
pub struct Silent;

impl Progress for Silent {}

/// How to run a job.
pub struct JobOptions<'a> {
    /// Where the results go.
    pub destination: Destination,
    /// Memory (bytes) the job's scenarios may need together: one estimated above it is
    /// refused before anything is allocated (`u64::MAX`: no limit).
    pub memory_limit: u64,
    /// Hears progress and may stop the job.
    pub progress: &'a dyn Progress,
}

impl<'a> JobOptions<'a> {
    /// Results only in memory, no memory limit, no progress.
    pub fn in_memory() -> JobOptions<'static> {
        JobOptions {
            destination: Destination::Memory,
            memory_limit: u64::MAX,
            progress: &Silent,
        }
    }

    /// Results in the folder `dir`, opened with `mode`; no memory limit, no progress.
    pub fn folder(dir: impl Into<PathBuf>, mode: FolderMode) -> JobOptions<'static> {
        JobOptions {
            destination: Destination::Folder {
                dir: dir.into(),
                mode,
            },
            memory_limit: u64::MAX,
            progress: &Silent,
        }
    }

    /// The folder, or [`JobError::NeedsFolder`] for `job`.
    fn require_folder(&self, job: &'static str) -> Result<(PathBuf, FolderMode), JobError> {
        match &self.destination {
            Destination::Folder { dir, mode } => Ok((dir.clone(), *mode)),
            Destination::Memory => Err(JobError::NeedsFolder { job }),
        }
    }
}

/// Refuses `agents.csv` (`[output] agents = true`) beyond
/// [`MAX_AGENT_ROWS`](crate::scenario::MAX_AGENT_ROWS) rows: agents x replicates, the agents
/// counted on `graph` when it is loaded, else on the generator's spec (a graph file not yet
/// loaded is checked once it is).
pub(crate) fn check_agents(
    scenario: &Scenario,
    graph: Option<&crate::graph::FollowerGraph>,
) -> Result<(), JobError> {
    if !scenario.output.agents {
        return Ok(());
    }
    let nodes = match (graph, &scenario.graph) {
        (Some(g), _) => u64::from(g.node_count()),
        (None, crate::scenario::GraphSource::Generator { spec, .. }) => spec.node_count(),
        (None, crate::scenario::GraphSource::File { .. }) => return Ok(()),
    };
    let rows = nodes.saturating_mul(u64::from(scenario.replicates));
    if rows > crate::scenario::MAX_AGENT_ROWS {
        return Err(JobError::TooManyAgents {
            file: scenario.path.display().to_string(),
            nodes,
            replicates: scenario.replicates,
        });
    }
    Ok(())
}

/// The memory estimate of `scenarios` run together in one pool (on the current pool's
/// threads), refused when above `limit` naming the estimate and the limit; also refuses
/// `agents.csv` of a generated graph beyond its size (`check_agents`).
pub fn check_memory(
    scenarios: &[&Scenario],
    limit: u64,
) -> Result<memory::MemoryEstimate, JobError> {
    let threads = rayon::current_num_threads() as u64;
    let each: Vec<_> = scenarios
        .iter()
        .map(|s| memory::estimate(s, threads))
        .collect();
    for s in scenarios {
        check_agents(s, None)?;
    }
    let all = memory::combined(&each);
    memory::check(&all, limit).map_err(|message| JobError::Memory {
        file: scenarios
            .first()
            .map(|s| s.path.display().to_string())
            .unwrap_or_default(),
        message,
    })?;
    Ok(all)
}
