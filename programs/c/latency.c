// ping-pong latency: rank 0 bounces messages of growing size off rank 1 and reports the round-trip time
#include <mpi.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ROUNDS 20
#define MAX_BYTES 4096

int main(int argc, char **argv) {
    int rank, size, bytes, round;
    char *buf;
    MPI_Status status;
    MPI_Init(&argc, &argv);
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    MPI_Comm_size(MPI_COMM_WORLD, &size);
    if (size < 2) {
        printf("latency needs at least 2 ranks\n");
        MPI_Abort(MPI_COMM_WORLD, 1);
    }
    buf = malloc(MAX_BYTES);
    memset(buf, rank, MAX_BYTES);
    for (bytes = 1; bytes <= MAX_BYTES; bytes *= 8) {
        double start = MPI_Wtime();
        for (round = 0; round < ROUNDS && rank < 2; round++) {
            if (rank == 0) {
                MPI_Send(buf, bytes, MPI_BYTE, 1, round, MPI_COMM_WORLD);
                MPI_Recv(buf, bytes, MPI_BYTE, 1, round, MPI_COMM_WORLD, &status);
            } else {
                MPI_Recv(buf, bytes, MPI_BYTE, 0, round, MPI_COMM_WORLD, &status);
                MPI_Send(buf, bytes, MPI_BYTE, 0, round, MPI_COMM_WORLD);
            }
        }
        if (rank == 0) {
            double us = (MPI_Wtime() - start) / ROUNDS * 1e6;
            printf("%5d bytes: %d round trips, mean round-trip time %.1f us\n", bytes, ROUNDS, us);
            printf("%5d bytes: last reply from rank %d, tag %d, first byte %d\n", bytes,
                   status.MPI_SOURCE, status.MPI_TAG, buf[0]);
        }
    }
    free(buf);
    MPI_Finalize();
    return 0;
}
