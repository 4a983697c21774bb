/* assert.h: a failed assertion prints the condition and ends the instance (status 134). */
#ifndef RINGLAB_ASSERT_H
#define RINGLAB_ASSERT_H
_Noreturn void __ringlab_assert_failed(const char *condition, const char *file, int line);
#ifdef NDEBUG
#define assert(condition) ((void)0)
#else
#define assert(condition) \
    ((condition) ? (void)0 : __ringlab_assert_failed(#condition, __FILE__, __LINE__))
#endif
#endif
