//! Result files: the run folder and everything written into it. This is the only module that
//! writes files (ARCHITECTURE.md, invariants).
//!
//! A run opens its folder with [`RunFolder::open`] (refusing to overwrite, or resuming),
//! writes each replicate with [`RunFolder::write_replicate`] as it finishes, and at the end
//! calls [`finish`], which writes:
//!
//! | File | Contents | Written by |
//! |---|---|---|
//! | `summary.csv` | one row per replicate | [`tables`] |
//! | `steps.csv` | tidy per-step measures (optional) | [`tables`] |
//! | `rows.csv` | standing share by theater row (theater graphs) | [`tables`] |
//! | `classes.csv` | tidy measures by population class: replicate, class, measure, value | [`tables`] |
//! | `seeds.csv` | each seed's reach per replicate (with `[seeding]`) | [`tables`] |
//! | `agents.csv` | each agent's end state per replicate (with `[output] agents = true`) | [`tables`] |
//! | `seeded.csv` | a comparison's seeded accounts per strategy: replicates that chose each, mean reach | [`seeded`] |
//! | `stats.json` | means and intervals across replicates | [`json`], [`aggregate`] |
//! | `shares`, `final_standing`, `seat_map` `.png/.svg` | plots (optional) | [`plots`] |
//! | `manifest.json` | what was run, when, with what (last, so it marks completion) | [`json`] |
//!
//! Every file is written atomically ([`write_atomic`]), and writing the same results twice
//! gives byte-identical CSV and JSON files (the manifest's times aside).

pub mod aggregate;
pub mod clear;
pub mod compare;
mod error;
pub mod fit;
pub mod folder;
pub mod glossary;
pub mod json;
pub mod measures;
pub mod plots;
pub mod provenance;
pub mod read;
pub mod report;
pub mod seeded;
pub mod shard;
pub mod steps;
pub mod sweep;
pub mod tables;
pub mod time_axis;

#[cfg(test)]
mod fixtures;

use std::path::{Path, PathBuf};

pub use error::OutputError;
pub use folder::{FolderMode, Missing, RunFolder, missing_replicates, write_atomic};
pub use json::{GraphSummary, Manifest, rfc3339_utc};

use crate::engine::measures::ReplicateResult;
use aggregate::{RunStats, StepAccumulator};
use folder::AtomicFile;

/// Confidence level of every interval in `stats.json` and the plots.
pub const LEVEL: f64 = 0.95;

/// Writes the tables, `stats.json`, the plots (when `plots`) and `manifest.json` for
/// `results` into `folder`, and returns the files written in that order.
///
/// `results` may come in any order (they are sorted by replicate index) and carry their
/// trajectories ([`StepSource::Results`]; [`finish_streamed`] takes them from elsewhere).
/// `theater` is `(rows, seats)` for a theater graph: it adds the seat map. `steps_csv = false`
/// skips `steps.csv`, the one table that grows with replicates × steps. Computes in
/// **O(replicates × steps)** time.
pub fn finish(
    folder: &RunFolder,
    manifest: &Manifest,
    results: &[ReplicateResult],
    theater: Option<(u32, u32)>,
    plots: bool,
    steps_csv: bool,
) -> Result<Vec<PathBuf>, OutputError> {
    finish_streamed(
        folder,
        manifest,
        results,
        StepSource::Results,
        theater,
        plots,
        steps_csv,
    )
    .map(|(written, _)| written)
}

/// Where [`finish_streamed`] finds the replicates' per-step records.
#[derive(Debug, Clone, Copy)]
pub enum StepSource<'a> {
    /// The results carry their trajectories (a run kept in memory, tests).
    Results,
    /// Each replicate's trajectory is in its file under `replicates/` (the results' own are
    /// empty): read back one replicate at a time, in replicate order.
    Files,
    /// The trajectories were dropped as the replicates finished (`steps_csv = false`) and only
    /// their per-step means kept: `steps.csv` cannot be written.
    Accumulated(&'a StepAccumulator),
}

