//! The CSV tables of a run: `steps.csv`, `summary.csv`, `rows.csv`, `classes.csv`,
//! `seeds.csv` and `agents.csv`.
//!
//! All are tidy (one observation per row), comma-separated, with a header row, `\n` line
//! endings and a fixed column order. Replicates appear in index order. Floats are written with
//! Rust's shortest round-trip `Display` (`0.1`, `0.3333333333333333`, `1`, never an exponent),
//! so `pandas.read_csv` or R's `read.csv` read back exactly the `f64` the engine computed;
//! counts are integers. Nothing is quoted except a label that holds a comma or a quote (standard
//! CSV quoting).
//!
//! # Format
//!
//! `steps.csv`: each replicate's own trajectory, step 0 first; per step the five measures
//! `sitting`, `standing`, `booing` (shares of all agents), `changes` (agents whose action
//! changed) and `exposures` (edges over which a change became visible), in that order. A
//! replicate that stopped early has no rows after its last step.
//!
//! ```text
//! replicate,step,measure,value
//! 0,0,sitting,0.9
//! 0,0,standing,0.1
//! 0,0,booing,0
//! 0,0,changes,0
//! 0,0,exposures,0
//! 0,1,sitting,0.75
//! ...
//! ```
//!
//! `summary.csv`: one row per replicate; the columns are the scalar fields of
//! [`ReplicateResult`] in declaration order, `outcome` by name (`fixed_point`, `cycle`,
//! `step_limit`), then the rule-specific measures ([`ReplicateResult::extra`], e.g.
//! `opinion_clusters`), one column each, sorted by name: the union over the replicates, with an
//! empty cell where a replicate lacks one.
//!
//! ```text
//! replicate,outcome,cycle_period,steps,initial_standing,final_sitting,final_standing,final_booing,peak_booing,peak_booing_step,cascade_size,conformers,suppressed,information_efficiency,edge_visits
//! 0,fixed_point,0,1,0.1,0.7,0.3,0,0,0,2,0.2,0,0.8,17
//! ```
//!
//! `rows.csv` (theater graphs only): the final share standing in each row, row 0 = the front.
//!
//! ```text
//! replicate,row,standing
//! 0,0,0.85
//! 0,1,0.8
//! ```
//!
//! `seeds.csv` (scenarios with `[seeding]`, at most 64 seeds): each seed's reach, the agents
//! active at the end downstream of it ([`SeedReach`](crate::engine::measures::SeedReach));
//! `seed` is the dense id, `label` the original id or handle.
//!
//! ```text
//! replicate,seed,label,reach
//! 0,3,@acme,41
//! 0,17,@bob,2
//! ```
//!
//! `agents.csv` (only with `[output] agents = true`; [`write_agents`]): one row per replicate
//! and agent, by dense `id`: its `label` (original id or handle), `class`, `followers`, final
//! `action`, final felt `sentiment` (the `sentiment` rule; empty otherwise), whether it
//! `complained` (booed at the end of any step), was `answered` by the brand (empty without
//! one) and was `seeded`.
//!
//! ```text
//! replicate,id,label,class,followers,action,sentiment,complained,answered,seeded
//! 0,0,@acme,brand,812,sit,,FALSE,,FALSE
//! 0,1,@bob,fans,3,boo,-0.42,TRUE,TRUE,FALSE
//! ```

use std::fmt::Write as _;
use std::io;

use super::measures;
use crate::engine::measures::ReplicateResult;

/// Header of `summary.csv`: `replicate`, `outcome`, then the common measures
/// ([`measures::COMMON`]) in their declared order.
pub const SUMMARY_HEADER: [&str; 15] = {
    let common = measures::names(measures::COMMON);
    let mut out = [
        "replicate",
        "outcome",
        "",
        "",
        "",
        "",
        "",
        "",
        "",
        "",
        "",
        "",
        "",
        "",
        "",
    ];
    let mut i = 0;
    while i < common.len() {
        out[i + 2] = common[i];
        i += 1;
    }
    out
};

/// Header of `steps.csv`.
pub const STEPS_HEADER: [&str; 4] = ["replicate", "step", "measure", "value"];

/// Header of `rows.csv`.
pub const ROWS_HEADER: [&str; 3] = ["replicate", "row", "standing"];

/// Header of `seeds.csv`.
pub const SEEDS_HEADER: [&str; 4] = ["replicate", "seed", "label", "reach"];

