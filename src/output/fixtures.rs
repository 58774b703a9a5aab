//! Made-up replicate results for the output tests: small, deterministic, and shaped like a
//! real theater run (front rows stand more, shares settle at different steps).

use crate::engine::measures::{Outcome, ReplicateResult, StepRecord};

/// A small finished replicate with one step-0 record.
pub(crate) fn replicate(index: u32) -> ReplicateResult {
    ReplicateResult {
        replicate: index,
        outcome: Outcome::FixedPoint,
        cycle_period: 0,
        steps: 1,
        initial_standing: 0.1,
        final_sitting: 0.7,
        final_standing: 0.3,
        final_booing: 0.0,
        peak_booing: 0.0,
        peak_booing_step: 0,
        cascade_size: 2,
        conformers: 0.2,
        suppressed: 0.0,
        information_efficiency: 0.8,
        edge_visits: 17,
        standing_by_row: vec![],
        final_standing_by_seat: vec![],
        seed_reach: vec![],
        extra: Default::default(),
        trajectory: trajectory(&[0.1]),
        classes: Vec::new(),
        agents: None,
    }
}

/// Step records 0, 1, ... with the given standing shares, the rest sitting.
pub(crate) fn trajectory(standing: &[f64]) -> Vec<StepRecord> {
    standing
        .iter()
        .enumerate()
        .map(|(step, &s)| StepRecord {
            step: step as u32,
            sitting: 1.0 - s,
            standing: s,
            booing: 0.0,
            changes: (step * 3) as u64,
            exposures: (step * 7) as u64,
        })
        .collect()
}

/// SplitMix64: a fixed, dependency-free sequence of uniform draws for fake data.
struct Mix(u64);

impl Mix {
    fn uniform(&mut self) -> f64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^= z >> 31;
        (z >> 11) as f64 / (1u64 << 53) as f64
    }
}

/// `n` replicates on a `rows x seats` theater: most settle towards standing, a few towards
/// sitting, some boo briefly; front rows (row 0) stand more often.
pub(crate) fn theater_run(n: u32, rows: u32, seats: u32) -> Vec<ReplicateResult> {
    let mut mix = Mix(42);
    let agents = f64::from(rows * seats);
    (0..n)
        .map(|i| {
            let p0 = 0.3 + 0.3 * mix.uniform();
            let target = if p0 > 0.36 { 0.9 } else { 0.15 };
            let len = 4 + (mix.uniform() * 12.0) as usize;
            let mut recs = Vec::with_capacity(len);
            let mut s = p0;
            for step in 0..len {
                let boo = if step > 0 && step < 4 {
                    0.05 * mix.uniform()
                } else {
                    0.0
                };
                recs.push(StepRecord {
                    step: step as u32,
                    sitting: 1.0 - s - boo,
                    standing: s,
                    booing: boo,
                    changes: (agents * 0.1 * mix.uniform()) as u64,
                    exposures: (agents * 0.5 * mix.uniform()) as u64,
                });
                s += (target - s) * 0.35;
            }
            let last = recs[len - 1];
            let mut seat = Vec::with_capacity((rows * seats) as usize);
            for row in 0..rows {
                let front = 1.0 - f64::from(row) / f64::from(rows);
                for _ in 0..seats {
                    let p = (last.standing * (0.6 + 0.6 * front)).min(1.0);
                    seat.push(u8::from(mix.uniform() < p));
                }
            }
            let by_row = seat
                .chunks(seats as usize)
                .map(|r| r.iter().map(|&b| f64::from(b)).sum::<f64>() / f64::from(seats))
                .collect();
            ReplicateResult {
                replicate: i,
                outcome: if i % 7 == 3 {
                    Outcome::StepLimit
                } else {
                    Outcome::FixedPoint
                },
                cycle_period: 0,
                steps: len as u32 - 1,
                initial_standing: p0,
                final_sitting: last.sitting,
                final_standing: last.standing,
                final_booing: last.booing,
                peak_booing: 0.05,
                peak_booing_step: 2,
                cascade_size: ((last.standing - p0).abs() * agents) as u64,
                conformers: 0.1 * mix.uniform(),
                suppressed: 0.1 * mix.uniform(),
                information_efficiency: 0.7 + 0.2 * mix.uniform(),
                edge_visits: 1000 + i as u64,
                standing_by_row: by_row,
                final_standing_by_seat: seat,
                seed_reach: vec![],
                extra: Default::default(),
                trajectory: recs,
                classes: Vec::new(),
                agents: None,
            }
        })
        .collect()
}
