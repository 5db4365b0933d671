export type TransportProtocol = 'udp' | 'tcp';

export interface AddressPort {
  address: string;
  port: number;
}

export interface InboundMessage {
  /** One whole SIP message (UDP: one datagram; TCP: framed by Content-Length). */
  data: Buffer;
  protocol: TransportProtocol;
  remote: AddressPort;
  local: AddressPort;
  /** TCP only: the connection it arrived on, so responses can go back on it (RFC 3261 §18.2.2). */
  connectionId?: number;
}

/** Where a message came from, without its bytes (what transactions keep). */
export type MessageSource = Omit<InboundMessage, 'data'>;

export interface SendTarget {
  protocol: TransportProtocol;
  /** An IP address; name resolution (RFC 3263) belongs to the layer above. */
  address: string;
  port: number;
  /** TCP only: preferred connection, used while it is still open. */
  connectionId?: number;
}

/** The subset of a pino logger the transport uses. */
export interface Logger {
  debug(obj: object, msg?: string): void;
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

export interface TransportLayerOptions {
  host: string;
  /** 0 picks an ephemeral port shared by UDP and TCP. */
  port: number;
  /** Close a TCP connection after this long without traffic; 0 never closes. Default 60000. */
  tcpIdleTimeoutMs?: number;
  /** Largest accepted message (and TCP header block). Default 65535. */
  maxMessageBytes?: number;
  logger?: Logger;
  /** SCHED_RR priority 1-99 for the UDP sender thread; 0 or absent: ordinary scheduling. */
  realtimePriority?: number;
}
