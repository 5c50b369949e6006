//! `#[derive(Pytree)]`'s compile errors, checked by trybuild against the expected messages
//! in `tests/ui/*.stderr`: a union, an unknown `#[pytree(..)]` option, a field that is not a
//! pytree (and not marked static), and a static field that cannot be hashed.

#[test]
fn unsupported_types_are_clear_compile_errors() {
    let cases = trybuild::TestCases::new();
    cases.compile_fail("tests/ui/derive_*.rs");
}
