import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../core/engine/config.js';
import { ALL_RULES } from '../../rules/index.js';
import { actualFindings, analyze, describeRuleFixtures, fixtureSources } from '../helpers.js';

/**
 * fd-leak. Each fixture under test/fixtures/fd-leak/ states what the rule reports with `// expect…`
 * comments (docs/testing-rules.md); every other line there must stay silent.
 */
describeRuleFixtures('fd-leak', {
  'error-paths.c': 'error paths, goto cleanup, two handles, reassignment, continue, fall-off, conditional cleanup, main',
  'pipes.c': 'pipe/socketpair ends tracked separately',
  'ownership.c': 'ownership handed off (return, struct, field, out-param, global, array, unknown callee, fdopen, epoll data); CHECK() macros; a global declared extern inside the function',
  'inline.h': 'header static inline falling off the end',
  'summaries': 'summaries across files: acquirer wrappers, releaser, borrower, taker',
  'raii.cpp': 'C++: RAII wrappers, unique_ptr, containers, lambdas, member functions',
  'side-by-side.c': 'the side-by-side file: all eight leaks (cppcheck finds two, clang one)',
  'real-code.c': 'false positives found on real code stay fixed (stdin, -1 macros and casts, goto macros, #if 0, #if-split if, member callbacks, stdio 0-2, #else, likely())',
  'always-returning-macros.c': 'a macro returning (or jumping) under no condition of its own (do { if (fd != -1) close(fd); return (x); } while (0), { status = (code); goto out; }) leaves on every use: no path goes past it, even after a loop; one returning under its own if still has both paths, and one returning without a close still leaks',
  'always-returning-macros.cpp': 'C++: a member function ending in a macro that closes and returns',
  'project-branch-hints.c': 'a project\'s hint macro (#define proj_slow(x) __builtin_expect(!!(x), 0), or (x) for other compilers) tests what its argument tests; a leak after it is still found',
  'project-branch-hints.cpp': 'C++: a hint macro of the project around ::accept()\'s test in a member function',
  'pointer-orderings.c': 'a stream ordered against null (fp < 0) is never below it, so that branch never runs with it open; fp <= NULL holds only for null, and a leak after it is still found',
  'pointer-orderings.cpp': 'C++: a FILE * ordered against nullptr in a member function',
  'returned-arguments.c': 'a descriptor returned through project functions that hand back their argument on every path (return set_nonblocking(no_sigpipe(fd))) is the caller\'s; through one returning something else it is still leaked',
  'returned-arguments.cpp': 'C++: a static member returning the accepted descriptor through a helper that hands it back',
  'error-directive-branches.c': 'a preprocessor branch that stops the build (#else #error Unknown OS) is never compiled, so one of the others is; an #if without one is still a choice',
  'error-directive-branches.cpp': 'C++: an #if whose #else is only #error, in a member function',
  'assignment-arguments.c': 'the value of the acquire\'s own assignment handed on in the same expression (owner_adopt(o, fp = fopen(…)), return (fd = open(…))) goes where the call or return takes it; tested in a condition it stays tracked',
  'assignment-arguments.cpp': 'C++: a unique_ptr with a closing deleter reset to the stream being opened (pfp.reset(fp = fopen(…)))',
  'member-prefix-macros': 'an object-like macro standing for a member access\'s object (#define BX_SER_THIS theSerial->, BX_MEM(0)->, this->) makes BX_SER_THIS fd = open(…) a store into a field, not a local declared with the macro as its type; a local is still tracked',
  'loop-carried-exits.c': 'a variable declared without a value at the top of a loop body holds nothing at a continue before the acquire (the previous pass\'s handle is reported where that pass left the block)',
  'loop-carried-exits.cpp': 'C++: the same in a member function\'s range-for loop',
  'tested-macro-closes.c': 'a macro that closes in the test of its jump (#define FCLOSE(x) if (x != NULL) { if (fclose(x) != 0) goto FCLOSE_ERROR; }) closes on the path through as well as on its jump; one that closes only on its way out still leaves the stream open on the path through',
  'tested-macro-closes.cpp': 'C++: a closing test macro in a member function',
  'bare-block-macros.c': 'a block macro without arguments that the project does not define (libnih\'s TEST_ALLOC_FAIL { … }) runs its block any number of times and the function goes on after it, to the close; a leak after it is still found',
  'transitive-borrowers': 'a socket passed to a project function that only borrows it through other project functions and logging macros (negotiate → net_send_all_or_error → net_iov_all → writev, info("… %d", fd) with args..., the parameter\'s name inside the format: "sockfd=%d") is still the caller\'s: dropped on the failure path it leaks; a recursive callee that otherwise only reads it borrows it too; a callee that hands it to a registry through a variadic macro or stores it through a helper does not (C, and a C++ caller)',
  'retry-loop-overwrites.c': 'a continue or goto back taken with the socket open starts a pass that overwrites it, even when other ways into that pass come with a failed acquire; a counter-decided pass that falls through open (if (count > 1) close(s); count--; } while (count > 0)) with an EINTR continue holding no socket is silent; a variable the loop\'s body declares (int name_info = getnameinfo(…), mod_tile) starts again each pass and decides no next pass: a failed connect() falling into it loses the socket',
  'retry-loop-overwrites.cpp': 'C++: a member function\'s range-for over endpoints with a continue taken after a failed ::write(); a const bool declared in the loop body tested on the way still lets a failed ::connect() fall into the next pass',
  'startup-loop-leaks.c': 'in a function only main calls, a return with the descriptor open is a note (once per process), but a continue that drops an accepted socket inside its loop leaks on every pass: an error',
  'main-loops.c': 'main()\'s exits are the process\'s (a return with a descriptor open, an overwrite outside a loop: silent), but an accepted socket dropped at the end of a pass of its server loop is lost on every pass',
  'main-loops.cpp': 'C++: an accept loop in main() whose continue drops the socket after a failed ::write()',
  'parameter-targets.c': 'a parameter passed by value (int fd, FILE *in) that the function opens into is its own copy: lost on the allocation-failure return it leaks (udpcast\'s prepareConsole); handed on in a struct or closed it is silent; through a pointer (*fd = open(…)) or an array parameter filled by socketpair()/pipe() (acme-client\'s xsocketpair) it is the caller\'s',
  'parameter-targets.cpp': 'C++: a by-value parameter reopened in a member function leaks on the early return; an int & parameter and an int * one filled by ::pipe() are the caller\'s storage',
  'unread-overwrites.c': 'a handle overwritten before anything reads it (fh = fopen(…); if ((fh = fopen(…)) == NULL), collectd\'s battery plugin) is discarded whatever the acquire returned: reported at the overwrite; a fallback that tests the first result, an overwrite that reads it (fd = fd < 0 ? open(b) : fd) and #ifdef alternatives are silent',
  'unread-overwrites.cpp': 'C++: a member function opening its socket twice, the first result never read',
  'open-stream-queries.c': 'fstat() of a stream\'s or directory\'s own descriptor (fstat(fileno(fp)), fstat(dirfd(d))) just after opening it never fails with it open; a leak after it, or after a query of another stream, is still found',
  'open-stream-queries.cpp': 'C++: ::fstat(::fileno(fp)) == -1 in a member function',
  'standard-stream-filenos.c': 'a descriptor compared with a standard stream\'s own number (fd != fileno(stdout) && fd != fileno(stderr)) is that stream when equal: a log opener handing back fileno(stdout) is closed only when it is not; without the test it still leaks',
  'standard-stream-filenos.cpp': 'C++: a member function closing its log descriptor only when it is not ::fileno(stderr); the opener returning ::open(…) is an acquirer (the global ::open is the C library\'s, not a class\'s own)',
  'throw-exits.cpp': 'C++ only (C has no throw): a throw no handler of the function catches leaves it like a return, and a raw descriptor open there is lost (licq-upgrade); a throw before the acquire, or one caught in the function that closes and rethrows, is silent',
  'platform-names.c': 'a project\'s own name for Linux (KERNEL_LINUX) is defined in a Linux build and an Apple framework\'s switch (HAVE_IOKIT_IOKITLIB_H) is not: the #elif KERNEL_LINUX function is analysed and its leak found (collectd\'s battery plugin)',
  'platform-names.cpp': 'C++: an #elif OS_LINUX branch of a member function is compiled, its HAVE_COREFOUNDATION one is not',
  'numeric-lock-commands': 'lockf() with its command as a number (1 is F_LOCK, 2 is F_TLOCK: djb\'s lock_ex/lock_exnb under #ifndef HASFLOCK, runit\'s chpst) takes a lock, directly or through the wrappers, and the descriptor is kept for it; 0 (F_ULOCK) takes none and the descriptor still leaks; in C and C++',
  'query-status-variables.c': 'the status of a call that fails only for a handle that is not open, kept in a variable and tested later (ret = fstat(fileno(fp), &st); … if (ret != 0); rc = fcntl(fd, F_SETFD, …); if (rc < 0)), is that call\'s test (ipmiutil); the status of a read() assigned over it still leaks',
  'query-status-variables.cpp': 'C++: a const status of ::fstat(::fileno(fp)) tested after the size is read; a later return still leaks',
  'guarded-close-all.c': 'a loop closing every descriptor but one it keeps (if (fd != keep) close(fd)) before open("/dev/null") and two dup(0) fills the standard streams on purpose (ipmiutil\'s daemon start); /dev/null opened without it still leaks',
  'guarded-close-all.cpp': 'C++: a member function closing all but its socket with ::close in a guarded for loop, then filling 0-2 from /dev/null',
  'commented-close-all.c': 'a loop closing the standard descriptors with a comment between its head and close() (tcpproxy) before /dev/null and two dup()s fill them on purpose; a commented-out close loop closes nothing',
  'commented-close-all.cpp': 'C++: a ::close loop with a comment after its head, then /dev/null and ::dup fill the standard streams',
  'program-function-constants.c': 'a program\'s own non-static function whose every call passes a constant (nc6\'s open3(cmd, &in, &out, NULL)): the branch only another value takes never runs; a parameter given a variable keeps its paths',
  'program-function-constants.cpp': 'C++: a free function called from a method with nullptr for its error pipe, the project defining main()',
  'library-function-constants.c': 'the same code without main() (a library: callers outside the project may pass anything) keeps every path',
  'next-pass-overwrites.c': 'a loop over addresses with no break after a connect() that worked (diod): the next pass\'s socket() overwrites the connected descriptor, a fall into the next pass decided only by call outcomes; leaving on success, a done flag, or a counter the loop changes tested before the close stay silent',
  'next-pass-overwrites.cpp': 'C++: the same in a member function with ::socket/::connect; a counter-kept last socket stays silent',
  'glibc-error-exits.c': 'glibc\'s error(status, …) with a nonzero status (1, EXIT_FAILURE) exits, ending the path (mptcpd\'s mptcpize); error(0, …) returns, and the stream still leaks',
  'glibc-error-exits.cpp': 'C++: error(2, …) ends the path in a member function; error(0, …) does not',
  'conditional-block-macros.c': 'block macros whose name says if (chinadns-ng\'s #define unlikely_if(x) if (unlikely(x))) are conditionals, with braces or a statement on the next line: a break in one leaves the loop only when taken; a leak after an if-else through them is still found',
  'conditional-block-macros.cpp': 'C++: unlikely_if (fp == nullptr) then continue on the next line in a member function\'s loop; a later break still leaks',
  'switch-correlations.c': 'a switch on a variable also tested with if takes the same value on a path (ttybus\'s dpipe: if (olddirchar == 0) pipe(p2) then switch cases): a case label says it equals the label, default that it differs from every label; a leak inside the matching case is still found',
  'switch-correlations.cpp': 'C++: a stream opened only for one enum value, closed in that case of a switch; the other cases and default never see it open',
  'exiting-after-switch.c': 'a project function ending in exit() after a switch and a loop with breaks never returns (ziproxy\'s send_error()): the paths through its calls end there; one that can return before its exit() is an ordinary call',
  'exiting-after-switch.cpp': 'C++: a free function ending in std::exit() after a switch with breaks, called on a member function\'s error path',
  'aggregate-returns.c': 'a project function that returns a struct built from its descriptor parameter (c-toxcore\'s net_socket_from_native: const Socket res = {sock}; return res;) hands it back: storing its result stores the descriptor; one that only reads it borrows, and a leak after it is still found',
  'aggregate-returns.cpp': 'C++: return Conn{fd}; stored in a member keeps the descriptor',
  'flag-wrapper-truths': 'flag wrappers returning a truth value: fcntl(…) != -1 at the end (microdc2\'s fd_set_status_flags, through a macro alias), 1 or 0 around ioctl(FIONBIO) (LambdaMOO), (flags & FD_CLOEXEC) == 0 || fcntl(…) != -1 (ttyd): their failure is a closed descriptor\'s; one that writes can fail with it open',
  'flag-wrapper-truths.cpp': 'C++: a free function returning ::fcntl(…) != -1 tested in a member function; a later early return still leaks',
  'non-local-overwrites.c': 'a handle in storage that outlives the function (a field through a pointer, a global) overwritten while this function knows it open (pwnat\'s sock->fd = socket() twice; a global assigned by every pass of an accept loop whose parent never closes it); its return with the handle open, another object\'s field each pass (also through a pointer declared in the loop body: CANopenLinux\'s entry = &entries[i]), a close before the retry, and a parent that closes its copy stay silent; the same pointer declared before the loop is overwritten',
  'non-local-overwrites.cpp': 'C++: a member socket opened again in the same method while open; leaving it to the destructor, and a field through a pointer declared in the loop body, are silent',
  'choice-functions.c': 'a project function returning one of two numbers chosen by a test of its parameter, with only logging beside (libsocket\'s check_error(v): -1 when v < 0, else 0, strerror under #ifdef VERBOSE): comparing its call with a number, or its truth, is that test; a leak after it is still found',
  'choice-functions.cpp': 'C++: a static function mapping fd == -1 to 1 or 0, compared with 1 and 0 in member functions; a later early return still leaks',
  'thread-arguments.c': 'a descriptor carried to a thread as its argument through a null pointer base ((char *)0 + fd, FreeTDS\'s bounce.c; a macro of that shape, TDS_INT2PTR(i), through a project function starting the thread) is the thread\'s; a path that starts no thread still leaks',
  'thread-arguments.cpp': 'C++: a member function handing an accepted socket to pthread_create as (char *)0 + fd; an early return before it still leaks',
  'undefined-cleanup-macros.c': 'a cleanup attribute behind a function-like macro the project does not define (c-stdaux\'s _c_cleanup_(c_closep), dbus-broker) closes the variable at its scope\'s end when the macro is named for a cleanup and given a closing function; a variable without it still leaks',
  'undefined-cleanup-macros.cpp': 'C++: _c_cleanup_(c_closep) on one local of a member function; another local without it still leaks',
  'daemonizing.c': 'daemonizing: after a loop that closes every descriptor in its test (honeytrap: if ((i != logfile_fd) && (close(i) == -1)) …), /dev/null opened and duplicated takes the standard streams on purpose; without the loop it leaks',
  'daemonizing.cpp': 'C++: a member function closing every descriptor in a loop\'s test, then /dev/null and two dups; another member function opening /dev/null without the loop still leaks',
  'allocated-holders.c': 'a descriptor acquired into a field of an object the function just allocated (c = calloc(…); c->fd = accept(…)) is the function\'s own: freeing the object with it open, or returning without the object, leaks it; returning, storing or handing the object to a project function, closing first, an object registered before the acquire, and a caller\'s object, and a holder with a cleanup attribute (libvarlink\'s _cleanup_(cli_freep) Cli *cli) stay silent',
  'allocated-holders.cpp': 'C++: delete of an object made with new whose member holds an accepted socket leaks it; a class whose destructor closes the member does not',
  'address-family-loops.c': 'a loop over getaddrinfo() results testing each address\'s family (xplico\'s SeDePcapIP): the loop\'s update changes the address, so one pass\'s family test says nothing about the next; an IPv4 socket from an earlier pass leaks when the IPv6 bind fails, and the same test twice with the address unchanged still agrees',
  'address-family-loops.cpp': 'C++: a member function binding one socket per family over an addrinfo list; the IPv6 branch of a later pass returns with the IPv4 socket open',
  'listener-flag-commands.c': 'a descriptor-flag command on the listener a socket was just accepted from (xplico: opts = fcntl(sd4, F_GETFL); if (opts < 0) continue;) fails only with EBADF, and accept() worked on it: that branch never runs with the socket open; a failed write still leaks',
  'listener-flag-commands.cpp': 'C++: ::fcntl(listener, F_GETFL) == -1 after ::accept4 on that listener in a member function; a failed send still leaks',
  'winsock-names.c': 'Winsock\'s ioctlsocket(s, FIONBIO, &on), defined as ioctl elsewhere (FTEQW), fails only for a socket that is not open, as ioctl(FIONBIO) does; a failed bind still leaks',
  'winsock-names.cpp': 'C++: ioctlsocket declared, not defined (a Windows header\'s), in a member function; a failed ::bind still leaks',
  'file-own-functions.c': 'a file\'s own static function named like a library call (partclone\'s exfat static int opendir(struct exfat *, …) returning a status) gives no handle, in the file or through a project function returning its result; fopen() in the same file is still the library\'s',
  'file-own-functions.cpp': 'C++: a static free function named open() returning a status through a wrapper, called from a member function',
  'pair-fillers': 'a project function that pipe()s into the arrays its caller gives it and forks (multitail\'s exec_with_pipe(cmd, to, from)): the caller\'s local arrays hold the pairs; a parent keeping one end of each and dropping the other leaks the child\'s ends at its block\'s end; closing them is silent, and an end the function closes itself (spawn_reader\'s close(fds[0])) is not the caller\'s; a filler taking a C99 array parameter (notcurses\' int pipes[static 2]) and closing both ends only on its way out of a failure (close(pipes[0]); close(pipes[1]); return -1;) leaves both to its caller on success, in C and C++, where each of two files has a static filler of that name (each file\'s calls reach its own)',
  'test-reporters': 'a test reporter with more than four parameters returning its value parameter (libarchive\'s assertion_assert(file, line, value, condition, extra)) behind a macro that makes a string of its argument (#define assert(e) … (e), #e …): if (!assert(f != NULL)) return; leaves only where the open failed; a failed read or write after it still leaks (C, and a C++ test)',
  'exiting-return-macros': 'a returning macro whose body first calls a function that never returns (lrzip\'s fatal_return(("msg"), -1) over do { fatal stuff; return __VA_ARGS__; } while (0), fatal() ending in exit()) never reaches its return; one that only prints before returning still leaks (C, and a C++ member function)',
  'field-streams.c': 'a stream made over a descriptor a field keeps (lrzip\'s fdopen(control->fd_out, "w")) loses a buffer, not a descriptor; a stream over the function\'s own descriptor still leaks',
  'field-streams.cpp': 'C++: a stream over a member struct\'s descriptor in a member function',
  'owning-classes.cpp': 'C++: a descriptor kept in an object of the project\'s class whose destructor closes it (lnav\'s auto_fd), from a project function too (fd = openp(…)); a project function returning Result<auto_fd, std::string> returns an object; a plain int from the same function still leaks',
  'global-tables': 'a project function that keeps the descriptor it returns in a file-level table (wiringPi\'s SPI setup: spiFds[n][c] = fd; return fd;), or in a field of the table\'s element (awk\'s openfile: files[i].fp = fp; return fp;), gives its caller a borrowed number (C and a C++ caller); one returning a descriptor it keeps nowhere is still an opener',
  'attribute-macro-cleanups': 'a project macro for the cleanup attribute that takes the cleanup function (aerospike\'s DEFER_ATTR(close_fd_deferred) from a header, on its own line before the declaration, in a function read through a configuration-resolved copy that blanks attribute macros) closes the variable at its block\'s end, in C and in a C++ member function; so does an object-like macro whose body is such a macro, from another header that never spells the word in lower case (fastfetch\'s FF_AUTO_CLOSE_FD, FF_AUTO_CLOSE_DIR over FF_A_CLEANUP(func)); a variable without it still leaks',
  'loop-exit-values.c': 'what a loop leaves with decides a test after it (miniupnpc\'s connecthostport: if (n < 0) { close(s); continue; } else break; then if (n < 0) return -1), also when a retry loop compares n with -1 first ((n = select(…)) == -1, which says only n differs from -1); a stream read by while ((res = fgets(…))) is non-null in the loop; a loop leaving with n < 0 one way, and a test of the last value assigned in a loop\'s test, still leak',
  'loop-exit-values.cpp': 'C++: a member function\'s connect loop leaving with n >= 0 past a select() retry; while ((res = std::fgets(…))) then if (!res) in the loop',
  'file-definitions.c': 'a name the file defines once, outside every #if, and never undefines has that value in every build from its line on (dosemu2\'s IPX code: #define DYNAMIC_PORT 1 in the function, then #if DYNAMIC_PORT close(sock); #endif), also for !NAME and #ifndef; a name defined inside an #ifndef fallback, or undefined and defined again, stays a choice and still leaks',
  'file-definitions.cpp': 'C++: #if USE_OWN_CLOSE around ::close in a member function, the name defined to 1 above',
  'iterating-macros': 'an iterating block macro moves its cursor argument to another object on every pass (mac-telnet\'s DL_FOREACH(interfaces, interface) { interface->socketfd = socket(…) }, utlist from a header): the previous object keeps its socket; two opens into one field in a pass, or a field of an object the macro is not given, still lose the first (C, and a C++ member function)',
  'field-conditions.c': 'a condition reading a field (con->cmd & DO_LIST) keeps its value on a path while other fields of the object are written, also through their address (wget\'s ftp.c: rbuf_discard(&con->rbuf) between two tests of con->cmd), and while a local named like the field is; writing the field itself makes it a new test and the stream still leaks',
  'field-conditions.cpp': 'C++: state_.mode & LISTING tested three times in a member function, discard(&state_.buffer) between',
  'class-returns.cpp': 'C++: a function returning a class object by value (phosphor-networkd\'s static stdplus::ManagedFd makeSocket(int), its socket() the library\'s under using namespace; a class of the project) gives its callers an object that owns the descriptor; one returning a typedef of int is still an opener',
  'fatal-stream-logs.cpp': 'C++: logging at FATAL severity through a glog-style stream logger (protobuf\'s GOOGLE_LOG(FATAL) << "fork: " << strerror(errno); LOG(FATAL), PLOG(FATAL)) aborts after the message, so no path goes past it; LOG(ERROR), or FATAL given to a logger of another name, returns and the descriptor still leaks',
  'member-returns': 'C++: a method returning its object\'s own member after opening into it (tfs\'s FileOperation::check_file(): if (fd_ < 0) fd_ = open_file(); return fd_;, defined out of its class in a namespace) hands out a number the object keeps: its callers hold no descriptor; a method returning a local it opened is still an opener',
  'function-binders.cpp': 'C++: a descriptor bound into a function object with std::bind (trantor\'s test: std::bind(fileCallback, path, fd, _1, _2) handed to sendStream, whose callback closes it) is held by it, as a lambda\'s capture is; POSIX ::bind() only uses the socket, which still leaks',
  'copied-tests.c': 'right after fd = f->fd; (or int fd = f->fd;) a test of fd is a test of f->fd (fio\'s blkzoned_reset_wp: open only if not open yet, close only if this call opened it): if (fd < 0) { fd = open(…); } … if (f->fd < 0) close(fd); agree on a path; after another statement, or inside a larger condition, the copy says nothing and the descriptor still leaks',
  'copied-tests.cpp': 'C++: int fd = file_.fd; if (fd < 0) { fd = ::open(…); } … if (file_.fd < 0) ::close(fd); in a member function',
  'flag-kinds.c': 'a variable named in capitals like a macro is a variable where the function assigns it (apt\'s for (int I = 0; I != 4; I++) close(Pipes[I]);: the first test is decided by the 0, so both ends are closed); a variable declared bool holds only 0 or 1 (apt\'s bool const Comp: Comp == true false, then Comp == true again is false too); an int tested against 1 then for truth may be 2, and still leaks',
  'flag-kinds.cpp': 'C++: for (int J = 0; J != 2; J++) over a pipe\'s ends and bool const Comp tested twice with == true in a member function',
  'variadic-reporters': 'a variadic test reporter returning its first argument (EPICS\'s testOk(pass, fmt, ...)), called with more arguments than it names, directly or through testOk1(cond) that adds the condition\'s text: if (!testOk1((stream = fopen(…)) != NULL)) return; leaves only where the open failed; a failed write after it still leaks (C, and a C++ test)',
  'boolean-choices.c': 'a validity macro written as a choice of boolean constants (gfarm\'s #define isValidSocket(ret) (((ret) >= 0) ? true : false), or TRUE : FALSE) is its test: its false branch holds no socket; a failed connect() after it still leaks',
  'boolean-choices.cpp': 'C++: isValidSocket(sock) == false in a member function, then the socket kept in a member',
  'dispatchers.c': 'a function returning what one of many calls gave, chosen by its argument (dmtcp\'s syscall() wrapper: open() for SYS_open, getpid() for SYS_getpid, and two more), returns a status, not a descriptor, and so does a function returning its result; a wrapper returning open()\'s result, or another call\'s status when it failed, is still an opener',
  'dispatchers.cpp': 'C++: a dispatcher in a namespace, called qualified',
  'macro-flag-values.c': 'a flag set to a project\'s integer macros named in mixed case (mksh\'s Wahr do_close = Nee; … do_close = Ja; over #define Ja 1U, #define Nee 0U) holds those integers: the open that set it is the one its test closes, through gotos; a flag set to a string macro decides nothing, and a leak before its test stays',
  'macro-flag-values.cpp': 'C++: int ownership = Borrowed; … ownership = Owned; if (ownership) ::close(fd) in a member function',
  'many-flags.c': 'more flags than can be tracked together (five settings chosen independently, hundreds of combinations per point): the most relevant keep being tracked, so a pipe made only when !option_set(OPT_DEBUG) and closed under the same test is not reported (dnsmasq\'s script helper); closed under another option\'s test it still leaks',
  'many-flags.cpp': 'C++: the same in a member function; a return before the close still leaks',
  'compared-assignment-macros.c': 'a checking macro that assigns its argument to the status and compares it with a constant (librelp\'s #define CHKRet(code) if((iRet = code) != RELP_RET_OK) goto finalize_it): past it the status is RELP_RET_OK, out of it it is not, so the cleanup under iRet != RELP_RET_OK runs on every way out; a cleanup that forgets the socket still leaks',
  'compared-assignment-macros.cpp': 'C++: the constant on the left and the call in parentheses (if (RET_OK != (rc = (call))) goto done) in a member function; a return past the label with the socket open still leaks',
  'computed-pipe-ends.c': 'a pipe whose ends are chosen by a computed index (mawk\'s local_fd = the_pipe[type == PIPE_OUT]; remote_fd = the_pipe[type == PIPE_IN]) is not tracked: which close covers which end depends on the value; ends named by numbers or constants, and a close loop over the pair, are still followed and leaks before them found',
  'computed-pipe-ends.cpp': 'C++: tig\'s pipefds[!(type == IO_WR)] in a member function; ends named by constexpr constants still leak',
  'assertion-helpers.c': 'a test-assertion helper that returns 1 when its condition holds and reports and returns 0 otherwise (libgd\'s _gdTestAssert(file, line, condition), through a macro adding the place) is a test of its condition: if (!gdTestAssert(fp != NULL)) goto fail; holds no stream; a later failed check that returns without the close still leaks',
  'assertion-helpers.cpp': 'C++: the helper returns true or false, in a namespace, called qualified (check::holds("open", fp != nullptr)); a failed read check before the close still leaks',
  'status-one-wrappers.c': 'a project function that returns 1 when fcntl() or setsockopt(SO_REUSEADDR) on its descriptor failed (a bare truth test of a stored setting result included) and 0 otherwise (potd\'s socket_setopts) fails only for a descriptor that is not open: its failure branch holds no fresh socket; a wrapper that also binds can fail otherwise, and its failure still leaks',
  'status-one-wrappers.cpp': 'C++: a static member returning 1 on s != 0 after setsockopt(); a failed listen() after it still leaks',
  'unsupported-stubs': 'a project\'s stand-in for a call its platform lacks (int pipe(int fildes[2]) { errno = ENOSYS; return -1; } in a port) does not decide what the real call gives: if (pipe(fds)) return -1; still leaves only where pipe() failed, and a failed fork() after it still leaks (C, and a C++ member function)',
  'nested-cast-macros.c': 'a macro handing its argument to another that only casts it (naviserver\'s #define NSSOCK2PTR(p) INT2PTR(p) over #define INT2PTR(p) ((void *)(intptr_t)(p))) is the argument: a socket given as a table key through it is kept; one encoding it in a tagged number by arithmetic alone (radamsa\'s make_immediate(fd, TPORT)) carries it, and returning that keeps the socket; a test of it only reads it, and a socket printed through one still leaks',
  'nested-cast-macros.cpp': 'C++: a socket handed to a function through two casting macros, and one returned encoded in a tagged number, in member functions',
  'closing-reporters.c': 'a function of five parameters that closes the socket it is given and returns another parameter on every path (AFL++\'s fail_gracefully(fd_socket, data, buf, buf_size, out_buf) returning buf_size) takes the socket: it is not a pure expression of the socket; one that only logs the socket and returns the same parameter leaves it with the caller, who leaks it',
  'closing-reporters.cpp': 'C++: a static member closing the descriptor and returning the length, called in a return',
  'assertion-macros.c': 'a test\'s own name for an assertion (tidesdb\'s #define ASSERT_TRUE(a) assert(a), and #define ASSERT_FALSE(a) assert(!(a))) ends the path where its condition fails: after ASSERT_TRUE(check == NULL) no directory is open; one asserted open still leaks',
  'assertion-macros.cpp': 'C++: #define EXPECT_OK(cond) assert((cond)) in member functions',
  'signal-setters.c': 'a project function that sets the handler of the signal its parameter names with sigaction() and fails only where that does (gnu-radius\'s grad_set_signal(sig, handler), returning SIG_ERR or the old handler) cannot fail for a named catchable signal, its result kept as it is tested ((oldsig = set_signal(SIGCHLD, SIG_DFL)) == SIG_ERR): that branch holds no pipe; a failed fork() after it still leaks',
  'signal-setters.cpp': 'C++: a helper returning 0 or -1 around std::signal(sig, SIG_IGN), called for SIGPIPE in a member function; a failed listen() still leaks',
  'printed-counts.c': 'snprintf() with a format that prints a character whatever its arguments (wzdftpd\'s "%s %lx\\n") counts at least 1, kept in a variable or tested directly: its <= 0 branch never runs with the file open; a format of conversions alone ("%s%s") may print nothing, and that branch still leaks',
  'printed-counts.cpp': 'C++: std::snprintf with a literal in its format, and "%c", in a member function; "%s" alone may count 0 and still leaks',
  'counted-flags.c': 'a flag counted up from a known value (nntpswitch\'s ok = 0; … if (cf) ok++; in a loop while ok == 0) holds the next number: once a file opened the loop ends and nothing overwrites the stream; a count the loop does not test does not end it, and the next file opened overwrites the first',
  'counted-flags.cpp': 'C++: a counter decremented from 1 ends a retry loop in a member function; a count the loop does not test still lets the next open overwrite the descriptor',
  'returned-wrappers.c': 'return fdopen(s, mode); (BSD ftpd\'s getdatasock) and return fdopendir(fd); leave the descriptor open where the call fails: reported at the return, without a fix (no close can go before it); closing it on that failure, or wrapping a descriptor the caller owns, is silent',
  'returned-wrappers.cpp': 'C++: a static member returning ::fdopen() of an accepted socket; one closing it on failure is silent',
  'short-attribute-cleanups': 'GCC\'s attribute keyword in its short spelling (AppArmor\'s #define autoclose __attribute((cleanup(_aa_autoclose))), and written out on a declaration) closes the variable at its block\'s end, in C and in C++ member functions; a variable without it still leaks',
  'spawn-file-actions.c': 'posix_spawn file actions (notcurses\' adddup2 of a pipe\'s write end) act on the child\'s copy: the parent still owns both ends, so not closing the write end after the spawn leaks it, and so does a failed posix_spawn_file_actions_init; a parent that closes its ends stays silent',
  'spawn-file-actions.cpp': 'C++: a member function handing a pipe\'s write end to posix_spawn_file_actions_adddup2 and keeping the read end in a member still owns the write end; closing it after the spawn is silent',
  'guarded-handle-encodings': 'a macro making a handle of a descriptor only where it is valid (tbox\'s #define tb_fd2sock(fd) ((fd) >= 0? (tb_socket_ref_t)((long)(fd) + 1) : tb_null)) carries it: returned, stored in a caller\'s array or in a member, it is handed on, in C and C++; a macro choosing on another argument does not, and an error return before it still leaks',
  'wrapper-queries.cpp': 'C++: a project result wrapper holding a descriptor (osquery\'s Expected<int, E>) asked about itself: isError()/has_error() true and has_value() false hold nothing, take() hands the descriptor out; a return between the test and the take still leaks',
  'never-null-names.c': 'a local the function only ever gives never-null values (ntp\'s it = (T *)alloca(n), twice) has its null tests decided even where more flags are tested than the analysis keeps: the returns under them are no paths; a local that may hold malloc\'s value is still tested',
  'never-null-names.cpp': 'C++: a local given only new\'s values (new throws) in a member function with more tested flags than the analysis keeps: its null tests are decided; one that may hold malloc\'s value is still tested',
  'zero-switches': 'a switch the project defines only as 0 (deadbeef\'s #define LOG_WAVE 0 in a header, a fallback #ifndef QSOUND_TRACE #define QSOUND_TRACE 0) that nothing else sets, in a project with build files: #if of it is false in a default build, in C and in a C++ member function; a leak outside it is still found',
  'success-takers.c': 'a project constructor that returns NULL before it stores the descriptor in the object it returns (xftpd\'s proxy_new) keeps it only when it works: a return on its NULL branch still leaks; one that closes it on its failure path takes it either way, and closing on the NULL branch is silent',
  'success-takers.cpp': 'C++: a member function whose constructor call returns nullptr before keeping the accepted socket: the nullptr branch still owns it',
  'select-registries.c': 'a select() server\'s registry (emulab\'s iperfd: FD_SET(newclient, &master_fdset) into a set the loop clears descriptors from before closing them) keeps the accepted socket; a set made for one select() call holds nothing, and the socket dropped after it still leaks',
  'select-registries.cpp': 'C++: FD_SET into a member fd_set (it outlives the call) registers the accepted socket; a local set for one select() holds nothing',
  'scope-guards.cpp': 'C++: a scope guard given a lambda that closes the handle (Cartesi\'s auto closer = scope_fail([&] { std::fclose(backing_fp); }), gsl::finally, a guard object given the lambda in braces or parentheses: iRODS\'s const irods::at_scope_exit close_fds{ [&]() { … } } declared before the opens) closes it when the scope is left, a throw included; a guard closing another handle, or only logging, leaves it to leak',
  'literal-addresses.c': 'an address parser given a literal address it accepts cannot fail (OSv\'s test client: if (inet_aton("127.0.0.1", &si_other.sin_addr) == 0) return -1 with the socket open); inet_pton(AF_INET, "10.0.2.2", …) <= 0, !inet_aton(…) and inet_addr("127.0.0.1") == INADDR_NONE are decided too; an address from a variable, a malformed literal and "255.255.255.255" can fail, and the socket still leaks there',
  'literal-addresses.cpp': 'C++: ::inet_aton("127.0.0.1", …) == 0 after ::socket(…) never runs its branch; inet_pton of a variable still can',
  'member-exit-names.c': 'a function pointer or method named like a C library function that never returns is not that function (isync reports a Berkeley DB error with ctx->db->err(ctx->db, ret, …) and returns with the directory stream open; (*ctx->proc).exit(2)); the library\'s own err(1, …) still ends the path',
  'member-exit-names.cpp': 'C++: a method named err() or abort() (reporter.err(…), this->abort()) returns; std::exit(1) still ends the path',
  'accept-address-lengths.c': 'accept() into a struct sockaddr_in or sockaddr_in6 gives back that size: a test that the length differs never runs its branch (UltraVNC\'s repeater: if (sasize != sizeof(struct sockaddr_in)) return WIE_SOCKET; Duktape: if (addrlen == sizeof(addr)) { …; return 1; } return 0;); a sockaddr_un length varies, and one lent to getpeername() may change: those returns still leak',
  'accept-address-lengths.cpp': 'C++: ::accept() into a sockaddr_in peer{} with peer_len = sizeof(sockaddr_in): peer_len != sizeof(peer) is never true; a sockaddr_storage length still leaks',
  'macro-calls-going-on.c': 'a statement macro that jumps away only inside a test runs its top-level calls when it goes on (delphinusdnsd\'s SEND_TO_PARENT: do { if (filter) { close(so); goto cont; } … imsg_compose(ibuf, …, so, …); } while (0) hands the accepted socket on); a macro whose top-level call only borrows it leaves it open for the next accept() to overwrite',
  'macro-calls-going-on.cpp': 'C++: the same macros around ::accept(): the one that queues the socket hands it on, the one that logs the peer leaves it open',
  'fdopen-wrappers.c': 'a project function that hands its descriptor parameter to fdopen() and returns its own object keeps the descriptor only when it works (allegro5\'s al_fopen_fd returns NULL when its malloc or fdopen fails): the caller\'s return on NULL leaks it; a wrapper that closes it on failure takes it either way',
  'fdopen-wrappers.cpp': 'C++: a project function handing its descriptor to ::fdopen() and returning nullptr when that fails keeps it only when it works',
  'invalid-value-functions.c': 'a function of no arguments that only returns the invalid value names it (restinio\'s null_file_descriptor(): if (null_descriptor() == fd) return -1 is the open\'s failure test), and a platform\'s own null spelling from a header the tree lacks (RT-Thread\'s RT_NULL) is null; a leak after those tests is still found',
  'invalid-value-functions.cpp': 'C++: restinio\'s constexpr null_file_descriptor() returning -1 in one namespace and nullptr in another, one name for a descriptor and a stream: each is the failure test of its own open; a throw after it still leaks the stream',
  'member-closing-methods.cpp': 'C++ only (classes): a method of the class that closes a member closes it where another method calls it unqualified or through this (nosh\'s cyclog: close(name_u) is logger::close, which closes current_fd, before goto reopens it); a method that closes nothing, or another object\'s close(), leaves it to be overwritten; a member of an object reached by a reference declared in a loop\'s body (bundle & b(**i), which the grammar reads as an expression) is another object\'s each pass; two acquires into it in one pass still overwrite',
  'per-pass-holders.c': 'a field of an object reached through a pointer declared in a loop\'s body is another object\'s on each pass; two acquires into it in one pass still overwrite',
  'open-descriptor-queries.c': 'fstat(), getsockname() and dup2() onto a standard stream or another descriptor, of the descriptor just opened, fail only for a descriptor that is not open (dup2 also on a signal or a racing open): their error branches never run with it open; dup2() onto a computed number may be refused and still leaks',
  'open-descriptor-queries.cpp': 'C++: ::fstat() of a descriptor just opened, compared with 0, in a member function',
  'object-like-statement-macros.c': 'an object-like macro whose body is statements (#define XH_uninit if (fp) { fclose(fp); … }, used as XH_uninit;) closes what its body closes where it is used; one that only flushes leaves the stream open',
  'object-like-statement-macros.cpp': 'C++: an object-like statement macro closing a member function\'s stream before an early return',
  'member-open.cpp': 'C++: a class\'s own open() is not the C function: called in its methods unqualified (whatever the number of arguments, one overload returning another\'s result) or with its qualifier',
  'same-name-methods.cpp': 'C++ methods that share a name: the receiver\'s class decides which one a call runs (Logger::Open returns no descriptor, Probe::Open does)',
  'macro-comments': 'a header macro that says "return" only in a comment or a string is no returning macro',
  'macro-aliases': 'functions under macro names: object-like and function-like aliases of acquires, releases and exit(), arguments reordered or dropped, from a header',
  'macro-file-order': '#undef and redefinition in file order (each function sees the definitions above it, or its own), and a .c file\'s macros are its own: another file\'s CHECK of the same name does not apply',
  'expression-macros': 'failure tests through expression macros from a header (SOCK_INVALID(fd) is ((fd) < 0), negated, for streams, macros of macros with &&), in C and C++; a handle passed to one is only read, and one cast to void (UNUSED(fd), (void) fd) is left open on purpose',
  'inactive-definitions': 'a header\'s definitions in #if branches a Linux build rules out (_WIN32, a feature taken as present, #if 0) do not count; its include guard does not hide it',
  'other-platforms.c': 'a Linux build: functions and branches under _WIN32 / __APPLE__ are not compiled, __linux__ ones are, nor an #ifndef HAVE_FORKPTY fallback; another feature test keeps both sides; what glibc and Linux define (MAP_ANON, flock()\'s LOCK_EX, lockf()\'s F_LOCK) is defined, so its fallback is not compiled',
  'other-platforms.cpp': 'C++: a member function\'s _WIN32 branch is not compiled, its #else is; an #ifndef SOCK_CLOEXEC fallback is not compiled',
  'predicate-functions.c': 'a project function that is one return of an expression of its parameters (is_fd_valid(fd): fd > -1), or that returns one parameter unchanged on every path (a test reporter: check_bool(name, got) prints, then returns got), tests what the expression or argument tests; a leak after it is still found',
  'returned-with-offset.c': 'a descriptor returned adjusted by an offset that is zero while it is open (return fd - (AT_FDCWD == -1 && fd < 0)) is the caller\'s; a sum of another value is not',
  'returned-with-offset.cpp': 'C++: a member function returning its socket minus a comparison',
  'equality-assertions.c': 'a returning assertion macro comparing two arguments (torture_assert_int_equal(tctx, ret, 0, …), whose body copies them: int __got = (got)), or one with 0 in its body: compared with 0, the other argument decides; compared with another value, both paths exist',
  'equality-assertions.cpp': 'C++: an assertion macro with auto copies of its arguments after ::socketpair',
  'self-kill.c': 'kill(getpid(), SIGKILL), kill(0, SIGKILL) and raise(SIGKILL) end the path; another signal may be handled',
  'self-kill.cpp': 'C++: ::kill(::getpid(), SIGKILL) ends the path, std::raise(SIGINT) does not',
  'reference-variables.cpp': 'C++: a descriptor acquired through a reference (for (auto& fds : l_EventFDs), int& fd = l_LogFD) is kept in the storage it names; a local array is the function\'s own',
  'library-invalid-names.c': 'names libraries\' headers give to -1 (RPC_ANYSOCK, ARES_SOCKET_BAD) are failure tests without a definition in the project; another undefined name is not',
  'library-invalid-names.cpp': 'C++: CURL_SOCKET_BAD from curl.h in a member function',
  'standard-stream-numbers.c': 'a descriptor numbered 0 or 1 (fd > 1 false, fd <= 1) after redirecting the standard streams is standard input or output, kept on purpose; a larger one still leaks',
  'standard-stream-numbers.cpp': 'C++: a daemon\'s static member function sending standard input and output to /dev/null',
  'status-flags.c': 'a variable holding a pipe()\'s failure test (pipe_error = (pipe(fd) < 0)) or success test (ok = socketpair(…) == 0) says whether the pair is open, and so does a status assigned inside its own test ((ret = socketpair(…)) == -1); a leak after it is still found',
  'status-flags.cpp': 'C++: a const bool holding ::pipe2()\'s failure test; (rc = ::socketpair(…)) == -1',
  'out-parameter-flags.c': 'a variable filled through its address by a call (open_pty(&pty_master_fd, …)) is assigned there: tested twice after it, it takes the same value on a path; an address stored elsewhere (watch = &state) may be written through at any time',
  'out-parameter-flags.cpp': 'C++: a mode filled by a member call through its address, tested before the pipe and again before its cleanup',
  'assigned-comparisons.c': 'a variable assigned inside a comparison with a constant ((pid = zfork(&t)) == -1) holds that constant on the true branch, so a later pid < 0 agrees; another constant does not',
  'assigned-comparisons.cpp': 'C++: (pid = ::fork()) == -1 then pid < 0 in a member function',
  'sentinel-pointers.c': 'a pointer sentinel a stream function returns instead of a stream (#define XCURSOR_SCAN_CORE ((FILE *) 1), or written in place: (FILE *)-1 tested as -1 == (long)fp): equal to it, nothing to close; unequal, a real stream still leaks',
  'sentinel-pointers.cpp': 'C++: a member function comparing its stream with a project\'s ((FILE *) 1) sentinel; reinterpret_cast<FILE *>(-1) written in place',
  'caller-constants.c': 'a static function every call of which passes one of a few constants (open_listener(AF_INET), open_listener(AF_INET6); NULL for an out-parameter), or an address (pcem\'s open_raw(path, &geom): never null), does not take the branches only other values take; a function another file may call, one a caller passes a variable to, or one stored in a pointer still does, and a leak on the constant\'s own path is still found',
  'caller-constants.cpp': 'C++: a static helper called with two modes, and functions in an anonymous namespace (one every caller passes an address); a member function of the same name and a ::-qualified call leave the parameter open',
  'destructor-members.cpp': 'C++: a descriptor stored in a member of a local object whose class\'s destructor closes that member (in the class or out of it) is closed on every way out; a class without such a destructor, or another member, still leaks',
  'standard-stream-wrappers.c': 'a project opener that returns stdout or stderr instead of opening on some path (fopen_write_secure(NULL)) gives a stream its caller may not own: no finding for its callers; an opener that always opens is still an acquirer',
  'standard-stream-wrappers.cpp': 'C++: a namespaced opener falling back to stdout; one that never does',
  'constant-results.c': 'a project function whose every return returns one constant (return 0 on every path) decides a test of its result, assigned first or tested directly; one that may return another value, or calls a macro that may return, does not',
  'constant-results.cpp': 'C++: a helper returning (0) tested for truth and negated; one that may return -1',
  'never-negative-results.c': 'fread()\'s count (cast to int), dirfd() of an open directory stream, fileno() of an opened stream (assigned or tested directly), the page size and snprintf() with a narrow literal format are never negative: a test for a negative value is never true; read()\'s result and a %ls conversion keep their error branch',
  'never-negative-results.cpp': 'C++: static_cast<long>(std::fread(…)) == -1, ::sysconf(_SC_PAGE_SIZE) < 1 and ::fileno(std::tmpfile()) < 0 are false; std::fgetc() < 0 can be true',
  'negative-sentinels.c': 'an opener returning -2 for "nothing opened": an open descriptor passes every ordering with a negative number (fd >= -1), so the branch failing it holds none; a leak on the branch passing it is still found',
  'negative-sentinels.cpp': 'C++: a static member opener returning -3, tested as -3 < fd',
  'returning-macro-calls.c': 'a returning macro whose guard is a call returning its argument unchanged (#define verify(A) if (!_verify((int)(A), …)) return;) returns exactly when the argument is false; through a function returning something else it may return either way',
  'returning-macro-calls.cpp': 'C++: a check macro through a bool reporter returning its argument (static_cast<bool>(cond)); one through a reporter that may fail for another reason',
  'forwarded-jump-macros.c': 'a macro handing goto fn_fail to another macro that runs it under its condition (MPIR_ERR_CHKANDJUMP1(fd == -1, …) over do { if (cond_) { …; stmt_; } } while (0)) jumps only when the condition holds; an inner macro testing something else may jump either way',
  'forwarded-jump-macros.cpp': 'C++: FWDPP_FAIL_IF(cond) forwarding return false to a macro that runs it under if (cond), in a member function; a read failure after it still leaks',
  'conditional-exits.c': 'a project function ending in if (code < 0) exit(254) with no return (OpenPBS starter_return) does not come back when called with a negative number or integer macro, (void)-cast or not; with 0, a variable, or from a function that may return first, it does',
  'conditional-exits.cpp': 'C++: a namespaced reporter ending in if (status != 0) std::exit(status), called with 2 and with 0 in a member function',
  'numbered-descriptors.c': 'a descriptor equal to the number the program asked for (fcntl(fd, F_DUPFD, 255) then fd_dup == 255) is kept and addressed by that number; on the path where it is another number it still leaks',
  'numbered-descriptors.cpp': 'C++: a member function keeping the descriptor that landed on its reserved number (250 != fd false)',
  'duplicate-sources.c': 'a copy made by dup() or fcntl(F_DUPFD_CLOEXEC) exists only if its original was open: a later test that the original is negative (file_out < 0, == -1, == -2), before it is reassigned, is a path without the copy; a test against 1, or after a reassignment, still leaks it',
  'duplicate-sources.cpp': 'C++: ::dup(fd) then 0 > fd in a member function',
  'flag-relevance.c': 'more flags than the analysis tracks at once: the one whose test most directly guards the handle (if (tmp_file) fclose(outfp)) is tracked before flags whose long branches mention it somewhere; a leak on another return is still found',
  'flag-relevance.cpp': 'C++: seven bool options set in a switch, whose branches all write the stream, and owns_stream guarding its close on an error path, in a member function',
  'macro-project-closers.c': 'a returning macro that closes the stream with the project\'s own closer before it returns (if (fp) mpc_fclose(fp); return; with mpc_fclose doing funlockfile then fclose) closes it on its way out; one that hands it to a project function that only reads it still leaks it',
  'macro-project-closers.cpp': 'C++: a check macro calling a namespaced closer (mpcpp::close_quietly(fd)) before return false',
  'validity-flags.c': 'a variable holding the handle\'s own validity test (opened = result != VF_INVALID_FD, ok = f != NULL) says what that test says of the handle until either is assigned again; after ok = 0 it says nothing',
  'validity-flags.cpp': 'C++: const bool success = handle != nullptr deciding whether a member keeps the stream',
  'assigned-passthrough.c': 'a function returning its descriptor only where the open failed, assigned in the test (if ((fd = open(…)) < 0) return fd;), returns a status: its callers\' variable holds no descriptor; one that also returns it on success is still an opener',
  'assigned-passthrough.cpp': 'C++: a namespaced writer returning ::open()\'s result only when it failed',
  'offset-fields.c': 'a field holding the descriptor plus a constant (file_fd_plus_one = fd + 1), read back in the file as file_fd_plus_one - 1, stores it; a sum kept for another use (maxfd = fd + 1) stores nothing',
  'offset-fields.cpp': 'C++: this->sock_plus_one_ = s + 1 in a member function, closed by the destructor as sock_plus_one_ - 1',
  'checking-macros.c': 'a checking macro around the acquire (CM_SYSCALL(pipe(fds)), a block macro CM_SYSCALL_HANDLE_ERRORS(fd = open(…)) { return -1; }) leaves or runs its block when the call failed: nothing is open there; around a later call (CM_SYSCALL(write(fd, …))) its exit leaves the descriptor open',
  'checking-macros.cpp': 'C++: Cap\'n Proto\'s KJ_SYSCALL shape (a lambda around the call, a fault loop that throws) around ::pipe() in a member function',
  'boolean-comparisons.c': 'a validity test compared with a boolean constant (IS_VALID_STREAM(sock) == FALSE over #define IS_VALID_STREAM(x) (x >= 0); != TRUE) is that test or its negation; a stream asserted to sit on a standard stream\'s number (fileno(dummyfile) != 1 false after fclose(stdout)) is kept as that stream',
  'boolean-comparisons.cpp': 'C++: BCPP_VALID(s) == false before a member keeps the socket',
  'member-caches.cpp': 'C++: a method keeping the descriptor it returns in a member (fd_cache[path] = fd, opened_.push_back(fd)) lends it: its callers hold no descriptor of their own; one recording it in a local map gives it away',
  'cast-macros.c': 'a macro that only casts its argument (#define SX_INT_TO_PTR(X) ((void *)(sxptr)(X))) is the argument: storing it through an out-parameter hands the descriptor over; a macro computing from it does not',
  'cast-macros.cpp': 'C++: cast macros with std::intptr_t and reinterpret_cast/static_cast around a socket stored in a caller\'s object',
  'object-handoffs.cpp': 'C++: a project function wrapping the descriptor it is given in an owning object (std::make_unique<folly::File>(fd, true)) takes it; one that only prints it leaves it with the caller',
  'flag-commands-on-others.c': 'a descriptor-flag fcntl failing on another descriptor the function opened (the first pipe\'s ends while the second is tracked) is no path; on a descriptor the function was given the branch stays',
  'flag-commands-on-others.cpp': 'C++: ::fcntl(s, F_GETFD) == -1 on the function\'s own socket while its pipe is tracked',
  'standard-stream-reopen.c': 'freopen() of stdin/stdout/stderr gives back that standard stream, kept by the process; the stream freopen() reopens is closed first, whether it works or not; its result is the one to close',
  'standard-stream-reopen.cpp': 'C++: std::freopen(path, "r", stdin) in a member function',
  'predicate-functions.cpp': 'C++: a static inline bool predicate of a descriptor; a reporter returning its verdict',
  'logged-descriptors.c': 'a descriptor passed after a format string literal, or as a variadic argument of a project function, is printed, not kept; an unknown function without a format may keep it; a pointer (a FILE) given for `...` may be kept',
  'logged-descriptors.cpp': 'C++: a socket traced through a printf-style logger stays the caller\'s',
  'correlated-conditions.c': 'a condition tested again with nothing it reads assigned in between takes the same value (a predicate call, == and != of one comparison, a function pointer set to a function); not after an assignment, nor a call with effects (read); a status call\'s result assigned in the condition ((e = connect(…)) < 0 false) is 0 afterwards, a read()\'s count is not',
  'correlated-conditions.cpp': 'C++: a member predicate tested twice decides the acquire and the release alike',
  'self-assignment.c': 'fd = register_fd(fd) hands the descriptor on before writing the variable; an overwrite with another descriptor still loses the first',
  'self-assignment.cpp': 'C++: fd = set_cloexec(fd) in a member function',
  'wrapper-summaries.c': 'a wrapper returning fcntl(F_SETFL)\'s status, a cached file-level socket, or one it stored in the connection it was given is no acquirer; one returning a new socket is',
  'exiting-functions': 'project functions that always exit (merr() ending in exit(), fatal() ending in merr(), across files) end the path; one that returns does not',
  'status-variables.c': 'rc = socketpair(…); if (rc < 0): the pair\'s status tested through the variable, until it is assigned again',
  'status-variables.cpp': 'C++: const rc = ::socketpair(…); if (rc != 0) return false',
  'close-all.c': 'closefrom() in a forked child closes the descriptor; without it the child\'s early return keeps it; so does a project\'s own close-all function (osmo_close_all_fds_above), or one whose body loops close() over every number (amanda\'s safe_fd(), unless it is handed the descriptor to spare), not any other (a loop over a table)',
  'close-all.cpp': 'C++: close_range() in the child of a fork, and a project function closing every number from sysconf(_SC_OPEN_MAX) down',
  'wrapped-descriptors.cpp': 'C++: a descriptor in std::expected<int, E> from a project function: `!maybe_fd` is its failure, `fd = *maybe_fd` / `maybe_fd.value()` stores it',
  'failure-passthrough.c': 'a function returning its acquire\'s result only on failure (if (fd < 0) return fd; … return 0;, also under a branch hint: if (UNLIKELY (fd < 0))) returns a status, not a descriptor; a real wrapper still acquires',
  'macro-constants.c': 'pipe ends named by integer macros (pfd[PIPE_WR] is pfd[1]), and by <unistd.h>\'s STDIN_FILENO / STDOUT_FILENO',
  'macro-constants.cpp': 'C++: fds[STDOUT_FILENO] is fds[1] in a member function',
  'statement-macros.c': 'statement macros: what their bodies close (their parameters or the caller\'s variables) is closed where they are used, on their way out for returning macros; a body that always calls exit() ends the path (also through a macro over it, defined before or after), one that aborts when its argument is false is a branch on it',
  'ifdef-configurations.c': 'repeated #ifdef / #ifndef / #if defined() blocks testing one symbol take the same branch on a path; a leak within one configuration stays',
  'unparseable-functions.c': 'functions the grammar cannot parse as written (#if splitting an if or a function head, block macros, an unbraced iterating macro, type and attribute macro arguments, a statement macro without \';\', GNU case ranges), analysed through the configuration-resolved copy; in both configurations of a feature nothing decides (HAVE_FSYNC defined and not), each leak\'s path naming its configuration',
  'unparseable-functions.cpp': 'C++: a member function split by #if, and Q_FOREACH blocks (which the C++ grammar takes for nested function definitions)',
  'noreturn-declarations': 'functions declared no-return by a project macro (ATTRIB_NORETURN), by a macro of another name the project defines as the attribute (NONRET, before the name or after the parameters, defined in another header; C++ DEAD for [[noreturn]]) or _Noreturn end the path like exit(), as Plan 9\'s exits(), sysfatal() and threadexitsall() do, and a statement macro whose own top level makes such a call after a test (woof\'s I_Error, reached by a goto into its block; C++ FATAL), unlike one that makes it only under its test; a comment mentioning the macro and an empty export macro do not',
  'block-scope.c': 'a descriptor in a variable declared inside a block is lost where control leaves the block: at the continue, break or goto, or at the closing brace; a loop inside the block, a static local and a function-scope variable keep their reports; a variable an inner block declares again is another one (its assignments do not overwrite the outer stream); a continue before the declaration is not reported again',
  'block-scope.cpp': 'C++: a descriptor declared in a range-for or while body, lost at continue or break',
  'local-aggregates.c': 'a descriptor acquired into a member of a local struct or an element of a local array is tracked; handing the whole struct on (passed by address, returned) hands it on; a member through a pointer is the caller\'s',
  'local-aggregates.cpp': 'C++: a socket in a member of a local struct, lost on an early return',
  'foreign-header-switches': 'a switch a file defines only in branches that include a header no Linux system has (<dev/speaker/speaker.h>, <machine/speaker.h>) is not defined in a Linux build, so its #ifdef code is not analysed (a C++ class under one neither); the branch including <linux/kd.h> is the one compiled, and a leak under its switch is found',
  'configuration-switches': 'switches as a default build has them, from configure.ac and the sources: an --enable option off by default and a name nothing defines are not defined, an option on by default is, a name configure may set keeps both configurations, a system name the code reads stays undecided, a definition only another platform compiles does not count; in C and C++',
  'registry-close.c': 'a project function that closes the registry entry equal to the descriptor it is given (entry->sd == sd … close(entry->sd)) closes the caller\'s; a lookup that only compares stays a borrow',
  'registry-close.cpp': 'C++: a table method closing *it where *it == fd',
  'configuration-header': 'what the project\'s configuration header (config.h) defines outside any #if, every build has: #ifndef USE_DAEMON code is not compiled, #ifdef USE_DAEMON code is; a definition under a switch it leaves open keeps both configurations; in C and C++',
  'lock-held.c': 'a descriptor holding a lock (lockf F_TLOCK, fcntl F_SETLK with a write lock, flock LOCK_EX) is kept on purpose; a stream over a global\'s descriptor is the holder\'s; an unlock is no hand-off; so is one passed to a project function that takes the lock (fcntl F_SETLKW with F_WRLCK), but not to one that only tests for a lock (F_GETLK); a socket that joined a multicast group (IPV6_JOIN_GROUP) is kept for the membership; a stream fdopen()ed over a descriptor locked with fcntl(F_SETLK) holds the lock (dnscap\'s pid file), one over an unlocked descriptor is lost',
  'lock-held.cpp': 'C++: flock(LOCK_EX | LOCK_NB) in a member function keeps the lock file open; so does a stream ::fdopen()ed over a locked descriptor',
  'standard-streams.c': 'a daemon that closes every descriptor (a close(i) loop) then opens /dev/null gets its standard input, and the first open after close(1) / close(STDIN_FILENO) takes that number, kept on purpose; a later open, or /dev/null opened without that, is an ordinary descriptor; a loop opening /dev/null while the number is below 2, and dup(0) once the standard streams are closed, fill the standard streams; so do the dups of /dev/null after a while loop closing every descriptor (czmq), but not without that loop',
  'standard-streams.cpp': 'C++: closefrom(0) then /dev/null in a member function; a loop opening /dev/null while the number is below 2',
  'descriptor-flags.c': 'fcntl F_GETFL/F_SETFL/F_GETFD/F_SETFD fail only for a descriptor that is not open: their failure branch (< 0, == -1, non-zero) never runs with it open, for a pipe end or its sibling; so does setsockopt() of SO_REUSEADDR or TCP_NODELAY, but not of SO_BINDTODEVICE, and ioctl(FIONBIO)',
  'object-results': 'C++: a function returning a template of objects (Result<ScratchFile>, Result<Connection> built from the descriptor, Result<Type *>) returns no bare descriptor, and a lambda\'s return fd; inside a factory is the lambda\'s, not the factory\'s; Result<int> may still carry one',
  'flag-wrappers': 'a project function that only sets or reads a descriptor\'s flags or sets a socket option that cannot fail and fails only when fcntl does (bool or status, through the variable holding F_GETFD, passing that variable back, with named statuses such as ANET_OK and ANET_ERR) is tested as that fcntl call; one that reads the flag back or writes can fail with the descriptor open; its status kept in a variable and tested after (linya-webserver: int ret = setSocketNonBlocking(accept_fd); if (ret < 0) return;) is the same test, in C and a C++ member function',
  'scoped-array-elements.cpp': 'C++: a scoped holder built from one end of a pipe pair (butil::ScopedFD closer(fds[0]), parsed as a function declaration) owns that end, not the other',
  'class-constants.cpp': 'C++: a class\'s named invalid descriptor compared with its qualified name (XmlRpcSocket::Invalid == fd) is the failure test',
  'field-callbacks.c': 'a callback stored in a field (node->data.accept(sockfd, ctx)) may keep the descriptor, whatever its name; write() itself only uses it',
  'array-loops.c': 'for (j = 0; j < 6; j++) runs at least once, and fds[j] is each element in turn: a loop closing or storing the array\'s elements handles every one; a loop whose bound is a parameter may not run',
  'qualified-returns.cpp': 'C++: a function returning a class\'s own open() (interval<T>::open) is no acquirer; one returning ::open() is',
  'kept-returns.c': 'a function that returns a socket it also put in a global table (through a project function that keeps it), or a stream it recorded in a node linked into a file-level list (Lynx\'s LYOpenTemp), is no acquirer; one that only uses it is',
  'kept-returns.cpp': 'C++: a stream recorded in a file-level registry node before it is returned',
  'descriptor-tables.c': 'a table indexed by the descriptor (conns[fd].state = …) records it; reading one (if (seen[fd])) does not',
  'descriptor-tables.cpp': 'C++: a std::map keyed by the descriptor (readers_[fd] = true) records it; reading it does not',
  'descriptor-flags.cpp': 'C++: ::fcntl(fd, F_SETFD, FD_CLOEXEC) != 0 in a member function',
  'exiting-macro-chain.cpp': 'C++: DIE(msg) over DIE_AT(file, line, msg), whose body always calls _exit(), ends the path',
  'cmake-options': 'CMake options as a default build has them: a definition under if (OPTION) of an OFF option is not made, of an ON option is (and its else() branch is not); one under a condition the defaults do not decide keeps both configurations; in C and C++',
  'constant-loops.c': 'a loop condition of literals only (while (1 == 1)) never ends by its test, one that is false (2 < 1) never runs',
  'constant-loops.cpp': 'C++: while (1 == 1) in a member function',
  'never-failing-calls.c': 'signal() for a catchable named signal, sigprocmask() with a named how, the sigset functions cannot fail: their error branches never run; signal() of a variable signal number can; an exec that returns has failed (execvp(…) == -1 is true)',
  'never-failing-calls.cpp': 'C++: ::sigaction(SIGPIPE, …) < 0 in a member function',
  'known-limits.c': 'known limits: a zero-trip loop a guard rules out (false positive), a lock call\'s failure branch (missed)',
});

