//! Seeded, deterministic graph generators, each following a published construction.
//!
//! Every generator draws from [`crate::rng`] streams keyed by the seed (through
//! [`graph_key`](crate::rng::graph_key)) and by a row, block or node index, never by thread, so
//! the same seed gives the same graph with any number of threads. Edges follow ovation's
//! convention: `u -> v` means **v follows u** (v sees u).
//!
//! | `generator`              | construction                                              | file                       |
//! |--------------------------|-----------------------------------------------------------|----------------------------|
//! | `theater`                | Miller & Page 2004; Izquierdo et al. 2009 (JASSS 12(1)6)  | `theater.rs`               |
//! | `erdos_renyi`            | G(n, p) and G(n, m), Batagelj & Brandes 2005              | `erdos_renyi.rs`           |
//! | `barabasi_albert`        | Barabasi & Albert 1999, directed; Batagelj & Brandes 2005 | `barabasi_albert.rs`       |
//! | `watts_strogatz`         | Watts & Strogatz 1998                                     | `watts_strogatz.rs`        |
//! | `stochastic_block`       | Holland, Laskey & Leinhardt 1983                          | `stochastic_block.rs`      |
//! | `powerlaw_configuration` | directed configuration model, Newman, Strogatz & Watts 2001 | `powerlaw_configuration.rs` |
//! | `degree_sequence`        | the same model from given degree sequences                | `powerlaw_configuration.rs` |
//! | `complete`               | every ordered pair                                        | `complete.rs`              |
//!
//! [`generate`] validates the spec, asks the generator for its edge list and builds the
//! [`FollowerGraph`] with the default [`BuildOptions`]: only the configuration models can make
//! self-loops or repeated edges, and those are dropped and counted in the graph's
//! [`BuildReport`](crate::graph::BuildReport).

mod barabasi_albert;
mod complete;
mod erdos_renyi;
mod powerlaw_configuration;
mod stochastic_block;
mod theater;
mod watts_strogatz;

use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use crate::graph::{BuildOptions, FollowerGraph};
use crate::rng::Stream;

pub use theater::TheaterLayout;

