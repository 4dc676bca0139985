/**
 * Structured fields of a log entry.
 *
 * @example
 * ```ts
 * const attributes: LogAttributes = { streamId: 'cart-1', version: 3, sequenceNumber: '4959...', reason: 'NotJson' };
 * ```
 */
export type LogAttributes = Record<string, unknown>;

/**
 * What the handler logs through: a message and an object of structured fields. A Powertools
 * `Logger` from `@aws-lambda-powertools/logger` fits as it is, as does anything with these three
 * methods.
 *
 * @example
 * ```ts
 * import { Logger } from '@aws-lambda-powertools/logger';
 * const logger: HandlerLogger = new Logger({ serviceName: 'shop-dispatch' });
 * ```
 */
export interface HandlerLogger {
  info(message: string, attributes: LogAttributes): void;
  warn(message: string, attributes: LogAttributes): void;
  error(message: string, attributes: LogAttributes): void;
}

const LEVELS = { DEBUG: 10, INFO: 20, WARN: 30, ERROR: 40 } as const;

const minimumLevel = (): number => {
  // Lambda's advanced logging controls set AWS_LAMBDA_LOG_LEVEL; Powertools reads POWERTOOLS_LOG_LEVEL.
  const configured = (
    process.env.AWS_LAMBDA_LOG_LEVEL ??
    process.env.POWERTOOLS_LOG_LEVEL ??
    'INFO'
  ).toUpperCase();
  return configured in LEVELS ? LEVELS[configured as keyof typeof LEVELS] : LEVELS.INFO;
};

const safeJson = (entry: LogAttributes): string => {
  try {
    return JSON.stringify(entry, (_key, value: unknown) =>
      value instanceof Error ? { name: value.name, message: value.message } : value,
    );
  } catch {
    return JSON.stringify({ level: entry.level, message: entry.message, unserializable: true });
  }
};

/**
 * Creates the default logger: one JSON object per line on the console (`level`, `message`,
 * `timestamp`, then the fields), which CloudWatch Logs Insights reads as structured. Entries
 * below `AWS_LAMBDA_LOG_LEVEL` (or `POWERTOOLS_LOG_LEVEL`, default `INFO`) are dropped.
 *
 * @example
 * ```ts
 * const handler = createKinesisHandler({ eventTypes, sink, logger: jsonConsoleLogger() });
 * // {"level":"WARN","message":"kinesis record quarantined","timestamp":"...","reason":"NotJson",...}
 * ```
 */
export const jsonConsoleLogger = (
  write: (line: string) => void = (line) => console.log(line),
): HandlerLogger => {
  const minimum = minimumLevel();
  const log =
    (level: 'INFO' | 'WARN' | 'ERROR') => (message: string, attributes: LogAttributes) => {
      if (LEVELS[level] < minimum) return;
      write(safeJson({ level, message, timestamp: new Date().toISOString(), ...attributes }));
    };
  return { info: log('INFO'), warn: log('WARN'), error: log('ERROR') };
};
