//! What C programs may import from the kernel, by name: the C library's
//! kernel half, mpi.h's functions, and the soft-float helpers clang calls
//! (compiler_builtins' own, the same the Rust code uses).

use super::{collectives as coll, libc, mpi};

// compiler_builtins' soft-float routines (the kernel target has no FPU use).
unsafe extern "C" {
    fn __adddf3();
    fn __subdf3();
    fn __muldf3();
    fn __divdf3();
    fn __addsf3();
    fn __subsf3();
    fn __mulsf3();
    fn __divsf3();
    fn __eqdf2();
    fn __nedf2();
    fn __ltdf2();
    fn __ledf2();
    fn __gtdf2();
    fn __gedf2();
    fn __unorddf2();
    fn __eqsf2();
    fn __nesf2();
    fn __ltsf2();
    fn __lesf2();
    fn __gtsf2();
    fn __gesf2();
    fn __unordsf2();
    fn __floatsidf();
    fn __floatdidf();
    fn __floatunsidf();
    fn __floatundidf();
    fn __floatsisf();
    fn __floatdisf();
    fn __floatunsisf();
    fn __floatundisf();
    fn __fixdfsi();
    fn __fixdfdi();
    fn __fixunsdfsi();
    fn __fixunsdfdi();
    fn __fixsfsi();
    fn __fixsfdi();
    fn __fixunssfsi();
    fn __fixunssfdi();
    fn __extendsfdf2();
    fn __truncdfsf2();
}

/// `match name { "f" => path as usize, ... }` for each `name => path`.
macro_rules! exports {
    ($($name:literal => $path:expr),* $(,)?) => {
        /// The address of the export `name`, if there is one.
        pub fn resolve(name: &str) -> Option<usize> {
            match name {
                $($name => Some($path as usize),)*
                _ => None,
            }
        }
    };
}

