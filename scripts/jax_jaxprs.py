"""JAX's side of scripts/compare-jaxprs.sh: `jax.make_jaxpr` of the notebook's differentiated
functions, at the small sizes of examples/jaxprs.rs, each under a header line `=== name` (the
same names as the Rust example). x64 is on, as in the notebook: everything is float64.

- f(x, A, b) = ||Ax - b||^2 with n = m = 4: grad w.r.t. x and w.r.t. A, hessian, jacfwd and
  jacrev w.r.t. x, and jacrev(jacrev(f));
- fvec(x, A, b) = softmax(Ax + b) with (m, n) = (4, 3): jacfwd and jacrev w.r.t. x;
- hvp(x, z, A, b) = jvp(grad(f(., A, b)), (x,), (z,))[1] with n = m = 4.

Usage:
  python3 scripts/jax_jaxprs.py                 # the jaxprs as jax.make_jaxpr prints them
  python3 scripts/jax_jaxprs.py --dce           # after dead-code elimination (what jit lowers)
  python3 scripts/jax_jaxprs.py --notebook-fvec # fvec spelled as the notebook does (exp twice)
  XLA_FLAGS=--xla_dump_to=DIR python3 scripts/jax_jaxprs.py --compile
      # also compile each function; XLA writes module jit_<name>'s optimised HLO to DIR
  python3 scripts/jax_jaxprs.py --count LABEL=FILE [LABEL=FILE ...]
      # equations per primitive of each function, one column per file of `=== name` sections
  XLA_FLAGS=--xla_dump_to=DIR python3 scripts/jax_jaxprs.py --compile-stablehlo MLIR_DIR
      # compile rjax's modules MLIR_DIR/<name>.mlir (examples/jaxprs.rs --stablehlo) with JAX's XLA
  python3 scripts/jax_jaxprs.py --hlo LABEL=DIR [LABEL=DIR ...]
      # what XLA made of each function: the optimised HLO modules jit_<name> dumped in DIR
"""
import argparse
import glob
import os
import re
import sys
from collections import Counter


def f(x, A, b):
    res = A @ x - b
    return res @ res


def fvec(x, A, b):
    """The softmax of Ax + b with `exp(y - max(y))` computed once, as examples/jaxprs.rs does."""
    import jax.numpy as jnp

    y = A @ x + b
    e = jnp.exp(y - jnp.max(y))
    return e / jnp.sum(e)


def fvec_notebook(x, A, b):
    """The notebook's spelling, which computes `exp(y - max(y))` twice."""
    import jax.numpy as jnp

    y = A @ x + b
    return jnp.exp(y - jnp.max(y)) / jnp.sum(jnp.exp(y - jnp.max(y)))


def hvp(x, z, A, b):
    import jax

    return jax.jvp(jax.grad(lambda x: f(x, A, b)), (x,), (z,))[1]


def functions(softmax):
    """(name, function, example arguments) for every compared function."""
    import jax
    import numpy as np

    n, m = 4, 4
    args = (np.zeros(n), np.zeros((m, n)), np.zeros(m))
    n, m = 3, 4
    vec_args = (np.zeros(n), np.zeros((m, n)), np.zeros(m))
    n, m = 4, 4
    hvp_args = (np.zeros(n), np.zeros(n), np.zeros((m, n)), np.zeros(m))
    return [
        ("f", f, args),
        ("grad_f_x", jax.grad(f, argnums=0), args),
        ("grad_f_A", jax.grad(f, argnums=1), args),
        ("hessian_f_x", jax.hessian(f, argnums=0), args),
        ("jacfwd_f_x", jax.jacfwd(f, argnums=0), args),
        ("jacrev_f_x", jax.jacrev(f, argnums=0), args),
        ("jacrev_jacrev_f_x", jax.jacrev(jax.jacrev(f, argnums=0), argnums=0), args),
        ("fvec", softmax, vec_args),
        ("jacfwd_fvec_x", jax.jacfwd(softmax, argnums=0), vec_args),
        ("jacrev_fvec_x", jax.jacrev(softmax, argnums=0), vec_args),
        ("hvp", hvp, hvp_args),
    ]


def dce(closed):
    """`closed` without dead equations, inputs kept (JAX's `pe.dce_jaxpr`, as jit's lowering
    runs it)."""
    from jax._src import core
    from jax._src.interpreters import partial_eval as pe

    jaxpr, _ = pe.dce_jaxpr(closed.jaxpr, [True] * len(closed.jaxpr.outvars), instantiate=True)
    return core.ClosedJaxpr(jaxpr, closed.consts)


