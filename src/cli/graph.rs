//! `ovation graph`: gen, import, stats and export.
//!
//! - `ovation graph gen <generator> [params] -o FILE [--seed N]` builds a graph with one of the
//!   generators of [`crate::graph::generators`] and writes it as a binary cache (`.ovg`, the
//!   default) or, when FILE ends in `.txt`, `.tsv` or `.edges` (optionally `.gz`), as an edge
//!   list.
//! - `ovation graph import EDGELIST --follows ... -o FILE` reads a real edge list and writes the
//!   cache.
//! - `ovation graph stats FILE [--json]` describes a cache or an edge list (told apart by the
//!   cache's magic bytes).
//! - `ovation graph export FILE --format dot|graphml|edgelist [-o OUT]` writes another format,
//!   to standard output by default.
//!
//! No command overwrites an existing file unless given `--force`, except an ovation graph
//! cache (a derived file) written as a cache again; files are written to a
//! temporary file beside the target and moved into place, so a failed run leaves nothing
//! half-written.

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::{Context, bail};
use clap::{Args, Subcommand, ValueEnum};
use indicatif::{ProgressBar, ProgressStyle};

use crate::cli::progress_allowed;
use crate::graph::FollowerGraph;
use crate::graph::generators::{self, GeneratorSpec};
use crate::graph::io::{self, Direction, IdKind, ImportOptions};
use crate::graph::stats::GraphStats;

/// The `graph` subcommands.
#[derive(Debug, Subcommand)]
pub enum GraphCommand {
    /// Generate a graph (theater, erdos_renyi, barabasi_albert, ...) and write it to a file.
    Gen(GenArgs),
    /// Import a real edge list (SNAP-style text, optionally .gz) into the binary cache.
    Import(ImportArgs),
    /// Describe a graph (binary cache or edge list): counts, degrees, top accounts, components.
    Stats(StatsArgs),
    /// Write a graph as DOT, GraphML or an edge list.
    Export(ExportArgs),
}

/// Arguments of `graph gen`.
#[derive(Debug, Args)]
pub struct GenArgs {
    /// The generator and its parameters.
    #[command(subcommand)]
    pub generator: GeneratorCommand,
}

/// Where `graph gen` writes and from which seed.
#[derive(Debug, Args)]
pub struct GenOutput {
    /// Output file: a binary cache (.ovg) unless it ends in .txt, .tsv or .edges (edge list),
    /// optionally followed by .gz (gzipped edge list).
    #[arg(short, long, value_name = "FILE")]
    pub output: PathBuf,
    /// Seed of the generator's random streams.
    #[arg(long, default_value_t = 0)]
    pub seed: u64,
    /// Overwrite FILE if it exists.
    #[arg(long)]
    pub force: bool,
}

