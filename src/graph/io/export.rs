//! Writing a graph out: as an edge list (re-importable), DOT, GraphML, and the map from dense
//! ids to original ids. Every writer buffers internally; pass a plain `File` or stdout.
//!
//! Nodes are named by their original ids (labels) where the graph has them, else by their
//! dense ids. An edge list cannot hold a node without edges: such nodes are written to DOT,
//! GraphML and the id map, but are lost by [`write_edge_list`] (the cache keeps everything).

use std::io::{self, BufWriter, Write};

use crate::graph::{FollowerGraph, NodeLabels};

/// Writes node `i`'s name (its original id, or `i`).
fn write_name<W: Write>(w: &mut W, graph: &FollowerGraph, i: u32) -> io::Result<()> {
    match graph.labels() {
        None => write!(w, "{i}"),
        Some(NodeLabels::Integers(v)) => write!(w, "{}", v[i as usize]),
        Some(NodeLabels::Strings(v)) => w.write_all(v[i as usize].as_bytes()),
    }
}

/// Node `i`'s name as text.
fn name(graph: &FollowerGraph, i: u32) -> String {
    graph.label(i)
}

/// Writes the graph as a tab-separated edge list, one edge per line, that
/// [`import_edge_list`](super::import_edge_list) reads back with the default direction
/// (`second-follows-first`). Weights, when the graph has them, are a third column written so
/// that they parse back to the same `f32`.
///
/// # Format
///
/// ```text
/// # ovation follower graph: 3 nodes, 2 edges
/// # Each line "u<TAB>v" is an edge u -> v: v follows u (v sees what u does).
/// # Import it with the direction second-follows-first (the default).
/// # u    v
/// 1    2
/// 2    7
/// ```
///
/// Nodes without edges are not written. String labels that look like integers, or that start
/// with `#` or `%`, need string ids on re-import.
pub fn write_edge_list<W: Write>(graph: &FollowerGraph, w: W) -> io::Result<()> {
    let mut w = BufWriter::with_capacity(1 << 16, w);
    let weighted = graph.is_weighted();
    writeln!(
        w,
        "# ovation follower graph: {} nodes, {} edges{}",
        graph.node_count(),
        graph.edge_count(),
        if weighted { ", weighted" } else { "" }
    )?;
    writeln!(
        w,
        "# Each line \"u<TAB>v\" is an edge u -> v: v follows u (v sees what u does)."
    )?;
    writeln!(
        w,
        "# Import it with the direction second-follows-first (the default)."
    )?;
    writeln!(w, "# u\tv{}", if weighted { "\tweight" } else { "" })?;
    let followers = graph.follower_adjacency();
    for u in 0..graph.node_count() {
        let weights = followers.row_weights(u);
        for (k, &v) in graph.followers(u).iter().enumerate() {
            write_name(&mut w, graph, u)?;
            w.write_all(b"\t")?;
            write_name(&mut w, graph, v)?;
            if let Some(ws) = weights {
                write!(w, "\t{}", ws[k])?;
            }
            w.write_all(b"\n")?;
        }
    }
    w.flush()
}

/// Escapes a DOT quoted string.
fn dot_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '"' => out.push_str("\\\""),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            // Other control characters would break the file's lines or Graphviz's lexer.
            c if c.is_control() => out.push('\u{fffd}'),
            c => out.push(c),
        }
    }
    out
}

/// Writes the graph in Graphviz DOT, nodes named by their labels, for small graphs.
///
/// # Format
///
/// ```text
/// digraph ovation {
///   // 2 nodes, 1 edges; an edge "u" -> "v" means v follows u.
///   "alice";
///   "bob";
///   "alice" -> "bob";
/// }
/// ```
///
/// Weights are written as edge labels: `"alice" -> "bob" [label="0.5"];`.
pub fn write_dot<W: Write>(graph: &FollowerGraph, w: W) -> io::Result<()> {
    let mut w = BufWriter::with_capacity(1 << 16, w);
    let names: Vec<String> = (0..graph.node_count())
        .map(|i| dot_escape(&name(graph, i)))
        .collect();
    writeln!(w, "digraph ovation {{")?;
    writeln!(
        w,
        "  // {} nodes, {} edges; an edge \"u\" -> \"v\" means v follows u.",
        graph.node_count(),
        graph.edge_count()
    )?;
    for n in &names {
        writeln!(w, "  \"{n}\";")?;
    }
    let followers = graph.follower_adjacency();
    for u in 0..graph.node_count() {
        let weights = followers.row_weights(u);
        for (k, &v) in graph.followers(u).iter().enumerate() {
            write!(
                w,
                "  \"{}\" -> \"{}\"",
                names[u as usize], names[v as usize]
            )?;
            if let Some(ws) = weights {
                write!(w, " [label=\"{}\"]", ws[k])?;
            }
            writeln!(w, ";")?;
        }
    }
    writeln!(w, "}}")?;
    w.flush()
}

