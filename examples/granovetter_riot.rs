//! Granovetter's riot (American Journal of Sociology 83(6), 1978), both crowds on one figure:
//! runs `scenarios/validation/granovetter-riot.toml` (thresholds 0, 1, ..., 99: all riot) and
//! `granovetter-riot-perturbed.toml` (the threshold-1 agent made a 2: one riots) through
//! `ovation::runner::run_one`, as `ovation run` does, and writes into
//! `results/validation/granovetter/` (or `--out DIR`):
//!
//! - `riot.csv`: `step,rioters,rioters_perturbed` (number of agents rioting after each step;
//!   a crowd that has stopped keeps its last count);
//! - `riot.png` and `riot.svg`: the two counts against the step.
//!
//! ```sh
//! cargo run --release --example granovetter_riot
//! ```

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use anyhow::{Context, bail};
use plotters::prelude::*;
use plotters::style::{FontStyle, register_font};

use ovation::runner::{load_graph, run_one};
use ovation::scenario::load;

/// DejaVu Sans, as in the run plots (assets/README.md).
static FONT: &[u8] = include_bytes!("../assets/DejaVuSans.ttf");
const ORIGINAL: RGBColor = RGBColor(213, 94, 0);
const PERTURBED: RGBColor = RGBColor(0, 114, 178);

/// The number of rioters after each step of the scenario `file`'s replicate 0.
fn rioters(file: &str) -> anyhow::Result<Vec<u32>> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("scenarios/validation")
        .join(file);
    let s = load(&path, &[]).map_err(|e| anyhow::anyhow!("{e}"))?;
    let graph = load_graph(&s, None)?;
    let n = f64::from(graph.node_count());
    let r = run_one(&s, Some(&graph), 0)?;
    Ok(r.trajectory
        .iter()
        .map(|t| (t.standing * n).round() as u32)
        .collect())
}

fn main() -> anyhow::Result<()> {
    let mut out = Path::new(env!("CARGO_MANIFEST_DIR")).join("results/validation/granovetter");
    let mut args = std::env::args().skip(1);
    while let Some(flag) = args.next() {
        match flag.as_str() {
            "--out" => out = PathBuf::from(args.next().context("--out needs a folder")?),
            _ => bail!("unknown flag {flag}: expected --out DIR"),
        }
    }
    let original = rioters("granovetter-riot.toml")?;
    let perturbed = rioters("granovetter-riot-perturbed.toml")?;
    let steps = original.len().max(perturbed.len());
    let at = |v: &[u32], t: usize| v[t.min(v.len() - 1)];
    let mut csv = String::from("step,rioters,rioters_perturbed\n");
    for t in 0..steps {
        writeln!(csv, "{t},{},{}", at(&original, t), at(&perturbed, t))?;
    }
    std::fs::create_dir_all(&out)?;
    std::fs::write(out.join("riot.csv"), csv)?;
    register_font("sans-serif", FontStyle::Normal, FONT)
        .map_err(|_| anyhow::anyhow!("the embedded font could not be loaded"))?;
    let size = (1000, 600);
    let png = out.join("riot.png");
    {
        let root = BitMapBackend::new(&png, size).into_drawing_area();
        plot(root, &original, &perturbed).map_err(|e| anyhow::anyhow!("riot.png: {e}"))?;
    }
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, size).into_drawing_area();
        plot(root, &original, &perturbed).map_err(|e| anyhow::anyhow!("riot.svg: {e}"))?;
    }
    std::fs::write(out.join("riot.svg"), svg)?;
    eprintln!(
        "all riot: {} after {} steps; perturbed: {} after {} step(s); wrote {}",
        original.last().copied().unwrap_or(0),
        original.len() - 1,
        perturbed.last().copied().unwrap_or(0),
        perturbed.len() - 1,
        out.display()
    );
    Ok(())
}

fn plot<DB: DrawingBackend>(
    root: DrawingArea<DB, plotters::coord::Shift>,
    original: &[u32],
    perturbed: &[u32],
) -> Result<(), String>
where
    DB::ErrorType: 'static,
{
    let e = |x: DrawingAreaErrorKind<DB::ErrorType>| x.to_string();
    root.fill(&WHITE).map_err(e)?;
    let last = original.len().max(perturbed.len()) as f64 - 1.0;
    let mut chart = ChartBuilder::on(&root)
        .caption(
            "Granovetter (1978): 100 agents, thresholds 0, 1, ..., 99, complete graph",
            ("sans-serif", 22),
        )
        .margin(15)
        .x_label_area_size(50)
        .y_label_area_size(60)
        .build_cartesian_2d(0.0..last + 2.0, 0.0f64..105.0)
        .map_err(e)?;
    chart
        .configure_mesh()
        .x_desc("step")
        .y_desc("agents rioting")
        .axis_desc_style(("sans-serif", 18))
        .label_style(("sans-serif", 15))
        .light_line_style(WHITE)
        .x_label_formatter(&|x| format!("{x:.0}"))
        .y_label_formatter(&|y| format!("{y:.0}"))
        .draw()
        .map_err(e)?;
    // The perturbed crowd stops after one step; its count is carried to the last step.
    let carried = |v: &[u32]| -> Vec<(f64, f64)> {
        (0..=last as usize)
            .map(|t| (t as f64, f64::from(v[t.min(v.len() - 1)])))
            .collect()
    };
    chart
        .draw_series(LineSeries::new(carried(original), ORIGINAL.stroke_width(3)))
        .map_err(e)?
        .label("thresholds 0, 1, 2, ..., 99: all 100 riot, one more each step")
        .legend(|(x, y)| PathElement::new(vec![(x, y), (x + 20, y)], ORIGINAL.stroke_width(3)));
    chart
        .draw_series(LineSeries::new(
            carried(perturbed),
            PERTURBED.stroke_width(3),
        ))
        .map_err(e)?
        .label("thresholds 0, 2, 2, 3, ..., 99: only the instigator riots")
        .legend(|(x, y)| PathElement::new(vec![(x, y), (x + 20, y)], PERTURBED.stroke_width(3)));
    chart
        .draw_series(std::iter::once(Text::new(
            "1 rioter from step 1 on: nobody else has a threshold of 1",
            (42.0, 4.5),
            ("sans-serif", 15).into_font().color(&PERTURBED),
        )))
        .map_err(e)?;
    chart
        .configure_series_labels()
        .position(SeriesLabelPosition::UpperLeft)
        .background_style(WHITE.mix(0.9))
        .border_style(BLACK)
        .label_font(("sans-serif", 15))
        .draw()
        .map_err(e)?;
    root.present().map_err(e)?;
    Ok(())
}
