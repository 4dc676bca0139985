import { randomUUID } from 'node:crypto';
import { RANDOM_STRING_LENGTH } from './firehose-limits.js';

/**
 * S3 key layout of Amazon Data Firehose: prefix expressions (`!{namespace:value}`), the default
 * `YYYY/MM/dd/HH/` time prefix and the object name suffix
 * `<stream>-<version>-YYYY-MM-dd-HH-mm-ss-<uuid>`.
 * https://docs.aws.amazon.com/firehose/latest/dev/s3-prefixes.html
 * https://docs.aws.amazon.com/firehose/latest/dev/basic-deliver.html#s3-object-name
 */

/** A prefix that Firehose would refuse; the message says why. */
export class PrefixError extends Error {
  override readonly name = 'PrefixError';
}

// ---------------------------------------------------------------------------------------------
// Wall-clock time in a time zone
// ---------------------------------------------------------------------------------------------

/** The calendar fields of an instant in one time zone. */
export interface WallClock {
  readonly year: number;
  /** 1-12 */
  readonly month: number;
  readonly day: number;
  readonly hour: number;
  readonly minute: number;
  readonly second: number;
  readonly millisecond: number;
  /** 1-366 */
  readonly dayOfYear: number;
  /** 0 = Sunday */
  readonly weekday: number;
}

const zoneFormatters = new Map<string, Intl.DateTimeFormat>();

const zoneFormatter = (timeZone: string): Intl.DateTimeFormat => {
  let formatter = zoneFormatters.get(timeZone);
  if (formatter === undefined) {
    formatter = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    zoneFormatters.set(timeZone, formatter);
  }
  return formatter;
};

/** True when `timeZone` is an IANA zone name this runtime knows. */
export const isKnownTimeZone = (timeZone: string): boolean => {
  try {
    zoneFormatter(timeZone);
    return true;
  } catch {
    return false;
  }
};

const DAY_MS = 86_400_000;

/** The calendar fields of `instant` in `timeZone` (UTC when undefined or empty). */
export const wallClock = (instant: Date, timeZone?: string): WallClock => {
  let year = instant.getUTCFullYear();
  let month = instant.getUTCMonth() + 1;
  let day = instant.getUTCDate();
  let hour = instant.getUTCHours();
  let minute = instant.getUTCMinutes();
  let second = instant.getUTCSeconds();
  if (timeZone !== undefined && timeZone !== '' && timeZone !== 'UTC') {
    const parts = zoneFormatter(timeZone).formatToParts(instant);
    const field = (type: Intl.DateTimeFormatPartTypes) =>
      Number(parts.find((part) => part.type === type)?.value);
    year = field('year');
    month = field('month');
    day = field('day');
    hour = field('hour');
    minute = field('minute');
    second = field('second');
  }
  const midnight = Date.UTC(year, month - 1, day);
  return {
    year,
    month,
    day,
    hour,
    minute,
    second,
    millisecond: instant.getUTCMilliseconds(),
    dayOfYear: Math.round((midnight - Date.UTC(year, 0, 1)) / DAY_MS) + 1,
    weekday: new Date(midnight).getUTCDay(),
  };
};

// ---------------------------------------------------------------------------------------------
// Java DateTimeFormatter patterns (the `timestamp` namespace)
// ---------------------------------------------------------------------------------------------

type DateToken =
  | { readonly kind: 'literal'; readonly text: string }
  | { readonly kind: 'field'; readonly letter: string; readonly count: number };

/** A compiled Java DateTimeFormatter pattern. */
export interface DatePattern {
  readonly source: string;
  readonly tokens: readonly DateToken[];
}

const MONTHS = [
  'January',
  'February',
  'March',
  'April',
  'May',
  'June',
  'July',
  'August',
  'September',
  'October',
  'November',
  'December',
];
const WEEKDAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];

