//! ovation: a parallel, agent-based simulator of social information cascades.
//!
//! The core is Miller and Page's Standing Ovation Problem (2004) played out over follower graphs.
//! See `ARCHITECTURE.md` for the map of modules and the rules on which may use which.
#![warn(missing_docs)]

pub mod analysis;
pub mod bench;
pub mod cli;
#[cfg(feature = "distributed")]
pub mod distributed;
pub mod engine;
pub mod fit;
pub mod graph;
pub mod jobs;
pub mod model;
pub mod output;
pub mod rng;
pub mod runner;
pub mod scenario;
pub mod stats;
pub mod strategy;
