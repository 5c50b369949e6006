//! The shape rules and lowerings of gather and the scatters (JAX's `_gather_shape_rule`,
//! `_gather_lower`, `_gather_fill`, `_scatter_shape_rule`, `_scatter_lower`): a child module of
//! `indexing`, which defines their parameters and public functions.
//!
//! The index vector dimension is always the last dimension of the indices, as in JAX.

use super::{
    FillValue, GatherDimensionNumbers, GatherParams, GatherScatterMode, ScatterDimensionNumbers,
    ScatterParams, check_dims, check_disjoint, operands, tuple,
};
use crate::abstract_value::ShapedArray;
use crate::lax::Comparison;
use crate::lax::elementwise::compare_lower;
use crate::lax::reduction::{ReduceOp, reduce_lower};
use crate::lowering::{FunctionBuilder, dense_scalar, i64_array};
use crate::scalar::Scalar;
use crate::{DType, Error, Result};

/// Python's spelling of a bool.
fn python_bool(b: bool) -> &'static str {
    if b { "True" } else { "False" }
}

impl GatherParams {
    /// The parameters as jaxprs print them.
    pub(super) fn params_text(&self) -> Vec<String> {
        let fill_value = self
            .fill_value
            .map_or("None".to_string(), |v| v.to_string());
        vec![
            format!("dimension_numbers={}", self.dimension_numbers),
            format!("fill_value={fill_value}"),
            format!(
                "indices_are_sorted={}",
                python_bool(self.indices_are_sorted)
            ),
            format!("mode={}", self.mode),
            format!("slice_sizes={}", tuple(&self.slice_sizes)),
            format!("unique_indices={}", python_bool(self.unique_indices)),
        ]
    }

    /// The output type for `(operand, indices)` of types `avals`.
    pub(super) fn abstract_eval(&self, avals: &[ShapedArray]) -> Result<ShapedArray> {
        let [x, indices] = operands("gather", avals)?;
        let (dn, slice_sizes) = (&self.dimension_numbers, &self.slice_sizes);
        let shape = gather_shape(dn, slice_sizes, x, indices).map_err(|why| {
            Error::invalid(
                "gather",
                format!("{why}: operand {x}, indices {indices}, {dn}, slice_sizes {slice_sizes:?}"),
            )
        })?;
        Ok(x.with_shape(shape))
    }

    /// Emits the StableHLO of the gather; `Clip` and `PromiseInBounds` are XLA's own gather,
    /// which clamps.
    pub(super) fn lower(
        &self,
        f: &mut FunctionBuilder<'_>,
        args: &[String],
        avals_in: &[ShapedArray],
        out: &ShapedArray,
    ) -> Result<String> {
        if out.size() == 0 {
            return Ok(zeros(f, out));
        }
        if self.mode == GatherScatterMode::FillOrDrop {
            let fill = self
                .fill_value
                .unwrap_or_else(|| FillValue::default_for(out.dtype));
            return self.lower_fill(f, args, avals_in, out, fill);
        }
        Ok(self.lower_plain(f, &args[0], &args[1], &avals_in[0], &avals_in[1], out))
    }

    /// A plain `stablehlo.gather`.
    fn lower_plain(
        &self,
        f: &mut FunctionBuilder<'_>,
        x: &str,
        indices: &str,
        x_aval: &ShapedArray,
        indices_aval: &ShapedArray,
        out: &ShapedArray,
    ) -> String {
        let dn = &self.dimension_numbers;
        let mut fields = Vec::new();
        for (name, dims) in [
            ("offset_dims", &dn.offset_dims),
            ("collapsed_slice_dims", &dn.collapsed_slice_dims),
            ("operand_batching_dims", &dn.operand_batching_dims),
            (
                "start_indices_batching_dims",
                &dn.start_indices_batching_dims,
            ),
            ("start_index_map", &dn.start_index_map),
        ] {
            if !dims.is_empty() {
                fields.push(format!("{name} = {}", bracket_list(dims)));
            }
        }
        fields.push(format!("index_vector_dim = {}", indices_aval.ndim() - 1));
        let attributes = format!(
            "dimension_numbers = #stablehlo.gather<{}>, indices_are_sorted = {}, slice_sizes = {}",
            fields.join(", "),
            self.indices_are_sorted,
            i64_array(&self.slice_sizes)
        );
        f.op(
            "stablehlo.gather",
            &[x.to_string(), indices.to_string()],
            &[x_aval.clone(), indices_aval.clone()],
            std::slice::from_ref(out),
            &attributes,
        )
    }