/// One generator per subcommand, with the parameters of [`GeneratorSpec`].
#[derive(Debug, Subcommand)]
pub enum GeneratorCommand {
    /// Miller and Page's theater: rows x seats, each agent sees its side neighbours and a cone
    /// of seats ahead; row 0 (the front) has the most followers.
    #[command(name = "theater")]
    Theater {
        /// Number of rows (row 0 is nearest the stage).
        #[arg(long)]
        rows: u32,
        /// Seats per row.
        #[arg(long)]
        seats: u32,
        /// How many rows ahead an agent sees (1 = the five-neighbours case).
        #[arg(long, default_value_t = 1)]
        cone: u32,
        /// Output file, seed and --force.
        #[command(flatten)]
        out: GenOutput,
    },
    /// Directed Erdos-Renyi: G(n, p) with --p or G(n, m) with --m.
    #[command(name = "erdos_renyi", alias = "erdos-renyi")]
    ErdosRenyi {
        /// Number of nodes.
        #[arg(long)]
        n: u32,
        /// Probability of each ordered pair.
        #[arg(long, required_unless_present = "m", conflicts_with = "m")]
        p: Option<f64>,
        /// Exact number of edges (of ties with --undirected).
        #[arg(long)]
        m: Option<u64>,
        /// Undirected ties, each read as two reciprocal follow edges.
        #[arg(long)]
        undirected: bool,
        /// Output file, seed and --force.
        #[command(flatten)]
        out: GenOutput,
    },
    /// Directed Barabasi-Albert: each new node follows m existing nodes, chosen in proportion
    /// to follower count + 1 (hubs = influencers).
    #[command(name = "barabasi_albert", alias = "barabasi-albert")]
    BarabasiAlbert {
        /// Number of nodes.
        #[arg(long)]
        n: u32,
        /// Accounts each new node follows.
        #[arg(long)]
        m: u32,
        /// Output file, seed and --force.
        #[command(flatten)]
        out: GenOutput,
    },
    /// Watts-Strogatz small world (undirected ties stored as two reciprocal edges).
    #[command(name = "watts_strogatz", alias = "watts-strogatz")]
    WattsStrogatz {
        /// Number of nodes.
        #[arg(long)]
        n: u32,
        /// Ties per node in the ring lattice (even).
        #[arg(long)]
        k: u32,
        /// Rewiring probability in [0, 1].
        #[arg(long)]
        beta: f64,
        /// Output file, seed and --force.
        #[command(flatten)]
        out: GenOutput,
    },
    /// Directed stochastic block model: groups with within- and between-group densities.
    #[command(name = "stochastic_block", alias = "stochastic-block")]
    StochasticBlock {
        /// Group sizes, comma separated (e.g. 500,300,200).
        #[arg(long, value_delimiter = ',', required = true)]
        sizes: Vec<u32>,
        /// Edge probability within a group.
        #[arg(
            long,
            alias = "p_in",
            requires = "p_out",
            conflicts_with = "probabilities"
        )]
        p_in: Option<f64>,
        /// Edge probability between groups.
        #[arg(long, alias = "p_out", requires = "p_in")]
        p_out: Option<f64>,
        /// Full matrix instead of --p-in/--p-out: rows separated by ';', entries by ',';
        /// entry [g][h] is the chance that a node of group h follows a node of group g.
        #[arg(long, value_name = "ROWS", required_unless_present = "p_in")]
        probabilities: Option<String>,
        /// Output file, seed and --force.
        #[command(flatten)]
        out: GenOutput,
    },
    /// Directed configuration model with power-law in- and out-degrees.
    #[command(name = "powerlaw_configuration", alias = "powerlaw-configuration")]
    PowerlawConfiguration {
        /// Number of nodes.
        #[arg(long)]
        n: u32,
        /// Exponent of the in-degree (following count) distribution, > 1.
        #[arg(long, alias = "in_exponent")]
        in_exponent: f64,
        /// Exponent of the out-degree (follower count) distribution, > 1.
        #[arg(long, alias = "out_exponent")]
        out_exponent: f64,
        /// Smallest degree drawn.
        #[arg(long, alias = "min_degree", default_value_t = 1)]
        min_degree: u32,
        /// Largest degree drawn (default n - 1).
        #[arg(long, alias = "max_degree")]
        max_degree: Option<u32>,
        /// Output file, seed and --force.
        #[command(flatten)]
        out: GenOutput,
    },
    /// Directed configuration model from given degree sequences.
    #[command(name = "degree_sequence", alias = "degree-sequence")]
    DegreeSequence {
        /// How many accounts each node follows, comma separated.
        #[arg(long, alias = "in_degrees", value_delimiter = ',', required = true)]
        in_degrees: Vec<u32>,
        /// How many followers each node has, comma separated.
        #[arg(long, alias = "out_degrees", value_delimiter = ',', required = true)]
        out_degrees: Vec<u32>,
        /// Output file, seed and --force.
        #[command(flatten)]
        out: GenOutput,
    },
    /// Every ordered pair: n (n - 1) edges.
    #[command(name = "complete")]
    Complete {
        /// Number of nodes.
        #[arg(long)]
        n: u32,
        /// Output file, seed and --force.
        #[command(flatten)]
        out: GenOutput,
    },
}

