//! Shards: a job's (group, replicate) units split into `N` disjoint parts that run anywhere
//! (`--shard I/N`: Slurm array tasks, GNU parallel, separate machines), each writing a partial
//! result folder, and [`merge`], which joins the parts into exactly the folder one run would
//! have written.
//!
//! # Assignment
//!
//! The units are laid end to end in (group, replicate) order, each weighing its expected cost
//! (steps × (agents + edges) of its group's scenario, the work of one replicate), and cut into
//! `N` consecutive stretches of equal weight: a unit belongs to the shard in whose stretch its
//! midpoint falls. So shards are balanced to within one unit's cost, each shard touches few
//! groups (few graphs to load), and the assignment is a pure function of the scenario, which
//! `merge` recomputes to know where each replicate is and that none is missing.
//!
//! # Why the merge is exact
//!
//! Replicate `r` of a group draws only from `replicate_key(seed, r)`, never from where or with
//! whom it ran, so a shard writes the very replicate file a whole run writes. `merge` copies
//! those files, byte for byte, into a new folder and then writes the tables, statistics, plots
//! and report through the same code as a run that finds every replicate on disk; only the
//! manifest tells them apart (its times, and the list of shards).

use std::path::{Path, PathBuf};
use std::str::FromStr;

use rayon::prelude::*;

use super::{CompareOutcome, JobError, JobOptions, RunOutcome, SweepOutcome};
use crate::engine::ReplicateResult;
use crate::output::shard::{ShardEntry, ShardFile, read_replicate};
use crate::output::{OutputError, RunFolder, write_atomic};
use crate::scenario::{self, Scenario, memory};

/// Shard `index` of `count` (`--shard I/N`, numbered from 1).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Shard {
    /// This shard, from 1 to `count`.
    pub index: u32,
    /// How many shards the job is split into, at least 1.
    pub count: u32,
}

impl FromStr for Shard {
    type Err = String;

    /// `I/N` with `1 <= I <= N`, e.g. `2/8`.
    fn from_str(text: &str) -> Result<Shard, String> {
        let bad = || {
            format!(
                "expected I/N, shard I of N numbered from 1 (e.g. 2/8; with Slurm \
                 `--array=1-8` and `--shard $SLURM_ARRAY_TASK_ID/8`), found {text:?}"
            )
        };
        let (i, n) = text.trim().split_once('/').ok_or_else(bad)?;
        let index: u32 = i.trim().parse().map_err(|_| bad())?;
        let count: u32 = n.trim().parse().map_err(|_| bad())?;
        if count == 0 || index == 0 || index > count {
            return Err(bad());
        }
        Ok(Shard { index, count })
    }
}

impl std::fmt::Display for Shard {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}/{}", self.index, self.count)
    }
}

/// Which shard runs each (group, replicate) unit (see the module docs).
#[derive(Debug, Clone)]
pub(crate) struct Assignment {
    /// Each group's weight before it: the sum of the earlier groups' cost × replicates.
    before: Vec<u128>,
    /// Each group's cost per replicate, at least 1.
    cost: Vec<u128>,
    /// Each group's replicates.
    replicates: Vec<u32>,
    /// All units' weight.
    total: u128,
    /// Shards.
    count: u32,
}

impl Assignment {
    /// The assignment of `groups` (cost per replicate, replicates) to `count` shards.
    pub(crate) fn new(groups: &[(u64, u32)], count: u32) -> Assignment {
        let mut before = Vec::with_capacity(groups.len());
        let mut total: u128 = 0;
        for &(c, r) in groups {
            before.push(total);
            total += u128::from(c.max(1)) * u128::from(r);
        }
        Assignment {
            before,
            cost: groups.iter().map(|&(c, _)| u128::from(c.max(1))).collect(),
            replicates: groups.iter().map(|&(_, r)| r).collect(),
            total,
            count,
        }
    }

    /// The shard (numbered from 1) that runs replicate `r` of group `g`.
    pub(crate) fn owner(&self, g: usize, r: u32) -> u32 {
        let c = self.cost[g];
        // The unit's midpoint, doubled to stay in integers: 2 * (before + r c) + c.
        let mid2 = 2 * (self.before[g] + u128::from(r) * c) + c;
        let s = mid2 * u128::from(self.count) / (2 * self.total.max(1));
        s.min(u128::from(self.count - 1)) as u32 + 1
    }

