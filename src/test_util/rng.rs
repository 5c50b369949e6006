//! A small deterministic random generator for `check_grads`' directions and for tests.

use super::host::from_host;
use crate::{Array, DType, Result};

/// A small deterministic pseudo-random generator (SplitMix64) for test data and directions.
/// The same seed gives the same sequence on every platform.
///
/// ```
/// use rjax::test_util::Rng;
/// let mut rng = Rng::new(7);
/// let x = rng.normal_array(&[2, 3], rjax::DType::F32)?;
/// assert_eq!(x.shape(), [2, 3]);
/// assert_eq!(Rng::new(7).normal(), Rng::new(7).normal());
/// # Ok::<(), rjax::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rng {
    state: u64,
}

impl Rng {
    /// A generator seeded with `seed`.
    pub fn new(seed: u64) -> Self {
        Rng { state: seed }
    }

    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.state = self.state.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.state;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// A uniform sample in the open interval `(0, 1)`.
    fn unit(&mut self) -> f64 {
        ((self.next_u64() >> 11) as f64 + 0.5) / (1u64 << 53) as f64
    }

    /// A uniform sample in `[low, high)`.
    pub fn uniform(&mut self, low: f64, high: f64) -> f64 {
        low + (high - low) * self.unit()
    }

    /// A standard normal sample (Box–Muller).
    pub fn normal(&mut self) -> f64 {
        let (u, v) = (self.unit(), self.unit());
        (-2.0 * u.ln()).sqrt() * (std::f64::consts::TAU * v).cos()
    }

    /// `count` standard normal samples.
    pub fn normal_vec(&mut self, count: usize) -> Vec<f64> {
        (0..count).map(|_| self.normal()).collect()
    }

    /// `count` uniform samples in `[low, high)`.
    pub fn uniform_vec(&mut self, count: usize, low: f64, high: f64) -> Vec<f64> {
        (0..count).map(|_| self.uniform(low, high)).collect()
    }

    /// An array of `shape` and `dtype` of standard normal samples (complex dtypes get normal
    /// real and imaginary parts; integer dtypes truncate toward zero). 64-bit dtypes become
    /// 32-bit ones outside x64 mode, as every new array does.
    pub fn normal_array(&mut self, shape: &[usize], dtype: DType) -> Result<Array> {
        let count = shape.iter().product();
        let values = (0..count)
            .map(|_| {
                let re = self.normal();
                let im = if dtype.is_complex() {
                    self.normal()
                } else {
                    0.0
                };
                [re, im]
            })
            .collect::<Vec<_>>();
        from_host(&values, dtype, shape, false)
    }

    /// An array of `shape` and `dtype` of uniform samples in `[low, high)`.
    pub fn uniform_array(
        &mut self,
        shape: &[usize],
        dtype: DType,
        low: f64,
        high: f64,
    ) -> Result<Array> {
        let values = self
            .uniform_vec(shape.iter().product(), low, high)
            .into_iter()
            .map(|re| [re, 0.0])
            .collect::<Vec<_>>();
        from_host(&values, dtype, shape, false)
    }
}
