// pi by integrating 4/(1+x*x) over [0,1]: intervals spread over the ranks, summed with MPI_Reduce
#include <math.h>
#include <mpi.h>
#include <stdio.h>
#include <stdlib.h>

/* The most intervals: with at most a few ranks, i += size cannot overflow. */
#define MAX_INTERVALS 1000000000L

static double f(double a) { return 4.0 / (1.0 + a * a); }

int main(int argc, char *argv[]) {
    int n = 10000, rank, size, i;
    double PI25DT = 3.141592653589793238462643;
    double mypi, pi, h, sum, x, startwtime = 0.0;
    MPI_Init(&argc, &argv);
    MPI_Comm_size(MPI_COMM_WORLD, &size);
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    if (argc > 1) {
        /* Every rank has the same arguments, so all of them refuse alike. */
        char *end;
        long asked = strtol(argv[1], &end, 10);
        if (argc > 2 || *argv[1] == '\0' || *end != '\0' || asked < 1 || asked > MAX_INTERVALS) {
            if (rank == 0) {
                printf("usage: cpi [N], N a whole number of intervals from 1 to %ld, not '%s'%s\n",
                       MAX_INTERVALS, argv[1], argc > 2 ? " and more" : "");
            }
            /* The others wait for that line: a rank that ends with an error
             * first would have the run stop rank 0 before it prints. */
            MPI_Barrier(MPI_COMM_WORLD);
            MPI_Finalize();
            return 2;
        }
        n = (int)asked;
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
