import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../core/engine/config.js';
import { actualFindings, analyze, describeRuleFixtures, fixtureSources } from '../helpers.js';

/**
 * accept-loop-early-exit. Each fixture under test/fixtures/accept-loop-early-exit/ (and the shared
 * test/fixtures/et-accept-not-drained/) states what the rule reports with `// expect…` comments
 * (docs/testing-rules.md); every other line there — the hard negatives, commented in the
 * fixtures — must stay silent.
 */
describeRuleFixtures('accept-loop-early-exit', {
  'incident.cpp': 'incident 003 (C++, EPOLLET through ev.events)',
  'exits.c': 'return/break/goto/accept4 and loop-condition accepts; switch, inner loops, labels inside, do-while(0), noreturn',
  'level.c': 'level-triggered listener with edge-triggered clients',
  'unknown.c': 'unknown trigger mode: silent by default',
  'loop-roles.c': 'only drain loops: an EINTR retry loop is meant to be left after a success; a bounded loop leaving on EAGAIN drains; SOCK_BAD == fd is the failure branch',
  'member.cpp': 'C++ members, in-class and out-of-class methods, try/catch, lambdas',
  'kqueue.c': 'kqueue EV_CLEAR through a parameter chain',
  'fields.c': 'struct fields told apart by type',
  'cross': 'EPOLLET through a helper in another file, accept wrapper',
  'thread-start.c': 'a thread start routine is no callback of the event layer (its listener is not taken as edge-triggered from the layer)',
  'known-limits.cpp': 'known limits: a throw out of the loop (missed), an exit after an EPOLL_CTL_MOD re-arm (false positive)',
});

