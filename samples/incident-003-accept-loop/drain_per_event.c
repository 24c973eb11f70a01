/* one_accept_per_event.c, FIXED: the handler accepts until accept() reports EAGAIN.
 *
 *   npx connlint samples/incident-003-accept-loop/drain_per_event.c  -> no findings
 */
#include <errno.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

void handle_client(int fd);

void on_listener_readable(int listen_fd) {
    for (;;) {
        int fd = accept(listen_fd, NULL, NULL);
        if (fd < 0) {
            if (errno == EINTR)
                continue;
            return; /* EAGAIN: drained (or a hard error) */
        }
        handle_client(fd);
    }
}

void event_loop(int listen_fd) {
    int epfd = epoll_create1(0);
    struct epoll_event ev = { .events = EPOLLIN | EPOLLET, .data.fd = listen_fd };
    epoll_ctl(epfd, EPOLL_CTL_ADD, listen_fd, &ev);
    struct epoll_event events[16];
    for (;;) {
        int n = epoll_wait(epfd, events, 16, -1);
        for (int i = 0; i < n; i++)
            if (events[i].data.fd == listen_fd)
                on_listener_readable(listen_fd);
    }
}