/// How to read an edge list (`graph import`, and `graph stats` / `graph export` when given one).
#[derive(Debug, Args)]
pub struct EdgeListArgs {
    /// Which column follows which. Default: second-follows-first (a line `u v` means v follows
    /// u, the edge u -> v). Many follower lists are `follower followee`: use
    /// first-follows-second for those. mutual: every line is a follow in both directions.
    #[arg(long, value_enum, value_name = "DIRECTION")]
    pub follows: Option<Direction>,
    /// Node ids: integers, arbitrary strings, or auto (integers if every id parses as one).
    #[arg(long, value_enum, default_value = "auto")]
    pub ids: IdKind,
    /// Skip the first line (a CSV header).
    #[arg(long)]
    pub header: bool,
    /// Read a third column as the edge weight.
    #[arg(long)]
    pub weighted: bool,
    /// Keep self-loops (dropped and counted by default).
    #[arg(long)]
    pub keep_self_loops: bool,
    /// Keep repeated edges (dropped and counted by default).
    #[arg(long)]
    pub keep_duplicates: bool,
}

impl EdgeListArgs {
    fn options(&self) -> ImportOptions {
        ImportOptions {
            direction: self.follows.unwrap_or_default(),
            ids: self.ids,
            header: self.header,
            weighted: self.weighted,
            keep_self_loops: self.keep_self_loops,
            keep_duplicates: self.keep_duplicates,
        }
    }

    /// Warns when `graph`, read from `file` without `--header`, starts with what looks like a
    /// column header read as an edge (string ids only: integer files are refused at import).
    fn warn_if_header(&self, file: &Path, graph: &FollowerGraph) {
        if !self.header {
            warn_if_header(file, graph, "--header");
        }
    }

    /// Tells the user which direction was assumed when `--follows` was not given.
    fn notice_assumed_direction(&self, file: &Path) {
        if self.follows.is_none() {
            eprintln!(
                "ovation: note: {}: no --follows given, assuming second-follows-first (a line `u v` \
                 means v follows u); pass --follows first-follows-second if lines read `follower \
                 followee`, or --follows mutual",
                file.display()
            );
        }
    }
}

/// Arguments of `graph import`.
#[derive(Debug, Args)]
pub struct ImportArgs {
    /// The edge list: whitespace, tab or comma separated, `#`/`%` comments, plain or .gz.
    pub edgelist: PathBuf,
    /// How to read an edge list.
    #[command(flatten)]
    pub read: EdgeListArgs,
    /// Also write the mapping from dense ids to original ids: a CSV file with the header
    /// `dense_id,original_id`, one node per line.
    #[arg(long, value_name = "FILE")]
    pub id_map: Option<PathBuf>,
    /// The binary cache to write.
    #[arg(short, long, value_name = "FILE")]
    pub output: PathBuf,
    /// Overwrite existing output files.
    #[arg(long)]
    pub force: bool,
}

/// Arguments of `graph stats`.
#[derive(Debug, Args)]
pub struct StatsArgs {
    /// A binary cache or an edge list (told apart by the cache's magic bytes).
    pub file: PathBuf,
    /// Print one JSON object instead of a table.
    #[arg(long)]
    pub json: bool,
    /// How to read an edge list.
    #[command(flatten)]
    pub read: EdgeListArgs,
}

/// The formats `graph export` writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ExportFormat {
    /// Graphviz DOT.
    Dot,
    /// GraphML (XML).
    Graphml,
    /// Edge list, one `u v` per line (v follows u), readable by `graph import`.
    Edgelist,
}

