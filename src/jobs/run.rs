//! The `run` job: a scenario's replicates in parallel, written to a result folder (each
//! replicate as soon as it finishes, so a killed run can `--resume`) or kept in memory.

use std::path::{Path, PathBuf};
use std::time::SystemTime;

use super::blocks::Blocks;
use super::pool::{self, Units};
use super::shard::{Done, Phase, Shard, ShardOutcome, expected_cost, write_shard_file};
use super::{JobError, JobOptions, check_memory, manifest};
use crate::engine::ReplicateResult;
use crate::graph::{FollowerGraph, io};
use crate::output::aggregate::RunStats;
use crate::output::steps::OrderedSteps;
use crate::output::{self, Manifest, OutputError, RunFolder, StepSource};
use crate::runner;
use crate::scenario::{GraphSource, Scenario};

/// What a finished run returns.
#[derive(Debug)]
pub struct RunOutcome {
    /// One result per replicate, by replicate index (resumed ones included).
    pub results: Vec<ReplicateResult>,
    /// The run's manifest (as written to `manifest.json` when there is a folder).
    pub manifest: Manifest,
    /// The result folder, when the run wrote one.
    pub folder: Option<PathBuf>,
    /// What `stats.json` holds (its per-step means were accumulated as the replicates
    /// finished: `results` carry no trajectories when the run wrote a folder).
    stats: Box<RunStats>,
}

impl RunOutcome {
    /// `summary.csv`: one row per replicate, as the folder has it.
    pub fn summary_csv(&self) -> Result<String, JobError> {
        table(&self.results, output::tables::write_summary)
    }

    /// `steps.csv`: tidy per-step measures, as the folder has it. A run that wrote a folder
    /// kept no trajectories in memory, so the folder's `steps.csv` is read back; with
    /// `[output] steps_csv = false` there is none and the table is its header alone.
    pub fn steps_csv(&self) -> Result<String, JobError> {
        match &self.folder {
            Some(dir) => {
                let path = dir.join("steps.csv");
                match std::fs::read_to_string(&path) {
                    Ok(text) => Ok(text),
                    Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                        table(&[], output::tables::write_steps)
                    }
                    Err(e) => Err(JobError::Setup(anyhow::anyhow!(
                        "{}: cannot read the run's steps.csv: {e}",
                        path.display()
                    ))),
                }
            }
            None => table(&self.results, output::tables::write_steps),
        }
    }

    /// `classes.csv`: tidy measures by population class, as the folder has it.
    pub fn classes_csv(&self) -> Result<String, JobError> {
        table(&self.results, output::tables::write_classes)
    }

    /// `agents.csv`: each agent's end state per replicate, as the folder has it; empty (no
    /// header either) unless the scenario asked for it (`[output] agents = true`), as the folder
    /// then has no such file.
    pub fn agents_csv(&self) -> Result<String, JobError> {
        if self.results.iter().all(|r| r.agents.is_none()) {
            return Ok(String::new());
        }
        table(&self.results, output::tables::write_agents)
    }

    /// `stats.json`: means and intervals across replicates, as the folder has it.
    pub fn stats_json(&self) -> Result<String, JobError> {
        let bytes = output::json::stats_json(&self.stats).map_err(|source| OutputError::Json {
            path: PathBuf::from("stats.json"),
            source,
        })?;
        Ok(String::from_utf8_lossy(&bytes).into_owned())
    }

    /// One line: replicates and the mean standing share at the first and the last step.
    pub fn summary_line(&self, name: &str) -> String {
        let n = self.results.len().max(1) as f64;
        let mean = |f: fn(&ReplicateResult) -> f64| self.results.iter().map(f).sum::<f64>() / n;
        format!(
            "{name}: {} replicates, standing {:.3} at first -> {:.3} at the end (means)",
            self.results.len(),
            mean(|r| r.initial_standing),
            mean(|r| r.final_standing),
        )
    }
}

