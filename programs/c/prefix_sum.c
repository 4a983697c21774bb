// prefix sums with MPI_Scan (sum and max), and MPI_Allreduce with MPI_MAXLOC to find the largest value's rank
#include <mpi.h>
#include <stdio.h>

int main(int argc, char **argv) {
    int rank, size, value, sums[2], mine[2];
    struct {
        int value;
        int rank;
    } pair, best;
    MPI_Init(&argc, &argv);
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    MPI_Comm_size(MPI_COMM_WORLD, &size);
    value = (rank * 7 + 3) % 5 + 1;
    mine[0] = value;
    mine[1] = rank * rank;
    MPI_Scan(mine, sums, 2, MPI_INT, MPI_SUM, MPI_COMM_WORLD);
    printf("rank %d: value %d, prefix sum %d, prefix sum of squares %d\n", rank, value, sums[0],
           sums[1]);
    MPI_Scan(&value, &sums[0], 1, MPI_INT, MPI_MAX, MPI_COMM_WORLD);
    printf("rank %d: prefix max %d\n", rank, sums[0]);
    pair.value = value;
    pair.rank = rank;
    MPI_Allreduce(&pair, &best, 1, MPI_2INT, MPI_MAXLOC, MPI_COMM_WORLD);
    if (rank == 0) {
        printf("largest value %d, first at rank %d\n", best.value, best.rank);
    }
    MPI_Finalize();
    return 0;
}
