//! The command line: argument parsing (clap derive), one file per subcommand, progress bars,
//! and the only place that prints to the terminal or chooses an exit status.
//!
//! The doc comments of the argument structs are clap's `--help` text, where brackets are literal
//! (`runs/<name>[-<command>]`), not rustdoc links.
#![allow(rustdoc::broken_intra_doc_links, rustdoc::invalid_html_tags)]

use std::io::IsTerminal;

use clap::{Parser, Subcommand};

/// The most worker threads `--threads` (and `bench --threads-list`) accept: far more than any
/// machine's cores, while a mistyped 100000 is refused instead of hanging the machine.
pub const MAX_THREADS: usize = 1024;

/// ovation: social information cascades on follower graphs.
#[derive(Debug, Parser)]
#[command(name = "ovation", version, about, long_about = None)]
pub struct Cli {
    /// Worker threads (default: all cores).
    #[arg(long, global = true)]
    pub threads: Option<usize>,
    /// Memory a scenario may need, e.g. `64G`, `512M` or `none` (default: the machine's
    /// memory, MemTotal of /proc/meminfo). A scenario estimated above it is refused before
    /// anything is allocated.
    #[arg(long, global = true, value_name = "SIZE", value_parser = parse_size)]
    pub memory_limit: Option<u64>,
    /// The subcommand.
    #[command(subcommand)]
    pub command: Command,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run a scenario's replicates in parallel and write its result folder.
    Run(run::RunArgs),
    /// Build, convert and describe follower graphs.
    #[command(subcommand)]
    Graph(graph::GraphCommand),
    /// Check scenario files without running them: every error, one per line; exit status 2 if
    /// any file has one.
    Validate(validate::ValidateArgs),
    /// Run a scenario's `[strategies.<name>]` side by side under common random numbers and
    /// write the comparison folder (paired differences, headline, plots, report.html).
    Compare(compare::CompareArgs),
    /// Rebuild report.html in a result folder (run, sweep or compare) from its files.
    Report(report::ReportArgs),
    /// Run every combination of the values in a scenario's `[sweep]` table and write the sweep
    /// folder (sweep.csv, cells.csv, plots).
    Sweep(sweep::SweepArgs),
    /// Benchmark named workloads over thread counts (bench.csv, bench.json, scaling plot), or
    /// `bench peer`: the threshold cascade on the peer benchmark's files.
    Bench(bench::BenchArgs),
    /// Calibrate a scenario's `[fit.parameters]` to observed adoption or cascade data by
    /// ABC-SMC: posterior, credible intervals, predictive checks, held-out score.
    Fit(fit::FitArgs),
    /// Print a shell completion script: `ovation completions bash|zsh|fish|elvish|powershell`.
    Completions(completions::CompletionsArgs),
    /// Print the manual page (roff): `ovation man > ovation.1 && man ./ovation.1`.
    Man,
    /// Join the partial folders of a job's shards (`run|sweep|compare --shard I/N`) into the
    /// folder the job would have written run whole.
    Merge(merge::MergeArgs),
    /// Run one replicate's threshold cascade with its agents partitioned across timely-dataflow
    /// workers and processes (built with `--features distributed`); timely's flags after `--`.
    #[cfg(feature = "distributed")]
    Partitioned(partitioned::PartitionedArgs),
}

pub mod bench;
pub mod compare;
pub mod completions;
pub mod fit;
pub mod graph;
pub mod merge;
#[cfg(feature = "distributed")]
pub mod partitioned;
pub mod progress;
pub mod report;
pub mod run;
pub mod sweep;
pub mod validate;

/// The result-folder arguments `run`, `sweep` and `compare` share.
#[derive(Debug, clap::Args)]
pub struct FolderArgs {
    /// Result folder (default: runs/<scenario name>[-<command>]-<UTC start time>).
    #[arg(long)]
    pub out: Option<std::path::PathBuf>,
    /// Replace an existing result folder.
    #[arg(long, conflicts_with = "resume")]
    pub force: bool,
    /// Finish an interrupted job in its folder, keeping the replicates already on disk.
    #[arg(long)]
    pub resume: bool,
    /// Override a scenario key, e.g. `--set model.quality=0.6` (repeatable; for `sweep` and
    /// `compare`, in every cell or strategy).
    #[arg(long = "set", value_name = "KEY=VALUE")]
    pub set: Vec<String>,
    /// No progress bar and no summary line.
    #[arg(long, short)]
    pub quiet: bool,
    /// Run only shard I of N (numbered from 1) of the job's replicates, into a partial folder
    /// (default runs/<scenario name>[-<command>]-shard-I-of-N); join the N folders with
    /// `ovation merge` (see examples/slurm/).
    #[arg(long, value_name = "I/N")]
    pub shard: Option<crate::jobs::Shard>,
}

impl FolderArgs {
    /// How to open the folder: `--force`, `--resume` or new.
    pub fn mode(&self) -> crate::output::FolderMode {
        use crate::output::FolderMode;
        match (self.force, self.resume) {
            (true, _) => FolderMode::Force,
            (_, true) => FolderMode::Resume,
            _ => FolderMode::New,
        }
    }

