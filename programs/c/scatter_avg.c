// scatter, average, gather: the root scatters 4 numbers per rank, each averages its share, the root gathers the averages
#include <mpi.h>
#include <stdio.h>
#include <stdlib.h>

#define PER_RANK 4

int main(int argc, char **argv) {
    int rank, size, i;
    double *all = NULL, *averages = NULL, mine[PER_RANK], average = 0.0;
    MPI_Init(&argc, &argv);
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    MPI_Comm_size(MPI_COMM_WORLD, &size);
    if (rank == 0) {
        all = malloc(sizeof(double) * PER_RANK * size);
        averages = malloc(sizeof(double) * size);
        for (i = 0; i < PER_RANK * size; i++) {
            all[i] = (double)(i * i % 17) + 0.25 * i;
        }
    }
    MPI_Scatter(all, PER_RANK, MPI_DOUBLE, mine, PER_RANK, MPI_DOUBLE, 0, MPI_COMM_WORLD);
    for (i = 0; i < PER_RANK; i++) {
        average += mine[i];
    }
    average /= PER_RANK;
    printf("rank %d: average of %.2f %.2f %.2f %.2f is %.4f\n", rank, mine[0], mine[1], mine[2],
           mine[3], average);
    MPI_Gather(&average, 1, MPI_DOUBLE, averages, 1, MPI_DOUBLE, 0, MPI_COMM_WORLD);
    if (rank == 0) {
        double total = 0.0;
        for (i = 0; i < size; i++) {
            total += averages[i];
        }
        printf("average of the %d averages: %.6f\n", size, total / size);
        free(all);
        free(averages);
    }
    MPI_Finalize();
    return 0;
}
