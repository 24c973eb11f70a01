import { describe, expect, it } from 'vitest';
import { emptyConfig } from '../../core/engine/config.js';
import { settingsFor } from '../../core/engine/settings.js';
import { prepareSource, sourceFromTree } from '../../core/project/source-file.js';
import { parseText } from '../../core/syntax/parser.js';
import { findUnits } from '../../server/unit-match.js';
import { FactsTable, ProjectIndex } from '../../core/project/project-index.js';
import type { FileFacts } from '../../core/project/facts.js';
import { callGraphOf, type CallEdge, type CallGraph, type FunctionRef, type Registration } from '../../core/project/call-graph.js';
import { splitFacts } from '../../server/unit-facts.js';

const settings = settingsFor(emptyConfig('/project'));

function factsOf(sources: Record<string, string>): FileFacts[] {
  return Object.entries(sources).map(([path, text]) => prepareSource(path, text, settings).facts);
}

function graphOf(sources: Record<string, string>): CallGraph {
  return callGraphOf(new ProjectIndex(factsOf(sources)));
}

/** The function with this qualified name (in `file`, when several files define one). */
function fn(graph: CallGraph, qualifiedName: string, file?: string): FunctionRef {
  const name = qualifiedName.replace(/^.*::/, '').replace(/\(.*$/, '');
  const found = graph.functionsNamed(name).filter((f) => graph.fact(f).qualifiedName === qualifiedName && (!file || f.file === file));
  if (found.length !== 1) throw new Error(`${found.length} functions ${qualifiedName} ${file ?? ''}`);
  return found[0]!;
}

function label(graph: CallGraph, f: FunctionRef): string {
  return `${graph.fact(f).qualifiedName}@${f.file}`;
}

/** `caller -> callee @file:line kind [ambiguous] [loop]`. */
function edge(graph: CallGraph, e: CallEdge): string {
  const flags = [e.kind, e.ambiguous ? 'ambiguous' : '', e.inLoop ? 'loop' : ''].filter(Boolean).join(' ');
  return `${label(graph, e.caller)} -> ${label(graph, e.callee)} @${e.site.file}:${e.site.line} ${flags}`;
}

function registration(graph: CallGraph, r: Registration): string {
  const via = r.via.kind === 'arg' ? `arg ${r.via.callee}#${r.via.arg}` : r.via.kind === 'variable' ? `variable ${r.via.variable}` : r.via.field !== undefined ? `${r.via.kind} .${r.via.field}` : r.via.kind;
  return `${r.site.file}:${r.site.line}:${r.site.column} ${via} by ${r.by ? graph.fact(r.by).qualifiedName : '<file>'}`;
}

describe('C across files', () => {
  const sources = {
    'main.c': `#include "net.h"
static int helper(int x) { return x + 1; }
int main(void) {
  int fd = open_listener(8080);
  return helper(fd) + shared_name(fd);
}
`,
    'net.c': `static int helper(int x) { return x * 2; }
int open_listener(int port) {
  return helper(port);
}
`,
    // Another program in the same tree, with its own open_listener.
    'bench.c': `int open_listener(int port) { return port; }
int main(void) { return open_listener(1); }
`,
    'util_a.c': 'int shared_name(int v) { return v; }\n',
    'util_b.c': 'int shared_name(int v) { return -v; }\n',
  };
  const g = graphOf(sources);

  it('resolves an extern call to the other file, a static helper to its own file', () => {
    expect(g.callees(fn(g, 'main', 'main.c')).map((e) => edge(g, e))).toEqual([
      'main@main.c -> open_listener@net.c @main.c:4 call',
      'main@main.c -> helper@main.c @main.c:5 call',
      'main@main.c -> shared_name@util_a.c @main.c:5 call ambiguous',
      'main@main.c -> shared_name@util_b.c @main.c:5 call ambiguous',
    ]);
    expect(g.callees(fn(g, 'open_listener', 'net.c')).map((e) => edge(g, e))).toEqual(['open_listener@net.c -> helper@net.c @net.c:3 call']);
    // The other program calls its own definition.
    expect(g.callees(fn(g, 'main', 'bench.c')).map((e) => edge(g, e))).toEqual(['main@bench.c -> open_listener@bench.c @bench.c:2 call']);
  });

  it('gives each static helper only its own file\'s callers', () => {
    expect(g.callers(fn(g, 'helper', 'net.c')).map((e) => edge(g, e))).toEqual(['open_listener@net.c -> helper@net.c @net.c:3 call']);
    expect(g.callers(fn(g, 'helper', 'main.c')).map((e) => edge(g, e))).toEqual(['main@main.c -> helper@main.c @main.c:5 call']);
    expect(g.callers(fn(g, 'open_listener', 'bench.c')).map((e) => edge(g, e))).toEqual(['main@bench.c -> open_listener@bench.c @bench.c:2 call']);
  });

  it('gives function references that compare with ===, and the same graph per index', () => {
    const index = new ProjectIndex(factsOf(sources));
    const graph = callGraphOf(index);
    expect(callGraphOf(index)).toBe(graph);
    expect(graph.ref('net.c', 1)).toBe(fn(graph, 'open_listener', 'net.c'));
    expect(graph.callers({ file: 'net.c', index: 1 })[0]!.callee).toBe(graph.ref('net.c', 1));
  });
});

const LOGGER_HPP = `class Logger {
 public:
  explicit Logger(int level);
  static Logger *Open(const char *path);
  void Write(const char *msg);
  void Write(const char *msg, int level);
};
class Probe {
 public:
  static Probe *Open(const char *path);
  void Write(const char *msg);
};
`;
const LOGGER_CPP = `#include "logger.hpp"
Logger::Logger(int level) { Write("up"); }
Logger *Logger::Open(const char *path) { return new Logger(1); }
void Logger::Write(const char *msg) { }
void Logger::Write(const char *msg, int level) { Write(msg); }
Probe *Probe::Open(const char *path) { return new Probe(); }
void Probe::Write(const char *msg) { }
`;
const SERVER_HPP = `#include "logger.hpp"
class Server {
  Logger log_;
  Probe *probe_;
 public:
  void Start(Logger &out);
  void Stop();
};
`;
const SERVER_CPP = `#include "server.hpp"
void Server::Start(Logger &out) {
  Logger *file = Logger::Open("server.log");
  Probe *probe = Probe::Open("probe");
  log_.Write("a");
  probe_->Write("b");
  out.Write("c", 2);
  file->Write("d");
  probe->Write("e");
  this->Stop();
  Stop();
}
void Server::Stop() { log_.Write("stopped"); }
extern Logger *current();
void flush_all() { current()->Write("f"); }
`;

describe('C++ methods', () => {
  const g = graphOf({ 'logger.hpp': LOGGER_HPP, 'logger.cpp': LOGGER_CPP, 'server.hpp': SERVER_HPP, 'server.cpp': SERVER_CPP });

  it('resolves by class through qualifiers, members, parameters, locals and this', () => {
    expect(g.callees(fn(g, 'Server::Start')).map((e) => edge(g, e))).toEqual([
      'Server::Start@server.cpp -> Logger::Open@logger.cpp @server.cpp:3 call',
      'Server::Start@server.cpp -> Probe::Open@logger.cpp @server.cpp:4 call',
      'Server::Start@server.cpp -> Logger::Write@logger.cpp @server.cpp:5 call',
      'Server::Start@server.cpp -> Probe::Write@logger.cpp @server.cpp:6 call',
      'Server::Start@server.cpp -> Logger::Write@logger.cpp @server.cpp:7 call',
      'Server::Start@server.cpp -> Logger::Write@logger.cpp @server.cpp:8 call',
      'Server::Start@server.cpp -> Probe::Write@logger.cpp @server.cpp:9 call',
      'Server::Start@server.cpp -> Server::Stop@server.cpp @server.cpp:10 call',
      'Server::Start@server.cpp -> Server::Stop@server.cpp @server.cpp:11 call',
    ]);
    // The overload by argument count: Write("c", 2) is the two-parameter one (logger.cpp line 5).
    const line7 = g.callees(fn(g, 'Server::Start')).find((e) => e.site.line === 7)!;
    expect(g.fact(line7.callee).line).toBe(5);
    expect(g.callees(fn(g, 'Server::Start')).filter((e) => e.site.line !== 7).every((e) => g.fact(e.callee).params.length <= 1)).toBe(true);
  });

  it('keeps Logger::Open and Probe::Open apart (same name, same shape, different classes)', () => {
    expect(g.callers(fn(g, 'Logger::Open')).map((e) => edge(g, e))).toEqual(['Server::Start@server.cpp -> Logger::Open@logger.cpp @server.cpp:3 call']);
    expect(g.callers(fn(g, 'Probe::Open')).map((e) => edge(g, e))).toEqual(['Server::Start@server.cpp -> Probe::Open@logger.cpp @server.cpp:4 call']);
  });

  it('calls the class\'s own method for an unqualified call in a method (implicit this)', () => {
    expect(g.callees(fn(g, 'Logger::Logger')).map((e) => edge(g, e))).toEqual(['Logger::Logger@logger.cpp -> Logger::Write@logger.cpp @logger.cpp:2 call']);
    const fromWrite2 = g.callees(g.functionsNamed('Write').find((f) => g.fact(f).params.length === 2)!);
    expect(fromWrite2.map((e) => `${edge(g, e)} -> line ${g.fact(e.callee).line}`)).toEqual(['Logger::Write@logger.cpp -> Logger::Write@logger.cpp @logger.cpp:5 call -> line 4']);
  });

  it('gives a receiver of unknown type an ambiguous edge to every method of that name and arity', () => {
    expect(g.callees(fn(g, 'flush_all')).map((e) => `${edge(g, e)} (line ${g.fact(e.callee).line})`)).toEqual([
      'flush_all@server.cpp -> Logger::Write@logger.cpp @server.cpp:15 call ambiguous (line 4)',
      'flush_all@server.cpp -> Probe::Write@logger.cpp @server.cpp:15 call ambiguous (line 7)',
    ]);
  });

  it('finds constructor calls: new, declarations, make_unique/make_shared, T(…)', () => {
    const g2 = graphOf({
      'logger.hpp': LOGGER_HPP,
      'logger.cpp': LOGGER_CPP,
      'make.cpp': `#include "logger.hpp"
#include <memory>
void make_all(int n) {
  Logger a(1);
  Logger b{2};
  auto c = new Logger(3);
  auto d = std::make_unique<Logger>(4);
  auto e = std::make_shared<Logger>(n);
  Logger f = Logger(6);
  Probe p;
}
`,
    });
    expect(g2.callees(fn(g2, 'make_all')).map((e) => edge(g2, e))).toEqual([
      'make_all@make.cpp -> Logger::Logger@logger.cpp @make.cpp:4 constructor',
      'make_all@make.cpp -> Logger::Logger@logger.cpp @make.cpp:5 constructor',
      'make_all@make.cpp -> Logger::Logger@logger.cpp @make.cpp:6 constructor',
      'make_all@make.cpp -> Logger::Logger@logger.cpp @make.cpp:7 constructor',
      'make_all@make.cpp -> Logger::Logger@logger.cpp @make.cpp:8 constructor',
      'make_all@make.cpp -> Logger::Logger@logger.cpp @make.cpp:9 constructor',
    ]);
    expect(g2.callers(fn(g2, 'Logger::Logger')).map((e) => `${e.site.file}:${e.site.line}`)).toEqual(['logger.cpp:3', 'make.cpp:4', 'make.cpp:5', 'make.cpp:6', 'make.cpp:7', 'make.cpp:8', 'make.cpp:9']);
  });
});

const CALLBACKS_C = `#include <pthread.h>
#include <signal.h>
struct conn { void (*on_read)(struct conn *c); };
struct ops { int (*accept)(int fd); };
static void *worker(void *arg) { return arg; }
static void on_int(int sig) { (void)sig; }
static void on_accept(int fd, short ev, void *arg) { }
static void on_incoming(struct conn *c) { }
static int my_accept(int fd) { return fd; }
static int other_accept(int fd) { return -fd; }
static const struct ops tcp_ops = { .accept = my_accept };
static void handle_get(void) { }
static void handle_post(void) { }
static const struct { const char *method; void (*fn)(void); } routes[] = { { "GET", handle_get }, { "POST", handle_post } };
void start(struct event_base *base, struct conn *item, struct ops *ops, int lfd) {
  pthread_t t;
  pthread_create(&t, NULL, worker, NULL);
  signal(SIGINT, on_int);
  struct event *ev = event_new(base, lfd, EV_READ | EV_PERSIST, on_accept, NULL);
  item->on_read = on_incoming;
  ops->accept = &other_accept;
}
void serve(struct conn *item, struct ops *ops, int lfd) {
  for (;;) {
    item->on_read(item);
    ops->accept(lfd);
  }
}
static void print_one(int v) { }
static void each(int n, void (*cb)(int)) {
  for (int i = 0; i < n; i++) cb(i);
}
void print_all(int n) { each(n, print_one); }
`;

describe('functions used as values', () => {
  const g = graphOf({ 'server.c': CALLBACKS_C });
  const regs = (name: string) => g.registrations(fn(g, name)).map((r) => registration(g, r));

  it('records callbacks passed as arguments, stored in fields and in initializer tables', () => {
    expect(regs('worker')).toEqual(['server.c:17:28 arg pthread_create#2 by start']);
    expect(regs('on_int')).toEqual(['server.c:18:18 arg signal#1 by start']);
    expect(regs('on_accept')).toEqual(['server.c:19:65 arg event_new#3 by start']);
    expect(regs('on_incoming')).toEqual(['server.c:20:19 field .on_read by start']);
    expect(regs('other_accept')).toEqual(['server.c:21:17 field .accept by start']);
    expect(regs('my_accept')).toEqual(['server.c:11:47 initializer .accept by <file>']);
    expect(regs('handle_get')).toEqual(['server.c:14:85 initializer by <file>']);
    expect(regs('handle_post')).toEqual(['server.c:14:109 initializer by <file>']);
    expect(regs('print_one')).toEqual(['server.c:33:33 arg each#1 by print_all']);
    // Names that are parameters, globals or constants are no candidates.
    expect(g.registrations(fn(g, 'serve'))).toEqual([]);
  });

  it('tells the thread start routine (and only it)', () => {
    const start = g.isThreadStartRoutine(fn(g, 'worker'));
    expect(start?.api).toEqual({ callee: 'pthread_create', arg: 2 });
    expect(registration(g, start!.registration)).toBe('server.c:17:28 arg pthread_create#2 by start');
    expect(g.isThreadStartRoutine(fn(g, 'on_int'))).toBeUndefined();
    expect(g.isThreadStartRoutine(fn(g, 'on_accept'))).toBeUndefined();
  });

  it('follows calls through fields to the functions stored in them, and through function-pointer parameters', () => {
    expect(g.callees(fn(g, 'serve')).map((e) => `${edge(g, e)} via ${e.registeredBy ? registration(g, e.registeredBy) : '-'}`)).toEqual([
      'serve@server.c -> on_incoming@server.c @server.c:25 indirect loop via server.c:20:19 field .on_read by start',
      'serve@server.c -> my_accept@server.c @server.c:26 indirect loop via server.c:11:47 initializer .accept by <file>',
      'serve@server.c -> other_accept@server.c @server.c:26 indirect loop via server.c:21:17 field .accept by start',
    ]);
    expect(g.callees(fn(g, 'each')).map((e) => edge(g, e))).toEqual(['each@server.c -> print_one@server.c @server.c:31 indirect loop']);
    expect(g.callers(fn(g, 'on_incoming')).map((e) => edge(g, e))).toEqual([
      'start@server.c -> on_incoming@server.c @server.c:20 callback',
      'serve@server.c -> on_incoming@server.c @server.c:25 indirect loop',
    ]);
    expect(g.callees(fn(g, 'start')).map((e) => edge(g, e))).toEqual([
      'start@server.c -> worker@server.c @server.c:17 callback',
      'start@server.c -> on_int@server.c @server.c:18 callback',
      'start@server.c -> on_accept@server.c @server.c:19 callback',
      'start@server.c -> on_incoming@server.c @server.c:20 callback',
      'start@server.c -> other_accept@server.c @server.c:21 callback',
    ]);
  });

  it('links a member call to functions stored in members, a plain call to functions stored in variables — not libc free() to .free', () => {
    const g2 = graphOf({
      'alloc.c': `#include <stdlib.h>
struct allocator { void (*free)(void *p); };
static void pool_free(void *p) { }
static void (*on_done)(int);
static void done_log(int code) { }
void setup(struct allocator *a) { a->free = pool_free; on_done = done_log; }
void release(struct allocator *a, void *p) { a->free(p); free(p); on_done(0); }
`,
    });
    expect(g2.callees(fn(g2, 'release')).map((e) => `${edge(g2, e)} via ${registration(g2, e.registeredBy!)}`)).toEqual([
      'release@alloc.c -> pool_free@alloc.c @alloc.c:7 indirect via alloc.c:6:45 field .free by setup',
      'release@alloc.c -> done_log@alloc.c @alloc.c:7 indirect via alloc.c:6:66 variable on_done by setup',
    ]);
    expect(g2.callees(fn(g2, 'release')).map((e) => e.site.column)).toEqual([46, 67]);
  });

  it('finds a start routine declared with a pointer result before its use (a file-scope name, still a candidate)', () => {
    const g2 = graphOf({
      'bio.c': `#include <pthread.h>
void *bio_main(void *arg);
static pthread_t bio_thread;
void bio_init(void) { pthread_create(&bio_thread, NULL, bio_main, NULL); }
void *bio_main(void *arg) { return arg; }
`,
    });
    expect(registration(g2, g2.isThreadStartRoutine(fn(g2, 'bio_main'))!.registration)).toBe('bio.c:4:57 arg pthread_create#2 by bio_init');
  });

  it('follows a lambda stored in a variable to its calls', () => {
    const g2 = graphOf({
      'each.cpp': `static void count(int v) { }
void run(int n) {
  auto step = [&](int i) { count(i); };
  for (int i = 0; i < n; i++) step(i);
}
`,
    });
    const lambda = g2.allFunctions().find((f) => g2.fact(f).isLambda)!;
    expect(g2.callees(fn(g2, 'run')).map((e) => edge(g2, e))).toEqual(['run@each.cpp -> <lambda@3:15>@each.cpp @each.cpp:3 callback', 'run@each.cpp -> <lambda@3:15>@each.cpp @each.cpp:4 indirect loop']);
    expect(g2.runsInsideLoop(fn(g2, 'count'))?.chain.map((e) => edge(g2, e))).toEqual(['run@each.cpp -> <lambda@3:15>@each.cpp @each.cpp:4 indirect loop', '<lambda@3:15>@each.cpp -> count@each.cpp @each.cpp:3 call']);
    expect(g2.registrations(lambda).map((r) => registration(g2, r))).toEqual(['each.cpp:3:15 variable step by run']);
  });

  it('finds std::thread / std::jthread start routines, lambdas included', () => {
    const g2 = graphOf({
      'workers.cpp': `#include <thread>
static void pump(int n) { }
static void drain() { }
void spawn() {
  std::thread t(pump, 4);
  std::jthread j{drain};
  std::thread([] { pump(1); }).detach();
}
`,
    });
    expect(g2.isThreadStartRoutine(fn(g2, 'pump'))?.registration.site).toEqual({ file: 'workers.cpp', line: 5, column: 17, endLine: 5, endColumn: 21 });
    expect(g2.isThreadStartRoutine(fn(g2, 'pump'))?.api).toEqual({ callee: 'thread', arg: 0 });
    expect(g2.isThreadStartRoutine(fn(g2, 'drain'))?.api).toEqual({ callee: 'jthread', arg: 0 });
    const lambda = g2.allFunctions().find((f) => g2.fact(f).isLambda)!;
    expect(g2.isThreadStartRoutine(lambda)?.registration.site.line).toBe(7);
    expect(g2.callees(lambda).map((e) => edge(g2, e))).toEqual(['<lambda@7:15>@workers.cpp -> pump@workers.cpp @workers.cpp:7 call']);
    expect(g2.isThreadStartRoutine(fn(g2, 'spawn'))).toBeUndefined();
  });
});

describe('loops, startup and recursion', () => {
  it('finds the loop that runs a function two calls and two files away, with the chain', () => {
    const g = graphOf({
      'loop.c': `void handle_client(int fd);
void serve_forever(int lfd) {
  for (;;) {
    int fd = accept(lfd, 0, 0);
    handle_client(fd);
  }
}
`,
      'client.c': `void log_line(const char *s);
void handle_client(int fd) {
  log_line("client");
}
`,
      'log.c': `void log_line(const char *s) { }
void init_log(void) { log_line("start"); }
`,
    });
    const witness = g.runsInsideLoop(fn(g, 'log_line'));
    expect(witness?.loop).toEqual({ file: 'loop.c', line: 5, column: 5, endLine: 5, endColumn: 22 });
    expect(witness?.chain.map((e) => edge(g, e))).toEqual(['serve_forever@loop.c -> handle_client@client.c @loop.c:5 call loop', 'handle_client@client.c -> log_line@log.c @client.c:3 call']);
    expect(g.runsInsideLoop(fn(g, 'log_line'), { maxDepth: 1 })).toBeUndefined();
    expect(g.runsInsideLoop(fn(g, 'serve_forever'))).toBeUndefined();
    expect(g.runsInsideLoop(fn(g, 'init_log'))).toBeUndefined();
    const reached = g.reachableFrom([fn(g, 'serve_forever')]);
    expect([...reached].map(([f, chain]) => `${label(g, f)} ${chain.length}`)).toEqual(['serve_forever@loop.c 0', 'handle_client@client.c 1', 'log_line@log.c 2']);
  });

  const STARTUP_C = `#include <pthread.h>
static pthread_once_t once = PTHREAD_ONCE_INIT;
static void load_config(void) { }
static void init_tables(void) { load_config(); }
static void setup(void) { load_config(); }
static void tick(void) { }
static void poll_once(void) { tick(); }
static void ensure_init(void) { pthread_once(&once, init_tables); }
__attribute__((constructor)) static void boot(void) { tick(); }
int main(void) {
  setup();
  ensure_init();
  for (;;) poll_once();
  return 0;
}
`;

  it('tells functions reached only from main, constructors and once-routines from those also reached from a loop', () => {
    const g = graphOf({ 'startup.c': STARTUP_C });
    expect(g.startupRoots().map((f) => g.fact(f).name).sort()).toEqual(['boot', 'init_tables', 'main']);
    expect(g.isOnceRoutine(fn(g, 'init_tables'))?.api).toEqual({ callee: 'pthread_once', arg: 1 });

    const config = g.isReachedOnlyFromStartup(fn(g, 'load_config'));
    expect(config.only).toBe(true);
    expect(config.witness.map((e) => edge(g, e))).toEqual(['init_tables@startup.c -> load_config@startup.c @startup.c:4 call']);
    expect(g.isReachedOnlyFromStartup(fn(g, 'ensure_init')).witness.map((e) => edge(g, e))).toEqual(['main@startup.c -> ensure_init@startup.c @startup.c:12 call']);

    const tick = g.isReachedOnlyFromStartup(fn(g, 'tick'));
    expect(tick.only).toBe(false);
    expect(tick.reason).toBe('loop');
    expect(tick.witness.map((e) => edge(g, e))).toEqual(['main@startup.c -> poll_once@startup.c @startup.c:13 call loop', 'poll_once@startup.c -> tick@startup.c @startup.c:7 call']);
  });

  it('does not count a function nobody calls, or one used as a value, as startup', () => {
    const g = graphOf({ 'startup.c': `${STARTUP_C}void orphan(void) { setup(); }\n` });
    const setup = g.isReachedOnlyFromStartup(fn(g, 'setup'));
    expect([setup.only, setup.reason, label(g, setup.at!)]).toEqual([false, 'no-callers', 'orphan@startup.c']);
    expect(setup.witness.map((e) => edge(g, e))).toEqual(['orphan@startup.c -> setup@startup.c @startup.c:16 call']);
    // With main as the only root, the once-routine is a callback of pthread_once: not startup.
    const fromMain = g.reachedOnlyFrom(fn(g, 'init_tables'), g.functionsNamed('main'));
    expect([fromMain.only, fromMain.reason, fromMain.registration && registration(g, fromMain.registration)]).toEqual([false, 'registered', 'startup.c:8:53 arg pthread_once#1 by ensure_init']);
  });

  it('terminates on recursion and mutual recursion, and reports the cycles', () => {
    const g = graphOf({
      'rec.c': `int fact(int n) { return n <= 1 ? 1 : n * fact(n - 1); }
int is_even(int n);
int is_odd(int n) { return n == 0 ? 0 : is_even(n - 1); }
int is_even(int n) { return n == 0 ? 1 : is_odd(n - 1); }
int main(void) { return fact(5) + is_even(4); }
`,
    });
    expect(g.isRecursive(fn(g, 'fact'))?.map((e) => edge(g, e))).toEqual(['fact@rec.c -> fact@rec.c @rec.c:1 call']);
    expect(g.isRecursive(fn(g, 'is_odd'))?.map((e) => edge(g, e))).toEqual(['is_odd@rec.c -> is_even@rec.c @rec.c:3 call', 'is_even@rec.c -> is_odd@rec.c @rec.c:4 call']);
    expect(g.isRecursive(fn(g, 'main'))).toBeUndefined();
    expect(g.runsInsideLoop(fn(g, 'is_odd'))).toBeUndefined();
    const odd = g.isReachedOnlyFromStartup(fn(g, 'is_odd'));
    expect(odd.only).toBe(true);
    expect(odd.witness.map((e) => edge(g, e))).toEqual(['main@rec.c -> is_even@rec.c @rec.c:5 call', 'is_even@rec.c -> is_odd@rec.c @rec.c:4 call']);
    expect(odd.cycles.map((c) => c.map((f) => g.fact(f).name).sort())).toEqual([['is_even', 'is_odd']]);
    expect([...g.reachableFrom([fn(g, 'main')]).keys()].map((f) => g.fact(f).name)).toEqual(['main', 'fact', 'is_even', 'is_odd']);
    // A cycle no root enters.
    const g2 = graphOf({ 'loop.c': 'void ping(int n);\nvoid pong(int n) { ping(n); }\nvoid ping(int n) { pong(n); }\nint main(void) { return 0; }\n' });
    const ping = g2.isReachedOnlyFromStartup(fn(g2, 'ping'));
    expect([ping.only, ping.reason, ping.cycles.length]).toEqual([false, 'unreached', 1]);
  });
});

describe('facts for the graph', () => {
  it('are plain JSON: a graph over facts sent through JSON gives the same answers', () => {
    const sources = { 'server.c': CALLBACKS_C, 'logger.hpp': LOGGER_HPP, 'logger.cpp': LOGGER_CPP, 'server.hpp': SERVER_HPP, 'server.cpp': SERVER_CPP };
    const facts = factsOf(sources);
    const sent = JSON.parse(JSON.stringify(facts)) as FileFacts[];
    expect(sent).toEqual(facts);
    expect(describeAll(callGraphOf(new ProjectIndex(sent)))).toEqual(describeAll(callGraphOf(new ProjectIndex(facts))));
  });

  it('are the same when the LSP re-extracts functions alone (scoped pass) as in the whole-file pass', () => {
    for (const [path, language, text] of [['server.c', 'c', CALLBACKS_C], ['server.cpp', 'cpp', SERVER_CPP]] as const) {
      const tree = parseText(language, text);
      const whole = sourceFromTree(path, text, language, tree, settings);
      const roots = findUnits(tree.rootNode, text).map((u) => u.node);
      const scoped = sourceFromTree(path, text, language, tree, settings, { scope: { roots, globals: whole.syntax.globals } });
      expect(scoped.facts.functions.length).toBe(whole.facts.functions.length);
      expect(scoped.facts.calls).toEqual(whole.facts.calls.filter((c) => c.fn >= 0));
      expect(scoped.facts.functionRefs).toEqual(whole.facts.functionRefs!.filter((r) => r.fn >= 0));
      expect(scoped.facts.constructorCalls).toEqual(whole.facts.constructorCalls!.filter((c) => c.fn >= 0));
    }
  });
});

function describeAll(g: CallGraph): string[] {
  return g
    .allFunctions()
    .map((f) => [label(g, f), ...g.callers(f).map((e) => edge(g, e)), ...g.callees(f).map((e) => edge(g, e)), ...g.registrations(f).map((r) => registration(g, r))].join('\n'))
    .sort();
}

describe('facts in pieces (LSP)', () => {
  it('gives the same edges over per-function pieces of the facts as over whole files', () => {
    const sources = { 'server.c': CALLBACKS_C, 'startup.c': 'void serve(void *, void *, int);\nint main(void) { serve(0, 0, 3); return 0; }\n' };
    const whole = graphOf(sources);
    const [server, startup] = factsOf(sources);
    // Each function its own piece (as the LSP server cuts an open document), the rest in another table.
    const { skeleton, units } = splitFacts(server!, (f) => f.index, server!.functions.length);
    const pieces = callGraphOf(ProjectIndex.over([new FactsTable([skeleton, ...units.slice(0, 5)]), new FactsTable(units.slice(5)), new FactsTable([startup!])]));
    expect(describeAll(pieces)).toEqual(describeAll(whole));
    expect(pieces.runsInsideLoop(fn(pieces, 'on_incoming'))?.chain.map((e) => edge(pieces, e))).toEqual(['serve@server.c -> on_incoming@server.c @server.c:25 indirect loop']);
  });
});
