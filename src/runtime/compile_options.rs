//! A hand-written encoder for the few fields of `xla.CompileOptionsProto` that rjax sets.
//!
//! The proto is small and stable, so a varint writer replaces a protobuf toolchain. Field
//! numbers are those of `xla/pjrt/proto/compile_options.proto` and `xla/xla.proto`
//! (`ExecutableBuildOptionsProto`). Proto defaults of zero are *not* what PJRT wants for the
//! replica and partition counts, so both are always written; an empty message crashes the CPU
//! plugin. Like JAX, every compilation also overrides XLA's fast min/max debug options (see
//! [`OVERRIDES`]).

/// How to compile a program: how many replicas and partitions it runs as, and on which devices.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct CompileOptions {
    /// Copies of the program run in data-parallel fashion (one per device, argument lists per
    /// device).
    pub num_replicas: usize,
    /// Partitions of one SPMD program.
    pub num_partitions: usize,
    /// Compile for any single device: the device is then chosen at execution
    /// ([`LoadedExecutable::execute_on`](super::LoadedExecutable::execute_on)).
    pub portable: bool,
    /// Partition the program with XLA's SPMD partitioner according to its sharding annotations.
    pub use_spmd_partitioning: bool,
    /// The device id of each partition (one replica), as XLA's `DeviceAssignmentProto`;
    /// `None` lets the plugin choose.
    pub device_assignment: Option<Vec<i64>>,
    /// Per output, whether XLA's sharding propagation chooses its layout (the program's
    /// annotation otherwise); empty: none.
    pub propagate_output_shardings: Vec<bool>,
}

impl Default for CompileOptions {
    fn default() -> Self {
        CompileOptions {
            num_replicas: 1,
            num_partitions: 1,
            portable: false,
            use_spmd_partitioning: false,
            device_assignment: None,
            propagate_output_shardings: Vec::new(),
        }
    }
}

// CompileOptionsProto fields.
const EXECUTABLE_BUILD_OPTIONS: u32 = 3;
const COMPILE_PORTABLE_EXECUTABLE: u32 = 4;
const ENV_OPTION_OVERRIDES: u32 = 7;
// Map entries, and OptionOverrideProto's bool value.
const MAP_KEY: u32 = 1;
const MAP_VALUE: u32 = 2;
const OVERRIDE_BOOL: u32 = 2;

/// Debug options JAX overrides on every compilation: XLA's "fast" min/max ignore NaN and the
/// sign of zero (the CPU plugin turns it on by default), while JAX's `max`/`min` propagate NaN.
const OVERRIDES: [(&str, bool); 2] = [
    ("xla_cpu_enable_fast_min_max", false),
    ("xla_gpu_enable_fast_min_max", false),
];
// ExecutableBuildOptionsProto fields.
const DEVICE_ORDINAL: u32 = 1;
const NUM_REPLICAS: u32 = 4;
const NUM_PARTITIONS: u32 = 5;
const USE_SPMD_PARTITIONING: u32 = 6;
const DEVICE_ASSIGNMENT: u32 = 9;
const ALLOW_SPMD_SHARDING_PROPAGATION_TO_OUTPUT: u32 = 12;
// DeviceAssignmentProto fields, and ComputationDevice's.
const REPLICA_COUNT: u32 = 1;
const COMPUTATION_COUNT: u32 = 2;
const COMPUTATION_DEVICES: u32 = 3;
const REPLICA_DEVICE_IDS: u32 = 1;

const WIRE_VARINT: u32 = 0;
const WIRE_LEN: u32 = 2;

