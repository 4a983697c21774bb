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
    let rank = world.rank();
    let program = match programs_mpich::checked(name, &args) {
        Ok(program) => program,
        Err(err) => {
            if rank == 0 {
                eprintln!("error: {err}");
            }
            return ExitCode::from(2);
        }
    };
    match programs_mpich::run(program, &world, &args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("error: rank {rank}: {name}: {err}");
            world.abort(1)
        }
    }
}
