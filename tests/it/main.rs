//! Integration tests, in one binary (one link on a 2-core CI).

mod bad_input;
mod bass;
mod brand;
mod cascade;
mod cli_graph;
mod compare;
mod crash;
mod engine;
mod epidemic;
mod fit;
mod force;
mod fuzz_smoke;
mod granovetter;
mod hardening;
mod imm;
mod opinion;
mod real_data;
mod report;
mod run;
mod support;
mod sweep;
mod threshold;
mod tidy;
mod validate;
mod voter;
mod watts;
