/* stdio.c: printf and friends for ringlab's C programs. Formatting is here
 * (variadic functions must be C); floating-point digits come from the
 * kernel's __ringlab_format_double (Rust's exact formatting), and output
 * goes to __ringlab_write, which hands the run one line at a time. */
#include <stdio.h>
#include <string.h>

void __ringlab_write(const char *bytes, size_t len);
size_t __ringlab_format_double(char *out, size_t cap, double x, int conv, int precision,
                               int flags);

struct ringlab_file {
    int unused;
};
static FILE the_console;
FILE *stdout = &the_console;
FILE *stderr = &the_console;

enum { FLAG_LEFT = 1, FLAG_PLUS = 2, FLAG_SPACE = 4, FLAG_ALT = 8, FLAG_ZERO = 16 };

/* Where formatted text goes: a buffer of `cap` bytes; `len` counts all. */
struct sink {
    char *buf;
    size_t cap;
    size_t len;
};

static void put(struct sink *out, char c) {
    if (out->len + 1 < out->cap) out->buf[out->len] = c;
    out->len++;
}

static void put_padded(struct sink *out, const char *text, size_t len, int width, int flags) {
    size_t sign = (len && (text[0] == '-' || text[0] == '+' || text[0] == ' ')) ? 1 : 0;
    int pad = width > (int)len ? width - (int)len : 0;
    if (flags & FLAG_LEFT) {
        for (size_t i = 0; i < len; i++) put(out, text[i]);
        while (pad--) put(out, ' ');
        return;
    }
    if (flags & FLAG_ZERO) {
        for (size_t i = 0; i < sign; i++) put(out, text[i]);
        while (pad--) put(out, '0');
        for (size_t i = sign; i < len; i++) put(out, text[i]);
        return;
    }
    while (pad--) put(out, ' ');
    for (size_t i = 0; i < len; i++) put(out, text[i]);
}

/* Digits of `value` in `base` (lower or upper case), at least `precision` of them. */
static size_t integer_text(char *text, unsigned long long value, int negative, int base,
                           int upper, int precision, int flags) {
    char digits[32];
    size_t n = 0;
    const char *set = upper ? "0123456789ABCDEF" : "0123456789abcdef";
    int nonzero = value != 0;
    do {
        digits[n++] = set[value % base];
        value /= base;
    } while (value);
    if (precision == 0 && n == 1 && digits[0] == '0') n = 0;
    size_t len = 0;
    if (negative) text[len++] = '-';
    else if (flags & FLAG_PLUS) text[len++] = '+';
    else if (flags & FLAG_SPACE) text[len++] = ' ';
    /* '#': 0x before a non-zero hex number; octal starts with a 0. */
    if ((flags & FLAG_ALT) && base == 16 && nonzero) {
        text[len++] = '0';
        text[len++] = upper ? 'X' : 'x';
    }
    if ((flags & FLAG_ALT) && base == 8 && precision <= (int)n && (n == 0 || nonzero)) {
        precision = (int)n + 1;
    }
    for (int i = (int)n; i < precision; i++) text[len++] = '0';
    while (n) text[len++] = digits[--n];
    return len;
}

/* The most digits a precision asks for that a conversion makes: past it, a
 * number's text would not fit convert()'s buffer, so more is cut to this. */
#define MAX_PRECISION 1000
/* The widest field: more is cut to this (and never overflows an int). */
#define MAX_WIDTH 1000000

/* The decimal number at `*f`, which it passes over; at most `cap`. */
static int decimal(const char **f, int cap) {
    int n = 0;
    for (; **f >= '0' && **f <= '9'; (*f)++) {
        n = n > (cap - (**f - '0')) / 10 ? cap : n * 10 + (**f - '0');
    }
    return n;
}

/* The spec after '%': flags, width, precision and length. */
struct spec {
    int flags, width, precision, length;
};

static const char *parse_spec(const char *f, struct spec *s, va_list *ap) {
    s->flags = 0;
    s->width = 0;
    s->precision = -1;
    s->length = 0;
    for (;; f++) {
        if (*f == '-') s->flags |= FLAG_LEFT;
        else if (*f == '+') s->flags |= FLAG_PLUS;
        else if (*f == ' ') s->flags |= FLAG_SPACE;
        else if (*f == '#') s->flags |= FLAG_ALT;
        else if (*f == '0') s->flags |= FLAG_ZERO;
        else break;
    }
    if (*f == '*') {
        int width = va_arg(*ap, int);
        if (width < 0) {
            s->flags |= FLAG_LEFT;
            width = width < -MAX_WIDTH ? MAX_WIDTH : -width; /* -INT_MIN overflows */
        }
        s->width = width > MAX_WIDTH ? MAX_WIDTH : width;
        f++;
    }
    if (*f >= '0' && *f <= '9') s->width = decimal(&f, MAX_WIDTH);
    if (*f == '.') {
        f++;
        s->precision = 0;
        if (*f == '*') {
            s->precision = va_arg(*ap, int);
            f++;
        }
        if (*f >= '0' && *f <= '9') s->precision = decimal(&f, MAX_PRECISION);
        if (s->precision > MAX_PRECISION) s->precision = MAX_PRECISION; /* from '*' */
    }
    while (*f == 'l' || *f == 'h' || *f == 'z' || *f == 'j' || *f == 't') {
        s->length += (*f == 'l' || *f == 'z' || *f == 'j' || *f == 't') ? 2 : -1;
        f++;
    }
    return f;
}

