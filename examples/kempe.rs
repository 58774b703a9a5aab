//! Kempe, Kleinberg and Tardos (2003), Figs. 1 and 3 on email-Eu-core: the spread of k seeds
//! (k = 1..30) chosen by greedy (CELF), high degree (top followers), degree discount,
//! PageRank and at random, under the independent cascade (p = 0.01) and the linear threshold
//! model.
//!
//! Regenerate (about two minutes on 2 cores):
//!
//! ```text
//! cargo run --release --example kempe [-- REPLICATES [OUT [SCENARIO_DIR]]]
//! ```
//!
//! It loads `kempe-ic.toml` and `kempe-lt.toml` from SCENARIO_DIR (default
//! `scenarios/validation`), computes each method's
//! ranking once (the seeds for k are the first k of the ranking for 30; `random` draws k new
//! seeds in every replicate), runs REPLICATES (default 1000) replicates of the scenario's rule
//! for every (method, k) through `ovation::runner::run_one`, and writes to OUT (default
//! `results/validation/kempe`): `spread.csv` (rule, method, k, mean, standard error,
//! replicates), `picks.csv` (each method's ranking), and `kempe-ic.png/svg`,
//! `kempe-lt.png/svg` (mean spread against k, one line per method, with +-1.96 SE bars).

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use anyhow::Context;
use plotters::prelude::*;
use plotters::style::{FontStyle, register_font};
use rayon::prelude::*;

use ovation::engine::RuleSpec;
use ovation::model::cascade::{EdgeProbability, LtWeights};
use ovation::runner::{load_graph, run_one};
use ovation::scenario::{self, Scenario};
use ovation::strategy::seeding::select_in_order;
use ovation::strategy::{SeedContext, SeedMethod, SeedingSpec};

static FONT: &[u8] = include_bytes!("../assets/DejaVuSans.ttf");

const K_MAX: u32 = 30;

/// Methods in legend order, with their colours (Okabe-Ito).
const METHODS: [(&str, RGBColor); 5] = [
    ("greedy (CELF)", RGBColor(213, 94, 0)),
    ("degree discount", RGBColor(204, 121, 167)),
    ("high degree", RGBColor(0, 114, 178)),
    ("PageRank", RGBColor(0, 158, 115)),
    ("random", RGBColor(120, 120, 120)),
];

struct Row {
    method: usize,
    k: u32,
    mean: f64,
    se: f64,
}

fn method_spec(i: usize, k: u32, scenario: &Scenario) -> SeedMethod {
    let samples = match &scenario.seeding {
        Some(SeedingSpec {
            method: SeedMethod::Celf { samples, .. },
        }) => *samples,
        _ => 1000,
    };
    match i {
        0 => SeedMethod::Celf { k, samples },
        1 => SeedMethod::DegreeDiscount { k, p: 0.01 },
        2 => SeedMethod::TopFollowers { k },
        3 => SeedMethod::Pagerank { k, damping: 0.85 },
        _ => SeedMethod::Random { k },
    }
}

fn run_rule(
    file: &Path,
    replicates: u32,
    picks_out: &mut String,
    tag: &str,
) -> anyhow::Result<(Vec<Row>, String)> {
    let mut scenario = scenario::load(file, &[]).map_err(|e| anyhow::anyhow!("{e}"))?;
    let graph = load_graph(&scenario, None)?;
    let graph_name = match &scenario.graph {
        ovation::scenario::GraphSource::File { path, .. } => {
            let name = path
                .file_name()
                .map_or(String::new(), |f| f.to_string_lossy().into_owned());
            name.trim_end_matches(".gz")
                .trim_end_matches(".txt")
                .to_string()
        }
        ovation::scenario::GraphSource::Generator { spec, .. } => spec.name().to_string(),
    };
    let rule = match &scenario.model {
        RuleSpec::IndependentCascade(p) => match p.probability {
            EdgeProbability::Constant(p) => format!("Independent cascade, p = {p}"),
            EdgeProbability::InverseInDegree => "Independent cascade, p = 1/in-degree".into(),
            EdgeProbability::EdgeWeights => "Independent cascade, p = edge weights".into(),
        },
        RuleSpec::LinearThreshold(p) => match p.weights {
            LtWeights::Uniform => "Linear threshold, uniform weights".into(),
            LtWeights::EdgeWeights => "Linear threshold, edge weights".into(),
        },
        other => other.name().to_string(),
    };
    let graph_name = format!("{rule} ({graph_name}, {} agents)", graph.node_count());
    let n = f64::from(graph.node_count());
    let mut rows = Vec::new();
    for (m, (name, _)) in METHODS.iter().enumerate() {
        let order = if m < 4 {
            let spec = SeedingSpec {
                method: method_spec(m, K_MAX, &scenario),
            };
            let ctx = SeedContext {
                graph: &graph,
                rule: &scenario.model,
                seed: scenario.seed,
                key: 0,
            };
            let t = std::time::Instant::now();
            let order = select_in_order(&spec, &ctx).map_err(|e| anyhow::anyhow!(e))?;
            eprintln!(
                "{tag} {}: ranked in {:.1} s",
                name,
                t.elapsed().as_secs_f64()
            );
            let ids: Vec<String> = order.iter().map(|v| v.to_string()).collect();
            writeln!(picks_out, "{tag},{},{}", name, ids.join(" "))?;
            Some(order)
        } else {
            None
        };
        for k in 1..=K_MAX {
            scenario.seeding = Some(SeedingSpec {
                method: match &order {
                    Some(o) => SeedMethod::Nodes {
                        nodes: o[..k as usize]
                            .iter()
                            .map(|&v| ovation::graph::handles::NodeRef::Id(v))
                            .collect(),
                    },
                    None => SeedMethod::Random { k },
                },
            });
            let xs: Vec<f64> = (0..replicates)
                .into_par_iter()
                .map(|r| run_one(&scenario, Some(&graph), r).map(|res| res.final_standing * n))
                .collect::<anyhow::Result<_>>()?;
            let mean = xs.iter().sum::<f64>() / xs.len() as f64;
            let var = xs.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (xs.len() as f64 - 1.0);
            rows.push(Row {
                method: m,
                k,
                mean,
                se: (var / xs.len() as f64).sqrt(),
            });
        }
    }
    Ok((rows, graph_name))
}

