import { describe, expect, it } from 'vitest';
import { attributeMapBytes, attributeValueBytes } from './limits.js';

describe('DynamoDB item sizes', () => {
  it('counts strings and binaries by their bytes, names included', () => {
    expect(attributeValueBytes({ S: 'abc' })).toBe(3);
    expect(attributeValueBytes({ S: 'é' })).toBe(2);
    expect(attributeValueBytes({ B: new Uint8Array(10) })).toBe(10);
    expect(attributeMapBytes({ name: { S: 'abc' }, id: { S: 'x' } })).toBe(4 + 3 + 2 + 1);
  });

  it('counts numbers by their significant digits', () => {
    expect(attributeValueBytes({ N: '1' })).toBe(2);
    expect(attributeValueBytes({ N: '12' })).toBe(2);
    expect(attributeValueBytes({ N: '123' })).toBe(3);
    expect(attributeValueBytes({ N: '1000' })).toBe(2);
    expect(attributeValueBytes({ N: '-0.0012' })).toBe(2);
    expect(attributeValueBytes({ N: '0' })).toBe(2);
  });

  it('counts maps and lists with 3 bytes of overhead and 1 byte per element', () => {
    expect(attributeValueBytes({ M: {} })).toBe(3);
    expect(attributeValueBytes({ L: [] })).toBe(3);
    expect(attributeValueBytes({ L: [{ S: 'ab' }, { BOOL: true }] })).toBe(3 + 1 + 2 + 1 + 1);
    expect(attributeValueBytes({ M: { a: { N: '7' }, bc: { NULL: true } } })).toBe(
      3 + (1 + 1 + 2) + (1 + 2 + 1),
    );
    expect(attributeValueBytes({ SS: ['a', 'bb'] })).toBe(3);
  });
});
