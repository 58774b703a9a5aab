//! Accounts named by handle where agent ids are accepted: `seeding.nodes = ["@dell", 42]`,
//! `brand.node = "@comcastcares"`.
//!
//! A [`NodeRef`] is a dense agent id or a handle, `@` followed by the account's original id in
//! the edge list (its label: `@dell` names the account written `dell`, or `@dell` itself, in
//! the file; `@12` the account with original integer id 12). Handles are resolved once the
//! graph is loaded ([`resolve`]): an exact match first, else a case-insensitive one when it is
//! unique (Twitter's handles ignore case). An unknown handle is an error naming it and the
//! closest account by edit distance (`strsim`).

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use super::{FollowerGraph, NodeLabels};

/// An agent named by its dense id or by its handle.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum NodeRef {
    /// A dense agent id, `0..n`.
    Id(u32),
    /// A handle, `@name` (kept with its `@`).
    Handle(String),
}

impl NodeRef {
    /// The dense id in `graph`, or why there is none (naming the handle and the closest
    /// account, or the id and the graph's size).
    pub fn resolve(&self, graph: &FollowerGraph) -> Result<u32, String> {
        match self {
            NodeRef::Id(id) if *id < graph.node_count() => Ok(*id),
            NodeRef::Id(id) => Err(format!(
                "agent {id} is out of range: the graph has {n} agents (ids 0..{n})",
                n = graph.node_count()
            )),
            NodeRef::Handle(h) => resolve(graph, h),
        }
    }
}

impl std::fmt::Display for NodeRef {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            NodeRef::Id(id) => write!(f, "{id}"),
            NodeRef::Handle(h) => write!(f, "{h}"),
        }
    }
}

impl Serialize for NodeRef {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            NodeRef::Id(id) => s.serialize_u32(*id),
            NodeRef::Handle(h) => s.serialize_str(h),
        }
    }
}

/// What a [`NodeRef`] is, in error messages.
const EXPECTED: &str = "an agent id (a non-negative integer) or a handle like \"@name\"";

impl<'de> Deserialize<'de> for NodeRef {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<NodeRef, D::Error> {
        struct Visitor;
        impl serde::de::Visitor<'_> for Visitor {
            type Value = NodeRef;

            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(EXPECTED)
            }

            fn visit_u64<E: serde::de::Error>(self, v: u64) -> Result<NodeRef, E> {
                u32::try_from(v).map(NodeRef::Id).map_err(|_| {
                    E::custom(format!("expected {EXPECTED}, found {v} (above 2^32 - 1)"))
                })
            }

            fn visit_i64<E: serde::de::Error>(self, v: i64) -> Result<NodeRef, E> {
                u64::try_from(v)
                    .map_err(|_| E::custom(format!("expected {EXPECTED}, found {v}")))
                    .and_then(|v| self.visit_u64(v))
            }

            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<NodeRef, E> {
                if v.len() > 1 && v.starts_with('@') {
                    Ok(NodeRef::Handle(v.to_string()))
                } else {
                    Err(E::custom(format!("expected {EXPECTED}, found \"{v}\"")))
                }
            }
        }
        d.deserialize_any(Visitor)
    }
}

/// The dense id of the account `handle` (`@name`) in `graph`, or why there is none.
///
/// Computes in **O(n)** time (a scan of the labels; a second one, with edit distances, only
/// to name the closest account of an unknown handle).
pub fn resolve(graph: &FollowerGraph, handle: &str) -> Result<u32, String> {
    let name = handle.strip_prefix('@').unwrap_or(handle);
    let Some(labels) = graph.labels() else {
        return Err(format!(
            "unknown handle `{handle}`: this graph is generated, so its agents have no names; \
             name them by id (0..{})",
            graph.node_count()
        ));
    };
    match labels {
        NodeLabels::Integers(ids) => {
            if let Ok(x) = name.parse::<u64>()
                && let Some(i) = ids.iter().position(|&v| v == x)
            {
                return Ok(i as u32);
            }
            Err(format!(
                "unknown handle `{handle}`: the graph's accounts have integer ids, so a handle \
                 is `@` and one of them{}",
                closest(ids.iter().map(u64::to_string), name)
            ))
        }
        NodeLabels::Strings(names) => {
            if let Some(i) = names.iter().position(|v| v == name || v == handle) {
                return Ok(i as u32);
            }
            let bare = |v: &str| v.strip_prefix('@').unwrap_or(v).to_lowercase();
            let lower = name.to_lowercase();
            let mut matches = names.iter().enumerate().filter(|(_, v)| bare(v) == lower);
            if let (Some((i, _)), None) = (matches.next(), matches.next()) {
                return Ok(i as u32);
            }
            Err(format!(
                "unknown handle `{handle}`{}",
                closest(names.iter().cloned(), name)
            ))
        }
    }
}

