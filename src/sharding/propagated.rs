//! The layouts XLA's sharding propagation chose for a program's outputs, read from the
//! optimized HLO module (`HloModuleProto.spmd_output_sharding`, an `OpSharding`) and written as
//! `NamedSharding`s of the mesh. PJRT's C API has no call for an executable's output
//! shardings, so rjax reads the few protobuf fields it needs itself.

use super::{Mesh, NamedSharding, PartitionSpec};

// HloModuleProtoWithConfig, HloModuleProto and OpSharding fields (xla/service/hlo.proto,
// xla/xla_data.proto).
const HLO_MODULE: u64 = 1;
const SPMD_OUTPUT_SHARDING: u64 = 12;
const TYPE: u64 = 1;
const TILE_ASSIGNMENT_DIMENSIONS: u64 = 3;
const TILE_ASSIGNMENT_DEVICES: u64 = 4;
const TUPLE_SHARDINGS: u64 = 5;
const REPLICATE_ON_LAST_TILE_DIM: u64 = 6;
const LAST_TILE_DIMS: u64 = 8;
const IOTA_RESHAPE_DIMS: u64 = 9;
const IOTA_TRANSPOSE_PERM: u64 = 10;
// OpSharding.Type.
const REPLICATED: u64 = 0;
const TUPLE: u64 = 2;
const OTHER: u64 = 3;

/// A protobuf field's value: a varint or a length-delimited payload (fixed-width fields are
/// skipped: OpSharding has none that matter here).
enum Value<'a> {
    Varint(u64),
    Bytes(&'a [u8]),
}

fn varint(bytes: &[u8], at: &mut usize) -> Option<u64> {
    let mut value = 0u64;
    for shift in (0..64).step_by(7) {
        let byte = *bytes.get(*at)?;
        *at += 1;
        value |= u64::from(byte & 0x7f) << shift;
        if byte < 0x80 {
            return Some(value);
        }
    }
    None
}

/// The fields of one message, or `None` if it is malformed.
fn fields(bytes: &[u8]) -> Option<Vec<(u64, Value<'_>)>> {
    let mut at = 0;
    let mut out = Vec::new();
    while at < bytes.len() {
        let key = varint(bytes, &mut at)?;
        let value = match key & 7 {
            0 => Value::Varint(varint(bytes, &mut at)?),
            2 => {
                let len = usize::try_from(varint(bytes, &mut at)?).ok()?;
                let payload = bytes.get(at..at.checked_add(len)?)?;
                at += len;
                Value::Bytes(payload)
            }
            1 => {
                at += 8;
                continue;
            }
            5 => {
                at += 4;
                continue;
            }
            _ => return None,
        };
        out.push((key >> 3, value));
    }
    Some(out)
}

/// A repeated integer field, packed or not, accumulated into `out`.
fn push_ints(value: &Value<'_>, out: &mut Vec<u64>) -> Option<()> {
    match value {
        Value::Varint(v) => out.push(*v),
        Value::Bytes(packed) => {
            let mut at = 0;
            while at < packed.len() {
                out.push(varint(packed, &mut at)?);
            }
        }
    }
    Some(())
}

/// The parts of an `OpSharding` that describe a tiled or replicated layout.
#[derive(Default)]
struct OpSharding {
    kind: u64,
    dims: Vec<u64>,
    devices: Vec<u64>,
    replicate_last: bool,
    last_tile_dims: Vec<u64>,
    iota_reshape: Vec<u64>,
    iota_perm: Vec<u64>,
    tuple: Vec<OpSharding>,
}

