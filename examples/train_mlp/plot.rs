//! The learning curves as an SVG chart (`plotters`): loss on a log scale beside accuracy, for
//! the training and the test set, one point an epoch.

use std::path::Path;

use anyhow::Result;
use plotters::coord::types::RangedCoordf64;
use plotters::prelude::*;

/// What the model scores on the training and the test set after one epoch.
pub struct EpochMetrics {
    /// Mean cross-entropy on the training set.
    pub train_loss: f64,
    /// Accuracy on the training set, in `[0, 1]`.
    pub train_accuracy: f64,
    /// Mean cross-entropy on the test set.
    pub test_loss: f64,
    /// Accuracy on the test set, in `[0, 1]`.
    pub test_accuracy: f64,
}

impl std::fmt::Display for EpochMetrics {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "train loss {:.4} accuracy {:.2}%  test loss {:.4} accuracy {:.2}%",
            self.train_loss,
            self.train_accuracy * 100.0,
            self.test_loss,
            self.test_accuracy * 100.0
        )
    }
}

/// Writes the loss and accuracy curves of `history` (one entry an epoch) to the SVG `path`.
pub fn plot_curves(path: &Path, history: &[EpochMetrics]) -> Result<()> {
    let root = SVGBackend::new(path, (960, 380)).into_drawing_area();
    root.fill(&WHITE)?;
    let (left, right) = root.split_horizontally(480);
    let epochs = 1.0..history.len().max(2) as f64;
    let losses = history.iter().flat_map(|m| [m.train_loss, m.test_loss]);
    let (low, high) = losses.fold((f64::MAX, f64::MIN), |(l, h), v| (l.min(v), h.max(v)));
    let lowest = history
        .iter()
        .map(|m| m.test_accuracy.min(m.train_accuracy));
    let floor = (lowest.fold(1.0, f64::min) * 10.0).floor() * 10.0;

    let mut loss = ChartBuilder::on(&left)
        .caption("loss (cross-entropy)", ("sans-serif", 20))
        .margin(12)
        .x_label_area_size(36)
        .y_label_area_size(56)
        .build_cartesian_2d(epochs.clone(), (low * 0.8..high * 1.25).log_scale())?;
    loss.configure_mesh()
        .x_desc("epoch")
        .x_label_formatter(&|epoch| format!("{epoch:.0}"))
        .draw()?;
    let curves: Curves = [|m| m.train_loss, |m| m.test_loss];
    draw_curves(&mut loss, history, curves)?;

    let mut accuracy = ChartBuilder::on(&right)
        .caption("accuracy (%)", ("sans-serif", 20))
        .margin(12)
        .x_label_area_size(36)
        .y_label_area_size(56)
        .build_cartesian_2d(epochs, floor..100.5)?;
    accuracy
        .configure_mesh()
        .x_desc("epoch")
        .x_label_formatter(&|epoch| format!("{epoch:.0}"))
        .y_label_formatter(&|percent| format!("{percent:.0}"))
        .draw()?;
    let curves: Curves = [|m| m.train_accuracy * 100.0, |m| m.test_accuracy * 100.0];
    draw_curves(&mut accuracy, history, curves)?;
    root.present()?;
    Ok(())
}

/// What a chart shows of an epoch: its training-set figure, then its test-set figure.
type Curves = [fn(&EpochMetrics) -> f64; 2];

/// Draws the training (blue) and test (red) curves, with their legend.
fn draw_curves<'a, Y>(
    chart: &mut ChartContext<'a, SVGBackend<'a>, Cartesian2d<RangedCoordf64, Y>>,
    history: &[EpochMetrics],
    curves: Curves,
) -> Result<()>
where
    Y: Ranged<ValueType = f64>,
{
    for ((label, color), curve) in [("train", BLUE), ("test", RED)].into_iter().zip(curves) {
        let points = (1..).map(f64::from).zip(history.iter().map(curve));
        chart
            .draw_series(LineSeries::new(points, color.stroke_width(2)))?
            .label(label)
            .legend(move |(x, y)| PathElement::new([(x, y), (x + 20, y)], color.stroke_width(2)));
    }
    chart
        .configure_series_labels()
        .position(SeriesLabelPosition::MiddleRight)
        .background_style(WHITE.mix(0.8))
        .border_style(BLACK)
        .draw()?;
    Ok(())
}