    /// How many units shard `shard` runs in group `g`.
    pub(crate) fn units_in(&self, g: usize, shard: u32) -> u64 {
        // A shard's units in a group are one consecutive range: binary search its ends.
        let first_at_or_after = |s: u32| -> u32 {
            let (mut lo, mut hi) = (0u32, self.replicates[g]);
            while lo < hi {
                let mid = lo + (hi - lo) / 2;
                if self.owner(g, mid) >= s {
                    hi = mid;
                } else {
                    lo = mid + 1;
                }
            }
            lo
        };
        u64::from(first_at_or_after(shard + 1) - first_at_or_after(shard))
    }

    /// How many units shard `shard` runs in all.
    pub(crate) fn units(&self, shard: u32) -> u64 {
        (0..self.replicates.len())
            .map(|g| self.units_in(g, shard))
            .sum()
    }
}

/// The expected cost of one replicate of `scenario`: steps × (agents + edges), as estimated
/// before anything is loaded.
pub(crate) fn expected_cost(scenario: &Scenario) -> u64 {
    let e = memory::estimate(scenario, 1);
    u64::from(scenario.stop.max_steps.max(1)).saturating_mul(e.nodes.saturating_add(e.edges))
}

/// Where the replicates of a merge come from: every shard's folder, by shard number.
#[derive(Debug, Clone)]
pub(crate) struct Sources {
    /// Shard `i`'s folder at index `i - 1`.
    dirs: Vec<PathBuf>,
    /// The shards as the merged manifest lists them.
    pub(crate) entries: Vec<ShardEntry>,
}

/// How a job runs: whole, as one shard, or as the merge of its shards.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Phase<'a> {
    /// Every unit, then the tables.
    Whole,
    /// Only this shard's units, and `shard.json`; no tables.
    Shard(Shard),
    /// No unit runs: the shards' replicates are copied in, then the tables are written.
    Merge(&'a Sources),
}

impl Phase<'_> {
    /// The fingerprint of the job's top folder: `whole` when it runs whole or merged (so the
    /// merged folder is the whole one), the job's `identity` and the shard for a shard, so a
    /// shard folder is resumed only as the same shard of the same job.
    pub(crate) fn fingerprint(&self, whole: &str, identity: &str) -> String {
        match self {
            Phase::Shard(s) => format!("{identity}shard: {s}\n"),
            _ => whole.to_string(),
        }
    }

    /// The assignment of `groups` when the job is sharded or merged.
    pub(crate) fn assignment(&self, groups: &[(u64, u32)]) -> Option<Assignment> {
        match self {
            Phase::Whole => None,
            Phase::Shard(s) => Some(Assignment::new(groups, s.count)),
            Phase::Merge(src) => Some(Assignment::new(groups, src.dirs.len() as u32)),
        }
    }

    /// The shard this job runs, if it runs one.
    pub(crate) fn shard(&self) -> Option<Shard> {
        match self {
            Phase::Shard(s) => Some(*s),
            _ => None,
        }
    }

    /// Whether group `g` has work here (a shard loads only its groups' graphs).
    pub(crate) fn has_group(&self, assignment: Option<&Assignment>, g: usize) -> bool {
        match (self, assignment) {
            (Phase::Shard(s), Some(a)) => a.units_in(g, s.index) > 0,
            _ => true,
        }
    }

    /// The finished replicates group `g` starts with: in a merge, every one, copied from the
    /// shards' folders (`rel` is the group's folder inside a shard folder) into `folder`;
    /// otherwise those already in `folder` when resuming, else none.
    pub(crate) fn start(
        &self,
        assignment: Option<&Assignment>,
        g: usize,
        rel: &Path,
        replicates: u32,
        folder: &RunFolder,
        resume: bool,
    ) -> Result<Vec<ReplicateResult>, JobError> {
        match (self, assignment) {
            (Phase::Merge(src), Some(a)) => src.take(a, g, rel, replicates, folder),
            // Without trajectories: `finish` reads them back from the files one at a time.
            _ if resume => Ok(folder.done_summaries(replicates)?),
            _ => Ok(Vec::new()),
        }
    }
}

