import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../core/engine/config.js';
import { actualFindings, analyze, describeRuleFixtures, fixtureSources } from '../helpers.js';

/**
 * et-accept-not-drained. Each fixture under test/fixtures/et-accept-not-drained/ (and the shared
 * test/fixtures/accept-loop-early-exit/) states what the rule reports with `// expect…` comments
 * (docs/testing-rules.md); every other line there must stay silent.
 */
describeRuleFixtures('et-accept-not-drained', {
  'nested-retry.cpp': 'C++: an EINTR retry loop inside a for (;;) that hands each connection on and accepts again without waiting (hev-task-system\'s echo server shape): the outer loop drains, silent',
  'libevent.c': 'libevent EV_ET callbacks',
  'not-drained.c': 'accept outside a loop; wrappers and helpers called in loops',
  'not-drained.cpp': 'accept outside a loop in C++ members (in-class, out-of-class), an EINTR retry loop that leaves on EAGAIN, level-triggered member, an accept in dead code after a return',
  'loop-roles.c': 'an accept in no drain loop: one accept per event inside the loop over epoll_wait() events, an EINTR retry loop (also one that leaves on EAGAIN); a drain loop inside the event loop is fine; a retry loop nested in a loop that comes back to it with no readiness wait drains, one nested in an event loop does not; an accept in dead code after an unconditional continue is silent',
  'event-layer.c': 'the program\'s event layer: events from a helper that always returns EPOLLET, the accept handler a callback in a struct field',
  'event-layer-mixed.c': 'an event layer that also registers with flags and an operation its callers choose says nothing about a callback\'s listener',
  'equality-alias.c': 'a listener told apart by `fd == lfd` in the event loop and passed on as the event\'s descriptor is `lfd` for the handler',
  'field-copies.c': 'a listener copied into a field by the function that registers it EPOLLET (epollix: worker_data[i].server_fd = server_fd; then epoll_ctl(…, server_fd, …)) is that listener when a worker accepts on data->server_fd once per event; another struct\'s field of the same name, registered level-triggered, stays silent',
  'field-copies.cpp': 'C++: the same through workers[i].listen_fd and a member function accepting on listen_fd; another class\'s same-named member, registered level-triggered, stays silent',
  'macro-registrations.c': 'a registration inside a statement macro is one where the macro is used (OpenLDAP\'s SLAP_SOCK_ADD(s, sl): EPOLLIN|EPOLLET assigned in its body, epoll_ctl(…, (s), …); the accept on SLAP_FD2SOCK(sl->sl_sd) once per event); a macro with level-triggered flags stays silent',
  'macro-registrations.cpp': 'C++: a statement macro with its flags in a designated initializer registers a member listener edge-triggered; a level-triggered macro stays silent',
  'trigger-parameter.c': 'a wrapper that adds EPOLLET only when its trigger parameter equals a constant (if (trigger == ospoll_trigger_edge) ev.events |= EPOLLET): level at a call passing another constant, edge at one passing that one',
  'trigger-parameter.cpp': 'C++: the same with an enum class (Trigger::Edge), called from same-named methods of two classes with their members named bare',
  'kqueue-backend.c': 'a kqueue backend in the #else of #if HAVE_LINUX registers the listener EV_CLEAR (through a local copied from a nested field) where the epoll one is level-triggered: its one accept per event is reported for a BSD or macOS build, the Linux handler and a draining handler stay silent',
  'kqueue-backend.cpp': 'C++: a member listener registered EV_CLEAR under #ifdef __APPLE__ and level-triggered with epoll otherwise, accepted once per event by a shared handler: reported for a BSD or macOS build; a draining handler and a Windows-only one stay silent',
  'own-method.cpp': 'C++: inside the methods of a class with its own method named accept (slick\'s Endpoint), an unqualified accept(fd) calls that method (which drains): silent; ::accept once per event on the same EPOLLET listener is reported',
  'two-backends.c': 'a listener registered edge-triggered with libevent and level-triggered with epoll: the message names both registrations',
  'libev-libuv.c': 'libev and libuv registrations are level-triggered (the default options: silent)',
  'reused-variable.c': 'an accept that stores the connection into the listener\'s own variable (libvma\'s fd = accept(fd, …) then EPOLLET for fd) registers the connection, not the level-triggered listener: silent; a listener registered edge-triggered before the same loop is reported',
  'reused-variable.cpp': 'C++: the same reuse of the listener\'s variable in a member function: silent',
  'eagain-waits.c': 'a loop retrying accept after EAGAIN (waiting for readiness on that branch) and leaving with the connection tries it before every wait: silent; a callback accepting once per wake-up, and a loop waiting before its accept, strand the backlog',
  'eagain-waits.cpp': 'C++: accept4 handed, through a macro building a lambda or a lambda written out, to a template helper that retries it on EAGAIN (PhotonLibOS\'s etdoio): silent; a helper running it once strands the backlog',
});

