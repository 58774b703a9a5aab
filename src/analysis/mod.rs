//! Closed-form results from the cascade literature, for checking simulations against theory.
//!
//! Like [`crate::stats`] (the only module it uses), this is plain numerics
//! (generating functions, root finding by bisection, fixed-point iteration), so a test, an
//! example or a user can put a theoretical curve beside what the engine measured.
//!
//! - [`watts`]: Watts' (2002) cascade condition for threshold cascades on undirected
//!   Erdos-Renyi graphs, its window of mean degrees, the giant component, and the probability
//!   that a single seed triggers a global cascade.

pub mod watts;
