import { ed25519 } from '@noble/curves/ed25519';
import { sha256 } from '@noble/hashes/sha2';
import { bytesToHex, hexToBytes, utf8ToBytes } from '@noble/hashes/utils';
import canonicalize from 'canonicalize';

/**
 * What an approver signs, and how a workflow checks it. Pure JavaScript (noble's audited Ed25519
 * and SHA-256, RFC 8785 canonical JSON), so the same code runs in the workflow sandbox —
 * verification is deterministic and replays — and in the CLI / console that sign.
 *
 * A signature binds one decision to one presented subject: the workflow id AND run id, the
 * subject kind, its version, the SHA-256 of the subject as shown (plan + dry run + verdict, or the
 * model comparison), the decision, the reason, the approver, the key and the signing time. Any
 * other plan, version, workflow or run — or an edited reason — fails verification.
 */
export const SIGNATURE_SCHEME = 'marketing-dag/approval-decision/v1';

export type DecisionKind = 'accept' | 'reject' | 'revise';

/** The presented subject's coordinates, published by the workflow in its query as `toSign`. */
export interface SigningContext {
  workflowId: string;
  runId: string;
  subjectKind: string;
  version: number;
  /** `sha256:<hex>` of the canonical JSON of the subject shown. */
  subjectHash: string;
}

export interface SignedFields {
  decision: DecisionKind;
  reason?: string;
  approver: string;
  keyId: string;
  /** ISO time the approver signed (checked against the time the version was presented). */
  signedAt: string;
}

/** `sha256:<hex>` of the subject's canonical JSON (key order and spacing do not matter). */
export function hashSubject(subject: unknown): string {
  return `sha256:${bytesToHex(sha256(utf8ToBytes(canonicalize(subject) ?? 'null')))}`;
}

/** The exact bytes signed: canonical JSON of every bound field (no field can be moved into another). */
export function signingBytes(ctx: SigningContext, f: SignedFields): Uint8Array {
  return utf8ToBytes(
    canonicalize({
      scheme: SIGNATURE_SCHEME,
      workflowId: ctx.workflowId,
      runId: ctx.runId,
      subjectKind: ctx.subjectKind,
      version: ctx.version,
      subjectHash: ctx.subjectHash,
      decision: f.decision,
      reason: f.reason ?? '',
      approver: f.approver,
      keyId: f.keyId,
      signedAt: f.signedAt,
    }) as string,
  );
}

const HEX = /^[0-9a-f]+$/;
export const PUBLIC_KEY_HEX_LENGTH = 64;
export const SIGNATURE_HEX_LENGTH = 128;

export function isPublicKeyHex(s: string): boolean {
  return s.length === PUBLIC_KEY_HEX_LENGTH && HEX.test(s);
}

/** A short, stable name for a public key: the first 16 hex digits of its SHA-256. */
export function keyIdOf(publicKeyHex: string): string {
  return bytesToHex(sha256(hexToBytes(publicKeyHex))).slice(0, 16);
}

/** True only for a well-formed signature by this key over these bytes (never throws). */
export function verifySignature(publicKeyHex: string, signatureHex: string, message: Uint8Array): boolean {
  if (!isPublicKeyHex(publicKeyHex) || signatureHex.length !== SIGNATURE_HEX_LENGTH || !HEX.test(signatureHex)) return false;
  try {
    // zip215: false → strict RFC 8032 verification (no malleable encodings).
    return ed25519.verify(hexToBytes(signatureHex), message, hexToBytes(publicKeyHex), { zip215: false });
  } catch {
    return false;
  }
}

/** Signs with a 32-byte private key (hex); used by signers outside the workflow. */
export function signWithPrivateKey(privateKeyHex: string, message: Uint8Array): string {
  return bytesToHex(ed25519.sign(message, hexToBytes(privateKeyHex)));
}

export function publicKeyOf(privateKeyHex: string): string {
  return bytesToHex(ed25519.getPublicKey(hexToBytes(privateKeyHex)));
}

/** A fresh private key (hex). Needs a CSPRNG: never called in workflow code. */
export function randomPrivateKey(): string {
  return bytesToHex(ed25519.utils.randomPrivateKey());
}
