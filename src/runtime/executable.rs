//! `PJRT_LoadedExecutable`: compiling StableHLO and executing it, asynchronously, on one device
//! or on several (one argument list per device), with optional donation of inputs.

use std::ptr::{NonNull, null_mut};

use xla_sys as sys;
use xla_sys::PjrtStruct;

use super::buffer::Buffer;
use super::live::EXECUTABLES;
use super::plugin::pjrt_call;
use super::signature::{ParameterType, main_parameters};
use super::{Client, CompileOptions, Device, Plugin};
use crate::{Error, Result};

/// The program format rjax compiles: MLIR (StableHLO text or bytecode).
const PROGRAM_FORMAT: &str = "mlir";

/// Indices `0..N`, the usual "no argument is donated" list, so execution needs no allocation
/// for it.
const NOT_DONATED: [i64; 256] = {
    let mut indices = [0i64; 256];
    let mut i = 0;
    while i < indices.len() {
        indices[i] = i as i64;
        i += 1;
    }
    indices
};

/// A compiled program, ready to run on its client's devices. Destroyed on drop; it holds its
/// client alive.
pub struct LoadedExecutable {
    client: Client,
    raw: NonNull<sys::PJRT_LoadedExecutable>,
    num_outputs: usize,
    options: CompileOptions,
    devices: Vec<usize>,
    /// `main`'s parameter types, when they could be read from the program text.
    parameters: Option<Vec<ParameterType>>,
}

// SAFETY: PJRT executables are immutable once compiled and are executed concurrently from many
// threads by JAX; the Rust fields are immutable.
unsafe impl Send for LoadedExecutable {}
// SAFETY: as for Send.
unsafe impl Sync for LoadedExecutable {}

/// One argument of [`LoadedExecutable::execute_donating`].
#[derive(Debug)]
pub enum Argument<'a> {
    /// An input the program only reads.
    Borrowed(&'a Buffer),
    /// An input whose memory the program may reuse for an output; the buffer is consumed.
    Donated(Buffer),
}

impl Argument<'_> {
    fn buffer(&self) -> &Buffer {
        match self {
            Argument::Borrowed(buffer) => buffer,
            Argument::Donated(buffer) => buffer,
        }
    }
}

impl Client {
    /// Compiles `program`, StableHLO (or any MLIR the plugin accepts) as text.
    ///
    /// A program the plugin rejects returns `Err` with the plugin's own message (the parser's
    /// or the verifier's).
    pub fn compile(&self, program: &str, options: &CompileOptions) -> Result<LoadedExecutable> {
        // An SPMD program's parameters are per-device blocks, not `main`'s global types.
        let parameters = (options.num_partitions <= 1)
            .then(|| main_parameters(program))
            .flatten();
        self.compile_program(program.as_bytes(), options, parameters)
    }

    /// Compiles `program`, MLIR bytecode: a StableHLO portable artifact such as
    /// `jax.export`'s `mlir_module_serialized` (or text, which the plugin also accepts).
    ///
    /// Arguments of the executable are not checked against `main`'s signature, which bytecode
    /// does not expose; callers check them against the types they know. A program the plugin
    /// rejects (including a StableHLO version newer than it supports) returns `Err` with the
    /// plugin's message.
    pub fn compile_bytecode(
        &self,
        program: &[u8],
        options: &CompileOptions,
    ) -> Result<LoadedExecutable> {
        self.compile_program(program, options, None)
    }

    /// Compiles MLIR `program` (text or bytecode) with `main`'s `parameters` when known.
    fn compile_program(
        &self,
        program: &[u8],
        options: &CompileOptions,
        parameters: Option<Vec<ParameterType>>,
    ) -> Result<LoadedExecutable> {
        let encoded_options = options.encode();
        let mut code = sys::PJRT_Program::zeroed_sized();
        // The plugin only reads the program; the header types it as mutable for no reason.
        code.code = program.as_ptr().cast_mut().cast();
        code.code_size = program.len();
        code.format = PROGRAM_FORMAT.as_ptr().cast();
        code.format_size = PROGRAM_FORMAT.len();
        let mut args = sys::PJRT_Client_Compile_Args::zeroed_sized();
        args.client = self.raw();
        args.program = &code;
        args.compile_options = encoded_options.as_ptr().cast();
        args.compile_options_size = encoded_options.len();
        // SAFETY: the program bytes, format and options live through the call, which only
        // reads them; the client is live.
        unsafe { pjrt_call!(self.plugin(), PJRT_Client_Compile, &mut args) }?;
        LoadedExecutable::own(self, args.executable, options, parameters)
    }