/// Arguments of `graph export`.
#[derive(Debug, Args)]
pub struct ExportArgs {
    /// A binary cache or an edge list.
    pub file: PathBuf,
    /// Output format.
    #[arg(long, value_enum)]
    pub format: ExportFormat,
    /// Output file (default: standard output).
    #[arg(short, long, value_name = "OUT")]
    pub output: Option<PathBuf>,
    /// Overwrite OUT if it exists.
    #[arg(long)]
    pub force: bool,
    /// How to read an edge list.
    #[command(flatten)]
    pub read: EdgeListArgs,
}

/// Runs one `graph` subcommand; returns the exit status.
pub fn run(cmd: GraphCommand) -> anyhow::Result<i32> {
    match cmd {
        GraphCommand::Gen(args) => gen_graph(args.generator),
        GraphCommand::Import(args) => import(args),
        GraphCommand::Stats(args) => stats(args),
        GraphCommand::Export(args) => export(args),
    }
    .map(|()| 0)
}

impl GeneratorCommand {
    /// Splits the command into the generator spec and the output options.
    fn into_spec(self) -> anyhow::Result<(GeneratorSpec, GenOutput)> {
        Ok(match self {
            GeneratorCommand::Theater {
                rows,
                seats,
                cone,
                out,
            } => (GeneratorSpec::Theater { rows, seats, cone }, out),
            GeneratorCommand::ErdosRenyi {
                n,
                p,
                m,
                undirected,
                out,
            } => (
                GeneratorSpec::ErdosRenyi {
                    n,
                    p,
                    m,
                    undirected,
                },
                out,
            ),
            GeneratorCommand::BarabasiAlbert { n, m, out } => {
                (GeneratorSpec::BarabasiAlbert { n, m }, out)
            }
            GeneratorCommand::WattsStrogatz { n, k, beta, out } => {
                (GeneratorSpec::WattsStrogatz { n, k, beta }, out)
            }
            GeneratorCommand::StochasticBlock {
                sizes,
                p_in,
                p_out,
                probabilities,
                out,
            } => {
                let probabilities = probabilities
                    .as_deref()
                    .map(parse_matrix)
                    .transpose()
                    .context("--probabilities")?;
                (
                    GeneratorSpec::StochasticBlock {
                        sizes,
                        p_in,
                        p_out,
                        probabilities,
                    },
                    out,
                )
            }
            GeneratorCommand::PowerlawConfiguration {
                n,
                in_exponent,
                out_exponent,
                min_degree,
                max_degree,
                out,
            } => (
                GeneratorSpec::PowerlawConfiguration {
                    n,
                    in_exponent,
                    out_exponent,
                    min_degree,
                    max_degree,
                },
                out,
            ),
            GeneratorCommand::DegreeSequence {
                in_degrees,
                out_degrees,
                out,
            } => (
                GeneratorSpec::DegreeSequence {
                    in_degrees,
                    out_degrees,
                },
                out,
            ),
            GeneratorCommand::Complete { n, out } => (GeneratorSpec::Complete { n }, out),
        })
    }
}

/// Parses `0.1,0.01;0.01,0.1` into rows of probabilities.
fn parse_matrix(text: &str) -> anyhow::Result<Vec<Vec<f64>>> {
    text.split(';')
        .enumerate()
        .map(|(g, row)| {
            row.split(',')
                .enumerate()
                .map(|(h, x)| {
                    x.trim().parse::<f64>().with_context(|| {
                        format!("entry [{g}][{h}]: expected a number, found {:?}", x.trim())
                    })
                })
                .collect()
        })
        .collect()
}

/// What a file name asks `graph gen` to write.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum GraphFileKind {
    Cache,
    EdgeList { gzip: bool },
}

fn graph_file_kind(path: &Path) -> GraphFileKind {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().to_ascii_lowercase())
        .unwrap_or_default();
    let (stem, gzip) = match name.strip_suffix(".gz") {
        Some(stem) => (stem.to_string(), true),
        None => (name, false),
    };
    if gzip || [".txt", ".tsv", ".edges"].iter().any(|e| stem.ends_with(e)) {
        GraphFileKind::EdgeList { gzip }
    } else {
        GraphFileKind::Cache
    }
}

