//! The `threshold` rules' step loops (stub: not yet implemented).

use crate::engine::measures::Outcome;
use crate::engine::run::{Ctx, Ending};
use crate::model::threshold;

/// Runs one replicate of the rule (stub: ends at once).
pub fn run(ctx: &mut Ctx<'_, '_>, params: &threshold::ThresholdParams) -> Ending {
    let _ = (ctx, params);
    Ending {
        outcome: Outcome::FixedPoint,
        period: 0,
        steps: 0,
    }
}
