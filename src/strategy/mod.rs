//! Strategies a scenario applies on top of the rule: which agents start active (seeding,
//! influencer selection) and, later, named sets of overrides compared side by side.

pub mod bitpar;
pub mod celf;
pub mod degree_discount;
pub mod imm;
pub mod pagerank;
pub mod seeding;
pub mod spread;

pub use seeding::{SeedContext, SeedMethod, SeedingSpec, select_seeds};
