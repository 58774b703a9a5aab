//! `ovation fit`: calibrates a scenario's `[fit.parameters]` to the observed data of its
//! `[fit.observed]` by ABC-SMC and writes the posterior, the predictive checks and the held-out
//! score (see `docs/fit.md` and [`crate::fit`]).

use std::path::PathBuf;
use std::time::{Instant, SystemTime};

use anyhow::bail;
use clap::Args;

use crate::cli::FolderArgs;
use crate::fit::{FitJob, predict};
use crate::output::RunFolder;
use crate::output::fit::{FitManifest, HeldOutJson, params_json, write_fit};
use crate::runner;

/// Arguments of `ovation fit`.
#[derive(Debug, Args)]
pub struct FitArgs {
    /// The scenario file (TOML) with a `[fit]` table.
    pub scenario: PathBuf,
    /// Result folder, `--force`, `--set` and `--quiet` (`--resume` is not supported: a fit
    /// is rerun whole).
    #[command(flatten)]
    pub folder: FolderArgs,
}

/// Runs `ovation fit`.
pub fn run(args: FitArgs) -> anyhow::Result<i32> {
    if args.folder.resume {
        bail!("ovation fit has no --resume: rerun the fit (with --force to replace its folder)");
    }
    let started = SystemTime::now();
    let job = FitJob::load(&args.scenario, &args.folder.set)?;
    let dir = args
        .folder
        .folder(&format!("{}-fit", job.scenario.name), started);
    let fingerprint = runner::fingerprint(&job.scenario);
    let folder = RunFolder::open(&dir, args.folder.mode(), &fingerprint)?;
    let clock = Instant::now();
    let run = job.run_abc()?;
    let abc_seconds = clock.elapsed().as_secs_f64();
    let summaries = predict::summarize(&job, &run);
    let predictive = predict::predictive(&job, &run)?;
    let seconds = clock.elapsed().as_secs_f64();
    let names = job.instance_names();
    let pick = |fitted: bool| -> Vec<String> {
        names
            .iter()
            .zip(&job.fitted)
            .filter(|x| *x.1 == fitted)
            .map(|x| x.0.clone())
            .collect()
    };
    let mut command = format!("ovation fit {}", args.scenario.display());
    for s in &args.folder.set {
        command.push_str(&format!(" --set '{s}'"));
    }
    command.push_str(&format!(" --out {}", dir.display()));
    let mut manifest = FitManifest {
        program: format!("ovation {}", env!("CARGO_PKG_VERSION")),
        scenario_file: args.scenario.display().to_string(),
        overrides: args.folder.set.clone(),
        seed: job.spec.seed,
        command,
        particles: job.spec.particles,
        generations: run.generations.len(),
        simulations: run.simulations(),
        stopped: run.stop.text().into(),
        fitted: pick(true),
        held_out: pick(false),
        statistics: job
            .spec
            .statistics
            .iter()
            .map(|s| s.name().to_string())
            .collect(),
        posterior: params_json(&job, &summaries),
        held_out_score: predictive.held_out.as_ref().map(|h| HeldOutJson {
            instances: h.instances,
            model_crps: h.model_crps,
            baseline_crps: h.baseline_crps,
            in_sample_crps: h.in_sample_crps,
            baseline: h.baseline.clone(),
        }),
        started: crate::output::rfc3339_utc(started),
        finished: crate::output::rfc3339_utc(SystemTime::now()),
        seconds,
        simulations_per_second: run.simulations() as f64 / abc_seconds.max(1e-9),
        files: Vec::new(),
    };
    write_fit(
        &folder,
        &job,
        &run,
        &summaries,
        &predictive,
        &mut manifest,
        job.scenario.output.plots,
    )?;
    if !args.folder.quiet {
        println!(
            "{}: {} generations, {} simulations ({:.0}/s), stopped because {}",
            job.scenario.name,
            run.generations.len(),
            run.simulations(),
            manifest.simulations_per_second,
            run.stop.text()
        );
        for s in &summaries {
            println!(
                "  {}: median {:.4}, mean {:.4}, 90% CI [{:.4}, {:.4}], 95% CI [{:.4}, {:.4}]",
                s.key, s.median, s.mean, s.ci90.0, s.ci90.1, s.ci95.0, s.ci95.1
            );
        }
        if let Some(h) = &predictive.held_out {
            println!(
                "  held out ({} instance(s)): CRPS {:.4} vs baseline {:.4} (in-sample {:.4})",
                h.instances, h.model_crps, h.baseline_crps, h.in_sample_crps
            );
        }
        println!("  written to {}", dir.display());
    }
    Ok(0)
}
