//! Watts' (2002) cascade window, the full reproduction: runs the cells, writes
//! `results/validation/watts/cells.csv` and draws `window.png`/`window.svg`.
//!
//! D. J. Watts, "A simple model of global cascades on random networks", PNAS 99(9):5766-5771,
//! 2002, Fig. 1: threshold phi = 0.18 on undirected Erdos-Renyi graphs of N = 10^4 nodes, one
//! random seed node; the frequency of global cascades and their mean size against the mean
//! degree z. The scenario is `scenarios/validation/watts-window.toml`; each cell sets
//! `graph.p = z / (N - 1)` and runs the scenario's replicates (a new graph and seed node
//! each) through `ovation::runner::run_one`, as `ovation run` would, in parallel.
//!
//! The same cells are the scenario's `[sweep]` table, so `ovation sweep` can run them instead
//! and this example only summarises its `sweep.csv` (`--from-sweep DIR`); both give the same
//! `cells.csv` and plot, since a cell's replicate `r` has the same streams either way.
//!
//! ```sh
//! ovation sweep scenarios/validation/watts-window.toml --out runs/watts-window --force
//! cargo run --release --example watts_window -- --from-sweep runs/watts-window
//! cargo run --release --example watts_window                  # runs the cells itself
//! cargo run --release --example watts_window -- --replicates 100 --out runs/w   # quicker
//! ```
//!
//! Output, in `--out` (default `results/validation/watts`):
//! - `cells.csv`: one row per z: `z,p,replicates,global,frequency,frequency_low,
//!   frequency_high,mean_global_size,size_low,size_high,mean_share,giant_component,
//!   theory_frequency,in_window` (Wilson 95% interval of the frequency, Student t 95%
//!   interval of the mean size of the global cascades, the ER giant component S(z), the
//!   branching-process probability of a global cascade, and whether z is inside Watts'
//!   window);
//! - `replicates.csv`: `z,replicate,final_share`, one row per cascade;
//! - `window.png` and `window.svg`: the figure;
//! - `run.txt`: the window's boundaries, the cut, the cells, threads and wall time.
//!
//! A cascade is global when its final active share is above
//! [`GLOBAL_CUT`](ovation::analysis::watts::GLOBAL_CUT) = 0.1.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::{Context, bail};
use plotters::prelude::*;
use plotters::style::{FontStyle, register_font};
use rayon::prelude::*;

use ovation::analysis::watts::{
    GLOBAL_CUT, GlobalCascades, Inequality, Window, er_cascade_probability, er_cascade_window,
    er_giant_component,
};
use ovation::runner::run_one;
use ovation::scenario::load;

/// The mean degrees of the cells: Watts' range 1..10, denser near the upper boundary.
const ZS: [f64; 12] = [1.0, 1.5, 2.0, 3.0, 4.0, 5.0, 5.5, 6.0, 6.5, 7.0, 8.0, 10.0];
/// The threshold of the scenario (checked against the file).
const PHI: f64 = 0.18;
/// DejaVu Sans, as in the run plots (assets/README.md).
static FONT: &[u8] = include_bytes!("../assets/DejaVuSans.ttf");

struct Args {
    out: PathBuf,
    replicates: u32,
    n: u32,
    from_sweep: Option<PathBuf>,
}

fn args() -> anyhow::Result<Args> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut a = Args {
        out: root.join("results/validation/watts"),
        replicates: 600,
        n: 10_000,
        from_sweep: None,
    };
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        let value = it.next().with_context(|| format!("{flag} needs a value"))?;
        match flag.as_str() {
            "--out" => a.out = PathBuf::from(value),
            "--replicates" => a.replicates = value.parse()?,
            "--n" => a.n = value.parse()?,
            "--from-sweep" => a.from_sweep = Some(PathBuf::from(value)),
            _ => bail!(
                "unknown flag {flag}: expected --out DIR, --replicates R, --n N or --from-sweep DIR"
            ),
        }
    }
    Ok(a)
}

/// One cell's results.
struct Cell {
    z: f64,
    p: f64,
    shares: Vec<f64>,
    summary: GlobalCascades,
}

