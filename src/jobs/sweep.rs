//! The `sweep` job: every cell of a scenario's `[sweep]` table (every combination of the swept
//! keys' values), all (cell, replicate) pairs in one parallel pool, written to the sweep folder
//! (`docs/sweep.md`).
//!
//! Replicate `r` of every cell uses the stream key `replicate_key(seed, r)`, as `run` does, so
//! cells are compared under common random numbers and the files are byte-identical for any
//! number of threads. Each replicate is written to its cell's folder as soon as it finishes,
//! so a killed sweep keeps them and a resumed one runs only the missing ones.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::SystemTime;

use rayon::prelude::*;

use super::blocks::Blocks;
use super::pool::{self, Units};
use super::shard::{Done, Phase, Shard, ShardOutcome, expected_cost, write_shard_file};
use super::{JobError, JobOptions, check_memory, manifest};
use crate::engine::ReplicateResult;
use crate::graph::FollowerGraph;
use crate::output::aggregate::StepStats;
use crate::output::steps::OrderedSteps;
use crate::output::sweep::{
    CellEntry, CellResults, PlotAxis, SweepManifest, finish_sweep, open_cell, open_sweep,
};
use crate::output::{self, RunFolder, StepSource};
use crate::runner;
use crate::scenario::sweep::{Cell, CellFiles, load_cells, value_label, value_number};
use crate::scenario::{GraphSource, Scenario};

/// What a finished sweep returns.
#[derive(Debug)]
pub struct SweepOutcome {
    /// Every cell with its scenario (the base with the cell's settings applied).
    pub cells: Vec<(Cell, Scenario)>,
    /// Each cell's results, by replicate index, in cell order.
    pub results: Vec<Vec<ReplicateResult>>,
    /// The sweep's manifest, notes included.
    pub manifest: SweepManifest,
    /// The sweep folder.
    pub folder: PathBuf,
}

impl SweepOutcome {
    /// One line: cells and replicates.
    pub fn summary_line(&self, name: &str) -> String {
        let replicates: usize = self.results.iter().map(Vec::len).sum();
        format!(
            "{name}: {} cells, {replicates} replicates",
            self.cells.len()
        )
    }
}

/// Runs every cell of `base`'s `[sweep]` (the user's `overrides` applied in every cell) and
/// writes the sweep folder, each cell a complete run folder under `cells/`.
pub fn sweep(
    base: &Scenario,
    overrides: &[String],
    options: &JobOptions<'_>,
) -> Result<SweepOutcome, JobError> {
    sweep_in(base, overrides, options, Phase::Whole)?.job()
}

/// Runs shard `shard` of the sweep of `base` into the folder `options` name (see
/// [`super::shard`]): its cells' replicates and `shard.json`, no tables.
pub fn sweep_shard(
    base: &Scenario,
    overrides: &[String],
    shard: Shard,
    options: &JobOptions<'_>,
) -> Result<ShardOutcome, JobError> {
    sweep_in(base, overrides, options, Phase::Shard(shard))?.shard()
}

/// What identifies a sweep of `base` with `cells`: the base scenario's fingerprint and a
/// digest of every cell's (each cell's scenario, graph file and the program build).
pub(crate) fn identity(base: &Scenario, cells: &[(Cell, Scenario)]) -> String {
    use sha2::{Digest, Sha256};
    let mut h = Sha256::new();
    for (_, s) in cells {
        h.update(runner::fingerprint(s).as_bytes());
    }
    let digest: String = h.finalize().iter().map(|b| format!("{b:02x}")).collect();
    format!(
        "seed: {}\n{}cells: {} cells, {digest}\n",
        base.seed,
        runner::fingerprint(base),
        cells.len()
    )
}

