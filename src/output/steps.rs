//! Per-step means accumulated while a run's replicates finish, for runs that keep no per-step
//! records (`[output] steps_csv = false`): each replicate's trajectory is pushed into the
//! per-step accumulators in replicate order as soon as every earlier replicate has been, then
//! dropped, from memory and from the replicate's file. Memory and disk then grow with the
//! longest trajectory, never with replicates × steps.
//!
//! So that such a run can still be resumed, the accumulators are saved from time to time to
//! `replicates/steps-checkpoint.bin` (atomically), with how many replicates, from 0, they
//! hold. `--resume` starts from the checkpoint and runs again every replicate after it (their
//! files have no trajectory to push); the file is removed once the run is finished, so a
//! finished folder is the same whether or not it was resumed.
//!
//! # Format of the checkpoint
//!
//! Little-endian: the 16 bytes `OVATION-STEPS-1\n`, the replicates held (`u32`), the steps
//! (`u64`), then per step sitting, standing and booing, each a Welford state: the count
//! (`u64`), the mean and the sum of squared deviations (`f64` bits), so a resumed run
//! continues bit for bit.

use std::path::PathBuf;

use super::OutputError;
use super::aggregate::StepAccumulator;
use super::folder::{REPLICATES_DIR, RunFolder, write_atomic};
use crate::engine::measures::StepRecord;
use crate::stats::Welford;

/// Name of the checkpoint file inside `replicates/`.
pub const CHECKPOINT_FILE: &str = "steps-checkpoint.bin";

/// First bytes of a checkpoint.
const MAGIC: &[u8; 16] = b"OVATION-STEPS-1\n";

/// Bytes per step of a checkpoint: three Welford states of 24 bytes.
const STEP_BYTES: usize = 72;

/// The per-step accumulators of one run, fed in replicate order (see the module doc).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct OrderedSteps {
    /// Replicates `0..next` are in `acc`.
    next: u32,
    /// The accumulators.
    acc: StepAccumulator,
    /// A replicate was offered out of turn (an earlier one failed or was skipped): nothing
    /// more is pushed, and the checkpoint stays where it was.
    stalled: bool,
    /// `next` when last saved or loaded.
    saved: u32,
}

impl OrderedSteps {
    /// Nothing pushed yet.
    pub fn new() -> OrderedSteps {
        OrderedSteps::default()
    }

    /// How many replicates, from 0, are in the accumulators.
    pub fn next(&self) -> u32 {
        self.next
    }

    /// The accumulators.
    pub fn accumulator(&self) -> &StepAccumulator {
        &self.acc
    }

    /// Pushes replicate `replicate`'s trajectory when it is the next one; otherwise (an earlier
    /// replicate is missing) stops accumulating for good. Returns whether it was pushed.
    pub fn offer(&mut self, replicate: u32, trajectory: &[StepRecord]) -> bool {
        if self.stalled || replicate != self.next {
            self.stalled = true;
            return false;
        }
        self.acc.push(trajectory);
        self.next += 1;
        true
    }

    /// An earlier replicate is missing (it failed or was skipped): stops accumulating for good.
    pub fn skip(&mut self) {
        self.stalled = true;
    }

    /// Whether replicates were pushed since the last [`save`](OrderedSteps::save) (or load).
    pub fn unsaved(&self) -> bool {
        self.next != self.saved
    }

    /// The checkpoint's path in `folder`.
    pub fn path(folder: &RunFolder) -> PathBuf {
        folder.path().join(REPLICATES_DIR).join(CHECKPOINT_FILE)
    }

    /// Saves the accumulators to `folder`'s checkpoint, atomically.
    pub fn save(&mut self, folder: &RunFolder) -> Result<(), OutputError> {
        self.saved = self.next;
        let steps = self.acc.parts();
        let mut bytes = Vec::with_capacity(28 + steps.len() * STEP_BYTES);
        bytes.extend_from_slice(MAGIC);
        bytes.extend_from_slice(&self.next.to_le_bytes());
        bytes.extend_from_slice(&(steps.len() as u64).to_le_bytes());
        for step in steps {
            for w in step {
                let (n, mean, m2) = w.parts();
                bytes.extend_from_slice(&n.to_le_bytes());
                bytes.extend_from_slice(&mean.to_bits().to_le_bytes());
                bytes.extend_from_slice(&m2.to_bits().to_le_bytes());
            }
        }
        write_atomic(&OrderedSteps::path(folder), &bytes)
    }