fn main() -> anyhow::Result<()> {
    let mut a = args()?;
    let window = er_cascade_window(PHI, Inequality::AtLeast).expect("phi = 0.18 has a window");
    let start = Instant::now();
    let (cells, how) = match &a.from_sweep {
        Some(dir) => {
            let cells = read_sweep(dir, a.n)?;
            a.replicates = cells.first().map_or(0, |c| c.shares.len() as u32);
            (cells, sweep_timing(dir)?)
        }
        None => {
            let cells = run_cells(&a)?;
            let how = format!(
                "run by examples/watts_window.rs; threads: {}; wall time: {:.1} s",
                rayon::current_num_threads(),
                start.elapsed().as_secs_f64()
            );
            (cells, how)
        }
    };
    for c in &cells {
        let s = &c.summary;
        eprintln!(
            "z = {:>4}: {:>3}/{} global ({:.3}), mean global size {:.4}, S = {:.4}",
            c.z,
            s.global,
            s.replicates,
            s.frequency.mean,
            s.mean_size.mean,
            er_giant_component(c.z)
        );
    }
    let seconds = start.elapsed().as_secs_f64();
    std::fs::create_dir_all(&a.out)?;
    write_tables(&a, &cells, window, &how)?;
    draw(&a.out, &cells, window, a.n)?;
    eprintln!("{seconds:.1} s; wrote {}", a.out.display());
    Ok(())
}

/// Runs every cell through `ovation::runner`, replicates in parallel.
fn run_cells(a: &Args) -> anyhow::Result<Vec<Cell>> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/validation/watts-window.toml");
    let mut cells = Vec::new();
    for z in ZS {
        let p = z / f64::from(a.n - 1);
        let overrides = vec![
            format!("graph.n={}", a.n),
            format!("graph.p={p}"),
            format!("replicates={}", a.replicates),
        ];
        let scenario = load(&path, &overrides).map_err(|e| anyhow::anyhow!("{e}"))?;
        let shares = (0..a.replicates)
            .into_par_iter()
            .map(|r| run_one(&scenario, None, r).map(|res| res.final_standing))
            .collect::<anyhow::Result<Vec<f64>>>()?;
        cells.push(Cell::new(z, p, shares));
    }
    Ok(cells)
}

/// Reads `sweep.csv` of an `ovation sweep` of the scenario: the final shares of each cell
/// (one per value of `graph.p`, in cell order), with `z = p (n - 1)`.
fn read_sweep(dir: &Path, n: u32) -> anyhow::Result<Vec<Cell>> {
    let file = dir.join("sweep.csv");
    let mut reader =
        csv::Reader::from_path(&file).with_context(|| format!("{}", file.display()))?;
    let header = reader.headers()?.clone();
    let column = |name: &str| {
        header
            .iter()
            .position(|h| h == name)
            .with_context(|| format!("{}: no column {name}", file.display()))
    };
    let (p_col, share_col) = (column("graph.p")?, column("final_standing")?);
    let mut cells: Vec<(f64, Vec<f64>)> = Vec::new();
    for row in reader.records() {
        let row = row?;
        let p: f64 = row[p_col].parse()?;
        let share: f64 = row[share_col].parse()?;
        match cells.last_mut() {
            Some((q, shares)) if *q == p => shares.push(share),
            _ => cells.push((p, vec![share])),
        }
    }
    Ok(cells
        .into_iter()
        .map(|(p, shares)| {
            // p was written as z / (n - 1); undo it to the z of the file's comment.
            let z = (p * f64::from(n - 1) * 1e9).round() / 1e9;
            Cell::new(z, p, shares)
        })
        .collect())
}

/// How the sweep in `dir` ran, from its `manifest.json`: threads, start and end.
fn sweep_timing(dir: &Path) -> anyhow::Result<String> {
    let file = dir.join("manifest.json");
    let text = std::fs::read_to_string(&file).with_context(|| format!("{}", file.display()))?;
    let m: serde_json::Value = serde_json::from_str(&text)?;
    Ok(format!(
        "run by ovation sweep ({}); threads: {}; started {}, finished {}",
        m["program"].as_str().unwrap_or("?"),
        m["threads"],
        m["started"].as_str().unwrap_or("?"),
        m["finished"].as_str().unwrap_or("?"),
    ))
}

