//! The `bass` rules' step loops (stub: not yet implemented).

use crate::engine::measures::Outcome;
use crate::engine::run::{Ctx, Ending};
use crate::model::bass;

/// Runs one replicate of the rule (stub: ends at once).
pub fn run(ctx: &mut Ctx<'_, '_>, params: &bass::BassParams) -> Ending {
    let _ = (ctx, params);
    Ending {
        outcome: Outcome::FixedPoint,
        period: 0,
        steps: 0,
    }
}