/// Escapes text for XML content and attributes; characters XML 1.0 cannot hold become U+FFFD.
fn xml_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\t' | '\n' | '\r' => out.push(c),
            c if (c as u32) < 0x20 || c == '\u{fffe}' || c == '\u{ffff}' => out.push('\u{fffd}'),
            c => out.push(c),
        }
    }
    out
}

/// Writes the graph as GraphML (directed), for small graphs. Nodes are `n0`, `n1`, ... (dense
/// ids) with their original id in the `label` key; weighted graphs add a `weight` key.
///
/// # Format
///
/// ```text
/// <?xml version="1.0" encoding="UTF-8"?>
/// <graphml xmlns="http://graphml.graphdrawing.org/xmlns" ...>
///   <key id="label" for="node" attr.name="label" attr.type="string"/>
///   <graph id="ovation" edgedefault="directed">
///     <node id="n0"><data key="label">alice</data></node>
///     <edge source="n0" target="n1"/>
///   </graph>
/// </graphml>
/// ```
pub fn write_graphml<W: Write>(graph: &FollowerGraph, w: W) -> io::Result<()> {
    let mut w = BufWriter::with_capacity(1 << 16, w);
    let weighted = graph.is_weighted();
    writeln!(w, r#"<?xml version="1.0" encoding="UTF-8"?>"#)?;
    writeln!(
        w,
        r#"<graphml xmlns="http://graphml.graphdrawing.org/xmlns" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:schemaLocation="http://graphml.graphdrawing.org/xmlns http://graphml.graphdrawing.org/xmlns/1.0/graphml.xsd">"#
    )?;
    writeln!(
        w,
        r#"  <!-- An edge source -> target means the target follows the source. -->"#
    )?;
    writeln!(
        w,
        r#"  <key id="label" for="node" attr.name="label" attr.type="string"/>"#
    )?;
    if weighted {
        writeln!(
            w,
            r#"  <key id="weight" for="edge" attr.name="weight" attr.type="float"/>"#
        )?;
    }
    writeln!(w, r#"  <graph id="ovation" edgedefault="directed">"#)?;
    for i in 0..graph.node_count() {
        writeln!(
            w,
            r#"    <node id="n{i}"><data key="label">{}</data></node>"#,
            xml_escape(&name(graph, i))
        )?;
    }
    let followers = graph.follower_adjacency();
    for u in 0..graph.node_count() {
        let weights = followers.row_weights(u);
        for (k, &v) in graph.followers(u).iter().enumerate() {
            match weights {
                Some(ws) => writeln!(
                    w,
                    r#"    <edge source="n{u}" target="n{v}"><data key="weight">{}</data></edge>"#,
                    ws[k]
                )?,
                None => writeln!(w, r#"    <edge source="n{u}" target="n{v}"/>"#)?,
            }
        }
    }
    writeln!(w, "  </graph>")?;
    writeln!(w, "</graphml>")?;
    w.flush()
}

/// Quotes a CSV field when it needs it.
fn csv_field(s: &str) -> std::borrow::Cow<'_, str> {
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\"")).into()
    } else {
        s.into()
    }
}

