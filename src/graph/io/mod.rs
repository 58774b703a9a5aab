//! Reading and writing graphs: edge lists (plain or gzip), the binary cache, DOT and GraphML.
//!
//! - [`import_edge_list`] reads SNAP-style text (`#`/`%` comments, whitespace, tab or comma
//!   separated, plain or gzip) into a [`FollowerGraph`], remapping original ids to dense `u32`
//!   and keeping them as [`NodeLabels`](crate::graph::NodeLabels). Which column follows which is
//!   never guessed: [`ImportOptions::direction`] says it.
//! - [`write_cache`] / [`read_cache`] store a built graph in the `.ovg` binary format (see
//!   [`cache`](self#the-binary-cache)); [`load_graph`] recognises a cache by its magic bytes and
//!   otherwise imports an edge list.
//! - [`write_edge_list`], [`write_dot`], [`write_graphml`] and [`write_id_map`] export a graph.
//!
//! # The binary cache
//!
//! All integers little-endian. A 64-byte header, the two adjacencies, optional weights and
//! labels, and a CRC-32 of everything before it:
//!
//! ```text
//! offset  size        field
//! 0       8           magic b"OVGRAPH\0"
//! 8       4           format version (1)
//! 12      4           flags: bit 0 weighted; bits 1-2 labels (0 none, 1 integers, 2 strings);
//!                     bit 3 source stamp
//! 16      8           node count n
//! 24      8           edge count m
//! 32      24          BuildReport: edges_in, self_loops_dropped, duplicates_dropped
//! 56      8           label section size in bytes
//! 64      8(n+1)      sources offsets (u64), then 4m sources targets (u32), zero-padded to 8
//!         8(n+1)      followers offsets, then 4m followers targets, zero-padded to 8
//!         4m + 4m     weights (f32) of sources then followers, padded to 8 (weighted only)
//!         ...         labels: n u64 ids, or per node a u32 byte length and UTF-8 bytes
//!         32          source stamp (flag bit 3 only): the edge list's size (u64), modification
//!                     time (i64 seconds, u32 nanoseconds, u32 zero) and import options (u64)
//!         4           CRC-32 (crc32fast) of every byte before it
//! ```
//!
//! A scenario's `cache = true` writes the stamp ([`write_cache_stamped`]) and, before using a
//! cache, compares it with the edge list ([`SourceStamp::changes`]): a cache whose edge list
//! changed (size, modification time) or is read with other options is rebuilt, never read.

mod cache;
mod edgelist;
mod error;
mod export;

use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::graph::FollowerGraph;

pub use cache::{
    CACHE_MAGIC, CACHE_VERSION, CacheRows, SourceStamp, is_cache, read_cache, read_cache_rows,
    read_cache_stamped, write_cache, write_cache_stamped,
};
#[doc(hidden)]
pub use edgelist::parse_edge_list_bytes_with_sizes;
pub use edgelist::{MAX_LINE_BYTES, import_edge_list, parse_edge_list_bytes};
pub use error::{GraphIoError, LineError};
pub use export::{write_dot, write_edge_list, write_graphml, write_id_map};

/// Which column of an edge list follows which. ovation's edge `u -> v` means **v follows u**.
///
/// Each variant says what a line `a b` of the file means.
#[derive(
    Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize, clap::ValueEnum,
)]
#[serde(rename_all = "kebab-case")]
pub enum Direction {
    /// `b` follows `a`: the edge `a -> b`. SNAP's `FromNodeId ToNodeId` reading; the default.
    #[default]
    SecondFollowsFirst,
    /// `a` follows `b`: the edge `b -> a`. Files listing `follower followee`
    /// (twitter-senators, ego-twitter, Slashdot).
    FirstFollowsSecond,
    /// Each follows the other: both `a -> b` and `b -> a`. Undirected files (karate).
    Mutual,
}

