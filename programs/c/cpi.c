// pi by integrating 4/(1+x*x) over [0,1]: intervals spread over the ranks, summed with MPI_Reduce
#include <math.h>
#include <mpi.h>
#include <stdio.h>
#include <stdlib.h>

static double f(double a) { return 4.0 / (1.0 + a * a); }

int main(int argc, char *argv[]) {
    int n = 10000, rank, size, i;
    double PI25DT = 3.141592653589793238462643;
    double mypi, pi, h, sum, x, startwtime = 0.0;
    MPI_Init(&argc, &argv);
    MPI_Comm_size(MPI_COMM_WORLD, &size);
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    if (argc > 1) {
        n = atoi(argv[1]);
    }
    if (rank == 0) {
        startwtime = MPI_Wtime();
    }
    MPI_Bcast(&n, 1, MPI_INT, 0, MPI_COMM_WORLD);
    h = 1.0 / (double)n;
    sum = 0.0;
    for (i = rank + 1; i <= n; i += size) {
        x = h * ((double)i - 0.5);
        sum += f(x);
    }
    mypi = h * sum;
    MPI_Reduce(&mypi, &pi, 1, MPI_DOUBLE, MPI_SUM, 0, MPI_COMM_WORLD);
    if (rank == 0) {
        printf("pi is approximately %.16f, Error is %.16f\n", pi, fabs(pi - PI25DT));
        printf("wall clock time = %f\n", MPI_Wtime() - startwtime);
    }
    MPI_Finalize();
    return 0;
}
