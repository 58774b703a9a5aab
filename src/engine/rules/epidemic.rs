//! The `epidemic` rules' step loops (stub: not yet implemented).

use crate::engine::measures::Outcome;
use crate::engine::run::{Ctx, Ending};
use crate::model::epidemic;

/// Runs one replicate of the rule (stub: ends at once).
pub fn run_sir(ctx: &mut Ctx<'_, '_>, params: &epidemic::SirParams) -> Ending {
    let _ = (ctx, params);
    Ending {
        outcome: Outcome::FixedPoint,
        period: 0,
        steps: 0,
    }
}

/// Runs one replicate of the rule (stub: ends at once).
pub fn run_sis(ctx: &mut Ctx<'_, '_>, params: &epidemic::SisParams) -> Ending {
    let _ = (ctx, params);
    Ending {
        outcome: Outcome::FixedPoint,
        period: 0,
        steps: 0,
    }
}

/// Runs one replicate of the rule (stub: ends at once).
pub fn run_maki_thompson(ctx: &mut Ctx<'_, '_>, params: &epidemic::MakiThompsonParams) -> Ending {
    let _ = (ctx, params);
    Ending {
        outcome: Outcome::FixedPoint,
        period: 0,
        steps: 0,
    }
}
