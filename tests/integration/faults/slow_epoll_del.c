/* slow_epoll_del.c: preloaded into a server, makes the main thread's removals from an epoll
 * set 100 ms slow, so that a worker thread runs between the moment stopping begins and the
 * moment the listening socket leaves the worker's event set. */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <sys/epoll.h>
#include <time.h>
#include <unistd.h>

int epoll_ctl(int epfd, int op, int fd, struct epoll_event *event)
{
    static int (*real)(int, int, int, struct epoll_event *);
    if (real == NULL)
        real = (int (*)(int, int, int, struct epoll_event *))dlsym(RTLD_NEXT, "epoll_ctl");
    if (op == EPOLL_CTL_DEL && gettid() == getpid()) {
        struct timespec pause = { 0, 100 * 1000000L };
        nanosleep(&pause, NULL);
    }
    return real(epfd, op, fd, event);
}