/// A generator and its parameters, as written in a scenario's `[graph]` table
/// (`generator = "theater"`, ...) or on the `ovation graph gen` command line.
///
/// ```toml
/// generator = "barabasi_albert"
/// n = 10000
/// m = 5
/// ```
///
/// Call [`GeneratorSpec::validate`] (or [`generate`], which calls it) before trusting the
/// numbers: deserialising checks only their types.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "generator", rename_all = "snake_case", deny_unknown_fields)]
pub enum GeneratorSpec {
    /// Miller and Page's theater: `rows` x `seats`, row 0 is the front; an agent sees its two
    /// side neighbours and, in the c-th row ahead (c = 1..=cone), the 2c+1 seats centred on its
    /// column. Node id = `row * seats + seat` (see [`TheaterLayout`]).
    Theater {
        /// Number of rows (row 0 is nearest the stage).
        rows: u32,
        /// Seats per row.
        seats: u32,
        /// Cone length: how many rows ahead an agent sees (1 = the "five neighbours" case;
        /// 0 = side neighbours only).
        #[serde(default = "default_cone")]
        cone: u32,
    },
    /// Directed Erdos-Renyi G(n, p): every ordered pair independently with probability `p`;
    /// or G(n, m): a uniformly random set of exactly `m` ordered pairs. With `undirected =
    /// true`, the classic undirected graph read as reciprocal follows: every unordered pair is
    /// a tie with probability `p` (or `m` ties are drawn), and each tie is two edges, so an
    /// agent's sources are its followers (the mean degree is `z = p (n - 1)`, as in Watts
    /// 2002).
    ErdosRenyi {
        /// Number of nodes.
        n: u32,
        /// Edge probability (give exactly one of `p` and `m`).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        p: Option<f64>,
        /// Exact number of edges, G(n, m) (give exactly one of `p` and `m`); with `undirected`,
        /// the number of ties (each two edges).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        m: Option<u64>,
        /// Undirected ties read as reciprocal edges (default false: directed).
        #[serde(default, skip_serializing_if = "std::ops::Not::not")]
        undirected: bool,
    },
    /// Directed Barabasi-Albert: each new node follows `m` distinct existing nodes chosen with
    /// probability proportional to follower count + 1; the first `m + 1` nodes follow every
    /// earlier node.
    BarabasiAlbert {
        /// Number of nodes.
        n: u32,
        /// Accounts each new node follows.
        m: u32,
    },
    /// Watts-Strogatz small world: a ring where each node is tied to its `k / 2` nearest
    /// neighbours on each side, each tie rewired with probability `beta`. Undirected: every tie
    /// is stored as two reciprocal edges, so the graph has `n * k` edges.
    WattsStrogatz {
        /// Number of nodes.
        n: u32,
        /// Ties per node in the ring lattice (even, less than `n`).
        k: u32,
        /// Rewiring probability in [0, 1] (0 = the lattice, 1 = close to random).
        beta: f64,
    },
    /// Directed stochastic block model: nodes are split into consecutive groups of `sizes`;
    /// each ordered pair `u -> v` is an edge with probability `p_in` when both lie in the same
    /// group and `p_out` otherwise, or `probabilities[g][h]` for `u` in group `g` and `v` in
    /// group `h` when that matrix is given instead.
    StochasticBlock {
        /// Group sizes; group 0 holds nodes `0..sizes[0]`, and so on.
        sizes: Vec<u32>,
        /// Edge probability within a group (with `p_out`; not with `probabilities`).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        p_in: Option<f64>,
        /// Edge probability between groups (with `p_in`; not with `probabilities`).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        p_out: Option<f64>,
        /// Full matrix: `probabilities[g][h]` is the chance that a node of group `h` follows a
        /// node of group `g` (edge `g -> h`). Replaces `p_in` and `p_out`.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        probabilities: Option<Vec<Vec<f64>>>,
    },
    /// Directed configuration model with power-law degrees: each node's number of sources
    /// (in-degree) and of followers (out-degree) is drawn from a discrete power law
    /// `P(k) ~ k^-exponent` on `min_degree..=max_degree`; stubs are then paired at random.
    /// For given degree sequences use [`GeneratorSpec::DegreeSequence`].
    PowerlawConfiguration {
        /// Number of nodes.
        n: u32,
        /// Exponent of the in-degree (number of sources) distribution, greater than 1.
        in_exponent: f64,
        /// Exponent of the out-degree (number of followers) distribution, greater than 1.
        out_exponent: f64,
        /// Smallest degree drawn (at least 1).
        #[serde(default = "default_min_degree")]
        min_degree: u32,
        /// Largest degree drawn; `n - 1` when absent.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        max_degree: Option<u32>,
    },
    /// Directed configuration model from given degree sequences (the node count is their
    /// length): stubs are paired at random; self-loops and repeated edges are dropped and counted.
    DegreeSequence {
        /// `in_degrees[v]`: how many accounts `v` follows (its sources).
        in_degrees: Vec<u32>,
        /// `out_degrees[u]`: how many followers `u` has.
        out_degrees: Vec<u32>,
    },
    /// Every ordered pair `u != v`: `n (n - 1)` edges.
    Complete {
        /// Number of nodes.
        n: u32,
    },
}

fn default_cone() -> u32 {
    1
}

fn default_min_degree() -> u32 {
    1
}

/// A generator's parameters are out of range.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{generator}: {message}")]
pub struct GeneratorError {
    /// The generator's name.
    pub generator: &'static str,
    /// What was expected and what was found, for every parameter out of range (joined by `; `).
    pub message: String,
}

/// Collects every problem of one spec, so [`GeneratorSpec::validate`] reports them all.
struct Problems {
    generator: &'static str,
    found: Vec<String>,
}

impl Problems {
    fn require(&mut self, ok: bool, message: impl FnOnce() -> String) {
        if !ok {
            self.found.push(message());
        }
    }

    fn probability(&mut self, key: &str, p: f64) {
        self.require((0.0..=1.0).contains(&p), || {
            format!("{key}: expected a probability in [0, 1], found {p}")
        });
    }