def print_jaxprs(after_dce, softmax, compile):
    import jax

    jax.config.update("jax_enable_x64", True)
    print(f"# jax {jax.__version__}, jaxlib {jax.lib.__version__}", file=sys.stderr)
    for name, fn, args in functions(softmax):
        closed = jax.make_jaxpr(fn)(*args)
        print(f"=== {name}")
        print(dce(closed) if after_dce else closed)
        print()
        if compile:
            # Named so that XLA's dumps call the module `jit_<name>`, as rjax's example does.
            def named(*args, fn=fn):
                return fn(*args)

            named.__name__ = named.__qualname__ = name
            jax.jit(named).lower(*args).compile()


# An equation's first line: its output variables (`name:type`, `_` for unused ones), `=`, the
# primitive's name, its parameters if they fit on the line, and its operands.
EQUATION = re.compile(
    r"^\s+((?:[a-z_]+:[a-z0-9]+\[[0-9,]*\]\s+)+)= ([a-z_][a-z0-9_]*)(\[.*?\](?=\s|$))?(.*)$"
)
BINDER = re.compile(r"([a-z_]+):([a-z0-9]+)\[([0-9,]*)\]")
LITERAL = re.compile(r"^(-?[0-9.e+-]+|True|False):([a-z0-9]+)\[\]$")


def is_noop(primitive, params, operands, outputs, types):
    """Whether an equation returns its operand unchanged: a multiplication by a literal one, an
    addition of a literal zero, an identity transpose, a reshape or convert to the operand's own
    type, a split into one piece. Such equations cost nothing once XLA simplifies the program,
    but they are equations a transformation emitted for nothing."""
    params = params or ""
    out_type = outputs[0][1:] if len(outputs) == 1 else None

    def literal(atom, value):
        match = LITERAL.match(atom)
        return bool(match) and float(match.group(1)) == value

    def same_type(atom):
        return types.get(atom) == out_type

    if primitive == "mul" and len(operands) == 2:
        x, y = operands
        return (literal(y, 1.0) and same_type(x)) or (literal(x, 1.0) and same_type(y)) or (
            literal(x, 1.0) and literal(y, 1.0))
    if primitive == "add" and len(operands) == 2:
        x, y = operands
        return (literal(y, 0.0) and same_type(x)) or (literal(x, 0.0) and same_type(y))
    if primitive == "transpose":
        match = re.search(r"permutation=\(([0-9, ]*)\)", params)
        if match:
            perm = [int(d) for d in match.group(1).replace(" ", "").split(",") if d]
            return perm == list(range(len(perm)))
    if primitive in ("reshape", "convert_element_type", "copy") and len(operands) == 1:
        return same_type(operands[0])
    if primitive == "split" and len(outputs) == 1:
        return same_type(operands[0])
    return False


def sections(path):
    """{function name: jaxpr text} of a file of `=== name` sections."""
    result, name = {}, None
    with open(path) as file:
        for line in file:
            if line.startswith("=== "):
                name = line[4:].strip()
                result[name] = []
            elif name is not None:
                result[name].append(line)
    return {name: "".join(lines) for name, lines in result.items()}


def count_equations(text):
    """(Counter of primitive names over the equations of a printed jaxpr, Counter of those that
    are no-ops); nested jaxprs are included."""
    counts, noops, types = Counter(), Counter(), {}
    for line in text.splitlines():
        match = EQUATION.match(line)
        if not match:
            for name, dtype, shape in BINDER.findall(line):
                types[name] = (dtype, shape)
            continue
        outputs = [(name, dtype, shape) for name, dtype, shape in BINDER.findall(match.group(1))]
        for name, dtype, shape in outputs:
            types[name] = (dtype, shape)
        primitive, params, operands = match.group(2), match.group(3), match.group(4).split()
        counts[primitive] += 1
        literal_types = {a: tuple(LITERAL.match(a).groups()[1:]) + ("",) for a in operands
                         if LITERAL.match(a)}
        if is_noop(primitive, params, operands, outputs, {**types, **literal_types}):
            noops[primitive] += 1
    return counts, noops


def print_counts(specs):
    columns = []
    for spec in specs:
        label, _, path = spec.partition("=")
        columns.append((label, sections(path)))
    names = []
    for _, found in columns:
        names += [name for name in found if name not in names]
    width = max(max(len(label) for label, _ in columns), 8) + 2

    def cell(count, noop):
        return f"{count} ({noop})".rjust(width) if noop else f"{count}    ".rjust(width)

    for name in names:
        counted = [count_equations(found.get(name, "")) for _, found in columns]
        primitives = sorted(set().union(*(c for c, _ in counted)))
        print(f"--- {name}: equations per primitive (of which no-ops)")
        print(f"  {'primitive':<24}" + "".join(f"{label}    ".rjust(width) for label, _ in columns))
        for primitive in primitives:
            print(f"  {primitive:<24}" + "".join(cell(c[primitive], n[primitive]) for c, n in counted))
        totals = [(sum(c.values()), sum(n.values())) for c, n in counted]
        print(f"  {'total':<24}" + "".join(cell(t, n) for t, n in totals))
        print(f"  {'total less no-ops':<24}" + "".join(cell(t - n, 0) for t, n in totals))
        print()