/// A spinner on standard error while something without a measurable length runs; hidden
/// when standard error is not a terminal.
fn spinner(message: String) -> ProgressBar {
    if !progress_allowed(false) {
        return ProgressBar::hidden();
    }
    let pb = ProgressBar::new_spinner();
    pb.set_style(
        ProgressStyle::with_template("{spinner} {msg} [{elapsed}]").expect("the template is valid"),
    );
    pb.set_message(message);
    pb.enable_steady_tick(Duration::from_millis(120));
    pb
}

/// A byte-count bar for reading `path`; hidden when standard error is not a terminal.
fn byte_bar(path: &Path, verb: &str) -> ProgressBar {
    if !progress_allowed(false) {
        return ProgressBar::hidden();
    }
    let len = std::fs::metadata(path).map(|m| m.len()).unwrap_or(0);
    let pb = ProgressBar::new(len);
    pb.set_style(
        ProgressStyle::with_template(
            "{msg} [{bar:30}] {bytes}/{total_bytes} {bytes_per_sec} eta {eta}",
        )
        .expect("the template is valid")
        .progress_chars("=> "),
    );
    pb.set_message(format!("{verb} {}", path.display()));
    pb
}

/// Whether `path` may be replaced: an ovation graph cache always (a derived file, rebuilt from
/// its source at will); with `force`, any other graph file ovation wrote (an edge list, DOT,
/// GraphML or id map export, see [`io::written_by_ovation`]). A file ovation did not write,
/// such as the user's own edge list or notes, is never replaced, `--force` or not.
fn may_replace(path: &Path, force: bool) -> bool {
    io::is_cache(path).unwrap_or(false) || (force && io::written_by_ovation(path))
}

/// Refuses to go on if `path` exists and may not be replaced (see [`may_replace`]).
fn refuse_overwrite(path: &Path, force: bool) -> anyhow::Result<()> {
    if std::fs::symlink_metadata(path).is_ok() && !may_replace(path, force) {
        if force {
            bail!(
                "{}: already exists and is not a graph file ovation wrote; --force replaces only \
                 those, so it is left as it is; choose another output file",
                path.display()
            );
        }
        bail!(
            "{}: already exists and is not an ovation graph cache; pass --force to overwrite a \
             graph file ovation wrote, or choose another output file",
            path.display()
        );
    }
    Ok(())
}

/// Writes `path` through `output`'s atomic writer (a temporary file in the same folder, moved
/// into place once `write` succeeded): a failed write leaves no partial file. Refuses an
/// existing `path` unless it may be replaced ([`may_replace`]), also when it appears meanwhile.
fn write_atomically(
    path: &Path,
    force: bool,
    write: impl FnOnce(&Path) -> anyhow::Result<()>,
) -> anyhow::Result<()> {
    use crate::output::OutputError;
    use crate::output::folder::AtomicFile;
    refuse_overwrite(path, force)?;
    let file = AtomicFile::create(path)?;
    write(file.temp_path())?;
    // `graph::io` may have replaced the temporary file with its own private (0600) one; give
    // the result the mode a file created with the usual umask (022) gets.
    #[cfg(unix)]
    std::fs::set_permissions(
        file.temp_path(),
        std::os::unix::fs::PermissionsExt::from_mode(0o644),
    )
    .with_context(|| format!("{}: cannot set permissions", path.display()))?;
    let replace = may_replace(path, force);
    let committed = if replace {
        file.commit()
    } else {
        file.commit_noclobber()
    };
    committed.map_err(|e| match e {
        OutputError::Write { source, .. } if source.kind() == std::io::ErrorKind::AlreadyExists => {
            anyhow::anyhow!(
                "{}: appeared while it was being written and is not a graph file ovation wrote; \
                 it is left as it is",
                path.display()
            )
        }
        other => anyhow::Error::new(other),
    })
}

