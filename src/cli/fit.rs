//! `ovation fit`: calibrates a scenario's `[fit.parameters]` to the observed data of its
//! `[fit.observed]` by ABC-SMC and writes the posterior, the predictive checks and the held-out
//! score ([`crate::jobs::fit()`], `docs/fit.md`); here only the arguments and the printing.

use std::path::PathBuf;
use std::time::SystemTime;

use anyhow::bail;
use clap::Args;

use crate::cli::FolderArgs;
use crate::fit::FitJob;
use crate::jobs;

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
    if args.folder.shard.is_some() {
        bail!(
            "fit cannot be split into shards (yet): each ABC-SMC generation is drawn from \
             the previous generation's particles, so a split needs a merge after every \
             generation, driven by the scheduler (docs/shards.md, \"fit\"), which is not \
             built; run the fit whole (its particles run in parallel on every core), or shard \
             the sweeps and comparisons around it"
        );
    }
    let started = SystemTime::now();
    let job = FitJob::load(&args.scenario, &args.folder.set)?;
    let dir = args
        .folder
        .folder(&format!("{}-fit", job.scenario.name), started);
    let mut command = format!("ovation fit {}", args.scenario.display());
    for s in &args.folder.set {
        command.push_str(&format!(" --set '{s}'"));
    }
    command.push_str(&format!(" --out {}", dir.display()));
    let options = jobs::JobOptions::folder(dir.clone(), args.folder.mode());
    let jobs::FitOutcome {
        run,
        summaries,
        predictive,
        manifest,
    } = jobs::fit(&job, command, &options)?;
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
