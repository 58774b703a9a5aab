//! The cascade engine: runs one replicate of a rule over a follower graph under a timing
//! scheme, incrementally (only agents whose sources changed are re-evaluated).
//!
//! Invariants: the engine does no I/O, prints nothing and reads no clock; every random draw
//! comes from [`crate::rng`] keyed by `(replicate key, purpose, step, agent)`, so results do not
//! depend on thread scheduling.

pub mod brand;
pub mod config;
pub mod measures;

pub use config::{LatencySpec, StopRule, TimingSpec};
pub use measures::{AgentResults, ClassResult, Outcome, ReplicateResult, StepRecord};
pub mod actor;
pub mod batch;
pub mod rule;
pub mod rules;
pub mod run;
pub mod state;
pub mod steps;
pub mod webcare;

pub use rule::{CustomRule, Rule};
pub use rules::RuleSpec;
pub use run::{
    AgentFinals, Observer, Recorder, Setup, check_setup, run_replicate, run_replicate_with,
};
