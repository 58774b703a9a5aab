//! Bass (1969) diffusion, the reproduction: runs `scenarios/validation/bass.toml` (complete
//! graph), `bass-ba.toml` (Barabasi-Albert follower graph) and `bass-email.toml` (the real
//! email-Eu-core graph), and writes to `results/validation/bass/` (or the folder given):
//!
//! - `curves.csv`: `step,bass,exact,complete,complete_low,complete_high,ba,ba_low,ba_high,
//!   email,email_low,email_high`: the Bass difference equation `F(t+1) = F + (p + q F)(1 - F)`,
//!   the exact expectation on the complete graph (the adopter count's Markov chain propagated
//!   in full, see `tests/it/bass.rs`), and each graph's mean adoption share over replicates
//!   with its Student t 95% interval (a replicate that stopped early keeps its final share);
//! - `complete.png/svg`: the complete graph against the equation;
//! - `networks.png/svg`: how the follower graphs bend the curve;
//! - `run.txt`: the figures quoted in the README section.
//!
//! ```sh
//! cargo run --release --example bass_validation [-- OUT_DIR]
//! ```

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use anyhow::Context;
use plotters::prelude::*;
use plotters::style::{FontStyle, register_font};
use rayon::prelude::*;

use ovation::engine::RuleSpec;
use ovation::runner::{load_graph, run_one};
use ovation::scenario::{Scenario, load};

/// DejaVu Sans, as in the run plots (assets/README.md).
static FONT: &[u8] = include_bytes!("../assets/DejaVuSans.ttf");

/// Mean curve and 95% half-width per step 0..=steps.
fn curve(s: &Scenario) -> anyhow::Result<(Vec<f64>, Vec<f64>)> {
    let graph = load_graph(s, None)?;
    let steps = s.stop.max_steps as usize;
    let runs: Vec<Vec<f64>> = (0..s.replicates)
        .into_par_iter()
        .map(|r| {
            let res = run_one(s, Some(&graph), r).expect("runs");
            let mut f: Vec<f64> = res.trajectory.iter().map(|x| x.standing).collect();
            let last = *f.last().expect("step 0");
            f.resize(steps + 1, last);
            f
        })
        .collect();
    let k = runs.len() as f64;
    let mut mean = Vec::new();
    let mut half = Vec::new();
    for t in 0..=steps {
        let m = runs.iter().map(|f| f[t]).sum::<f64>() / k;
        let v = runs.iter().map(|f| (f[t] - m).powi(2)).sum::<f64>() / (k - 1.0);
        mean.push(m);
        half.push(1.984 * (v / k).sqrt()); // t(0.975, 99) for 100 replicates
    }
    Ok((mean, half))
}

fn pq(s: &Scenario) -> (f64, f64) {
    match &s.model {
        RuleSpec::Bass(b) => (b.p, b.q),
        _ => panic!("not a bass scenario"),
    }
}

/// The Bass difference equation from F(0) = 0.
fn bass(p: f64, q: f64, steps: usize) -> Vec<f64> {
    let mut f = vec![0.0];
    for t in 0..steps {
        let x = f[t];
        f.push(x + (p + q * x) * (1.0 - x));
    }
    f
}

/// E[A(t)] / n on the complete graph of n agents (the Markov chain in full).
fn exact(p: f64, q: f64, n: usize, steps: usize) -> Vec<f64> {
    let mut ln_fact = vec![0.0f64; n + 1];
    for k in 1..=n {
        ln_fact[k] = ln_fact[k - 1] + (k as f64).ln();
    }
    let mut dist = vec![0.0f64; n + 1];
    dist[0] = 1.0;
    let mut out = vec![0.0];
    for _ in 0..steps {
        let mut next = vec![0.0f64; n + 1];
        for (a, &w) in dist.iter().enumerate() {
            if w < 1e-300 {
                continue;
            }
            let pi = (p + q * a as f64 / (n - 1) as f64).min(1.0);
            let m = n - a;
            for k in 0..=m {
                let pmf = if pi >= 1.0 {
                    f64::from(u8::from(k == m))
                } else {
                    (ln_fact[m] - ln_fact[k] - ln_fact[m - k]
                        + k as f64 * pi.ln()
                        + (m - k) as f64 * (1.0 - pi).ln())
                    .exp()
                };
                next[a + k] += w * pmf;
            }
        }
        dist = next;
        out.push(
            dist.iter()
                .enumerate()
                .map(|(a, w)| a as f64 * w)
                .sum::<f64>()
                / n as f64,
        );
    }
    out
}

