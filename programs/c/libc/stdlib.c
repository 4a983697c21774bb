/* stdlib.c: the parts of stdlib.h written in C (malloc, strtod and time are
 * the kernel's, in Rust). rand() is the C standard's sample generator, per
 * rank (each rank has its own copy of the state). */
#include <limits.h>
#include <stdlib.h>

static unsigned long rand_state = 1;

int rand(void) {
    rand_state = rand_state * 1103515245 + 12345;
    return (int)((rand_state / 65536) % 32768);
}

void srand(unsigned seed) { rand_state = seed; }

int abs(int x) { return x < 0 ? -x : x; }
long labs(long x) { return x < 0 ? -x : x; }

static int digit_value(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'z') return c - 'a' + 10;
    if (c >= 'A' && c <= 'Z') return c - 'A' + 10;
    return 99;
}

long strtol(const char *s, char **end, int base) {
    const char *p = s;
    while (*p == ' ' || (*p >= '\t' && *p <= '\r')) p++;
    int negative = *p == '-';
    if (*p == '-' || *p == '+') p++;
    if ((base == 0 || base == 16) && p[0] == '0' && (p[1] == 'x' || p[1] == 'X')) {
        p += 2;
        base = 16;
    } else if (base == 0) {
        base = *p == '0' ? 8 : 10;
    }
    const char *digits = p;
    /* The largest magnitude: LONG_MAX, or one more for a negative number.
     * Past it the value stays there (saturates), as C's strtol returns
     * LONG_MAX or LONG_MIN (there is no errno here to say ERANGE). */
    unsigned long limit = negative ? (unsigned long)LONG_MAX + 1 : (unsigned long)LONG_MAX;
    unsigned long value = 0;
    for (; digit_value(*p) < base; p++) {
        unsigned long d = (unsigned long)digit_value(*p);
        value = value > (limit - d) / (unsigned long)base ? limit : value * base + d;
    }
    if (end) *end = (char *)(p == digits ? s : p);
    return negative ? (long)(0 - value) : (long)value;
}

long atol(const char *s) { return strtol(s, 0, 10); }
int atoi(const char *s) { return (int)strtol(s, 0, 10); }
double atof(const char *s) { return strtod(s, 0); }

void *calloc(size_t count, size_t size) {
    size_t bytes = count * size;
    if (size && bytes / size != count) return 0;
    unsigned char *p = malloc(bytes);
    for (size_t i = 0; p && i < bytes; i++) p[i] = 0;
    return p;
}