/// `; the closest account is `@x`` for the label nearest to `name`, or nothing.
fn closest(labels: impl Iterator<Item = String>, name: &str) -> String {
    labels
        .map(|l| {
            let bare = l.strip_prefix('@').unwrap_or(&l).to_string();
            (
                strsim::levenshtein(&bare.to_lowercase(), &name.to_lowercase()),
                bare,
            )
        })
        .min()
        .map(|(_, l)| format!("; the closest account is `@{l}`"))
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::graph::io::{ImportOptions, import_edge_list};

    fn graph(text: &str) -> FollowerGraph {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("g.txt");
        std::fs::write(&path, text).expect("write");
        import_edge_list(&path, &ImportOptions::default(), &|_| {}).expect("valid edge list")
    }

    #[test]
    fn handles_resolve_through_string_labels() {
        let g = graph("dell comcastcares\nComcastCares alice\nbob dell\n");
        // First appearance numbers string ids: dell 0, comcastcares 1, ComcastCares 2, ...
        assert_eq!(resolve(&g, "@dell"), Ok(0));
        assert_eq!(resolve(&g, "@comcastcares"), Ok(1));
        assert_eq!(resolve(&g, "@ComcastCares"), Ok(2));
        // Case-insensitive only when unique: `@ALICE` is alice, `@COMCASTCARES` is ambiguous.
        assert_eq!(resolve(&g, "@ALICE"), Ok(3));
        let e = resolve(&g, "@COMCASTCARES").expect_err("two accounts match");
        assert!(e.starts_with("unknown handle `@COMCASTCARES`"), "{e}");
        let e = resolve(&g, "@del").expect_err("no such account");
        assert_eq!(e, "unknown handle `@del`; the closest account is `@dell`");
    }

    #[test]
    fn handles_resolve_through_integer_labels_and_not_in_generated_graphs() {
        let g = graph("10 20\n20 30\n");
        assert_eq!(resolve(&g, "@30"), Ok(2));
        let e = resolve(&g, "@31").expect_err("no such id");
        assert!(e.ends_with("the closest account is `@30`"), "{e}");
        let spec: crate::graph::generators::GeneratorSpec =
            toml::from_str("generator = \"complete\"\nn = 4").expect("spec");
        let generated = crate::graph::generators::generate(&spec, 1).expect("graph");
        let e = resolve(&generated, "@dell").expect_err("no labels");
        assert!(e.contains("generated"), "{e}");
        assert_eq!(NodeRef::Id(3).resolve(&generated), Ok(3));
        assert!(NodeRef::Id(4).resolve(&generated).is_err());
    }

    #[test]
    fn node_refs_read_ids_and_handles_and_refuse_the_rest() {
        #[derive(Deserialize)]
        struct T {
            nodes: Vec<NodeRef>,
        }
        let t: T = toml::from_str("nodes = [\"@dell\", 42]").expect("valid");
        assert_eq!(t.nodes, [NodeRef::Handle("@dell".into()), NodeRef::Id(42)]);
        for (text, found) in [("[-1]", "found -1"), ("[\"dell\"]", "found \"dell\"")] {
            let e = toml::from_str::<T>(&format!("nodes = {text}"))
                .err()
                .expect("refused")
                .to_string();
            assert!(e.contains(EXPECTED) && e.contains(found), "{e}");
        }
    }
}