/** The most letters Java accepts for each supported field (DateTimeFormatterBuilder). */
const MAX_LETTERS: Readonly<Record<string, number>> = {
  y: 19,
  u: 19,
  M: 5,
  L: 5,
  d: 2,
  D: 3,
  H: 2,
  k: 2,
  K: 2,
  h: 2,
  m: 2,
  s: 2,
  S: 9,
  a: 1,
  E: 5,
};

const pad = (value: number, width: number) => String(value).padStart(width, '0');

const isPatternLetter = (char: string) => /^[A-Za-z]$/.test(char);

/**
 * Compiles a Java DateTimeFormatter pattern. Letters are fields, text in single quotes is
 * literal (`''` is a quote), and other characters are literal. Throws {@link PrefixError} for
 * patterns Java rejects and for the few zone and week fields the local server does not render.
 */
export const compileDatePattern = (source: string): DatePattern => {
  if (source === '') throw new PrefixError('The timestamp expression needs a pattern');
  const tokens: DateToken[] = [];
  let index = 0;
  while (index < source.length) {
    const char = source.charAt(index);
    if (char === "'") {
      const close = source.indexOf("'", index + 1);
      if (close === -1) throw new PrefixError(`Unterminated quote in timestamp pattern ${source}`);
      tokens.push({
        kind: 'literal',
        text: close === index + 1 ? "'" : source.slice(index + 1, close),
      });
      index = close + 1;
      continue;
    }
    if (isPatternLetter(char)) {
      let count = 1;
      while (source.charAt(index + count) === char) count += 1;
      const max = MAX_LETTERS[char];
      if (max === undefined) {
        throw new PrefixError(
          `Timestamp pattern letter '${char}' in ${source} is not supported by the local Firehose`,
        );
      }
      if (count > max) throw new PrefixError(`Too many pattern letters: ${char} in ${source}`);
      tokens.push({ kind: 'field', letter: char, count });
      index += count;
      continue;
    }
    if (char === '#' || char === '{' || char === '}') {
      throw new PrefixError(`Pattern includes reserved character: '${char}' in ${source}`);
    }
    // Optional sections print like plain ones when every field is available, as here.
    if (char !== '[' && char !== ']') tokens.push({ kind: 'literal', text: char });
    index += 1;
  }
  return { source, tokens };
};

const renderField = (letter: string, count: number, clock: WallClock): string => {
  switch (letter) {
    case 'y':
    case 'u':
      return count === 2 ? pad(clock.year % 100, 2) : pad(clock.year, count);
    case 'M':
    case 'L': {
      const name = MONTHS[clock.month - 1] ?? '';
      if (count >= 5) return name.slice(0, 1);
      if (count === 4) return name;
      if (count === 3) return name.slice(0, 3);
      return pad(clock.month, count);
    }
    case 'd':
      return pad(clock.day, count);
    case 'D':
      return pad(clock.dayOfYear, count);
    case 'H':
      return pad(clock.hour, count);
    case 'k':
      return pad(clock.hour === 0 ? 24 : clock.hour, count);
    case 'K':
      return pad(clock.hour % 12, count);
    case 'h':
      return pad(clock.hour % 12 === 0 ? 12 : clock.hour % 12, count);
    case 'm':
      return pad(clock.minute, count);
    case 's':
      return pad(clock.second, count);
    case 'S':
      return pad(clock.millisecond, 3).padEnd(count, '0').slice(0, count);
    case 'a':
      return clock.hour < 12 ? 'AM' : 'PM';
    case 'E': {
      const name = WEEKDAYS[clock.weekday] ?? '';
      if (count === 5) return name.slice(0, 1);
      return count === 4 ? name : name.slice(0, 3);
    }
    default:
      throw new PrefixError(`Unsupported pattern letter ${letter}`);
  }
};

/** Formats `clock` with a compiled pattern. */
export const formatDate = (pattern: DatePattern, clock: WallClock): string =>
  pattern.tokens
    .map((token) =>
      token.kind === 'literal' ? token.text : renderField(token.letter, token.count, clock),
    )
    .join('');

// ---------------------------------------------------------------------------------------------
// Prefix expressions
// ---------------------------------------------------------------------------------------------