impl Direction {
    /// The name used on the command line and in scenario files, e.g. `second-follows-first`.
    pub fn name(self) -> &'static str {
        match self {
            Direction::SecondFollowsFirst => "second-follows-first",
            Direction::FirstFollowsSecond => "first-follows-second",
            Direction::Mutual => "mutual",
        }
    }
}

impl std::fmt::Display for Direction {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// How node ids in an edge list are read.
#[derive(
    Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize, clap::ValueEnum,
)]
#[serde(rename_all = "kebab-case")]
pub enum IdKind {
    /// Decided by the first data line: integers if its ids are all integers, else strings.
    #[default]
    Auto,
    /// Non-negative integers (`u64`), numbered densely in ascending order of original id; any
    /// other token is an error naming the file, line and text.
    Integer,
    /// Arbitrary tokens (UTF-8, no control characters), numbered densely in order of first
    /// appearance.
    String,
}

/// Options for [`import_edge_list`] and [`load_graph`].
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImportOptions {
    /// Which column follows which.
    pub direction: Direction,
    /// How node ids are read.
    pub ids: IdKind,
    /// Skip the first line that is neither blank nor a comment (a CSV header).
    pub header: bool,
    /// Read a third column as the edge's `f32` weight.
    pub weighted: bool,
    /// Keep self-loops `u -> u` instead of dropping (and counting) them.
    pub keep_self_loops: bool,
    /// Keep repeated edges instead of dropping (and counting) them.
    pub keep_duplicates: bool,
}

/// Loads a graph: a binary cache (recognised by its magic bytes, whatever the file is called)
/// or else an edge list read with `opts`. `progress` is called as in [`import_edge_list`]; a
/// cache load does not call it.
pub fn load_graph(
    path: &Path,
    opts: &ImportOptions,
    progress: &dyn Fn(u64),
) -> Result<FollowerGraph, GraphIoError> {
    if is_cache(path)? {
        read_cache(path)
    } else {
        import_edge_list(path, opts, progress)
    }
}

/// Whether the file at `path` is a graph file ovation wrote: a binary cache, or an edge list,
/// DOT, GraphML or id map export (plain or gzipped), recognised by the first line each export
/// writes. `graph ... --force` replaces only such files. Anything that cannot be read as a
/// regular file is not.
pub fn written_by_ovation(path: &Path) -> bool {
    use std::io::Read;
    if is_cache(path).unwrap_or(false) {
        return true;
    }
    let Ok(file) = edgelist::open_input(path) else {
        return false;
    };
    let mut raw = Vec::new();
    if file.take(4096).read_to_end(&mut raw).is_err() {
        return false;
    }
    let head = if raw.starts_with(&[0x1f, 0x8b]) {
        let mut text = Vec::new();
        let mut gz = flate2::read::GzDecoder::new(&raw[..]);
        // A truncated stream still yields its first bytes.
        let mut buf = [0u8; 512];
        while let Ok(k) = gz.read(&mut buf) {
            if k == 0 || text.len() > 1024 {
                break;
            }
            text.extend_from_slice(&buf[..k]);
        }
        text
    } else {
        raw
    };
    let text = String::from_utf8_lossy(&head);
    text.starts_with("# ovation follower graph:")
        || text.starts_with("digraph ovation {")
        || text.starts_with("dense_id,original_id\n")
        || (text.starts_with("<?xml") && text.contains("<graph id=\"ovation\""))
}

/// Words a column header of a follower export is made of (`follower_handle`, `source`, ...).
const HEADER_WORDS: [&str; 19] = [
    "follower",
    "followers",
    "followee",
    "followed",
    "following",
    "source",
    "target",
    "from",
    "to",
    "src",
    "dst",
    "user",
    "node",
    "id",
    "handle",
    "account",
    "screen",
    "name",
    "username",
];