    fn nodes(&mut self, key: &str, n: u64) {
        self.require(n >= 1, || {
            format!("{key}: expected at least 1 node, found 0")
        });
        self.require(n <= u64::from(u32::MAX), || {
            format!("{key}: expected at most {} nodes, found {n}", u32::MAX)
        });
    }

    fn finish(self) -> Result<(), GeneratorError> {
        if self.found.is_empty() {
            Ok(())
        } else {
            Err(GeneratorError {
                generator: self.generator,
                message: self.found.join("; "),
            })
        }
    }
}

impl GeneratorSpec {
    /// The generator's name as written in `generator = "..."`.
    pub fn name(&self) -> &'static str {
        match self {
            GeneratorSpec::Theater { .. } => "theater",
            GeneratorSpec::ErdosRenyi { .. } => "erdos_renyi",
            GeneratorSpec::BarabasiAlbert { .. } => "barabasi_albert",
            GeneratorSpec::WattsStrogatz { .. } => "watts_strogatz",
            GeneratorSpec::StochasticBlock { .. } => "stochastic_block",
            GeneratorSpec::PowerlawConfiguration { .. } => "powerlaw_configuration",
            GeneratorSpec::DegreeSequence { .. } => "degree_sequence",
            GeneratorSpec::Complete { .. } => "complete",
        }
    }

    /// The number of nodes the generated graph will have (may exceed `u32::MAX` for a spec
    /// that [`validate`](Self::validate) rejects).
    pub fn node_count(&self) -> u64 {
        match self {
            GeneratorSpec::Theater { rows, seats, .. } => u64::from(*rows) * u64::from(*seats),
            GeneratorSpec::ErdosRenyi { n, .. }
            | GeneratorSpec::BarabasiAlbert { n, .. }
            | GeneratorSpec::WattsStrogatz { n, .. }
            | GeneratorSpec::PowerlawConfiguration { n, .. }
            | GeneratorSpec::Complete { n } => u64::from(*n),
            GeneratorSpec::StochasticBlock { sizes, .. } => {
                sizes.iter().map(|&s| u64::from(s)).sum()
            }
            GeneratorSpec::DegreeSequence { in_degrees, .. } => in_degrees.len() as u64,
        }
    }

    /// The seat layout of a theater spec (`None` for every other generator).
    pub fn theater_layout(&self) -> Option<TheaterLayout> {
        match *self {
            GeneratorSpec::Theater { rows, seats, .. } => Some(TheaterLayout { rows, seats }),
            _ => None,
        }
    }

    /// Checks every parameter's range and reports all that are out of range in one error,
    /// each naming the parameter, what was expected and what was found.
    pub fn validate(&self) -> Result<(), GeneratorError> {
        let mut pr = Problems {
            generator: self.name(),
            found: Vec::new(),
        };
        match self {
            GeneratorSpec::Theater { rows, seats, .. } => {
                pr.require(*rows >= 1, || "rows: expected at least 1, found 0".into());
                pr.require(*seats >= 1, || "seats: expected at least 1, found 0".into());
                let agents = self.node_count();
                pr.require(agents <= u64::from(u32::MAX), || {
                    format!(
                        "rows x seats: expected at most {} agents, found {agents}",
                        u32::MAX
                    )
                });
            }
            GeneratorSpec::ErdosRenyi {
                n,
                p,
                m,
                undirected,
            } => {
                pr.nodes("n", u64::from(*n));
                let pairs = ordered_pairs(*n);
                match (p, m) {
                    (Some(p), None) => pr.probability("p", *p),
                    (None, Some(m)) if *undirected => pr.require(*m <= pairs / 2, || {
                        format!(
                            "m: expected at most n(n-1)/2 = {} ties, found {m}",
                            pairs / 2
                        )
                    }),
                    (None, Some(m)) => pr.require(*m <= pairs, || {
                        format!("m: expected at most n(n-1) = {pairs} edges, found {m}")
                    }),
                    (Some(_), Some(_)) => {
                        pr.found
                            .push("expected exactly one of p and m, found both".into());
                    }
                    (None, None) => {
                        pr.found
                            .push("expected exactly one of p and m, found neither".into());
                    }
                }
            }
            GeneratorSpec::BarabasiAlbert { n, m } => {
                pr.nodes("n", u64::from(*n));
                pr.require(*m >= 1, || "m: expected at least 1, found 0".into());
                pr.require(*m < *n, || {
                    format!("m: expected less than n = {n}, found {m}")
                });
            }
            GeneratorSpec::WattsStrogatz { n, k, beta } => {
                pr.nodes("n", u64::from(*n));
                pr.require(k % 2 == 0, || {
                    format!("k: expected an even number, found {k}")
                });
                pr.require(k < n, || {
                    format!("k: expected less than n = {n}, found {k}")
                });
                pr.probability("beta", *beta);
            }
            GeneratorSpec::StochasticBlock {
                sizes,
                p_in,
                p_out,
                probabilities,
            } => {
                pr.nodes("sizes (their sum)", self.node_count());
                for (g, &s) in sizes.iter().enumerate() {
                    pr.require(s >= 1, || {
                        format!("sizes[{g}]: expected at least 1 node, found 0")
                    });
                }
                match (p_in, p_out, probabilities) {
                    (Some(a), Some(b), None) => {
                        pr.probability("p_in", *a);
                        pr.probability("p_out", *b);
                    }
                    (None, None, Some(matrix)) => {
                        let groups = sizes.len();
                        pr.require(matrix.len() == groups, || {
                            format!(
                                "probabilities: expected {groups} rows (one per group), found {}",
                                matrix.len()
                            )
                        });
                        for (g, row) in matrix.iter().enumerate() {
                            pr.require(row.len() == groups, || {
                                format!(
                                    "probabilities[{g}]: expected {groups} entries (one per group), found {}",
                                    row.len()
                                )
                            });
                            for (h, &p) in row.iter().enumerate() {
                                pr.probability(&format!("probabilities[{g}][{h}]"), p);
                            }
                        }
                    }
                    (_, _, Some(_)) => pr
                        .found
                        .push("expected either p_in and p_out or probabilities, found both".into()),
                    (a, b, None) => {
                        let missing: Vec<&str> = [("p_in", a.is_none()), ("p_out", b.is_none())]
                            .into_iter()
                            .filter_map(|(k, missing)| missing.then_some(k))
                            .collect();
                        pr.found.push(format!(
                            "expected p_in and p_out (or a probabilities matrix), found no {}",
                            missing.join(" and no ")
                        ));
                    }
                }
            }
            GeneratorSpec::PowerlawConfiguration {
                n,
                in_exponent,
                out_exponent,
                min_degree,
                max_degree,
            } => {
                pr.nodes("n", u64::from(*n));
                for (key, e) in [("in_exponent", in_exponent), ("out_exponent", out_exponent)] {
                    pr.require(e.is_finite() && *e > 1.0, || {
                        format!("{key}: expected a number greater than 1, found {e}")
                    });
                }
                pr.require(*min_degree >= 1, || {
                    "min_degree: expected at least 1, found 0".into()
                });
                let most = n.saturating_sub(1);
                pr.require(*min_degree <= most, || {
                    format!("min_degree: expected at most n - 1 = {most}, found {min_degree}")
                });
                if let Some(max) = max_degree {
                    pr.require(*max >= *min_degree && *max <= most, || {
                        format!(
                            "max_degree: expected between min_degree = {min_degree} and n - 1 = {most}, found {max}"
                        )
                    });
                }
            }
            GeneratorSpec::DegreeSequence {
                in_degrees,
                out_degrees,
            } => {
                pr.nodes("in_degrees (its length)", in_degrees.len() as u64);
                pr.require(in_degrees.len() == out_degrees.len(), || {
                    format!(
                        "out_degrees: expected one entry per node ({}, as in_degrees), found {}",
                        in_degrees.len(),
                        out_degrees.len()
                    )
                });
                let total_in: u64 = in_degrees.iter().map(|&d| u64::from(d)).sum();
                let total_out: u64 = out_degrees.iter().map(|&d| u64::from(d)).sum();
                pr.require(total_in == total_out, || {
                    format!(
                        "expected in_degrees and out_degrees to have the same total, found {total_in} and {total_out}"
                    )
                });
            }
            GeneratorSpec::Complete { n } => pr.nodes("n", u64::from(*n)),
        }
        pr.finish()
    }
}

