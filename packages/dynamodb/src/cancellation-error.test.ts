import type { HeadWrite } from '@tributary/core';
import { describe, expect, it } from 'vitest';
import { cancellationError } from './dynamodb-stream-head-store.js';

const write = (streamId: string): HeadWrite => ({
  expectedVersion: 0,
  commit: {
    streamId,
    fromVersion: 1,
    toVersion: 1,
    committedAt: '2026-01-01T00:00:00.000Z',
    events: [],
  },
  snapshot: { state: {}, stateVersion: 1 },
});
const writes = ['a', 'b', 'c'].map((streamId) => ({
  streamId,
  table: 'heads',
  write: write(streamId),
}));

// Transaction conflicts and throttling are hard to provoke on DynamoDB Local at will; the
// conditional-check path is covered against the emulator in the integration tests.
describe('cancellationError', () => {
  it('names the first stream whose condition failed, with its head from the reason', () => {
    const error = cancellationError(
      writes,
      [
        { Code: 'None' },
        {
          Code: 'ConditionalCheckFailed',
          Item: { streamId: { S: 'b' }, version: { N: '4' }, recentCommands: { M: {} } },
        },
        { Code: 'ConditionalCheckFailed' },
      ],
      new Error('cancelled'),
    );
    expect(error.kind).toBe('HeadConflict');
    expect(error.streamId).toBe('b');
    expect(error.kind === 'HeadConflict' && error.current?.version).toBe(4);
  });

  it('reports transaction conflicts and throttling as Unavailable, naming each stream', () => {
    const error = cancellationError(
      writes,
      [
        { Code: 'None' },
        { Code: 'TransactionConflict', Message: 'in progress' },
        { Code: 'ThrottlingError' },
      ],
      new Error('cancelled'),
    );
    expect(error).toMatchObject({ kind: 'StoreError', code: 'Unavailable', streamId: 'b' });
    expect(error.message).toMatch(/b: TransactionConflict \(in progress\); c: ThrottlingError/);
  });

  it('reports other reasons as Unexpected and oversized items as LimitExceeded', () => {
    expect(
      cancellationError(writes, [{ Code: 'ValidationError', Message: 'bad' }], undefined),
    ).toMatchObject({ code: 'Unexpected' });
    expect(
      cancellationError(
        writes,
        [{ Code: 'ValidationError', Message: 'Item size has exceeded the maximum allowed size' }],
        undefined,
      ),
    ).toMatchObject({ code: 'LimitExceeded' });
    expect(cancellationError(writes, undefined, undefined)).toMatchObject({ code: 'Unexpected' });
  });
});
