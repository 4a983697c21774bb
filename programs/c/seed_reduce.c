// the seed's MPI_Reduce demo in standard MPI: sum every rank's vector at the root and check it
#include <mpi.h>
#include <stdio.h>

#define VECTOR_LEN 64

int main(int argc, char **argv) {
    int rank, size, i;
    int r[VECTOR_LEN];
    int s[VECTOR_LEN];
    int root = 0;
    MPI_Init(&argc, &argv);
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    MPI_Comm_size(MPI_COMM_WORLD, &size);
    for (i = 0; i < VECTOR_LEN; i++) {
        r[i] = rank;
    }
    printf("hello from rank %d\n", rank);
    // reduce an array of size VECTOR_LEN
    MPI_Reduce(r, s, VECTOR_LEN, MPI_INT, MPI_SUM, root, MPI_COMM_WORLD);
    if (rank == root) {
        // Sum = ((N - 1) * N) / 2
        for (i = 0; i < VECTOR_LEN; i++) {
            if (s[i] != ((size - 1) * size) / 2) {
                printf("failed!, rank: %d\n", rank);
                break;
            }
        }
        if (i == VECTOR_LEN) {
            printf("success! value: %d\n", s[i - 1]);
        }
    }
    MPI_Finalize();
    return 0;
}
