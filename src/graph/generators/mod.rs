//! Seeded, deterministic graph generators, each following a published construction.
//!
//! Every generator draws from [`crate::rng`] streams keyed by the seed and by a row or block
//! index, never by thread, so the same seed gives the same graph with any number of threads.
//! Edges follow ovation's convention: `u -> v` means v follows u.

use serde::{Deserialize, Serialize};

use crate::graph::FollowerGraph;

/// A generator and its parameters, as written in a scenario's `[graph]` table
/// (`generator = "theater"`, ...) or on the `ovation graph gen` command line.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "generator", rename_all = "snake_case", deny_unknown_fields)]
pub enum GeneratorSpec {
    /// Miller and Page's theater: `rows` x `seats`, row 0 is the front; an agent sees its two
    /// side neighbours and, in the c-th row ahead (c = 1..=cone), the 2c+1 seats centred on its
    /// column.
    Theater {
        /// Number of rows (row 0 is nearest the stage).
        rows: u32,
        /// Seats per row.
        seats: u32,
        /// Cone length: how many rows ahead an agent sees (1 = the "five neighbours" case).
        #[serde(default = "default_cone")]
        cone: u32,
    },
    /// Directed Erdos-Renyi G(n, p): every ordered pair independently with probability `p`.
    ErdosRenyi {
        /// Number of nodes.
        n: u32,
        /// Edge probability (give exactly one of `p` and `m`).
        #[serde(default)]
        p: Option<f64>,
        /// Exact number of edges, G(n, m) (give exactly one of `p` and `m`).
        #[serde(default)]
        m: Option<u64>,
    },
    /// Directed Barabasi-Albert: each new node follows `m` distinct existing nodes chosen with
    /// probability proportional to follower count + 1.
    BarabasiAlbert {
        /// Number of nodes.
        n: u32,
        /// Accounts each new node follows.
        m: u32,
    },
}

fn default_cone() -> u32 {
    1
}

/// A generator's parameters are out of range.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{generator}: {message}")]
pub struct GeneratorError {
    /// The generator's name.
    pub generator: &'static str,
    /// What was expected and what was found.
    pub message: String,
}

/// Builds the graph `spec` describes from `seed`.
pub fn generate(spec: &GeneratorSpec, seed: u64) -> Result<FollowerGraph, GeneratorError> {
    let _ = (spec, seed);
    Err(GeneratorError {
        generator: "any",
        message: "not built yet".into(),
    })
}