impl Cell {
    fn new(z: f64, p: f64, shares: Vec<f64>) -> Cell {
        let summary = GlobalCascades::from_shares(&shares, GLOBAL_CUT);
        Cell {
            z,
            p,
            shares,
            summary,
        }
    }
}

/// A CSV number: `NaN` (no global cascade) as an empty field.
fn num(x: f64) -> String {
    if x.is_nan() {
        String::new()
    } else {
        format!("{x}")
    }
}

fn write_tables(a: &Args, cells: &[Cell], w: Window, how: &str) -> anyhow::Result<()> {
    let mut csv = String::from(
        "z,p,replicates,global,frequency,frequency_low,frequency_high,mean_global_size,\
         size_low,size_high,mean_share,giant_component,theory_frequency,in_window\n",
    );
    let mut reps = String::from("z,replicate,final_share\n");
    for c in cells {
        let s = &c.summary;
        writeln!(
            csv,
            "{},{},{},{},{},{},{},{},{},{},{},{},{},{}",
            c.z,
            c.p,
            s.replicates,
            s.global,
            num(s.frequency.mean),
            num(s.frequency.ci_low),
            num(s.frequency.ci_high),
            num(s.mean_size.mean),
            num(s.mean_size.ci_low),
            num(s.mean_size.ci_high),
            num(s.mean_share),
            er_giant_component(c.z),
            er_cascade_probability(c.z, PHI, Inequality::AtLeast),
            w.lower < c.z && c.z < w.upper
        )?;
        for (r, share) in c.shares.iter().enumerate() {
            writeln!(reps, "{},{r},{share}", c.z)?;
        }
    }
    std::fs::write(a.out.join("cells.csv"), csv)?;
    std::fs::write(a.out.join("replicates.csv"), reps)?;
    let run = format!(
        "Watts (2002) cascade window, scenarios/validation/watts-window.toml\n\
         N = {}, phi = {PHI}, one random seed, a new graph per replicate\n\
         window (Watts' cascade condition, ER): {:.4} < z < {:.4}\n\
         global cascade: final active share > {GLOBAL_CUT}\n\
         cells: {} values of z x {} replicates = {} cascades\n\
         {how}\n",
        a.n,
        w.lower,
        w.upper,
        cells.len(),
        a.replicates,
        cells.len() as u64 * u64::from(a.replicates),
    );
    std::fs::write(a.out.join("run.txt"), run)?;
    Ok(())
}

/// A vertical error bar from `low` to `high` at `x`, with caps.
fn error_bar(x: f64, low: f64, high: f64, colour: RGBColor) -> PathElement<(f64, f64)> {
    let cap = 0.06;
    PathElement::new(
        vec![
            (x - cap, low),
            (x + cap, low),
            (x, low),
            (x, high),
            (x - cap, high),
            (x + cap, high),
        ],
        colour.stroke_width(2),
    )
}

const FREQ: RGBColor = RGBColor(0, 114, 178);
const SIZE: RGBColor = RGBColor(213, 94, 0);
const GIANT: RGBColor = RGBColor(120, 120, 120);

fn draw(dir: &Path, cells: &[Cell], w: Window, n: u32) -> anyhow::Result<()> {
    register_font("sans-serif", FontStyle::Normal, FONT)
        .map_err(|_| anyhow::anyhow!("the embedded font could not be loaded"))?;
    let size = (1000, 650);
    let png = dir.join("window.png");
    {
        let root = BitMapBackend::new(&png, size).into_drawing_area();
        plot(root, cells, w, n).map_err(|e| anyhow::anyhow!("{}: {e}", png.display()))?;
    }
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, size).into_drawing_area();
        plot(root, cells, w, n).map_err(|e| anyhow::anyhow!("window.svg: {e}"))?;
    }
    std::fs::write(dir.join("window.svg"), svg)?;
    Ok(())
}

