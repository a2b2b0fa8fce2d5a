/**
 * Docker's log endpoint, for a container without a TTY, multiplexes stdout and stderr in
 * frames: 1 byte stream id, 3 zero bytes, 4 bytes big-endian length, then the payload.
 * Returns the concatenated payloads (or the text as-is when it is not framed).
 */
export function demuxDockerLogs(raw: Buffer | string): string {
  const buf = typeof raw === 'string' ? Buffer.from(raw, 'utf8') : raw;
  const parts: Buffer[] = [];
  let offset = 0;
  while (offset + 8 <= buf.length) {
    const stream = buf[offset];
    if (stream > 2 || buf[offset + 1] !== 0 || buf[offset + 2] !== 0 || buf[offset + 3] !== 0) return buf.toString('utf8');
    const size = buf.readUInt32BE(offset + 4);
    parts.push(buf.subarray(offset + 8, offset + 8 + size));
    offset += 8 + size;
  }
  return offset === buf.length ? Buffer.concat(parts).toString('utf8') : buf.toString('utf8');
}
