//! The directed configuration model, from power-law degree distributions or given sequences.
//!
//! Follows Newman, Strogatz and Watts, "Random graphs with arbitrary degree distributions and
//! their applications", Phys. Rev. E 64, 026118 (2001), section III (directed graphs), after
//! Molloy and Reed (1995): node `u` gets `out_degrees[u]` follower stubs and `in_degrees[u]`
//! source stubs; the source stubs are shuffled (Fisher-Yates) and paired with the follower
//! stubs in order, each pair giving an edge `u -> v`. Self-loops and repeated edges are then
//! dropped by the CSR build and counted in its [`BuildReport`](crate::graph::BuildReport), so
//! degrees can fall slightly short of the sequences (the "erased" configuration model).
//!
//! Power-law sequences draw each degree independently from the discrete power law
//! `P(k) ~ k^-exponent` on `min..=max`, by inverting the continuous law on
//! `[min - 1/2, max + 1/2]` and rounding (Clauset, Shalizi and Newman, "Power-law distributions
//! in empirical data", SIAM Review 51 (2009), appendix D). The two totals then differ; the
//! larger side is thinned to the smaller by removing stubs chosen uniformly at random among the
//! stubs above `min` (so each node loses stubs in proportion to its excess over `min`, which
//! keeps the shape of the tail).
//!
//! Streams: in-degree of node `i` from `(GraphAux, step 0, index i)`, out-degree from step 1
//! (drawn in parallel); the thinning from `GraphAux` steps `THIN_STEP..`; the shuffle from step
//! 2, one stream per block of `2^28` stubs. The shuffle is sequential: **O(m)** time with one
//! random access per stub.

use rayon::prelude::*;

use super::erdos_renyi::distinct_indices;
use crate::rng::{Purpose, Stream, graph_key};

/// First `GraphAux` step of the thinning's rounds.
const THIN_STEP: u32 = 1 << 16;

/// A degree from the discrete power law on `min..=max` with `P(k) ~ k^-exponent`; `lo` and
/// `hi` are `(min - 1/2)^(1 - exponent)` and `(max + 1/2)^(1 - exponent)`.
#[inline]
fn draw_degree(stream: &mut Stream, exponent: f64, lo: f64, hi: f64, min: u32, max: u32) -> u32 {
    let x = (lo - stream.uniform() * (lo - hi)).powf(-1.0 / (exponent - 1.0));
    (x.round() as u32).clamp(min, max)
}

/// `n` degrees from the power law with `exponent` on `min..=max`, node `i` from stream
/// `(GraphAux, step, index i)`.
fn powerlaw_sequence(n: u32, exponent: f64, min: u32, max: u32, key: u64, step: u32) -> Vec<u32> {
    let lo = (f64::from(min) - 0.5).powf(1.0 - exponent);
    let hi = (f64::from(max) + 0.5).powf(1.0 - exponent);
    (0..n)
        .into_par_iter()
        .map(|i| {
            let mut s = Stream::new(key, Purpose::GraphAux, step, i);
            draw_degree(&mut s, exponent, lo, hi, min, max)
        })
        .collect()
}

/// Removes `excess` stubs from `degrees`, chosen uniformly among the stubs above `min`
/// (requires `excess <=` their number). **O(n + excess log excess)**.
fn thin(degrees: &mut [u32], excess: u64, min: u32, key: u64) {
    let above: u64 = degrees.iter().map(|&d| u64::from(d - min)).sum();
    // Sample whichever of "removed" and "kept" is the smaller set.
    let remove_sampled = excess <= above / 2;
    let k = if remove_sampled {
        excess
    } else {
        above - excess
    };
    let sampled = distinct_indices(above, k, key, Purpose::GraphAux, THIN_STEP);
    let mut next = sampled.iter().peekable();
    let mut start = 0u64;
    for d in degrees.iter_mut() {
        let extra = u64::from(*d - min);
        let end = start + extra;
        let mut hits = 0u32;
        while next.next_if(|&&x| x < end).is_some() {
            hits += 1;
        }
        *d -= if remove_sampled {
            hits
        } else {
            extra as u32 - hits
        };
        start = end;
    }
}

/// In- and out-degree sequences for `powerlaw_configuration`, with equal totals.
pub(super) fn powerlaw_degrees(
    n: u32,
    in_exponent: f64,
    out_exponent: f64,
    min: u32,
    max: u32,
    seed: u64,
) -> (Vec<u32>, Vec<u32>) {
    let key = graph_key(seed);
    let mut ins = powerlaw_sequence(n, in_exponent, min, max, key, 0);
    let mut outs = powerlaw_sequence(n, out_exponent, min, max, key, 1);
    let total = |d: &[u32]| d.iter().map(|&x| u64::from(x)).sum::<u64>();
    let (tin, tout) = (total(&ins), total(&outs));
    if tin > tout {
        thin(&mut ins, tin - tout, min, key);
    } else if tout > tin {
        thin(&mut outs, tout - tin, min, key);
    }
    (ins, outs)
}

