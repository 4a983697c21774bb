//! `programs-mpich NAME [ARGS…]`: one instance of a ringlab program in this
//! MPI process; start it with `mpiexec -n N` (or `cargo xtask mpirun`).
//! Bad names and arguments are reported once, by rank 0, and end every rank.

use std::process::ExitCode;

use rsmpi::topology::Communicator;

fn main() -> ExitCode {
    let words: Vec<String> = std::env::args().skip(1).collect();
    let Some((name, args)) = words.split_first() else {
        eprintln!("usage: mpiexec -n N programs-mpich NAME [ARGS...]");
        return ExitCode::from(2);
    };
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let Some(universe) = rsmpi::initialize() else {
        eprintln!("error: MPI was already initialized");
        return ExitCode::FAILURE;
    };
    let world = universe.world();
    match programs_mpich::checked(name, &args) {
        Ok(program) => programs_mpich::run_or_abort(program, &world, &args),
        Err(err) => {
            if world.rank() == 0 {
                eprintln!("error: {err}");
            }
            ExitCode::from(2)
        }
    }
}
