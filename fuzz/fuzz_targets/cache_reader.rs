//! Fuzz target: the `.ovg` cache reader (`ovation::graph::io::read_cache`) on arbitrary bytes.
//!
//! The first byte picks the mode: even, the rest is the file as is; odd, the rest edits a valid
//! cache of a small graph, with or without a source stamp (byte writes at chosen offsets,
//! header counts, and the checksum recomputed so the structure checks, not the CRC, must catch
//! the damage). Checked: no panic,
//! no allocation beyond the file's size, errors name the file on one line, and a cache that
//! loads is a graph whose invariants hold (both directions the same edges, rows sorted, ids in
//! range) and which round-trips byte for byte.
#![no_main]

use std::io::Write;

use libfuzzer_sys::fuzz_target;
use ovation::graph::io::{SourceStamp, read_cache_stamped, write_cache_stamped};
use ovation::graph::{BuildOptions, FollowerGraph};

fuzz_target!(|data: &[u8]| {
    let Some((&mode, rest)) = data.split_first() else {
        return;
    };
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("f.ovg");
    let bytes = if mode % 2 == 0 {
        rest.to_vec()
    } else {
        edited(rest, &path)
    };
    std::fs::File::create(&path)
        .and_then(|mut f| f.write_all(&bytes))
        .expect("write");
    match read_cache_stamped(&path) {
        Err(e) => {
            let msg = e.to_string();
            assert!(msg.starts_with(&path.display().to_string()), "{msg}");
            assert!(!msg.contains('\n'), "{msg:?}");
        }
        Ok((g, stamp)) => {
            let n = g.node_count();
            assert!(n >= 1);
            let mut forward: Vec<(u32, u32)> = Vec::new();
            for u in 0..n {
                let row = g.followers(u);
                assert!(row.windows(2).all(|w| w[0] <= w[1]));
                forward.extend(row.iter().map(|&v| (u, v)));
            }
            let mut backward: Vec<(u32, u32)> = Vec::new();
            for v in 0..n {
                let row = g.sources(v);
                assert!(row.windows(2).all(|w| w[0] <= w[1]));
                backward.extend(row.iter().map(|&u| (u, v)));
            }
            assert!(forward.iter().all(|&(u, v)| u < n && v < n));
            forward.sort_unstable();
            backward.sort_unstable();
            assert_eq!(forward, backward, "the two directions differ");
            let again = dir.path().join("g.ovg");
            write_cache_stamped(&g, &again, stamp.as_ref()).expect("rewrite");
            assert_eq!(std::fs::read(&again).expect("read"), bytes);
        }
    }
});

/// A valid cache of a small graph (chosen by the first input bytes), then edited by the rest:
/// pairs of (offset, byte), with the checksum recomputed.
fn edited(input: &[u8], scratch: &std::path::Path) -> Vec<u8> {
    let n = 1 + u32::from(input.first().copied().unwrap_or(3) % 12);
    let edges: Vec<(u32, u32)> = input
        .iter()
        .skip(1)
        .take(24)
        .map(|&b| (u32::from(b) % n, u32::from(b / 16) % n))
        .collect();
    let weighted = input.get(1).is_some_and(|b| b & 1 == 1);
    let weights = weighted.then(|| (0..edges.len()).map(|i| i as f32 * 0.5).collect());
    let g = FollowerGraph::from_edges(n, edges, weights, BuildOptions::default());
    // Half the caches carry a source stamp (as `cache = true` writes them).
    let stamp = input.get(1).is_some_and(|b| b & 2 == 2).then_some(SourceStamp {
        bytes: 12,
        modified_secs: 1_700_000_000,
        modified_nanos: 5,
        options: 2,
    });
    write_cache_stamped(&g, scratch, stamp.as_ref()).expect("write a cache");
    let mut bytes = std::fs::read(scratch).expect("read it back");
    for pair in input.get(25..).unwrap_or_default().chunks_exact(2) {
        let at = usize::from(pair[0]) * bytes.len() / 256;
        if at < bytes.len() {
            bytes[at] = pair[1];
        }
    }
    let body = bytes.len().saturating_sub(4);
    let crc = crc32fast::hash(&bytes[..body]);
    bytes[body..].copy_from_slice(&crc.to_le_bytes());
    bytes
}
