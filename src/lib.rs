//! ovation: a parallel, agent-based simulator of social information cascades.
//!
//! The core is Miller and Page's Standing Ovation Problem (2004) played out over follower graphs,
//! beside the reference rules of the cascade literature (threshold, independent cascade, linear
//! threshold, voter, epidemic, bounded confidence, Bass) and a felt-sentiment rule with a brand.
//! See `ARCHITECTURE.md` for the map of modules and the rules on which may use which.
//!
//! # As a library
//!
//! A scenario (the TOML of `scenarios/`) is validated by [`scenario`] and run by [`jobs`]: `run`,
//! `sweep`, `compare` and `fit`, into a result folder or in memory, with the same files and
//! numbers as the command line. Every random draw is keyed by seed, replicate, purpose, agent and
//! step, so results do not depend on the number of threads (rayon's pool is the caller's).
//!
//! ```
//! use ovation::jobs::{self, JobOptions};
//!
//! let text = r#"
//!     name = "library-example"
//!     seed = 7
//!     replicates = 4
//!     steps = 50
//!     [graph]
//!     generator = "erdos_renyi"
//!     n = 500
//!     m = 4000
//!     [[population]]
//!     noise = { dist = "uniform", low = -0.4, high = 0.4 }
//!     [model]
//!     rule = "sop"
//!     quality = 0.55
//! "#;
//! let scenario = ovation::scenario::load_str("example.toml", text, ".".as_ref(), &[])?;
//! let outcome = jobs::run(&scenario, &JobOptions::in_memory())?;
//! assert_eq!(outcome.results.len(), 4);
//! let standing: f64 = outcome.results.iter().map(|r| r.final_standing).sum::<f64>() / 4.0;
//! assert!((0.0..=1.0).contains(&standing));
//! // The CSV the command line writes as summary.csv, one row per replicate.
//! assert_eq!(outcome.summary_csv()?.lines().count(), 5);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! A rule of one's own implements the contract [`engine::Rule`] (name, parameter and graph
//! checks, whether it reads the engine's counts, its preparation and step loop) and runs with
//! every job as `engine::RuleSpec::Custom(engine::CustomRule::new(rule))`; the built-in rules
//! are registered in [`engine::rules`].
#![warn(missing_docs)]
#![warn(unreachable_pub)]

pub mod analysis;
#[doc(hidden)]
pub mod bench;
#[doc(hidden)]
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