/// A CSV writer with our settings: `\n` terminator, quoting only when needed (never, for our
/// fields).
fn writer(out: &mut dyn io::Write) -> csv::Writer<&mut dyn io::Write> {
    csv::WriterBuilder::new()
        .terminator(csv::Terminator::Any(b'\n'))
        .from_writer(out)
}

/// Reusable text buffers for one row's fields, so that writing allocates nothing per row.
struct Fields {
    bufs: Vec<String>,
}

impl Fields {
    fn new(n: usize) -> Fields {
        Fields {
            bufs: vec![String::new(); n],
        }
    }

    /// Clears the buffers and returns them for filling.
    fn clear(&mut self) -> &mut [String] {
        for b in &mut self.bufs {
            b.clear();
        }
        &mut self.bufs
    }

    fn write(&self, w: &mut csv::Writer<&mut dyn io::Write>) -> csv::Result<()> {
        w.write_record(&self.bufs)
    }
}

/// Writes `x` with `Display` (shortest round trip; writing into a `String` cannot fail).
fn put(buf: &mut String, x: impl std::fmt::Display) {
    let _ = write!(buf, "{x}");
}

/// Writes `steps.csv` for `results` (already in replicate order) to `out`.
/// Computes in **O(total steps)** time, allocating nothing per row.
pub fn write_steps(out: &mut dyn io::Write, results: &[&ReplicateResult]) -> csv::Result<()> {
    let mut w = StepsWriter::new(out)?;
    for r in results {
        w.replicate(r.replicate, &r.trajectory)?;
    }
    w.finish()
}

/// `steps.csv` written one replicate at a time (in replicate order), so the trajectories need
/// not be held together: [`new`](StepsWriter::new) writes the header,
/// [`replicate`](StepsWriter::replicate) one replicate's rows, [`finish`](StepsWriter::finish)
/// flushes.
pub struct StepsWriter<'a> {
    w: csv::Writer<&'a mut dyn io::Write>,
    f: Fields,
}