impl Sources {
    /// Copies replicates `0..replicates` of group `g` from the shards that ran them (their
    /// folder `rel`) into `folder`, byte for byte, and returns them in order.
    fn take(
        &self,
        a: &Assignment,
        g: usize,
        rel: &Path,
        replicates: u32,
        folder: &RunFolder,
    ) -> Result<Vec<ReplicateResult>, JobError> {
        (0..replicates)
            .into_par_iter()
            .map(|r| {
                let s = a.owner(g, r);
                let dir = &self.dirs[s as usize - 1];
                let from = dir.join(rel);
                let Some((bytes, result)) = read_replicate(&from, r)? else {
                    return Err(JobError::Merge(format!(
                        "{}: shard {s}/{} lacks replicate {r} of {}: its folder was changed \
                         after it finished; rerun that shard with --force",
                        dir.display(),
                        self.dirs.len(),
                        if rel.as_os_str().is_empty() {
                            "the run".to_string()
                        } else {
                            rel.display().to_string()
                        }
                    )));
                };
                write_atomic(&folder.replicate_path(r), &bytes)?;
                // The trajectory stays in the file (`finish` reads it back); memory grows with
                // the replicates' summaries only.
                let mut result = result;
                result.trajectory = Vec::new();
                Ok(result)
            })
            .collect()
    }
}

/// How a job ended: whole (or merged), or as one shard.
#[derive(Debug)]
pub(crate) enum Done<T> {
    /// The job's own outcome.
    Job(T),
    /// A shard's.
    Shard(ShardOutcome),
}

impl<T> Done<T> {
    /// The job's outcome (a job run whole or merged never ends as a shard).
    pub(crate) fn job(self) -> Result<T, JobError> {
        match self {
            Done::Job(t) => Ok(t),
            Done::Shard(_) => Err(JobError::Setup(anyhow::anyhow!(
                "a job run whole ended as a shard"
            ))),
        }
    }

    /// The shard's outcome.
    pub(crate) fn shard(self) -> Result<ShardOutcome, JobError> {
        match self {
            Done::Shard(s) => Ok(s),
            Done::Job(_) => Err(JobError::Setup(anyhow::anyhow!(
                "a shard ended as a whole job"
            ))),
        }
    }
}

/// Writes the `shard.json` of shard `shard` of a job of `kind` into `dir`, complete or not.
pub(crate) fn write_shard_file(
    dir: &Path,
    kind: &str,
    shard: Shard,
    scenario: &Scenario,
    job: &str,
    units: u64,
    complete: bool,
) -> Result<(), OutputError> {
    let mut f = ShardFile::new(
        kind,
        shard.index,
        shard.count,
        &scenario.path,
        &scenario.overrides,
        job,
        units,
    );
    f.complete = complete;
    f.write(dir)
}

/// What a shard returns: which shard, how many replicates it ran (of its own), and its folder.
#[derive(Debug, Clone)]
pub struct ShardOutcome {
    /// The shard.
    pub shard: Shard,
    /// The job (`run`, `sweep`, `compare`).
    pub kind: &'static str,
    /// Replicates assigned to this shard.
    pub units: u64,
    /// Of those, how many were already on disk (resumed).
    pub resumed: u64,
    /// The shard's partial folder.
    pub folder: PathBuf,
}

impl ShardOutcome {
    /// One line: the shard, its replicates and what to do next.
    pub fn summary_line(&self, name: &str) -> String {
        format!(
            "{name}: shard {} of the {}: {} replicates{}; join the shards with `ovation merge \
             SHARD_FOLDER... --out FOLDER`",
            self.shard,
            self.kind,
            self.units,
            if self.resumed > 0 {
                format!(" ({} found on disk)", self.resumed)
            } else {
                String::new()
            }
        )
    }
}

/// What `merge` returns: the job's own outcome, as if it had run whole.
#[derive(Debug)]
pub enum MergeOutcome {
    /// A run.
    Run(RunOutcome),
    /// A sweep.
    Sweep(SweepOutcome),
    /// A comparison.
    Compare(CompareOutcome),
}

impl MergeOutcome {
    /// The merged folder.
    pub fn folder(&self) -> &Path {
        match self {
            MergeOutcome::Run(o) => o.folder.as_deref().unwrap_or(Path::new("")),
            MergeOutcome::Sweep(o) => &o.folder,
            MergeOutcome::Compare(o) => &o.folder,
        }
    }
}