/// A table of `results` written by `write`, as text.
fn table(
    results: &[ReplicateResult],
    write: fn(&mut dyn std::io::Write, &[&ReplicateResult]) -> csv::Result<()>,
) -> Result<String, JobError> {
    let sorted: Vec<&ReplicateResult> = results.iter().collect();
    let mut bytes = Vec::new();
    write(&mut bytes, &sorted).map_err(|e| JobError::Setup(anyhow::anyhow!("table: {e}")))?;
    Ok(String::from_utf8_lossy(&bytes).into_owned())
}

/// The graph the replicates of `scenario` share (None when each builds its own), with the
/// header warning when a graph file's first line looks like column names.
pub(crate) fn shared_graph(
    scenario: &Scenario,
    options: &JobOptions<'_>,
) -> Result<Option<FollowerGraph>, JobError> {
    if runner::graph_per_replicate(scenario) {
        return Ok(None);
    }
    let graph = runner::load_graph_noting(scenario, None, &|t| options.progress.warn(&t))
        .map_err(JobError::Setup)?;
    if let GraphSource::File { path, import, .. } = &scenario.graph
        && !import.header
        && let Some((a, b)) = io::header_suspect(&graph)
    {
        options.progress.warn(&format!(
            "{}: the first line `{a} {b}` looks like a column header, read as an edge between \
             two accounts named `{a}` and `{b}`; if it is one, skip it with `header = true` \
             under [graph]",
            path.display()
        ));
    }
    Ok(Some(graph))
}

/// Runs `scenario`'s replicates and writes its result folder (tables, `stats.json`, plots,
/// `manifest.json`, `report.html`) when `options` name one.
pub fn run(scenario: &Scenario, options: &JobOptions<'_>) -> Result<RunOutcome, JobError> {
    run_in(scenario, options, Phase::Whole)?.job()
}

/// Runs shard `shard` of `scenario`'s replicates into the folder `options` name (see
/// [`super::shard`]): its replicates and `shard.json`, no tables.
pub fn run_shard(
    scenario: &Scenario,
    shard: Shard,
    options: &JobOptions<'_>,
) -> Result<ShardOutcome, JobError> {
    run_in(scenario, options, Phase::Shard(shard))?.shard()
}

/// What identifies a run of `scenario` across shards: its seed (named apart, for the messages)
/// and its folder's fingerprint (the resolved scenario, the graph file, the program build).
pub(crate) fn identity(scenario: &Scenario) -> String {
    format!("seed: {}\n{}", scenario.seed, runner::fingerprint(scenario))
}

