/** The progress bar on a terminal's standard error: accounts audited of those listed so far. */
import type { Progress } from '../audit/run-types';
import type { CliIo } from './io';

export function progressBar(io: CliIo) {
  let last = 0;
  const draw = (p: Progress) => {
    const total = p.listed;
    const width = 30;
    const filled = total ? Math.round((p.done / total) * width) : 0;
    io.stderr(`\r[${'='.repeat(filled)}${' '.repeat(width - filled)}] ${p.done}/${total}${p.listingComplete ? '' : '+'} accounts`);
  };
  return {
    update: (p: Progress) => {
      const now = Date.now();
      if (now - last < 100 && p.done < p.listed) return;
      last = now;
      draw(p);
    },
    clear: () => io.stderr('\r\x1b[2K'),
  };
}
