//! What the criterion suites share: the graph they measure on.

use ovation::graph::FollowerGraph;
use ovation::graph::generators::{GeneratorSpec, generate};

/// A directed Barabasi-Albert graph (`m = 10`, generator seed 1) of `OVATION_BENCH_N` agents,
/// 10^5 by default: about 10^6 follower edges.
pub fn ba_graph() -> FollowerGraph {
    let n: u32 = std::env::var("OVATION_BENCH_N")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(100_000);
    generate(&GeneratorSpec::BarabasiAlbert { n, m: 10 }, 1).expect("valid generator")
}
