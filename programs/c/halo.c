// a non-blocking halo exchange: 1-D smoothing, each step swaps edge cells with MPI_Isend/MPI_Irecv/MPI_Waitall
#include <mpi.h>
#include <stdio.h>
#include <stdlib.h>

#define CELLS 4
#define STEPS 3

int main(int argc, char **argv) {
    int rank, size, i, step, n;
    double cells[CELLS + 2], next[CELLS], *all = NULL;
    MPI_Request requests[4];
    MPI_Init(&argc, &argv);
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    MPI_Comm_size(MPI_COMM_WORLD, &size);
    for (i = 0; i < CELLS + 2; i++) {
        cells[i] = 0.0;
    }
    for (i = 1; i <= CELLS; i++) {
        cells[i] = (double)((rank * CELLS + i) % 3) * 10.0;
    }
    for (step = 0; step < STEPS; step++) {
        n = 0;
        if (rank > 0) {
            MPI_Irecv(&cells[0], 1, MPI_DOUBLE, rank - 1, step, MPI_COMM_WORLD, &requests[n++]);
            MPI_Isend(&cells[1], 1, MPI_DOUBLE, rank - 1, step, MPI_COMM_WORLD, &requests[n++]);
        }
        if (rank < size - 1) {
            MPI_Irecv(&cells[CELLS + 1], 1, MPI_DOUBLE, rank + 1, step, MPI_COMM_WORLD,
                      &requests[n++]);
            MPI_Isend(&cells[CELLS], 1, MPI_DOUBLE, rank + 1, step, MPI_COMM_WORLD, &requests[n++]);
        }
        MPI_Waitall(n, requests, MPI_STATUSES_IGNORE);
        for (i = 1; i <= CELLS; i++) {
            next[i - 1] = (cells[i - 1] + 2.0 * cells[i] + cells[i + 1]) / 4.0;
        }
        for (i = 1; i <= CELLS; i++) {
            cells[i] = next[i - 1];
        }
    }
    if (rank == 0) {
        all = malloc(sizeof(double) * CELLS * size);
    }
    MPI_Gather(&cells[1], CELLS, MPI_DOUBLE, all, CELLS, MPI_DOUBLE, 0, MPI_COMM_WORLD);
    if (rank == 0) {
        for (i = 0; i < CELLS * size; i++) {
            printf("cell %2d after %d steps: %.6f\n", i, STEPS, all[i]);
        }
        free(all);
    }
    MPI_Finalize();
    return 0;
}