/** These run both accept rules (analyze's default), as they did when the two shared one test file. */
describe('accept-loop-early-exit in detail', () => {
  it('reports the incident with the accept call, the EPOLLET registration, the path and a continue fix', () => {
    const [finding] = analyze(fixtureSources('accept-loop-early-exit/incident.cpp'));
    expect(finding!.message).toContain("'return' leaves the accept loop after accept() succeeded (line 22)");
    expect(finding!.message).toContain("'listen_fd' is edge-triggered");
    expect(finding!.related.map((r) => [r.location.line, r.message])).toEqual([
      [22, "accept() accepted a connection into 'fd' here"],
      [17, 'registered edge-triggered (EPOLLET) with epoll_ctl() here'],
    ]);
    expect(finding!.path!.map((s) => s.message)).toEqual([
      "accept() succeeds: 'fd' holds a connection",
      "'fd != -1' is true",
      "'conn_count >= limit' is true",
      "'return' leaves the accept loop before accept() has reported EAGAIN",
    ]);
    expect(finding!.fix!.edits).toEqual([{ location: { file: 'accept-loop-early-exit/incident.cpp', line: 26, column: 17, endLine: 26, endColumn: 24 }, newText: 'continue;' }]);
    expect(finding!.functionName).toBe('accept_new_conn');
  });


  it('points at the registration in the other file, through the helper call', () => {
    const findings = analyze(fixtureSources('accept-loop-early-exit/cross'));
    const loop = findings.find((f) => f.ruleId === 'accept-loop-early-exit')!;
    expect(loop.related.map((r) => `${r.location.file}:${r.location.line} ${r.message}`)).toEqual([
      "accept-loop-early-exit/cross/server.c:12 accept_client() accepted a connection into 'fd' here",
      'accept-loop-early-exit/cross/poller.c:10 registered edge-triggered (EPOLLET) with epoll_ctl() here',
      'accept-loop-early-exit/cross/poller.c:14 through this call',
    ]);
  });


  it('offers no continue fix when the exit is inside an inner loop or drops a call', () => {
    const findings = analyze([
      {
        path: 'inner.c',
        text: `#include <sys/epoll.h>
int lfd; int cleanup(int);
void arm(int ep) { struct epoll_event ev; ev.events = EPOLLIN | EPOLLET; epoll_ctl(ep, EPOLL_CTL_ADD, lfd, &ev); }
int f(void) {
  for (;;) {
    int fd = accept(lfd, 0, 0);
    if (fd < 0) return 0;
    for (int i = 0; i < 2; i++) { if (i) return 1; }
    if (fd > 9) return cleanup(fd);
  }
}`,
      },
    ]);
    expect(findings.map((f) => [f.location.line, f.fix === undefined])).toEqual([
      [8, true],
      [9, true],
    ]);
  });


  it('edgeTriggered option: ask gives notes, assume and always findings, never silences', () => {
    // The program names an edge-triggered mode somewhere (for its clients): its listeners may be too.
    const edgeElsewhere = { path: 'clients.h', text: '#define CLIENT_EVENTS (EPOLLIN | EPOLLET)\n' };
    const sources = [...fixtureSources('accept-loop-early-exit/unknown.c'), edgeElsewhere];
    const withOption = (edgeTriggered: string) => parseConfig('/x/connlint.json', JSON.stringify({ rules: { 'accept-loop-early-exit': ['error', { edgeTriggered }], 'et-accept-not-drained': ['warning', { edgeTriggered }] } }));
    expect(analyze(sources)).toEqual([]);
    // A program that names no edge-triggered mode anywhere (in code: a comment does not count) has
    // no edge-triggered listener: nothing to ask.
    const levelOnly = [...fixtureSources('accept-loop-early-exit/unknown.c'), { path: 'clients.h', text: '#define CLIENT_EVENTS EPOLLIN /* | EPOLLET */\n' }];
    expect(analyze(levelOnly, withOption('ask'))).toEqual([]);
    const ask = analyze(sources, withOption('ask'));
    // A lone blocking accept() that never sees EAGAIN is no question worth asking.
    expect(actualFindings(ask)).toEqual(['accept-loop-early-exit/unknown.c:18 accept-loop-early-exit note']);
    const nonBlocking = [{ path: 'nb.c', text: 'void on_readable(int l) {\n    int c = accept(l, 0, 0);\n    if (c < 0 && errno == EAGAIN)\n        return;\n    serve(c);\n}\n' }, edgeElsewhere];
    expect(actualFindings(analyze(nonBlocking, withOption('ask')))).toEqual(['nb.c:2 et-accept-not-drained note']);
    // Served by select(): level-triggered, nothing to ask.
    const selected = [{ path: 'sel.c', text: 'void on_readable(int l, fd_set *r) {\n    if (!FD_ISSET(l, r))\n        return;\n    int c = accept(l, 0, 0);\n    if (c < 0 && errno == EAGAIN)\n        return;\n    serve(c);\n}\n' }, edgeElsewhere];
    expect(analyze(selected, withOption('ask'))).toEqual([]);
    expect(ask[0]!.message).toContain("if 'server_fd' is edge-triggered (no EPOLLET/EV_CLEAR/EV_ET registration of it was found)");
    for (const option of ['assume', 'always']) {
      const found = analyze(sources, withOption(option));
      expect(actualFindings(found)).toEqual(['accept-loop-early-exit/unknown.c:18 accept-loop-early-exit error', 'accept-loop-early-exit/unknown.c:24 et-accept-not-drained warning']);
      expect(found[0]!.message).toContain('taken as edge-triggered by the edgeTriggered option');
    }
    expect(analyze(sources, withOption('never'))).toEqual([]);
  });


  it('configured accept wrappers are accepts', () => {
    const text = `#include <sys/epoll.h>
int lfd; int my_accept(int, int);
void arm(int ep) { struct epoll_event ev; ev.events = EPOLLIN | EPOLLET; epoll_ctl(ep, EPOLL_CTL_ADD, lfd, &ev); }
void f(void) { for (;;) { int fd = my_accept(0, lfd); if (fd < 0) return; if (fd > 9) break; } }`;
    expect(analyze([{ path: 'w.c', text }])).toEqual([]);
    const config = parseConfig('/x/connlint.json', JSON.stringify({ functions: { acceptWrappers: [{ name: 'my_accept', listenerArg: 1 }] } }));
    expect(actualFindings(analyze([{ path: 'w.c', text }], config))).toEqual(['w.c:4 accept-loop-early-exit error']);
  });


  it('one struct for listeners and clients (nginx ngx_connection_t): a generic field registered ET for clients says nothing about the listener', () => {
    const text = `#include <sys/epoll.h>
typedef struct conn { int fd; } conn_t;
int ep;
void add_connection(conn_t *c) { struct epoll_event ee; ee.events = EPOLLIN | EPOLLOUT | EPOLLET; epoll_ctl(ep, EPOLL_CTL_ADD, c->fd, &ee); }
void on_accept(conn_t *lc) {
  do {
    int s = accept(lc->fd, 0, 0);
    if (s == -1) { if (errno == EAGAIN) return; return; }
    if (s > 1000) { close(s); return; }
    if (s > 2000) { close(s); return; }
    serve(s);
  } while (1);
}`;
    expect(analyze([{ path: 'n.c', text }])).toEqual([]);
    const ask = parseConfig('/x/connlint.json', JSON.stringify({ rules: { 'accept-loop-early-exit': ['error', { edgeTriggered: 'ask' }] } }));
    const findings = analyze([{ path: 'n.c', text }], ask);
    expect(findings.map((f) => [f.location.line, f.severity])).toEqual([[9, 'note']]);
    expect(findings[0]!.message).toContain('(1 more exit of this loop likewise)');
  });
});