/// `n (n - 1)`: the number of ordered pairs of distinct nodes (fits a `u64` for any `u32` n).
fn ordered_pairs(n: u32) -> u64 {
    u64::from(n) * u64::from(n.saturating_sub(1))
}

/// Builds the graph `spec` describes from `seed`, after [`GeneratorSpec::validate`].
///
/// The result depends only on `spec` and `seed`, never on the number of rayon threads. Time and
/// memory are linear in the number of edges (plus the **O(m log m)** CSR build; Watts-Strogatz
/// is **O(n k^2)**). Theater, Erdos-Renyi, stochastic block and complete graphs are built in
/// parallel rows; Barabasi-Albert, Watts-Strogatz and the configuration models' stub shuffle
/// are sequential by nature and run on one thread.
pub fn generate(spec: &GeneratorSpec, seed: u64) -> Result<FollowerGraph, GeneratorError> {
    spec.validate()?;
    let n = u32::try_from(spec.node_count()).expect("validate bounds the node count");
    let edges = match spec {
        GeneratorSpec::Theater { rows, seats, cone } => theater::edges(*rows, *seats, *cone),
        GeneratorSpec::ErdosRenyi {
            n,
            p: Some(p),
            undirected,
            ..
        } => {
            let edges = erdos_renyi::gnp_edges(*n, *p, seed);
            if *undirected {
                erdos_renyi::reciprocal(edges.into_iter().filter(|&(u, v)| u < v).collect())
            } else {
                edges
            }
        }
        GeneratorSpec::ErdosRenyi {
            n,
            m: Some(m),
            undirected: false,
            ..
        } => erdos_renyi::gnm_edges(*n, *m, seed),
        GeneratorSpec::ErdosRenyi {
            n,
            m: Some(m),
            undirected: true,
            ..
        } => erdos_renyi::reciprocal(erdos_renyi::gnm_ties(*n, *m, seed)),
        GeneratorSpec::ErdosRenyi { .. } => unreachable!("validate requires one of p and m"),
        GeneratorSpec::BarabasiAlbert { n, m } => barabasi_albert::edges(*n, *m, seed),
        GeneratorSpec::WattsStrogatz { n, k, beta } => watts_strogatz::edges(*n, *k, *beta, seed),
        GeneratorSpec::StochasticBlock {
            sizes,
            p_in,
            p_out,
            probabilities,
        } => {
            let matrix = match (p_in, p_out, probabilities) {
                (_, _, Some(m)) => m.clone(),
                (Some(a), Some(b), None) => (0..sizes.len())
                    .map(|g| {
                        (0..sizes.len())
                            .map(|h| if g == h { *a } else { *b })
                            .collect()
                    })
                    .collect(),
                _ => unreachable!("validate requires p_in and p_out or a matrix"),
            };
            stochastic_block::edges(sizes, &matrix, seed)
        }
        GeneratorSpec::PowerlawConfiguration {
            n,
            in_exponent,
            out_exponent,
            min_degree,
            max_degree,
        } => {
            let max = max_degree.unwrap_or(n - 1);
            let (ins, outs) = powerlaw_configuration::powerlaw_degrees(
                *n,
                *in_exponent,
                *out_exponent,
                *min_degree,
                max,
                seed,
            );
            powerlaw_configuration::pair_stubs(&ins, &outs, seed)
        }
        GeneratorSpec::DegreeSequence {
            in_degrees,
            out_degrees,
        } => powerlaw_configuration::pair_stubs(in_degrees, out_degrees, seed),
        GeneratorSpec::Complete { n } => complete::edges(*n),
    };
    Ok(FollowerGraph::from_edges(
        n,
        edges,
        None,
        BuildOptions::default(),
    ))
}

