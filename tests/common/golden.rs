//! Golden files of the form `<name>|<dtype>|<dims>|<values>` (one case per line, `#` starts a
//! comment), written by the Python scripts beside them in `tests/golden/`.

use anyhow::{Context, Result, bail, ensure};
use rjax::{Array, DType};

/// One golden file's text.
pub struct Golden(pub &'static str);

impl Golden {
    /// The expected dtype, shape and values of the case `name`.
    pub fn case(&self, name: &str) -> Result<(String, Vec<usize>, Vec<f64>)> {
        for line in self.0.lines().filter(|l| !l.starts_with('#')) {
            let parts: Vec<&str> = line.split('|').collect();
            if parts[0] != name {
                continue;
            }
            let numbers = |field: &str| -> Result<Vec<f64>> {
                field
                    .split(',')
                    .filter(|s| !s.is_empty())
                    .map(|s| s.parse::<f64>().with_context(|| format!("{name}: {s}")))
                    .collect()
            };
            let shape = numbers(parts[2])?.into_iter().map(|d| d as usize).collect();
            return Ok((parts[1].to_string(), shape, numbers(parts[3])?));
        }
        bail!("no golden case {name}")
    }

    /// Asserts that `x` has the dtype and shape of the case `name`; returns `x`'s values and
    /// the expected ones.
    pub fn expect_like(&self, name: &str, x: &Array) -> Result<(Vec<f64>, Vec<f64>)> {
        let (dtype, shape, want) = self.case(name)?;
        ensure!(
            x.dtype().name() == dtype,
            "{name}: dtype {} != {dtype}",
            x.dtype()
        );
        ensure!(
            x.shape() == shape,
            "{name}: shape {:?} != {shape:?}",
            x.shape()
        );
        Ok((values(x).with_context(|| name.to_string())?, want))
    }

    /// Asserts that `x` has the dtype and shape of the case `name` and its values within
    /// `tol` (relative to `1 + |expected|`).
    pub fn check_tol(&self, name: &str, x: &Array, tol: f64) -> Result<()> {
        let (got, want) = self.expect_like(name, x)?;
        ensure!(close(&got, &want, tol), "{name}: {got:?} != {want:?}");
        Ok(())
    }

    /// Asserts that `x` has the dtype and shape of the case `name`, NaN where NaN, equal
    /// infinities, and finite values within `tol` relative to the expected value itself.
    #[allow(dead_code)] // not every test binary that includes this module uses it
    pub fn check_relative(&self, name: &str, x: &Array, tol: f64) -> Result<()> {
        let (got, want) = self.expect_like(name, x)?;
        for (i, (g, w)) in got.iter().zip(&want).enumerate() {
            let ok = (g.is_nan() && w.is_nan())
                || g == w
                || (w.is_finite() && (g - w).abs() <= tol * w.abs().max(1e-300));
            ensure!(
                ok,
                "{name}[{i}]: {g:e} != {w:e} (tolerance {tol:e})\n got {got:?}\nwant {want:?}"
            );
        }
        Ok(())
    }

    /// [`Golden::check_tol`] at 1e-10.
    pub fn check(&self, name: &str, x: &Array) -> Result<()> {
        self.check_tol(name, x, 1e-10)
    }
}

/// `x`'s elements as f64 values, whatever its dtype.
pub fn values(x: &Array) -> Result<Vec<f64>> {
    Ok(match x.dtype() {
        DType::F64 => x.to_vec::<f64>()?,
        DType::F32 => x.to_vec::<f32>()?.into_iter().map(f64::from).collect(),
        DType::I64 => x.to_vec::<i64>()?.into_iter().map(|v| v as f64).collect(),
        DType::I32 => x.to_vec::<i32>()?.into_iter().map(f64::from).collect(),
        DType::U32 => x.to_vec::<u32>()?.into_iter().map(f64::from).collect(),
        DType::Bool => x
            .to_vec::<bool>()?
            .into_iter()
            .map(|v| f64::from(u8::from(v)))
            .collect(),
        other => bail!("unexpected dtype {other}"),
    })
}

/// Whether `got` and `want` agree within `tol` relative to `1 + |want|` (NaNs agree with NaNs).
pub fn close(got: &[f64], want: &[f64], tol: f64) -> bool {
    got.len() == want.len()
        && got.iter().zip(want).all(|(g, w)| {
            (g.is_nan() && w.is_nan()) || g == w || (g - w).abs() <= tol * (1.0 + w.abs())
        })
}
