//! The `opinion` rules' step loops (stub: not yet implemented).

use crate::engine::measures::Outcome;
use crate::engine::run::{Ctx, Ending};
use crate::model::opinion;

/// Runs one replicate of the rule (stub: ends at once).
pub fn run_deffuant(ctx: &mut Ctx<'_, '_>, params: &opinion::DeffuantParams) -> Ending {
    let _ = (ctx, params);
    Ending {
        outcome: Outcome::FixedPoint,
        period: 0,
        steps: 0,
    }
}

/// Runs one replicate of the rule (stub: ends at once).
pub fn run_hegselmann_krause(
    ctx: &mut Ctx<'_, '_>,
    params: &opinion::HegselmannKrauseParams,
) -> Ending {
    let _ = (ctx, params);
    Ending {
        outcome: Outcome::FixedPoint,
        period: 0,
        steps: 0,
    }
}