/// Writes the map from dense ids to original ids as CSV.
///
/// # Format
///
/// ```text
/// dense_id,original_id
/// 0,3
/// 1,7
/// ```
///
/// A generated graph (no labels) maps every id to itself.
pub fn write_id_map<W: Write>(graph: &FollowerGraph, w: W) -> io::Result<()> {
    let mut w = BufWriter::with_capacity(1 << 16, w);
    writeln!(w, "dense_id,original_id")?;
    for i in 0..graph.node_count() {
        match graph.labels() {
            Some(NodeLabels::Strings(v)) => writeln!(w, "{i},{}", csv_field(&v[i as usize]))?,
            _ => {
                write!(w, "{i},")?;
                write_name(&mut w, graph, i)?;
                writeln!(w)?;
            }
        }
    }
    w.flush()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::graph::BuildOptions;
    use crate::graph::io::{ImportOptions, parse_edge_list_bytes};

    fn small(weighted: bool) -> FollowerGraph {
        let g = FollowerGraph::from_edges(
            3,
            vec![(0, 1), (1, 2), (0, 2)],
            weighted.then(|| vec![0.5, 0.1, 2.0]),
            BuildOptions::default(),
        );
        g.with_labels(NodeLabels::Strings(
            ["a<&>", "b\"q\"", "c,d"].map(String::from).to_vec(),
        ))
    }

    fn text(write: impl Fn(&mut Vec<u8>) -> io::Result<()>) -> String {
        let mut out = Vec::new();
        write(&mut out).expect("writes to memory");
        String::from_utf8(out).expect("UTF-8")
    }

    #[test]
    fn edge_list_round_trips_with_weights() {
        let g = FollowerGraph::from_edges(
            4,
            vec![(3, 0), (0, 1), (1, 2)],
            Some(vec![0.1, 1e-7, 3.0]),
            BuildOptions::default(),
        )
        .with_labels(NodeLabels::Integers(vec![5, 10, 20, 40]));
        let out = text(|o| write_edge_list(&g, o));
        assert!(out.contains("\n5\t10\t0.0000001\n"), "{out}");
        let opts = ImportOptions {
            weighted: true,
            ..ImportOptions::default()
        };
        let back = parse_edge_list_bytes("x", out.as_bytes(), &opts).expect("parses");
        assert_eq!(back.follower_adjacency(), g.follower_adjacency());
        assert_eq!(back.source_adjacency(), g.source_adjacency());
        assert_eq!(back.labels(), g.labels());
    }

    #[test]
    fn dot_names_nodes_by_label() {
        let out = text(|o| write_dot(&small(true), o));
        assert!(out.starts_with("digraph ovation {\n"), "{out}");
        assert!(out.contains("  \"b\\\"q\\\"\";\n"), "{out}");
        assert!(
            out.contains("  \"a<&>\" -> \"b\\\"q\\\"\" [label=\"0.5\"];\n"),
            "{out}"
        );
        assert!(out.ends_with("}\n"));
    }

    #[test]
    fn graphml_is_escaped_and_directed() {
        let out = text(|o| write_graphml(&small(true), o));
        assert!(out.contains(r#"edgedefault="directed""#));
        assert!(
            out.contains(r#"<data key="label">a&lt;&amp;&gt;</data>"#),
            "{out}"
        );
        assert!(
            out.contains(r#"<data key="label">b&quot;q&quot;</data>"#),
            "{out}"
        );
        assert!(out.contains(r#"<key id="weight" for="edge""#));
        assert!(
            out.contains(r#"<edge source="n0" target="n1"><data key="weight">0.5</data></edge>"#)
        );
        let plain = text(|o| write_graphml(&small(false), o));
        assert!(!plain.contains("weight"));
        assert!(plain.contains(r#"<edge source="n1" target="n2"/>"#));
        // Balanced: every opened element closes.
        assert_eq!(
            plain.matches("<node ").count(),
            plain.matches("</node>").count()
        );
    }

    #[test]
    fn id_map_is_csv() {
        let out = text(|o| write_id_map(&small(false), o));
        assert_eq!(
            out,
            "dense_id,original_id\n0,a<&>\n1,\"b\"\"q\"\"\"\n2,\"c,d\"\n"
        );
        let plain = FollowerGraph::from_edges(2, vec![(0, 1)], None, BuildOptions::default());
        assert_eq!(
            text(|o| write_id_map(&plain, o)),
            "dense_id,original_id\n0,0\n1,1\n"
        );
    }
}
