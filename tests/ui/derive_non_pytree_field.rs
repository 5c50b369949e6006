use rjax::{Array, Pytree};

#[derive(Pytree)]
struct Layer {
    w: Array,
    name: String,
}

fn main() {
    let _ = Layer { w: Array::from(1.0f32), name: String::new() }.tree_flatten();
}
