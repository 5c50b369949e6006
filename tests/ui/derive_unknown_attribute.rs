use rjax::{Array, Pytree};

#[derive(Pytree)]
struct Layer {
    w: Array,
    #[pytree(skip)]
    name: String,
}

fn main() {}
