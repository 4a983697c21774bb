//! A C program named like a Rust program is a build error
//! (kernel/build_names.rs, which kernel/build.rs runs for every programs/c/ file).

#[path = "../../kernel/build_names.rs"]
mod build_names;

#[test]
fn a_c_program_with_a_rust_programs_name_is_refused_with_the_clash() {
    let error = build_names::check("programs/c/pi.c", "pi").expect_err("pi is a Rust program");
    assert_eq!(
        error,
        "programs/c/pi.c: the Rust program 'pi' (programs/src/pi.rs) has this name, so `run pi` \
         would never start the C program; rename programs/c/pi.c"
    );
}

#[test]
fn a_c_program_with_its_own_name_passes() {
    assert_eq!(build_names::check("programs/c/cpi.c", "cpi"), Ok(()));
}
