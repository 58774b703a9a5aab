//! Integration tests, in one binary (one link on a 2-core CI).

mod bad_input;
mod bass;
mod brand;
mod cascade;
mod classes;
mod cli_graph;
mod compare;
mod completions;
mod crash;
mod engine;
mod epidemic;
mod fit;
mod force;
mod fuzz_smoke;
mod granovetter;
mod handles;
mod hardening;
mod imm;
mod jobs;
mod opinion;
#[cfg(feature = "distributed")]
mod partitioned;
mod real_data;
mod report;
mod run;
mod sentiment;
mod shard;
mod streaming;
mod support;
mod sweep;
mod threshold;
mod tidy;
mod validate;
mod voter;
mod watts;
mod webcare_props;