/** One piece of a parsed prefix. */
export type PrefixPart =
  | { readonly kind: 'literal'; readonly text: string }
  | { readonly kind: 'timestamp'; readonly pattern: DatePattern }
  | { readonly kind: 'random-string' }
  | { readonly kind: 'error-output-type' }
  | { readonly kind: 'partition-key'; readonly source: 'lambda' | 'query'; readonly key: string };

/** A prefix template: the text a user configured, split into literal text and expressions. */
export interface PrefixTemplate {
  readonly source: string;
  readonly parts: readonly PrefixPart[];
}

/** Finds the `}` that closes an expression starting at `from`, skipping quoted pattern text. */
const closingBrace = (source: string, from: number): number => {
  let quoted = false;
  for (let index = from; index < source.length; index += 1) {
    const char = source.charAt(index);
    if (char === "'") quoted = !quoted;
    else if (char === '}' && !quoted) return index;
  }
  return -1;
};

const parseExpression = (expression: string, source: string): PrefixPart => {
  const colon = expression.indexOf(':');
  if (colon === -1) {
    throw new PrefixError(`The expression !{${expression}} in ${source} has no namespace`);
  }
  const namespace = expression.slice(0, colon);
  const value = expression.slice(colon + 1);
  switch (namespace) {
    case 'timestamp':
      return { kind: 'timestamp', pattern: compileDatePattern(value) };
    case 'firehose':
      if (value === 'random-string') return { kind: 'random-string' };
      if (value === 'error-output-type') return { kind: 'error-output-type' };
      throw new PrefixError(
        `!{firehose:${value}} in ${source} is invalid: the firehose namespace has error-output-type and random-string`,
      );
    case 'partitionKeyFromLambda':
    case 'partitionKeyFromQuery':
      if (value === '') throw new PrefixError(`!{${namespace}:} in ${source} names no key`);
      return {
        kind: 'partition-key',
        source: namespace === 'partitionKeyFromLambda' ? 'lambda' : 'query',
        key: value,
      };
    default:
      throw new PrefixError(
        `Unknown namespace ${namespace} in ${source}: use timestamp, firehose, partitionKeyFromLambda or partitionKeyFromQuery`,
      );
  }
};

/**
 * Parses a Prefix or ErrorOutputPrefix. The sequence `!{` may only start an expression
 * (s3-prefixes, "Semantic rules"); anything else is a {@link PrefixError}.
 */
export const parsePrefix = (source: string): PrefixTemplate => {
  const parts: PrefixPart[] = [];
  let literal = '';
  let index = 0;
  while (index < source.length) {
    const start = source.indexOf('!{', index);
    if (start === -1) {
      literal += source.slice(index);
      break;
    }
    literal += source.slice(index, start);
    const end = closingBrace(source, start + 2);
    if (end === -1) throw new PrefixError(`Unterminated expression in ${source}`);
    if (literal !== '') parts.push({ kind: 'literal', text: literal });
    literal = '';
    parts.push(parseExpression(source.slice(start + 2, end), source));
    index = end + 1;
  }
  if (literal !== '') parts.push({ kind: 'literal', text: literal });
  return { source, parts };
};

export const hasExpressions = (template: PrefixTemplate): boolean =>
  template.parts.some((part) => part.kind !== 'literal');

export const partitionKeysOf = (
  template: PrefixTemplate,
): readonly { readonly source: 'lambda' | 'query'; readonly key: string }[] =>
  template.parts.flatMap((part) =>
    part.kind === 'partition-key' ? [{ source: part.source, key: part.key }] : [],
  );

const DEFAULT_TIME_PREFIX: PrefixPart = {
  kind: 'timestamp',
  pattern: compileDatePattern('yyyy/MM/dd/HH/'),
};

