/* stdio.h: the output half of C's stdio for ringlab's C programs (libc/stdio.c). */
#ifndef RINGLAB_STDIO_H
#define RINGLAB_STDIO_H
#include <stdarg.h>
#include <stddef.h>

typedef struct ringlab_file FILE;
extern FILE *stdout;
extern FILE *stderr;
#define EOF (-1)

int printf(const char *format, ...);
int fprintf(FILE *stream, const char *format, ...);
int sprintf(char *str, const char *format, ...);
int snprintf(char *str, size_t size, const char *format, ...);
int vprintf(const char *format, va_list ap);
int vsnprintf(char *str, size_t size, const char *format, va_list ap);
int puts(const char *s);
int putchar(int c);
int fflush(FILE *stream);
#endif
