//! NumPy-style text of arrays, as JAX prints them (placeholder: being written).
