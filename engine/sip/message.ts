// SIP requests and responses as the stack sees them: header values are kept as raw text
// and parsed on first use (most of a message is never looked at), bodies stay bytes.
import { type CSeq, type NameAddr, type Via, headerDisplayName, headerKey, isListHeader, parseCSeq, parseNameAddr, parseVia, splitList } from './headers.js';
import { type Uri, parseUri } from './uri.js';

const EMPTY = Buffer.alloc(0);

export abstract class SipMessage {
  /** Raw values by lower-case long header name, one entry per header line, in arrival order. */
  protected readonly fields = new Map<string, string[]>();
  body: Buffer = EMPTY;
  private viaCache?: Via[] | null;
  private cseqCache?: CSeq | null;
  private fromCache?: NameAddr | null;
  private toCache?: NameAddr | null;

  abstract readonly isRequest: boolean;

  /** First raw value of a header (whole line, not split at commas). */
  get(name: string): string | undefined {
    return this.fields.get(headerKey(name))?.[0];
  }

  has(name: string): boolean {
    return this.fields.has(headerKey(name));
  }

  /** Raw header lines, unsplit. */
  lines(name: string): readonly string[] {
    return this.fields.get(headerKey(name)) ?? [];
  }

  /** All values of a header; list headers (Via, Contact, Route...) are split at top-level commas. */
  getAll(name: string): string[] {
    const key = headerKey(name);
    const lines = this.fields.get(key);
    if (!lines) return [];
    return isListHeader(key) ? (splitList(lines) ?? [...lines]) : [...lines];
  }

  set(name: string, value: string | string[]): this {
    const key = headerKey(name);
    this.fields.set(key, Array.isArray(value) ? [...value] : [value]);
    this.invalidate(key);
    return this;
  }

  /** Adds a value after existing ones, or before them with `first` (e.g. a new top Via). */
  add(name: string, value: string, first = false): this {
    const key = headerKey(name);
    const lines = this.fields.get(key);
    if (!lines) this.fields.set(key, [value]);
    else if (first) lines.unshift(value);
    else lines.push(value);
    this.invalidate(key);
    return this;
  }

  remove(name: string): this {
    const key = headerKey(name);
    this.fields.delete(key);
    this.invalidate(key);
    return this;
  }

  /** Header keys in first-seen order. */
  headerKeys(): IterableIterator<string> {
    return this.fields.keys();
  }

  private invalidate(key: string): void {
    if (key === 'via') this.viaCache = undefined;
    else if (key === 'cseq') this.cseqCache = undefined;
    else if (key === 'from') this.fromCache = undefined;
    else if (key === 'to') this.toCache = undefined;
  }

  get callId(): string {
    return this.get('call-id')?.trim() ?? '';
  }

  /** Every Via value, topmost first; null if any is malformed. */
  get vias(): Via[] | null {
    if (this.viaCache === undefined) {
      const values = this.getAll('via');
      const parsed: Via[] = [];
      for (const v of values) {
        const via = parseVia(v);
        if (!via) {
          this.viaCache = null;
          return null;
        }
        parsed.push(via);
      }
      this.viaCache = parsed;
    }
    return this.viaCache;
  }

  get topVia(): Via | undefined {
    return this.vias?.[0];
  }

  get cseq(): CSeq | null {
    if (this.cseqCache === undefined) {
      const v = this.get('cseq');
      this.cseqCache = v === undefined ? null : parseCSeq(v);
    }
    return this.cseqCache;
  }

  get from(): NameAddr | null {
    if (this.fromCache === undefined) {
      const v = this.get('from');
      this.fromCache = v === undefined ? null : parseNameAddr(v);
    }
    return this.fromCache;
  }

  get to(): NameAddr | null {
    if (this.toCache === undefined) {
      const v = this.get('to');
      this.toCache = v === undefined ? null : parseNameAddr(v);
    }
    return this.toCache;
  }

  get fromTag(): string | undefined {
    return this.from?.params.get('tag') ?? undefined;
  }

  get toTag(): string | undefined {
    return this.to?.params.get('tag') ?? undefined;
  }

  /** Parsed Contact values (name-addr list); `*` yields an empty list with `star` set. */
  contacts(): { star: boolean; list: NameAddr[] } | null {
    const values = this.getAll('contact');
    if (values.length === 1 && values[0] === '*') return { star: true, list: [] };
    const list: NameAddr[] = [];
    for (const v of values) {
      const na = parseNameAddr(v);
      if (!na) return null;
      list.push(na);
    }
    return { star: false, list };
  }

  protected abstract startLine(): string;

  /** Wire form. Content-Length is always written from the actual body (RFC 3261 §20.14). */
  toBuffer(): Buffer {
    let head = this.startLine() + '\r\n';
    for (const [key, lines] of this.fields) {
      if (key === 'content-length') continue;
      const name = headerDisplayName(key);
      for (const line of lines) head += name + ': ' + line + '\r\n';
    }
    head += 'Content-Length: ' + this.body.length + '\r\n\r\n';
    const headBuf = Buffer.from(head, 'latin1');
    return this.body.length ? Buffer.concat([headBuf, this.body]) : headBuf;
  }

  toString(): string {
    return this.toBuffer().toString('latin1');
  }
}

export class SipRequest extends SipMessage {
  readonly isRequest = true;
  private uriCache?: Uri | null;

  constructor(
    public method: string,
    private uriText: string,
  ) {
    super();
  }

  get uri(): string {
    return this.uriText;
  }

  set uri(text: string) {
    this.uriText = text;
    this.uriCache = undefined;
  }

  /** The parsed Request-URI; null when malformed. */
  get parsedUri(): Uri | null {
    if (this.uriCache === undefined) this.uriCache = parseUri(this.uriText);
    return this.uriCache;
  }

  protected startLine(): string {
    return `${this.method} ${this.uriText} SIP/2.0`;
  }
}

export class SipResponse extends SipMessage {
  readonly isRequest = false;

  constructor(
    public status: number,
    public reason: string,
  ) {
    super();
  }

  protected startLine(): string {
    return `SIP/2.0 ${this.status} ${this.reason}`;
  }
}

export type AnySipMessage = SipRequest | SipResponse;