fn plot<DB: DrawingBackend>(
    root: DrawingArea<DB, plotters::coord::Shift>,
    cells: &[Cell],
    w: Window,
    n: u32,
) -> Result<(), String>
where
    DB::ErrorType: 'static,
{
    let e = |x: DrawingAreaErrorKind<DB::ErrorType>| x.to_string();
    let reps = cells.first().map_or(0, |c| c.summary.replicates);
    root.fill(&WHITE).map_err(e)?;
    let title = format!(
        "Watts (2002) cascade window: ER graphs, N = {n}, phi = {PHI}, one random seed, {reps} runs per z"
    );

    let mut chart = ChartBuilder::on(&root)
        .caption(title, ("sans-serif", 22))
        .margin(15)
        .x_label_area_size(50)
        .y_label_area_size(60)
        .build_cartesian_2d(0.0f64..10.5, 0.0f64..1.05)
        .map_err(e)?;
    chart
        .configure_mesh()
        .x_desc("mean degree z")
        .y_desc("frequency / size of global cascades")
        .axis_desc_style(("sans-serif", 18))
        .label_style(("sans-serif", 15))
        .light_line_style(WHITE)
        .draw()
        .map_err(e)?;

    // Theory: the window's boundaries, the giant component and the cascade probability.
    for (i, b) in [w.lower, w.upper].into_iter().enumerate() {
        let s = chart
            .draw_series(DashedLineSeries::new(
                vec![(b, 0.0), (b, 1.05)],
                6,
                4,
                BLACK.stroke_width(2),
            ))
            .map_err(e)?;
        if i == 0 {
            s.label(format!(
                "window from the cascade condition: {:.3} < z < {:.3}",
                w.lower, w.upper
            ))
            .legend(|(x, y)| PathElement::new(vec![(x, y), (x + 20, y)], BLACK.stroke_width(2)));
        }
    }
    let grid: Vec<f64> = (0..=1050).map(|i| f64::from(i) / 100.0).collect();
    chart
        .draw_series(LineSeries::new(
            grid.iter().map(|&z| (z, er_giant_component(z))),
            GIANT.stroke_width(2),
        ))
        .map_err(e)?
        .label("giant component S = 1 - exp(-z S)")
        .legend(|(x, y)| PathElement::new(vec![(x, y), (x + 20, y)], GIANT.stroke_width(2)));
    chart
        .draw_series(DashedLineSeries::new(
            grid.iter()
                .map(|&z| (z, er_cascade_probability(z, PHI, Inequality::AtLeast))),
            5,
            3,
            FREQ.stroke_width(2),
        ))
        .map_err(e)?
        .label("P(global), branching process (infinite N)")
        .legend(|(x, y)| PathElement::new(vec![(x, y), (x + 20, y)], FREQ.stroke_width(2)));

    // Measured: frequency (circles, 95% Wilson bars) and mean size of global cascades
    // (squares, 95% t bars).
    chart
        .draw_series(cells.iter().map(|c| {
            let f = &c.summary.frequency;
            error_bar(c.z, f.ci_low, f.ci_high, FREQ)
        }))
        .map_err(e)?;
    chart
        .draw_series(
            cells
                .iter()
                .map(|c| Circle::new((c.z, c.summary.frequency.mean), 6, FREQ.filled())),
        )
        .map_err(e)?
        .label("frequency of global cascades (share > 0.1), 95% CI")
        .legend(|(x, y)| Circle::new((x + 10, y), 6, FREQ.filled()));
    let with_global: Vec<&Cell> = cells.iter().filter(|c| c.summary.global > 0).collect();
    chart
        .draw_series(
            with_global
                .iter()
                .filter(|c| c.summary.global > 1)
                .map(|c| {
                    let m = &c.summary.mean_size;
                    error_bar(c.z, m.ci_low, m.ci_high, SIZE)
                }),
        )
        .map_err(e)?;
    chart
        .draw_series(with_global.iter().map(|c| {
            let (x, y) = (c.z, c.summary.mean_size.mean);
            Rectangle::new(
                [(x - 0.07, y - 0.016), (x + 0.07, y + 0.016)],
                SIZE.stroke_width(2),
            )
        }))
        .map_err(e)?
        .label("mean size of global cascades, 95% CI")
        .legend(|(x, y)| Rectangle::new([(x + 4, y - 5), (x + 16, y + 5)], SIZE.stroke_width(2)));

    chart
        .configure_series_labels()
        .position(SeriesLabelPosition::MiddleRight)
        .background_style(WHITE.mix(0.9))
        .border_style(BLACK)
        .label_font(("sans-serif", 15))
        .draw()
        .map_err(e)?;
    root.present().map_err(e)?;
    Ok(())
}
