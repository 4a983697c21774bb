// error handling: 'errors MODE' makes a rank fail, fault or loop in the way MODE names (no argument: no error);
// 'errors rank|count|type|comm|status|root|waitall|badrequest|sendrecv|reduceinplace|init|
// finalized|allgather|alltoall|inplace|bigcount|exit N|abort' makes rank 1 fail that way;
// 'errors compute' makes rank 1 compute and print forever, until Ctrl-C;
// 'errors spin' makes every rank loop forever with no call at all (even ranks
// in floating point, which goes through the soft-float helpers), until Ctrl-C;
// 'errors spinfail' makes rank 1 fail (exit 3) while the others loop so, which
// must stop them as any failure does; 'errors failfirst' makes it fail at once,
// the others going into the loop with no call, whenever the failure reaches them;
// 'errors segv' makes rank 0 read an address the kernel does not map (a page fault);
// 'errors bigstack' gives rank 1 a 2 MiB local array (a stack overflow)
#include <mpi.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A frame far bigger than a core's stack, written at its lowest bytes first
 * (2 MiB below where it starts). */
__attribute__((noinline)) static int big_frame(int n) {
    char big[1 << 21];
    memset(big, n, 16);
    return big[n];
}

int main(int argc, char **argv) {
    int rank, size, value = 0;
    MPI_Init(&argc, &argv);
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    MPI_Comm_size(MPI_COMM_WORLD, &size);
    const char *what = argc > 1 ? argv[1] : "none";
    if (rank == 1 && strcmp(what, "rank") == 0) {
        MPI_Send(&value, 1, MPI_INT, size, 0, MPI_COMM_WORLD);
    }
    if (rank == 1 && strcmp(what, "count") == 0) {
        MPI_Send(&value, -1, MPI_INT, 0, 0, MPI_COMM_WORLD);
    }
    if (rank == 1 && strcmp(what, "type") == 0) {
        MPI_Send(&value, 1, MPI_DATATYPE_NULL, 0, 0, MPI_COMM_WORLD);
    }
    if (rank == 1 && strcmp(what, "comm") == 0) {
        MPI_Send(&value, 1, MPI_INT, 0, 0, MPI_COMM_NULL);
    }
    if (rank == 1 && strcmp(what, "status") == 0) {
        int count;
        MPI_Get_count(MPI_STATUS_IGNORE, MPI_INT, &count);
    }
    int all[8] = {0};
    if (rank == 1 && strcmp(what, "root") == 0) {
        MPI_Bcast(&value, 1, MPI_INT, size, MPI_COMM_WORLD);
    }
    if (rank == 1 && strcmp(what, "waitall") == 0) {
        MPI_Request none[1] = {MPI_REQUEST_NULL};
        MPI_Waitall(-3, none, MPI_STATUSES_IGNORE);
    }
    if (rank == 1 && strcmp(what, "badrequest") == 0) { /* the error is MPI_Waitall's */
        MPI_Request bogus[1] = {999};
        MPI_Waitall(1, bogus, MPI_STATUSES_IGNORE);
    }
    if (rank == 1 && strcmp(what, "sendrecv") == 0) {
        MPI_Sendrecv(&value, 1, MPI_INT, size, 0, all, 1, MPI_INT, 0, 0, MPI_COMM_WORLD,
                     MPI_STATUS_IGNORE);
    }
    if (strcmp(what, "reduceinplace") == 0) { /* rank 1 is not the root */
        int sum = 0;
        MPI_Reduce(rank == 1 ? MPI_IN_PLACE : &value, &sum, 1, MPI_INT, MPI_SUM, 0, MPI_COMM_WORLD);
    }
    if (rank == 1 && strcmp(what, "init") == 0) {
        MPI_Init(&argc, &argv);
    }
    if (rank == 1 && strcmp(what, "finalized") == 0) {
        MPI_Finalize();
        MPI_Barrier(MPI_COMM_WORLD);
    }
    if (strcmp(what, "allgather") == 0) { /* rank 1 sends 0 ints, receives 1 from each */
        MPI_Allgather(&value, rank == 1 ? 0 : 1, MPI_INT, all, 1, MPI_INT, MPI_COMM_WORLD);
    }
    if (strcmp(what, "alltoall") == 0) { /* rank 1 sends 1 int to each, receives 2 */
        MPI_Alltoall(all, 1, MPI_INT, all + 4, rank == 1 ? 2 : 1, MPI_INT, MPI_COMM_WORLD);
    }
    if (rank == 1 && strcmp(what, "inplace") == 0) {
        MPI_Send(MPI_IN_PLACE, 1, MPI_INT, 0, 0, MPI_COMM_WORLD);
    }
    if (rank == 1 && strcmp(what, "bigcount") == 0) { /* 4 x 0x40000001 wraps an int */
        MPI_Allgather(&value, 1, MPI_INT, all, 0x40000001, MPI_INT, MPI_COMM_WORLD);
    }
    if (rank == 1 && strcmp(what, "bigstack") == 0) {
        value = big_frame(rank);
    }
    if (rank == 1 && strcmp(what, "exit") == 0) {
        exit(argc > 2 ? atoi(argv[2]) : 1);
    }
    if (rank == 1 && strcmp(what, "abort") == 0) {
        MPI_Abort(MPI_COMM_WORLD, 7);
    }
    if (rank == 1 && strcmp(what, "compute") == 0) {
        for (unsigned long step = 0;; step++) {
            if (step % 100000 == 0) {
                printf("rank %d: step %lu\n", rank, step);
            }
        }
    }
    if (rank == 0 && strcmp(what, "segv") == 0) {
        // Above what the kernel maps (its page tables map the low 16 TiB
        // only where memory is).
        value = *(volatile int *)0x100000000000UL;
    }
    int spinfail = strcmp(what, "spinfail") == 0;
    int failfirst = strcmp(what, "failfirst") == 0;
    if (failfirst && rank == 1) {
        exit(3); // while the others may still be starting
    }
    if (spinfail || failfirst || strcmp(what, "spin") == 0) {
        if (!failfirst) {
            // Every rank past its start, so that the stop finds them in the loop.
            MPI_Barrier(MPI_COMM_WORLD);
        }
        if (spinfail && rank == 1) {
            // Long enough (milliseconds) for the others to be spinning.
            for (volatile unsigned long i = 0; i < 300000; i++) {
            }
            exit(3);
        }
        volatile unsigned long turns = 0;
        volatile double x = 1.0;
        for (;;) {
            if (rank % 2 == 0) {
                x = x * 1.0000001 + 0.5;
            } else {
                turns++;
            }
        }
    }
    MPI_Barrier(MPI_COMM_WORLD);
    printf("rank %d: past the barrier (error asked for: %s)\n", rank, what);
    MPI_Finalize();
    return 0;
}