    /// `FillOrDrop`, as JAX's `_gather_fill`: an in-bounds mask over the index vectors selects
    /// between the gathered slices and the fill value.
    fn lower_fill(
        &self,
        f: &mut FunctionBuilder<'_>,
        args: &[String],
        avals_in: &[ShapedArray],
        out: &ShapedArray,
        fill: FillValue,
    ) -> Result<String> {
        let (x, indices_in) = (&avals_in[0], &avals_in[1]);
        let index_dtype = if x.shape.iter().all(|&d| d <= i32::MAX as usize) {
            DType::I32
        } else {
            DType::I64
        };
        let indices = indices_in.with_dtype(index_dtype);
        let mut index_values = args[1].clone();
        if indices_in.dtype != index_dtype {
            index_values = f.op(
                "stablehlo.convert",
                &[index_values],
                std::slice::from_ref(indices_in),
                std::slice::from_ref(&indices),
                "",
            );
        }
        let gathered = self.lower_plain(f, &args[0], &index_values, x, &indices, out);
        let map = &self.dimension_numbers.start_index_map;
        if map.is_empty() {
            return Ok(gathered);
        }
        let last = indices.ndim() - 1;
        let bounds: Vec<i64> = map
            .iter()
            .map(|&d| (x.shape[d] - self.slice_sizes[d]) as i64)
            .collect();
        let flags = indices.with_dtype(DType::Bool);
        let pair = [indices.clone(), indices.clone()];
        let zero = zeros(f, &indices);
        let upper = per_component(f, &indices, &bounds);
        let above = compare_lower(
            Comparison::Ge,
            f,
            &[index_values.clone(), zero],
            &pair,
            &flags,
        );
        let below = compare_lower(Comparison::Le, f, &[index_values, upper], &pair, &flags);
        let both = f.op(
            "stablehlo.and",
            &[above, below],
            &[flags.clone(), flags.clone()],
            std::slice::from_ref(&flags),
            "",
        );
        let mask_aval = ShapedArray::new(indices.shape[..last].to_vec(), DType::Bool);
        let mut mask = reduce_lower(
            ReduceOp::And,
            &[last],
            f,
            &[both],
            std::slice::from_ref(&flags),
            &mask_aval,
        )?;
        let out_mask = out.with_dtype(DType::Bool);
        if mask_aval.shape != out.shape {
            let batch_dims: Vec<usize> = (0..out.ndim())
                .filter(|d| !self.dimension_numbers.offset_dims.contains(d))
                .collect();
            mask = f.op(
                "stablehlo.broadcast_in_dim",
                &[mask],
                &[mask_aval],
                std::slice::from_ref(&out_mask),
                &format!("broadcast_dimensions = {}", i64_array(&batch_dims)),
            );
        }
        let filler = f.constant(out, &dense_scalar(out.dtype, &fill.0.to_bytes(out.dtype)));
        Ok(f.op(
            "stablehlo.select",
            &[mask, gathered, filler],
            &[out_mask, out.clone(), out.clone()],
            std::slice::from_ref(out),
            "",
        ))
    }
}

