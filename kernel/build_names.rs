//! Build script part: a C program may not take a Rust program's name —
//! `run NAME` looks in the Rust table first, so the C file would never run.
//! (Also compiled into xtask/tests/c_program_names.rs, which tests it.)

/// Ok, or the build error for `programs/c/NAME.c` (`source`) when a Rust
/// program (crate `programs`) is already called `name`.
pub fn check(source: &str, name: &str) -> Result<(), String> {
    match programs::find(name) {
        Some(rust) => Err(format!(
            "{source}: the Rust program '{name}' ({}) has this name, so `run {name}` would \
             never start the C program; rename {source}",
            rust.source
        )),
        None => Ok(()),
    }
}