/// Calls `emit(j)`, in increasing order, for each `j` in `0..len` independently with
/// probability `p`, by geometric skipping (Batagelj and Brandes, "Efficient generation of large
/// random networks", Phys. Rev. E 71, 036113 (2005), algorithm G(n, p)): the gap to the next
/// chosen `j` is `floor(ln(1 - r) / ln(1 - p))`. **O(1 + p len)** draws from `stream`.
fn bernoulli_positions(stream: &mut Stream, len: u64, p: f64, mut emit: impl FnMut(u64)) {
    if len == 0 || p <= 0.0 {
        return;
    }
    if p >= 1.0 {
        (0..len).for_each(emit);
        return;
    }
    let log_q = (-p).ln_1p();
    let mut j = 0u64;
    while j < len {
        // ln(1 - r) <= 0 and ln(1 - p) < 0, so the gap is >= 0; huge gaps saturate the cast.
        let gap = ((-stream.uniform()).ln_1p() / log_q).floor();
        if gap >= (len - j) as f64 {
            return;
        }
        j += gap as u64;
        emit(j);
        j += 1;
    }
}

/// The edges that `row(u, out)` pushes for every `u` in `0..n`, concatenated in order of `u`.
///
/// Rows run in parallel in blocks; each row draws from its own stream (keyed by `u`), so the
/// result depends on neither the block size nor the number of threads.
fn collect_rows<F>(n: u32, row: F) -> Vec<(u32, u32)>
where
    F: Fn(u32, &mut Vec<(u32, u32)>) + Sync,
{
    const BLOCK: u32 = 1024;
    let parts: Vec<Vec<(u32, u32)>> = (0..n.div_ceil(BLOCK))
        .into_par_iter()
        .map(|b| {
            let mut out = Vec::new();
            for u in b * BLOCK..n.min((b + 1).saturating_mul(BLOCK)) {
                row(u, &mut out);
            }
            out
        })
        .collect();
    let mut edges = Vec::with_capacity(parts.iter().map(Vec::len).sum());
    for part in parts {
        edges.extend_from_slice(&part);
    }
    edges
}

