import { expect, it } from 'vitest';

it('fails on purpose, so the parent test can check that the emulators still stop', () => {
  expect(1).toBe(2);
});
