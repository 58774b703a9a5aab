//! `ovation compare SCENARIO`: runs every `[strategies.<name>]` of a scenario under common random
//! numbers and writes the comparison folder (see [`crate::output::compare`]).
//!
//! Replicate `r` of every strategy uses the same replicate key, so it sees the same graph,
//! signals and thresholds. The (strategy, replicate) pairs run in parallel; each replicate is
//! written to its strategy's folder as it finishes, so `--resume` redoes only the missing ones.

use std::path::PathBuf;
use std::sync::Mutex;
use std::time::SystemTime;

use anyhow::{Context, anyhow};
use clap::Args;
use rayon::prelude::*;

use crate::cli::FolderArgs;
use crate::engine::ReplicateResult;
use crate::graph::FollowerGraph;
use crate::output::compare::{StrategyRuns, write_compare};
use crate::output::{self, FolderMode, GraphSummary, Manifest, RunFolder};
use crate::runner;
use crate::scenario::Scenario;
use crate::scenario::strategies::load_comparison;

/// Arguments of `ovation compare`.
#[derive(Debug, Args)]
pub struct CompareArgs {
    /// The scenario file (TOML) with `[strategies.<name>]` tables.
    pub scenario: PathBuf,
    /// Result folder, `--force`/`--resume`, `--set` and `--quiet`.
    #[command(flatten)]
    pub folder: FolderArgs,
}

/// Runs `ovation compare`.
pub fn run(args: CompareArgs) -> anyhow::Result<i32> {
    let started = SystemTime::now();
    let cmp = load_comparison(&args.scenario, &args.folder.set).map_err(|e| anyhow!("{e}"))?;
    crate::cli::check_memory(&cmp.strategies.iter().map(|(_, s)| s).collect::<Vec<_>>())?;
    let dir = args
        .folder
        .folder(&format!("{}-compare", cmp.base.name), started);
    let mode = args.folder.mode();
    let mut fp = String::new();
    for (s, sc) in &cmp.strategies {
        for line in runner::fingerprint(sc).lines() {
            fp.push_str(&format!("strategy {} {line}\n", s.name));
        }
    }
    let top = RunFolder::open_flat(&dir, mode, &fp)?;
    let mut folders = Vec::new();
    for (s, sc) in &cmp.strategies {
        let sub = dir.join("strategies").join(&s.name);
        let m = if args.folder.resume && sub.join(output::folder::RUN_FILE).is_file() {
            FolderMode::Resume
        } else {
            FolderMode::Force
        };
        folders.push(RunFolder::open(&sub, m, &runner::fingerprint(sc))?);
    }
    // One graph per distinct graph source; per-replicate graphs are built in run_one, from
    // (seed, replicate), hence the same for every strategy.
    let mut graphs: Vec<Option<FollowerGraph>> = Vec::new();
    let mut graph_of = Vec::new();
    for (i, (_, sc)) in cmp.strategies.iter().enumerate() {
        let same = cmp.strategies[..i]
            .iter()
            .position(|(_, other)| other.graph == sc.graph);
        match same {
            Some(j) => graph_of.push(graph_of[j]),
            None => {
                graph_of.push(graphs.len());
                graphs.push(if runner::graph_per_replicate(sc) {
                    None
                } else {
                    Some(runner::load_graph_noting(sc, None, &super::note)?)
                });
            }
        }
    }
    let mut done: Vec<Vec<ReplicateResult>> = Vec::new();
    for f in &folders {
        done.push(if args.folder.resume {
            f.done(cmp.base.replicates)?
        } else {
            Vec::new()
        });
    }
    let replicates = cmp.base.replicates;
    // What is left to do, strategy by strategy, without listing every replicate up front.
    let missing: Vec<output::Missing> = (0..cmp.strategies.len())
        .map(|s| output::missing_replicates(&done[s], replicates))
        .collect();
    let todo: usize = missing.iter().map(output::Missing::len).sum();
    let bar = progress(todo as u64, args.folder.quiet);
    let failures = Mutex::new(Vec::new());
    let fresh: Vec<(usize, ReplicateResult)> = missing
        .par_iter()
        .enumerate()
        .flat_map(|(s, m)| m.par_iter().map(move |r| (s, r)))
        .filter_map(|(s, r)| {
            let sc = &cmp.strategies[s].1;
            let graph = graphs[graph_of[s]].as_ref();
            let result = runner::run_one(sc, graph, r).and_then(|res| {
                folders[s]
                    .write_replicate(&res)
                    .map(|()| res)
                    .map_err(Into::into)
            });
            bar.inc(1);
            match result {
                Ok(res) => Some((s, res)),
                Err(e) => {
                    failures
                        .lock()
                        .expect("no thread panics while holding the lock")
                        .push(format!(
                            "strategy {} replicate {r}: {e:#}",
                            cmp.strategies[s].0.name
                        ));
                    None
                }
            }
        })
        .collect();
    bar.finish_and_clear();
    let failures = failures.into_inner().expect("lock not poisoned");
    if let Some(first) = failures.first() {
        anyhow::bail!(
            "{} of {} runs failed (finished ones are kept in {}; rerun with --resume): {first}",
            failures.len(),
            todo,
            dir.display()
        );
    }
    let resumed: u32 = done.iter().map(|d| d.len() as u32).sum();
    for (s, res) in fresh {
        done[s].push(res);
    }
    let finished = SystemTime::now();
    let mut runs = Vec::new();
    for (i, ((spec, sc), mut results)) in cmp.strategies.iter().zip(done).enumerate() {
        results.sort_by_key(|r| r.replicate);
        let manifest = manifest_for(sc, graphs[graph_of[i]].as_ref(), started, finished)?;
        let theater = sc.theater_layout().map(|t| (t.rows, t.seats));
        output::finish(
            &folders[i],
            &manifest,
            &results,
            theater,
            false,
            sc.output.steps_csv,
        )?;
        output::report::write_report(folders[i].path())?;
        runs.push(StrategyRuns {
            name: spec.name.clone(),
            // A replaced table is listed first, as what the strategy does before its own keys.
            overrides: spec
                .replace
                .iter()
                .map(|t| format!("replace [{t}]"))
                .chain(spec.overrides.iter().cloned())
                .collect(),
            results,
        });
    }
    let mut manifest = manifest_for(
        &cmp.base,
        graphs[graph_of[cmp.baseline_index()]].as_ref(),
        started,
        SystemTime::now(),
    )?;
    manifest.resumed_replicates = resumed;
    write_compare(
        top.path(),
        &runs,
        cmp.baseline_index(),
        &cmp.compare,
        &manifest,
        cmp.base.output.plots,
    )?;
    if !args.folder.quiet {
        let stats = std::fs::read(dir.join("stats.json")).context("stats.json")?;
        let v: serde_json::Value = serde_json::from_slice(&stats).context("stats.json")?;
        println!(
            "{}: {} strategies x {replicates} replicates",
            cmp.base.name,
            runs.len()
        );
        if let Some(s) = v["headline"]["sentence"].as_str() {
            println!("{s}");
        }
        println!("results in {}", dir.display());
    }
    Ok(0)
}

