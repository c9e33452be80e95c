//! The soak's curves as one SVG: the server's resident memory, its bytes
//! on disk and the throughput of each segment, stacked, against minutes
//! on the soak's clock (since the server answered).

use super::report::SoakRun;
use plotters::coord::Shift;
use plotters::prelude::*;

/// Width and height of the drawing, in pixels.
const SIZE: (u32, u32) = (1000, 1050);

/// The panels' titles, top to bottom.
pub const TITLES: [&str; 3] = [
    "Resident memory of the server",
    "Bytes on disk",
    "Throughput per segment",
];

/// (minutes, value) points of one line.
type Points = Vec<(f64, f64)>;

/// The SVG document of `run`'s curves.
pub fn svg(run: &SoakRun) -> Result<String, String> {
    let mut text = String::new();
    draw(&mut text, run).map_err(|e| e.to_string())?;
    Ok(text)
}

fn minutes(secs: f64) -> f64 {
    secs / 60.0
}

fn mb(bytes: u64) -> f64 {
    bytes as f64 / (1024.0 * 1024.0)
}

/// Draws the three panels into `buf` (every drawing area is dropped, and
/// the document closed, when it returns).
fn draw(buf: &mut String, run: &SoakRun) -> Result<(), DrawingAreaErrorKind<std::io::Error>> {
    let rss: Points = run
        .samples
        .iter()
        .filter(|s| s.rss_bytes > 0)
        .map(|s| (minutes(s.secs), mb(s.rss_bytes)))
        .collect();
    let disk: Points = run
        .samples
        .iter()
        .map(|s| (minutes(s.secs), mb(s.disk_bytes)))
        .collect();
    // Each segment at its middle, the peak run first.
    let throughput: Points = std::iter::once(&run.peak)
        .chain(&run.segments)
        .map(|s| {
            (
                minutes(s.start_secs + s.seconds / 2.0),
                s.lifecycles_per_second,
            )
        })
        .collect();
    let paced: Points = match (run.segments.first(), run.segments.last()) {
        (Some(first), Some(last)) => vec![
            (minutes(first.start_secs), run.target_rate),
            (minutes(last.start_secs + last.seconds), run.target_rate),
        ],
        _ => Vec::new(),
    };
    let end = run
        .samples
        .iter()
        .map(|s| s.secs)
        .chain(run.segments.iter().map(|s| s.end_secs))
        .fold(0.0, f64::max);
    let x_max = minutes(end).max(0.1);

    let root = SVGBackend::with_string(buf, SIZE).into_drawing_area();
    root.fill(&WHITE)?;
    let panels = root.split_evenly((3, 1));
    panel(&panels[0], TITLES[0], "MB", x_max, &[(&rss, BLUE)])?;
    panel(&panels[1], TITLES[1], "MB", x_max, &[(&disk, RED)])?;
    panel(
        &panels[2],
        TITLES[2],
        "lifecycles/s",
        x_max,
        &[(&throughput, BLACK), (&paced, GREEN)],
    )?;
    root.present()?;
    Ok(())
}

/// One panel: its title, the minutes across, `unit` up, and `lines`.
fn panel(
    area: &DrawingArea<SVGBackend<'_>, Shift>,
    title: &str,
    unit: &str,
    x_max: f64,
    lines: &[(&Points, RGBColor)],
) -> Result<(), DrawingAreaErrorKind<std::io::Error>> {
    let top = lines
        .iter()
        .flat_map(|line| line.0.iter())
        .map(|p| p.1)
        .fold(0.0, f64::max);
    let y_max = if top > 0.0 { top * 1.1 } else { 1.0 };
    let mut chart = ChartBuilder::on(area)
        .caption(title, ("sans-serif", 20))
        .margin(10)
        .x_label_area_size(40)
        .y_label_area_size(70)
        .build_cartesian_2d(0f64..x_max, 0f64..y_max)?;
    chart
        .configure_mesh()
        .x_desc("minutes")
        .y_desc(unit)
        .draw()?;
    for (points, color) in lines {
        chart.draw_series(LineSeries::new(
            points.iter().copied(),
            color.stroke_width(2),
        ))?;
    }
    Ok(())
}