#[cfg(test)]
mod test_support {
    //! Helpers shared by the generators' tests.

    use super::*;

    /// Runs `f` on a rayon pool of `threads` threads.
    pub(super) fn on_threads<T: Send>(threads: usize, f: impl FnOnce() -> T + Send) -> T {
        rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .expect("a small thread pool")
            .install(f)
    }

    /// Parses a spec from TOML, as a scenario's `[graph]` table would give it.
    pub(super) fn spec(toml_text: &str) -> GeneratorSpec {
        toml::from_str(toml_text).expect("a valid spec in a test")
    }

    /// Generates `spec` from `seed`; the spec is valid in every test that calls this.
    pub(super) fn gen_graph(spec: &GeneratorSpec, seed: u64) -> FollowerGraph {
        generate(spec, seed).expect("a valid spec in a test")
    }

    /// Checks determinism: the same seed gives the same graph on 1 and 2 threads, and (for a
    /// random generator) another seed gives another graph.
    pub(super) fn check_deterministic(spec: &GeneratorSpec, random: bool) {
        let one = on_threads(1, || gen_graph(spec, 7));
        let two = on_threads(2, || gen_graph(spec, 7));
        assert_eq!(one, two, "{spec:?}: 1 and 2 threads differ");
        if random {
            let other = on_threads(2, || gen_graph(spec, 8));
            assert_ne!(one, other, "{spec:?}: seeds 7 and 8 gave the same graph");
        }
    }

