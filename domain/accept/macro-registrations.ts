import { defines } from '../../core/project/macros.js';
import { closing, splitTopLevel } from '../../core/syntax/c-text.js';
import { escapeRegExp } from '../../core/util/regexp.js';
import type { TriggerRegistration } from '../catalog/trigger-registration.js';

/**
 * Statement macros that register their parameter with an event notifier: OpenLDAP's slapd
 * (before 2009's e80731b) added every socket through
 * `#define SLAP_SOCK_ADD(s, l) do { …; SLAP_EPOLL_SOCK_EV((s)) = EPOLLIN|EPOLLET; rc =
 * epoll_ctl(slap_daemon.sd_epfd, EPOLL_CTL_ADD, (s), &SLAP_EPOLL_SOCK_EP((s))); … } while (0)`,
 * used as `SLAP_SOCK_ADD(s, sl);`. A use is a registration of the argument in the parameter's
 * place, with the flags the body assigns (the struct behind the call's pointer is itself a macro).
 */
export interface MacroRegistration {
  readonly spec: TriggerRegistration;
  /** The macro's parameter that is the registered descriptor. */
  readonly param: number;
  /** The flags the body assigns, joined with `|` ('' when it assigns none the notifier knows). */
  readonly flags: string;
}

/** The file's statement macros that register a parameter, by name. */
export function macroRegistrations(text: string, specs: readonly TriggerRegistration[]): Map<string, MacroRegistration> {
  const found = new Map<string, MacroRegistration>();
  // (Only registrations whose flags live in a struct, epoll's: a macro's body assigns them.)
  const structFlagged = specs.filter((spec) => spec.flagsField !== undefined);
  if (structFlagged.length === 0 || !new RegExp(`\\b(?:${structFlagged.map((spec) => escapeRegExp(spec.name)).join('|')})\\s*\\(`).test(text)) return found;
  for (const define of defines(text)) {
    if (define.params === undefined) continue;
    const params = define.params.slice(1, -1).split(',').map((p) => p.trim());
    for (const spec of structFlagged) {
      const call = new RegExp(`\\b${escapeRegExp(spec.name)}\\s*\\(`).exec(define.body);
      if (!call) continue;
      const open = call.index + call[0].length - 1;
      const end = closing(define.body, open);
      if (end < 0) continue;
      const args = splitTopLevel(define.body.slice(open + 1, end - 1));
      const fd = /^\(*\s*([A-Za-z_]\w*)\s*\)*$/.exec((args[spec.fdArg] ?? '').trim())?.[1];
      const param = fd === undefined ? -1 : params.indexOf(fd);
      if (param < 0) continue;
      // Flags assigned in the body: values made only of the notifier's own flag names.
      // (Assigned, `SLAP_EPOLL_SOCK_EV((s)) = EPOLLIN|EPOLLET;`, or designated, `{ .events = EPOLLIN | EPOLLET }`.)
      const flags = [...define.body.matchAll(/(?<![=!<>])=\s*([A-Za-z_(][\w\s|()]*?)\s*(?=[;,}])/g)]
        .map((m) => m[1]!.replace(/\s+/g, ''))
        .filter((value) => /^[A-Za-z_(][\w|()]*$/.test(value) && (value.match(/[A-Za-z_]\w*/g) ?? []).every((id) => spec.flagPrefix.test(id)));
      found.set(define.name, { spec, param, flags: flags.join('|') });
      break;
    }
  }
  return found;
}
