import crypto from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import Module, { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { S3ClientConfig } from '@aws-sdk/client-s3';
import { localClientConfig } from '../internal/local-client-config.js';
import type { LocalEmulator } from '../internal/local-emulator.js';

/**
 * Options of {@link startS3rver}.
 *
 * @example
 * ```ts
 * const options: S3rverOptions = { buckets: ['archive', 'errors'] }; // any free port
 * const s3 = await startS3rver(options);
 * ```
 */
export interface S3rverOptions {
  /** Port to listen on on 127.0.0.1 (default: a free one). */
  readonly port?: number;
  /** Buckets to create at start. */
  readonly buckets?: readonly string[];
}

/**
 * The settings an S3 client needs against s3rver: path-style addressing, and checksums only
 * where required (otherwise the SDK streams aws-chunked bodies that s3rver stores with the chunk
 * framing inside the object).
 *
 * @example
 * ```ts
 * const s3 = new S3Client(localS3ClientConfig(endpoint));
 * ```
 */
export const localS3ClientConfig = (endpoint: string): S3ClientConfig => ({
  ...localClientConfig(endpoint),
  forcePathStyle: true,
  requestChecksumCalculation: 'WHEN_REQUIRED',
  responseChecksumValidation: 'WHEN_REQUIRED',
});

// s3rver encrypts ListObjectsV2 continuation tokens with single DES, which OpenSSL 3 only offers
// in its legacy provider (`node --openssl-legacy-provider`). Triple DES with the key repeated
// three times is the same cipher and is in the default provider, so s3rver's own `crypto` is
// swapped for one that maps 'des' onto it. Only s3rver's module sees the swap.
const DES_AS_TRIPLE_DES = 'des-ede3-cbc';
const tripleKey = (key: crypto.CipherKey) =>
  Buffer.isBuffer(key) && key.length === 8 ? Buffer.concat([key, key, key]) : key;
const s3rverCrypto = {
  ...crypto,
  createCipheriv: (algorithm: string, key: crypto.CipherKey, iv: crypto.BinaryLike | null) =>
    algorithm === 'des'
      ? crypto.createCipheriv(DES_AS_TRIPLE_DES, tripleKey(key), iv)
      : crypto.createCipheriv(algorithm, key, iv),
  createDecipheriv: (algorithm: string, key: crypto.CipherKey, iv: crypto.BinaryLike | null) =>
    algorithm === 'des'
      ? crypto.createDecipheriv(DES_AS_TRIPLE_DES, tripleKey(key), iv)
      : crypto.createDecipheriv(algorithm, key, iv),
};

type S3rverClass = typeof import('s3rver');
let s3rverClass: S3rverClass | undefined;

const loadS3rver = (): S3rverClass => {
  if (s3rverClass !== undefined) return s3rverClass;
  const moduleWithRequire = Module as unknown as {
    prototype: { require: (this: { filename?: string }, id: string) => unknown };
  };
  const originalRequire = moduleWithRequire.prototype.require;
  moduleWithRequire.prototype.require = function patchedRequire(id: string) {
    if (
      (id === 'crypto' || id === 'node:crypto') &&
      this.filename?.includes(`${join('s3rver', 'lib')}`)
    ) {
      return s3rverCrypto;
    }
    return originalRequire.call(this, id);
  };
  try {
    s3rverClass = createRequire(import.meta.url)('s3rver') as S3rverClass;
  } finally {
    moduleWithRequire.prototype.require = originalRequire;
  }
  return s3rverClass;
};

/**
 * Starts s3rver in this process, storing objects in a fresh temporary directory that `stop()`
 * removes. Use {@link localS3ClientConfig} for clients: with it, bodies round-trip byte-exact
 * and ListObjectsV2 pages work (without `--openssl-legacy-provider`).
 *
 * @example
 * ```ts
 * const s3 = await startS3rver({ buckets: ['archive'] });
 * const client = new S3Client(localS3ClientConfig(s3.endpoint));
 * ```
 */
export const startS3rver = async (options: S3rverOptions = {}): Promise<LocalEmulator> => {
  const S3rver = loadS3rver();
  const directory = await mkdtemp(join(tmpdir(), 'tributary-s3-'));
  const server = new S3rver({
    address: '127.0.0.1',
    port: options.port ?? 0,
    silent: true,
    directory,
    configureBuckets: (options.buckets ?? []).map((name) => ({ name })),
  });
  const address = await server.run();
  let stopped = false;
  return {
    name: 's3rver',
    endpoint: `http://127.0.0.1:${address.port}`,
    stop: async () => {
      if (stopped) return;
      stopped = true;
      await server.close();
      await rm(directory, { recursive: true, force: true });
    },
  };
};
