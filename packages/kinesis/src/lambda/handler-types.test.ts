// Type-level checks (compiled by `tsc --noEmit`; the runtime part only exercises the default logger).
import type {
  KinesisStreamEvent as AwsKinesisStreamEvent,
  Context,
  KinesisStreamBatchResponse,
  KinesisStreamHandler,
} from 'aws-lambda';
import { describe, expect, expectTypeOf, it } from 'vitest';
import { type HandlerLogger, jsonConsoleLogger } from './handler-logger.js';
import { createKinesisHandler, type DeliveredCommit } from './kinesis-handler.js';
import type { KinesisStreamEvent } from './kinesis-stream-event.js';
import { eventTypes } from './test-support/fixtures.js';

/** The shape of Powertools' `Logger` methods (@aws-lambda-powertools/logger v2). */
type PowertoolsLogAttributes = { [key: string]: unknown };
type PowertoolsMessage = string | (PowertoolsLogAttributes & { message: string });
type PowertoolsExtraInput = [Error | string] | PowertoolsLogAttributes[];
declare class PowertoolsLikeLogger {
  info(input: PowertoolsMessage, ...extraInput: PowertoolsExtraInput): void;
  warn(input: PowertoolsMessage, ...extraInput: PowertoolsExtraInput): void;
  error(input: PowertoolsMessage, ...extraInput: PowertoolsExtraInput): void;
  debug(input: PowertoolsMessage, ...extraInput: PowertoolsExtraInput): void;
}

describe('types', () => {
  it('fits the types of @types/aws-lambda and Powertools, and infers the event union', () => {
    const handler = createKinesisHandler({
      eventTypes,
      sink: async (commits) => {
        expectTypeOf(commits).toEqualTypeOf<
          readonly DeliveredCommit<
            | { readonly type: 'Counted'; readonly data: { n: number; unit: string } }
            | { readonly type: 'Renamed'; readonly data: { name: string } }
          >[]
        >();
        for (const { commit } of commits) {
          for (const event of commit.events) {
            if (event.type === 'Counted') expectTypeOf(event.data.unit).toBeString();
            // @ts-expect-error Renamed has no `n`
            else event.data.n;
          }
        }
        return { handled: commits.length };
      },
    });
    expectTypeOf(handler).toExtend<KinesisStreamHandler>();
    expectTypeOf<AwsKinesisStreamEvent>().toExtend<KinesisStreamEvent>();
    expectTypeOf<Context>().toExtend<Parameters<typeof handler>[1]>();
    expectTypeOf<Awaited<ReturnType<typeof handler>>>().toExtend<KinesisStreamBatchResponse>();
    expectTypeOf<PowertoolsLikeLogger>().toExtend<HandlerLogger>();
    expectTypeOf(console).toExtend<HandlerLogger>();
  });

  it('writes one JSON object per line from the default logger', () => {
    const lines: string[] = [];
    const logger = jsonConsoleLogger((line) => lines.push(line));
    logger.warn('kinesis record quarantined', { reason: 'NotJson', cause: new Error('bad') });
    expect(lines).toHaveLength(1);
    expect(JSON.parse(lines[0] ?? '')).toMatchObject({
      level: 'WARN',
      message: 'kinesis record quarantined',
      reason: 'NotJson',
      cause: { name: 'Error', message: 'bad' },
    });
  });
});
