//! Integration tests, in one binary (one link on a 2-core CI).

mod cli_graph;
mod engine;
mod run;
mod real_data;
mod tidy;
mod validate;
