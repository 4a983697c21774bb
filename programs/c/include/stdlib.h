/* stdlib.h: ringlab's C programs' memory, conversions, random numbers and exit. */
#ifndef RINGLAB_STDLIB_H
#define RINGLAB_STDLIB_H
#include <stddef.h>

#define EXIT_SUCCESS 0
#define EXIT_FAILURE 1
#define RAND_MAX 2147483647

void *malloc(size_t size);
void *calloc(size_t count, size_t size);
void *realloc(void *ptr, size_t size);
void free(void *ptr);
int atoi(const char *s);
long atol(const char *s);
long strtol(const char *s, char **end, int base);
double strtod(const char *s, char **end);
double atof(const char *s);
int rand(void);
void srand(unsigned seed);
int abs(int x);
long labs(long x);
_Noreturn void exit(int status);
_Noreturn void abort(void);
#endif
