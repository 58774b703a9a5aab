//! Bounded confidence, the reproductions: Deffuant et al. (2000) and Hegselmann and Krause
//! (2002) on complete graphs, from `scenarios/validation/deffuant.toml` and `hk.toml`
//! (overriding `model.d` / `model.eps` per cell, replicates run through
//! `ovation::runner::run_one` in parallel, as `ovation run` would).
//!
//! Writes to `results/validation/` (or the folder given):
//! - `deffuant/clusters.csv`: `d,floor_1_over_2d,replicates,major_mean,major_min,major_max,
//!   clusters_mean,clusters_min,clusters_max` (major: at least 10% of the agents);
//! - `deffuant/clusters.png/svg`: major and all clusters against d, with floor(1/(2d));
//! - `deffuant/trajectory.png/svg`: every agent's opinion against time (steps of N encounters)
//!   for d = 0.2 and d = 0.3, replicate 0, like the paper's Fig. 1-2;
//! - `hk/clusters.csv`: `eps,replicates,clusters_mean,clusters_min,clusters_max,major_mean,
//!   consensus_share,steps_mean`;
//! - `hk/clusters.png/svg`: clusters against eps (log scale);
//! - `deffuant/run.txt`, `hk/run.txt`: the figures quoted in the README sections.
//!
//! ```sh
//! cargo run --release --example opinion_validation [-- OUT_DIR]
//! ```

use std::fmt::Write as _;
use std::path::PathBuf;

use anyhow::anyhow;
use plotters::prelude::*;
use plotters::style::{FontStyle, register_font};
use rayon::prelude::*;

use ovation::engine::RuleSpec;
use ovation::engine::rules::opinion::{deffuant_step, initial_opinions};
use ovation::runner::{agents_for, load_graph, run_one};
use ovation::scenario::{Scenario, load};

/// DejaVu Sans, as in the run plots (assets/README.md).
static FONT: &[u8] = include_bytes!("../assets/DejaVuSans.ttf");

const DS: [f64; 8] = [0.5, 0.4, 0.3, 0.25, 0.2, 0.15, 0.12, 0.1];

fn e<E: std::fmt::Display>(x: E) -> anyhow::Error {
    anyhow!("{x}")
}

/// Extras `names` of every replicate of `s`.
fn extras(s: &Scenario, names: &[&str]) -> anyhow::Result<Vec<Vec<f64>>> {
    let graph = load_graph(s, None)?;
    Ok((0..s.replicates)
        .into_par_iter()
        .map(|r| {
            let res = run_one(s, Some(&graph), r).expect("runs");
            let mut v: Vec<f64> = names.iter().map(|n| res.extra[*n]).collect();
            v.push(f64::from(res.steps));
            v
        })
        .collect())
}

fn stats(v: &[f64]) -> (f64, f64, f64) {
    let mean = v.iter().sum::<f64>() / v.len() as f64;
    let min = v.iter().copied().fold(f64::INFINITY, f64::min);
    let max = v.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    (mean, min, max)
}

/// Draws `$body` (with the drawing area bound to `$r`) into `$dir/$stem.png` and `.svg`.
macro_rules! both {
    ($dir:expr, $stem:expr, $size:expr, |$r:ident| $body:expr) => {{
        let png = $dir.join(format!("{}.png", $stem));
        {
            let area = BitMapBackend::new(&png, $size).into_drawing_area();
            let $r = &area;
            $body?;
            area.present().map_err(e)?;
        }
        let svg = $dir.join(format!("{}.svg", $stem));
        {
            let area = SVGBackend::new(&svg, $size).into_drawing_area();
            let $r = &area;
            $body?;
            area.present().map_err(e)?;
        }
    }};
}

