//! StableHLO for the collectives, as JAX emits them inside a manually partitioned region:
//! replica groups of partition ids (partition `i` is the mesh's `i`-th device) and a channel
//! handle per collective, so the groups are read as global device positions.

use super::{CollectiveKind, CollectiveOp, groups};
use crate::abstract_value::ShapedArray;
use crate::lax::ReduceOp;
use crate::lowering::FunctionBuilder;
use crate::{DType, Result};

impl CollectiveOp {
    /// Emits the collective applied to `args`.
    pub(crate) fn lower(
        &self,
        f: &mut FunctionBuilder<'_>,
        args: &[String],
        avals_in: &[ShapedArray],
        out: &ShapedArray,
    ) -> Result<String> {
        let groups = groups(&self.mesh, &self.axes);
        let channel = format!(
            "channel_handle = #stablehlo.channel_handle<handle = {}, type = 1>",
            f.module.next_channel()
        );
        let replica_groups = format!("replica_groups = {}", dense_groups(&groups));
        let outs = std::slice::from_ref(out);
        Ok(match &self.kind {
            CollectiveKind::Psum => self.reducing(
                f,
                "stablehlo.all_reduce",
                ReduceOp::Sum,
                args,
                avals_in,
                out,
                &format!("{channel}, {replica_groups}, use_global_device_ids"),
            )?,
            CollectiveKind::Pmax => self.reducing(
                f,
                "stablehlo.all_reduce",
                ReduceOp::Max,
                args,
                avals_in,
                out,
                &format!("{channel}, {replica_groups}, use_global_device_ids"),
            )?,
            CollectiveKind::Pmin => self.reducing(
                f,
                "stablehlo.all_reduce",
                ReduceOp::Min,
                args,
                avals_in,
                out,
                &format!("{channel}, {replica_groups}, use_global_device_ids"),
            )?,
            CollectiveKind::AllGather { axis, tiled } => {
                // Untiled: gather blocks with a new size-1 axis, concatenated along it.
                let (operand, operand_aval) = if *tiled {
                    (args[0].clone(), avals_in[0].clone())
                } else {
                    let mut shape = avals_in[0].shape.clone();
                    shape.insert(*axis, 1);
                    let expanded = avals_in[0].with_shape(shape);
                    let value = f.op(
                        "stablehlo.reshape",
                        args,
                        avals_in,
                        std::slice::from_ref(&expanded),
                        "",
                    );
                    (value, expanded)
                };
                f.op(
                    "stablehlo.all_gather",
                    &[operand],
                    &[operand_aval],
                    outs,
                    &format!(
                        "all_gather_dim = {axis} : i64, {channel}, {replica_groups}, use_global_device_ids"
                    ),
                )
            }
            CollectiveKind::PsumScatter {
                scatter_dimension,
                tiled,
            } => {
                let attributes = format!(
                    "{channel}, {replica_groups}, scatter_dimension = {scatter_dimension} : i64, use_global_device_ids"
                );
                if *tiled {
                    self.reducing(
                        f,
                        "stablehlo.reduce_scatter",
                        ReduceOp::Sum,
                        args,
                        avals_in,
                        out,
                        &attributes,
                    )?
                } else {
                    let mut shape = out.shape.clone();
                    shape.insert(*scatter_dimension, 1);
                    let block = out.with_shape(shape);
                    let scattered = self.reducing(
                        f,
                        "stablehlo.reduce_scatter",
                        ReduceOp::Sum,
                        args,
                        avals_in,
                        &block,
                        &attributes,
                    )?;
                    f.op(
                        "stablehlo.reshape",
                        &[scattered],
                        std::slice::from_ref(&block),
                        outs,
                        "",
                    )
                }
            }
            CollectiveKind::Ppermute { perm } => {
                let pairs: Vec<Vec<usize>> = groups
                    .iter()
                    .flat_map(|group| perm.iter().map(move |&(s, d)| vec![group[s], group[d]]))
                    .collect();
                f.op(
                    "stablehlo.collective_permute",
                    args,
                    avals_in,
                    outs,
                    &format!("{channel}, source_target_pairs = {}", dense_groups(&pairs)),
                )
            }
            CollectiveKind::AllToAll {
                split_axis,
                concat_axis,
            } => f.op(
                "stablehlo.all_to_all",
                args,
                avals_in,
                outs,
                &format!(
                    "{channel}, concat_dimension = {concat_axis} : i64, {replica_groups}, \
                     split_count = {} : i64, split_dimension = {split_axis} : i64",
                    self.group_size()
                ),
            ),
            CollectiveKind::AxisIndex => self.axis_index(f, out),
        })
    }

