//! `ovation run`: runs a scenario's replicates in parallel and writes its result folder.
//!
//! Each replicate is written to the folder as soon as it finishes, so a run that is killed
//! leaves every finished replicate on disk; `--resume` runs only the missing ones and then
//! writes the same final files an uninterrupted run would.

use std::path::PathBuf;
use std::sync::Mutex;
use std::time::SystemTime;

use anyhow::{Context, anyhow};
use clap::Args;
use indicatif::{ProgressBar, ProgressStyle};
use rayon::prelude::*;

use crate::cli::FolderArgs;
use crate::engine::ReplicateResult;
use crate::output::{self, GraphSummary, Manifest, RunFolder};
use crate::runner;
use crate::scenario::{self, Scenario};

/// Arguments of `ovation run`.
#[derive(Debug, Args)]
pub struct RunArgs {
    /// The scenario file (TOML).
    pub scenario: PathBuf,
    /// Result folder, `--force`/`--resume`, `--set` and `--quiet`.
    #[command(flatten)]
    pub folder: FolderArgs,
}

/// Runs `ovation run`.
pub fn run(args: RunArgs) -> anyhow::Result<i32> {
    let started = SystemTime::now();
    let scenario = scenario::load(&args.scenario, &args.folder.set).map_err(|e| anyhow!("{e}"))?;
    crate::cli::check_memory(&[&scenario])?;
    let dir = args.folder.folder(&scenario.name, started);
    let mode = args.folder.mode();
    let fingerprint = runner::fingerprint(&scenario);
    let folder = RunFolder::open(&dir, mode, &fingerprint)?;
    let done = if args.folder.resume {
        folder.done(scenario.replicates)?
    } else {
        Vec::new()
    };
    let shared_graph = if runner::graph_per_replicate(&scenario) {
        None
    } else {
        let graph = runner::load_graph_noting(&scenario, None, &super::note)?;
        if let scenario::GraphSource::File { path, import, .. } = &scenario.graph
            && !import.header
        {
            super::graph::warn_if_header(path, &graph, "`header = true` under [graph]");
        }
        Some(graph)
    };
    let todo = output::missing_replicates(&done, scenario.replicates);
    let bar = progress_bar(todo.len() as u64, args.folder.quiet);
    let failures = Mutex::new(Vec::new());
    let mut fresh: Vec<ReplicateResult> = todo
        .par_iter()
        .filter_map(|r| {
            let result = runner::run_one(&scenario, shared_graph.as_ref(), r).and_then(|res| {
                folder
                    .write_replicate(&res)
                    .map(|()| res)
                    .map_err(Into::into)
            });
            bar.inc(1);
            match result {
                Ok(res) => Some(res),
                Err(e) => {
                    failures
                        .lock()
                        .expect("no thread panics while holding the lock")
                        .push(format!("replicate {r}: {e:#}"));
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
            todo.len(),
            dir.display()
        );
    }
    let resumed = done.len() as u32;
    let mut results = done;
    results.append(&mut fresh);
    results.sort_by_key(|r| r.replicate);

    let graph_summary = match &shared_graph {
        Some(g) => GraphSummary {
            nodes: u64::from(g.node_count()),
            edges: g.edge_count(),
            source: runner::graph_source_text(&scenario),
        },
        None => GraphSummary {
            nodes: 0,
            edges: 0,
            source: format!(
                "{} (one graph per replicate)",
                runner::graph_source_text(&scenario)
            ),
        },
    };
    let manifest = Manifest {
        scenario: serde_json::to_value(&scenario.resolved).context("scenario as JSON")?,
        scenario_file: scenario.path.display().to_string(),
        overrides: scenario.overrides.clone(),
        seed: scenario.seed,
        replicates: scenario.replicates,
        program: format!("ovation {}", env!("CARGO_PKG_VERSION")),
        graph: graph_summary,
        started: output::rfc3339_utc(started),
        finished: output::rfc3339_utc(SystemTime::now()),
        threads: rayon::current_num_threads(),
        resumed_replicates: resumed,
        provenance: output::provenance::provenance(&scenario)?,
    };
    let theater = scenario.theater_layout().map(|t| (t.rows, t.seats));
    output::finish(
        &folder,
        &manifest,
        &results,
        theater,
        scenario.output.plots,
        scenario.output.steps_csv,
    )?;
    output::report::write_report(&dir)?;
    if !args.folder.quiet {
        println!("{}", summary_line(&scenario, &results));
        println!("results in {}", dir.display());
    }
    Ok(0)
}

fn progress_bar(len: u64, quiet: bool) -> ProgressBar {
    if !crate::cli::progress_allowed(quiet) {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::new(len);
    bar.set_style(
        ProgressStyle::with_template(
            "{spinner} replicates {pos}/{len} [{bar:30}] {per_sec} eta {eta}",
        )
        .expect("valid template")
        .progress_chars("=> "),
    );
    bar
}

fn summary_line(scenario: &Scenario, results: &[ReplicateResult]) -> String {
    let n = results.len().max(1) as f64;
    let mean = |f: fn(&ReplicateResult) -> f64| results.iter().map(f).sum::<f64>() / n;
    format!(
        "{}: {} replicates, standing {:.3} at first -> {:.3} at the end (means)",
        scenario.name,
        results.len(),
        mean(|r| r.initial_standing),
        mean(|r| r.final_standing),
    )
}