/// Joins the shard folders `dirs` (every shard of one job, in any order) into the folder
/// `options` names: the folder the job would have written had it run whole.
///
/// Fails, naming the folder, when one is not a finished shard folder, belongs to another job
/// (another kind, shard count, scenario, seed, input file or program build), repeats a shard,
/// or when a shard is missing; and when the scenario or its inputs changed since the shards
/// ran. The shard folders are only read.
pub fn merge(dirs: &[PathBuf], options: &JobOptions<'_>) -> Result<MergeOutcome, JobError> {
    let Some(first_dir) = dirs.first() else {
        return Err(JobError::Merge(
            "give the shard folders to merge (those `--shard I/N` wrote)".into(),
        ));
    };
    let mut files = Vec::with_capacity(dirs.len());
    for d in dirs {
        match ShardFile::read(d)? {
            Some(f) => files.push(f),
            None if d.is_dir() => {
                return Err(JobError::Merge(format!(
                    "{}: not a shard folder (it has no shard.json): give the folders that \
                     `--shard I/N` wrote",
                    d.display()
                )));
            }
            None => {
                return Err(JobError::Merge(format!(
                    "{}: no such shard folder",
                    d.display()
                )));
            }
        }
    }
    let first = &files[0];
    for (d, f) in dirs.iter().zip(&files).skip(1) {
        let why = if f.kind != first.kind {
            Some(format!("it is a {}, not a {}", f.kind, first.kind))
        } else if f.shards != first.shards {
            Some(format!(
                "it is one of {} shards, not of {}",
                f.shards, first.shards
            ))
        } else if f.job != first.job {
            Some(differences(
                &f.job,
                &d.display().to_string(),
                &first.job,
                &first_dir.display().to_string(),
            ))
        } else {
            None
        };
        if let Some(why) = why {
            return Err(JobError::Merge(format!(
                "{}: shard {}/{} of another job than {} (shard {}/{}): {why}",
                d.display(),
                f.shard,
                f.shards,
                first_dir.display(),
                first.shard,
                first.shards
            )));
        }
    }
    let n = first.shards;
    let mut by_index: Vec<Option<usize>> = vec![None; n as usize];
    for (i, f) in files.iter().enumerate() {
        if f.shard == 0 || f.shard > n {
            return Err(JobError::Merge(format!(
                "{}: shard.json names shard {} of {n}",
                dirs[i].display(),
                f.shard
            )));
        }
        let slot = &mut by_index[f.shard as usize - 1];
        if let Some(j) = *slot {
            return Err(JobError::Merge(format!(
                "shard {}/{n} given twice: {} and {}",
                f.shard,
                dirs[j].display(),
                dirs[i].display()
            )));
        }
        *slot = Some(i);
    }
    let missing: Vec<String> = by_index
        .iter()
        .enumerate()
        .filter(|(_, s)| s.is_none())
        .map(|(i, _)| format!("{}/{n}", i + 1))
        .collect();
    if !missing.is_empty() {
        return Err(JobError::Merge(format!(
            "shard{} {} missing: {} of {n} given ({}); give every shard folder of the job",
            if missing.len() == 1 { "" } else { "s" },
            missing.join(", "),
            files.len(),
            dirs.iter()
                .zip(&files)
                .map(|(d, f)| format!("{}/{n} in {}", f.shard, d.display()))
                .collect::<Vec<_>>()
                .join(", ")
        )));
    }
    for (d, f) in dirs.iter().zip(&files) {
        if !f.complete {
            return Err(JobError::Merge(format!(
                "{}: shard {}/{n} did not finish: resume it with `ovation {} {} --shard {}/{n} \
                 --resume --out {}`",
                d.display(),
                f.shard,
                f.kind,
                f.scenario_file,
                f.shard,
                d.display()
            )));
        }
    }
    let ordered: Vec<usize> = by_index.into_iter().flatten().collect();
    let sources = Sources {
        dirs: ordered.iter().map(|&i| dirs[i].clone()).collect(),
        entries: ordered
            .iter()
            .map(|&i| ShardEntry {
                shard: format!("{}/{n}", files[i].shard),
                folder: dirs[i].display().to_string(),
                replicates: files[i].units,
            })
            .collect(),
    };

    // The scenario is read again, as the shards read it: its path is relative to where they
    // ran.
    let path = PathBuf::from(&first.scenario_file);
    if path.is_relative() {
        let here = std::env::current_dir()
            .map(|d| d.display().to_string())
            .unwrap_or_default();
        if here != first.cwd {
            return Err(JobError::Merge(format!(
                "the shards ran in {} and name their scenario {} relative to it: run `ovation \
                 merge` from {} too",
                first.cwd,
                path.display(),
                first.cwd
            )));
        }
    }
    let phase = Phase::Merge(&sources);
    let changed = |now: &str| -> Result<(), JobError> {
        if now == first.job {
            return Ok(());
        }
        Err(JobError::Merge(format!(
            "{}: changed since the shards ran, so their results are not this scenario's: {}",
            path.display(),
            differences(now, "the scenario now", &first.job, "the shards")
        )))
    };
    match first.kind.as_str() {
        "run" => {
            let s = scenario::load(&path, &first.overrides)?;
            changed(&super::run::identity(&s))?;
            super::run::run_in(&s, options, phase)?
                .job()
                .map(MergeOutcome::Run)
        }
        "sweep" => {
            let base = scenario::load(&path, &first.overrides)?;
            let cells = scenario::sweep::load_cells(&base, &first.overrides)?;
            changed(&super::sweep::identity(&base, &cells))?;
            super::sweep::sweep_in(&base, &first.overrides, options, phase)?
                .job()
                .map(MergeOutcome::Sweep)
        }
        "compare" => {
            let cmp = scenario::strategies::load_comparison(&path, &first.overrides)?;
            changed(&super::compare::identity(&cmp))?;
            super::compare::compare_in(&cmp, options, phase)?
                .job()
                .map(MergeOutcome::Compare)
        }
        other => Err(JobError::Merge(format!(
            "{}: shard.json names a job `{other}`; expected run, sweep or compare",
            first_dir.display()
        ))),
    }
}

