//! The data: the 1,797 8×8 handwritten digits that ship inside scikit-learn's wheel, fetched
//! once and cached by `scripts/fetch-digits.sh`, split 80/20 into training and test sets by
//! `rjax::random::permutation`, and cut into shuffled minibatches each epoch.
//! `scripts/train_mlp_jax.py` reads and splits them the same way.

use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{Context, Result, bail, ensure};
use rjax::Array;
use rjax::random::{PRNGKey, fold_in, permutation};

/// Pixels per image (8×8).
pub const PIXELS: usize = 64;
/// Examples per minibatch.
pub const BATCH: usize = 128;

/// Examples on the host: row-major pixels in `[0, 1]` and labels `0..=9`.
pub struct Examples {
    /// `len() × PIXELS` values, one row an image.
    pub pixels: Vec<f32>,
    /// One label a row.
    pub labels: Vec<i32>,
}

impl Examples {
    /// The number of examples.
    pub fn len(&self) -> usize {
        self.labels.len()
    }

    /// The examples at `rows`, in that order.
    pub fn select(&self, rows: &[i32]) -> Examples {
        let mut pixels = Vec::with_capacity(rows.len() * PIXELS);
        for &row in rows {
            let start = row as usize * PIXELS;
            pixels.extend_from_slice(&self.pixels[start..start + PIXELS]);
        }
        let labels = rows.iter().map(|&row| self.labels[row as usize]).collect();
        Examples { pixels, labels }
    }

    /// `(x, y)`: `x` of shape `[len, 64]` (float32) and `y` of shape `[len]` (int32).
    pub fn arrays(&self) -> rjax::Result<(Array, Array)> {
        Ok((
            Array::from_slice(&self.pixels, &[self.len(), PIXELS])?,
            Array::from_slice(&self.labels, &[self.len()])?,
        ))
    }
}

/// The path of `digits.csv`: `$RJAX_DIGITS_CSV` when set, else what
/// `scripts/fetch-digits.sh` prints (it downloads the data the first time).
pub fn csv_path() -> Result<PathBuf> {
    if let Some(path) = std::env::var_os("RJAX_DIGITS_CSV") {
        return Ok(path.into());
    }
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/scripts/fetch-digits.sh");
    let output = Command::new(script)
        .output()
        .with_context(|| format!("cannot run {script}"))?;
    if !output.status.success() {
        bail!(
            "{script} failed ({}): {}",
            output.status,
            String::from_utf8_lossy(&output.stderr)
        );
    }
    Ok(String::from_utf8(output.stdout)?.trim().into())
}

/// Reads `csv` (a line an image: 64 pixel values in `0..=16`, then the label) and splits it:
/// `permutation(PRNGKey(0), n)` puts its first 80% in the training set, the rest in the test
/// set. Pixels are scaled to `[0, 1]`.
pub fn load_split(csv: &Path) -> Result<(Examples, Examples)> {
    let text =
        std::fs::read_to_string(csv).with_context(|| format!("cannot read {}", csv.display()))?;
    let mut all = Examples {
        pixels: Vec::new(),
        labels: Vec::new(),
    };
    for (number, line) in text.lines().enumerate() {
        let values = line
            .split(',')
            .map(|v| v.trim().parse::<u8>())
            .collect::<Result<Vec<_>, _>>()
            .with_context(|| format!("{}:{}: not integers", csv.display(), number + 1))?;
        let valid = values.len() == PIXELS + 1
            && values[..PIXELS].iter().all(|&p| p <= 16)
            && values[PIXELS] <= 9;
        ensure!(
            valid,
            "{}:{}: expected 64 pixels in 0..=16 and a label in 0..=9",
            csv.display(),
            number + 1
        );
        all.pixels
            .extend(values[..PIXELS].iter().map(|&p| f32::from(p) / 16.0));
        all.labels.push(i32::from(values[PIXELS]));
    }
    let order = permutation(PRNGKey(0), all.len()).to_vec::<i32>()?;
    let (train, test) = order.split_at(all.len() * 4 / 5);
    Ok((all.select(train), all.select(test)))
}

/// The rows of each minibatch of epoch `epoch` (counting from 0) over `n` examples: the
/// permutation of `fold_in(PRNGKey(2), epoch)` cut into full batches of [`BATCH`] (the last
/// `n % BATCH` examples of the permutation sit that epoch out).
pub fn minibatches(epoch: usize, n: usize) -> rjax::Result<Vec<Vec<i32>>> {
    let key = fold_in(PRNGKey(2), epoch as i64);
    let order = permutation(&key, n).to_vec::<i32>()?;
    Ok(order
        .chunks_exact(BATCH)
        .map(|rows| rows.to_vec())
        .collect())
}
