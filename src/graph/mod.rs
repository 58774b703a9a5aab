//! Follower graphs: storage (CSR in both directions), generators, import and export, the binary
//! cache, the petgraph bridge and descriptive statistics.
//!
//! An edge `u -> v` means **v follows u**: v sees what u does. An agent's *sources* are whom it
//! follows; its *followers* are who see it. Every API in this module uses those two words, never
//! bare "in" or "out", so direction cannot be got backwards.

pub mod csr;
pub mod generators;
pub mod handles;
mod huge;
pub mod io;
pub mod petgraph_bridge;
mod scatter;
pub mod stats;
mod transpose;

pub use csr::{Adjacency, BuildOptions, BuildReport, FollowerGraph, NodeLabels};
