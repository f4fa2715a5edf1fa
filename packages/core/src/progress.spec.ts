import { createProgress } from './progress';

/** What a terminal shows after `out`: the text and the cursor moves and clears readline writes for cli-progress. */
function screen(out: string): string[] {
  const lines: string[][] = [[]];
  let row = 0;
  let col = 0;
  const at = (r: number) => {
    while (lines.length <= r) lines.push([]);
    return lines[r];
  };
  for (let i = 0; i < out.length; i++) {
    const ch = out[i];
    if (ch === '\x1b') {
      // ESC is matched by the comparison above; the pattern reads what follows it.
      const m = /^\[(\??)(\d*)([A-Za-z])/.exec(out.slice(i + 1)) as RegExpExecArray;
      i += m[0].length;
      const n = m[2] ? Number(m[2]) : 0;
      if (m[1]) continue;
      if (m[3] === 'A') row = Math.max(0, row - (n || 1));
      else if (m[3] === 'G') col = (n || 1) - 1;
      else if (m[3] === 'K') at(row).splice(n === 2 ? 0 : col);
      else if (m[3] === 'J') {
        lines.splice(row + 1);
        at(row).splice(col);
      }
    } else if (ch === '\r') col = 0;
    else if (ch === '\n') at(++row);
    else {
      const line = at(row);
      while (line.length < col) line.push(' ');
      line[col++] = ch;
    }
  }
  return lines.map((l) => l.join('')).filter((l) => l.trim() !== '');
}

function fakeTty(): { stream: NodeJS.WriteStream; written: () => string } {
  let text = '';
  const stream = {
    isTTY: true,
    columns: 200,
    write: (chunk: string) => {
      text += chunk;
      return true;
    },
  };
  return { stream: stream as unknown as NodeJS.WriteStream, written: () => text };
}

const tick = () => new Promise((resolve) => setTimeout(resolve, 150));

describe('createProgress bars', () => {
  it('draws bars that run at the same time on lines of their own, and leaves a line per finished bar', async () => {
    const tty = fakeTty();
    const train = createProgress({ label: 'train click', total: 50, mode: 'bar', stream: tty.stream });
    const test = createProgress({ label: 'oracle test', total: 20, mode: 'bar', stream: tty.stream });
    train.update(10, 'loss 0.300');
    test.update(5);
    await tick();
    const both = screen(tty.written());
    expect(both).toHaveLength(2);
    expect(both[0]).toMatch(/^train click \[.*\] 20% \| 10\/50 .*loss 0\.300/);
    expect(both[1]).toMatch(/^oracle test \[.*\] 25% \| 5\/20/);
    test.update(20);
    test.stop();
    await tick();
    const one = screen(tty.written());
    expect(one[0]).toBe('oracle test: 20/20 | done');
    expect(one.slice(1)).toEqual([expect.stringMatching(/^train click \[/)]);
    train.update(50, 'loss 0.020');
    train.stop();
    const after = createProgress({ label: 'index', total: 3, mode: 'bar', stream: tty.stream });
    after.update(3);
    after.stop();
    expect(screen(tty.written())).toEqual(['oracle test: 20/20 | done', 'train click: 50/50 | loss 0.020 | done', 'index: 3/3 | done']);
  });
});
