//! Build script: declares the `loom` cfg (set by `RUSTFLAGS="--cfg loom"`)
//! so rustc's unexpected-cfg check knows it. Generates no code.

fn main() {
    println!("cargo::rustc-check-cfg=cfg(loom)");
}
