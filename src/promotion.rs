//! JAX's type promotion lattice, weak types included (placeholder: being written).