type Series<'a> = (&'a str, RGBColor, &'a [f64], Option<&'a [f64]>, bool);

fn draw<DB: DrawingBackend>(
    root: DrawingArea<DB, plotters::coord::Shift>,
    title: &str,
    series: &[Series<'_>],
) -> anyhow::Result<()>
where
    DB::ErrorType: 'static,
{
    root.fill(&WHITE).map_err(|e| anyhow::anyhow!("{e}"))?;
    let steps = series[0].2.len() - 1;
    let mut chart = ChartBuilder::on(&root)
        .caption(title, ("sans-serif", 22))
        .margin(15)
        .x_label_area_size(45)
        .y_label_area_size(60)
        .build_cartesian_2d(0f64..steps as f64, 0f64..1.02f64)
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    chart
        .configure_mesh()
        .x_desc("step t")
        .y_desc("share adopted F(t)")
        .label_style(("sans-serif", 15))
        .axis_desc_style(("sans-serif", 17))
        .draw()
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    for &(name, color, mean, half, dashed) in series {
        if let Some(h) = half {
            let upper: Vec<(f64, f64)> = mean
                .iter()
                .zip(h)
                .enumerate()
                .map(|(t, (m, h))| (t as f64, m + h))
                .collect();
            let lower: Vec<(f64, f64)> = mean
                .iter()
                .zip(h)
                .enumerate()
                .map(|(t, (m, h))| (t as f64, m - h))
                .rev()
                .collect();
            let poly: Vec<(f64, f64)> = upper.into_iter().chain(lower).collect();
            chart
                .draw_series(std::iter::once(Polygon::new(
                    poly,
                    color.mix(0.25).filled(),
                )))
                .map_err(|e| anyhow::anyhow!("{e}"))?;
        }
        let pts: Vec<(f64, f64)> = mean
            .iter()
            .enumerate()
            .map(|(t, &m)| (t as f64, m))
            .collect();
        let style = ShapeStyle::from(color).stroke_width(2);
        if dashed {
            chart
                .draw_series(DashedLineSeries::new(pts.clone(), 8, 5, style))
                .map_err(|e| anyhow::anyhow!("{e}"))?
                .label(name)
                .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 20, y)], style));
        } else {
            chart
                .draw_series(LineSeries::new(pts.clone(), style))
                .map_err(|e| anyhow::anyhow!("{e}"))?
                .label(name)
                .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 20, y)], style));
            chart
                .draw_series(pts.iter().map(|&p| Circle::new(p, 3, color.filled())))
                .map_err(|e| anyhow::anyhow!("{e}"))?;
        }
    }
    chart
        .configure_series_labels()
        .position(SeriesLabelPosition::LowerRight)
        .background_style(WHITE.mix(0.9))
        .border_style(BLACK)
        .label_font(("sans-serif", 15))
        .draw()
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    root.present().map_err(|e| anyhow::anyhow!("{e}"))?;
    Ok(())
}

