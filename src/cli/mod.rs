//! The command line: argument parsing (clap derive), one file per subcommand, progress bars,
//! and the only place that prints to the terminal or chooses an exit status.

use std::io::IsTerminal;

use clap::{Parser, Subcommand};

/// ovation: social information cascades on follower graphs.
#[derive(Debug, Parser)]
#[command(name = "ovation", version, about, long_about = None)]
pub struct Cli {
    /// Worker threads (default: all cores).
    #[arg(long, global = true)]
    pub threads: Option<usize>,
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
}

pub mod bench;
pub mod compare;
pub mod fit;
pub mod graph;
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

    /// `--out`, or `runs/<name>-<UTC start time>`.
    pub fn folder(&self, name: &str, started: std::time::SystemTime) -> std::path::PathBuf {
        self.out.clone().unwrap_or_else(|| {
            let stamp = crate::output::rfc3339_utc(started)
                .replace([':', '-'], "")
                .trim_end_matches('Z')
                .to_string();
            std::path::PathBuf::from("runs").join(format!("{name}-{stamp}"))
        })
    }
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