    /// The job options: the folder (`--out` or the default for `name` started at `started`)
    /// opened as the flags say, the memory limit, and `progress`.
    pub fn options<'a>(
        &self,
        name: &str,
        started: std::time::SystemTime,
        progress: &'a dyn crate::jobs::Progress,
    ) -> crate::jobs::JobOptions<'a> {
        crate::jobs::JobOptions {
            destination: crate::jobs::Destination::Folder {
                dir: self.folder(name, started),
                mode: self.mode(),
            },
            memory_limit: memory_limit(),
            progress,
        }
    }

    /// `--out`, or `runs/<name>-<UTC start time>` (`runs/<name>-shard-I-of-N` for a shard,
    /// the same for every try, so a shard is resumed where it started).
    pub fn folder(&self, name: &str, started: std::time::SystemTime) -> std::path::PathBuf {
        self.out.clone().unwrap_or_else(|| {
            if let Some(s) = self.shard {
                return std::path::PathBuf::from("runs")
                    .join(format!("{name}-shard-{}-of-{}", s.index, s.count));
            }
            let stamp = crate::output::rfc3339_utc(started)
                .replace([':', '-'], "")
                .trim_end_matches('Z')
                .to_string();
            std::path::PathBuf::from("runs").join(format!("{name}-{stamp}"))
        })
    }
}

/// The memory limit for this process, set once by [`main`].
static MEMORY_LIMIT: std::sync::OnceLock<u64> = std::sync::OnceLock::new();

/// `--memory-limit`'s value: bytes with an optional K, M, G or T suffix (powers of 1024), or
/// `none`.
fn parse_size(text: &str) -> Result<u64, String> {
    let t = text.trim();
    if t.eq_ignore_ascii_case("none") {
        return Ok(u64::MAX);
    }
    let (digits, unit) = match t
        .char_indices()
        .find(|(_, c)| !c.is_ascii_digit() && *c != '.')
    {
        Some((i, _)) => t.split_at(i),
        None => (t, ""),
    };
    let shift = match unit
        .trim()
        .to_ascii_uppercase()
        .trim_end_matches("IB")
        .trim_end_matches('B')
    {
        "" => 0,
        "K" => 10,
        "M" => 20,
        "G" => 30,
        "T" => 40,
        _ => {
            return Err(format!(
                "expected a size like 512M, 64G or none, found {text:?}"
            ));
        }
    };
    let x: f64 = digits
        .parse()
        .map_err(|_| format!("expected a size like 512M, 64G or none, found {text:?}"))?;
    Ok((x * (1u64 << shift) as f64).min(u64::MAX as f64) as u64)
}

/// The machine's memory: `MemTotal` of `/proc/meminfo`, or no limit where there is none.
fn machine_memory() -> u64 {
    std::fs::read_to_string("/proc/meminfo")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("MemTotal:"))
                .and_then(|l| l.split_whitespace().nth(1)?.parse::<u64>().ok())
        })
        .map_or(u64::MAX, |kb| kb.saturating_mul(1024))
}

/// The memory limit: `--memory-limit`, else the machine's memory.
pub fn memory_limit() -> u64 {
    *MEMORY_LIMIT.get_or_init(machine_memory)
}

/// Whether progress bars may be drawn: only when standard error is a terminal.
pub fn progress_allowed(quiet: bool) -> bool {
    !quiet && std::io::stderr().is_terminal()
}

/// Parses the arguments, runs the subcommand and returns the exit status: 0 on success, 1 on
/// an error (printed as one line, with its causes), 2 on a usage error.
pub fn main() -> i32 {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let code = if e.use_stderr() { 2 } else { 0 };
            let _ = e.print();
            return code;
        }
    };
    if let Some(limit) = cli.memory_limit {
        let _ = MEMORY_LIMIT.set(limit);
    }
    if let Some(t) = cli.threads
        && (t == 0 || t > MAX_THREADS)
    {
        eprintln!("ovation: --threads: expected a count from 1 to {MAX_THREADS}, found {t}");
        return 2;
    }
    if let Some(t) = cli.threads
        && let Err(e) = rayon::ThreadPoolBuilder::new()
            .num_threads(t)
            .build_global()
    {
        eprintln!("ovation: cannot start {t} threads: {e}");
        return 1;
    }
    let result = match cli.command {
        Command::Run(args) => run::run(args),
        Command::Graph(cmd) => graph::run(cmd),
        Command::Validate(args) => validate::run(args),
        Command::Compare(args) => compare::run(args),
        Command::Report(args) => report::run(args),
        Command::Sweep(args) => sweep::run(args),
        Command::Bench(args) => bench::run(args),
        Command::Fit(args) => fit::run(args),
        Command::Completions(args) => completions::completions(args),
        Command::Man => completions::man(),
        Command::Merge(args) => merge::run(args),
        #[cfg(feature = "distributed")]
        Command::Partitioned(args) => partitioned::run(args),
    };
    match result {
        Ok(code) => code,
        Err(e) => {
            if is_broken_pipe(&e) {
                return 0;
            }
            eprintln!("ovation: {e:#}");
            1
        }
    }
}

fn is_broken_pipe(e: &anyhow::Error) -> bool {
    e.chain().any(|c| {
        c.downcast_ref::<std::io::Error>()
            .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
    })
}
