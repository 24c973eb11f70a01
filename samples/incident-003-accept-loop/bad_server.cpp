// Incident 003, reproduced (BAD): an epoll server whose listening socket is registered
// edge-triggered (EPOLLET). When it is over its connection limit, the accept loop closes the new
// connection and *returns*. Connections still in the backlog get no new edge, so they sit there
// (CLOSE_WAIT once their clients give up) and new clients time out.
//
//   npx connlint samples/incident-003-accept-loop/bad_server.cpp   -> accept-loop-early-exit (error)
#include <arpa/inet.h>
#include <cerrno>
#include <cstdio>
#include <fcntl.h>
#include <netinet/in.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

namespace {

constexpr int kMaxConnections = 1;
int g_connections = 0;

int make_listener(uint16_t port) {
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
    if (fd < 0) return -1;
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(port);
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (bind(fd, reinterpret_cast<sockaddr *>(&addr), sizeof addr) < 0 || listen(fd, 511) < 0) {
        close(fd);
        return -1;
    }
    return fd;
}

void accept_new_conn(int epfd, int listen_fd) {
    while (true) {
        int fd = accept4(listen_fd, nullptr, nullptr, SOCK_NONBLOCK);
        if (fd != -1) {
            if (g_connections >= kMaxConnections) {
                close(fd);
                return;  // BUG: leaves the rest of the edge-triggered backlog stranded
            }
            epoll_event cev{};
            cev.events = EPOLLIN | EPOLLRDHUP;
            cev.data.fd = fd;
            epoll_ctl(epfd, EPOLL_CTL_ADD, fd, &cev);
            ++g_connections;
        } else {
            if (errno == EAGAIN || errno == EWOULDBLOCK) return;  // drained: the only safe exit
            if (errno == EINTR) continue;
            perror("accept4");
            return;
        }
    }
}

}  // namespace

int main() {
    int listen_fd = make_listener(8080);
    if (listen_fd < 0) return 1;
    int epfd = epoll_create1(EPOLL_CLOEXEC);
    epoll_event ev{};
    ev.events = EPOLLIN | EPOLLET;
    ev.data.fd = listen_fd;
    epoll_ctl(epfd, EPOLL_CTL_ADD, listen_fd, &ev);
    epoll_event events[64];
    for (;;) {
        int n = epoll_wait(epfd, events, 64, -1);
        for (int i = 0; i < n; ++i) {
            if (events[i].data.fd == listen_fd) accept_new_conn(epfd, listen_fd);
        }
    }
}