/// Checks JAX's gather rules and returns the output shape.
fn gather_shape(
    dn: &GatherDimensionNumbers,
    slice_sizes: &[usize],
    x: &ShapedArray,
    indices: &ShapedArray,
) -> Result<Vec<usize>, String> {
    if !indices.dtype.is_int() || indices.ndim() == 0 {
        return Err("indices must be integers of rank at least 1".into());
    }
    let (rank, batch_rank) = (x.ndim(), indices.ndim() - 1);
    let out_rank = dn.offset_dims.len() + batch_rank;
    check_dims("offset_dims", &dn.offset_dims, out_rank, true)?;
    if dn.start_index_map.len() != indices.shape[batch_rank] {
        return Err("start_index_map must have one entry per index vector component (the last dimension of indices)".into());
    }
    check_dims("start_index_map", &dn.start_index_map, rank, false)?;
    check_dims("collapsed_slice_dims", &dn.collapsed_slice_dims, rank, true)?;
    check_dims(
        "operand_batching_dims",
        &dn.operand_batching_dims,
        rank,
        true,
    )?;
    check_disjoint(
        ("collapsed_slice_dims", "operand_batching_dims"),
        &dn.collapsed_slice_dims,
        &dn.operand_batching_dims,
    )?;
    check_disjoint(
        ("start_index_map", "operand_batching_dims"),
        &dn.start_index_map,
        &dn.operand_batching_dims,
    )?;
    let indices_batching = &dn.start_indices_batching_dims;
    check_dims(
        "start_indices_batching_dims",
        indices_batching,
        batch_rank,
        false,
    )?;
    let operand_batch: Vec<usize> = dn
        .operand_batching_dims
        .iter()
        .map(|&d| x.shape[d])
        .collect();
    let indices_batch: Vec<usize> = indices_batching.iter().map(|&d| indices.shape[d]).collect();
    if operand_batch != indices_batch {
        return Err(format!(
            "operand batching dimensions (sizes {operand_batch:?}) and indices batching dimensions (sizes {indices_batch:?}) must pair up with equal sizes"
        ));
    }
    if slice_sizes.len() != rank
        || rank
            != dn.offset_dims.len() + dn.collapsed_slice_dims.len() + dn.operand_batching_dims.len()
    {
        return Err("slice_sizes needs one size per operand dimension, and each operand dimension must be an offset, collapsed or batching dimension".into());
    }
    if indices.size() != 0 && slice_sizes.iter().zip(&x.shape).any(|(s, d)| s > d) {
        return Err("a slice size exceeds its operand dimension".into());
    }
    if dn.collapsed_slice_dims.iter().any(|&d| slice_sizes[d] != 1)
        || dn.operand_batching_dims.iter().any(|&d| slice_sizes[d] > 1)
    {
        return Err("collapsed dimensions need slice size 1, batching dimensions 0 or 1".into());
    }
    let mut window = (0..rank)
        .filter(|d| !dn.collapsed_slice_dims.contains(d) && !dn.operand_batching_dims.contains(d))
        .map(|d| slice_sizes[d]);
    let mut batch = indices.shape[..batch_rank].iter();
    Ok((0..out_rank)
        .map(|d| {
            let next = if dn.offset_dims.contains(&d) {
                window.next()
            } else {
                batch.next().copied()
            };
            next.expect("counted above")
        })
        .collect())
}

/// The window size of a scatter in each operand dimension.
fn scatter_window(
    dn: &ScatterDimensionNumbers,
    x: &ShapedArray,
    updates: &ShapedArray,
) -> Vec<usize> {
    let mut window = dn.update_window_dims.iter().map(|&d| updates.shape[d]);
    (0..x.ndim())
        .map(|d| {
            if dn.inserted_window_dims.contains(&d) || dn.operand_batching_dims.contains(&d) {
                1
            } else {
                window.next().unwrap_or(1)
            }
        })
        .collect()
}

