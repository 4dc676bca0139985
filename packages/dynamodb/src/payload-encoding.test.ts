import { describe, expect, it } from 'vitest';
import { decodePayload, encodePayload } from './payload-encoding.js';

describe('payload encoding', () => {
  it('keeps small payloads as JSON and deflates large ones', () => {
    const small = encodePayload({ a: 1 }, 100)._unsafeUnwrap();
    expect(small).toEqual({ encoding: 'json', value: { S: '{"a":1}' } });
    const value = { text: 'x'.repeat(1000) };
    const large = encodePayload(value, 100)._unsafeUnwrap();
    expect(large.encoding).toBe('deflate');
    expect(large.value.B?.byteLength).toBeLessThan(100);
    if (large.value.B === undefined) throw new Error('expected a binary attribute');
    expect(decodePayload({ B: large.value.B }, 'deflate')._unsafeUnwrap()).toEqual(value);
  });

  it('stores undefined as null and refuses what JSON cannot hold', () => {
    expect(encodePayload(undefined, 100)._unsafeUnwrap().value).toEqual({ S: 'null' });
    expect(encodePayload({ n: 1n }, 100)._unsafeUnwrapErr()).toMatch(/cannot be written as JSON/);
  });

  it('names what is wrong with a stored payload', () => {
    expect(decodePayload({ S: '{' }, 'json')._unsafeUnwrapErr()).toMatch(/not JSON/);
    expect(decodePayload({ S: '{}' }, 'deflate')._unsafeUnwrapErr()).toMatch(/binary/);
    expect(decodePayload({ B: new Uint8Array([255, 255]) }, 'deflate')._unsafeUnwrapErr()).toMatch(
      /cannot be inflated/,
    );
  });
});
