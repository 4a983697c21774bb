// a matrix-vector product: rows scattered in blocks, the vector broadcast, the result gathered at the root
#include <mpi.h>
#include <stdio.h>
#include <stdlib.h>

#define ROWS_PER_RANK 2

int main(int argc, char **argv) {
    int rank, size, i, j, n;
    double *a = NULL, *x, *y = NULL, *rows, *part;
    MPI_Init(&argc, &argv);
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    MPI_Comm_size(MPI_COMM_WORLD, &size);
    n = ROWS_PER_RANK * size;
    x = malloc(sizeof(double) * n);
    rows = malloc(sizeof(double) * ROWS_PER_RANK * n);
    part = malloc(sizeof(double) * ROWS_PER_RANK);
    if (rank == 0) {
        a = malloc(sizeof(double) * n * n);
        y = malloc(sizeof(double) * n);
        for (i = 0; i < n; i++) {
            x[i] = 1.0 / (i + 1);
            for (j = 0; j < n; j++) {
                a[i * n + j] = (double)((i + 2 * j) % 5) - 1.5;
            }
        }
    }
    MPI_Bcast(x, n, MPI_DOUBLE, 0, MPI_COMM_WORLD);
    MPI_Scatter(a, ROWS_PER_RANK * n, MPI_DOUBLE, rows, ROWS_PER_RANK * n, MPI_DOUBLE, 0,
                MPI_COMM_WORLD);
    for (i = 0; i < ROWS_PER_RANK; i++) {
        part[i] = 0.0;
        for (j = 0; j < n; j++) {
            part[i] += rows[i * n + j] * x[j];
        }
    }
    MPI_Gather(part, ROWS_PER_RANK, MPI_DOUBLE, y, ROWS_PER_RANK, MPI_DOUBLE, 0, MPI_COMM_WORLD);
    if (rank == 0) {
        for (i = 0; i < n; i++) {
            double check = 0.0;
            for (j = 0; j < n; j++) {
                check += a[i * n + j] * x[j];
            }
            printf("y[%d] = %9.5f%s\n", i, y[i], y[i] == check ? "" : " (wrong)");
        }
        free(a);
        free(y);
    }
    free(x);
    free(rows);
    free(part);
    MPI_Finalize();
    return 0;
}
