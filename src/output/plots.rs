//! The plots of a run, each written as PNG (for slides) and SVG (for the report).
//!
//! - `shares.png/svg`: mean share of agents standing, sitting and (when anyone ever booed)
//!   booing at each step, with the 95% confidence band of the mean shaded; the numbers are
//!   `stats.json`'s `by_step`, so replicates that stopped early carry their final state forward.
//!   With a `[time]` table the x axis is real time since the start ([`TimeAxis`]), else steps.
//! - `final_standing.png/svg`: histogram of the final share standing over replicates, 20 bins
//!   of width 0.05 on `[0, 1]` (a share of exactly 1 counts in the last bin), with the mean
//!   marked.
//! - `seat_map.png/svg` (theater graphs only): each seat coloured by the share of replicates in
//!   which it ends standing (viridis scale, legend on the right). Row 0 is the front row,
//!   nearest the stage, and is drawn at the top, under a "stage" band.
//!
//! Text is drawn with DejaVu Sans embedded in the binary (`assets/DejaVuSans.ttf`), registered
//! once as plotters' `sans-serif`, so PNGs look the same on every machine and need no system
//! fonts. Each file is rendered to a temporary name and renamed (see
//! [`super::folder::write_atomic`]).

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};
use plotters::style::{FontStyle, register_font};

use super::OutputError;
use super::aggregate::{RunStats, StepStats};
use super::folder::{AtomicFile, write_atomic};
use super::time_axis::TimeAxis;
use crate::engine::measures::ReplicateResult;
use crate::scenario::time::TimeSpec;
use crate::stats::Summary;

/// DejaVu Sans, see `assets/README.md` for its origin and licence.
static FONT: &[u8] = include_bytes!("../../assets/DejaVuSans.ttf");

/// Whether registering [`FONT`] succeeded; set once.
static FONT_OK: OnceLock<bool> = OnceLock::new();

/// Registers the embedded font as `sans-serif` (once per process).
fn ensure_font(path: &Path) -> Result<(), OutputError> {
    let ok = *FONT_OK.get_or_init(|| register_font("sans-serif", FontStyle::Normal, FONT).is_ok());
    if ok {
        Ok(())
    } else {
        Err(OutputError::Plot {
            path: path.into(),
            message: "the embedded font assets/DejaVuSans.ttf could not be loaded".into(),
        })
    }
}

/// Font family of every text.
pub(crate) const FONT_FAMILY: &str = "sans-serif";
/// Colours of the three actions, used in every plot (Okabe-Ito, safe for colour blindness).
const STANDING: RGBColor = RGBColor(0, 158, 115);
const SITTING: RGBColor = RGBColor(0, 114, 178);
const BOOING: RGBColor = RGBColor(213, 94, 0);
/// Histogram bars.
const BAR: RGBColor = RGBColor(86, 180, 233);
/// Number of histogram bins on `[0, 1]`.
const BINS: usize = 20;

/// Result of a drawing function; the error is plotters' message.
pub(crate) type Drawn = Result<(), String>;

/// Turns any plotters error into its message.
pub(crate) fn msg<E: std::fmt::Display>(e: E) -> String {
    e.to_string()
}

