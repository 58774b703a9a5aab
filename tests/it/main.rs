//! Integration tests, in one binary (one link on a 2-core CI).

mod bass;
mod brand;
mod cascade;
mod cli_graph;
mod compare;
mod engine;
mod epidemic;
mod fit;
mod granovetter;
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
