import type { Commit } from '@tributary/core';
import { describe, expect, it } from 'vitest';
import { COMMIT_FORMAT, decodeCommit, encodeCommit } from './commit-codec.js';

const commit: Commit = {
  streamId: 'cart-1',
  fromVersion: 3,
  toVersion: 4,
  commandId: 'cmd-1',
  committedAt: '2026-11-23T10:00:00.000Z',
  events: [3, 4].map((version) => ({
    type: 'ItemAdded',
    data: { sku: `sku-${version}`, quantity: version },
    streamId: 'cart-1',
    version,
    eventId: `e-${version}`,
    occurredAt: '2026-11-23T10:00:00.000Z',
    schemaVersion: 1,
    metadata: { correlationId: 'c' },
  })),
};

describe('commit codec', () => {
  it('round-trips a commit through bytes and through base64 (as Lambda delivers it)', () => {
    const bytes = encodeCommit(commit);
    expect(JSON.parse(Buffer.from(bytes).toString('utf8'))).toMatchObject({
      format: COMMIT_FORMAT,
      formatVersion: 1,
    });
    expect(decodeCommit(bytes)._unsafeUnwrap()).toEqual(commit);
    expect(
      decodeCommit(Buffer.from(bytes).toString('base64'), { base64: true })._unsafeUnwrap(),
    ).toEqual(commit);
  });

  it('names why a record is not a readable commit', () => {
    expect(decodeCommit(new Uint8Array([0xff, 0xfe]))._unsafeUnwrapErr().reason).toBe('NotJson');
    expect(decodeCommit('{"hello":1}')._unsafeUnwrapErr().reason).toBe('UnknownFormat');
    expect(
      decodeCommit(JSON.stringify({ format: COMMIT_FORMAT, formatVersion: 9 }))._unsafeUnwrapErr()
        .reason,
    ).toBe('UnsupportedVersion');
    const invalid = decodeCommit(
      JSON.stringify({
        format: COMMIT_FORMAT,
        formatVersion: 1,
        streamId: 5,
        fromVersion: 0,
        events: 'no',
      }),
    )._unsafeUnwrapErr();
    expect(invalid.reason).toBe('InvalidCommit');
    expect(invalid.issues.map((issue) => issue.path)).toEqual([
      'streamId',
      'fromVersion',
      'toVersion',
      'committedAt',
      'events',
    ]);
  });

  it('refuses a commit whose events do not match its version range', () => {
    const shuffled = { ...commit, events: [commit.events[1], commit.events[0]] };
    const error = decodeCommit(encodeCommit(shuffled as Commit))._unsafeUnwrapErr();
    expect(error.reason).toBe('InvalidCommit');
    expect(error.message).toContain('event 0 of commit cart-1@3..4 is cart-1@4');
  });
});