def compile_stablehlo(directory):
    """Compiles every `DIR/<name>.mlir` (rjax's lowered modules, from `cargo run --example jaxprs
    -- --stablehlo DIR`) with JAX's own XLA on the CPU, so that XLA_FLAGS=--xla_dump_to dumps
    what the compiler JAX uses makes of rjax's programs."""
    import jax
    from jax._src.lib import xla_client

    jax.config.update("jax_enable_x64", True)
    device = jax.devices("cpu")[0]
    for path in sorted(glob.glob(os.path.join(directory, "*.mlir"))):
        with open(path) as file:
            text = file.read()
        device.client.compile_and_load(
            text, xla_client.DeviceList((device,)), xla_client.CompileOptions()
        )


HLO_INSTRUCTION = re.compile(r"^\s+(?:ROOT )?%(\S+) = (\S+?)(?:\[[^ ]*\])?(?:\{[^ ]*\})? ([a-z-]+)\(")
HLO_COMPUTATION = re.compile(r"^(ENTRY )?%(\S+) \(")
HLO_FREE = {"parameter", "constant", "bitcast", "tuple", "get-tuple-element"}


def hlo_summary(path):
    """(entry instructions, fused instructions, entry parameters) of an optimised HLO module:
    instructions by opcode in the entry computation (each a kernel or a library call) and in the
    computations it calls (fusion bodies), leaving out parameters, constants, bitcasts and the
    reducers that `reduce` applies."""
    with open(path) as file:
        text = file.read()
    reducers = set(re.findall(r"to_apply=%([^\s,}]+)", text))
    entry, fused, parameters, computation, is_entry = Counter(), Counter(), 0, None, False
    for line in text.splitlines():
        header = HLO_COMPUTATION.match(line)
        if header:
            is_entry, computation = bool(header.group(1)), header.group(2)
            continue
        match = HLO_INSTRUCTION.match(line)
        if not match or computation in reducers:
            continue
        opcode = match.group(3)
        if is_entry and opcode == "parameter":
            parameters += 1
        if opcode in HLO_FREE:
            continue
        (entry if is_entry else fused)[opcode] += 1
    return entry, fused, parameters


def print_hlo(specs):
    columns = []
    for spec in specs:
        label, _, directory = spec.partition("=")
        modules = {}
        for path in sorted(glob.glob(os.path.join(directory, "*.cpu_after_optimizations.txt"))):
            match = re.search(r"\.jit_([A-Za-z0-9_]+)\.cpu_after_optimizations\.txt$", path)
            if match:
                modules[match.group(1)] = hlo_summary(path)
        columns.append((label, modules))
    names = []
    for _, modules in columns:
        names += [name for name in modules if name not in names]
    print("XLA's optimised HLO (CPU): entry instructions (kernels and library calls) and the")
    print("instructions inside fusions, by opcode; parameters, constants, bitcasts left out")
    for name in names:
        print(f"--- {name}")
        for label, modules in columns:
            if name not in modules:
                continue
            entry, fused, parameters = modules[name]
            show = lambda c: ", ".join(f"{op} {n}" for op, n in sorted(c.items())) or "-"
            print(f"  {label}: {parameters} parameters; entry ({sum(entry.values())}): {show(entry)}")
            print(f"  {' ' * len(label)}  fused ({sum(fused.values())}): {show(fused)}")
        print()


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--dce", action="store_true", help="print the jaxprs after DCE")
    parser.add_argument(
        "--notebook-fvec",
        action="store_true",
        help="spell fvec as the notebook does, computing exp(y - max(y)) twice",
    )
    parser.add_argument(
        "--compile",
        action="store_true",
        help="also compile each function with jit (XLA_FLAGS=--xla_dump_to=DIR dumps its HLO)",
    )
    parser.add_argument("--count", nargs="+", metavar="LABEL=FILE", help="count equations")
    parser.add_argument(
        "--compile-stablehlo",
        metavar="DIR",
        help="compile the StableHLO modules DIR/<name>.mlir with JAX's XLA (CPU)",
    )
    parser.add_argument(
        "--hlo",
        nargs="+",
        metavar="LABEL=DIR",
        help="summarise the optimised HLO modules jit_<name> that XLA dumped in each DIR",
    )
    options = parser.parse_args()
    if options.count:
        print_counts(options.count)
    elif options.hlo:
        print_hlo(options.hlo)
    elif options.compile_stablehlo:
        compile_stablehlo(options.compile_stablehlo)
    else:
        softmax = fvec_notebook if options.notebook_fvec else fvec
        print_jaxprs(options.dce, softmax, options.compile)


if __name__ == "__main__":
    main()