/// The run, whole, as a shard or as a merge (see [`Phase`]).
pub(crate) fn run_in(
    scenario: &Scenario,
    options: &JobOptions<'_>,
    phase: Phase<'_>,
) -> Result<Done<RunOutcome>, JobError> {
    let started = SystemTime::now();
    check_memory(&[scenario], options.memory_limit)?;
    let job = identity(scenario);
    let folder = match options.destination.dir() {
        Some(dir) => {
            let (_, mode) = options.require_folder("run")?;
            Some(RunFolder::open(
                dir,
                mode,
                &phase.fingerprint(&runner::fingerprint(scenario), &job),
            )?)
        }
        None if matches!(phase, Phase::Whole) => None,
        None => return Err(JobError::NeedsFolder { job: "a shard" }),
    };
    let assignment = phase.assignment(&[(expected_cost(scenario), scenario.replicates)]);
    // Without steps.csv the trajectories are dropped as the replicates finish, their per-step
    // means accumulated in replicate order (output::steps); with it they stay in the replicate
    // files, read back one at a time by `finish`. Either way no run holds them all. Shards and
    // their merge keep them in the files: a shard runs only some of the replicates.
    let accumulate =
        folder.is_some() && !scenario.output.steps_csv && matches!(phase, Phase::Whole);
    let (done, ordered) = match &folder {
        Some(f) if accumulate => {
            pool::resume_state(f, scenario.replicates, options.destination.resume(), true)?
        }
        Some(f) => (
            phase.start(
                assignment.as_ref(),
                0,
                Path::new(""),
                scenario.replicates,
                f,
                options.destination.resume(),
            )?,
            None,
        ),
        None => (Vec::new(), None),
    };
    let mut steps = vec![ordered];
    let shard = phase.shard();
    let mine = |r: &ReplicateResult| {
        shard.is_none_or(|s| {
            assignment
                .as_ref()
                .is_some_and(|a| a.owner(0, r.replicate) == s.index)
        })
    };
    let (total, found) = match (shard, &assignment) {
        (Some(s), Some(a)) => (
            a.units(s.index),
            done.iter().filter(|r| mine(r)).count() as u64,
        ),
        _ => (u64::from(scenario.replicates), done.len() as u64),
    };
    if let (Some(s), Some(f)) = (shard, &folder) {
        write_shard_file(f.path(), "run", s, scenario, &job, total, false)?;
    }
    let graph = if phase.has_group(assignment.as_ref(), 0) {
        shared_graph(scenario, options)?
    } else {
        None
    };
    super::check_agents(scenario, graph.as_ref())?;
    let units = vec![(0, output::missing_replicates(&done, scenario.replicates))];
    options.progress.start("replicates", total, found);
    let folders = folder.as_ref().map(std::slice::from_ref);
    let blocks = Blocks::new([(scenario, graph.as_ref())]);
    let fresh = Units {
        units,
        unit: "replicates",
        folders,
        dir: options.destination.dir(),
        progress: options.progress,
        window: pool::window(scenario.stop.max_steps, blocks.is_some()),
        shard: shard.and_then(|s| assignment.as_ref().map(|a| (a, s.index))),
        blocks: blocks.as_ref().map(|b| b as &dyn pool::BlockRun),
    }
    .run(
        &|_, r| format!("replicate {r}"),
        &|_, r| runner::run_one(scenario, graph.as_ref(), r),
        &|_| options.progress.advance(),
        &mut steps,
    )?;
    if let (Some(s), Some(f)) = (shard, &folder) {
        write_shard_file(f.path(), "run", s, scenario, &job, total, true)?;
        return Ok(Done::Shard(ShardOutcome {
            shard: s,
            kind: "run",
            units: total,
            resumed: found,
            folder: f.path().to_path_buf(),
        }));
    }
    let resumed = match phase {
        Phase::Merge(_) => 0,
        _ => done.len() as u32,
    };
    let mut results = done;
    results.extend(fresh.into_iter().map(|(_, r)| r));
    results.sort_by_key(|r| r.replicate);
    let mut manifest = manifest::manifest(
        scenario,
        graph.as_ref(),
        started,
        SystemTime::now(),
        resumed,
    )?;
    if let Phase::Merge(src) = phase {
        manifest.shards = src.entries.clone();
    }
    let stats = if let Some(folder) = &folder {
        let theater = scenario.theater_layout().map(|t| (t.rows, t.seats));
        let source = match &steps[0] {
            Some(s) => StepSource::Accumulated(s.accumulator()),
            None => StepSource::Files,
        };
        let (_, stats) = output::finish_streamed(
            folder,
            &manifest,
            &results,
            source,
            theater,
            scenario.output.plots,
            scenario.output.steps_csv,
        )?;
        OrderedSteps::remove(folder)?;
        output::report::write_report(folder.path())?;
        stats
    } else {
        let sorted: Vec<&ReplicateResult> = results.iter().collect();
        output::aggregate::run_stats(&sorted, output::LEVEL)
    };
    Ok(Done::Job(RunOutcome {
        results,
        manifest,
        folder: folder.map(|f| f.path().to_path_buf()),
        stats: Box::new(stats),
    }))
}