/// Draws with `draw` into `<dir>/<stem>.png` and `<dir>/<stem>.svg`, both atomically, and
/// returns the two paths.
pub(crate) fn render<F, G>(
    dir: &Path,
    stem: &str,
    size: (u32, u32),
    png: F,
    svg: G,
) -> Result<[PathBuf; 2], OutputError>
where
    F: FnOnce(DrawingArea<BitMapBackend<'_>, Shift>) -> Drawn,
    G: FnOnce(DrawingArea<SVGBackend<'_>, Shift>) -> Drawn,
{
    let png_path = dir.join(format!("{stem}.png"));
    let svg_path = dir.join(format!("{stem}.svg"));
    ensure_font(&png_path)?;

    let file = AtomicFile::create(&png_path)?;
    {
        let root = BitMapBackend::new(file.temp_path(), size).into_drawing_area();
        png(root).map_err(|message| OutputError::Plot {
            path: png_path.clone(),
            message,
        })?;
    }
    file.commit()?;

    let mut text = String::new();
    {
        let root = SVGBackend::with_string(&mut text, size).into_drawing_area();
        svg(root).map_err(|message| OutputError::Plot {
            path: svg_path.clone(),
            message,
        })?;
    }
    write_atomic(&svg_path, text.as_bytes())?;
    Ok([png_path, svg_path])
}

/// Writes every plot for the run into `dir` and returns the files written.
///
/// `name` goes into the titles; `stats` must be [`super::aggregate::run_stats`] of `results`;
/// `theater` is `(rows, seats)` for a theater graph, whose replicates must then carry
/// `rows * seats` seat entries ([`OutputError::Inconsistent`] otherwise); `time` is the
/// scenario's step in real time (`[time]`), which puts the over-time axis in time units.
pub fn write_plots(
    dir: &Path,
    name: &str,
    stats: &RunStats,
    results: &[&ReplicateResult],
    theater: Option<(u32, u32)>,
    time: Option<&TimeSpec>,
) -> Result<Vec<PathBuf>, OutputError> {
    let mut written = Vec::new();
    let n = results.len();
    let replicates = if n == 1 {
        "1 replicate".to_string()
    } else {
        format!("{n} replicates")
    };

    let axis = TimeAxis::new(time, stats.by_step.last().map_or(0, |s| s.step));
    let title = format!("{name}: mean shares {} ({replicates})", axis.over());
    written.extend(render(
        dir,
        "shares",
        (1000, 620),
        |root| draw_shares(&root, &title, stats, &axis),
        |root| draw_shares(&root, &title, stats, &axis),
    )?);

    // The histogram of one declared measure, in a file named after it.
    let measure = &super::measures::FINAL_STANDING;
    let finals: Vec<f64> = results.iter().filter_map(|r| measure.value(r)).collect();
    let title = format!("{name}: final share standing ({replicates})");
    written.extend(render(
        dir,
        measure.name,
        (1000, 620),
        |root| draw_histogram(&root, &title, &finals),
        |root| draw_histogram(&root, &title, &finals),
    )?);

    if let Some((rows, seats)) = theater {
        let map =
            seat_shares(results, rows, seats).map_err(|message| OutputError::Inconsistent {
                path: dir.join("seat_map.png"),
                message,
            })?;
        let title =
            format!("{name}: share of replicates in which each seat ends standing ({replicates})");
        let layout = SeatLayout::new(rows, seats, &title);
        written.extend(render(
            dir,
            "seat_map",
            layout.size,
            |root| draw_seat_map(&root, &title, &layout, &map),
            |root| draw_seat_map(&root, &title, &layout, &map),
        )?);
    }
    Ok(written)
}

/// Share of replicates in which each seat ends standing, row-major.
fn seat_shares(results: &[&ReplicateResult], rows: u32, seats: u32) -> Result<Vec<f64>, String> {
    let cells = rows as usize * seats as usize;
    let mut counts = vec![0u64; cells];
    for r in results {
        if r.final_standing_by_seat.len() != cells {
            return Err(format!(
                "replicate {}: expected {cells} seats ({rows} rows x {seats} seats), found {}",
                r.replicate,
                r.final_standing_by_seat.len()
            ));
        }
        for (c, &s) in counts.iter_mut().zip(&r.final_standing_by_seat) {
            *c += u64::from(s == 1);
        }
    }
    let n = results.len().max(1) as f64;
    Ok(counts.into_iter().map(|c| c as f64 / n).collect())
}

/// Picks one action's summary out of a step.
type Pick = fn(&StepStats) -> &Summary;

/// Width of the legend column right of the shares plot, in pixels.
const SHARES_LEGEND: u32 = 230;

/// The mean-shares plot with confidence bands; the legend sits right of the plot so that it
/// never hides a line.
fn draw_shares<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    title: &str,
    stats: &RunStats,
    axis: &TimeAxis,
) -> Drawn {
    root.fill(&WHITE).map_err(msg)?;
    let (width, _) = root.dim_in_pixel();
    let (plot, legend) = root.split_horizontally(width.saturating_sub(SHARES_LEGEND));
    let mut chart = ChartBuilder::on(&plot)
        .caption(title, (FONT_FAMILY, 24))
        .margin(16)
        .x_label_area_size(50)
        .y_label_area_size(70)
        .build_cartesian_2d(axis.coord(), 0f64..1f64)
        .map_err(msg)?;
    chart
        .configure_mesh()
        .x_desc(axis.title())
        .x_label_formatter(&|x| axis.label(*x))
        .y_desc("share of agents")
        .axis_desc_style((FONT_FAMILY, 18))
        .label_style((FONT_FAMILY, 15))
        .max_light_lines(1)
        .light_line_style(RGBColor(240, 240, 240))
        .bold_line_style(RGBColor(215, 215, 215))
        .draw()
        .map_err(msg)?;

    let any_booing = stats.by_step.iter().any(|s| s.booing.mean > 0.0);
    let series: [(&str, RGBColor, Pick); 3] = [
        ("standing", STANDING, |s| &s.standing),
        ("sitting", SITTING, |s| &s.sitting),
        ("booing", BOOING, |s| &s.booing),
    ];
    let mut shown = Vec::new();
    for (label, colour, get) in series {
        if label == "booing" && !any_booing {
            continue;
        }
        // The band: upper edge left to right, lower edge back.
        let band: Vec<(f64, f64)> = stats
            .by_step
            .iter()
            .map(|s| (axis.at(s.step), get(s).ci_high.clamp(0.0, 1.0)))
            .chain(
                stats
                    .by_step
                    .iter()
                    .rev()
                    .map(|s| (axis.at(s.step), get(s).ci_low.clamp(0.0, 1.0))),
            )
            .collect();
        chart
            .draw_series(std::iter::once(Polygon::new(
                band,
                colour.mix(0.22).filled(),
            )))
            .map_err(msg)?;
        chart
            .draw_series(LineSeries::new(
                stats.by_step.iter().map(|s| (axis.at(s.step), get(s).mean)),
                colour.stroke_width(3),
            ))
            .map_err(msg)?;
        if stats.by_step.len() == 1 {
            // A single step draws no line or band: mark the mean and its interval instead.
            let only = &stats.by_step[0];
            let sm = get(only);
            let x = axis.at(only.step);
            chart
                .draw_series([
                    PathElement::new(
                        vec![(x, sm.ci_low), (x, sm.ci_high)],
                        colour.stroke_width(3),
                    )
                    .into_dyn(),
                    Circle::new((x, sm.mean), 6, colour.filled()).into_dyn(),
                ])
                .map_err(msg)?;
        }
        shown.push((label, colour));
    }

    // The legend: one swatch (band behind line) per action, then what line and band mean.
    let (_, ys) = chart.plotting_area().get_pixel_range();
    let (lx, ly) = legend.get_pixel_range();
    let x = 8;
    let mut y = ys.start - ly.start + 10;
    let text =
        TextStyle::from((FONT_FAMILY, 16).into_font()).pos(Pos::new(HPos::Left, VPos::Center));
    let small = TextStyle::from((FONT_FAMILY, 14).into_font())
        .color(&RGBColor(80, 80, 80))
        .pos(Pos::new(HPos::Left, VPos::Center));
    for (label, colour) in shown {
        legend
            .draw(&Rectangle::new(
                [(x, y - 9), (x + 30, y + 9)],
                colour.mix(0.22).filled(),
            ))
            .map_err(msg)?;
        legend
            .draw(&PathElement::new(
                vec![(x, y), (x + 30, y)],
                colour.stroke_width(3),
            ))
            .map_err(msg)?;
        legend
            .draw(&Text::new(label, (x + 40, y), text.clone()))
            .map_err(msg)?;
        y += 30;
    }
    y += 10;
    let level = (stats.level * 100.0).round();
    for line in [
        "line: mean over replicates".to_string(),
        format!("band: {level}% confidence"),
        "interval of the mean".to_string(),
    ] {
        legend
            .draw(&Text::new(line, (x, y), small.clone()))
            .map_err(msg)?;
        y += 20;
    }
    let _ = lx;
    root.present().map_err(msg)
}

/// The histogram of final standing shares.
fn draw_histogram<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    title: &str,
    finals: &[f64],
) -> Drawn {
    root.fill(&WHITE).map_err(msg)?;
    let mut counts = [0u32; BINS];
    for &x in finals {
        let bin = ((x * BINS as f64).floor().max(0.0) as usize).min(BINS - 1);
        counts[bin] += 1;
    }
    let top = counts.iter().copied().max().unwrap_or(0);
    // Headroom above the tallest bar for the legend.
    let y_max = (top + top.div_ceil(4)).max(1);
    let mut chart = ChartBuilder::on(root)
        .caption(title, (FONT_FAMILY, 24))
        .margin(16)
        .x_label_area_size(50)
        .y_label_area_size(70)
        .build_cartesian_2d(0f64..1f64, 0u32..y_max)
        .map_err(msg)?;
    chart
        .configure_mesh()
        .x_desc("final share standing")
        .y_desc("replicates")
        .axis_desc_style((FONT_FAMILY, 18))
        .label_style((FONT_FAMILY, 15))
        .x_labels(11)
        .disable_x_mesh()
        .max_light_lines(1)
        .light_line_style(RGBColor(240, 240, 240))
        .bold_line_style(RGBColor(215, 215, 215))
        .draw()
        .map_err(msg)?;
    let width = 1.0 / BINS as f64;
    chart
        .draw_series(
            counts
                .iter()
                .enumerate()
                .filter(|(_, c)| **c > 0)
                .map(|(b, &c)| {
                    let x0 = b as f64 * width;
                    let mut bar = Rectangle::new([(x0, 0), (x0 + width, c)], BAR.filled());
                    bar.set_margin(0, 0, 1, 1);
                    bar
                }),
        )
        .map_err(msg)?
        .label(format!("replicates per bin of width {width}"))
        .legend(|(x, y)| Rectangle::new([(x, y - 7), (x + 24, y + 7)], BAR.filled()));
    if !finals.is_empty() {
        let mean = finals.iter().sum::<f64>() / finals.len() as f64;
        chart
            .draw_series(std::iter::once(PathElement::new(
                vec![(mean, 0), (mean, y_max)],
                BLACK.stroke_width(2),
            )))
            .map_err(msg)?
            .label(format!("mean {mean:.3}"))
            .legend(|(x, y)| PathElement::new(vec![(x, y), (x + 24, y)], BLACK.stroke_width(2)));
    }
    chart
        .configure_series_labels()
        .position(SeriesLabelPosition::UpperLeft)
        .label_font((FONT_FAMILY, 15))
        .background_style(WHITE.mix(0.85))
        .border_style(RGBColor(160, 160, 160))
        .margin(12)
        .draw()
        .map_err(msg)?;
    root.present().map_err(msg)
}