    /// A reducing collective (`all_reduce`, `reduce_scatter`) with `op`'s combiner region.
    #[allow(clippy::too_many_arguments)]
    fn reducing(
        &self,
        f: &mut FunctionBuilder<'_>,
        name: &str,
        op: ReduceOp,
        args: &[String],
        avals_in: &[ShapedArray],
        out: &ShapedArray,
        attributes: &str,
    ) -> Result<String> {
        let scalar = ShapedArray::new(Vec::new(), avals_in[0].dtype);
        let pair = [scalar.clone(), scalar.clone()];
        let combiner = match (op, scalar.dtype) {
            (ReduceOp::Sum, DType::Bool) => ReduceOp::Or,
            (ReduceOp::Max, DType::Bool) => ReduceOp::Or,
            (ReduceOp::Min, DType::Bool) => ReduceOp::And,
            _ => op,
        };
        let region = f.region(&pair, |f, args| {
            let combined = f.op(
                combiner.combiner(),
                args,
                &pair,
                std::slice::from_ref(&scalar),
                "",
            );
            Ok(vec![(combined, scalar.clone())])
        })?;
        Ok(f.op_with_regions(
            name,
            args,
            avals_in,
            std::slice::from_ref(out),
            attributes,
            &[region],
        )
        .swap_remove(0))
    }

    /// The position along the (one or more) axes: the partition id's mixed-radix digits.
    fn axis_index(&self, f: &mut FunctionBuilder<'_>, out: &ShapedArray) -> String {
        let u32_scalar = ShapedArray::new(Vec::new(), DType::U32);
        let scalar = std::slice::from_ref(&u32_scalar);
        let constant = |f: &mut FunctionBuilder<'_>, value: usize| {
            f.constant(&u32_scalar, &format!("dense<{value}>"))
        };
        let partition = f.op("stablehlo.partition_id", &[], &[], scalar, "");
        let shape = self.mesh.shape();
        let mut index: Option<String> = None;
        for axis in &self.axes {
            let a = self.mesh.axis_index(axis).expect("checked at bind");
            let stride: usize = shape[a + 1..].iter().product();
            let stride = constant(f, stride);
            let size = constant(f, shape[a]);
            let pair = [u32_scalar.clone(), u32_scalar.clone()];
            let shifted = f.op(
                "stablehlo.divide",
                &[partition.clone(), stride],
                &pair,
                scalar,
                "",
            );
            let digit = f.op(
                "stablehlo.remainder",
                &[shifted, size.clone()],
                &pair,
                scalar,
                "",
            );
            index = Some(match index {
                None => digit,
                Some(major) => {
                    let scaled = f.op("stablehlo.multiply", &[major, size], &pair, scalar, "");
                    f.op("stablehlo.add", &[scaled, digit], &pair, scalar, "")
                }
            });
        }
        let index = index.expect("at least one axis");
        f.op(
            "stablehlo.convert",
            &[index],
            scalar,
            std::slice::from_ref(out),
            "",
        )
    }
}

/// `dense<[[0, 2], [1, 3]]> : tensor<2x2xi64>`.
fn dense_groups(groups: &[Vec<usize>]) -> String {
    let rows: Vec<String> = groups
        .iter()
        .map(|g| {
            format!(
                "[{}]",
                g.iter()
                    .map(usize::to_string)
                    .collect::<Vec<_>>()
                    .join(", ")
            )
        })
        .collect();
    let width = groups.first().map_or(0, Vec::len);
    format!(
        "dense<[{}]> : tensor<{}x{}xi64>",
        rows.join(", "),
        groups.len(),
        width
    )
}