    /// Loads an executable serialized by [`LoadedExecutable::serialize`] (by this plugin and
    /// version), skipping compilation. `program`, the text it was compiled from, lets
    /// arguments be checked against `main`'s signature.
    pub fn deserialize_executable(
        &self,
        serialized: &[u8],
        options: &CompileOptions,
        program: Option<&str>,
    ) -> Result<LoadedExecutable> {
        let mut args = sys::PJRT_Executable_DeserializeAndLoad_Args::zeroed_sized();
        args.client = self.raw();
        args.serialized_executable = serialized.as_ptr().cast();
        args.serialized_executable_size = serialized.len();
        // SAFETY: the bytes live through the call, which only reads them; the client is live.
        unsafe { pjrt_call!(self.plugin(), PJRT_Executable_DeserializeAndLoad, &mut args) }?;
        LoadedExecutable::own(
            self,
            args.loaded_executable,
            options,
            program.and_then(main_parameters),
        )
    }
}

impl LoadedExecutable {
    /// Takes ownership of a loaded executable the plugin returned, and reads what execution
    /// needs to know about it.
    fn own(
        client: &Client,
        raw: *mut sys::PJRT_LoadedExecutable,
        options: &CompileOptions,
        parameters: Option<Vec<ParameterType>>,
    ) -> Result<LoadedExecutable> {
        let raw = NonNull::new(raw).expect("PJRT returned a null executable on success");
        EXECUTABLES.created();
        // Owned from here on: an error below drops and destroys it.
        let mut executable = LoadedExecutable {
            client: client.clone(),
            raw,
            num_outputs: 0,
            options: options.clone(),
            devices: Vec::new(),
            parameters,
        };
        executable.num_outputs = executable.with_executable(|plugin, raw| {
            let mut outputs = sys::PJRT_Executable_NumOutputs_Args::zeroed_sized();
            outputs.executable = raw;
            // SAFETY: `raw` is live for the duration of this closure.
            unsafe { pjrt_call!(plugin, PJRT_Executable_NumOutputs, &mut outputs) }?;
            Ok(outputs.num_outputs)
        })?;
        executable.devices = executable.read_devices()?;
        Ok(executable)
    }

    /// Runs `query` on the `PJRT_Executable` behind this loaded executable, destroying that
    /// handle afterwards whatever the outcome.
    fn with_executable<R>(
        &self,
        query: impl FnOnce(&Plugin, *mut sys::PJRT_Executable) -> Result<R>,
    ) -> Result<R> {
        let plugin = self.client.plugin();
        let mut get = sys::PJRT_LoadedExecutable_GetExecutable_Args::zeroed_sized();
        get.loaded_executable = self.raw.as_ptr();
        // SAFETY: the loaded executable is live; the handle it returns is ours to destroy.
        unsafe { pjrt_call!(plugin, PJRT_LoadedExecutable_GetExecutable, &mut get) }?;
        let result = query(plugin, get.executable);
        let mut destroy = sys::PJRT_Executable_Destroy_Args::zeroed_sized();
        destroy.executable = get.executable;
        // SAFETY: the handle came from GetExecutable above and is destroyed exactly once.
        unsafe { pjrt_call!(plugin, PJRT_Executable_Destroy, &mut destroy) }?;
        result
    }

    /// The size of the machine code the plugin generated for this program, in bytes
    /// (`PJRT_Executable_SizeOfGeneratedCodeInBytes`); `None` where the plugin does not say
    /// (it reports -1). The in-memory executable caches weigh entries by it.
    pub fn generated_code_size(&self) -> Result<Option<usize>> {
        self.with_executable(|plugin, raw| {
            let mut args = sys::PJRT_Executable_SizeOfGeneratedCodeInBytes_Args::zeroed_sized();
            args.executable = raw;
            // SAFETY: `raw` is live for the duration of this closure; the call only writes
            // `size_in_bytes`.
            unsafe {
                pjrt_call!(
                    plugin,
                    PJRT_Executable_SizeOfGeneratedCodeInBytes,
                    &mut args
                )
            }?;
            Ok(usize::try_from(args.size_in_bytes).ok())
        })
    }