impl<'a> StepsWriter<'a> {
    /// Writes the header to `out`.
    pub fn new(out: &'a mut dyn io::Write) -> csv::Result<StepsWriter<'a>> {
        let mut w = writer(out);
        w.write_record(STEPS_HEADER)?;
        Ok(StepsWriter {
            w,
            f: Fields::new(4),
        })
    }

    /// Writes the rows of replicate `replicate`, whose trajectory is `trajectory`.
    pub fn replicate(
        &mut self,
        replicate: u32,
        trajectory: &[crate::engine::measures::StepRecord],
    ) -> csv::Result<()> {
        for rec in trajectory {
            for m in &measures::STEP_MEASURES {
                let b = self.f.clear();
                put(&mut b[0], replicate);
                put(&mut b[1], rec.step);
                b[2].push_str(m.name);
                m.write(rec, &mut b[3]);
                self.f.write(&mut self.w)?;
            }
        }
        Ok(())
    }

    /// Flushes what is buffered.
    pub fn finish(mut self) -> csv::Result<()> {
        self.w.flush()?;
        Ok(())
    }
}

/// The numeric per-replicate measures of `summary.csv`, in column order: every column but
/// `replicate` and `outcome` ([`measures::COMMON`]).
pub const SUMMARY_MEASURES: [&str; 13] = measures::names(measures::COMMON);

/// The names of the rule-specific measures ([`ReplicateResult::extra`]) of `results`: the
/// union over replicates, sorted. Computes in **O(replicates × extras × log extras)**.
pub fn extra_names(results: &[&ReplicateResult]) -> Vec<String> {
    let mut names: std::collections::BTreeSet<&str> = std::collections::BTreeSet::new();
    for r in results {
        names.extend(r.extra.keys().map(String::as_str));
    }
    names.into_iter().map(str::to_string).collect()
}

/// Fills `b` (at least 15 buffers, cleared) with the [`SUMMARY_HEADER`] fields of `r`, written
/// as in `summary.csv`.
pub(crate) fn put_summary(b: &mut [String], r: &ReplicateResult) {
    put(&mut b[0], r.replicate);
    b[1].push_str(r.outcome.name());
    for (b, m) in b[2..].iter_mut().zip(measures::COMMON) {
        m.write(r, b);
    }
}

/// Fills `b` (one cleared buffer per name of `extras`) with `r`'s rule-specific measures;
/// a measure `r` lacks stays empty.
pub(crate) fn put_extras(b: &mut [String], r: &ReplicateResult, extras: &[String]) {
    for (b, name) in b.iter_mut().zip(extras) {
        if let Some(v) = r.extra.get(name) {
            put(b, v);
        }
    }
}

/// Writes `summary.csv` for `results` (already in replicate order) to `out`.
pub fn write_summary(out: &mut dyn io::Write, results: &[&ReplicateResult]) -> csv::Result<()> {
    let mut w = writer(out);
    let extras = extra_names(results);
    let header: Vec<&str> = SUMMARY_HEADER
        .iter()
        .copied()
        .chain(extras.iter().map(String::as_str))
        .collect();
    w.write_record(&header)?;
    let n = SUMMARY_HEADER.len();
    let mut f = Fields::new(header.len());
    for r in results {
        let b = f.clear();
        put_summary(&mut b[..n], r);
        put_extras(&mut b[n..], r, &extras);
        f.write(&mut w)?;
    }
    w.flush()?;
    Ok(())
}

/// Writes `rows.csv` for `results` (already in replicate order) to `out`: one row per
/// replicate and theater row.
pub fn write_rows(out: &mut dyn io::Write, results: &[&ReplicateResult]) -> csv::Result<()> {
    let mut w = writer(out);
    w.write_record(ROWS_HEADER)?;
    let mut f = Fields::new(3);
    for r in results {
        for (row, share) in r.standing_by_row.iter().enumerate() {
            let b = f.clear();
            put(&mut b[0], r.replicate);
            put(&mut b[1], row);
            put(&mut b[2], share);
            f.write(&mut w)?;
        }
    }
    w.flush()?;
    Ok(())
}

/// The header of `classes.csv`.
pub const CLASSES_HEADER: [&str; 4] = ["replicate", "class", "measure", "value"];

/// Writes `classes.csv` for `results` (already in replicate order) to `out`: tidy, one row per
/// replicate, population class (in class order) and measure (`agents`, `initial_standing`,
/// `final_sitting`, `final_standing`, `final_booing`, `changed`; shares of the class).
pub fn write_classes(out: &mut dyn io::Write, results: &[&ReplicateResult]) -> csv::Result<()> {
    let mut w = writer(out);
    w.write_record(CLASSES_HEADER)?;
    for r in results {
        let replicate = r.replicate.to_string();
        for c in &r.classes {
            for (measure, value) in c.measures() {
                let value = value.to_string();
                w.write_record([
                    replicate.as_str(),
                    c.class.as_str(),
                    measure,
                    value.as_str(),
                ])?;
            }
        }
    }
    w.flush()?;
    Ok(())
}

/// The header of `agents.csv`.
pub const AGENTS_HEADER: [&str; 10] = [
    "replicate",
    "id",
    "label",
    "class",
    "followers",
    "action",
    "sentiment",
    "complained",
    "answered",
    "seeded",
];

/// Writes `agents.csv` for `results` (already in replicate order) to `out`: one row per
/// replicate (those that kept their agents, [`ReplicateResult::agents`]) and agent, by dense
/// id. Yes/no columns are `TRUE`/`FALSE`; a value that does not exist (`sentiment` under a rule
/// without one, or for an agent that feels nothing; `answered` without a brand) is an empty
/// cell. Computes in **O(replicates x agents)**.
pub fn write_agents(out: &mut dyn io::Write, results: &[&ReplicateResult]) -> csv::Result<()> {
    let mut w = writer(out);
    w.write_record(AGENTS_HEADER)?;
    let mut f = Fields::new(AGENTS_HEADER.len());
    // TRUE/FALSE: what both R's read.csv (which leaves `true` as text) and pandas read as
    // booleans.
    let yes_no = |b: bool| if b { "TRUE" } else { "FALSE" };
    for r in results {
        let Some(a) = &r.agents else { continue };
        for (i, label) in a.label.iter().enumerate() {
            let b = f.clear();
            put(&mut b[0], r.replicate);
            put(&mut b[1], i);
            b[2].push_str(label);
            let class = a
                .class
                .get(i)
                .and_then(|&c| a.class_names.get(usize::from(c)));
            b[3].push_str(class.map_or("", String::as_str));
            if let Some(n) = a.followers.get(i) {
                put(&mut b[4], n);
            }
            if let Some(&act) = a.action.get(i) {
                b[5].push_str(crate::model::Action::from_u8(act).name());
            }
            if let Some(Some(x)) = a.sentiment.as_ref().and_then(|s| s.get(i)) {
                put(&mut b[6], x);
            }
            if let Some(&c) = a.complained.get(i) {
                b[7].push_str(yes_no(c));
            }
            if let Some(&c) = a.answered.as_ref().and_then(|v| v.get(i)) {
                b[8].push_str(yes_no(c));
            }
            if let Some(&c) = a.seeded.get(i) {
                b[9].push_str(yes_no(c));
            }
            f.write(&mut w)?;
        }
    }
    w.flush()?;
    Ok(())
}

/// Writes `seeds.csv` for `results` (already in replicate order) to `out`: one row per
/// replicate and seed, in seed order.
pub fn write_seeds(out: &mut dyn io::Write, results: &[&ReplicateResult]) -> csv::Result<()> {
    let mut w = writer(out);
    w.write_record(SEEDS_HEADER)?;
    for r in results {
        for s in &r.seed_reach {
            let (replicate, seed, reach) = (
                r.replicate.to_string(),
                s.seed.to_string(),
                s.reach.to_string(),
            );
            w.write_record([
                replicate.as_str(),
                seed.as_str(),
                s.label.as_str(),
                reach.as_str(),
            ])?;
        }
    }
    w.flush()?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::measures::Outcome;
    use crate::output::fixtures::{replicate, trajectory};

    /// The text `write` produces for `results`.
    fn text(
        write: fn(&mut dyn io::Write, &[&ReplicateResult]) -> csv::Result<()>,
        results: &[ReplicateResult],
    ) -> String {
        let refs: Vec<&ReplicateResult> = results.iter().collect();
        let mut out = Vec::new();
        write(&mut out, &refs).expect("writing to memory cannot fail");
        String::from_utf8(out).expect("CSV is UTF-8")
    }

    /// Asserts that `write` turns `results` into exactly `expected`.
    fn check(
        write: fn(&mut dyn io::Write, &[&ReplicateResult]) -> csv::Result<()>,
        results: &[ReplicateResult],
        expected: &str,
    ) {
        assert_eq!(text(write, results), expected);
    }

    fn two() -> Vec<ReplicateResult> {
        let mut a = replicate(0);
        a.trajectory = trajectory(&[0.1, 0.25]);
        a.trajectory[1].booing = 0.05;
        a.trajectory[1].sitting = 0.7;
        let mut b = replicate(1);
        b.outcome = Outcome::Cycle;
        b.cycle_period = 2;
        b.final_standing = 1.0 / 3.0;
        b.edge_visits = 12_345_678_901;
        b.standing_by_row = vec![0.85, 0.8];
        vec![a, b]
    }

    #[test]
    fn steps_format() {
        check(
            write_steps,
            &two(),
            "replicate,step,measure,value\n\
             0,0,sitting,0.9\n\
             0,0,standing,0.1\n\
             0,0,booing,0\n\
             0,0,changes,0\n\
             0,0,exposures,0\n\
             0,1,sitting,0.7\n\
             0,1,standing,0.25\n\
             0,1,booing,0.05\n\
             0,1,changes,3\n\
             0,1,exposures,7\n\
             1,0,sitting,0.9\n\
             1,0,standing,0.1\n\
             1,0,booing,0\n\
             1,0,changes,0\n\
             1,0,exposures,0\n",
        );
    }

    #[test]
    fn summary_format() {
        check(
            write_summary,
            &two(),
            "replicate,outcome,cycle_period,steps,initial_standing,final_sitting,final_standing,\
             final_booing,peak_booing,peak_booing_step,cascade_size,conformers,suppressed,\
             information_efficiency,edge_visits\n\
             0,fixed_point,0,1,0.1,0.7,0.3,0,0,0,2,0.2,0,0.8,17\n\
             1,cycle,2,1,0.1,0.7,0.3333333333333333,0,0,0,2,0.2,0,0.8,12345678901\n",
        );
    }

    #[test]
    fn summary_has_extra_columns_sorted_with_empty_cells() {
        let mut rs = two();
        rs[0].extra.insert("opinion_clusters".into(), 3.0);
        rs[0].extra.insert("ever_infected".into(), 0.25);
        rs[1].extra.insert("opinion_clusters".into(), 2.0);
        let text = text(write_summary, &rs);
        let mut lines = text.lines();
        assert!(
            lines
                .next()
                .expect("header")
                .ends_with(",edge_visits,ever_infected,opinion_clusters")
        );
        assert!(lines.next().expect("row 0").ends_with(",17,0.25,3"));
        assert!(lines.next().expect("row 1").ends_with(",12345678901,,2"));
        let refs: Vec<&ReplicateResult> = rs.iter().collect();
        assert_eq!(extra_names(&refs), ["ever_infected", "opinion_clusters"]);
        assert_eq!(measures::value(&rs[1], "ever_infected"), None);
        assert_eq!(measures::value(&rs[1], "opinion_clusters"), Some(2.0));
        assert_eq!(
            measures::value(&rs[1], "edge_visits"),
            Some(12_345_678_901.0)
        );
        // Every numeric column of the header can be read by name.
        for m in SUMMARY_MEASURES {
            assert!(measures::value(&rs[0], m).is_some(), "{m}");
            assert!(SUMMARY_HEADER.contains(&m));
        }
    }

    #[test]
    fn agents_format() {
        use crate::engine::AgentResults;
        let mut rs = two();
        rs[0].agents = Some(AgentResults {
            label: vec!["@a,b".into(), "7".into(), "@c".into()],
            class_names: vec!["fans".into(), "critics".into()],
            class: vec![0, 1, 1],
            followers: vec![2, 0, 1],
            action: vec![1, 0, 2],
            sentiment: Some(vec![Some(0.5), None, Some(-0.25)]),
            complained: vec![false, true, true],
            answered: None,
            seeded: vec![true, false, false],
        });
        // Replicate 1 kept no agents: no rows.
        check(
            write_agents,
            &rs,
            "replicate,id,label,class,followers,action,sentiment,complained,answered,seeded\n\
             0,0,\"@a,b\",fans,2,stand,0.5,FALSE,,TRUE\n\
             0,1,7,critics,0,sit,,TRUE,,FALSE\n\
             0,2,@c,critics,1,boo,-0.25,TRUE,,FALSE\n",
        );
    }

    #[test]
    fn rows_format() {
        check(
            write_rows,
            &two(),
            "replicate,row,standing\n1,0,0.85\n1,1,0.8\n",
        );
    }

    #[test]
    fn summary_columns_are_the_scalar_fields_in_order() {
        // serde writes struct fields in declaration order; the scalar ones (not arrays, not the
        // `extra` map, whose entries become columns of their own) must be exactly
        // SUMMARY_HEADER, so a field added to ReplicateResult fails here until the table has it.
        let json = serde_json::to_string(&replicate(0)).expect("json");
        let value: serde_json::Value = serde_json::from_str(&json).expect("json");
        let object = value.as_object().expect("a struct is an object");
        let mut scalars: Vec<(usize, &str)> = object
            .iter()
            .filter(|(_, v)| !v.is_array() && !v.is_object())
            .map(|(k, _)| {
                let at = json.find(&format!("\"{k}\":")).expect("key is in the text");
                (at, k.as_str())
            })
            .collect();
        scalars.sort();
        let names: Vec<&str> = scalars.into_iter().map(|(_, k)| k).collect();
        assert_eq!(names, SUMMARY_HEADER);
    }

    #[test]
    fn floats_round_trip() {
        let tricky = [
            0.1 + 0.2,
            1.0 / 3.0,
            2.0 / 3.0,
            1e-300,
            5e-324,
            0.999_999_999_999_999_9,
            123_456_789.123_456_78,
            f64::MAX,
            -0.0,
        ];
        let mut results = Vec::new();
        for (i, &x) in tricky.iter().enumerate() {
            let mut r = replicate(i as u32);
            r.final_standing = x;
            r.trajectory = trajectory(&[x]);
            results.push(r);
        }
        let summary = text(write_summary, &results);
        let mut reader = csv::Reader::from_reader(summary.as_bytes());
        let read: Vec<f64> = reader
            .records()
            .map(|rec| {
                let rec = rec.expect("valid CSV");
                rec[6].parse::<f64>().expect("a float")
            })
            .collect();
        assert_eq!(read.len(), tricky.len());
        for (a, b) in read.iter().zip(tricky) {
            assert_eq!(a.to_bits(), b.to_bits(), "{a} != {b}");
        }
        // Display never uses an exponent, which every CSV reader parses.
        assert!(!summary.contains("e-") && !summary.contains("e+"));
    }
}
