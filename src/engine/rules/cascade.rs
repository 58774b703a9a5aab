//! The `cascade` rules' step loops (stub: not yet implemented).

use crate::engine::measures::Outcome;
use crate::engine::run::{Ctx, Ending};
use crate::model::cascade;

/// Runs one replicate of the rule (stub: ends at once).
pub fn run_independent(
    ctx: &mut Ctx<'_, '_>,
    params: &cascade::IndependentCascadeParams,
) -> Ending {
    let _ = (ctx, params);
    Ending {
        outcome: Outcome::FixedPoint,
        period: 0,
        steps: 0,
    }
}

/// Runs one replicate of the rule (stub: ends at once).
pub fn run_linear(ctx: &mut Ctx<'_, '_>, params: &cascade::LinearThresholdParams) -> Ending {
    let _ = (ctx, params);
    Ending {
        outcome: Outcome::FixedPoint,
        period: 0,
        steps: 0,
    }
}
