import { DefaultFailureConverter } from '@temporalio/common';

/**
 * Failure converter used when payloads are encrypted: an error's message and stack trace travel
 * in the failure's encoded attributes, a payload the codec encrypts like any other, and the
 * plain `message` field reads "Encoded failure". Loaded by path (DataConverter.failureConverterPath):
 * the worker bundles this module into the workflow code, since workflows run in a sandbox that
 * cannot be handed an object, and clients and activities require it.
 */
export const failureConverter = new DefaultFailureConverter({ encodeCommonAttributes: true });
