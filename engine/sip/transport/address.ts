import type { AddressPort } from './types.js';

const V4_MAPPED = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i;

/** Dual-stack sockets report IPv4 peers as ::ffff:a.b.c.d; report them as plain IPv4. */
export function normalizeAddress(address: string): string {
  return V4_MAPPED.exec(address)?.[1] ?? address;
}

export function addressKey({ address, port }: AddressPort): string {
  return `${normalizeAddress(address)}|${port}`;
}