impl OpSharding {
    fn parse(bytes: &[u8]) -> Option<OpSharding> {
        let mut sharding = OpSharding::default();
        for (field, value) in fields(bytes)? {
            match (field, &value) {
                (TYPE, Value::Varint(v)) => sharding.kind = *v,
                (TILE_ASSIGNMENT_DIMENSIONS, _) => push_ints(&value, &mut sharding.dims)?,
                (TILE_ASSIGNMENT_DEVICES, _) => push_ints(&value, &mut sharding.devices)?,
                (TUPLE_SHARDINGS, Value::Bytes(inner)) => {
                    sharding.tuple.push(OpSharding::parse(inner)?)
                }
                (REPLICATE_ON_LAST_TILE_DIM, Value::Varint(v)) => sharding.replicate_last = *v != 0,
                (LAST_TILE_DIMS, _) => push_ints(&value, &mut sharding.last_tile_dims)?,
                (IOTA_RESHAPE_DIMS, _) => push_ints(&value, &mut sharding.iota_reshape)?,
                (IOTA_TRANSPOSE_PERM, _) => push_ints(&value, &mut sharding.iota_perm)?,
                _ => {}
            }
        }
        Some(sharding)
    }

    /// The tile assignment's devices in row-major order (expanding the iota form:
    /// `iota(reshape).transpose(perm)`).
    fn device_list(&self) -> Vec<u64> {
        if !self.devices.is_empty() || self.iota_reshape.is_empty() {
            return self.devices.clone();
        }
        let shape: Vec<u64> = self.iota_reshape.clone();
        let perm: Vec<usize> = if self.iota_perm.is_empty() {
            (0..shape.len()).collect()
        } else {
            self.iota_perm.iter().map(|&p| p as usize).collect()
        };
        let transposed: Vec<u64> = perm.iter().map(|&p| shape[p]).collect();
        let strides: Vec<u64> = (0..shape.len())
            .map(|d| shape[d + 1..].iter().product())
            .collect();
        let total: u64 = shape.iter().product();
        (0..total)
            .map(|mut flat| {
                // The coordinates in the transposed array, mapped back to the source index.
                let mut source = 0;
                for d in (0..transposed.len()).rev() {
                    let c = flat % transposed[d];
                    flat /= transposed[d];
                    source += c * strides[perm[d]];
                }
                source
            })
            .collect()
    }

    /// The `NamedSharding` of `mesh` with this layout for an array of rank `ndim`, if one has
    /// it.
    fn to_named(&self, mesh: &Mesh, ndim: usize) -> Option<NamedSharding> {
        match self.kind {
            REPLICATED => Some(NamedSharding::replicated(mesh)),
            OTHER if self.last_tile_dims.is_empty() => {
                let dims: Vec<usize> = self.dims.iter().map(|&d| d as usize).collect();
                let devices: Vec<usize> = self.device_list().iter().map(|&d| d as usize).collect();
                let want = (dims, devices, self.replicate_last);
                candidate_specs(mesh, ndim)
                    .into_iter()
                    .filter_map(|spec| NamedSharding::new(mesh, spec).ok())
                    .find(|sharding| sharding.tile_assignment(ndim).as_ref() == Some(&want))
            }
            _ => None,
        }
    }
}

/// Every spec over `ndim` dimensions that uses each mesh axis at most once, in every order.
fn candidate_specs(mesh: &Mesh, ndim: usize) -> Vec<PartitionSpec> {
    let names = mesh.axis_names();
    let mut specs = Vec::new();
    let mut order: Vec<usize> = (0..names.len()).collect();
    permutations(&mut order, 0, &mut |order| {
        // Each axis (in this order) goes to a dimension, or to none (`ndim`).
        let choices = (ndim + 1).pow(order.len() as u32);
        for mut code in 0..choices {
            let mut dims: Vec<Vec<&str>> = vec![Vec::new(); ndim];
            for &axis in order {
                let d = code % (ndim + 1);
                code /= ndim + 1;
                if d < ndim {
                    dims[d].push(names[axis].as_str());
                }
            }
            // Written as JAX writes it, without trailing unsplit dimensions.
            let used = dims
                .iter()
                .rposition(|axes| !axes.is_empty())
                .map_or(0, |i| i + 1);
            let spec = PartitionSpec::new(dims[..used].iter().map(|axes| axes.as_slice()));
            if !specs.contains(&spec) {
                specs.push(spec);
            }
        }
    });
    specs
}

