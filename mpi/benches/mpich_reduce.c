/* MPICH's side of benches/reduce.rs: MPI_Reduce (MPI_SUM) of 64 ints on
 * 2 processes, timed the same way as ringlab's: SAMPLES batches of BATCH
 * reduces, each batch after a barrier, per-reduce time at the root.
 * Prints "median_ns <v>" (and "check <last element>") on rank 0. */
#include <mpi.h>
#include <stdio.h>
#include <stdlib.h>

#define LEN 64
#define WARMUP 2000
#define BATCH 1000
#define SAMPLES 31

static int by_value(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

int main(int argc, char **argv) {
    int rank, i, s;
    int send[LEN], recv[LEN];
    double samples[SAMPLES];

    MPI_Init(&argc, &argv);
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    for (i = 0; i < LEN; i++)
        send[i] = rank;
    for (i = 0; i < WARMUP; i++)
        MPI_Reduce(send, recv, LEN, MPI_INT, MPI_SUM, 0, MPI_COMM_WORLD);
    for (s = 0; s < SAMPLES; s++) {
        MPI_Barrier(MPI_COMM_WORLD);
        double t0 = MPI_Wtime();
        for (i = 0; i < BATCH; i++)
            MPI_Reduce(send, recv, LEN, MPI_INT, MPI_SUM, 0, MPI_COMM_WORLD);
        samples[s] = (MPI_Wtime() - t0) / BATCH * 1e9;
    }
    if (rank == 0) {
        qsort(samples, SAMPLES, sizeof samples[0], by_value);
        printf("check %d\nmedian_ns %.1f\n", recv[LEN - 1], samples[SAMPLES / 2]);
    }
    MPI_Finalize();
    return 0;
}