/// What differs between two jobs' identities (`label: value` lines), naming each input, e.g.
/// `seed: 4 in b, 3 in a; graph file g.txt: 9f1c... in b, 0a2b... in a`.
fn differences(a: &str, a_name: &str, b: &str, b_name: &str) -> String {
    let split = |text: &str| -> Vec<(String, String)> {
        text.lines()
            .map(|l| match l.rsplit_once(": ") {
                Some((k, v)) => (k.to_string(), v.to_string()),
                None => (l.to_string(), String::new()),
            })
            .collect()
    };
    let (xs, ys) = (split(a), split(b));
    let mut what = Vec::new();
    for (k, v) in &xs {
        match ys.iter().find(|(yk, _)| yk == k) {
            Some((_, w)) if w == v => {}
            Some((_, w)) => what.push(format!("{k}: {v} in {a_name}, {w} in {b_name}")),
            None => what.push(format!("{k} only in {a_name}")),
        }
    }
    for (k, _) in &ys {
        if !xs.iter().any(|(xk, _)| xk == k) {
            what.push(format!("{k} only in {b_name}"));
        }
    }
    if what.is_empty() {
        what.push("their identities differ".into());
    }
    what.join("; ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shard_parses_i_of_n_from_one() {
        assert_eq!("2/8".parse::<Shard>(), Ok(Shard { index: 2, count: 8 }));
        assert_eq!(
            " 1 / 1 ".parse::<Shard>().map(|s| s.to_string()),
            Ok("1/1".into())
        );
        for bad in ["0/3", "4/3", "1/0", "3", "a/b", "-1/3", ""] {
            let err = bad.parse::<Shard>().expect_err(bad);
            assert!(err.contains("numbered from 1"), "{err}");
        }
    }

    /// Every unit has exactly one owner, each shard's units in a group are what `units_in`
    /// counts, and shards of equal-cost units differ by at most one unit.
    #[test]
    fn assignment_is_a_balanced_partition() {
        let a = Assignment::new(&[(1, 10)], 3);
        let owners: Vec<u32> = (0..10).map(|r| a.owner(0, r)).collect();
        // Midpoints (2r+1)/20 of [0, 1) cut at 1/3 and 2/3.
        assert_eq!(owners, [1, 1, 1, 2, 2, 2, 2, 3, 3, 3]);
        assert_eq!((1..=3).map(|s| a.units(s)).collect::<Vec<_>>(), [3, 4, 3]);

        // Unequal groups: a group ten times as costly takes about ten times the shards' share.
        let groups = [(10, 6), (1, 40), (5, 0), (3, 7)];
        for count in [1, 2, 3, 5, 8, 200] {
            let a = Assignment::new(&groups, count);
            let mut weight = vec![0u64; count as usize];
            let mut n = 0;
            for (g, &(c, reps)) in groups.iter().enumerate() {
                for r in 0..reps {
                    let s = a.owner(g, r);
                    assert!((1..=count).contains(&s));
                    weight[s as usize - 1] += c;
                    n += 1;
                }
                let per: u64 = (1..=count).map(|s| a.units_in(g, s)).sum();
                assert_eq!(per, u64::from(reps));
            }
            assert_eq!((1..=count).map(|s| a.units(s)).sum::<u64>(), n);
            // Each shard's weight is within one unit's largest cost of the fair share.
            let total: u64 = groups.iter().map(|(c, r)| c * u64::from(*r)).sum();
            for w in &weight {
                let fair = total as f64 / f64::from(count);
                assert!((*w as f64 - fair).abs() <= 10.0, "{weight:?} vs {fair}");
            }
        }
    }
}
