//! `ovation sweep`: runs every cell of a scenario's `[sweep]` table (every combination of the
//! swept keys' values) and writes the sweep folder (`docs/sweep.md`).
//!
//! All (cell, replicate) pairs run in one parallel pool. Replicate `r` of every cell uses the
//! stream key `replicate_key(seed, r)`, as `run` does, so cells are compared under common
//! random numbers and the files are byte-identical for any number of threads. Each replicate
//! is written to its cell's folder as soon as it finishes, so a killed sweep keeps them and
//! `--resume` runs only the missing ones.

use std::path::PathBuf;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::SystemTime;

use anyhow::{Context, anyhow};
use clap::Args;
use indicatif::{ProgressBar, ProgressStyle};
use rayon::prelude::*;

use crate::cli::FolderArgs;
use crate::engine::ReplicateResult;
use crate::graph::FollowerGraph;
use crate::output::sweep::{
    CellEntry, CellResults, PlotAxis, SweepManifest, finish_sweep, open_cell, open_sweep,
};
use crate::output::{self, GraphSummary, Manifest, RunFolder};
use crate::runner;
use crate::scenario::sweep::{load_cells, value_label, value_number};
use crate::scenario::{self, GraphSource, Scenario};

/// Arguments of `ovation sweep`.
#[derive(Debug, Args)]
pub struct SweepArgs {
    /// The scenario file (TOML) with a `[sweep]` table.
    pub scenario: PathBuf,
    /// Result folder, `--force`/`--resume`, `--set` and `--quiet`.
    #[command(flatten)]
    pub folder: FolderArgs,
}

