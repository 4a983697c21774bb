// a token ring: rank 0 sends a token around the ranks twice, each adds its rank; MPI_Probe sizes each message
#include <mpi.h>
#include <stdio.h>

#define LAPS 2

int main(int argc, char **argv) {
    int rank, size, lap, token = 0, count;
    MPI_Status status;
    MPI_Init(&argc, &argv);
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    MPI_Comm_size(MPI_COMM_WORLD, &size);
    int next = (rank + 1) % size, prev = (rank + size - 1) % size;
    for (lap = 0; lap < LAPS; lap++) {
        if (rank != 0 || lap > 0) {
            MPI_Probe(prev, MPI_ANY_TAG, MPI_COMM_WORLD, &status);
            MPI_Get_count(&status, MPI_INT, &count);
            MPI_Recv(&token, 1, MPI_INT, status.MPI_SOURCE, status.MPI_TAG, MPI_COMM_WORLD,
                     MPI_STATUS_IGNORE);
            printf("lap %d: rank %d got token %d from rank %d (%d int, tag %d)\n", lap, rank, token,
                   status.MPI_SOURCE, count, status.MPI_TAG);
        }
        token += rank;
        MPI_Send(&token, 1, MPI_INT, next, lap, MPI_COMM_WORLD);
    }
    if (rank == 0) {
        MPI_Recv(&token, 1, MPI_INT, prev, MPI_ANY_TAG, MPI_COMM_WORLD, &status);
        printf("token back at rank 0 after %d laps: %d (expected %d)\n", LAPS, token,
               LAPS * size * (size - 1) / 2);
    }
    MPI_Finalize();
    return 0;
}