fn draw<DB: DrawingBackend>(
    root: DrawingArea<DB, plotters::coord::Shift>,
    rows: &[Row],
    title: &str,
) -> anyhow::Result<()>
where
    DB::ErrorType: 'static,
{
    root.fill(&WHITE)?;
    let ymax = rows.iter().map(|r| r.mean + 2.0 * r.se).fold(0.0, f64::max) * 1.05;
    let mut chart = ChartBuilder::on(&root)
        .caption(title, ("sans-serif", 22))
        .margin(16)
        .x_label_area_size(48)
        .y_label_area_size(64)
        .build_cartesian_2d(0f64..(f64::from(K_MAX) + 1.0), 0f64..ymax)?;
    chart
        .configure_mesh()
        .x_desc("number of seeds k")
        .y_desc("mean active agents at the end")
        .label_style(("sans-serif", 15))
        .axis_desc_style(("sans-serif", 17))
        .light_line_style(RGBColor(235, 235, 235))
        .x_label_formatter(&|x| format!("{x:.0}"))
        .y_label_formatter(&|y| format!("{y:.0}"))
        .draw()?;
    for (m, (name, colour)) in METHODS.iter().enumerate() {
        let pts: Vec<(f64, f64)> = rows
            .iter()
            .filter(|r| r.method == m)
            .map(|r| (f64::from(r.k), r.mean))
            .collect();
        chart
            .draw_series(LineSeries::new(pts.clone(), colour.stroke_width(2)))?
            .label(*name)
            .legend(move |(x, y)| PathElement::new([(x, y), (x + 20, y)], colour.stroke_width(3)));
        chart.draw_series(pts.iter().map(|&p| Circle::new(p, 3, colour.filled())))?;
        chart.draw_series(rows.iter().filter(|r| r.method == m).map(|r| {
            let x = f64::from(r.k);
            PathElement::new(
                [(x, r.mean - 1.96 * r.se), (x, r.mean + 1.96 * r.se)],
                colour.stroke_width(1),
            )
        }))?;
    }
    chart
        .configure_series_labels()
        .position(SeriesLabelPosition::LowerRight)
        .background_style(WHITE.mix(0.9))
        .border_style(BLACK)
        .label_font(("sans-serif", 16))
        .draw()?;
    root.present()?;
    Ok(())
}

fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().collect();
    let replicates: u32 = args
        .get(1)
        .map_or(Ok(1000), |a| a.parse())
        .context("REPLICATES")?;
    let out = PathBuf::from(
        args.get(2)
            .map_or("results/validation/kempe", |s| s.as_str()),
    );
    std::fs::create_dir_all(&out)?;
    register_font("sans-serif", FontStyle::Normal, FONT).map_err(|_| anyhow::anyhow!("font"))?;
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let dir = args
        .get(3)
        .map_or(root.join("scenarios/validation"), PathBuf::from);
    let mut csv = String::from("rule,method,k,mean,se,replicates\n");
    let mut picks = String::from("rule,method,ranking (dense ids, best first)\n");
    for (tag, file) in [("ic", "kempe-ic.toml"), ("lt", "kempe-lt.toml")] {
        let (rows, graph_name) = run_rule(&dir.join(file), replicates, &mut picks, tag)?;
        let title = graph_name.as_str();
        for r in &rows {
            writeln!(
                csv,
                "{tag},{},{},{:.4},{:.4},{replicates}",
                METHODS[r.method].0, r.k, r.mean, r.se
            )?;
        }
        for k in [1, 5, 10, 20, 30] {
            let line: Vec<String> = rows
                .iter()
                .filter(|r| r.k == k)
                .map(|r| {
                    format!(
                        "{} {:.1} +- {:.1}",
                        METHODS[r.method].0,
                        r.mean,
                        1.96 * r.se
                    )
                })
                .collect();
            println!("{tag} k = {k}: {}", line.join("; "));
        }
        let png = out.join(format!("kempe-{tag}.png"));
        draw(
            BitMapBackend::new(&png, (900, 600)).into_drawing_area(),
            &rows,
            title,
        )?;
        let svg = out.join(format!("kempe-{tag}.svg"));
        draw(
            SVGBackend::new(&svg, (900, 600)).into_drawing_area(),
            &rows,
            title,
        )?;
    }
    std::fs::write(out.join("spread.csv"), csv)?;
    std::fs::write(out.join("picks.csv"), picks)?;
    Ok(())
}
