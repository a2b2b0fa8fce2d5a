import * as fs from 'node:fs';
import { Client, Connection, type ConnectionOptions } from '@temporalio/client';
import { NativeConnection, type NativeConnectionOptions } from '@temporalio/worker';
import type { Config } from '../config/config';
import { dataConverter } from '../lib/codec';

export const EMBEDDED_ADDRESS = (cfg: Config) => `127.0.0.1:${cfg.temporal.devServer.port}`;

/** Address the CLI / worker connect to: TEMPORAL_ADDRESS, or the embedded dev server. */
export function temporalAddress(cfg: Config): string {
  return cfg.temporal.address ?? EMBEDDED_ADDRESS(cfg);
}

function tlsOptions(cfg: Config): ConnectionOptions['tls'] {
  const t = cfg.temporal.tls;
  if (!t && !cfg.temporal.apiKey) return undefined;
  if (!t) return true; // Temporal Cloud with an API key: TLS with system roots
  return {
    serverNameOverride: t.serverName,
    serverRootCACertificate: t.caPath ? fs.readFileSync(t.caPath) : undefined,
    clientCertPair: t.certPath && t.keyPath ? { crt: fs.readFileSync(t.certPath), key: fs.readFileSync(t.keyPath) } : undefined,
  };
}

export async function connectClient(cfg: Config, address = temporalAddress(cfg)): Promise<Client> {
  const connection = await Connection.connect({ address, tls: tlsOptions(cfg), apiKey: cfg.temporal.apiKey, connectTimeout: 5000 });
  return new Client({ connection, namespace: cfg.temporal.namespace, dataConverter: dataConverter(cfg) });
}

export async function connectWorker(cfg: Config, address = temporalAddress(cfg)): Promise<NativeConnection> {
  const opts: NativeConnectionOptions = { address, tls: tlsOptions(cfg) as NativeConnectionOptions['tls'], apiKey: cfg.temporal.apiKey };
  return NativeConnection.connect(opts);
}
