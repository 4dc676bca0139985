import { readdirSync, readFileSync } from 'node:fs';

/**
 * Pids of every process in the given process groups, read from /proc (Linux). Tests use it to
 * prove that no emulator, nor anything an emulator forked, outlives `stop()`.
 */
export const processesInGroups = (groups: readonly number[]): number[] => {
  const wanted = new Set(groups);
  const found: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      // Fields after the command name (which may contain spaces) start after the last ')'.
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      const state = fields[0];
      const group = Number(fields[2]);
      if (wanted.has(group) && state !== 'Z') found.push(Number(entry));
    } catch {
      // The process ended while we looked.
    }
  }
  return found;
};
