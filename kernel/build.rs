//! Build script: links the kernel with kernel/linker.ld (fixed physical load
//! address) and builds the C programs (build_c.rs, build_names.rs).

#[path = "build_c.rs"]
mod build_c;
#[path = "build_names.rs"]
mod build_names;

fn main() {
    let dir = std::env::var("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR");
    println!("cargo:rustc-link-arg-bins=-T{dir}/linker.ld");
    println!("cargo:rerun-if-changed=linker.ld");
    build_c::build();
}
