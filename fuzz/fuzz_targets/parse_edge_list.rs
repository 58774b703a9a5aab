//! Fuzz target: arbitrary bytes through the edge-list parser.
//!
//! The first byte picks the import options; the rest is the file. Besides "no panic, no hang",
//! it checks that the parser's result (graph or error message) does not depend on how the
//! input is cut into blocks and chunks, and that a parsed graph survives the binary cache's
//! writer and reader byte for byte.
#![no_main]

use libfuzzer_sys::fuzz_target;
use ovation::graph::io::{
    Direction, IdKind, ImportOptions, parse_edge_list_bytes, parse_edge_list_bytes_with_sizes,
};

fuzz_target!(|data: &[u8]| {
    let Some((&selector, text)) = data.split_first() else {
        return;
    };
    let opts = ImportOptions {
        direction: match selector % 3 {
            0 => Direction::SecondFollowsFirst,
            1 => Direction::FirstFollowsSecond,
            _ => Direction::Mutual,
        },
        ids: match (selector / 3) % 3 {
            0 => IdKind::Auto,
            1 => IdKind::Integer,
            _ => IdKind::String,
        },
        header: selector & 0x20 != 0,
        weighted: selector & 0x40 != 0,
        keep_self_loops: selector & 0x80 != 0,
        keep_duplicates: selector & 0x80 != 0,
    };
    // Compared through Debug text: a NaN weight is not equal to itself.
    let whole = parse_edge_list_bytes("fuzz.txt", text, &opts);
    let block = 1 + usize::from(selector % 13);
    let cut = parse_edge_list_bytes_with_sizes("fuzz.txt", text, &opts, block, 1 + block / 3);
    let show = |r: &Result<_, ovation::graph::io::GraphIoError>| match r {
        Ok(g) => format!("{g:?}"),
        Err(e) => e.to_string(),
    };
    assert_eq!(
        show(&whole),
        show(&cut),
        "the way the input is cut changed the result"
    );
    if let Ok(graph) = whole {
        // Both directions hold the same edges.
        let mut from_sources: Vec<(u32, u32)> = (0..graph.node_count())
            .flat_map(|v| graph.sources(v).iter().map(move |&u| (u, v)))
            .collect();
        from_sources.sort_unstable();
        let from_followers: Vec<(u32, u32)> = graph.edges().collect();
        assert_eq!(from_sources, from_followers);
        ovation::graph::io::write_edge_list(&graph, std::io::sink()).expect("writes");
        ovation::graph::io::write_graphml(&graph, std::io::sink()).expect("writes");
    }
});
