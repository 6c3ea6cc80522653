import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { ConfigError } from './errors';
import { createProgress, formatDuration, formatFields, type ProgressStream } from './progress';

function captureStream(tty: boolean): { stream: ProgressStream; text: () => string } {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk, _encoding, callback) {
      chunks.push(String(chunk));
      callback();
    },
  }) as Writable & { isTTY?: boolean; columns?: number };
  if (tty) {
    stream.isTTY = true;
    stream.columns = 160;
  }
  return { stream, text: () => chunks.join('') };
}

/** A clock the test moves by hand, in milliseconds. */
function manualClock() {
  let now = 0;
  return { clock: () => now, advance: (milliseconds: number) => (now += milliseconds) };
}

describe('createProgress, plain lines', () => {
  it('prints at each 10% step and a final line, with rate, ETA and fields', () => {
    const { stream, text } = captureStream(false);
    const time = manualClock();
    const progress = createProgress({ total: 200, label: 'sft', stream, silent: false, clock: time.clock });
    for (let step = 1; step <= 200; step++) {
      time.advance(50); // 20 steps per second
      progress.tick(1, { loss: 1 / step });
    }
    progress.stop();
    const lines = text().trimEnd().split('\n');
    // Lines at 10%, 20%, ..., 90%, and the final one.
    expect(lines).toHaveLength(10);
    expect(lines[0]).toBe('sft: 20/200 (10%) 20/s ETA 9.0s loss=0.05');
    expect(lines[4]).toBe('sft: 100/200 (50%) 20/s ETA 5.0s loss=0.01');
    expect(lines[9]).toBe('sft: 200/200 (100%) 20/s in 10.0s loss=0.005');
    expect(progress.value).toBe(200);
  });

  it('prints every logEverySeconds when the percentage does not move, also without a total', () => {
    const { stream, text } = captureStream(false);
    const time = manualClock();
    const progress = createProgress({ label: 'rows', stream, silent: false, clock: time.clock, logEverySeconds: 60 });
    for (let minute = 0; minute < 150; minute++) {
      time.advance(1000);
      progress.tick(3);
    }
    progress.stop({ skipped: 'none' });
    expect(text()).toBe('rows: 180 3/s\nrows: 360 3/s\nrows: 450 3/s in 2m30s skipped=none\n');
  });

  it('counts a resumed run from its initial value but rates only the new work', () => {
    const { stream, text } = captureStream(false);
    const time = manualClock();
    const progress = createProgress({ total: 100, initial: 50, stream, silent: false, clock: time.clock });
    time.advance(10_000);
    progress.update(60);
    progress.stop();
    expect(text()).toBe('progress: 60/100 (60%) 1/s ETA 40.0s\nprogress: 60/100 (60%) 1/s in 10.0s\n');
  });

  it('is silent under vitest unless told otherwise, and with silent: true', () => {
    const quiet = captureStream(false);
    const progress = createProgress({ total: 10, stream: quiet.stream });
    progress.tick(10);
    progress.stop();
    const told = captureStream(true);
    const silenced = createProgress({ total: 10, stream: told.stream, silent: true });
    silenced.tick(10);
    silenced.stop();
    expect(quiet.text() + told.text()).toBe('');
  });

  it('ignores calls after stop and rejects bad options', () => {
    const { stream, text } = captureStream(false);
    const progress = createProgress({ total: 1, stream, silent: false, clock: () => 0 });
    progress.stop();
    progress.tick();
    progress.stop();
    expect(text().split('\n')).toHaveLength(2);
    expect(() => createProgress({ total: -1 })).toThrow(ConfigError);
    expect(() => createProgress({ logEverySeconds: 0 })).toThrow(ConfigError);
  });
});

describe('createProgress, terminal bar', () => {
  it('draws a bar with percentage, counts, rate, ETA and fields, and ends with a newline', () => {
    const { stream, text } = captureStream(true);
    const time = manualClock();
    const progress = createProgress({ total: 40, label: 'ppo', stream, silent: false, clock: time.clock });
    time.advance(2000);
    progress.tick(10, { reward: 0.25 });
    progress.stop();
    // Frames are separated by cursor moves and line clears; split on every control sequence.
    const escapeCharacter = String.fromCharCode(0x1b);
    const frames = text()
      .split(new RegExp(`${escapeCharacter}(?:\\[[0-9;?]*[A-Za-z]|[78])|\\r|\\n`))
      .filter((frame) => frame.trim() !== '');
    expect(frames.at(-1)).toMatch(/^ppo \[[█░]{30}\] 25% \| 10\/40 \| 5\/s \| ETA 6\.0s \| reward=0\.25$/);
    expect(text().endsWith('\n')).toBe(true);
  });
});

describe('createProgress, terminal counter without a total', () => {
  it('shows the count, rate and fields without a bar', () => {
    const { stream, text } = captureStream(true);
    const time = manualClock();
    const progress = createProgress({ label: 'rows', stream, silent: false, clock: time.clock });
    time.advance(4000);
    progress.update(10, { bad: 1 });
    progress.stop();
    const lastFrame = text()
      .split(new RegExp(`${String.fromCharCode(0x1b)}(?:\\[[0-9;?]*[A-Za-z]|[78])|\\r|\\n`))
      .filter((frame) => frame.trim() !== '')
      .at(-1);
    expect(lastFrame).toBe('rows 10 | 2.5/s | bad=1');
  });
});

describe('formatting', () => {
  it('formats durations and fields', () => {
    expect([5.25, 59.99, 65, 3723, Number.POSITIVE_INFINITY].map(formatDuration)).toEqual([
      '5.3s',
      '60.0s',
      '1m05s',
      '1h02m03s',
      '?',
    ]);
    expect(formatFields({ loss: 0.123456, step: 7, lr: 0.0003, phase: 'warmup' })).toBe(
      'loss=0.1235 step=7 lr=0.0003 phase=warmup',
    );
  });
});