/// For a graph imported with string ids and without `header`: the first line's two ids when
/// that line looks like a column header, i.e. both ids are header words (`follower_handle`,
/// `target`) or the two ids appear on no other line (a header read as an edge is an isolated
/// pair). Callers warn with it; `None` when nothing looks wrong.
///
/// String ids are numbered in order of first appearance, so the first line's ids are 0 and 1.
/// Computes in **O(1)** time apart from the two nodes' rows.
pub fn header_suspect(graph: &FollowerGraph) -> Option<(String, String)> {
    let Some(crate::graph::NodeLabels::Strings(names)) = graph.labels() else {
        return None;
    };
    if names.len() < 3 {
        return None;
    }
    let only_each_other = |v: u32, other: u32| {
        graph
            .sources(v)
            .iter()
            .chain(graph.followers(v))
            .all(|&w| w == other)
    };
    let isolated_pair = graph.has_edge(0, 1) || graph.has_edge(1, 0);
    let isolated_pair = isolated_pair && only_each_other(0, 1) && only_each_other(1, 0);
    let header_word = |name: &str| {
        name.split(|c: char| !c.is_ascii_alphanumeric())
            .any(|w| HEADER_WORDS.contains(&w.to_ascii_lowercase().as_str()))
    };
    let words = header_word(&names[0]) && header_word(&names[1]);
    (isolated_pair || words).then(|| (names[0].clone(), names[1].clone()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn direction_names_match_clap_and_serde() {
        use clap::ValueEnum;
        for d in Direction::value_variants() {
            let clap_name = d.to_possible_value().expect("no skipped variants");
            assert_eq!(clap_name.get_name(), d.name());
            let json = serde_json::to_string(d).expect("serialises");
            assert_eq!(json, format!("\"{}\"", d.name()));
        }
        assert_eq!(Direction::default(), Direction::SecondFollowsFirst);
    }

    /// The graph a naive reading of `lines` gives: sorted distinct ids (integers ascending, or
    /// strings by first appearance), and each node's sources and followers as sorted dense ids.
    struct Naive {
        labels: Vec<String>,
        sources: Vec<Vec<u32>>,
        followers: Vec<Vec<u32>>,
    }

    fn naive(lines: &[(u64, u64)], direction: Direction, strings: bool) -> Naive {
        let mut ids: Vec<u64> = Vec::new();
        for &(a, b) in lines {
            for x in [a, b] {
                if !ids.contains(&x) {
                    ids.push(x);
                }
            }
        }
        if !strings {
            ids.sort_unstable();
        }
        let dense = |x: u64| ids.iter().position(|&y| y == x).expect("seen") as u32;
        let n = ids.len();
        let (mut sources, mut followers) = (vec![Vec::new(); n], vec![Vec::new(); n]);
        for &(a, b) in lines {
            let (a, b) = (dense(a), dense(b));
            let edges = match direction {
                Direction::SecondFollowsFirst => vec![(a, b)],
                Direction::FirstFollowsSecond => vec![(b, a)],
                Direction::Mutual => vec![(a, b), (b, a)],
            };
            for (u, v) in edges {
                if u != v {
                    followers[u as usize].push(v);
                    sources[v as usize].push(u);
                }
            }
        }
        for row in sources.iter_mut().chain(followers.iter_mut()) {
            row.sort_unstable();
            row.dedup();
        }
        let label = |x: u64| {
            if strings {
                format!("n{x}")
            } else {
                x.to_string()
            }
        };
        Naive {
            labels: ids.into_iter().map(label).collect(),
            sources,
            followers,
        }
    }

    fn assert_matches(g: &FollowerGraph, want: &Naive) {
        assert_eq!(g.node_count() as usize, want.labels.len());
        for i in 0..g.node_count() {
            assert_eq!(g.label(i), want.labels[i as usize]);
            assert_eq!(
                g.sources(i),
                &want.sources[i as usize][..],
                "sources of {i}"
            );
            assert_eq!(
                g.followers(i),
                &want.followers[i as usize][..],
                "followers of {i}"
            );
        }
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(64))]

        /// import -> export -> import -> cache -> load gives the graph a naive reading gives.
        #[test]
        fn round_trip_through_text_and_cache(
            lines in proptest::collection::vec((0u64..40, 0u64..40), 1..120),
            direction in proptest::sample::select(vec![
                Direction::SecondFollowsFirst,
                Direction::FirstFollowsSecond,
                Direction::Mutual,
            ]),
            strings: bool,
            sparse: bool,
        ) {
            // Sparse ids exercise the sort + binary search remap, dense ones the direct table.
            let scale = if sparse { 1_000_000_007 } else { 1 };
            let lines: Vec<(u64, u64)> = lines.iter().map(|&(a, b)| (a * scale, b * scale)).collect();
            let name = |x: u64| if strings { format!("n{x}") } else { x.to_string() };
            let mut text = String::from("# random graph\n");
            for (k, &(a, b)) in lines.iter().enumerate() {
                let sep = [" ", "\t", ",", " \t "][k % 4];
                text.push_str(&format!("{}{sep}{}\n", name(a), name(b)));
            }
            let opts = ImportOptions { direction, ..ImportOptions::default() };
            let g1 = parse_edge_list_bytes("random.txt", text.as_bytes(), &opts)
                .map_err(|e| proptest::test_runner::TestCaseError::fail(e.to_string()))?;
            let want = naive(&lines, direction, strings);
            assert_matches(&g1, &want);

            // Export and re-import with the default direction; string ids stay strings.
            let mut out = Vec::new();
            write_edge_list(&g1, &mut out).expect("writes to memory");
            let back_opts = ImportOptions {
                ids: if strings { IdKind::String } else { IdKind::Integer },
                ..ImportOptions::default()
            };
            let g2 = parse_edge_list_bytes("exported.txt", &out, &back_opts)
                .map_err(|e| proptest::test_runner::TestCaseError::fail(e.to_string()))?;
            // Same edges between the same labels (nodes left without edges are not written).
            let labelled = |g: &FollowerGraph| {
                let mut e: Vec<(String, String)> =
                    g.edges().map(|(u, v)| (g.label(u), g.label(v))).collect();
                e.sort();
                e
            };
            proptest::prop_assert_eq!(labelled(&g2), labelled(&g1));
            let isolated = (0..g1.node_count())
                .any(|i| g1.source_count(i) == 0 && g1.follower_count(i) == 0);
            if !isolated && !strings {
                proptest::prop_assert_eq!(g2.source_adjacency(), g1.source_adjacency());
                proptest::prop_assert_eq!(g2.follower_adjacency(), g1.follower_adjacency());
                proptest::prop_assert_eq!(g2.labels(), g1.labels());
            }

            // The cache keeps everything, report included.
            let dir = tempfile::tempdir().expect("temp dir");
            for g in [&g1, &g2] {
                let path = dir.path().join("g.ovg");
                write_cache(g, &path).expect("writes");
                let g3 = read_cache(&path).expect("reads");
                proptest::prop_assert_eq!(&g3, g);
            }
            let path = dir.path().join("g1.ovg");
            write_cache(&g1, &path).expect("writes");
            assert_matches(&read_cache(&path).expect("reads"), &want);
        }
    }

    #[test]
    fn load_graph_tells_a_cache_from_an_edge_list() {
        let dir = tempfile::tempdir().expect("temp dir");
        let text = dir.path().join("g.txt");
        std::fs::write(&text, "1 2\n2 3\n").expect("write");
        let g = load_graph(&text, &ImportOptions::default(), &|_| {}).expect("imports");
        // A cache named like an edge list is still recognised.
        let cache = dir.path().join("g.edges");
        write_cache(&g, &cache).expect("writes");
        assert!(is_cache(&cache).expect("readable"));
        assert!(!is_cache(&text).expect("readable"));
        let back = load_graph(&cache, &ImportOptions::default(), &|_| {}).expect("loads");
        assert_eq!(back, g);
    }
}