    /// The compiled program as bytes that [`Client::deserialize_executable`] loads again (by
    /// the same plugin and version): the basis of the persistent compilation cache.
    pub fn serialize(&self) -> Result<Vec<u8>> {
        self.with_executable(|plugin, raw| {
            let mut args = sys::PJRT_Executable_Serialize_Args::zeroed_sized();
            args.executable = raw;
            // SAFETY: `raw` is live; the plugin lends the bytes until the deleter runs, and
            // they are copied before it is called, once.
            unsafe {
                pjrt_call!(plugin, PJRT_Executable_Serialize, &mut args)?;
                let bytes = if args.serialized_bytes.is_null() {
                    Vec::new()
                } else {
                    std::slice::from_raw_parts(
                        args.serialized_bytes.cast::<u8>(),
                        args.serialized_bytes_size,
                    )
                    .to_vec()
                };
                if let Some(deleter) = args.serialized_executable_deleter {
                    deleter(args.serialized_executable);
                }
                Ok(bytes)
            }
        })
    }

    /// The program as XLA optimized it, a serialized `HloModuleProto` (for an SPMD program,
    /// after partitioning: it records the shardings XLA chose for the outputs).
    pub fn optimized_program(&self) -> Result<Vec<u8>> {
        self.with_executable(|plugin, raw| {
            const HLO: &str = "hlo";
            let mut program = sys::PJRT_Program::zeroed_sized();
            program.format = HLO.as_ptr().cast();
            program.format_size = HLO.len();
            let mut args = sys::PJRT_Executable_OptimizedProgram_Args::zeroed_sized();
            args.executable = raw;
            args.program = &mut program;
            // SAFETY: `raw` is live; with a null `code` the plugin only reports the size.
            unsafe { pjrt_call!(plugin, PJRT_Executable_OptimizedProgram, &mut args) }?;
            let mut code = vec![0u8; program.code_size];
            program.code = code.as_mut_ptr().cast();
            // SAFETY: `code` has the `code_size` bytes the first call asked for and outlives
            // this call, which writes at most that many.
            unsafe { pjrt_call!(plugin, PJRT_Executable_OptimizedProgram, &mut args) }?;
            code.truncate(program.code_size);
            Ok(code)
        })
    }

    fn read_devices(&self) -> Result<Vec<usize>> {
        let mut args = sys::PJRT_LoadedExecutable_AddressableDevices_Args::zeroed_sized();
        args.executable = self.raw.as_ptr();
        // SAFETY: the executable is live; the device list it lends is copied at once.
        let raw_devices = unsafe {
            pjrt_call!(
                self.client.plugin(),
                PJRT_LoadedExecutable_AddressableDevices,
                &mut args
            )?;
            if args.addressable_devices.is_null() {
                &[]
            } else {
                std::slice::from_raw_parts(args.addressable_devices, args.num_addressable_devices)
            }
        };
        Ok(raw_devices
            .iter()
            .filter_map(|&raw| self.client.device_index(raw))
            .collect())
    }

    /// The client that compiled the program.
    pub fn client(&self) -> &Client {
        &self.client
    }

    /// The number of outputs per device (a tuple result counts its elements).
    pub fn num_outputs(&self) -> usize {
        self.num_outputs
    }

    /// The options the program was compiled with.
    pub fn options(&self) -> &CompileOptions {
        &self.options
    }

    /// The devices the program runs on, one per replica and partition (empty when portable).
    pub fn devices(&self) -> Vec<Device> {
        self.devices
            .iter()
            .map(|&index| Device::new(self.client.clone(), index))
            .collect()
    }

    /// Runs a single-device program. Returns the outputs at once; they are filled
    /// asynchronously ([`Buffer::block_until_ready`] waits). A portable program runs on the
    /// client's first device.
    pub fn execute(&self, args: &[&Buffer]) -> Result<Vec<Buffer>> {
        let device = self.default_device();
        self.launch_single(
            device.as_ref(),
            args.iter().copied(),
            &not_donated(args.len()),
        )
    }

    /// Runs a portable program (compiled with `portable: true`) on `device`.
    pub fn execute_on(&self, device: &Device, args: &[&Buffer]) -> Result<Vec<Buffer>> {
        if !self.options.portable {
            return Err(Error::invalid(
                "execute_on",
                "the executable was not compiled as portable; compile with `portable: true`",
            ));
        }
        if !device.client().same_as(&self.client) {
            return Err(Error::invalid(
                "execute_on",
                format!("device {device:?} belongs to another client"),
            ));
        }
        self.launch_single(Some(device), args.iter().copied(), &not_donated(args.len()))
    }