const FD_LEAK = ALL_RULES.filter((r) => r.meta.id === 'fd-leak');
const leaks = (sources: { path: string; text: string }[], config?: Parameters<typeof analyze>[1]) => analyze(sources, config, false, FD_LEAK);

describe('fd-leak in detail', () => {
  it('a path through #ifdef names the configuration it is in', () => {
    const text = 'int f(const char *p) {\n    int fd = open(p, 0);\n    if (fd < 0)\n        return -1;\n#ifdef STRICT\n    if (p[0])\n        return -2;\n#endif\n    close(fd);\n    return 0;\n}\n';
    const [finding] = leaks([{ path: 'strict.c', text }]);
    expect(finding!.location.line).toBe(7);
    expect(finding!.path!.map((s) => s.message)).toEqual(["open() succeeds: 'fd' is open", "'fd < 0' is false", "'STRICT' is defined", "'p[0]' is true", "'fd' is still open here"]);
  });

  it('a path through a block macro names the macro as written, not the loop head it is analysed as', () => {
    const text = 'int f(struct l *l, const char *p) {\n    int fd = open(p, 0);\n    if (fd < 0)\n        return -1;\n    LIST_FOREACH(c, l, link) {\n        if (c->bad)\n            return -2;\n    }\n    close(fd);\n    return 0;\n}\n';
    const [finding] = leaks([{ path: 'macro.c', text }]);
    expect(finding!.location.line).toBe(7);
    expect(finding!.path!.map((s) => `${s.location.line}:${s.location.column}-${s.location.endColumn} ${s.message}`)).toEqual([
      "2:14-24 open() succeeds: 'fd' is open",
      "3:9-15 'fd < 0' is false",
      "5:5-29 'LIST_FOREACH(c, l, link)' runs its block",
      "6:13-19 'c->bad' is true",
      "7:13-23 'fd' is still open here",
    ]);
  });

  it('a path through a block macro without arguments names the macro, not the condition it is analysed with', () => {
    const text = 'int f(const char *p) {\n    int fd = open(p, 0);\n    if (fd < 0)\n        return -1;\n    SCOPE_EXIT {\n        log_it(p);\n    };\n    if (p[0])\n        return -2;\n    close(fd);\n    return 0;\n}\n';
    const [finding] = leaks([{ path: 'bare.c', text }]);
    expect(finding!.location.line).toBe(9);
    expect(finding!.path!.map((s) => `${s.location.line}:${s.location.column}-${s.location.endColumn} ${s.message}`)).toEqual([
      "2:14-24 open() succeeds: 'fd' is open",
      "3:9-15 'fd < 0' is false",
      "5:5-15 'SCOPE_EXIT' is done",
      "8:9-13 'p[0]' is true",
      "9:9-19 'fd' is still open here",
    ]);
  });

  it('a copy tried and not kept leaves the file\'s own positions: the path names the #ifdef where it is', () => {
    // The string fragment from a macro stays an error in the copy too, so the copy is not kept.
    const text = 'int f(const char *p) {\n    int fd = open(p, 0);\n    if (fd < 0)\n        return -1;\n#ifdef HAVE_X\n    if (p[0])\n        return 1;\n#endif\n    log_it(MSG("a") " b");\n    close(fd);\n    return 0;\n}\n';
    const [leak, ...rest] = leaks([{ path: 'fragment.c', text }]);
    expect(rest).toEqual([]);
    expect(`${leak!.location.line}:${leak!.location.column}`).toBe('7:9');
    expect(leak!.path!.map((s) => `${s.location.line}:${s.location.column} ${s.message}`)).toEqual(["2:14 open() succeeds: 'fd' is open", "3:9 'fd < 0' is false", "5:8 'HAVE_X' is defined", "6:9 'p[0]' is true", "7:9 'fd' is still open here"]);
  });

  it('a recovered function in both configurations: a suppression used in only one of them is used', () => {
    const text = [
      'int f(const char *path) {',
      '    int fd = open(path, 0);',
      '    if (fd < 0)',
      '        return -1;',
      '#ifdef HAVE_FSYNC',
      '    if (fsync(fd) < 0) {',
      '        close(fd);',
      '#else',
      '    if (fdatasync(fd) < 0) {',
      '#endif',
      '        return -1; // connlint-disable-line fd-leak',
      '    }',
      '    close(fd);',
      '    return 0;',
      '}',
      '',
    ].join('\n');
    expect(analyze([{ path: 'sync.c', text }], undefined, true, FD_LEAK)).toEqual([]);
    const [leak] = leaks([{ path: 'sync.c', text: text.replace(' // connlint-disable-line fd-leak', '') }]);
    expect(leak!.location.line).toBe(11);
    expect(leak!.path!.map((s) => `${s.location.line} ${s.message}`)).toEqual(["2 open() succeeds: 'fd' is open", "3 'fd < 0' is false", "5 'HAVE_FSYNC' is not defined", "9 'fdatasync(fd) < 0' is true", "11 'fd' is still open here"]);
  });

  it('the path agrees with the flags: a retry loop left with its test true goes on true at the next test of the same value', () => {
    const text = [
      '#include <unistd.h>',
      '#include <errno.h>',
      'int fill(void) {',
      '  int fds[2];',
      '  ssize_t wres;',
      '  char buf = 0;',
      '  if (pipe(fds) < 0)',
      '    return 0;',
      '  do {',
      '    wres = write(fds[1], &buf, 1);',
      '  } while ((wres < 0) && (errno == EINTR));',
      '  if (wres < 0)',
      '    return 0;',
      '  close(fds[0]);',
      '  close(fds[1]);',
      '  return 1;',
      '}',
    ].join('\n');
    const findings = leaks([{ path: 'w.c', text }]);
    expect(findings.map((f) => `${f.location.line}:${f.location.column} ${f.message}`)).toEqual([
      "13:5 descriptor 'fds[0]' from pipe() (line 7) is still open when this return leaves the function",
      "13:5 descriptor 'fds[1]' from pipe() (line 7) is still open when this return leaves the function",
    ]);
    // Not `'wres < 0' is false` at the loop's test (leaving it that way, the write worked).
    expect(findings[0]!.path!.map((s) => `${s.location.line} ${s.message}`)).toEqual(["7 pipe() succeeds: 'fds[0]' is open", "7 'pipe(fds) < 0' is false", "11 'wres < 0' is true", "11 'errno == EINTR' is false", "12 'wres < 0' is true", "13 'fds[0]' is still open here"]);
  });

  it('message names the handle, the acquiring call and its line; related location and path', () => {
    const findings = leaks(fixtureSources('fd-leak/error-paths.c'));
    const first = findings[0]!;
    expect(first.message).toBe("descriptor 'fd' from open() (line 13) is still open when this return leaves the function");
    expect(first.related).toEqual([{ location: { file: 'fd-leak/error-paths.c', line: 13, column: 14, endLine: 13, endColumn: 34 }, message: "'fd' acquired by open() here" }]);
    expect(first.path!.map((s) => s.message)).toEqual([
      "open() succeeds: 'fd' is open",
      "'fd == -1' is false",
      "'fstat(fd, &st) < 0' is false",
      "'st.st_size > len' is false",
      "'read(fd, buf, len) != st.st_size' is true",
      "'fd' is still open here",
    ]);
    const messages = findings.map((f) => `${f.location.line}: ${f.message}`);
    expect(messages).toContain("83: descriptor 'fd' from open() (line 80) is still open when 'fd' is overwritten here");
    expect(messages).toContain("98: descriptor 'c' from accept() (line 93) is still open when this 'continue' leaves the block that declares 'c'");
    expect(messages).toContain("108: stream 'f' from fopen() (line 105) is still open when the function ends here");
  });

  it('fix inserts the matching release before a return in a block, with its indentation', () => {
    const findings = leaks(fixtureSources('fd-leak/error-paths.c'));
    const fb = findings.find((f) => f.message.startsWith("stream 'fb'"))!;
    expect(fb.fix).toEqual({
      description: "Insert 'fclose(fb);' before this return",
      edits: [{ location: { file: 'fd-leak/error-paths.c', line: 71, column: 9, endLine: 71, endColumn: 9 }, newText: 'fclose(fb);\n        ' }],
      preferred: true,
    });
    // `if (…) return -4;` has no block to insert into: no fix rather than a wrong one.
    expect(findings.find((f) => f.location.line === 25)!.fix).toBeUndefined();
    const popen = leaks([{ path: 'p.c', text: 'int f(void) {\n  FILE *p = popen("ls", "r");\n  if (!p) return -1;\n  if (fgetc(p) < 0) {\n    return -1;\n  }\n  pclose(p);\n  return 0;\n}' }]);
    expect(popen[0]!.fix!.description).toBe("Insert 'pclose(p);' before this return");
  });

  it('one finding per handle and way it is lost: the first place, the others as notes, and one fix for all of them', () => {
    const text = [
      '#include <fcntl.h>',
      '#include <unistd.h>',
      'int f(const char *p, int a) {',
      '  int fd = open(p, O_RDONLY);',
      '  if (fd < 0) return -1;',
      '  if (a == 1) {',
      '    return 1;',
      '  }',
      '  if (a == 2) {',
      '    return 2;',
      '  }',
      '  if (a == 3) return 3;',
      '  fd = open(p, O_RDONLY);',
      '  close(fd);',
      '  return 0;',
      '}',
    ].join('\n');
    const findings = leaks([{ path: 'g.c', text }]);
    expect(findings.map((f) => `${f.location.line}:${f.location.column} ${f.message}`)).toEqual([
      "7:5 descriptor 'fd' from open() (line 4) is still open when this return leaves the function; also at 2 other exits of the function",
      "13:3 descriptor 'fd' from open() (line 4) is still open when 'fd' is overwritten here",
    ]);
    const [returns] = findings;
    expect(returns!.related.map((r) => `${r.location.line} ${r.message}`)).toEqual(["4 'fd' acquired by open() here", "10 'fd' is also still open here", "12 'fd' is also still open here"]);
    // The path is the first place's; the fix releases before each return that has a block to insert into.
    expect(returns!.path!.map((s) => s.message)).toEqual(["open() succeeds: 'fd' is open", "'fd < 0' is false", "'a == 1' is true", "'fd' is still open here"]);
    expect(returns!.fix).toBeUndefined();
    const blocks = leaks([{ path: 'h.c', text: text.replace('  if (a == 3) return 3;\n', '') }]);
    expect(blocks[0]!.fix).toEqual({
      description: "Insert 'close(fd);' before this return and 1 other exit",
      edits: [
        { location: { file: 'h.c', line: 7, column: 5, endLine: 7, endColumn: 5 }, newText: 'close(fd);\n    ' },
        { location: { file: 'h.c', line: 10, column: 5, endLine: 10, endColumn: 5 }, newText: 'close(fd);\n    ' },
      ],
      preferred: true,
    });
  });

  it('configured acquire, release, borrow and take functions', () => {
    const text = `int f(const char *p) {
  int fd = my_open(p);
  if (fd < 0) return -1;
  if (log_fd(fd) < 0) return -1;
  my_close(fd);
  return 0;
}`;
    expect(leaks([{ path: 'c.c', text }])).toEqual([]);
    const config = parseConfig('/x/connlint.json', JSON.stringify({ functions: { acquire: ['my_open'], release: ['my_close'], borrow: ['log_fd'] } }));
    expect(actualFindings(leaks([{ path: 'c.c', text }], config))).toEqual(['c.c:4 fd-leak error']);
    const taken = parseConfig('/x/connlint.json', JSON.stringify({ functions: { acquire: ['my_open'], take: ['log_fd'] } }));
    expect(leaks([{ path: 'c.c', text }], taken)).toEqual([]);
  });

  it('fcntl(F_DUPFD) and signalfd(-1) acquire only in those forms', () => {
    const text = `void f(int fd0) {
  int a = fcntl(fd0, F_DUPFD_CLOEXEC, 3);
  int b = fcntl(fd0, F_GETFL);
  int c = signalfd(-1, 0, 0);
  int d = signalfd(c, 0, 0);
}`;
    expect(leaks([{ path: 'd.c', text }]).map((f) => f.message.replace(/ is still.*/, ''))).toEqual([
      "descriptor 'a' from fcntl() (line 2)",
      "descriptor 'c' from signalfd() (line 4)",
    ]);
  });

  it('static locals (cached descriptors) and descriptors stored straight into fields are not tracked', () => {
    const text = `int urandom(void) { static int fd = -1; if (fd < 0) fd = open("/dev/urandom", 0); return 0; }
int conn(struct c *c) { c->fd = socket(2, 1, 0); if (c->fd < 0) return -1; return 0; }`;
    expect(leaks([{ path: 's.c', text }])).toEqual([]);
  });
});
