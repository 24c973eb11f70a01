/* Incident 002, reproduced (BAD): a small WebSocket-style service that serves static files and
 * per-client log streams. On some error paths it returns without closing what it opened. Each
 * leaked descriptor stays open for the life of the process; after a few thousand requests the
 * service hits its limit ("Socket fd xxx is too high") and stops accepting.
 *
 *   npx connlint samples/incident-002-fd-leak/bad_static_files.c   -> 3 x fd-leak (error)
 */
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#define MAX_BODY (64 * 1024)

struct session {
    int sock;
    FILE *log;
};

static int send_all(int sock, const char *buf, size_t len) {
    while (len > 0) {
        ssize_t n = send(sock, buf, len, 0);
        if (n <= 0)
            return -1;
        buf += n;
        len -= (size_t)n;
    }
    return 0;
}

/* Serves one file to the client. */
int serve_file(struct session *s, const char *path) {
    char body[MAX_BODY];
    struct stat st;
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return -404;
    if (fstat(fd, &st) < 0 || st.st_size > MAX_BODY)
        return -413;                      /* BUG: fd leaks on oversized files */
    ssize_t n = read(fd, body, sizeof body);
    close(fd);
    if (n < 0)
        return -500;
    return send_all(s->sock, body, (size_t)n);
}

/* Opens the per-session log and writes the greeting. */
int session_open_log(struct session *s, const char *dir) {
    char path[256];
    snprintf(path, sizeof path, "%s/session-%d.log", dir, s->sock);
    FILE *log = fopen(path, "a");
    if (log == NULL)
        return -1;
    if (fprintf(log, "session %d opened\n", s->sock) < 0)
        return -1;                        /* BUG: the FILE* leaks when the first write fails */
    s->log = log;
    return 0;
}

/* Health check: connects to a backend and reads one byte. */
int backend_alive(const struct sockaddr *addr, socklen_t len) {
    char c;
    int b = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (b < 0)
        return 0;
    if (connect(b, addr, len) < 0) {
        close(b);
        return 0;
    }
    if (recv(b, &c, 1, 0) != 1) {
        return 0;                         /* BUG: the socket leaks when the backend sends nothing */
    }
    close(b);
    return 1;
}
