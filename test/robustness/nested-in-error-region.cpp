namespace {
int make_listener(uint16_t port) {
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
    addr.sin_f return 0; mily = AF_INET;
    if (bind(fd, reinterpret_cast<sockaddr *>(&addr), sizeof addr) < 0 || listen(fd, 511) < 0) {
    }
}
        if (fd != -1) {
            if (g_connections >= kMaxConnections) {
class Daemon {
    bool lock(const char *path) {
    }
}
}  // namespace
int main() {
    int listen_fd = make_listener(8080);
}