static long long signed_arg(const struct spec *s, va_list *ap) {
    if (s->length >= 2) return va_arg(*ap, long long);
    int v = va_arg(*ap, int);
    return s->length == -1 ? (short)v : s->length <= -2 ? (signed char)v : v;
}

static unsigned long long unsigned_arg(const struct spec *s, va_list *ap) {
    if (s->length >= 2) return va_arg(*ap, unsigned long long);
    unsigned v = va_arg(*ap, unsigned);
    return s->length == -1 ? (unsigned short)v : s->length <= -2 ? (unsigned char)v : v;
}

/* A double argument. Soft float passes it in an integer register, but
 * clang's va_arg(ap, double) still reads the (unsaved) SSE save area, so
 * the bits are fetched as an integer. */
static double double_arg(va_list *ap) {
    union {
        unsigned long long bits;
        double value;
    } arg = {va_arg(*ap, unsigned long long)};
    return arg.value;
}

/* One conversion: `conv` with spec `s`, its argument taken from `ap`. */
static void convert(struct sink *out, char conv, struct spec *s, va_list *ap) {
    char text[MAX_PRECISION + 100]; /* sign, prefix, digits; a double's integer part */
    size_t len = 0;
    int zero_ok = s->precision < 0;
    switch (conv) {
    case 'd':
    case 'i': {
        long long v = signed_arg(s, ap);
        unsigned long long mag = v < 0 ? 0ULL - (unsigned long long)v : (unsigned long long)v;
        len = integer_text(text, mag, v < 0, 10, 0, s->precision < 0 ? 1 : s->precision, s->flags);
        break;
    }
    case 'u':
    case 'x':
    case 'X':
    case 'o': {
        int base = conv == 'u' ? 10 : conv == 'o' ? 8 : 16;
        len = integer_text(text, unsigned_arg(s, ap), 0, base, conv == 'X',
                           s->precision < 0 ? 1 : s->precision, s->flags & ~(FLAG_PLUS | FLAG_SPACE));
        break;
    }
    case 'p': {
        void *pointer = va_arg(*ap, void *);
        if (!pointer) { /* as glibc */
            put_padded(out, "(nil)", 5, s->width, s->flags & FLAG_LEFT);
            return;
        }
        len = integer_text(text, (unsigned long long)pointer, 0, 16, 0, 1, FLAG_ALT);
        break;
    }
    case 'c':
        text[len++] = (char)va_arg(*ap, int);
        zero_ok = 0;
        break;
    case 's': {
        const char *str = va_arg(*ap, const char *);
        if (!str) str = "(null)";
        size_t n = strlen(str);
        if (s->precision >= 0 && (size_t)s->precision < n) n = (size_t)s->precision;
        put_padded(out, str, n, s->width, s->flags & FLAG_LEFT);
        return;
    }
    case 'f': case 'F': case 'e': case 'E': case 'g': case 'G':
        len = __ringlab_format_double(text, sizeof text, double_arg(ap), conv,
                                      s->precision < 0 ? 6 : s->precision, s->flags);
        zero_ok = 1;
        break;
    default:
        text[len++] = '%';
        if (conv) text[len++] = conv;
        zero_ok = 0;
    }
    put_padded(out, text, len, s->width, zero_ok ? s->flags : s->flags & ~FLAG_ZERO);
}

int vsnprintf(char *str, size_t size, const char *format, va_list ap) {
    struct sink out = {str, size, 0};
    va_list args;
    va_copy(args, ap);
    for (const char *f = format; *f; f++) {
        if (*f != '%') {
            put(&out, *f);
            continue;
        }
        if (f[1] == '%') {
            put(&out, '%');
            f++;
            continue;
        }
        struct spec s;
        f = parse_spec(f + 1, &s, &args);
        convert(&out, *f, &s, &args);
        if (!*f) break;
    }
    va_end(args);
    if (size) str[out.len < size ? out.len : size - 1] = 0;
    return (int)out.len;
}

int snprintf(char *str, size_t size, const char *format, ...) {
    va_list ap;
    va_start(ap, format);
    int n = vsnprintf(str, size, format, ap);
    va_end(ap);
    return n;
}

int sprintf(char *str, const char *format, ...) {
    va_list ap;
    va_start(ap, format);
    int n = vsnprintf(str, (size_t)-1 / 2, format, ap);
    va_end(ap);
    return n;
}

int vprintf(const char *format, va_list ap) {
    char small[512];
    va_list again;
    va_copy(again, ap);
    int n = vsnprintf(small, sizeof small, format, ap);
    if (n < (int)sizeof small) {
        __ringlab_write(small, (size_t)n);
    } else {
        char big[n + 1];
        vsnprintf(big, sizeof big, format, again);
        __ringlab_write(big, (size_t)n);
    }
    va_end(again);
    return n;
}

int printf(const char *format, ...) {
    va_list ap;
    va_start(ap, format);
    int n = vprintf(format, ap);
    va_end(ap);
    return n;
}

int fprintf(FILE *stream, const char *format, ...) {
    (void)stream;
    va_list ap;
    va_start(ap, format);
    int n = vprintf(format, ap);
    va_end(ap);
    return n;
}

int puts(const char *s) {
    __ringlab_write(s, strlen(s));
    __ringlab_write("\n", 1);
    return 1;
}

int putchar(int c) {
    char ch = (char)c;
    __ringlab_write(&ch, 1);
    return (unsigned char)c;
}

/* Lines are handed on as they end; a last partial line when the instance ends. */
int fflush(FILE *stream) {
    (void)stream;
    return 0;
}
