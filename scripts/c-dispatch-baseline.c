/* The floor for rjax's dispatch benchmark: the same PJRT C API calls as
 * `benches/runtime_dispatch.rs`, in a plain C loop with no safety layer.
 *
 *   usage: c-dispatch-baseline PLUGIN.so [iterations]
 *
 * Prints microseconds per call (median of 15 batches) for:
 *   resident/ready_event       execute, then await the output's ready event (what rjax does)
 *   resident/complete_event    execute asking for a device-complete event, await it
 *   host_transfer/ready_event  transfer the input, execute, await the output's ready event
 * Built and run by scripts/bench-runtime.sh against the header xla-sys generated from. */
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "pjrt_c_api.h"

static const PJRT_Api *api;

#define ARGS(type, name) type name; memset(&name, 0, sizeof name); name.struct_size = type##_STRUCT_SIZE
#define CHECK(call) check(call, #call)

static void check(PJRT_Error *error, const char *what) {
  if (!error) return;
  ARGS(PJRT_Error_Message_Args, message);
  message.error = error;
  api->PJRT_Error_Message(&message);
  fprintf(stderr, "%s failed: %.*s\n", what, (int)message.message_size, message.message);
  exit(1);
}

static const char *SINE =
    "func.func @main(%x: tensor<3xf32>) -> tensor<3xf32> {\n"
    "  %y = \"stablehlo.sine\"(%x) : (tensor<3xf32>) -> tensor<3xf32>\n"
    "  return %y : tensor<3xf32>\n}";

static PJRT_Client *client;
static PJRT_Device *device;
static PJRT_LoadedExecutable *executable;
static const float host[3] = {0.5f, 1.0f, 2.0f};

static PJRT_Buffer *transfer(void) {
  int64_t dims[1] = {3};
  ARGS(PJRT_Client_BufferFromHostBuffer_Args, args);
  args.client = client;
  args.data = host;
  args.type = PJRT_Buffer_Type_F32;
  args.dims = dims;
  args.num_dims = 1;
  args.host_buffer_semantics = PJRT_HostBufferSemantics_kImmutableOnlyDuringCall;
  args.device = device;
  CHECK(api->PJRT_Client_BufferFromHostBuffer(&args));
  if (args.done_with_host_buffer) {
    ARGS(PJRT_Event_Destroy_Args, destroy);
    destroy.event = args.done_with_host_buffer;
    CHECK(api->PJRT_Event_Destroy(&destroy));
  }
  return args.buffer;
}

static void await_and_destroy(PJRT_Event *event) {
  ARGS(PJRT_Event_Await_Args, wait);
  wait.event = event;
  CHECK(api->PJRT_Event_Await(&wait));
  ARGS(PJRT_Event_Destroy_Args, destroy);
  destroy.event = event;
  CHECK(api->PJRT_Event_Destroy(&destroy));
}

static void destroy_buffer(PJRT_Buffer *buffer) {
  ARGS(PJRT_Buffer_Destroy_Args, destroy);
  destroy.buffer = buffer;
  CHECK(api->PJRT_Buffer_Destroy(&destroy));
}

/* One call: execute on `input`, wait for the output, free it. */
static void run_once(PJRT_Buffer *input, int complete_event) {
  static const int64_t not_donated[1] = {0};
  PJRT_Buffer *const args_list[1] = {input};
  PJRT_Buffer *const *argument_lists[1] = {args_list};
  PJRT_Buffer *outputs[1] = {NULL};
  PJRT_Buffer **output_lists[1] = {outputs};
  PJRT_Event *done[1] = {NULL};
  ARGS(PJRT_ExecuteOptions, options);
  options.non_donatable_input_indices = not_donated;
  options.num_non_donatable_input_indices = 1;
  ARGS(PJRT_LoadedExecutable_Execute_Args, args);
  args.executable = executable;
  args.options = &options;
  args.argument_lists = argument_lists;
  args.num_devices = 1;
  args.num_args = 1;
  args.output_lists = output_lists;
  args.device_complete_events = complete_event ? done : NULL;
  CHECK(api->PJRT_LoadedExecutable_Execute(&args));
  if (complete_event) {
    await_and_destroy(done[0]);
  } else {
    ARGS(PJRT_Buffer_ReadyEvent_Args, ready);
    ready.buffer = outputs[0];
    CHECK(api->PJRT_Buffer_ReadyEvent(&ready));
    await_and_destroy(ready.event);
  }
  destroy_buffer(outputs[0]);
}

static double now_us(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec * 1e6 + t.tv_nsec / 1e3;
}

static int compare(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

static void measure(const char *name, int mode, PJRT_Buffer *resident, int iterations) {
  enum { BATCHES = 15 };
  double per_call[BATCHES];
  for (int batch = -2; batch < BATCHES; batch++) { /* two warm-up batches */
    double start = now_us();
    for (int i = 0; i < iterations; i++) {
      if (mode == 2) {
        PJRT_Buffer *input = transfer();
        run_once(input, 0);
        destroy_buffer(input);
      } else {
        run_once(resident, mode == 1);
      }
    }
    if (batch >= 0) per_call[batch] = (now_us() - start) / iterations;
  }
  qsort(per_call, BATCHES, sizeof(double), compare);
  printf("c-baseline %-28s %8.3f us/call (median of %d batches of %d)\n", name,
         per_call[BATCHES / 2], BATCHES, iterations);
}

int main(int argc, char **argv) {
  if (argc < 2) {
    fprintf(stderr, "usage: %s PLUGIN.so [iterations]\n", argv[0]);
    return 2;
  }
  int iterations = argc > 2 ? atoi(argv[2]) : 20000;
  void *library = dlopen(argv[1], RTLD_LAZY | RTLD_LOCAL);
  if (!library) {
    fprintf(stderr, "dlopen: %s\n", dlerror());
    return 1;
  }
  const PJRT_Api *(*get_api)(void) = (const PJRT_Api *(*)(void))dlsym(library, "GetPjrtApi");
  api = get_api();
  ARGS(PJRT_Plugin_Initialize_Args, init);
  CHECK(api->PJRT_Plugin_Initialize(&init));

  ARGS(PJRT_Client_Create_Args, create);
  CHECK(api->PJRT_Client_Create(&create));
  client = create.client;
  ARGS(PJRT_Client_AddressableDevices_Args, devices);
  devices.client = client;
  CHECK(api->PJRT_Client_AddressableDevices(&devices));
  device = devices.addressable_devices[0];

  /* executable_build_options { device_ordinal: -1, num_replicas: 1, num_partitions: 1 } */
  static const char options[] = {0x1a, 15, 0x08, (char)0xff, (char)0xff, (char)0xff, (char)0xff,
                                 (char)0xff, (char)0xff, (char)0xff, (char)0xff, (char)0xff, 0x01,
                                 0x20, 0x01, 0x28, 0x01};
  ARGS(PJRT_Program, program);
  program.code = (char *)SINE;
  program.code_size = strlen(SINE);
  program.format = "mlir";
  program.format_size = 4;
  ARGS(PJRT_Client_Compile_Args, compile);
  compile.client = client;
  compile.program = &program;
  compile.compile_options = options;
  compile.compile_options_size = sizeof options;
  CHECK(api->PJRT_Client_Compile(&compile));
  executable = compile.executable;

  PJRT_Buffer *resident = transfer();
  measure("resident/ready_event", 0, resident, iterations);
  measure("resident/complete_event", 1, resident, iterations);
  measure("host_transfer/ready_event", 2, resident, iterations);
  return 0;
}
