import type { DataConverter } from '@temporalio/common';
import type { Config } from '../../config/config';
import { AesGcmCodec } from './aes-gcm-codec';

export { AesGcmCodec, ENCRYPTED_ENCODING } from './aes-gcm-codec';

/**
 * `DAG_PAYLOAD_KEY` (config `secrets.payloadEncryptionKey`): 32 random bytes, base64 or hex,
 * e.g. `openssl rand -base64 32`. Anything else is refused at start, naming the variable.
 */
export function parsePayloadKey(value: string): Buffer {
  const raw = /^[0-9a-f]{64}$/i.test(value) ? Buffer.from(value, 'hex') : Buffer.from(value, 'base64');
  if (raw.length !== 32 || (!/^[0-9a-f]{64}$/i.test(value) && raw.toString('base64') !== value)) {
    throw new Error('configuration: DAG_PAYLOAD_KEY: must be 32 bytes as base64 (openssl rand -base64 32) or 64 hex digits');
  }
  return raw;
}

/** The codec when a payload key is configured, else undefined (payloads stay plain JSON). */
export function payloadCodec(config: Config): AesGcmCodec | undefined {
  const key = config.secrets.payloadEncryptionKey;
  return key ? new AesGcmCodec(parsePayloadKey(key)) : undefined;
}

/** The module exporting the failure converter that moves messages and stack traces into encrypted attributes. */
export const FAILURE_CONVERTER_PATH = require.resolve('./failure-converter');

/**
 * The data converter for workers and clients: with a key, every payload (inputs, results,
 * activity arguments, signals, queries, memos, heartbeat details) is encrypted, and so are
 * failure messages and stack traces (FAILURE_CONVERTER_PATH). A worker bundling `workflows/`
 * itself puts that converter into the workflow code; a pre-built bundle must have been built
 * with `failureConverterPath: FAILURE_CONVERTER_PATH`. Workers and every client (CLI, codec
 * endpoint) must use the same key.
 */
export function dataConverter(config: Config): DataConverter | undefined {
  const codec = payloadCodec(config);
  return codec ? { payloadCodecs: [codec], failureConverterPath: FAILURE_CONVERTER_PATH } : undefined;
}
