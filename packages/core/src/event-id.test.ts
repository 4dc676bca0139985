import { describe, expect, it } from 'vitest';
import { eventIdTime, newEventId } from './event-id.js';

describe('newEventId', () => {
  it('creates UUIDv7 ids that sort in creation order, also within one millisecond', () => {
    const ids = Array.from({ length: 20_000 }, () => newEventId());
    expect(new Set(ids).size).toBe(ids.length);
    expect([...ids].sort()).toEqual(ids);
    for (const id of ids.slice(0, 10)) {
      expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    }
  });

  it('stays ordered when the clock steps backwards', () => {
    const now = Date.now() + 10_000;
    const first = newEventId(now);
    const second = newEventId(now - 5_000);
    expect(second > first).toBe(true);
  });

  it('encodes its creation time', () => {
    const now = Date.now() + 60_000;
    expect(eventIdTime(newEventId(now))).toBe(now);
    expect(eventIdTime('not-an-id')).toBeUndefined();
  });

  it('moves to the next millisecond when 4096 ids were made in one', () => {
    const now = Date.now() + 120_000;
    const ids = Array.from({ length: 5_000 }, () => newEventId(now));
    expect([...ids].sort()).toEqual(ids);
    expect(eventIdTime(ids[ids.length - 1] ?? '')).toBeGreaterThan(now);
  });
});
