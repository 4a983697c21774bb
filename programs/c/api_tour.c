// a tour of mpi.h and the C library: statuses, probes, requests, every reduction op, libc and maths output
#include <assert.h>
#include <math.h>
#include <mpi.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* Isend/Irecv + Wait rounds: more than the 1024 requests a ringlab rank may
 * have active at once, so completed requests' handles must be reused. */
#define ROUNDS 1500

static const char *yes(int condition) { return condition ? "yes" : "no"; }

/* Point to point around the ring: Sendrecv, Test, Wait, Iprobe, Get_count. */
static void ring(int rank, int size) {
    int right = (rank + 1) % size, left = (rank + size - 1) % size;
    MPI_Status status;

    int sent = rank * 10, got = -1;
    status.MPI_ERROR = MPI_SUCCESS;
    MPI_Sendrecv(&sent, 1, MPI_INT, right, 1, &got, 1, MPI_INT, left, 1, MPI_COMM_WORLD, &status);
    printf("rank %d: sendrecv got %d from rank %d, tag %d, error %d\n", rank, got,
           status.MPI_SOURCE, status.MPI_TAG, status.MPI_ERROR);

    MPI_Request send, receive;
    unsigned token = 100u + (unsigned)rank, in = 0;
    MPI_Irecv(&in, 1, MPI_UNSIGNED, MPI_ANY_SOURCE, 2, MPI_COMM_WORLD, &receive);
    MPI_Isend(&token, 1, MPI_UNSIGNED, right, 2, MPI_COMM_WORLD, &send);
    int done = 0;
    while (!done) {
        MPI_Test(&receive, &done, &status);
    }
    MPI_Wait(&send, MPI_STATUS_IGNORE);
    printf("rank %d: any-source receive of %u from rank %d; requests null after: %s\n", rank, in,
           status.MPI_SOURCE, yes(send == MPI_REQUEST_NULL && receive == MPI_REQUEST_NULL));

    char word[6] = "hello";
    MPI_Send(word, 5, MPI_CHAR, right, 3, MPI_COMM_WORLD);
    int waiting = 0;
    while (!waiting) {
        MPI_Iprobe(MPI_ANY_SOURCE, 3, MPI_COMM_WORLD, &waiting, &status);
    }
    int chars, ints;
    MPI_Get_count(&status, MPI_CHAR, &chars);
    MPI_Get_count(&status, MPI_INT, &ints);
    char text[6] = {0};
    MPI_Recv(text, chars, MPI_CHAR, status.MPI_SOURCE, 3, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
    printf("rank %d: probed %d chars from rank %d (as ints: %s), text '%s'\n", rank, chars,
           status.MPI_SOURCE, ints == MPI_UNDEFINED ? "MPI_UNDEFINED" : "a count", text);

    long sum = 0;
    for (int round = 0; round < ROUNDS; round++) {
        MPI_Request requests[2];
        int out = rank + round, back = 0;
        MPI_Irecv(&back, 1, MPI_INT, left, 4, MPI_COMM_WORLD, &requests[0]);
        MPI_Isend(&out, 1, MPI_INT, right, 4, MPI_COMM_WORLD, &requests[1]);
        MPI_Wait(&requests[0], MPI_STATUS_IGNORE);
        MPI_Wait(&requests[1], MPI_STATUS_IGNORE);
        sum += back;
    }
    long expected = (long)left * ROUNDS + (long)ROUNDS * (ROUNDS - 1) / 2;
    printf("rank %d: %d isend/irecv rounds, sum %ld (expected %ld)\n", rank, ROUNDS, sum, expected);
}

/* Allgather, in place too, and a reduction of every type and op. */
static void collectives(int rank, int size) {
    int squares[16], places[16];
    int square = rank * rank;
    places[rank] = rank + 1;
    MPI_Allgather(&square, 1, MPI_INT, squares, 1, MPI_INT, MPI_COMM_WORLD);
    MPI_Allgather(MPI_IN_PLACE, 0, MPI_INT, places, 1, MPI_INT, MPI_COMM_WORLD);
    printf("rank %d: allgather", rank);
    for (int r = 0; r < size; r++) {
        printf(" %d/%d", squares[r], places[r]);
    }
    printf("\n");

    char letter = (char)('a' + rank), letters;
    MPI_Allreduce(&letter, &letters, 1, MPI_CHAR, MPI_MAX, MPI_COMM_WORLD);
    char small = (char)(10 + rank), small_sum;
    MPI_Allreduce(&small, &small_sum, 1, MPI_CHAR, MPI_SUM, MPI_COMM_WORLD);
    unsigned char bit = (unsigned char)(1u << rank), bits_or, bits_and, bits_xor;
    MPI_Allreduce(&bit, &bits_or, 1, MPI_BYTE, MPI_BOR, MPI_COMM_WORLD);
    MPI_Allreduce(&bit, &bits_and, 1, MPI_BYTE, MPI_BAND, MPI_COMM_WORLD);
    MPI_Allreduce(&bit, &bits_xor, 1, MPI_BYTE, MPI_BXOR, MPI_COMM_WORLD);
    printf("rank %d: char max '%c', char sum %d, byte or %d and %d xor %d\n", rank, letters,
           small_sum, bits_or, bits_and, bits_xor);

    unsigned factor = (unsigned)rank + 2, product, mask = 0xf0u | (unsigned)rank, and_mask, or_mask,
             xor_mask;
    MPI_Allreduce(&factor, &product, 1, MPI_UNSIGNED, MPI_PROD, MPI_COMM_WORLD);
    MPI_Allreduce(&mask, &and_mask, 1, MPI_UNSIGNED, MPI_BAND, MPI_COMM_WORLD);
    MPI_Allreduce(&mask, &or_mask, 1, MPI_UNSIGNED, MPI_BOR, MPI_COMM_WORLD);
    MPI_Allreduce(&mask, &xor_mask, 1, MPI_UNSIGNED, MPI_BXOR, MPI_COMM_WORLD);
    printf("rank %d: unsigned product %u, and %#x, or %#x, xor %#x\n", rank, product, and_mask,
           or_mask, xor_mask);

    unsigned long big = 1ul << (40 + rank), bigs;
    MPI_Allreduce(&big, &bigs, 1, MPI_UNSIGNED_LONG, MPI_SUM, MPI_COMM_WORLD);
    long long debt = -1000000000000ll * rank, lowest;
    MPI_Allreduce(&debt, &lowest, 1, MPI_LONG_LONG, MPI_MIN, MPI_COMM_WORLD);
    printf("rank %d: unsigned long sum %lu, long long min %lld\n", rank, bigs, lowest);

    int odd = rank % 2, all_odd, any_odd, odd_parity;
    MPI_Allreduce(&odd, &all_odd, 1, MPI_INT, MPI_LAND, MPI_COMM_WORLD);
    MPI_Allreduce(&odd, &any_odd, 1, MPI_INT, MPI_LOR, MPI_COMM_WORLD);
    MPI_Allreduce(&odd, &odd_parity, 1, MPI_INT, MPI_LXOR, MPI_COMM_WORLD);
    printf("rank %d: odd ranks: all %d, any %d, parity %d\n", rank, all_odd, any_odd, odd_parity);

    /* Halves and small powers of two add and multiply exactly in any order. */
    float half = 0.5f * (float)(rank + 1), halves = 0;
    MPI_Reduce(&half, &halves, 1, MPI_FLOAT, MPI_SUM, 0, MPI_COMM_WORLD);
    double power = pow(2.0, rank), powers = power;
    MPI_Reduce(rank == 0 ? MPI_IN_PLACE : &power, &powers, 1, MPI_DOUBLE, MPI_PROD, 0,
               MPI_COMM_WORLD);
    if (rank == 0) {
        printf("float sum %.2f, double product %g (in place at the root)\n", halves, powers);
    }

    struct {
        double value;
        int rank;
    } mine = {fabs(rank - 1.25), rank}, nearest, farthest;
    MPI_Allreduce(&mine, &nearest, 1, MPI_DOUBLE_INT, MPI_MINLOC, MPI_COMM_WORLD);
    MPI_Allreduce(&mine, &farthest, 1, MPI_DOUBLE_INT, MPI_MAXLOC, MPI_COMM_WORLD);
    printf("rank %d: nearest to 1.25 is rank %d (%.2f), farthest rank %d (%.2f)\n", rank,
           nearest.rank, nearest.value, farthest.rank, farthest.value);
}

/* The C library on rank 0: output, memory, conversions, random numbers, maths. */
static void library(void) {
    puts("puts: one line");
    const char *spelled = "putchar";
    for (size_t i = 0; i < strlen(spelled); i++) {
        putchar(spelled[i]);
    }
    putchar('\n');
    char line[80];
    int length = sprintf(line, "sprintf: [%05d] [%-6s] [%x] [%+.3e] [%#o] [%#x] [%p]", 42, "left",
                         255, 1234.5, 8, 0, (void *)0);
    printf("%s (%d chars)\n", line, length);
    /* A long precision: 600 digits (it once overran printf's buffer). */
    int wide = printf("precision: [%.600d]\n", -7);
    printf("that line was %d chars\n", wide);
    printf("strtol saturates: %ld %ld\n", strtol("99999999999999999999", 0, 10),
           strtol("-99999999999999999999", 0, 10));
    fflush(stdout);

    int *numbers = calloc(8, sizeof *numbers);
    int zeros = 1;
    for (int i = 0; i < 8; i++) {
        zeros = zeros && numbers[i] == 0;
        numbers[i] = i * i;
    }
    numbers = realloc(numbers, 64 * sizeof *numbers);
    printf("calloc zeroed: %s, realloc kept: %s\n", yes(zeros), yes(numbers[7] == 49));
    free(numbers);

    /* ringlab's rand is not glibc's: print only what holds for both. */
    srand(7);
    int first = rand(), second = rand();
    srand(7);
    printf("rand in range: %s, repeats after srand: %s\n",
           yes(first >= 0 && first <= RAND_MAX && second >= 0 && second <= RAND_MAX),
           yes(rand() == first && rand() == second));

    char *rest;
    long hex = strtol("0x1fZ", &rest, 16);
    long octal = strtol("0777", NULL, 0);
    double parsed = strtod("-2.5e3 volts", &rest);
    printf("atol %ld, strtol %ld %ld, strtod %g (rest '%s'), abs %d\n", atol("-1234567890123"), hex,
           octal, parsed, rest, abs(-7));
    assert(hex == 31 && octal == 511);

    time_t now = time(NULL), again;
    time(&again);
    printf("seconds clock runs forward: %s\n", yes(now >= 0 && again >= now));

    printf("sqrt(2) %.6f, floor(-2.5) %.1f, ceil(-2.5) %.1f, pow(2, 10) %g\n", sqrt(2.0), floor(-2.5),
           ceil(-2.5), pow(2.0, 10.0));
    printf("exp(1) %.6f, log(10) %.6f, sin(1) %.6f, cos(1) %.6f\n", exp(1.0), log(10.0), sin(1.0),
           cos(1.0));
    printf("exp(20) %e, pow(10, -5) %g, 1/3 %g, 2^70 %g, -0.0 %g\n", exp(20.0), pow(10.0, -5.0),
           1.0 / 3.0, pow(2.0, 70.0), -0.0);
}

int main(int argc, char **argv) {
    int before = -1, after = -1;
    MPI_Initialized(&before);
    MPI_Init(&argc, &argv);
    MPI_Initialized(&after);
    int rank, size;
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    MPI_Comm_size(MPI_COMM_WORLD, &size);
    assert(size >= 2 && size <= 16);
    char name[MPI_MAX_PROCESSOR_NAME];
    int name_length = 0;
    MPI_Get_processor_name(name, &name_length);
    printf("rank %d: initialized %d then %d, processor name given: %s, tick positive: %s\n", rank,
           before, after, yes(name_length > 0 && (int)strlen(name) == name_length),
           yes(MPI_Wtick() > 0.0));
    ring(rank, size);
    collectives(rank, size);
    if (rank == 0) {
        library();
    }
    MPI_Finalize();
    return 0;
}