/// Pairs stubs at random: edges `u -> v`, one per follower stub of `u` and source stub of `v`
/// (`in_degrees` and `out_degrees` have the same length and total; validated).
pub(super) fn pair_stubs(in_degrees: &[u32], out_degrees: &[u32], seed: u64) -> Vec<(u32, u32)> {
    const BLOCK_BITS: u32 = 28;
    let key = graph_key(seed);
    let stubs = |degrees: &[u32]| -> Vec<u32> {
        let mut s = Vec::with_capacity(degrees.iter().map(|&d| d as usize).sum());
        for (i, &d) in degrees.iter().enumerate() {
            s.extend(std::iter::repeat_n(i as u32, d as usize));
        }
        s
    };
    let mut sources = stubs(in_degrees);
    // Fisher-Yates from the top; position i draws from the stream of its block.
    let mut block = u32::MAX;
    let mut stream = Stream::new(key, Purpose::GraphAux, 2, 0);
    for i in (1..sources.len()).rev() {
        let b = (i >> BLOCK_BITS) as u32;
        if b != block {
            block = b;
            stream = Stream::new(key, Purpose::GraphAux, 2, b);
        }
        let j = stream.below(i as u64 + 1) as usize;
        sources.swap(i, j);
    }
    stubs(out_degrees).into_iter().zip(sources).collect()
}

#[cfg(test)]
mod tests {
    use super::super::GeneratorSpec;
    use super::super::test_support::*;
    use super::*;

    fn total(d: &[u32]) -> u64 {
        d.iter().map(|&x| u64::from(x)).sum()
    }

    /// Degree sums agree, every degree lies in range, and the built graph accounts for every
    /// stub: kept edges + self-loops + repeats = the common total.
    #[test]
    fn powerlaw_sequences_have_equal_totals_and_stay_in_range() {
        for (ie, oe, min, max) in [(2.5, 2.1, 1, 999), (3.0, 2.0, 2, 50), (2.2, 2.2, 1, 999)] {
            let (ins, outs) = powerlaw_degrees(1000, ie, oe, min, max, 6);
            assert_eq!(total(&ins), total(&outs), "exponents {ie} {oe}");
            assert!(ins.iter().chain(&outs).all(|&d| (min..=max).contains(&d)));
            let g = gen_graph(
                &GeneratorSpec::PowerlawConfiguration {
                    n: 1000,
                    in_exponent: ie,
                    out_exponent: oe,
                    min_degree: min,
                    max_degree: Some(max),
                },
                6,
            );
            let r = g.report();
            assert_eq!(r.edges_in, total(&ins));
            assert_eq!(
                g.edge_count() + r.self_loops_dropped + r.duplicates_dropped,
                r.edges_in
            );
            for u in 0..1000 {
                assert!(g.follower_count(u) <= outs[u as usize]);
                assert!(g.source_count(u) <= ins[u as usize]);
            }
        }
    }

    /// The discrete power law with exponent 2.5 on 1..=10^4: P(k = 1) is the continuous mass
    /// on [0.5, 1.5], 1 - 3^-1.5 = 0.8076 (the upper cut changes it by < 1e-5). Over 10^5
    /// draws the share of ones has sd sqrt(0.8076 * 0.1924 / 1e5) = 0.00125; 5 sd = 0.0062.
    #[test]
    fn degree_draws_follow_the_power_law() {
        let degrees = powerlaw_sequence(100_000, 2.5, 1, 10_000, graph_key(2), 0);
        let ones = degrees.iter().filter(|&&d| d == 1).count() as f64 / 1e5;
        assert!((ones - 0.8076).abs() < 0.0062, "share of ones {ones}");
    }

    /// Heavy tail: at n = 10^4 with out-exponent 2.1 the largest follower count is in the
    /// hundreds or more (it grows like n^(1 / 1.1)), against a mean near 3; we ask for 10 x.
    #[test]
    fn follower_counts_are_heavy_tailed() {
        let g = gen_graph(
            &GeneratorSpec::PowerlawConfiguration {
                n: 10_000,
                in_exponent: 2.1,
                out_exponent: 2.1,
                min_degree: 1,
                max_degree: None,
            },
            3,
        );
        let mean = g.edge_count() as f64 / 1e4;
        let max = follower_counts(&g).into_iter().max().expect("nodes");
        assert!(f64::from(max) > 10.0 * mean, "max {max} mean {mean}");
    }

    /// Thinning removes exactly the excess, only above the minimum, on both sampling paths.
    #[test]
    fn thinning_removes_exactly_the_excess() {
        for excess in [0u64, 7, 300, 395] {
            let mut d = vec![3u32, 50, 2, 200, 150, 2];
            thin(&mut d, excess, 2, graph_key(1));
            assert_eq!(total(&d), 407 - excess, "excess {excess}");
            assert!(d.iter().all(|&x| x >= 2));
        }
    }

    /// Given sequences: a hand-made one is realised stub for stub, with the drops counted;
    /// and a sequence whose every pairing is forced (one stub each way) gives the exact graph.
    #[test]
    fn degree_sequences_are_realised() {
        let ins = vec![2, 0, 3, 1, 4, 0];
        let outs = vec![1, 3, 0, 2, 2, 2];
        let g = gen_graph(
            &GeneratorSpec::DegreeSequence {
                in_degrees: ins.clone(),
                out_degrees: outs.clone(),
            },
            4,
        );
        let r = g.report();
        assert_eq!(r.edges_in, 10);
        assert_eq!(
            g.edge_count() + r.self_loops_dropped + r.duplicates_dropped,
            10
        );
        let forced = gen_graph(
            &GeneratorSpec::DegreeSequence {
                in_degrees: vec![0, 1],
                out_degrees: vec![1, 0],
            },
            4,
        );
        assert_eq!(forced.edges().collect::<Vec<_>>(), [(0, 1)]);
        let drops = gen_graph(
            &GeneratorSpec::DegreeSequence {
                in_degrees: vec![3],
                out_degrees: vec![3],
            },
            4,
        );
        assert_eq!(drops.edge_count(), 0);
        assert_eq!(drops.report().self_loops_dropped, 3);
    }
}
