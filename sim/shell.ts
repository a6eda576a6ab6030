/**
 * @module sim/shell
 * A tiny, deterministic stand-in for `/bin/sh -c` used by cmd.run and cmd.run_all: enough of
 * echo (with `>&2`), exit, true/false, hostname, uname, pwd, whoami, id, uptime, date and sleep to
 * make demos and tests meaningful. Anything else is "not found" with exit code 127, like dash.
 */

/** What a command printed and how it exited. */
export interface ShellResult { stdout: string; stderr: string; retcode: number; sleepMs: number }

/** Facts about the minion the command "runs" on. */
export interface ShellHost { hostname: string; kernelrelease: string; cwd: string; nowMs: number }

function unquote(s: string): string {
  return s.replace(/^'(.*)'$/s, '$1').replace(/^"(.*)"$/s, '$1');
}

/** Runs a command line of `;`/`&&`-separated simple commands. */
export function runShell(cmdline: string, host: ShellHost): ShellResult {
  const out: string[] = [];
  const err: string[] = [];
  let retcode = 0;
  let sleepMs = 0;
  const expanded = cmdline.replace(/\$\(hostname\)/g, host.hostname).replace(/\$\(uname -s\)/g, 'Linux');
  for (const part of expanded.split(/;|&&|\n/)) {
    let cmd = part.trim();
    if (!cmd) continue;
    let toErr = false;
    if (/\s*>&2\s*$/.test(cmd)) { toErr = true; cmd = cmd.replace(/\s*>&2\s*$/, ''); }
    const [name, ...rest] = cmd.split(/\s+/);
    const argText = cmd.slice(name.length).trim();
    let line: string | null = null;
    retcode = 0;
    switch (name) {
      case 'echo': line = unquote(argText); break;
      case 'exit': return { stdout: out.join('\n'), stderr: err.join('\n'), retcode: Number(rest[0] ?? 0) || 0, sleepMs };
      case 'true': break;
      case 'false': retcode = 1; break;
      case 'hostname': line = host.hostname; break;
      case 'uname':
        line = rest.includes('-r') ? host.kernelrelease
          : rest.includes('-a') ? `Linux ${host.hostname} ${host.kernelrelease} #1 SMP PREEMPT_DYNAMIC x86_64 GNU/Linux` : 'Linux';
        break;
      case 'pwd': line = host.cwd; break;
      case 'whoami': line = 'root'; break;
      case 'id': line = 'uid=0(root) gid=0(root) groups=0(root)'; break;
      case 'uptime': line = ' 10:00:00 up 42 days,  3:17,  0 users,  load average: 0.08, 0.03, 0.01'; break;
      case 'date': line = new Date(host.nowMs).toUTCString().replace('GMT', 'UTC'); break;
      case 'sleep': sleepMs += (Number(rest[0]) || 0) * 1000; break;
      default:
        err.push(`/bin/sh: 1: ${name}: not found`);
        retcode = 127;
    }
    if (line !== null) (toErr ? err : out).push(line);
  }
  return { stdout: out.join('\n'), stderr: err.join('\n'), retcode, sleepMs };
}
