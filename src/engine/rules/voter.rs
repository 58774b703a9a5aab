//! The `voter` rules' step loops (stub: not yet implemented).

use crate::engine::measures::Outcome;
use crate::engine::run::{Ctx, Ending};
use crate::model::voter;

/// Runs one replicate of the rule (stub: ends at once).
pub fn run_voter(ctx: &mut Ctx<'_, '_>, params: &voter::VoterParams) -> Ending {
    let _ = (ctx, params);
    Ending {
        outcome: Outcome::FixedPoint,
        period: 0,
        steps: 0,
    }
}

/// Runs one replicate of the rule (stub: ends at once).
pub fn run_majority(ctx: &mut Ctx<'_, '_>, params: &voter::MajorityParams) -> Ending {
    let _ = (ctx, params);
    Ending {
        outcome: Outcome::FixedPoint,
        period: 0,
        steps: 0,
    }
}

/// Runs one replicate of the rule (stub: ends at once).
pub fn run_q_voter(ctx: &mut Ctx<'_, '_>, params: &voter::QVoterParams) -> Ending {
    let _ = (ctx, params);
    Ending {
        outcome: Outcome::FixedPoint,
        period: 0,
        steps: 0,
    }
}