/**
 * The template Firehose evaluates for delivered data: the Prefix as configured, followed by the
 * default `yyyy/MM/dd/HH/` when the Prefix has neither a timestamp nor a partition key expression
 * ("If you specify a prefix that doesn't contain a timestamp namespace expression, Firehose
 * appends the expression !{timestamp:yyyy/MM/dd/HH/}"; dynamic-partitioning prefixes are used as
 * they are).
 */
export const dataPrefixTemplate = (prefix: string): PrefixTemplate => {
  const template = parsePrefix(prefix);
  const usesTimeOrKeys = template.parts.some(
    (part) => part.kind === 'timestamp' || part.kind === 'partition-key',
  );
  return usesTimeOrKeys
    ? template
    : { source: prefix, parts: [...template.parts, DEFAULT_TIME_PREFIX] };
};

/**
 * The template Firehose evaluates for failed records. An ErrorOutputPrefix with expressions is
 * used as it is. Without expressions (or without an ErrorOutputPrefix, which then falls back to
 * the Prefix), Firehose writes to `<prefix><error-output-type>/YYYY/MM/dd/HH/`: with neither set
 * that is `processing-failed/2024/05/01/13/`.
 */
export const errorPrefixTemplate = (
  errorOutputPrefix: string | undefined,
  prefix: string,
): PrefixTemplate => {
  const template = parsePrefix(errorOutputPrefix ?? prefix);
  if (hasExpressions(template)) return template;
  return {
    source: template.source,
    parts: [
      ...template.parts,
      { kind: 'error-output-type' },
      { kind: 'literal', text: '/' },
      DEFAULT_TIME_PREFIX,
    ],
  };
};

/** What a prefix is evaluated against. */
export interface PrefixContext {
  /** The approximate arrival time of the oldest record in the object. */
  readonly instant: Date;
  readonly timeZone?: string | undefined;
  readonly partitionKeys?: Readonly<Record<string, string>> | undefined;
  readonly errorOutputType?: string | undefined;
}

/** The first partition key the template needs that `keys` lacks, if any. */
export const missingPartitionKey = (
  template: PrefixTemplate,
  keys: Readonly<Record<string, string>> | undefined,
): string | undefined =>
  partitionKeysOf(template).find(({ key }) => typeof keys?.[key] !== 'string')?.key;

const randomString = () => randomUUID().slice(0, RANDOM_STRING_LENGTH);

/**
 * Evaluates a template. Every timestamp expression evaluates to the same instant; every
 * random-string to a new random string. Throws {@link PrefixError} when a partition key or the
 * error output type is needed but not given.
 */
export const evaluatePrefix = (template: PrefixTemplate, context: PrefixContext): string => {
  const clock = wallClock(context.instant, context.timeZone);
  const render = (part: PrefixPart): string => {
    switch (part.kind) {
      case 'literal':
        return part.text;
      case 'timestamp':
        return formatDate(part.pattern, clock);
      case 'random-string':
        return randomString();
      case 'error-output-type':
        if (context.errorOutputType === undefined) {
          throw new PrefixError(`${template.source} needs an error output type`);
        }
        return context.errorOutputType;
      case 'partition-key': {
        const value = context.partitionKeys?.[part.key];
        if (value === undefined) {
          throw new PrefixError(`The partition key ${part.key} of ${template.source} is missing`);
        }
        return value;
      }
    }
  };
  return template.parts.map(render).join('');
};

/**
 * The object name Firehose appends to the evaluated prefix:
 * `<stream>-<version>-YYYY-MM-dd-HH-mm-ss-<uuid><extension>`.
 */
export const objectName = (options: {
  readonly deliveryStreamName: string;
  readonly version: string;
  readonly instant: Date;
  readonly timeZone?: string | undefined;
  readonly extension: string;
}): string => {
  const clock = wallClock(options.instant, options.timeZone);
  const time = [
    pad(clock.year, 4),
    pad(clock.month, 2),
    pad(clock.day, 2),
    pad(clock.hour, 2),
    pad(clock.minute, 2),
    pad(clock.second, 2),
  ].join('-');
  return `${options.deliveryStreamName}-${options.version}-${time}-${randomUUID()}${options.extension}`;
};