exports! {
    "__ringlab_stoppable" => super::stoppable as extern "C" fn(),
    "__ringlab_unstoppable" => super::unstoppable as extern "C" fn(),
    "__ringlab_write" => libc::write as extern "C" fn(_, _),
    "__ringlab_format_double" => libc::format_double as extern "C" fn(_, _, _, _, _, _) -> _,
    "malloc" => libc::malloc as extern "C" fn(_) -> _,
    "free" => libc::free as extern "C" fn(_),
    "realloc" => libc::realloc as extern "C" fn(_, _) -> _,
    "strtod" => libc::strtod as extern "C" fn(_, _) -> _,
    "time" => libc::time as extern "C" fn(_) -> _,
    "sqrt" => libc::sqrt as extern "C" fn(_) -> _,
    "fabs" => libc::fabs as extern "C" fn(_) -> _,
    "floor" => libc::floor as extern "C" fn(_) -> _,
    "ceil" => libc::ceil as extern "C" fn(_) -> _,
    "round" => libc::round as extern "C" fn(_) -> _,
    "pow" => libc::pow as extern "C" fn(_, _) -> _,
    "exp" => libc::exp as extern "C" fn(_) -> _,
    "log" => libc::log as extern "C" fn(_) -> _,
    "log10" => libc::log10 as extern "C" fn(_) -> _,
    "sin" => libc::sin as extern "C" fn(_) -> _,
    "cos" => libc::cos as extern "C" fn(_) -> _,
    "tan" => libc::tan as extern "C" fn(_) -> _,
    "atan" => libc::atan as extern "C" fn(_) -> _,
    "atan2" => libc::atan2 as extern "C" fn(_, _) -> _,
    "fmod" => libc::fmod as extern "C" fn(_, _) -> _,
    "MPI_Init" => mpi::MPI_Init as extern "C" fn(_, _) -> _,
    "MPI_Finalize" => mpi::MPI_Finalize as extern "C" fn() -> _,
    "MPI_Initialized" => mpi::MPI_Initialized as extern "C" fn(_) -> _,
    "MPI_Abort" => mpi::MPI_Abort as extern "C" fn(_, _) -> _,
    "MPI_Comm_rank" => mpi::MPI_Comm_rank as extern "C" fn(_, _) -> _,
    "MPI_Comm_size" => mpi::MPI_Comm_size as extern "C" fn(_, _) -> _,
    "MPI_Comm_split" => mpi::MPI_Comm_split as extern "C" fn(_, _, _, _) -> _,
    "MPI_Comm_free" => mpi::MPI_Comm_free as extern "C" fn(_) -> _,
    "MPI_Send" => mpi::MPI_Send as extern "C" fn(_, _, _, _, _, _) -> _,
    "MPI_Recv" => mpi::MPI_Recv as extern "C" fn(_, _, _, _, _, _, _) -> _,
    "MPI_Sendrecv" => mpi::MPI_Sendrecv as extern "C" fn(_, _, _, _, _, _, _, _, _, _, _, _) -> _,
    "MPI_Isend" => mpi::MPI_Isend as extern "C" fn(_, _, _, _, _, _, _) -> _,
    "MPI_Irecv" => mpi::MPI_Irecv as extern "C" fn(_, _, _, _, _, _, _) -> _,
    "MPI_Wait" => mpi::MPI_Wait as extern "C" fn(_, _) -> _,
    "MPI_Waitall" => mpi::MPI_Waitall as extern "C" fn(_, _, _) -> _,
    "MPI_Test" => mpi::MPI_Test as extern "C" fn(_, _, _) -> _,
    "MPI_Probe" => mpi::MPI_Probe as extern "C" fn(_, _, _, _) -> _,
    "MPI_Iprobe" => mpi::MPI_Iprobe as extern "C" fn(_, _, _, _, _) -> _,
    "MPI_Get_count" => mpi::MPI_Get_count as extern "C" fn(_, _, _) -> _,
    "MPI_Barrier" => mpi::MPI_Barrier as extern "C" fn(_) -> _,
    "MPI_Wtime" => mpi::MPI_Wtime as extern "C" fn() -> _,
    "MPI_Wtick" => mpi::MPI_Wtick as extern "C" fn() -> _,
    "MPI_Get_processor_name" => mpi::MPI_Get_processor_name as extern "C" fn(_, _) -> _,
    "MPI_Bcast" => coll::MPI_Bcast as extern "C" fn(_, _, _, _, _) -> _,
    "MPI_Gather" => coll::MPI_Gather as extern "C" fn(_, _, _, _, _, _, _, _) -> _,
    "MPI_Scatter" => coll::MPI_Scatter as extern "C" fn(_, _, _, _, _, _, _, _) -> _,
    "MPI_Allgather" => coll::MPI_Allgather as extern "C" fn(_, _, _, _, _, _, _) -> _,
    "MPI_Alltoall" => coll::MPI_Alltoall as extern "C" fn(_, _, _, _, _, _, _) -> _,
    "MPI_Reduce" => coll::MPI_Reduce as extern "C" fn(_, _, _, _, _, _, _) -> _,
    "MPI_Allreduce" => coll::MPI_Allreduce as extern "C" fn(_, _, _, _, _, _) -> _,
    "MPI_Scan" => coll::MPI_Scan as extern "C" fn(_, _, _, _, _, _) -> _,
    "__adddf3" => __adddf3 as unsafe extern "C" fn(),
    "__subdf3" => __subdf3 as unsafe extern "C" fn(),
    "__muldf3" => __muldf3 as unsafe extern "C" fn(),
    "__divdf3" => __divdf3 as unsafe extern "C" fn(),
    "__addsf3" => __addsf3 as unsafe extern "C" fn(),
    "__subsf3" => __subsf3 as unsafe extern "C" fn(),
    "__mulsf3" => __mulsf3 as unsafe extern "C" fn(),
    "__divsf3" => __divsf3 as unsafe extern "C" fn(),
    "__eqdf2" => __eqdf2 as unsafe extern "C" fn(),
    "__nedf2" => __nedf2 as unsafe extern "C" fn(),
    "__ltdf2" => __ltdf2 as unsafe extern "C" fn(),
    "__ledf2" => __ledf2 as unsafe extern "C" fn(),
    "__gtdf2" => __gtdf2 as unsafe extern "C" fn(),
    "__gedf2" => __gedf2 as unsafe extern "C" fn(),
    "__unorddf2" => __unorddf2 as unsafe extern "C" fn(),
    "__eqsf2" => __eqsf2 as unsafe extern "C" fn(),
    "__nesf2" => __nesf2 as unsafe extern "C" fn(),
    "__ltsf2" => __ltsf2 as unsafe extern "C" fn(),
    "__lesf2" => __lesf2 as unsafe extern "C" fn(),
    "__gtsf2" => __gtsf2 as unsafe extern "C" fn(),
    "__gesf2" => __gesf2 as unsafe extern "C" fn(),
    "__unordsf2" => __unordsf2 as unsafe extern "C" fn(),
    "__floatsidf" => __floatsidf as unsafe extern "C" fn(),
    "__floatdidf" => __floatdidf as unsafe extern "C" fn(),
    "__floatunsidf" => __floatunsidf as unsafe extern "C" fn(),
    "__floatundidf" => __floatundidf as unsafe extern "C" fn(),
    "__floatsisf" => __floatsisf as unsafe extern "C" fn(),
    "__floatdisf" => __floatdisf as unsafe extern "C" fn(),
    "__floatunsisf" => __floatunsisf as unsafe extern "C" fn(),
    "__floatundisf" => __floatundisf as unsafe extern "C" fn(),
    "__fixdfsi" => __fixdfsi as unsafe extern "C" fn(),
    "__fixdfdi" => __fixdfdi as unsafe extern "C" fn(),
    "__fixunsdfsi" => __fixunsdfsi as unsafe extern "C" fn(),
    "__fixunsdfdi" => __fixunsdfdi as unsafe extern "C" fn(),
    "__fixsfsi" => __fixsfsi as unsafe extern "C" fn(),
    "__fixsfdi" => __fixsfdi as unsafe extern "C" fn(),
    "__fixunssfsi" => __fixunssfsi as unsafe extern "C" fn(),
    "__fixunssfdi" => __fixunssfdi as unsafe extern "C" fn(),
    "__extendsfdf2" => __extendsfdf2 as unsafe extern "C" fn(),
    "__truncdfsf2" => __truncdfsf2 as unsafe extern "C" fn(),
}