impl CompileOptions {
    /// The options serialised as a `CompileOptionsProto`.
    pub fn encode(&self) -> Vec<u8> {
        let mut build = Vec::with_capacity(24);
        // -1: let PJRT pick the device; negative int64 varints take ten bytes.
        varint_field(&mut build, DEVICE_ORDINAL, -1i64 as u64);
        varint_field(&mut build, NUM_REPLICAS, self.num_replicas as u64);
        varint_field(&mut build, NUM_PARTITIONS, self.num_partitions as u64);
        if self.use_spmd_partitioning {
            varint_field(&mut build, USE_SPMD_PARTITIONING, 1);
        }
        if let Some(devices) = &self.device_assignment {
            let mut assignment = Vec::new();
            varint_field(&mut assignment, REPLICA_COUNT, 1);
            varint_field(&mut assignment, COMPUTATION_COUNT, devices.len() as u64);
            for &device in devices {
                let mut computation = Vec::new();
                varint_field(&mut computation, REPLICA_DEVICE_IDS, device as u64);
                bytes_field(&mut assignment, COMPUTATION_DEVICES, &computation);
            }
            bytes_field(&mut build, DEVICE_ASSIGNMENT, &assignment);
        }
        for &propagate in &self.propagate_output_shardings {
            varint_field(
                &mut build,
                ALLOW_SPMD_SHARDING_PROPAGATION_TO_OUTPUT,
                u64::from(propagate),
            );
        }
        let mut proto = Vec::with_capacity(build.len() + 96);
        bytes_field(&mut proto, EXECUTABLE_BUILD_OPTIONS, &build);
        if self.portable {
            varint_field(&mut proto, COMPILE_PORTABLE_EXECUTABLE, 1);
        }
        for (name, value) in OVERRIDES {
            let mut option = Vec::new();
            varint_field(&mut option, OVERRIDE_BOOL, u64::from(value));
            let mut entry = Vec::new();
            bytes_field(&mut entry, MAP_KEY, name.as_bytes());
            bytes_field(&mut entry, MAP_VALUE, &option);
            bytes_field(&mut proto, ENV_OPTION_OVERRIDES, &entry);
        }
        proto
    }
}

fn varint_field(out: &mut Vec<u8>, field: u32, value: u64) {
    varint(out, u64::from(field << 3 | WIRE_VARINT));
    varint(out, value);
}

fn bytes_field(out: &mut Vec<u8>, field: u32, bytes: &[u8]) {
    varint(out, u64::from(field << 3 | WIRE_LEN));
    varint(out, bytes.len() as u64);
    out.extend_from_slice(bytes);
}

fn varint(out: &mut Vec<u8>, mut value: u64) {
    while value >= 0x80 {
        out.push((value as u8 & 0x7f) | 0x80);
        value >>= 7;
    }
    out.push(value as u8);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_options_encode_as_the_verified_bytes_plus_the_device_ordinal() {
        // DESIGN.md §0: `1a 04 20 01 28 01` (replicas 1, partitions 1) works; the device
        // ordinal -1 adds `08` and ten varint bytes, making the nested message 15 bytes.
        let mut expected = vec![0x1a, 15, 0x08];
        expected.extend_from_slice(&[0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01]);
        expected.extend_from_slice(&[0x20, 0x01, 0x28, 0x01]);
        // env_option_overrides { key: "xla_cpu_enable_fast_min_max" value { bool_field: false } },
        // then the same for the GPU option.
        for name in ["xla_cpu_enable_fast_min_max", "xla_gpu_enable_fast_min_max"] {
            let entry_len = 2 + name.len() + 4;
            expected.extend_from_slice(&[0x3a, entry_len as u8, 0x0a, name.len() as u8]);
            expected.extend_from_slice(name.as_bytes());
            expected.extend_from_slice(&[0x12, 0x02, 0x10, 0x00]);
        }
        assert_eq!(CompileOptions::default().encode(), expected);
    }

    #[test]
    fn multi_byte_varints_and_optional_fields() {
        let options = CompileOptions {
            num_replicas: 300,
            num_partitions: 2,
            portable: true,
            use_spmd_partitioning: true,
            device_assignment: None,
            propagate_output_shardings: Vec::new(),
        };
        let bytes = options.encode();
        // 300 = 0b1_0010_1100 → ac 02.
        assert!(bytes.windows(3).any(|w| w == [0x20, 0xac, 0x02]));
        assert!(bytes.windows(2).any(|w| w == [0x30, 0x01]));
        // compile_portable_executable follows the build options.
        let build_len = usize::from(bytes[1]);
        assert_eq!(&bytes[2 + build_len..4 + build_len], &[0x20, 0x01]);
    }
}
