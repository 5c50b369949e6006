use rjax::Pytree;

#[derive(Pytree)]
union Bits {
    int: u32,
    float: f32,
}

fn main() {}
