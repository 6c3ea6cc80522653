import { performance } from 'node:perf_hooks';
import cliProgress from 'cli-progress';
import { ConfigError } from './errors';

/** Extra values shown after the counts, e.g. `{ loss: 0.4213, lr: 3e-4 }`. */
export type ProgressFields = Record<string, number | string>;

/** A stream progress can be written to; `isTTY` and `columns` are read when present. */
export type ProgressStream = NodeJS.WritableStream & { isTTY?: boolean; columns?: number };

/** Options of {@link createProgress}. */
export interface ProgressOptions {
  /** Units of work expected; omit when unknown (no percentage, bar or ETA then). */
  total?: number;
  /** Units already done before this process started (a resumed run); counted in the value, not in the rate. */
  initial?: number;
  /** Name shown at the start of each line (default `progress`). */
  label?: string;
  /** Print nothing. Default: true when `process.env.VITEST` is set, so test output stays clean. */
  silent?: boolean;
  /** Where to write (default `process.stderr`, keeping stdout for results). */
  stream?: ProgressStream;
  /** Draw a live bar (true) or print plain lines (false). Default: whether `stream.isTTY`. */
  tty?: boolean;
  /** Plain mode: print a line at least this often while work goes on, in seconds (default 10). */
  logEverySeconds?: number;
  /** Plain mode: also print a line each time progress passes a multiple of this percentage (default 10). */
  logEveryPercent?: number;
  /** Milliseconds from an arbitrary origin (default `performance.now`); injectable for tests. */
  clock?: () => number;
}

/** A running progress report. Call `stop()` when done: it prints the final line and releases the bar's timer. */
export interface Progress {
  /** Units done so far. */
  readonly value: number;
  /** Adds `amount` (default 1) units done, and replaces the shown fields with `fields` when given. */
  tick(amount?: number, fields?: ProgressFields): void;
  /** Sets the units done to `value` (e.g. the step a resumed run starts at). */
  update(value: number, fields?: ProgressFields): void;
  /** Prints the final line; later calls of any method do nothing. */
  stop(fields?: ProgressFields): void;
}

/** `1h02m03s`, `4m05s` or `6.8s`. */
export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds)) return '?';
  if (seconds < 60) return `${seconds.toFixed(1)}s`;
  const whole = Math.round(seconds);
  const hours = Math.floor(whole / 3600);
  const minutes = Math.floor((whole % 3600) / 60);
  const rest = String(whole % 60).padStart(2, '0');
  return hours > 0 ? `${hours}h${String(minutes).padStart(2, '0')}m${rest}s` : `${minutes}m${rest}s`;
}

function formatNumber(value: number): string {
  if (Number.isInteger(value)) return String(value);
  return Number(value.toPrecision(4)).toString();
}

/** `loss=0.4213 lr=0.0003`. */
export function formatFields(fields: ProgressFields): string {
  return Object.entries(fields)
    .map(([name, value]) => `${name}=${typeof value === 'number' ? formatNumber(value) : value}`)
    .join(' ');
}

function positiveOption(name: string, value: number | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (!(Number.isFinite(value) && value > 0))
    throw new ConfigError(`createProgress: ${name} must be > 0, got ${value}`);
  return value;
}

/**
 * Reports progress of a long job: on a terminal, a live bar (cli-progress) with rate and ETA; elsewhere
 * (logs, CI, pipes), a plain line every `logEverySeconds` or `logEveryPercent`, and always a final
 * line on `stop()`. Rate is the average since start; ETA is what remains at that rate.
 *
 * @example
 * const progress = createProgress({ total: steps, label: 'sft' });
 * for (let step = 0; step < steps; step++) progress.tick(1, { loss });
 * progress.stop();
 */