/// Writes `graph` as an edge list to `path`, gzipped if asked.
fn write_edge_list_file(graph: &FollowerGraph, path: &Path, gzip: bool) -> anyhow::Result<()> {
    let file = File::create(path)?;
    let mut w = BufWriter::new(file);
    if gzip {
        let mut gz = flate2::write::GzEncoder::new(&mut w, flate2::Compression::default());
        io::write_edge_list(graph, &mut gz)?;
        gz.finish()?;
    } else {
        io::write_edge_list(graph, &mut w)?;
    }
    w.flush()?;
    Ok(())
}

/// Writes `graph` to `path` in the format its name asks for (see [`GraphFileKind`]).
fn write_graph_file(graph: &FollowerGraph, path: &Path, force: bool) -> anyhow::Result<()> {
    let kind = graph_file_kind(path);
    write_atomically(path, force, |tmp| {
        match kind {
            GraphFileKind::Cache => io::write_cache(graph, tmp)?,
            GraphFileKind::EdgeList { gzip } => write_edge_list_file(graph, tmp, gzip)?,
        }
        Ok(())
    })
    .with_context(|| format!("cannot write {}", path.display()))
}

fn gen_graph(cmd: GeneratorCommand) -> anyhow::Result<()> {
    let (spec, out) = cmd.into_spec()?;
    // Check the parameters and the output before spending minutes on a large graph.
    spec.validate()?;
    refuse_overwrite(&out.output, out.force)?;
    let pb = spinner(format!(
        "generating {} ({} nodes)",
        spec.name(),
        spec.node_count()
    ));
    let graph = generators::generate(&spec, out.seed)?;
    pb.set_message(format!("writing {}", out.output.display()));
    write_graph_file(&graph, &out.output, out.force)?;
    pb.finish_and_clear();
    println!(
        "{}: {} graph, {} nodes, {} edges (seed {})",
        out.output.display(),
        spec.name(),
        graph.node_count(),
        graph.edge_count(),
        out.seed
    );
    Ok(())
}

/// Loads a cache or an edge list, with a progress bar on a terminal.
fn load(path: &Path, read: &EdgeListArgs) -> anyhow::Result<FollowerGraph> {
    if !path.exists() {
        bail!("{}: no such file", path.display());
    }
    if !io::is_cache(path)? {
        read.notice_assumed_direction(path);
    }
    let pb = byte_bar(path, "reading");
    let graph = io::load_graph(path, &read.options(), &|b| pb.set_position(b));
    pb.finish_and_clear();
    let graph = graph?;
    read.warn_if_header(path, &graph);
    Ok(graph)
}

/// Warns on standard error when the graph read from `file` starts with a line that looks like
/// a column header; `fix` says how to skip it (`--header`, or a scenario key).
pub(crate) fn warn_if_header(file: &Path, graph: &FollowerGraph, fix: &str) {
    if let Some((a, b)) = io::header_suspect(graph) {
        eprintln!(
            "ovation: warning: {}: the first line `{a} {b}` looks like a column header, read \
             as an edge between two accounts named `{a}` and `{b}`; if it is one, skip it with \
             {fix}",
            file.display()
        );
    }
}

