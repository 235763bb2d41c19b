import type { Writable } from 'node:stream';
import { scrubSecrets } from '../functions/core/redaction.js';

const WIDTH = 30;
/** Without a terminal, a line per 10 % (and the last), so a log stays short. */
const STEPS = 10;

export interface Progress {
  update(done: number): void;
  finish(): void;
}

/**
 * Progress on stderr: a bar redrawn in place on a terminal, plain `label: n/total` lines otherwise
 * (a CI log, a file). stdout stays for the result.
 */
export function progress(stderr: Writable, label: string, total: number): Progress {
  const tty = (stderr as Writable & { isTTY?: boolean }).isTTY === true;
  const write = (text: string) => stderr.write(scrubSecrets(text));
  let lastStep = -1;
  let drawn = false;
  return {
    update(done) {
      const share = total ? Math.min(1, done / total) : 1;
      if (tty) {
        const filled = Math.round(share * WIDTH);
        write(`\r${label} [${'#'.repeat(filled)}${'.'.repeat(WIDTH - filled)}] ${done}/${total} ${Math.floor(share * 100)}%`);
        drawn = true;
        return;
      }
      const step = Math.floor(share * STEPS);
      if (step > lastStep) {
        lastStep = step;
        write(`${label}: ${done}/${total}\n`);
      }
    },
    finish() {
      if (drawn) write('\n');
    },
  };
}