export function createProgress(options: ProgressOptions = {}): Progress {
  const { total } = options;
  if (total !== undefined && !(Number.isFinite(total) && total >= 0)) {
    throw new ConfigError(`createProgress: total must be a finite number >= 0, got ${total}`);
  }
  const label = options.label ?? 'progress';
  const silent = options.silent ?? Boolean(process.env.VITEST);
  const stream: ProgressStream = options.stream ?? process.stderr;
  const tty = options.tty ?? Boolean(stream.isTTY);
  const logEveryMilliseconds = positiveOption('logEverySeconds', options.logEverySeconds, 10) * 1000;
  const logEveryPercent = positiveOption('logEveryPercent', options.logEveryPercent, 10);
  const clock = options.clock ?? (() => performance.now());

  const initial = options.initial ?? 0;
  if (!(Number.isFinite(initial) && initial >= 0)) {
    throw new ConfigError(`createProgress: initial must be a finite number >= 0, got ${initial}`);
  }
  const start = clock();
  let value = initial;
  let fields: ProgressFields = {};
  let stopped = false;
  let lastLogTime = start;
  let lastLogBucket = total !== undefined && total > 0 ? Math.floor((100 * initial) / total / logEveryPercent) : 0;

  const measure = () => {
    const elapsedSeconds = (clock() - start) / 1000;
    const rate = elapsedSeconds > 0 ? (value - initial) / elapsedSeconds : 0;
    const remaining = total === undefined ? undefined : Math.max(0, total - value);
    const etaSeconds = remaining === undefined ? undefined : rate > 0 ? remaining / rate : Number.POSITIVE_INFINITY;
    return { elapsedSeconds, rate, etaSeconds };
  };

  const plainLine = (final: boolean): string => {
    const { elapsedSeconds, rate, etaSeconds } = measure();
    const parts = [`${label}:`];
    if (total === undefined) parts.push(String(value));
    else parts.push(`${value}/${total}`, `(${total > 0 ? Math.floor((100 * value) / total) : 100}%)`);
    parts.push(`${formatNumber(rate)}/s`);
    if (final) parts.push(`in ${formatDuration(elapsedSeconds)}`);
    else if (etaSeconds !== undefined) parts.push(`ETA ${formatDuration(etaSeconds)}`);
    const shown = formatFields(fields);
    if (shown !== '') parts.push(shown);
    return `${parts.join(' ')}\n`;
  };

  let bar: cliProgress.SingleBar | undefined;
  const barPayload = () => {
    const { rate, etaSeconds } = measure();
    return {
      label,
      rate: formatNumber(rate),
      timeLeft: formatDuration(etaSeconds ?? Number.NaN),
      fields: formatFields(fields),
    };
  };
  if (!silent && tty) {
    const format =
      total === undefined
        ? '{label} {value} | {rate}/s | {fields}'
        : '{label} [{bar}] {percentage}% | {value}/{total} | {rate}/s | ETA {timeLeft} | {fields}';
    // The cursor stays visible: hiding it would leave it hidden after an interrupt, and the
    // library's own interrupt handling would replace Node's default exit on Ctrl-C.
    bar = new cliProgress.SingleBar(
      { format, stream, hideCursor: false, clearOnComplete: false, barsize: 30, etaBuffer: 1 },
      cliProgress.Presets.shades_classic,
    );
    bar.start(total ?? 0, initial, barPayload());
  }

  const report = () => {
    if (silent) return;
    if (bar !== undefined) {
      bar.update(value, barPayload());
      return;
    }
    // The line for reaching the total is the one stop() prints.
    if (total !== undefined && value >= total) return;
    const now = clock();
    const bucket = total !== undefined && total > 0 ? Math.floor((100 * value) / total / logEveryPercent) : 0;
    if (now - lastLogTime >= logEveryMilliseconds || bucket > lastLogBucket) {
      lastLogTime = now;
      lastLogBucket = bucket;
      stream.write(plainLine(false));
    }
  };

  return {
    get value() {
      return value;
    },
    tick(amount = 1, newFields) {
      if (stopped) return;
      value += amount;
      if (newFields !== undefined) fields = newFields;
      report();
    },
    update(newValue, newFields) {
      if (stopped) return;
      value = newValue;
      if (newFields !== undefined) fields = newFields;
      report();
    },
    stop(newFields) {
      if (stopped) return;
      stopped = true;
      if (newFields !== undefined) fields = newFields;
      if (silent) return;
      if (bar !== undefined) {
        bar.update(value, barPayload());
        bar.stop();
      } else {
        stream.write(plainLine(true));
      }
    },
  };
}
