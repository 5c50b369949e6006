//! `PartitionSpec`: for each array dimension, the mesh axes it is split over (JAX's
//! `jax.sharding.PartitionSpec`, usually written `P`).

use std::fmt;

/// For each leading dimension of an array, the mesh axes it is split over (none: the
/// dimension is whole on every device). Dimensions past the spec's length are not split;
/// mesh axes the spec does not name replicate the array. Build one with [`pspec!`](crate::pspec)
/// or [`PartitionSpec::new`].
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct PartitionSpec(Vec<Vec<String>>);

/// One entry of a [`PartitionSpec`]: no axis (`None`), one axis (`"x"`), or several, major
/// first (`["x", "y"]`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AxisEntry(Vec<String>);

impl From<&str> for AxisEntry {
    fn from(axis: &str) -> AxisEntry {
        AxisEntry(vec![axis.to_string()])
    }
}

impl From<Option<&str>> for AxisEntry {
    fn from(axis: Option<&str>) -> AxisEntry {
        AxisEntry(axis.map(str::to_string).into_iter().collect())
    }
}

impl<const N: usize> From<[&str; N]> for AxisEntry {
    fn from(axes: [&str; N]) -> AxisEntry {
        AxisEntry(axes.iter().map(|a| a.to_string()).collect())
    }
}

impl From<&[&str]> for AxisEntry {
    fn from(axes: &[&str]) -> AxisEntry {
        AxisEntry(axes.iter().map(|a| a.to_string()).collect())
    }
}

impl PartitionSpec {
    /// A spec from one entry per dimension.
    pub fn new<E: Into<AxisEntry>>(entries: impl IntoIterator<Item = E>) -> PartitionSpec {
        PartitionSpec(entries.into_iter().map(|e| e.into().0).collect())
    }

    /// The spec that splits nothing: the array is replicated on every device (`P()`).
    pub fn replicated() -> PartitionSpec {
        PartitionSpec(Vec::new())
    }

    /// The mesh axes of each dimension the spec names.
    pub fn dims(&self) -> &[Vec<String>] {
        &self.0
    }

    /// The mesh axes dimension `dim` is split over (none past the spec's end).
    pub fn axes_of(&self, dim: usize) -> &[String] {
        self.0.get(dim).map_or(&[], Vec::as_slice)
    }

    /// Every mesh axis named, in order.
    pub fn used_axes(&self) -> impl Iterator<Item = &String> {
        self.0.iter().flatten()
    }

    /// This spec with an unsplit dimension inserted at `dim` (padding with unsplit dimensions
    /// when the spec is shorter), as batching a sharded value along `dim` needs.
    pub(crate) fn insert_dim(&self, dim: usize) -> PartitionSpec {
        let mut dims = self.0.clone();
        if dims.len() < dim {
            dims.resize(dim, Vec::new());
        }
        dims.insert(dim, Vec::new());
        PartitionSpec(dims)
    }
}

impl fmt::Display for PartitionSpec {
    /// As JAX prints it: `PartitionSpec('x', None, ('x', 'y'))`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let entries: Vec<String> = self
            .0
            .iter()
            .map(|axes| match axes.as_slice() {
                [] => "None".to_string(),
                [one] => format!("'{one}'"),
                many => format!(
                    "({})",
                    many.iter()
                        .map(|a| format!("'{a}'"))
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            })
            .collect();
        write!(f, "PartitionSpec({})", entries.join(", "))
    }
}

/// A [`PartitionSpec`], written as JAX's `P(...)`: `pspec!["x", None]`, `pspec![["x", "y"]]`,
/// `pspec![]` (replicated).
///
/// ```
/// use rjax::pspec;
/// let spec = pspec!["x", None, ["x", "y"]];
/// assert_eq!(spec.to_string(), "PartitionSpec('x', None, ('x', 'y'))");
/// ```
#[macro_export]
macro_rules! pspec {
    ($($entry:expr),* $(,)?) => {
        $crate::sharding::PartitionSpec::new::<$crate::sharding::AxisEntry>(
            [$($crate::sharding::AxisEntry::from($entry)),*]
        )
    };
}