    /// Runs a single-device program whose [`Argument::Donated`] inputs it may overwrite.
    /// Donated buffers are consumed: PJRT invalidates them when the execution starts.
    pub fn execute_donating(&self, args: Vec<Argument<'_>>) -> Result<Vec<Buffer>> {
        let kept: Vec<i64> = args
            .iter()
            .enumerate()
            .filter(|(_, arg)| matches!(arg, Argument::Borrowed(_)))
            .map(|(index, _)| index as i64)
            .collect();
        let device = self.default_device();
        self.launch_single(device.as_ref(), args.iter().map(Argument::buffer), &kept)
        // `args` drops here, destroying the donated buffers' handles.
    }

    /// Runs a program compiled for several devices: `args[d]` is the argument list of the
    /// executable's `d`-th device ([`Self::devices`]); returns the outputs per device.
    pub fn execute_replicated(&self, args: &[Vec<&Buffer>]) -> Result<Vec<Vec<Buffer>>> {
        let expected = self.devices.len().max(1);
        if args.len() != expected {
            return Err(Error::invalid(
                "execute",
                format!(
                    "{} argument lists given for an executable that runs on {expected} device(s)",
                    args.len()
                ),
            ));
        }
        let num_args = args.first().map_or(0, Vec::len);
        let raw = args
            .iter()
            .map(|list| {
                let mut raw = vec![null_mut(); list.len()];
                self.check_arguments(list.iter().copied(), &mut raw)?;
                Ok(raw)
            })
            .collect::<Result<Vec<_>>>()?;
        if let Some(list) = raw.iter().find(|list| list.len() != num_args) {
            return Err(Error::invalid(
                "execute",
                format!(
                    "argument lists differ in length ({num_args} and {})",
                    list.len()
                ),
            ));
        }
        let argument_lists: Vec<_> = raw.iter().map(|list| list.as_ptr()).collect();
        let mut outputs = vec![vec![null_mut(); self.num_outputs]; args.len()];
        let output_lists: Vec<_> = outputs.iter_mut().map(|list| list.as_mut_ptr()).collect();
        // SAFETY: each argument list holds `num_args` checked buffers of this client, and each
        // output list has room for `num_outputs` buffers; all outlive the call.
        unsafe {
            self.launch(
                None,
                &argument_lists,
                num_args,
                &output_lists,
                &not_donated(num_args),
            )
        }?;
        Ok(outputs
            .into_iter()
            .map(|list| self.own_outputs(&list))
            .collect())
    }

    /// The device a single-device launch names: the first one for a portable program, none
    /// (the compiled assignment) otherwise.
    fn default_device(&self) -> Option<Device> {
        if self.options.portable {
            self.client.device(0)
        } else {
            None
        }
    }