/** Runs both accept rules (analyze's default), as it did when the two shared one test file. */
describe('et-accept-not-drained in detail', () => {
  it('keeps functions of the same name in separate programs apart', () => {
    const program = (flags: string) => `#include <sys/epoll.h>
void handle(int fd);
void on_readable(int listen_fd) { int fd = accept(listen_fd, 0, 0); if (fd >= 0) handle(fd); }
void event_loop(int listen_fd) {
  struct epoll_event ev = { .events = ${flags}, .data.fd = listen_fd };
  epoll_ctl(3, EPOLL_CTL_ADD, listen_fd, &ev);
  for (;;) on_readable(listen_fd);
}`;
    const findings = analyze([
      { path: 'a/level.c', text: program('EPOLLIN') },
      { path: 'b/edge.c', text: program('EPOLLIN | EPOLLET') },
    ]);
    expect(findings.map((f) => [f.location.file, f.location.line, f.ruleId, f.related[0]?.location.file])).toEqual([['b/edge.c', 3, 'et-accept-not-drained', 'b/edge.c']]);
  });

});

describe('et-accept-not-drained and the event libraries without an edge-triggered mode', () => {
  it('libev io watchers and libuv poll handles register level-triggered: silent even under edgeTriggered: assume', () => {
    const sources = fixtureSources('et-accept-not-drained/libev-libuv.c');
    const config = parseConfig('/x/connlint.json', JSON.stringify({ rules: { 'accept-loop-early-exit': ['error', { edgeTriggered: 'assume' }], 'et-accept-not-drained': ['warning', { edgeTriggered: 'assume' }] } }));
    expect(analyze(sources)).toEqual([]);
    // Only the listener no library registered is taken as edge-triggered.
    expect(actualFindings(analyze(sources, config))).toEqual(['et-accept-not-drained/libev-libuv.c:26 et-accept-not-drained warning']);
  });
});

describe('et-accept-not-drained and a trigger mode decided by a wrapper\'s caller', () => {
  it('a listener registered level-triggered two wrappers down (SetNotifyFd → ospoll_add(…, ospoll_trigger_level, …)) is no question under edgeTriggered: ask', () => {
    const text = `#include <sys/epoll.h>
#include <sys/socket.h>
enum ospoll_trigger { ospoll_trigger_edge, ospoll_trigger_level };
void serve(int fd);
int ospoll_add(int fd, enum ospoll_trigger trigger, void *data) {
    struct epoll_event ev;
    ev.events = EPOLLIN;
    ev.data.ptr = data;
    if (trigger == ospoll_trigger_edge)
        ev.events |= EPOLLET;
    return epoll_ctl(3, EPOLL_CTL_ADD, fd, &ev);
}
int set_notify_fd(int fd, void *data) { return ospoll_add(fd, ospoll_trigger_level, data); }
int add_client(int fd, void *data) { return ospoll_add(fd, ospoll_trigger_edge, data); }
struct driver { int socket_fd; };
void driver_listen(struct driver *d) { set_notify_fd(d->socket_fd, d); }
void driver_accept(struct driver *d) {
    int c = accept(d->socket_fd, 0, 0);
    if (c >= 0) add_client(c, d);
}
`;
    const ask = parseConfig('/x/connlint.json', JSON.stringify({ rules: { 'accept-loop-early-exit': ['error', { edgeTriggered: 'ask' }], 'et-accept-not-drained': ['error', { edgeTriggered: 'ask' }] } }));
    const sources = [{ path: 'os/poll.c', text }];
    expect(actualFindings(analyze(sources, ask)).filter((f) => !f.includes('fd-leak'))).toEqual([]);
    expect(actualFindings(analyze(sources)).filter((f) => !f.includes('fd-leak'))).toEqual([]);
  });
});

