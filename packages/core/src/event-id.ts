import { randomFillSync } from 'node:crypto';

const HEX = Array.from({ length: 256 }, (_, byte) => byte.toString(16).padStart(2, '0'));
const MAX_COUNTER = 0xfff;

let lastMillis = 0;
let counter = 0;

// Random bytes come from a pool: one call to the system's generator serves 512 ids.
const POOL_SIZE = 4096;
const pool = new Uint8Array(POOL_SIZE);
let poolOffset = POOL_SIZE;
const randomBytes = (count: number): Uint8Array => {
  if (poolOffset + count > POOL_SIZE) {
    randomFillSync(pool);
    poolOffset = 0;
  }
  const bytes = pool.subarray(poolOffset, poolOffset + count);
  poolOffset += count;
  return bytes;
};

/**
 * Creates a time-ordered unique id: a UUIDv7 (RFC 9562) whose 12-bit `rand_a` field is a
 * counter, so ids made by one process sort in creation order even within one millisecond (and
 * across a clock that steps backwards). Ids from different processes sort by millisecond.
 *
 * @example
 * ```ts
 * const a = newEventId();
 * const b = newEventId();
 * a < b; // true
 * ```
 */
export const newEventId = (now: number = Date.now()): string => {
  if (now > lastMillis) {
    lastMillis = now;
    // Start each millisecond at a random point in the lower half, leaving room to count up.
    const seed = randomBytes(2);
    counter = ((seed[0] ?? 0) << 3) | ((seed[1] ?? 0) & 0x7);
  } else if (counter < MAX_COUNTER) {
    counter += 1;
  } else {
    // Counter exhausted within this millisecond: borrow the next one to stay ordered.
    lastMillis += 1;
    counter = 0;
  }
  const random = randomBytes(8);
  const bytes = new Uint8Array(16);
  let millis = lastMillis;
  for (let index = 5; index >= 0; index -= 1) {
    bytes[index] = millis % 256;
    millis = Math.floor(millis / 256);
  }
  bytes[6] = 0x70 | (counter >> 8);
  bytes[7] = counter & 0xff;
  bytes[8] = 0x80 | ((random[0] ?? 0) & 0x3f);
  bytes.set(random.subarray(1, 8), 9);
  let id = '';
  for (let index = 0; index < 16; index += 1) {
    if (index === 4 || index === 6 || index === 8 || index === 10) id += '-';
    id += HEX[bytes[index] ?? 0];
  }
  return id;
};

const UUID_V7 = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

/** Reads the creation time (milliseconds since the epoch) back out of an id from {@link newEventId}. */
export const eventIdTime = (id: string): number | undefined => {
  if (!UUID_V7.test(id)) return undefined;
  return Number.parseInt(id.slice(0, 8) + id.slice(9, 13), 16);
};
