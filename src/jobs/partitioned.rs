//! A partitioned run into a result folder (feature `distributed`): the scenario's replicates
//! one after the other, each partitioned across timely processes ([`crate::distributed`]),
//! written as `run` writes them: `run.json` first, each replicate's file as it finishes, then
//! the summary, steps, statistics, plots, manifest and report. A process that dies ends the
//! run with an error within seconds; the replicates finished before stay, and `--resume`
//! (every process started again) runs only the others.
//!
//! The folder is the one process 0 (the host of worker 0) writes; the others only compute.
//! Its fingerprint marks it as partitioned, so it is never resumed as a plain run's folder or
//! the other way round: a partitioned replicate's edge visits are its own count, and it has no
//! seed reach or measures by class (they need the whole graph or population in one place).

use std::path::{Path, PathBuf};
use std::time::SystemTime;

use super::{JobError, manifest};
use crate::distributed::{self, ProcessPart};
use crate::output::{self, FolderMode, RunFolder, StepSource};
use crate::runner;
use crate::scenario::Scenario;

/// What a partitioned run did in this process.
#[derive(Debug)]
pub struct PartitionedOutcome {
    /// What this process held.
    pub held: ProcessPart,
    /// The result folder, in the process that wrote it (process 0).
    pub folder: Option<PathBuf>,
    /// Replicates run now (process 0).
    pub ran: u32,
    /// Replicates found finished in the folder and kept (process 0, `--resume`).
    pub resumed: u32,
}

/// Runs `scenario`'s replicates partitioned across the processes `timely_args` describe; the
/// process with `-p 0` writes the result folder `dir` (opened new, with `--force` or with
/// `--resume` as `mode` says).
pub fn partitioned(
    scenario: &Scenario,
    dir: &Path,
    mode: FolderMode,
    timely_args: Vec<String>,
) -> Result<PartitionedOutcome, JobError> {
    let started = SystemTime::now();
    distributed::check(scenario).map_err(JobError::Setup)?;
    if distributed::process_index(&timely_args).map_err(JobError::Setup)? != 0 {
        let held = distributed::run_replicates(scenario, None, timely_args, Box::new(|_| Ok(())))
            .map_err(JobError::Setup)?;
        return Ok(PartitionedOutcome {
            held,
            folder: None,
            ran: 0,
            resumed: 0,
        });
    }
    let fingerprint = format!("{}\npartitioned", runner::fingerprint(scenario));
    let folder = RunFolder::open(dir, mode, &fingerprint)?;
    let done = folder.done_summaries(scenario.replicates)?;
    let todo: Vec<u32> = output::missing_replicates(&done, scenario.replicates)
        .iter()
        .collect();
    let writer = folder.clone();
    let held = distributed::run_replicates(
        scenario,
        Some(todo.clone()),
        timely_args,
        Box::new(move |(_, result)| Ok(writer.write_replicate(&result)?)),
    )
    .map_err(JobError::Setup)?;
    let results = folder.done_summaries(scenario.replicates)?;
    let manifest = manifest::manifest(
        scenario,
        None,
        started,
        SystemTime::now(),
        done.len() as u32,
    )?;
    output::finish_streamed(
        &folder,
        &manifest,
        &results,
        StepSource::Files,
        scenario.theater_layout().map(|t| (t.rows, t.seats)),
        scenario.output.plots,
        scenario.output.steps_csv,
    )?;
    output::report::write_report(folder.path())?;
    Ok(PartitionedOutcome {
        held,
        folder: Some(folder.path().to_path_buf()),
        ran: todo.len() as u32,
        resumed: done.len() as u32,
    })
}
