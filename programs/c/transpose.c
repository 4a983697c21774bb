// a matrix transpose with MPI_Alltoall: rank r holds row r of a size x size matrix and ends with column r
#include <mpi.h>
#include <stdio.h>
#include <stdlib.h>

int main(int argc, char **argv) {
    int rank, size, i;
    long *row, *column;
    MPI_Init(&argc, &argv);
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    MPI_Comm_size(MPI_COMM_WORLD, &size);
    row = malloc(sizeof(long) * size);
    column = malloc(sizeof(long) * size);
    for (i = 0; i < size; i++) {
        row[i] = 10L * rank + i;
    }
    MPI_Alltoall(row, 1, MPI_LONG, column, 1, MPI_LONG, MPI_COMM_WORLD);
    char line[256];
    int len = snprintf(line, sizeof line, "rank %d: column", rank);
    for (i = 0; i < size; i++) {
        len += snprintf(line + len, sizeof line - len, " %ld", column[i]);
        if (column[i] != 10L * i + rank) {
            len += snprintf(line + len, sizeof line - len, "(wrong)");
        }
    }
    printf("%s\n", line);
    free(row);
    free(column);
    MPI_Finalize();
    return 0;
}