/// Clusters against a bound: mean with min-max bars for each measured series, and a reference
/// curve.
#[allow(clippy::type_complexity, clippy::too_many_arguments)]
fn draw_clusters<DB: DrawingBackend>(
    root: &DrawingArea<DB, plotters::coord::Shift>,
    title: &str,
    xdesc: &str,
    xrange: (f64, f64),
    ymax: f64,
    log_y: bool,
    series: &[(&str, RGBColor, Vec<(f64, f64, f64, f64)>)],
    reference: Option<(&str, Vec<(f64, f64)>)>,
) -> anyhow::Result<()>
where
    DB::ErrorType: 'static,
{
    root.fill(&WHITE).map_err(e)?;
    let mut builder = ChartBuilder::on(root);
    builder
        .caption(title, ("sans-serif", 21))
        .margin(15)
        .x_label_area_size(45)
        .y_label_area_size(55);
    macro_rules! body {
        ($chart:expr) => {{
            let mut chart = $chart;
            chart
                .configure_mesh()
                .x_desc(xdesc)
                .y_desc("number of final opinion clusters")
                .label_style(("sans-serif", 15))
                .axis_desc_style(("sans-serif", 17))
                .draw()
                .map_err(e)?;
            if let Some((name, pts)) = &reference {
                let style = ShapeStyle::from(BLACK).stroke_width(2);
                chart
                    .draw_series(LineSeries::new(pts.clone(), style))
                    .map_err(e)?
                    .label(*name)
                    .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 20, y)], style));
            }
            for (name, color, pts) in series {
                let color = *color;
                chart
                    .draw_series(pts.iter().map(|&(x, _, lo, hi)| {
                        PathElement::new(vec![(x, lo), (x, hi)], color.stroke_width(1))
                    }))
                    .map_err(e)?;
                chart
                    .draw_series(
                        pts.iter()
                            .map(|&(x, m, _, _)| Circle::new((x, m), 5, color.filled())),
                    )
                    .map_err(e)?
                    .label(*name)
                    .legend(move |(x, y)| Circle::new((x + 10, y), 5, color.filled()));
            }
            chart
                .configure_series_labels()
                .position(SeriesLabelPosition::UpperRight)
                .background_style(WHITE.mix(0.9))
                .border_style(BLACK)
                .label_font(("sans-serif", 15))
                .draw()
                .map_err(e)?;
        }};
    }
    if log_y {
        body!(
            builder
                .build_cartesian_2d(xrange.0..xrange.1, (0.8f64..ymax).log_scale())
                .map_err(e)?
        );
    } else {
        body!(
            builder
                .build_cartesian_2d(xrange.0..xrange.1, 0f64..ymax)
                .map_err(e)?
        );
    }
    Ok(())
}

/// Opinions of every agent at each step (Deffuant, replicate 0 of `s`).
fn trajectory(s: &Scenario, steps: u32) -> anyhow::Result<Vec<Vec<f64>>> {
    let RuleSpec::Deffuant(p) = &s.model else {
        return Err(anyhow!("not deffuant"));
    };
    let graph = load_graph(s, None)?;
    let agents = agents_for(s, &graph, 0)?;
    let key = ovation::rng::replicate_key(s.seed, 0);
    let mut x = initial_opinions(graph.node_count(), key, &p.initial, p.scale);
    let mut out = vec![x.clone()];
    for step in 1..=steps {
        deffuant_step(
            graph.source_adjacency(),
            &agents.fixed,
            p,
            key,
            step,
            &mut x,
        );
        out.push(x.clone());
    }
    Ok(out)
}

fn draw_trajectory<DB: DrawingBackend>(
    root: &DrawingArea<DB, plotters::coord::Shift>,
    panels: &[(f64, Vec<Vec<f64>>)],
) -> anyhow::Result<()>
where
    DB::ErrorType: 'static,
{
    root.fill(&WHITE).map_err(e)?;
    let areas = root.split_evenly((1, panels.len()));
    for (area, (d, traj)) in areas.iter().zip(panels) {
        let steps = traj.len() - 1;
        let mut chart = ChartBuilder::on(area)
            .caption(
                format!("Deffuant, N = 1000, d = {d}, mu = 0.5"),
                ("sans-serif", 19),
            )
            .margin(12)
            .x_label_area_size(45)
            .y_label_area_size(50)
            .build_cartesian_2d(0f64..steps as f64, 0f64..1f64)
            .map_err(e)?;
        chart
            .configure_mesh()
            .x_desc("time (steps of N = 1000 random encounters)")
            .y_desc("opinion x")
            .label_style(("sans-serif", 14))
            .axis_desc_style(("sans-serif", 15))
            .draw()
            .map_err(e)?;
        let color = RGBColor(0, 114, 178).mix(0.35);
        for (t, xs) in traj.iter().enumerate() {
            chart
                .draw_series(
                    xs.iter()
                        .map(|&v| Circle::new((t as f64, v), 1, color.filled())),
                )
                .map_err(e)?;
        }
    }
    Ok(())
}

