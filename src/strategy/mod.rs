//! Strategies a scenario applies on top of the rule: which agents start active (seeding,
//! influencer selection) and, later, named sets of overrides compared side by side.

pub mod seeding;

pub use seeding::{SeedMethod, SeedingSpec, select_seeds};