/// The sweep, whole, as a shard or as a merge (see [`Phase`]).
pub(crate) fn sweep_in(
    base: &Scenario,
    overrides: &[String],
    options: &JobOptions<'_>,
    phase: Phase<'_>,
) -> Result<Done<SweepOutcome>, JobError> {
    let started = SystemTime::now();
    let Some(spec) = base.sweep.clone() else {
        return Err(JobError::NoSweep {
            file: base.path.display().to_string(),
        });
    };
    let cells = load_cells(base, overrides)?;
    check_memory(
        &cells.iter().map(|(_, s)| s).collect::<Vec<_>>(),
        options.memory_limit,
    )?;
    let (dir, mode) = options.require_folder("sweep")?;
    let job = identity(base, &cells);
    open_sweep(
        &dir,
        mode,
        &phase.fingerprint(&runner::fingerprint(base), &job),
    )?;
    let assignment = phase.assignment(
        &cells
            .iter()
            .map(|(_, s)| (expected_cost(s), s.replicates))
            .collect::<Vec<_>>(),
    );
    let shard = phase.shard();
    let assigned = |c: usize, s: &Scenario| match (shard, &assignment) {
        (Some(sh), Some(a)) => a.units_in(c, sh.index) as u32,
        _ => s.replicates,
    };
    if let Some(sh) = shard {
        let units = assignment.as_ref().map_or(0, |a| a.units(sh.index));
        write_shard_file(&dir, "sweep", sh, base, &job, units, false)?;
    }
    let mut folders: Vec<RunFolder> = Vec::with_capacity(cells.len());
    let mut done: Vec<Vec<ReplicateResult>> = Vec::with_capacity(cells.len());
    // Per cell: its per-step means, accumulated as its replicates finish when it keeps no
    // trajectories (`steps_csv = false`); else the trajectories stay in the replicate files.
    let mut steps: Vec<Option<OrderedSteps>> = Vec::with_capacity(cells.len());
    for (cell, s) in &cells {
        let folder = open_cell(&dir, cell.index, &runner::fingerprint(s))?;
        if !s.output.steps_csv && matches!(phase, Phase::Whole) {
            let (d, ordered) =
                pool::resume_state(&folder, s.replicates, options.destination.resume(), true)?;
            done.push(d);
            steps.push(ordered);
            folders.push(folder);
            continue;
        }
        let rel = Path::new(output::sweep::CELLS_DIR).join(format!("{:06}", cell.index));
        done.push(phase.start(
            assignment.as_ref(),
            cell.index,
            &rel,
            s.replicates,
            &folder,
            options.destination.resume(),
        )?);
        steps.push(None);
        folders.push(folder);
    }

    // One graph per distinct graph source shared by its cells' replicates (per-replicate graphs
    // are built by each replicate). Loaded even when every replicate of the cell is done: its
    // manifest names the graph's size.
    let mut graphs: Vec<(GraphSource, FollowerGraph)> = Vec::new();
    let mut graph_of: Vec<Option<usize>> = Vec::with_capacity(cells.len());
    for (cell, s) in &cells {
        if runner::graph_per_replicate(s) || !phase.has_group(assignment.as_ref(), cell.index) {
            graph_of.push(None);
            continue;
        }
        match graphs.iter().position(|(g, _)| *g == s.graph) {
            Some(i) => graph_of.push(Some(i)),
            None => {
                let warn = |t: String| options.progress.warn(&t);
                let g = runner::load_graph_noting(s, None, &warn).map_err(|e| {
                    JobError::Setup(e.context(format!("sweep cell {}", cell.index)))
                })?;
                graphs.push((s.graph.clone(), g));
                graph_of.push(Some(graphs.len() - 1));
            }
        }
    }
    let graph = |c: usize| graph_of[c].map(|i| &graphs[i].1);

    let units: Vec<(usize, output::Missing)> = cells
        .iter()
        .map(|(cell, s)| {
            (
                cell.index,
                output::missing_replicates(&done[cell.index], s.replicates),
            )
        })
        .collect();
    // Progress counts cells: one is finished when its last replicate is.
    let remaining: Vec<AtomicU32> = cells
        .iter()
        .map(|(cell, s)| {
            AtomicU32::new(assigned(cell.index, s).saturating_sub(done[cell.index].len() as u32))
        })
        .collect();
    let finished_cells = remaining
        .iter()
        .filter(|r| r.load(Ordering::Relaxed) == 0)
        .count() as u64;
    options
        .progress
        .start("cells", cells.len() as u64, finished_cells);
    let blocks = Blocks::new(cells.iter().enumerate().map(|(c, (_, s))| (s, graph(c))));
    let fresh = Units {
        units,
        unit: "replicates",
        folders: Some(&folders),
        dir: Some(&dir),
        progress: options.progress,
        window: pool::window(
            cells
                .iter()
                .map(|(_, s)| s.stop.max_steps)
                .max()
                .unwrap_or(0),
            blocks.is_some(),
        ),
        shard: shard.and_then(|s| assignment.as_ref().map(|a| (a, s.index))),
        blocks: blocks.as_ref().map(|b| b as &dyn pool::BlockRun),
    }
    .run(
        &|c, r| format!("cell {c} replicate {r}"),
        &|c, r| runner::run_one(&cells[c].1, graph(c), r),
        &|c| {
            if remaining[c].fetch_sub(1, Ordering::Relaxed) == 1 {
                options.progress.advance();
            }
        },
        &mut steps,
    )?;
    let resumed: u64 = match phase {
        Phase::Merge(_) => 0,
        _ => done.iter().map(|d| d.len() as u64).sum(),
    };
    if let Some(sh) = shard {
        let units = assignment.as_ref().map_or(0, |a| a.units(sh.index));
        write_shard_file(&dir, "sweep", sh, base, &job, units, true)?;
        return Ok(Done::Shard(ShardOutcome {
            shard: sh,
            kind: "sweep",
            units,
            resumed,
            folder: dir,
        }));
    }
    let mut per_cell = done;
    for (c, res) in fresh {
        per_cell[c].push(res);
    }
    for rs in &mut per_cell {
        rs.sort_by_key(|r| r.replicate);
    }

    // Each cell's folder gets its summary (`cell_files = "full"`: a complete run folder, no
    // plots, no steps.csv).
    let by_step: Vec<Vec<StepStats>> = cells
        .par_iter()
        .zip(&folders)
        .zip(&per_cell)
        .zip(&steps)
        .map(
            |((((cell, s), folder), results), ordered)| -> Result<Vec<StepStats>, JobError> {
                let source = match ordered {
                    Some(o) => StepSource::Accumulated(o.accumulator()),
                    None => StepSource::Files,
                };
                let by_step = match spec.cell_files {
                    CellFiles::Full => {
                        let m = manifest::manifest(
                            s,
                            graph(cell.index),
                            started,
                            SystemTime::now(),
                            0,
                        )?;
                        let theater = s.theater_layout().map(|t| (t.rows, t.seats));
                        let (_, stats) = output::finish_streamed(
                            folder, &m, results, source, theater, false, false,
                        )?;
                        stats.by_step
                    }
                    CellFiles::Summary => output::sweep::finish_cell(folder, results, source)?,
                };
                OrderedSteps::remove(folder)?;
                Ok(by_step)
            },
        )
        .collect::<Result<_, _>>()?;

    let keys: Vec<String> = spec.keys().into_iter().map(str::to_string).collect();
    let axes: Vec<PlotAxis> = spec
        .axes
        .iter()
        .map(|a| {
            let firsts: Vec<&toml::Value> = a.values.iter().map(|row| &row[0]).collect();
            PlotAxis {
                keys: a.keys.clone(),
                labels: firsts.iter().map(|v| value_label(v)).collect(),
                numbers: firsts.iter().map(|v| value_number(v)).collect(),
            }
        })
        .collect();
    let tables: Vec<CellResults<'_>> = cells
        .iter()
        .zip(&per_cell)
        .zip(by_step)
        .map(|(((cell, _), rs), by_step)| CellResults {
            index: cell.index,
            labels: cell.settings.iter().map(|(_, v)| value_label(v)).collect(),
            results: rs.iter().collect(),
            by_step,
        })
        .collect();
    let json = |v: serde_json::Result<serde_json::Value>, what: &str| {
        v.map_err(|e| JobError::Setup(anyhow::anyhow!("{what} as JSON: {e}")))
    };
    let mut manifest = SweepManifest {
        kind: "sweep",
        scenario: json(serde_json::to_value(&base.resolved), "scenario")?,
        scenario_file: base.path.display().to_string(),
        overrides: base.overrides.clone(),
        sweep: json(serde_json::to_value(&spec), "sweep")?,
        seed: base.seed,
        program: manifest::program(),
        started: output::rfc3339_utc(started),
        finished: output::rfc3339_utc(SystemTime::now()),
        threads: rayon::current_num_threads(),
        resumed_replicates: resumed,
        cells: cells
            .iter()
            .map(|(cell, s)| CellEntry {
                index: cell.index,
                folder: format!("{}/{:06}", output::sweep::CELLS_DIR, cell.index),
                settings: cell
                    .settings
                    .iter()
                    .map(|(k, v)| (k.clone(), serde_json::to_value(v).unwrap_or_default()))
                    .collect(),
                replicates: s.replicates,
            })
            .collect(),
        notes: Vec::new(),
        provenance: output::provenance::provenance(base)?,
        shards: match phase {
            Phase::Merge(src) => src.entries.clone(),
            _ => Vec::new(),
        },
    };
    finish_sweep(
        &dir,
        &mut manifest,
        &keys,
        &axes,
        &tables,
        &spec.measures,
        base.output.plots,
    )?;
    output::report::write_report(&dir)?;
    drop(tables);
    Ok(Done::Job(SweepOutcome {
        cells,
        results: per_cell,
        manifest,
        folder: dir,
    }))
}