    /// The accumulators saved in `folder`'s checkpoint, or `None` when there is none.
    pub fn load(folder: &RunFolder) -> Result<Option<OrderedSteps>, OutputError> {
        let path = OrderedSteps::path(folder);
        let bytes = match std::fs::read(&path) {
            Ok(b) => b,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(source) => return Err(OutputError::Read { path, source }),
        };
        let bad = |message: String| OutputError::Checkpoint {
            path: path.clone(),
            message,
        };
        if bytes.len() < 28 || &bytes[..16] != MAGIC {
            return Err(bad("it does not start with OVATION-STEPS-1".into()));
        }
        let u64_at =
            |at: usize| u64::from_le_bytes(bytes[at..at + 8].try_into().expect("eight bytes"));
        let next = u32::from_le_bytes(bytes[16..20].try_into().expect("four bytes"));
        let steps = u64_at(20);
        let body = &bytes[28..];
        if steps.checked_mul(STEP_BYTES as u64) != Some(body.len() as u64) {
            return Err(bad(format!(
                "{steps} steps need {} bytes after the header, found {}",
                steps.saturating_mul(STEP_BYTES as u64),
                body.len()
            )));
        }
        let parts = body
            .chunks_exact(STEP_BYTES)
            .map(|chunk| {
                let word = |i: usize| {
                    u64::from_le_bytes(chunk[i * 8..i * 8 + 8].try_into().expect("eight bytes"))
                };
                let w = |k: usize| {
                    Welford::from_parts(
                        word(3 * k),
                        f64::from_bits(word(3 * k + 1)),
                        f64::from_bits(word(3 * k + 2)),
                    )
                };
                [w(0), w(1), w(2)]
            })
            .collect();
        Ok(Some(OrderedSteps {
            next,
            acc: StepAccumulator::from_parts(parts),
            stalled: false,
            saved: next,
        }))
    }

    /// Removes `folder`'s checkpoint (when the run is finished); none is fine.
    pub fn remove(folder: &RunFolder) -> Result<(), OutputError> {
        let path = OrderedSteps::path(folder);
        match std::fs::remove_file(&path) {
            Ok(()) => Ok(()),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
            Err(source) => Err(OutputError::Write { path, source }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::output::FolderMode;
    use crate::output::aggregate::run_stats;
    use crate::output::fixtures::{replicate, trajectory};

    #[test]
    fn a_saved_checkpoint_continues_bit_for_bit() {
        let root = tempfile::tempdir().expect("temp dir");
        let folder = RunFolder::open(root.path(), FolderMode::New, "f").expect("open");
        let shares = [
            vec![0.1, 0.3, 0.35],
            vec![0.2],
            vec![0.05, 0.1, 0.15, 0.2, 0.7],
            vec![0.3, 0.3000000000000001],
        ];
        let results: Vec<_> = shares
            .iter()
            .enumerate()
            .map(|(i, s)| {
                let mut r = replicate(i as u32);
                r.trajectory = trajectory(s);
                r
            })
            .collect();
        let mut whole = OrderedSteps::new();
        for r in &results {
            assert!(whole.offer(r.replicate, &r.trajectory));
        }
        let mut first = OrderedSteps::new();
        for r in &results[..2] {
            first.offer(r.replicate, &r.trajectory);
        }
        first.save(&folder).expect("save");
        let mut resumed = OrderedSteps::load(&folder).expect("load").expect("saved");
        assert_eq!(resumed.next(), 2);
        assert!(!resumed.unsaved());
        for r in &results[2..] {
            resumed.offer(r.replicate, &r.trajectory);
        }
        assert_eq!(resumed.accumulator(), whole.accumulator());
        assert_eq!(resumed.next(), whole.next());
        let refs: Vec<_> = results.iter().collect();
        assert_eq!(
            whole.accumulator().by_step(0.95),
            run_stats(&refs, 0.95).by_step
        );
        OrderedSteps::remove(&folder).expect("remove");
        assert!(OrderedSteps::load(&folder).expect("load").is_none());
    }

    #[test]
    fn a_replicate_out_of_turn_stops_the_accumulation() {
        let mut s = OrderedSteps::new();
        assert!(s.offer(0, &trajectory(&[0.1])));
        assert!(!s.offer(2, &trajectory(&[0.1])));
        assert!(!s.offer(1, &trajectory(&[0.1])));
        assert_eq!(s.next(), 1);
    }

    #[test]
    fn a_cut_checkpoint_is_refused_with_its_name() {
        let root = tempfile::tempdir().expect("temp dir");
        let folder = RunFolder::open(root.path(), FolderMode::New, "f").expect("open");
        let mut s = OrderedSteps::new();
        s.offer(0, &trajectory(&[0.1, 0.2]));
        s.save(&folder).expect("save");
        let path = OrderedSteps::path(&folder);
        let bytes = std::fs::read(&path).expect("read");
        std::fs::write(&path, &bytes[..bytes.len() - 5]).expect("cut");
        let err = OrderedSteps::load(&folder).expect_err("cut");
        let text = err.to_string();
        assert!(
            text.contains(CHECKPOINT_FILE) && text.contains("2 steps"),
            "{text}"
        );
    }
}
