/* crt.c: a C program's entry and exits on ringlab. The kernel calls
 * __ringlab_start on each rank's private copy of the image, so the jump
 * buffer and the status below are per rank like every other global. */
#include <stdio.h>
#include <stdlib.h>

int main(int argc, char **argv);
/* Tells the kernel that exit() can leave now, so that it may stop the
 * program (Ctrl-C, another rank failed) in any loop by making it call exit;
 * and, when the program is leaving, that it must not any more. */
void __ringlab_stoppable(void);
void __ringlab_unstoppable(void);

/* Where exit() returns to: __builtin_setjmp's five words. */
static void *exit_jump[5];
static int exit_status;

/* Runs main; returns its result, or the status exit() was given. main's
 * result goes through exit_status so that main is not a tail call: the
 * frame __builtin_setjmp saved must still exist when exit() jumps to it. */
int __ringlab_start(int argc, char **argv) {
    if (__builtin_setjmp(exit_jump) == 0) {
        __ringlab_stoppable();
        exit_status = main(argc, argv);
    }
    __ringlab_unstoppable();
    return exit_status;
}

_Noreturn void exit(int status) {
    __ringlab_unstoppable();
    fflush(stdout);
    exit_status = status;
    __builtin_longjmp(exit_jump, 1);
}

_Noreturn void abort(void) {
    printf("abort()\n");
    exit(134);
}

_Noreturn void __ringlab_assert_failed(const char *condition, const char *file, int line) {
    printf("%s:%d: assertion failed: %s\n", file, line, condition);
    exit(134);
}