/// The manifest of one strategy's run (or, for the base scenario, of the comparison).
fn manifest_for(
    sc: &Scenario,
    graph: Option<&FollowerGraph>,
    started: SystemTime,
    finished: SystemTime,
) -> anyhow::Result<Manifest> {
    let graph = match graph {
        Some(g) => GraphSummary {
            nodes: u64::from(g.node_count()),
            edges: g.edge_count(),
            source: runner::graph_source_text(sc),
        },
        None => GraphSummary {
            nodes: 0,
            edges: 0,
            source: format!(
                "{} (one graph per replicate)",
                runner::graph_source_text(sc)
            ),
        },
    };
    Ok(Manifest {
        scenario: serde_json::to_value(&sc.resolved).context("scenario as JSON")?,
        scenario_file: sc.path.display().to_string(),
        overrides: sc.overrides.clone(),
        seed: sc.seed,
        replicates: sc.replicates,
        program: format!("ovation {}", env!("CARGO_PKG_VERSION")),
        graph,
        started: output::rfc3339_utc(started),
        finished: output::rfc3339_utc(finished),
        threads: rayon::current_num_threads(),
        resumed_replicates: 0,
        provenance: output::provenance::provenance(sc)?,
    })
}

fn progress(len: u64, quiet: bool) -> indicatif::ProgressBar {
    if !crate::cli::progress_allowed(quiet) {
        return indicatif::ProgressBar::hidden();
    }
    let bar = indicatif::ProgressBar::new(len);
    bar.set_style(
        indicatif::ProgressStyle::with_template(
            "{spinner} runs {pos}/{len} [{bar:30}] {per_sec} eta {eta}",
        )
        .expect("valid template")
        .progress_chars("=> "),
    );
    bar
}