/// Pixel layout of the seat map, chosen so that seats are square.
struct SeatLayout {
    rows: u32,
    seats: u32,
    /// Side of one seat in pixels.
    cell: u32,
    /// Blank pixels left of the content, to centre it under a wide title.
    pad: u32,
    /// Height of the colour scale bar: the grid's height, but at least [`MAP_MIN_BAR`] so that
    /// its rotated title fits.
    bar: u32,
    /// Canvas size.
    size: (u32, u32),
}

/// Fixed parts of the seat map layout, in pixels.
const MAP_TITLE: u32 = 50;
const MAP_TITLE_FONT: u32 = 22;
const MAP_STAGE: u32 = 44;
const MAP_LEFT: u32 = 80;
const MAP_BOTTOM: u32 = 60;
const MAP_LEGEND: u32 = 150;
const MAP_MARGIN: u32 = 16;
const MAP_MIN_BAR: u32 = 240;

impl SeatLayout {
    fn new(rows: u32, seats: u32, title: &str) -> SeatLayout {
        let rows = rows.max(1);
        let seats = seats.max(1);
        let cell = (720 / rows.max(seats)).clamp(2, 40);
        let bar = (rows * cell).max(MAP_MIN_BAR);
        let content = MAP_MARGIN + MAP_LEFT + seats * cell + MAP_LEGEND + MAP_MARGIN;
        // DejaVu Sans averages about 0.45 em per character in these titles; 0.5 leaves room.
        let title_width = title.chars().count() as u32 * MAP_TITLE_FONT / 2 + 2 * MAP_MARGIN;
        let width = content.max(title_width);
        let height = MAP_TITLE + MAP_STAGE + bar + MAP_BOTTOM + MAP_MARGIN;
        SeatLayout {
            rows,
            seats,
            cell,
            pad: (width - content) / 2,
            bar,
            size: (width, height),
        }
    }
}