    /// Follower counts of every node.
    pub(super) fn follower_counts(g: &FollowerGraph) -> Vec<u32> {
        (0..g.node_count()).map(|u| g.follower_count(u)).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::test_support::*;
    use super::*;

    fn check_invalid(toml_text: &str, expected: &str) {
        let s = spec(toml_text);
        let err = s.validate().expect_err("an invalid spec");
        assert_eq!(err.to_string(), expected);
        assert_eq!(generate(&s, 1).expect_err("an invalid spec"), err);
    }

    /// The parallel generators get more rows than one block (1024) and, for G(n, m), more draws
    /// than one chunk (2^16), so the work really is split between the two threads.
    #[test]
    fn every_generator_is_deterministic_across_threads_and_seeds() {
        let specs = [
            (
                spec("generator = 'theater'\nrows = 100\nseats = 120\ncone = 2"),
                false,
            ),
            (
                spec("generator = 'erdos_renyi'\nn = 20000\np = 0.0002"),
                true,
            ),
            (
                spec("generator = 'erdos_renyi'\nn = 20000\nm = 200000"),
                true,
            ),
            (spec("generator = 'barabasi_albert'\nn = 500\nm = 3"), true),
            (
                spec("generator = 'watts_strogatz'\nn = 200\nk = 6\nbeta = 0.2"),
                true,
            ),
            (
                spec(
                    "generator = 'stochastic_block'\nsizes = [12000, 8000]\np_in = 0.0002\np_out = 0.00005",
                ),
                true,
            ),
            (
                spec(
                    "generator = 'powerlaw_configuration'\nn = 20000\nin_exponent = 2.5\nout_exponent = 2.2",
                ),
                true,
            ),
            (
                spec(
                    "generator = 'degree_sequence'\nin_degrees = [1, 2, 3, 0, 2]\nout_degrees = [3, 1, 1, 2, 1]",
                ),
                true,
            ),
            (spec("generator = 'complete'\nn = 20"), false),
        ];
        for (s, random) in &specs {
            check_deterministic(s, *random);
        }
    }

    #[test]
    fn specs_round_trip_through_toml_and_json_and_name_their_tag() {
        let specs = [
            spec("generator = 'theater'\nrows = 3\nseats = 4"),
            spec("generator = 'erdos_renyi'\nn = 10\nm = 5"),
            spec("generator = 'barabasi_albert'\nn = 10\nm = 2"),
            spec("generator = 'watts_strogatz'\nn = 10\nk = 4\nbeta = 0.1"),
            spec(
                "generator = 'stochastic_block'\nsizes = [2, 3]\nprobabilities = [[0.5, 0.1], [0.2, 0.6]]",
            ),
            spec(
                "generator = 'powerlaw_configuration'\nn = 10\nin_exponent = 2.5\nout_exponent = 2.1\nmax_degree = 5",
            ),
            spec("generator = 'degree_sequence'\nin_degrees = [1, 0]\nout_degrees = [0, 1]"),
            spec("generator = 'complete'\nn = 4"),
        ];
        for s in &specs {
            let text = toml::to_string(s).expect("serialisable");
            assert!(
                text.contains(&format!("generator = \"{}\"", s.name())),
                "{text}"
            );
            assert_eq!(&spec(&text), s);
            let json = serde_json::to_string(s).expect("serialisable");
            assert_eq!(
                &serde_json::from_str::<GeneratorSpec>(&json).expect("parses"),
                s
            );
            s.validate().expect("valid");
        }
        assert_eq!(
            specs[0],
            GeneratorSpec::Theater {
                rows: 3,
                seats: 4,
                cone: 1
            }
        );
    }

    #[test]
    fn unknown_generators_and_fields_are_rejected() {
        let unknown = toml::from_str::<GeneratorSpec>("generator = 'lattice'\nn = 3");
        assert!(unknown.is_err());
        let extra = toml::from_str::<GeneratorSpec>("generator = 'complete'\nn = 3\nq = 1");
        let msg = extra.expect_err("unknown field").to_string();
        assert!(msg.contains("unknown field `q`"), "{msg}");
    }

    #[test]
    fn out_of_range_parameters_are_all_reported() {
        check_invalid(
            "generator = 'theater'\nrows = 0\nseats = 0",
            "theater: rows: expected at least 1, found 0; seats: expected at least 1, found 0",
        );
        check_invalid(
            "generator = 'theater'\nrows = 100000\nseats = 100000",
            "theater: rows x seats: expected at most 4294967295 agents, found 10000000000",
        );
        check_invalid(
            "generator = 'erdos_renyi'\nn = 10\np = 1.5",
            "erdos_renyi: p: expected a probability in [0, 1], found 1.5",
        );
        check_invalid(
            "generator = 'erdos_renyi'\nn = 10\nm = 91",
            "erdos_renyi: m: expected at most n(n-1) = 90 edges, found 91",
        );
        check_invalid(
            "generator = 'erdos_renyi'\nn = 10\np = 0.1\nm = 3",
            "erdos_renyi: expected exactly one of p and m, found both",
        );
        check_invalid(
            "generator = 'erdos_renyi'\nn = 0",
            "erdos_renyi: n: expected at least 1 node, found 0; expected exactly one of p and m, found neither",
        );
        check_invalid(
            "generator = 'barabasi_albert'\nn = 5\nm = 5",
            "barabasi_albert: m: expected less than n = 5, found 5",
        );
        check_invalid(
            "generator = 'barabasi_albert'\nn = 5\nm = 0",
            "barabasi_albert: m: expected at least 1, found 0",
        );
        check_invalid(
            "generator = 'watts_strogatz'\nn = 5\nk = 5\nbeta = -0.1",
            "watts_strogatz: k: expected an even number, found 5; k: expected less than n = 5, found 5; beta: expected a probability in [0, 1], found -0.1",
        );
        check_invalid(
            "generator = 'stochastic_block'\nsizes = [3, 0]\np_in = 0.5",
            "stochastic_block: sizes[1]: expected at least 1 node, found 0; expected p_in and p_out (or a probabilities matrix), found no p_out",
        );
        check_invalid(
            "generator = 'stochastic_block'\nsizes = [3, 2]\nprobabilities = [[0.5, 2.0]]",
            "stochastic_block: probabilities: expected 2 rows (one per group), found 1; probabilities[0][1]: expected a probability in [0, 1], found 2",
        );
        check_invalid(
            "generator = 'stochastic_block'\nsizes = [3]\np_in = 0.5\np_out = 0.5\nprobabilities = [[0.5]]",
            "stochastic_block: expected either p_in and p_out or probabilities, found both",
        );
        check_invalid(
            "generator = 'powerlaw_configuration'\nn = 10\nin_exponent = 1.0\nout_exponent = 2.0\nmin_degree = 3\nmax_degree = 2",
            "powerlaw_configuration: in_exponent: expected a number greater than 1, found 1; max_degree: expected between min_degree = 3 and n - 1 = 9, found 2",
        );
        check_invalid(
            "generator = 'degree_sequence'\nin_degrees = [1, 1]\nout_degrees = [1]",
            "degree_sequence: out_degrees: expected one entry per node (2, as in_degrees), found 1; expected in_degrees and out_degrees to have the same total, found 2 and 1",
        );
        check_invalid(
            "generator = 'complete'\nn = 0",
            "complete: n: expected at least 1 node, found 0",
        );
    }

    #[test]
    fn theater_layout_only_for_theaters() {
        let t = spec("generator = 'theater'\nrows = 3\nseats = 4");
        assert_eq!(
            t.theater_layout(),
            Some(TheaterLayout { rows: 3, seats: 4 })
        );
        assert_eq!(t.node_count(), 12);
        assert_eq!(spec("generator = 'complete'\nn = 4").theater_layout(), None);
    }

    /// Geometric skipping chooses each position with probability p: over 2e5 positions at
    /// p = 0.1 the count is Binomial(2e5, 0.1), sd = sqrt(2e5 * 0.1 * 0.9) = 134; 5 sd = 671.
    /// Positions are strictly increasing, and p = 1 chooses all.
    #[test]
    fn bernoulli_positions_has_the_right_rate_and_order() {
        let mut s = Stream::new(
            crate::rng::graph_key(1),
            crate::rng::Purpose::GraphAux,
            0,
            0,
        );
        let mut chosen = Vec::new();
        bernoulli_positions(&mut s, 200_000, 0.1, |j| chosen.push(j));
        assert!(
            (chosen.len() as i64 - 20_000).abs() < 671,
            "{}",
            chosen.len()
        );
        assert!(chosen.windows(2).all(|w| w[0] < w[1]));
        assert!(chosen.iter().all(|&j| j < 200_000));
        let mut all = 0;
        bernoulli_positions(&mut s, 17, 1.0, |_| all += 1);
        assert_eq!(all, 17);
        bernoulli_positions(&mut s, 17, 0.0, |_| panic!("p = 0 chooses nothing"));
    }
}