    /// Checks `args` (each belongs to this client and, where `main`'s signature is known,
    /// has its parameter's dtype and shape) and writes their raw pointers into `raw`.
    fn check_arguments<'b>(
        &self,
        args: impl ExactSizeIterator<Item = &'b Buffer>,
        raw: &mut [*mut sys::PJRT_Buffer],
    ) -> Result<()> {
        if let Some(parameters) = &self.parameters
            && args.len() != parameters.len()
        {
            return Err(Error::invalid(
                "execute",
                format!(
                    "{} arguments given to a program with {} parameters",
                    args.len(),
                    parameters.len()
                ),
            ));
        }
        for ((index, buffer), slot) in args.enumerate().zip(raw) {
            if !buffer.client().same_as(&self.client) {
                return Err(Error::invalid(
                    "execute",
                    format!("argument {index} belongs to another client"),
                ));
            }
            if let Some((dtype, dims)) = self.parameters.as_ref().map(|p| &p[index])
                && (buffer.dtype()? != *dtype || buffer.dims()? != dims.as_slice())
            {
                return Err(Error::invalid(
                    "execute",
                    format!(
                        "argument {index} is {}{:?}, but the program's parameter is {dtype}{dims:?}",
                        buffer.dtype()?,
                        buffer.dims()?
                    ),
                ));
            }
            *slot = buffer.raw();
        }
        Ok(())
    }

    /// One launch on one device, with the pointer arrays on the stack for up to
    /// [`INLINE`] arguments and outputs: the dispatch hot path allocates only the result.
    fn launch_single<'b>(
        &self,
        device: Option<&Device>,
        args: impl ExactSizeIterator<Item = &'b Buffer>,
        non_donatable: &[i64],
    ) -> Result<Vec<Buffer>> {
        if device.is_none() && self.devices.len() > 1 {
            return Err(Error::invalid(
                "execute",
                format!(
                    "the executable runs on {} devices; use execute_replicated",
                    self.devices.len()
                ),
            ));
        }
        let num_args = args.len();
        let mut inline_args = [null_mut(); INLINE];
        let mut heap_args = Vec::new();
        let raw_args = if num_args <= INLINE {
            &mut inline_args[..num_args]
        } else {
            heap_args.resize(num_args, null_mut());
            &mut heap_args[..]
        };
        self.check_arguments(args, raw_args)?;
        let mut inline_outputs = [null_mut(); INLINE];
        let mut heap_outputs = Vec::new();
        let outputs = if self.num_outputs <= INLINE {
            &mut inline_outputs[..self.num_outputs]
        } else {
            heap_outputs.resize(self.num_outputs, null_mut());
            &mut heap_outputs[..]
        };
        // SAFETY: `raw_args` holds `num_args` checked buffers of this client and `outputs`
        // has room for `num_outputs` buffers; both outlive the call.
        unsafe {
            self.launch(
                device,
                &[raw_args.as_ptr()],
                num_args,
                &[outputs.as_mut_ptr()],
                non_donatable,
            )
        }?;
        Ok(self.own_outputs(outputs))
    }

    /// Takes ownership of the output buffers a launch filled in.
    fn own_outputs(&self, outputs: &[*mut sys::PJRT_Buffer]) -> Vec<Buffer> {
        outputs
            .iter()
            .map(|&raw| Buffer::from_raw(&self.client, raw))
            .collect()
    }

    /// Calls `PJRT_LoadedExecutable_Execute`.
    ///
    /// # Safety
    /// Each of `argument_lists` must point at `num_args` live buffers of this client, and
    /// each of `output_lists` at room for `num_outputs` buffer pointers, which the caller owns
    /// after a successful return.
    unsafe fn launch(
        &self,
        device: Option<&Device>,
        argument_lists: &[*const *mut sys::PJRT_Buffer],
        num_args: usize,
        output_lists: &[*mut *mut sys::PJRT_Buffer],
        non_donatable: &[i64],
    ) -> Result<()> {
        let mut options = sys::PJRT_ExecuteOptions::zeroed_sized();
        options.non_donatable_input_indices = non_donatable.as_ptr();
        options.num_non_donatable_input_indices = non_donatable.len();
        let mut args = sys::PJRT_LoadedExecutable_Execute_Args::zeroed_sized();
        args.executable = self.raw.as_ptr();
        args.options = &mut options;
        args.argument_lists = argument_lists.as_ptr();
        args.num_devices = argument_lists.len();
        args.num_args = num_args;
        args.output_lists = output_lists.as_ptr();
        // No device-complete events: each output's own ready event tells when it is computed,
        // and not asking for them saves an event per device per call.
        args.device_complete_events = null_mut();
        args.execute_device = device.map_or(null_mut(), Device::raw);
        // SAFETY: the caller vouches for the argument and output arrays; `options` lives
        // through the call.
        unsafe {
            pjrt_call!(
                self.client.plugin(),
                PJRT_LoadedExecutable_Execute,
                &mut args
            )
        }
    }
}

/// Up to this many arguments or outputs, a single-device launch keeps its pointer arrays on the
/// stack.
const INLINE: usize = 16;

/// The non-donatable list for `count` arguments when none is donated.
fn not_donated(count: usize) -> std::borrow::Cow<'static, [i64]> {
    match NOT_DONATED.get(..count) {
        Some(indices) => indices.into(),
        None => (0..count as i64).collect::<Vec<_>>().into(),
    }
}

impl Drop for LoadedExecutable {
    fn drop(&mut self) {
        let mut args = sys::PJRT_LoadedExecutable_Destroy_Args::zeroed_sized();
        args.executable = self.raw.as_ptr();
        // SAFETY: `self` owns the executable, and this is the one place it is destroyed.
        let result = unsafe {
            pjrt_call!(
                self.client.plugin(),
                PJRT_LoadedExecutable_Destroy,
                &mut args
            )
        };
        EXECUTABLES.destroyed(result);
    }
}

impl std::fmt::Debug for LoadedExecutable {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LoadedExecutable")
            .field("num_outputs", &self.num_outputs)
            .field("options", &self.options)
            .finish()
    }
}
