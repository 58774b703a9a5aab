//! `ovation graph`: gen, import, stats and export.

use clap::Subcommand;

/// The `graph` subcommands.
#[derive(Debug, Subcommand)]
pub enum GraphCommand {
    /// Describe a graph (edge list or cache).
    Stats {
        /// The graph file.
        file: std::path::PathBuf,
    },
}

/// Runs one `graph` subcommand.
pub fn run(cmd: GraphCommand) -> anyhow::Result<i32> {
    match cmd {
        GraphCommand::Stats { file } => anyhow::bail!("{}: not built yet", file.display()),
    }
}
