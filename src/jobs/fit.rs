//! The `fit` job: calibrates a scenario's `[fit.parameters]` to the observed data of its
//! `[fit.observed]` by ABC-SMC and writes the posterior, the predictive checks and the held-out
//! score (see `docs/fit.md` and [`crate::fit`]). A fit is rerun whole: it has no resume.

use std::time::{Instant, SystemTime};

use super::{JobError, JobOptions};
use crate::fit::FitJob;
use crate::fit::abc::AbcRun;
use crate::fit::predict::{self, ParamSummary, Predictive};
use crate::output::fit::{FitManifest, HeldOutJson, params_json, write_fit};
use crate::output::{FolderMode, RunFolder};
use crate::runner;

/// What a finished fit returns.
#[derive(Debug)]
pub struct FitOutcome {
    /// The ABC-SMC run: every generation, the posterior sample last.
    pub run: AbcRun,
    /// Posterior summaries, one per fitted parameter.
    pub summaries: Vec<ParamSummary>,
    /// Predictive checks and the held-out score.
    pub predictive: Predictive,
    /// The fit's manifest, as written.
    pub manifest: FitManifest,
}

/// Runs `job` (`command` is the command line recorded in the manifest) and writes the fit
/// folder.
pub fn fit(
    job: &FitJob,
    command: String,
    options: &JobOptions<'_>,
) -> Result<FitOutcome, JobError> {
    let started = SystemTime::now();
    let (dir, mode) = options.require_folder("fit")?;
    if mode == FolderMode::Resume {
        return Err(JobError::Fit(anyhow::anyhow!(
            "ovation fit has no --resume: rerun the fit (with --force to replace its folder)"
        )));
    }
    let folder = RunFolder::open(&dir, mode, &runner::fingerprint(&job.scenario))?;
    let clock = Instant::now();
    let run = job.run_abc().map_err(JobError::Fit)?;
    let abc_seconds = clock.elapsed().as_secs_f64();
    let summaries = predict::summarize(job, &run);
    let predictive = predict::predictive(job, &run).map_err(JobError::Fit)?;
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
    let mut manifest = FitManifest {
        program: super::manifest::program(),
        scenario_file: job.scenario.path.display().to_string(),
        overrides: job.scenario.overrides.clone(),
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
        posterior: params_json(job, &summaries),
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
        job,
        &run,
        &summaries,
        &predictive,
        &mut manifest,
        job.scenario.output.plots,
    )?;
    Ok(FitOutcome {
        run,
        summaries,
        predictive,
        manifest,
    })
}