/// [`finish`] with the per-step records taken from `steps`, never all held at once; also
/// returns the run's [`RunStats`] (`stats.json`).
///
/// With [`StepSource::Files`] the replicate files are read one at a time, in replicate order,
/// feeding `steps.csv` and the per-step means together: memory in proportion to one
/// trajectory, not to the replicate count.
pub fn finish_streamed(
    folder: &RunFolder,
    manifest: &Manifest,
    results: &[ReplicateResult],
    steps: StepSource<'_>,
    theater: Option<(u32, u32)>,
    plots: bool,
    steps_csv: bool,
) -> Result<(Vec<PathBuf>, RunStats), OutputError> {
    let dir = folder.path();
    let mut sorted: Vec<&ReplicateResult> = results.iter().collect();
    sorted.sort_by_key(|r| r.replicate);
    let mut written = Vec::new();

    written.push(write_csv(
        dir,
        "summary.csv",
        &sorted,
        tables::write_summary,
    )?);
    let steps_path = dir.join("steps.csv");
    let by_step = step_pass(
        folder,
        &sorted,
        steps,
        steps_csv.then_some(steps_path.as_path()),
    )?;
    if steps_csv && !matches!(steps, StepSource::Accumulated(_)) {
        written.push(steps_path);
    }
    if sorted.iter().any(|r| !r.standing_by_row.is_empty()) {
        written.push(write_csv(dir, "rows.csv", &sorted, tables::write_rows)?);
    }
    if sorted.iter().any(|r| !r.classes.is_empty()) {
        written.push(write_csv(
            dir,
            "classes.csv",
            &sorted,
            tables::write_classes,
        )?);
    }
    if sorted.iter().any(|r| !r.seed_reach.is_empty()) {
        written.push(write_csv(dir, "seeds.csv", &sorted, tables::write_seeds)?);
    }
    if sorted.iter().any(|r| r.agents.is_some()) {
        written.push(write_csv(dir, "agents.csv", &sorted, tables::write_agents)?);
    }

    let stats = aggregate::run_stats_with(&sorted, by_step, LEVEL);
    let path = dir.join("stats.json");
    let bytes = json::stats_json(&stats).map_err(|source| OutputError::Json {
        path: path.clone(),
        source,
    })?;
    write_atomic(&path, &bytes)?;
    written.push(path);

    if plots {
        let name = scenario_name(manifest);
        let time = time_axis::step_time(&manifest.scenario);
        written.extend(plots::write_plots(
            dir,
            &name,
            &stats,
            &sorted,
            theater,
            time.as_ref(),
        )?);
    }

    let path = dir.join("manifest.json");
    let bytes = json::manifest_json(manifest).map_err(|source| OutputError::Json {
        path: path.clone(),
        source,
    })?;
    write_atomic(&path, &bytes)?;
    written.push(path);
    Ok((written, stats))
}

/// The per-step means of `sorted` (in replicate order) from `steps`, writing `steps.csv` to
/// `steps_csv` on the way when given (not with [`StepSource::Accumulated`], which has no
/// records left). One trajectory is held at a time.
pub(crate) fn step_pass(
    folder: &RunFolder,
    sorted: &[&ReplicateResult],
    steps: StepSource<'_>,
    steps_csv: Option<&Path>,
) -> Result<Vec<aggregate::StepStats>, OutputError> {
    if let StepSource::Accumulated(acc) = steps {
        return Ok(acc.by_step(LEVEL));
    }
    let mut acc = StepAccumulator::default();
    let mut file = match steps_csv {
        Some(path) => Some((AtomicFile::create(path)?, path)),
        None => None,
    };
    {
        let mut out = file.as_mut().map(|(f, path)| (f.writer(), *path));
        let mut table = match out.as_mut() {
            Some((o, path)) => Some((
                tables::StepsWriter::new(o).map_err(|source| OutputError::Csv {
                    path: path.to_path_buf(),
                    source,
                })?,
                *path,
            )),
            None => None,
        };
        for r in sorted {
            let read;
            let trajectory = match steps {
                StepSource::Files => {
                    read = folder.read_replicate(r.replicate)?;
                    &read.trajectory
                }
                _ => &r.trajectory,
            };
            acc.push(trajectory);
            if let Some((t, path)) = table.as_mut() {
                t.replicate(r.replicate, trajectory)
                    .map_err(|source| OutputError::Csv {
                        path: path.to_path_buf(),
                        source,
                    })?;
            }
        }
        // Flushes the csv buffer and the file's buffer under it.
        if let Some((t, path)) = table {
            t.finish().map_err(|source| OutputError::Csv {
                path: path.to_path_buf(),
                source,
            })?;
        }
    }
    if let Some((f, _)) = file {
        f.commit()?;
    }
    Ok(acc.by_step(LEVEL))
}

/// Writes one CSV table atomically with `write` and returns its path.
fn write_csv(
    dir: &Path,
    name: &str,
    results: &[&ReplicateResult],
    write: fn(&mut dyn std::io::Write, &[&ReplicateResult]) -> csv::Result<()>,
) -> Result<PathBuf, OutputError> {
    let path = dir.join(name);
    let mut file = AtomicFile::create(&path)?;
    {
        let mut out = file.writer();
        write(&mut out, results).map_err(|source| OutputError::Csv {
            path: path.clone(),
            source,
        })?;
        std::io::Write::flush(&mut out).map_err(|source| OutputError::Write {
            path: path.clone(),
            source,
        })?;
    }
    file.commit()?;
    Ok(path)
}

