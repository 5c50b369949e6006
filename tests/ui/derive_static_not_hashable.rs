use rjax::{Array, Pytree};

#[derive(Pytree)]
struct Layer {
    w: Array,
    #[pytree(static)]
    scale: f64,
}

fn main() {
    let _ = Layer { w: Array::from(1.0f32), scale: 1.0 }.tree_flatten();
}
