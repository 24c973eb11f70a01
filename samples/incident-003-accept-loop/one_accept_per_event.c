/* Incident 003's sibling (BAD): an edge-triggered listener whose handler calls accept() once per
 * wake-up. Two clients arriving together produce one edge; the second waits for a third client.
 *
 *   npx connlint samples/incident-003-accept-loop/one_accept_per_event.c  -> et-accept-not-drained (error)
 */
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

void handle_client(int fd);

void on_listener_readable(int listen_fd) {
    int fd = accept(listen_fd, NULL, NULL);
    if (fd < 0)
        return;
    handle_client(fd);
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