/// Runs `ovation sweep`.
pub fn run(args: SweepArgs) -> anyhow::Result<i32> {
    let started = SystemTime::now();
    let base = scenario::load(&args.scenario, &args.folder.set).map_err(|e| anyhow!("{e}"))?;
    let Some(spec) = base.sweep.clone() else {
        anyhow::bail!(
            "{}: no [sweep] table; add one naming the keys to vary, e.g.\n  [sweep.grid]\n  \
             \"model.quality\" = [0.4, 0.5, 0.6]\n(see docs/sweep.md)",
            args.scenario.display()
        );
    };
    let cells = load_cells(&base, &args.folder.set).map_err(|e| anyhow!("{e}"))?;
    crate::cli::check_memory(&cells.iter().map(|(_, s)| s).collect::<Vec<_>>())?;
    let dir = args.folder.folder(&format!("{}-sweep", base.name), started);
    let mode = args.folder.mode();
    open_sweep(&dir, mode, &runner::fingerprint(&base))?;
    let mut folders: Vec<RunFolder> = Vec::with_capacity(cells.len());
    let mut done: Vec<Vec<ReplicateResult>> = Vec::with_capacity(cells.len());
    for (cell, s) in &cells {
        let folder = open_cell(&dir, cell.index, &runner::fingerprint(s))?;
        let finished = if args.folder.resume {
            folder.done(s.replicates)?
        } else {
            Vec::new()
        };
        done.push(finished);
        folders.push(folder);
    }

    // One graph per distinct graph source shared by its cells' replicates (per-replicate graphs
    // are built by each replicate).
    let mut graphs: Vec<(GraphSource, FollowerGraph)> = Vec::new();
    let mut graph_of: Vec<Option<usize>> = Vec::with_capacity(cells.len());
    for (cell, s) in &cells {
        if runner::graph_per_replicate(s) {
            graph_of.push(None);
            continue;
        }
        // Loaded even when every replicate of the cell is done: its manifest names the graph's
        // size.
        match graphs.iter().position(|(g, _)| *g == s.graph) {
            Some(i) => graph_of.push(Some(i)),
            None => {
                let g = runner::load_graph_noting(s, None, &super::note)
                    .with_context(|| format!("sweep cell {}", cell.index))?;
                graphs.push((s.graph.clone(), g));
                graph_of.push(Some(graphs.len() - 1));
            }
        }
    }

    // What is left to do, cell by cell, without listing every replicate up front.
    let missing: Vec<(usize, output::Missing)> = cells
        .iter()
        .map(|(cell, s)| {
            (
                cell.index,
                output::missing_replicates(&done[cell.index], s.replicates),
            )
        })
        .collect();
    let todo: usize = missing.iter().map(|(_, m)| m.len()).sum();
    let work = missing
        .par_iter()
        .flat_map(|(c, m)| m.par_iter().map(move |r| (*c, r)));
    let remaining: Vec<AtomicU32> = cells
        .iter()
        .map(|(cell, s)| AtomicU32::new(s.replicates - done[cell.index].len() as u32))
        .collect();
    let finished_cells = remaining
        .iter()
        .filter(|r| r.load(Ordering::Relaxed) == 0)
        .count() as u64;
    let bar = progress_bar(cells.len() as u64, finished_cells, args.folder.quiet);
    let failures = Mutex::new(Vec::new());
    let fresh: Vec<(usize, ReplicateResult)> = work
        .filter_map(|(c, r)| {
            let s = &cells[c].1;
            let graph = graph_of[c].map(|i| &graphs[i].1);
            let result = runner::run_one(s, graph, r).and_then(|res| {
                folders[c]
                    .write_replicate(&res)
                    .map(|()| res)
                    .map_err(Into::into)
            });
            if remaining[c].fetch_sub(1, Ordering::Relaxed) == 1 {
                bar.inc(1);
            }
            match result {
                Ok(res) => Some((c, res)),
                Err(e) => {
                    failures
                        .lock()
                        .expect("no thread panics while holding the lock")
                        .push(format!("cell {c} replicate {r}: {e:#}"));
                    None
                }
            }
        })
        .collect();
    bar.finish_and_clear();
    let failures = failures.into_inner().expect("lock not poisoned");
    if let Some(first) = failures.first() {
        anyhow::bail!(
            "{} of {} replicates failed (finished ones are kept in {}; rerun with --resume): {first}",
            failures.len(),
            todo,
            dir.display()
        );
    }
    let resumed: u64 = done.iter().map(|d| d.len() as u64).sum();
    let mut per_cell = done;
    for (c, res) in fresh {
        per_cell[c].push(res);
    }
    for rs in &mut per_cell {
        rs.sort_by_key(|r| r.replicate);
    }

    // Each cell's folder becomes a complete run folder (no plots, no steps.csv).
    let program = format!("ovation {}", env!("CARGO_PKG_VERSION"));
    cells.par_iter().zip(&folders).zip(&per_cell).try_for_each(
        |(((cell, s), folder), results)| -> anyhow::Result<()> {
            let graph = match graph_of[cell.index] {
                Some(i) => GraphSummary {
                    nodes: u64::from(graphs[i].1.node_count()),
                    edges: graphs[i].1.edge_count(),
                    source: runner::graph_source_text(s),
                },
                None => GraphSummary {
                    nodes: 0,
                    edges: 0,
                    source: runner::graph_source_text(s),
                },
            };
            let manifest = Manifest {
                scenario: serde_json::to_value(&s.resolved).context("scenario as JSON")?,
                scenario_file: s.path.display().to_string(),
                overrides: s.overrides.clone(),
                seed: s.seed,
                replicates: s.replicates,
                program: program.clone(),
                graph,
                started: output::rfc3339_utc(started),
                finished: output::rfc3339_utc(SystemTime::now()),
                threads: rayon::current_num_threads(),
                resumed_replicates: 0,
                provenance: output::provenance::provenance(s)?,
            };
            let theater = s.theater_layout().map(|t| (t.rows, t.seats));
            output::finish(folder, &manifest, results, theater, false, false)?;
            Ok(())
        },
    )?;

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
    let results: Vec<CellResults<'_>> = cells
        .iter()
        .zip(&per_cell)
        .map(|((cell, _), rs)| CellResults {
            index: cell.index,
            labels: cell.settings.iter().map(|(_, v)| value_label(v)).collect(),
            results: rs.iter().collect(),
        })
        .collect();
    let mut manifest = SweepManifest {
        kind: "sweep",
        scenario: serde_json::to_value(&base.resolved).context("scenario as JSON")?,
        scenario_file: base.path.display().to_string(),
        overrides: base.overrides.clone(),
        sweep: serde_json::to_value(&spec).context("sweep as JSON")?,
        seed: base.seed,
        program,
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
        provenance: output::provenance::provenance(&base)?,
    };
    finish_sweep(
        &dir,
        &mut manifest,
        &keys,
        &axes,
        &results,
        &spec.measures,
        base.output.plots,
    )?;
    output::report::write_report(&dir)?;
    if !args.folder.quiet {
        for note in &manifest.notes {
            eprintln!("ovation: note: {note}");
        }
        println!("{}", summary_line(&base, &cells, &per_cell));
        println!("results in {}", dir.display());
    }
    Ok(0)
}

fn progress_bar(len: u64, done: u64, quiet: bool) -> ProgressBar {
    if !crate::cli::progress_allowed(quiet) {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::new(len);
    bar.set_style(
        ProgressStyle::with_template("{spinner} cells {pos}/{len} [{bar:30}] eta {eta}")
            .expect("valid template")
            .progress_chars("=> "),
    );
    bar.set_position(done);
    bar
}

fn summary_line(
    base: &Scenario,
    cells: &[(crate::scenario::sweep::Cell, Scenario)],
    results: &[Vec<ReplicateResult>],
) -> String {
    let replicates: usize = results.iter().map(Vec::len).sum();
    format!(
        "{}: {} cells, {} replicates",
        base.name,
        cells.len(),
        replicates
    )
}
