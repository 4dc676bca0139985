// Test support: sinks, quarantines and loggers that remember what they were given.
import type { DomainEvent } from '@tributary/core';
import type { HandlerLogger, LogAttributes } from '../handler-logger.js';
import type {
  DeliveredCommit,
  KinesisCommitSink,
  QuarantinedRecord,
  SinkResult,
} from '../kinesis-handler.js';

export interface LogEntry {
  readonly level: 'info' | 'warn' | 'error';
  readonly message: string;
  readonly attributes: LogAttributes;
}

/** A logger that keeps its entries (and checks they are objects, as Powertools expects). */
export const recordingLogger = (): HandlerLogger & { readonly entries: LogEntry[] } => {
  const entries: LogEntry[] = [];
  const log = (level: LogEntry['level']) => (message: string, attributes: LogAttributes) => {
    entries.push({ level, message, attributes });
  };
  return { entries, info: log('info'), warn: log('warn'), error: log('error') };
};

/** Everything the handler did, in the order it did it. */
export type Step =
  | { readonly kind: 'sink'; readonly commits: readonly DeliveredCommit[] }
  | { readonly kind: 'quarantine'; readonly entry: QuarantinedRecord };

/**
 * A sink that records each call; `behave(commits, callIndex)` decides what it returns or throws
 * (default: everything handled).
 */
export const recordingSink = <E extends DomainEvent = DomainEvent>(
  steps: Step[],
  behave: (
    commits: readonly DeliveredCommit<E>[],
    call: number,
  ) => SinkResult | undefined | Promise<SinkResult | undefined> = () => undefined,
): KinesisCommitSink<E> => {
  let call = 0;
  return async (commits) => {
    steps.push({ kind: 'sink', commits: commits as readonly DeliveredCommit[] });
    call += 1;
    return behave(commits, call - 1);
  };
};

/** A quarantine that records each entry; `reject(entry)` decides whether it fails. */
export const recordingQuarantine =
  (steps: Step[], reject: (entry: QuarantinedRecord) => boolean = () => false) =>
  async (entry: QuarantinedRecord): Promise<void> => {
    steps.push({ kind: 'quarantine', entry });
    if (reject(entry)) throw new Error(`dead-letter store refused ${entry.sequenceNumber}`);
  };

/** The delivered commits of all sink calls, flattened. */
export const deliveredOf = (steps: readonly Step[]): DeliveredCommit[] =>
  steps.flatMap((step) => (step.kind === 'sink' ? step.commits : []));