/// Checks JAX's scatter rules.
fn check_scatter(
    dn: &ScatterDimensionNumbers,
    x: &ShapedArray,
    indices: &ShapedArray,
    updates: &ShapedArray,
) -> Result<(), String> {
    if !indices.dtype.is_int() || indices.ndim() == 0 {
        return Err("indices must be integers of rank at least 1".into());
    }
    let (rank, batch_rank) = (x.ndim(), indices.ndim() - 1);
    if updates.ndim() != batch_rank + dn.update_window_dims.len() {
        return Err(format!(
            "updates must have rank {} (indices' batch dimensions plus update_window_dims)",
            batch_rank + dn.update_window_dims.len()
        ));
    }
    check_dims(
        "update_window_dims",
        &dn.update_window_dims,
        updates.ndim(),
        true,
    )?;
    check_dims("inserted_window_dims", &dn.inserted_window_dims, rank, true)?;
    check_dims(
        "operand_batching_dims",
        &dn.operand_batching_dims,
        rank,
        true,
    )?;
    check_disjoint(
        ("inserted_window_dims", "operand_batching_dims"),
        &dn.inserted_window_dims,
        &dn.operand_batching_dims,
    )?;
    check_disjoint(
        ("scatter_dims_to_operand_dims", "operand_batching_dims"),
        &dn.scatter_dims_to_operand_dims,
        &dn.operand_batching_dims,
    )?;
    let indices_batching = &dn.scatter_indices_batching_dims;
    check_dims(
        "scatter_indices_batching_dims",
        indices_batching,
        batch_rank,
        false,
    )?;
    let operand_batch: Vec<usize> = dn
        .operand_batching_dims
        .iter()
        .map(|&d| x.shape[d])
        .collect();
    let indices_batch: Vec<usize> = indices_batching.iter().map(|&d| indices.shape[d]).collect();
    if operand_batch != indices_batch {
        return Err(format!(
            "operand batching dimensions (sizes {operand_batch:?}) and indices batching dimensions (sizes {indices_batch:?}) must pair up with equal sizes"
        ));
    }
    if rank
        != dn.update_window_dims.len()
            + dn.inserted_window_dims.len()
            + dn.operand_batching_dims.len()
    {
        return Err(
            "each operand dimension must be a window, inserted or batching dimension".into(),
        );
    }
    if dn.scatter_dims_to_operand_dims.len() != indices.shape[batch_rank] {
        return Err("scatter_dims_to_operand_dims must have one entry per index vector component (the last dimension of indices)".into());
    }
    check_dims(
        "scatter_dims_to_operand_dims",
        &dn.scatter_dims_to_operand_dims,
        rank,
        false,
    )?;
    // As in JAX, only the update window dimensions are checked against the operand: inserted
    // and batching dimensions are one index wide even where the operand's is empty.
    let implicit =
        |d: usize| dn.inserted_window_dims.contains(&d) || dn.operand_batching_dims.contains(&d);
    if scatter_window(dn, x, updates)
        .iter()
        .zip(&x.shape)
        .enumerate()
        .any(|(d, (w, size))| !implicit(d) && w > size)
    {
        return Err("an update window is larger than its operand dimension".into());
    }
    let scatter_sizes: Vec<usize> = (0..updates.ndim())
        .filter(|d| !dn.update_window_dims.contains(d))
        .map(|d| updates.shape[d])
        .collect();
    if scatter_sizes != indices.shape[..batch_rank] {
        return Err(format!(
            "the updates' scatter dimensions (sizes {scatter_sizes:?}) must match the indices' batch dimensions"
        ));
    }
    Ok(())
}

impl ScatterParams {
    /// The parameters as jaxprs print them.
    pub(super) fn params_text(&self) -> Vec<String> {
        let update_jaxpr = match self.kind.combiner() {
            None => "None".to_string(),
            Some((name, _)) => {
                let t = self.dtype.short_name();
                format!("{{ lambda ; a:{t}[] b:{t}[]. let c:{t}[] = {name} a b in (c,) }}")
            }
        };
        vec![
            format!("dimension_numbers={}", self.dimension_numbers),
            format!(
                "indices_are_sorted={}",
                python_bool(self.indices_are_sorted)
            ),
            format!("mode={}", self.mode),
            format!("unique_indices={}", python_bool(self.unique_indices)),
            "update_consts=()".to_string(),
            format!("update_jaxpr={update_jaxpr}"),
        ]
    }

    /// The output type for `(operand, indices, updates)` of types `avals`.
    pub(super) fn abstract_eval(&self, avals: &[ShapedArray]) -> Result<ShapedArray> {
        let (name, dn, dtype) = (self.kind.name(), &self.dimension_numbers, self.dtype);
        let [x, indices, updates] = operands(name, avals)?;
        let checked = if x.dtype != updates.dtype || x.dtype != dtype {
            Err(format!(
                "operand and updates must have one dtype (the update computation's {dtype})"
            ))
        } else if !self.kind.accepts(x.dtype) {
            Err(format!("does not accept {}", x.dtype))
        } else {
            check_scatter(dn, x, indices, updates)
        };
        checked.map_err(|why| {
            Error::invalid(
                name,
                format!("{why}: operand {x}, indices {indices}, updates {updates}, {dn}"),
            )
        })?;
        Ok(x.clone())
    }

