import { describe, expect, it } from 'vitest';
import { describeError, isUnreachable } from './server-unreachable.js';

const withCode = (message: string, code: string) => Object.assign(new Error(message), { code });

describe('isUnreachable', () => {
  it('counts socket failures and connect timeouts as no answer', () => {
    expect(isUnreachable(withCode('connect ECONNREFUSED 127.0.0.1:1', 'ECONNREFUSED'))).toBe(true);
    expect(isUnreachable(withCode('connect ETIMEDOUT', 'ETIMEDOUT'))).toBe(true);
    expect(isUnreachable(new Error('Connection terminated due to connection timeout'))).toBe(true);
    expect(isUnreachable(new AggregateError([withCode('x', 'ECONNREFUSED')]))).toBe(true);
  });

  it('counts an answer that refuses as an answer', () => {
    expect(isUnreachable(withCode('password authentication failed', '28P01'))).toBe(false);
    expect(isUnreachable(withCode("Access denied for user 'x'", 'ER_ACCESS_DENIED_ERROR'))).toBe(
      false,
    );
    expect(isUnreachable('ECONNREFUSED')).toBe(false);
  });
});

describe('describeError', () => {
  it('puts the code in front when the message lacks it', () => {
    expect(describeError(withCode('database "x" does not exist', '3D000'))).toBe(
      '3D000: database "x" does not exist',
    );
    expect(describeError(withCode('connect ECONNREFUSED 127.0.0.1:1', 'ECONNREFUSED'))).toBe(
      'connect ECONNREFUSED 127.0.0.1:1',
    );
    expect(describeError(new AggregateError([new Error('a'), withCode('b', 'ECONNREFUSED')]))).toBe(
      'a; ECONNREFUSED: b',
    );
  });
});