describe('et-accept-not-drained under edgeTriggered: ask, and accept primitives', () => {
  const ask = parseConfig('/x/connlint.json', JSON.stringify({ rules: { 'fd-leak': 'off', 'et-accept-not-drained': ['error', { edgeTriggered: 'ask' }] } }));
  it('a function that hands the connection to its caller (returned, through a pointer or reference parameter, into a parameter\'s field) is not asked about; one that serves it itself is', () => {
    const text = `#include <errno.h>
#include <sys/socket.h>
#include <unistd.h>
struct conn { int sd; };
void serve(int fd);
int sync_accept(int s) {
    for (;;) {
        int new_socket = accept(s, 0, 0);
        if (new_socket >= 0)
            return new_socket;
        if (errno == EAGAIN)
            return -1;
    }
}
int socket_accept(int *ps, int *pa) {
    for (;;) {
        if ((*pa = accept(*ps, 0, 0)) >= 0)
            return 0;
        if (errno != EINTR)
            return errno;
    }
}
int tcp_accept(struct conn *sc, struct conn *c) {
    int sd = accept(sc->sd, 0, 0);
    if (sd < 0 && errno == EAGAIN)
        return -1;
    c->sd = sd;
    return 0;
}
void on_readable(int listener) {
    int c = accept(listener, 0, 0);
    if (c < 0 && errno == EAGAIN)
        return;
    serve(c);
}
`;
    const cpp = `#include <cerrno>
#include <sys/socket.h>
bool non_blocking_accept(int s, int& new_socket) {
    new_socket = ::accept(s, nullptr, nullptr);
    return new_socket >= 0 || errno != EAGAIN;
}
bool accept_one(int s, int& out) {
    int c = ::accept(s, nullptr, nullptr);
    if (c < 0 && errno == EAGAIN)
        return false;
    out = c;
    return true;
}
`;
    const edgeElsewhere = { path: 'net/clients.h', text: '#define CLIENT_EVENTS (EPOLLIN | EPOLLET)\n' };
    const findings = analyze([{ path: 'net/primitives.c', text }, { path: 'net/socket_ops.cpp', text: cpp }, edgeElsewhere], ask);
    expect(findings.map((f) => [f.ruleId, f.severity, f.location.line, f.location.column])).toEqual([['et-accept-not-drained', 'note', 31, 13]]);
    expect(findings[0]!.message).toContain("accept() on listener 'listener' is not in a loop");
  });

  it('asks once per listener per function (an IPv6 and an IPv4 branch); an EV_CLEAR on a kqueue timer names no edge-triggered mode', () => {
    const text = `#include <errno.h>
#include <sys/event.h>
#include <sys/socket.h>
void serve(int fd);
void arm_timer(int kq) {
    struct kevent kev;
    EV_SET(&kev, 1, EVFILT_TIMER, EV_ADD | EV_CLEAR, 0, 1000, 0);
    kevent(kq, &kev, 1, 0, 0, 0);
}
void on_readable(int listener, int v6) {
    int c;
    if (v6)
        c = accept(listener, 0, 0);
    else
        c = accept(listener, 0, 0);
    if (c < 0 && errno == EAGAIN)
        return;
    serve(c);
}
`;
    expect(analyze([{ path: 'net/server.c', text }], ask)).toEqual([]);
    const findings = analyze([{ path: 'net/server.c', text }, { path: 'net/clients.h', text: '#define CLIENT_FLAGS (EV_ADD | EV_CLEAR)\n' }], ask);
    expect(findings.map((f) => [f.ruleId, f.severity, f.location.file, f.location.line, f.location.column])).toEqual([['et-accept-not-drained', 'note', 'net/server.c', 13, 13]]);
  });
});