fn plot(dir: &Path, stem: &str, title: &str, series: &[Series<'_>]) -> anyhow::Result<()> {
    let png = dir.join(format!("{stem}.png"));
    draw(
        BitMapBackend::new(&png, (900, 600)).into_drawing_area(),
        title,
        series,
    )?;
    let svg = dir.join(format!("{stem}.svg"));
    draw(
        SVGBackend::new(&svg, (900, 600)).into_drawing_area(),
        title,
        series,
    )?;
    Ok(())
}

fn main() -> anyhow::Result<()> {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let out = std::env::args()
        .nth(1)
        .map(PathBuf::from)
        .unwrap_or_else(|| root.join("results/validation/bass"));
    std::fs::create_dir_all(&out)?;
    register_font("sans-serif", FontStyle::Normal, FONT).map_err(|_| anyhow::anyhow!("font"))?;
    let scen = |f: &str| {
        load(&root.join("scenarios/validation").join(f), &[])
            .map_err(|e| anyhow::anyhow!("{e}"))
            .with_context(|| f.to_string())
    };
    let complete = scen("bass.toml")?;
    let ba = scen("bass-ba.toml")?;
    let email = scen("bass-email.toml")?;
    let (p, q) = pq(&complete);
    let steps = complete.stop.max_steps as usize;
    let n = load_graph(&complete, None)?.node_count() as usize;
    let eq = bass(p, q, steps);
    let ex = exact(p, q, n, steps);
    let (cm, ch) = curve(&complete)?;
    let (bm, bh) = curve(&ba)?;
    let (em, eh) = curve(&email)?;

    let mut csv = String::from(
        "step,bass,exact,complete,complete_low,complete_high,ba,ba_low,ba_high,email,email_low,email_high\n",
    );
    for t in 0..=steps {
        writeln!(
            csv,
            "{t},{:.6},{:.6},{:.6},{:.6},{:.6},{:.6},{:.6},{:.6},{:.6},{:.6},{:.6}",
            eq[t],
            ex[t],
            cm[t],
            cm[t] - ch[t],
            cm[t] + ch[t],
            bm[t],
            bm[t] - bh[t],
            bm[t] + bh[t],
            em[t],
            em[t] - eh[t],
            em[t] + eh[t]
        )?;
    }
    std::fs::write(out.join("curves.csv"), csv)?;

    let max_dev = |a: &[f64], b: &[f64]| {
        a.iter()
            .zip(b)
            .enumerate()
            .map(|(t, (x, y))| ((x - y).abs(), t))
            .fold((0.0, 0), |m, v| if v.0 > m.0 { v } else { m })
    };
    let first_half = |f: &[f64]| f.iter().position(|&x| x >= 0.5).unwrap_or(usize::MAX);
    let mut txt = String::new();
    writeln!(
        txt,
        "p = {p}, q = {q}, complete graph N = {n}, {} replicates each",
        complete.replicates
    )?;
    let (d, t) = max_dev(&cm, &eq);
    writeln!(
        txt,
        "complete: max |mean - Bass equation| = {d:.4} at step {t}"
    )?;
    let (d, t) = max_dev(&cm, &ex);
    writeln!(
        txt,
        "complete: max |mean - exact expectation| = {d:.4} at step {t}"
    )?;
    let (d, t) = max_dev(&ex, &eq);
    writeln!(
        txt,
        "exact expectation vs Bass equation: max difference {d:.4} at step {t}"
    )?;
    let (d, t) = max_dev(&bm, &eq);
    writeln!(
        txt,
        "barabasi_albert: max |mean - Bass equation| = {d:.4} at step {t}"
    )?;
    let (d, t) = max_dev(&em, &eq);
    writeln!(
        txt,
        "email-Eu-core: max |mean - Bass equation| = {d:.4} at step {t}"
    )?;
    for (name, f) in [
        ("Bass equation", &eq),
        ("complete", &cm),
        ("barabasi_albert", &bm),
        ("email-Eu-core", &em),
    ] {
        writeln!(
            txt,
            "{name}: F(5) = {:.3}, F(10) = {:.3}, F({steps}) = {:.3}, first step with F >= 0.5: {}",
            f[5],
            f[10],
            f[steps],
            first_half(f)
        )?;
    }
    std::fs::write(out.join("run.txt"), &txt)?;
    print!("{txt}");

    plot(
        &out,
        "complete",
        &format!("Bass (1969) on a complete graph, N = {n}, p = {p}, q = {q}"),
        &[
            (
                "simulated mean, 95% CI (100 replicates)",
                RGBColor(0, 114, 178),
                &cm,
                Some(&ch),
                false,
            ),
            ("exact expectation (Markov chain)", BLACK, &ex, None, true),
            (
                "Bass equation F(t+1) = F + (p + qF)(1 - F)",
                RGBColor(213, 94, 0),
                &eq,
                None,
                true,
            ),
        ],
    )?;
    plot(
        &out,
        "networks",
        &format!("Bass on follower graphs (p = {p}, q = {q}, 95% CI bands)"),
        &[
            (
                "complete graph, N = 2000",
                RGBColor(0, 114, 178),
                &cm,
                Some(&ch),
                false,
            ),
            (
                "Barabasi-Albert, N = 2000, m = 3",
                RGBColor(0, 158, 115),
                &bm,
                Some(&bh),
                false,
            ),
            (
                "email-Eu-core (1005 nodes)",
                RGBColor(204, 121, 167),
                &em,
                Some(&eh),
                false,
            ),
            ("Bass equation", RGBColor(213, 94, 0), &eq, None, true),
        ],
    )?;
    Ok(())
}