fn permutations(items: &mut Vec<usize>, k: usize, visit: &mut impl FnMut(&[usize])) {
    if k == items.len() {
        visit(items);
        return;
    }
    for i in k..items.len() {
        items.swap(k, i);
        permutations(items, k + 1, visit);
        items.swap(k, i);
    }
}

/// The output sharding of an `HloModuleProto`, or of the one inside an
/// `HloModuleProtoWithConfig` (field 1), which is what the CPU plugin returns.
fn spmd_output_sharding(bytes: &[u8]) -> Option<OpSharding> {
    let fields = fields(bytes)?;
    let direct = fields.iter().find_map(|(field, value)| match value {
        Value::Bytes(bytes) if *field == SPMD_OUTPUT_SHARDING => OpSharding::parse(bytes),
        _ => None,
    });
    direct.or_else(|| {
        fields.iter().find_map(|(field, value)| match value {
            Value::Bytes(inner) if *field == HLO_MODULE => spmd_output_sharding(inner),
            _ => None,
        })
    })
}

/// The layouts of a program's outputs (ranks `ndims`) that XLA chose, from its optimized HLO
/// module; `None` for an output whose layout is not a `NamedSharding` of `mesh` (or when the
/// module does not say).
pub(crate) fn output_shardings(
    hlo_module: &[u8],
    mesh: &Mesh,
    ndims: &[usize],
) -> Vec<Option<NamedSharding>> {
    let sharding = spmd_output_sharding(hlo_module);
    let Some(sharding) = sharding else {
        return vec![None; ndims.len()];
    };
    let parts: Vec<&OpSharding> = match sharding.kind {
        TUPLE => sharding.tuple.iter().collect(),
        _ => vec![&sharding; ndims.len()],
    };
    if parts.len() != ndims.len() {
        return vec![None; ndims.len()];
    }
    parts
        .iter()
        .zip(ndims)
        .map(|(part, &ndim)| part.to_named(mesh, ndim))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A field header: field number and wire type.
    fn key(field: u8, wire: u8) -> u8 {
        field << 3 | wire
    }

    #[test]
    fn reads_xla_output_shardings_as_named_shardings() -> crate::Result<()> {
        // As XLA writes `(P('x', 'y'), P())` for two outputs on a 2x2 mesh: a tuple of an
        // iota tile assignment [2, 2] <= [4] and a replicated sharding.
        let tiled = [
            key(1, 0),
            3,
            key(3, 2),
            2,
            2,
            2,
            key(9, 2),
            1,
            4,
            key(10, 2),
            1,
            0,
        ];
        let mut tuple = vec![key(1, 0), 2, key(5, 2), tiled.len() as u8];
        tuple.extend_from_slice(&tiled);
        tuple.extend_from_slice(&[key(5, 2), 0]);
        let mut module = vec![key(2, 2), 1, b'm', key(12, 2), tuple.len() as u8];
        module.extend_from_slice(&tuple);
        let mesh = Mesh::from_default_devices(&[2, 2], &["x", "y"])?;
        let found = output_shardings(&module, &mesh, &[2, 0]);
        assert_eq!(
            found,
            vec![
                Some(NamedSharding::new(&mesh, crate::pspec!["x", "y"])?),
                Some(NamedSharding::replicated(&mesh)),
            ]
        );
        // Transposed iota: devices [0, 2, 1, 3] split dimension 0 over y, then x.
        let transposed = [
            key(1, 0),
            3,
            key(3, 2),
            1,
            4,
            key(9, 2),
            2,
            2,
            2,
            key(10, 2),
            2,
            1,
            0,
        ];
        let mut module = vec![key(12, 2), transposed.len() as u8];
        module.extend_from_slice(&transposed);
        let found = output_shardings(&module, &mesh, &[1]);
        assert_eq!(
            found,
            vec![Some(NamedSharding::new(&mesh, crate::pspec![["y", "x"]])?)]
        );
        // Malformed bytes say nothing.
        assert_eq!(output_shardings(&[0xff], &mesh, &[1]), vec![None]);
        Ok(())
    }
}
