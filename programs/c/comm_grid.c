// row and column communicators with MPI_Comm_split: ranks in a grid of 2 columns, sums over each row and column
#include <mpi.h>
#include <stdio.h>

#define COLUMNS 2

int main(int argc, char **argv) {
    int rank, size, row_rank, row_size, col_rank, col_size, row_sum, col_sum;
    MPI_Comm row_comm, col_comm;
    MPI_Init(&argc, &argv);
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    MPI_Comm_size(MPI_COMM_WORLD, &size);
    MPI_Comm_split(MPI_COMM_WORLD, rank / COLUMNS, rank, &row_comm);
    MPI_Comm_split(MPI_COMM_WORLD, rank % COLUMNS, -rank, &col_comm);
    MPI_Comm_rank(row_comm, &row_rank);
    MPI_Comm_size(row_comm, &row_size);
    MPI_Comm_rank(col_comm, &col_rank);
    MPI_Comm_size(col_comm, &col_size);
    MPI_Allreduce(&rank, &row_sum, 1, MPI_INT, MPI_SUM, row_comm);
    MPI_Allreduce(&rank, &col_sum, 1, MPI_INT, MPI_SUM, col_comm);
    printf("rank %d: row %d (rank %d of %d, sum %d), column %d (rank %d of %d, sum %d)\n", rank,
           rank / COLUMNS, row_rank, row_size, row_sum, rank % COLUMNS, col_rank, col_size,
           col_sum);
    MPI_Comm_free(&row_comm);
    MPI_Comm_free(&col_comm);
    MPI_Finalize();
    return 0;
}