/// Matplotlib's viridis at `t` in `[0, 1]`, linear between 8 stops.
pub(crate) fn viridis(t: f64) -> RGBColor {
    const STOPS: [(u8, u8, u8); 8] = [
        (68, 1, 84),
        (70, 50, 127),
        (54, 92, 141),
        (39, 127, 143),
        (31, 162, 136),
        (74, 194, 110),
        (160, 219, 57),
        (254, 232, 37),
    ];
    let x = t.clamp(0.0, 1.0) * (STOPS.len() - 1) as f64;
    let i = (x.floor() as usize).min(STOPS.len() - 2);
    let f = x - i as f64;
    let lerp = |a: u8, b: u8| (f64::from(a) + (f64::from(b) - f64::from(a)) * f).round() as u8;
    let (a, b) = (STOPS[i], STOPS[i + 1]);
    RGBColor(lerp(a.0, b.0), lerp(a.1, b.1), lerp(a.2, b.2))
}

/// The seat map: row 0 at the top under the stage, colour legend on the right.
fn draw_seat_map<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    title: &str,
    layout: &SeatLayout,
    map: &[f64],
) -> Drawn {
    root.fill(&WHITE).map_err(msg)?;
    let (rows, seats, cell) = (layout.rows, layout.seats, layout.cell);
    let body = root
        .titled(title, (FONT_FAMILY, MAP_TITLE_FONT))
        .map_err(msg)?;
    let grid_w = seats * cell;
    let grid_h = rows * cell;
    // The seats: a chart whose plotting area is exactly grid_w x grid_h pixels.
    let area = body.margin(MAP_STAGE, 0, MAP_MARGIN + layout.pad, 0);
    let (area, _) = area.split_horizontally(MAP_LEFT + grid_w);
    let (area, _) = area.split_vertically(grid_h + MAP_BOTTOM);
    let mut chart = ChartBuilder::on(&area)
        .x_label_area_size(MAP_BOTTOM)
        .y_label_area_size(MAP_LEFT)
        .build_cartesian_2d(0u32..seats, rows..0u32)
        .map_err(msg)?;
    let half = (cell / 2) as i32;
    chart
        .configure_mesh()
        .disable_mesh()
        .x_desc("seat (0 = left)")
        .y_desc("row (0 = front)")
        .axis_desc_style((FONT_FAMILY, 17))
        .label_style((FONT_FAMILY, 14))
        .x_labels(seats.min(20) as usize)
        .y_labels(rows.min(20) as usize)
        .x_label_offset(half)
        .y_label_offset(half)
        .x_label_formatter(&|x| {
            if *x < seats {
                x.to_string()
            } else {
                String::new()
            }
        })
        .y_label_formatter(&|y| {
            if *y < rows {
                y.to_string()
            } else {
                String::new()
            }
        })
        .draw()
        .map_err(msg)?;
    chart
        .draw_series((0..rows).flat_map(|r| {
            (0..seats).map(move |s| {
                let share = map[(r * seats + s) as usize];
                let mut seat = Rectangle::new([(s, r), (s + 1, r + 1)], viridis(share).filled());
                if cell >= 8 {
                    seat.set_margin(1, 1, 1, 1);
                }
                seat
            })
        }))
        .map_err(msg)?;

    // The stage: a band above row 0, as wide as the seats.
    let (xs, ys) = chart.plotting_area().get_pixel_range();
    let (rx, ry) = root.get_pixel_range();
    let (x0, x1) = (xs.start - rx.start, xs.end - rx.start);
    let y1 = ys.start - ry.start - 8;
    let y0 = y1 - (MAP_STAGE as i32 - 14);
    root.draw(&Rectangle::new(
        [(x0, y0), (x1, y1)],
        RGBColor(90, 90, 90).filled(),
    ))
    .map_err(msg)?;
    let stage = TextStyle::from((FONT_FAMILY, 18).into_font())
        .color(&WHITE)
        .pos(Pos::new(HPos::Center, VPos::Center));
    root.draw(&Text::new("stage", ((x0 + x1) / 2, (y0 + y1) / 2), stage))
        .map_err(msg)?;

    // The colour scale: a vertical bar from 0 (bottom) to 1 (top) beside the seats.
    let bar_x0 = x1 + 30;
    let bar_x1 = bar_x0 + 22;
    let top = ys.start - ry.start;
    let bottom = top + layout.bar as i32;
    let steps = 100;
    for i in 0..steps {
        let t0 = f64::from(i) / f64::from(steps);
        let t1 = f64::from(i + 1) / f64::from(steps);
        let y_hi = bottom - ((t1 * f64::from(bottom - top)).round() as i32);
        let y_lo = bottom - ((t0 * f64::from(bottom - top)).round() as i32);
        root.draw(&Rectangle::new(
            [(bar_x0, y_hi), (bar_x1, y_lo)],
            viridis((t0 + t1) / 2.0).filled(),
        ))
        .map_err(msg)?;
    }
    root.draw(&Rectangle::new(
        [(bar_x0, top), (bar_x1, bottom)],
        BLACK.stroke_width(1),
    ))
    .map_err(msg)?;
    let tick_style =
        TextStyle::from((FONT_FAMILY, 14).into_font()).pos(Pos::new(HPos::Left, VPos::Center));
    for k in 0..=4 {
        let t = f64::from(k) / 4.0;
        let y = bottom - ((t * f64::from(bottom - top)).round() as i32);
        root.draw(&PathElement::new(
            vec![(bar_x1, y), (bar_x1 + 5, y)],
            BLACK.stroke_width(1),
        ))
        .map_err(msg)?;
        root.draw(&Text::new(
            format!("{t}"),
            (bar_x1 + 8, y),
            tick_style.clone(),
        ))
        .map_err(msg)?;
    }
    let legend_title = TextStyle::from((FONT_FAMILY, 15).into_font())
        .transform(FontTransform::Rotate270)
        .pos(Pos::new(HPos::Center, VPos::Center));
    root.draw(&Text::new(
        "share of replicates standing",
        (bar_x1 + 62, (top + bottom) / 2),
        legend_title,
    ))
    .map_err(msg)?;
    root.present().map_err(msg)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::output::aggregate::run_stats;
    use crate::output::fixtures::theater_run;

    #[test]
    fn viridis_ends() {
        assert_eq!(viridis(0.0), RGBColor(68, 1, 84));
        assert_eq!(viridis(1.0), RGBColor(254, 232, 37));
        assert_eq!(viridis(2.0), RGBColor(254, 232, 37));
    }

    #[test]
    fn plots_are_written_with_titles() {
        let dir = tempfile::tempdir().expect("temp dir");
        let results = theater_run(20, 20, 20);
        let refs: Vec<&ReplicateResult> = results.iter().collect();
        let stats = run_stats(&refs, 0.95);
        let files = write_plots(
            dir.path(),
            "standing-ovation",
            &stats,
            &refs,
            Some((20, 20)),
            None,
        )
        .expect("plots");
        let names: Vec<String> = files
            .iter()
            .map(|p| {
                p.file_name()
                    .expect("a file")
                    .to_string_lossy()
                    .into_owned()
            })
            .collect();
        assert_eq!(
            names,
            [
                "shares.png",
                "shares.svg",
                "final_standing.png",
                "final_standing.svg",
                "seat_map.png",
                "seat_map.svg"
            ]
        );
        for f in &files {
            let bytes = std::fs::read(f).expect("written");
            assert!(bytes.len() > 1000, "{}: {} bytes", f.display(), bytes.len());
            if f.extension().is_some_and(|e| e == "png") {
                assert_eq!(&bytes[..8], b"\x89PNG\r\n\x1a\n", "{}", f.display());
            } else {
                let text = String::from_utf8(bytes).expect("SVG is text");
                assert!(text.contains("standing-ovation:"), "{}", f.display());
                assert!(text.contains("20 replicates"), "{}", f.display());
            }
        }
        // Only the plots are there: no temporary files.
        assert_eq!(std::fs::read_dir(dir.path()).expect("dir").count(), 6);
        if let Some(keep) = std::env::var_os("OVATION_KEEP_PLOTS") {
            for f in &files {
                let to = Path::new(&keep).join(f.file_name().expect("a file"));
                std::fs::copy(f, to).expect("copy");
            }
        }
    }

    #[test]
    fn the_shares_axis_is_real_time_with_a_time_table() {
        let dir = tempfile::tempdir().expect("temp dir");
        let results = theater_run(4, 3, 3);
        let refs: Vec<&ReplicateResult> = results.iter().collect();
        let mut stats = run_stats(&refs, 0.95);
        // 90 steps of one minute: minutes since the start, a tick every 10.
        let last = stats.by_step.last().cloned().expect("a step");
        stats.by_step = (0..=90)
            .map(|k| StepStats {
                step: k,
                ..last.clone()
            })
            .collect();
        let minute = crate::scenario::time::Duration::parse("1min").ok();
        let time = minute.and_then(TimeSpec::new);
        write_plots(dir.path(), "t", &stats, &refs, None, time.as_ref()).expect("plots");
        let svg = std::fs::read_to_string(dir.path().join("shares.svg")).expect("svg");
        assert!(svg.contains("minutes since the start"), "no time axis");
        assert!(svg.contains("t: mean shares over time"), "title");
        assert!(
            svg.contains(">\n90\n</text>") && svg.contains(">\n10\n</text>"),
            "ticks"
        );
        write_plots(dir.path(), "t", &stats, &refs, None, None).expect("plots");
        let svg = std::fs::read_to_string(dir.path().join("shares.svg")).expect("svg");
        assert!(svg.contains(">\nstep\n</text>") && svg.contains("t: mean shares over steps"));
    }

    #[test]
    fn seat_count_mismatch_names_the_file() {
        let dir = tempfile::tempdir().expect("temp dir");
        let results = theater_run(2, 3, 4);
        let refs: Vec<&ReplicateResult> = results.iter().collect();
        let stats = run_stats(&refs, 0.95);
        let err =
            write_plots(dir.path(), "t", &stats, &refs, Some((4, 4)), None).expect_err("mismatch");
        let text = err.to_string();
        assert!(
            text.contains("seat_map.png") && text.contains("expected 16 seats"),
            "{text}"
        );
    }
}
