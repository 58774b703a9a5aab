//! `ovation run`: runs a scenario's replicates in parallel and writes its result folder.
//!
//! Each replicate is written to the folder as soon as it finishes, so a run that is killed
//! leaves every finished replicate on disk; `--resume` runs only the missing ones and then
//! writes the same final files an uninterrupted run would.

use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::SystemTime;

use anyhow::{Context, anyhow};
use clap::Args;
use indicatif::{ProgressBar, ProgressStyle};
use rayon::prelude::*;

use crate::engine::{ReplicateResult, Setup, run_replicate};
use crate::graph::FollowerGraph;
use crate::graph::generators::generate;
use crate::graph::io;
use crate::model::Agents;
use crate::output::{self, FolderMode, GraphSummary, Manifest, RunFolder};
use crate::rng::{mix64, replicate_key};
use crate::scenario::{self, GraphSource, Scenario};

/// Arguments of `ovation run`.
#[derive(Debug, Args)]
pub struct RunArgs {
    /// The scenario file (TOML).
    pub scenario: PathBuf,
    /// Result folder (default: runs/<scenario name>-<UTC start time>).
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Replace an existing result folder.
    #[arg(long, conflicts_with = "resume")]
    pub force: bool,
    /// Finish an interrupted run in its folder, keeping the replicates already on disk.
    #[arg(long)]
    pub resume: bool,
    /// Override a scenario key, e.g. `--set model.quality=0.6` (repeatable).
    #[arg(long = "set", value_name = "KEY=VALUE")]
    pub set: Vec<String>,
    /// No progress bar and no summary line.
    #[arg(long, short)]
    pub quiet: bool,
}

/// Runs `ovation run`.
pub fn run(args: RunArgs) -> anyhow::Result<i32> {
    let started = SystemTime::now();
    let scenario = scenario::load(&args.scenario, &args.set).map_err(|e| anyhow!("{e}"))?;
    let dir = args
        .out
        .clone()
        .unwrap_or_else(|| default_folder(&scenario.name, started));
    let mode = match (args.force, args.resume) {
        (true, _) => FolderMode::Force,
        (_, true) => FolderMode::Resume,
        _ => FolderMode::New,
    };
    let fingerprint = fingerprint(&scenario);
    let folder = RunFolder::open(&dir, mode, &fingerprint)?;
    let done = if args.resume {
        folder.done()?
    } else {
        Vec::new()
    };
    let shared_graph = match &scenario.graph {
        GraphSource::Generator {
            per_replicate: true,
            ..
        } => None,
        _ => Some(load_graph(&scenario, None)?),
    };
    let todo: Vec<u32> = (0..scenario.replicates)
        .filter(|r| !done.iter().any(|d| d.replicate == *r))
        .collect();
    let bar = progress_bar(todo.len() as u64, args.quiet);
    let failures = Mutex::new(Vec::new());
    let mut fresh: Vec<ReplicateResult> = todo
        .par_iter()
        .filter_map(|&r| {
            let result = run_one(&scenario, shared_graph.as_ref(), r).and_then(|res| {
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
            source: graph_source_text(&scenario),
        },
        None => GraphSummary {
            nodes: 0,
            edges: 0,
            source: format!("{} (one graph per replicate)", graph_source_text(&scenario)),
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
    if !args.quiet {
        println!("{}", summary_line(&scenario, &results));
        println!("results in {}", dir.display());
    }
    Ok(0)
}

fn run_one(
    scenario: &Scenario,
    shared: Option<&FollowerGraph>,
    replicate: u32,
) -> anyhow::Result<ReplicateResult> {
    let own;
    let graph = match shared {
        Some(g) => g,
        None => {
            own = load_graph(scenario, Some(replicate))?;
            &own
        }
    };
    let key = replicate_key(scenario.seed, u64::from(replicate));
    scenario
        .check_node_ids(graph.node_count())
        .map_err(|e| anyhow!("{e}"))?;
    let agents = Agents::sample(
        graph.node_count(),
        &scenario.population,
        scenario.model.quality(),
        key,
    );
    Ok(run_replicate(Setup {
        graph,
        agents: &agents,
        rule: &scenario.model,
        timing: &scenario.timing,
        stop: scenario.stop,
        key,
        replicate,
        theater: scenario.theater_layout(),
    }))
}

/// Builds or loads the scenario's graph; `replicate` is given for per-replicate graphs.
fn load_graph(scenario: &Scenario, replicate: Option<u32>) -> anyhow::Result<FollowerGraph> {
    match &scenario.graph {
        GraphSource::Generator { spec, .. } => {
            let seed = match replicate {
                Some(r) => mix64(scenario.seed ^ mix64(u64::from(r) + 1)),
                None => scenario.seed,
            };
            generate(spec, seed).map_err(|e| anyhow!("{}: graph: {e}", scenario.path.display()))
        }
        GraphSource::File {
            path,
            import,
            cache,
        } => {
            let cache_path = cache_path(path);
            if *cache && cache_path.exists() {
                return io::read_cache(&cache_path)
                    .with_context(|| format!("{}: graph cache", scenario.path.display()));
            }
            let g = io::load_graph(path, import, &|_| {})
                .with_context(|| format!("{}: graph", scenario.path.display()))?;
            if *cache {
                io::write_cache(&g, &cache_path)?;
            }
            Ok(g)
        }
    }
}

fn cache_path(edge_list: &Path) -> PathBuf {
    let mut name = edge_list.as_os_str().to_owned();
    name.push(".ovg");
    PathBuf::from(name)
}

fn graph_source_text(scenario: &Scenario) -> String {
    match &scenario.graph {
        GraphSource::Generator { spec, .. } => format!("generator {}", spec.name()),
        GraphSource::File { path, .. } => format!("file {}", path.display()),
    }
}

/// A hash of what determines the results: the resolved scenario and the program version.
fn fingerprint(scenario: &Scenario) -> String {
    let text = format!(
        "{}\n{}",
        env!("CARGO_PKG_VERSION"),
        toml::to_string(&scenario.resolved).unwrap_or_default()
    );
    let mut h = 0xcbf2_9ce4_8422_2325u64;
    for b in text.bytes() {
        h = (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3);
    }
    format!("{:016x}", mix64(h))
}

fn default_folder(name: &str, started: SystemTime) -> PathBuf {
    let stamp = output::rfc3339_utc(started)
        .replace([':', '-'], "")
        .trim_end_matches('Z')
        .to_string();
    PathBuf::from("runs").join(format!("{name}-{stamp}"))
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
