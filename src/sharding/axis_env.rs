//! The mesh axes in scope while a per-device function (`shard_map`, `pmap`) is traced: the
//! collectives look their axis names up here (JAX's axis environment).

use std::cell::RefCell;

use super::Mesh;
use crate::{Error, Result};

thread_local! {
    static MESHES: RefCell<Vec<Mesh>> = const { RefCell::new(Vec::new()) };
}

/// Runs `f` with `mesh`'s axes in scope.
pub(crate) fn with_mesh<T>(mesh: &Mesh, f: impl FnOnce() -> T) -> T {
    struct Pop;
    impl Drop for Pop {
        fn drop(&mut self) {
            MESHES.with(|meshes| meshes.borrow_mut().pop());
        }
    }
    MESHES.with(|meshes| meshes.borrow_mut().push(mesh.clone()));
    let _pop = Pop;
    f()
}

/// The innermost mesh in scope that has every axis of `axes`, or JAX's unbound-axis error
/// naming `op`.
pub(crate) fn mesh_for(op: &str, axes: &[String]) -> Result<Mesh> {
    MESHES.with(|meshes| {
        let meshes = meshes.borrow();
        meshes
            .iter()
            .rev()
            .find(|mesh| axes.iter().all(|a| mesh.axis_index(a).is_some()))
            .cloned()
            .ok_or_else(|| {
                let bound: Vec<&String> = meshes.iter().flat_map(|m| m.axis_names()).collect();
                Error::invalid(
                    op,
                    format!(
                        "unbound axis name(s) {axes:?}: collectives work inside shard_map or \
                         pmap over a mesh with these axes (axes in scope: {bound:?})"
                    ),
                )
            })
    })
}
