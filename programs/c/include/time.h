/* time.h: time(NULL) for seeding (whole seconds since boot on ringlab). */
#ifndef RINGLAB_TIME_H
#define RINGLAB_TIME_H
typedef long time_t;
time_t time(time_t *out);
#endif