/// The name shown in plot titles: the scenario's `name` key, else the scenario file's stem.
fn scenario_name(manifest: &Manifest) -> String {
    if let Some(name) = manifest.scenario.get("name").and_then(|v| v.as_str()) {
        return name.to_string();
    }
    Path::new(&manifest.scenario_file).file_stem().map_or_else(
        || "ovation".to_string(),
        |s| s.to_string_lossy().into_owned(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::output::fixtures::theater_run;

    fn manifest(started: &str) -> Manifest {
        Manifest {
            scenario: serde_json::json!({"name": "standing-ovation", "seed": 7}),
            scenario_file: "scenarios/standing-ovation.toml".into(),
            overrides: vec![],
            seed: 7,
            replicates: 20,
            program: "ovation 0.1.0".into(),
            graph: GraphSummary {
                nodes: 400,
                edges: 1540,
                source: "theater 20x20".into(),
            },
            started: started.into(),
            finished: started.into(),
            threads: 4,
            resumed_replicates: 0,
            provenance: Default::default(),
            shards: Vec::new(),
        }
    }

    /// Every file under `dir` (not in subfolders) with its bytes, sorted by name.
    fn files(dir: &Path) -> Vec<(String, Vec<u8>)> {
        let mut out: Vec<(String, Vec<u8>)> = std::fs::read_dir(dir)
            .expect("dir")
            .map(|e| e.expect("entry").path())
            .filter(|p| p.is_file())
            .map(|p| {
                let bytes = std::fs::read(&p).expect("read");
                (
                    p.file_name().expect("name").to_string_lossy().into_owned(),
                    bytes,
                )
            })
            .collect();
        out.sort();
        out
    }

    #[test]
    fn finish_writes_everything_and_is_byte_stable() {
        let root = tempfile::tempdir().expect("temp dir");
        let mut results = theater_run(20, 20, 20);
        results.reverse();
        let a = RunFolder::open(&root.path().join("a"), FolderMode::New, "f").expect("open");
        let b = RunFolder::open(&root.path().join("b"), FolderMode::New, "f").expect("open");
        let written = finish(&a, &manifest("t0"), &results, Some((20, 20)), true, true).expect("a");
        let names: Vec<String> = written
            .iter()
            .map(|p| p.file_name().expect("name").to_string_lossy().into_owned())
            .collect();
        assert_eq!(
            names,
            [
                "summary.csv",
                "steps.csv",
                "rows.csv",
                "stats.json",
                "shares.png",
                "shares.svg",
                "final_standing.png",
                "final_standing.svg",
                "seat_map.png",
                "seat_map.svg",
                "manifest.json"
            ]
        );
        results.reverse();
        finish(&b, &manifest("t1"), &results, Some((20, 20)), true, true).expect("b");
        let (fa, fb) = (files(a.path()), files(b.path()));
        assert_eq!(fa.len(), fb.len());
        for ((na, ba), (nb, bb)) in fa.iter().zip(&fb) {
            assert_eq!(na, nb);
            if na != "manifest.json" {
                assert!(
                    ba == bb,
                    "{na} differs between two writes of the same results"
                );
            }
        }
        // Sorted by replicate whatever the input order.
        let summary = String::from_utf8(
            fa[fa
                .iter()
                .position(|f| f.0 == "summary.csv")
                .expect("summary")]
            .1
            .clone(),
        )
        .expect("utf-8");
        assert!(summary.lines().nth(1).expect("a row").starts_with("0,"));
    }

    #[test]
    fn finish_without_plots_or_steps() {
        let root = tempfile::tempdir().expect("temp dir");
        let results = theater_run(3, 2, 2);
        let mut plain = results.clone();
        for r in &mut plain {
            r.standing_by_row.clear();
            r.final_standing_by_seat.clear();
        }
        let f = RunFolder::open(root.path(), FolderMode::New, "f").expect("open");
        let written = finish(&f, &manifest("t"), &plain, None, false, false).expect("finish");
        let names: Vec<String> = written
            .iter()
            .map(|p| p.file_name().expect("name").to_string_lossy().into_owned())
            .collect();
        assert_eq!(names, ["summary.csv", "stats.json", "manifest.json"]);
    }

    #[test]
    fn stats_json_reads_back() {
        let results = theater_run(5, 3, 3);
        let refs: Vec<&ReplicateResult> = results.iter().collect();
        let stats = aggregate::run_stats(&refs, LEVEL);
        let bytes = json::stats_json(&stats).expect("json");
        let v: serde_json::Value = serde_json::from_slice(&bytes).expect("valid JSON");
        assert_eq!(v["replicates"], 5);
        assert_eq!(v["measures"]["final_standing"]["n"], 5);
        assert_eq!(v["measures"]["final_standing"]["method"], "student_t");
        assert_eq!(v["outcomes"]["fixed_point"]["method"], "wilson_score");
        assert_eq!(v["standing_by_row"].as_array().expect("rows").len(), 3);
        assert!(v["notes"].as_array().expect("notes").len() >= 3);
        let keys: Vec<&str> = {
            let text = std::str::from_utf8(&bytes).expect("utf-8");
            [
                "schema_version",
                "replicates",
                "level",
                "notes",
                "measures",
                "outcomes",
                "standing_by_row",
                "by_step",
            ]
            .into_iter()
            .inspect(|k| assert!(text.contains(&format!("\"{k}\"")), "{k}"))
            .collect()
        };
        let text = std::str::from_utf8(&bytes).expect("utf-8");
        let positions: Vec<usize> = keys
            .iter()
            .map(|k| text.find(&format!("\n  \"{k}\"")).expect("top-level key"))
            .collect();
        assert!(
            positions.windows(2).all(|w| w[0] < w[1]),
            "keys out of order: {positions:?}"
        );
    }
}
