// per-rank globals: every rank bumps a global and a static counter rank+1 times; none sees another's
#include <mpi.h>
#include <stdio.h>
#include <stdlib.h>

int counter;
static int calls = 100;
static char name[32];

static void bump(void) {
    counter++;
    calls++;
}

int main(int argc, char **argv) {
    int rank, size, i, total;
    MPI_Init(&argc, &argv);
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    MPI_Comm_size(MPI_COMM_WORLD, &size);
    snprintf(name, sizeof name, "rank-%d", rank);
    for (i = 0; i <= rank; i++) {
        bump();
    }
    MPI_Barrier(MPI_COMM_WORLD);
    printf("%s: counter %d, calls %d\n", name, counter, calls);
    MPI_Reduce(&counter, &total, 1, MPI_INT, MPI_SUM, 0, MPI_COMM_WORLD);
    if (rank == 0) {
        printf("sum of counters %d (expected %d)\n", total, size * (size + 1) / 2);
    }
    MPI_Finalize();
    return counter == rank + 1 ? 0 : 1;
}