fn import(args: ImportArgs) -> anyhow::Result<()> {
    let path = &args.edgelist;
    refuse_overwrite(&args.output, args.force)?;
    if let Some(map) = &args.id_map {
        refuse_overwrite(map, args.force)?;
    }
    if !path.exists() {
        bail!("{}: no such file", path.display());
    }
    args.read.notice_assumed_direction(path);
    let pb = byte_bar(path, "importing");
    let graph = io::import_edge_list(path, &args.read.options(), &|b| pb.set_position(b));
    pb.finish_and_clear();
    let graph = graph?;
    args.read.warn_if_header(path, &graph);
    let pb = spinner(format!("writing {}", args.output.display()));
    write_atomically(&args.output, args.force, |tmp| {
        io::write_cache(&graph, tmp)?;
        Ok(())
    })
    .with_context(|| format!("cannot write {}", args.output.display()))?;
    if let Some(map) = &args.id_map {
        write_atomically(map, args.force, |tmp| {
            let mut w = BufWriter::new(File::create(tmp)?);
            io::write_id_map(&graph, &mut w)?;
            w.flush()?;
            Ok(())
        })
        .with_context(|| format!("cannot write {}", map.display()))?;
    }
    pb.finish_and_clear();
    let r = graph.report();
    let direction = args.read.follows.unwrap_or_default();
    println!(
        "{}: {} nodes, {} edges from {} ({} lines read as edges; dropped {} self-loops and {} \
         duplicate edges; direction {})",
        args.output.display(),
        graph.node_count(),
        graph.edge_count(),
        path.display(),
        r.edges_in,
        r.self_loops_dropped,
        r.duplicates_dropped,
        direction.name(),
    );
    Ok(())
}

fn stats(args: StatsArgs) -> anyhow::Result<()> {
    let graph = load(&args.file, &args.read)?;
    let pb = spinner(format!("describing {}", args.file.display()));
    let stats = GraphStats::of(&graph);
    pb.finish_and_clear();
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    if args.json {
        serde_json::to_writer_pretty(&mut out, &stats)?;
        writeln!(out)?;
    } else {
        writeln!(out, "{}", args.file.display())?;
        writeln!(out, "{stats}")?;
    }
    out.flush()?;
    Ok(())
}

fn export_to(graph: &FollowerGraph, format: ExportFormat, w: &mut dyn Write) -> anyhow::Result<()> {
    match format {
        ExportFormat::Dot => io::write_dot(graph, &mut *w)?,
        ExportFormat::Graphml => io::write_graphml(graph, &mut *w)?,
        ExportFormat::Edgelist => io::write_edge_list(graph, &mut *w)?,
    }
    w.flush()?;
    Ok(())
}

fn export(args: ExportArgs) -> anyhow::Result<()> {
    if let Some(out) = &args.output {
        refuse_overwrite(out, args.force)?;
    }
    let graph = load(&args.file, &args.read)?;
    match &args.output {
        Some(out) => write_atomically(out, args.force, |tmp| {
            let mut w = BufWriter::new(File::create(tmp)?);
            export_to(&graph, args.format, &mut w)
        })
        .with_context(|| format!("cannot write {}", out.display())),
        None => {
            let stdout = std::io::stdout();
            let mut w = BufWriter::new(stdout.lock());
            export_to(&graph, args.format, &mut w)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn output_kind_follows_the_file_name() {
        let check = |name: &str, want: GraphFileKind| {
            assert_eq!(graph_file_kind(Path::new(name)), want, "{name}");
        };
        check("a.ovg", GraphFileKind::Cache);
        check("dir/a", GraphFileKind::Cache);
        check("a.txt", GraphFileKind::EdgeList { gzip: false });
        check("a.TSV", GraphFileKind::EdgeList { gzip: false });
        check("a.edges", GraphFileKind::EdgeList { gzip: false });
        check("a.edges.gz", GraphFileKind::EdgeList { gzip: true });
        check("a.txt.gz", GraphFileKind::EdgeList { gzip: true });
    }

    #[test]
    fn probability_matrices_parse_or_say_where_they_fail() {
        assert_eq!(
            parse_matrix("0.1,0.01; 0.02,0.2").expect("valid"),
            vec![vec![0.1, 0.01], vec![0.02, 0.2]]
        );
        let e = parse_matrix("0.1,x").expect_err("invalid");
        assert!(format!("{e:#}").contains("[0][1]"), "{e:#}");
    }
}