fn main() -> anyhow::Result<()> {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let out = std::env::args()
        .nth(1)
        .map(PathBuf::from)
        .unwrap_or_else(|| root.join("results/validation"));
    register_font("sans-serif", FontStyle::Normal, FONT).map_err(|_| anyhow!("font"))?;
    let scen = |file: &str, set: &[String]| {
        load(&root.join("scenarios/validation").join(file), set).map_err(e)
    };

    // Deffuant: clusters against d.
    let ddir = out.join("deffuant");
    std::fs::create_dir_all(&ddir)?;
    let mut csv = String::from(
        "d,floor_1_over_2d,replicates,major_mean,major_min,major_max,clusters_mean,clusters_min,clusters_max\n",
    );
    let mut txt = String::new();
    let (mut major, mut all) = (Vec::new(), Vec::new());
    for d in DS {
        let s = scen("deffuant.toml", &[format!("model.d={d}")])?;
        let v = extras(&s, &["major_clusters", "opinion_clusters"])?;
        let m: Vec<f64> = v.iter().map(|r| r[0]).collect();
        let a: Vec<f64> = v.iter().map(|r| r[1]).collect();
        let (mm, ml, mh) = stats(&m);
        let (am, al, ah) = stats(&a);
        let floor = (1.0 / (2.0 * d)).floor();
        writeln!(
            csv,
            "{d},{floor},{},{mm:.3},{ml},{mh},{am:.3},{al},{ah}",
            m.len()
        )?;
        let hist = |v: &[f64]| {
            let mut h = std::collections::BTreeMap::new();
            for x in v {
                *h.entry(*x as i64).or_insert(0) += 1;
            }
            format!("{h:?}")
        };
        writeln!(
            txt,
            "d = {d}: floor(1/(2d)) = {floor}; major clusters (>= 10%) mean {mm:.2}, counts {}; all clusters mean {am:.2}, counts {}",
            hist(&m),
            hist(&a)
        )?;
        major.push((d, mm, ml, mh));
        all.push((d, am, al, ah));
    }
    std::fs::write(ddir.join("clusters.csv"), &csv)?;
    std::fs::write(ddir.join("run.txt"), &txt)?;
    print!("{txt}");
    let floor_curve: Vec<(f64, f64)> = (0..=460)
        .map(|k| {
            let d = 0.09 + k as f64 * 0.001;
            (d, (1.0 / (2.0 * d)).floor())
        })
        .collect();
    let series = vec![
        (
            "major clusters (>= 10% of agents)",
            RGBColor(0, 114, 178),
            major,
        ),
        ("all clusters", RGBColor(213, 94, 0), all),
    ];
    both!(ddir, "clusters", (900, 600), |r| {
        draw_clusters(
            r,
            "Deffuant et al. (2000): final clusters, N = 1000, mu = 0.5 (20 replicates, min-max)",
            "confidence bound d",
            (0.08, 0.55),
            9.0,
            false,
            &series,
            Some(("floor(1 / (2d))", floor_curve.clone())),
        )
    });
    let panels = vec![
        (
            0.3,
            trajectory(&scen("deffuant.toml", &["model.d=0.3".into()])?, 40)?,
        ),
        (
            0.2,
            trajectory(&scen("deffuant.toml", &["model.d=0.2".into()])?, 40)?,
        ),
    ];
    both!(ddir, "trajectory", (1300, 560), |r| draw_trajectory(
        r, &panels
    ));

    // Hegselmann-Krause: clusters against eps.
    let hdir = out.join("hk");
    std::fs::create_dir_all(&hdir)?;
    let mut csv = String::from(
        "eps,replicates,clusters_mean,clusters_min,clusters_max,major_mean,consensus_share,steps_mean\n",
    );
    let mut txt = String::new();
    let (mut allh, mut majh) = (Vec::new(), Vec::new());
    for k in 1..=40 {
        let eps = f64::from(k) / 100.0;
        let s = scen("hk.toml", &[format!("model.eps={eps}")])?;
        let v = extras(&s, &["opinion_clusters", "major_clusters"])?;
        let c: Vec<f64> = v.iter().map(|r| r[0]).collect();
        let m: Vec<f64> = v.iter().map(|r| r[1]).collect();
        let st: Vec<f64> = v.iter().map(|r| r[2]).collect();
        let (cm, cl, ch) = stats(&c);
        let (mm, ml, mh) = stats(&m);
        let consensus = c.iter().filter(|&&x| x == 1.0).count() as f64 / c.len() as f64;
        let (sm, _, _) = stats(&st);
        writeln!(
            csv,
            "{eps},{},{cm:.3},{cl},{ch},{mm:.3},{consensus:.3},{sm:.1}",
            c.len()
        )?;
        writeln!(
            txt,
            "eps = {eps}: clusters mean {cm:.2} (min {cl}, max {ch}), major mean {mm:.2}, consensus in {:.0}% of replicates, mean steps {sm:.1}",
            consensus * 100.0
        )?;
        allh.push((eps, cm, cl, ch));
        majh.push((eps, mm, ml, mh));
    }
    std::fs::write(hdir.join("clusters.csv"), &csv)?;
    std::fs::write(hdir.join("run.txt"), &txt)?;
    print!("{txt}");
    // Major clusters (>= 10%) mean little when eps is small (every cluster is smaller): they
    // stay in clusters.csv; the plot shows all clusters against the 1/(2 eps) reference.
    let _ = majh;
    let series = vec![("all clusters", RGBColor(213, 94, 0), allh)];
    let reference: Vec<(f64, f64)> = (0..=390)
        .map(|k| {
            let eps = 0.01 + f64::from(k) * 0.001;
            (eps, 1.0 / (2.0 * eps))
        })
        .collect();
    both!(hdir, "clusters", (900, 600), |r| {
        draw_clusters(
            r,
            "Hegselmann-Krause (2002): final clusters, N = 500 (10 replicates, min-max)",
            "confidence bound eps",
            (0.0, 0.41),
            80.0,
            true,
            &series,
            Some(("1 / (2 eps), for reference", reference.clone())),
        )
    });
    Ok(())
}