    /// Emits the StableHLO of the scatter: XLA's scatter drops out-of-bounds windows, and
    /// `Clip` first clamps the indices, as JAX's `_clamp_scatter_indices`.
    pub(super) fn lower(
        &self,
        f: &mut FunctionBuilder<'_>,
        args: &[String],
        avals_in: &[ShapedArray],
        out: &ShapedArray,
    ) -> Result<String> {
        let (kind, dn, mode) = (self.kind, &self.dimension_numbers, self.mode);
        let (indices_are_sorted, unique_indices) = (self.indices_are_sorted, self.unique_indices);
        let (x, indices, updates) = (&avals_in[0], &avals_in[1], &avals_in[2]);
        let mut index_values = args[1].clone();
        if mode == GatherScatterMode::Clip && !dn.scatter_dims_to_operand_dims.is_empty() {
            // As JAX's `_clamp_scatter_indices`: clamp each start into [0, dim - window].
            let window = scatter_window(dn, x, updates);
            let bits = 8 * indices.dtype.size_in_bytes() as u32;
            let highest = if indices.dtype.is_signed_int() {
                i64::MAX >> (64 - bits)
            } else {
                (u64::MAX >> (64 - bits)).min(i64::MAX as u64) as i64
            };
            let bounds: Vec<i64> = dn
                .scatter_dims_to_operand_dims
                .iter()
                .map(|&d| ((x.shape[d] - window[d]) as i64).min(highest))
                .collect();
            let low = zeros(f, indices);
            let high = per_component(f, indices, &bounds);
            index_values = f.op(
                "stablehlo.clamp",
                &[low, index_values, high],
                &[indices.clone(), indices.clone(), indices.clone()],
                std::slice::from_ref(indices),
                "",
            );
        }
        let scalar = ShapedArray::new(Vec::new(), out.dtype);
        let pair = [scalar.clone(), scalar.clone()];
        let body = f.region(&pair, |f, args| {
            let value = match kind.combiner() {
                None => args[1].clone(),
                Some((_, op)) => f.op(op, args, &pair, std::slice::from_ref(&scalar), ""),
            };
            Ok(vec![(value, scalar.clone())])
        })?;
        let mut fields = Vec::new();
        for (name, dims) in [
            ("update_window_dims", &dn.update_window_dims),
            ("inserted_window_dims", &dn.inserted_window_dims),
            ("input_batching_dims", &dn.operand_batching_dims),
            (
                "scatter_indices_batching_dims",
                &dn.scatter_indices_batching_dims,
            ),
            (
                "scatter_dims_to_operand_dims",
                &dn.scatter_dims_to_operand_dims,
            ),
        ] {
            if !dims.is_empty() {
                fields.push(format!("{name} = {}", bracket_list(dims)));
            }
        }
        fields.push(format!("index_vector_dim = {}", indices.ndim() - 1));
        let attributes = format!(
            "indices_are_sorted = {indices_are_sorted}, scatter_dimension_numbers = #stablehlo.scatter<{}>, unique_indices = {unique_indices}",
            fields.join(", ")
        );
        Ok(f.op_with_regions(
            "stablehlo.scatter",
            &[args[0].clone(), index_values, args[2].clone()],
            avals_in,
            std::slice::from_ref(out),
            &attributes,
            &[body],
        )
        .swap_remove(0))
    }
}

/// `[1, 2]`, as dimension lists print inside `#stablehlo.gather<...>`.
fn bracket_list(values: &[usize]) -> String {
    let items: Vec<String> = values.iter().map(usize::to_string).collect();
    format!("[{}]", items.join(", "))
}

/// A zero-filled constant of type `aval`.
fn zeros(f: &mut FunctionBuilder<'_>, aval: &ShapedArray) -> String {
    f.constant(
        aval,
        &dense_scalar(aval.dtype, &Scalar::Int(0).to_bytes(aval.dtype)),
    )
}

/// An integer array of type `aval` whose last dimension holds `values`, broadcast over the
/// others (a per-component bound of index vectors).
fn per_component(f: &mut FunctionBuilder<'_>, aval: &ShapedArray, values: &[i64]) -> String {
    let items: Vec<String> = values.iter().map(i64::to_string).collect();
    let vector = ShapedArray::new(vec![values.len()], aval.dtype);
    let constant = f.constant(&vector, &format!("dense<[{}]>", items.join(", ")));
    let last = aval.ndim() - 1;
    f.op(
        "stablehlo.broadcast_in_dim",
        &[constant],
        std::slice::from_ref(&vector),
        std::slice::from_ref(aval),
        &format!("broadcast_dimensions = {}", i64_array(&[last])),
    )
}
