// SIP requests and responses as the stack sees them: header values are kept as raw text
// and parsed on first use (most of a message is never looked at), bodies stay bytes.
import { type CSeq, type NameAddr, type Via, headerKey, headerLinePrefix, isListHeader, nameAddrParamsRange, parseCSeq, parseNameAddr, parseNameAddrList, parseViaList, splitList } from './headers.js';
import { detach } from './detach.js';
import { codesOf } from './grammar.js';
import type { Params } from './params.js';
import { type Uri, parseUri } from './uri.js';

const EMPTY = Buffer.alloc(0);

export abstract class SipMessage {
  // One entry per header line in order: the lower-case long name (a headerKey()) and the raw
  // value. Flat arrays rather than a Map of arrays: a message has a dozen or so headers and
  // the parser fills them per packet, so a scan is cheaper than hashing.
  private keys: string[] = [];
  private values: string[] = [];
  body: Buffer = EMPTY;
  private viaCache?: Via[] | null;
  private cseqCache?: CSeq | null;
  private fromCache?: NameAddr | null;
  /** From's header parameters alone, enough for fromTag without parsing the whole From. */
  private fromParamsCache?: Params | null;
  private toCache?: NameAddr | null;
  private contactCache?: { star: boolean; list: NameAddr[] } | null;
  private callIdCache?: string;

  abstract readonly isRequest: boolean;

  /** First raw value under a key (a headerKey() result). */
  private first(key: string): string | undefined {
    const i = this.keys.indexOf(key);
    return i < 0 ? undefined : this.values[i];
  }

  private linesOf(key: string): string[] {
    const out: string[] = [];
    for (let i = 0; i < this.keys.length; i++) if (this.keys[i] === key) out.push(this.values[i]);
    return out;
  }

  /** First raw value of a header (whole line, not split at commas). */
  get(name: string): string | undefined {
    return this.first(headerKey(name));
  }

  has(name: string): boolean {
    return this.keys.includes(headerKey(name));
  }

  /** Raw header lines, unsplit. */
  lines(name: string): readonly string[] {
    return this.linesOf(headerKey(name));
  }

  /** All values of a header; list headers (Via, Contact, Route...) are split at top-level commas. */
  getAll(name: string): string[] {
    const key = headerKey(name);
    const lines = this.linesOf(key);
    return isListHeader(key) ? (splitList(lines) ?? lines) : lines;
  }

  /** Replaces every line of a header, keeping its position (new headers go last). */
  set(name: string, value: string | string[]): this {
    const key = headerKey(name);
    const at = this.keys.indexOf(key);
    // The common cases, a new header or one line replaced by one, without rebuilding the arrays.
    if (at < 0 || (typeof value === 'string' && this.keys.indexOf(key, at + 1) < 0)) {
      if (typeof value === 'string') {
        if (at < 0) this.pushLine(key, value);
        else this.values[at] = value;
        this.invalidate(key);
        return this;
      }
      if (at < 0) {
        for (const v of value) this.pushLine(key, v);
        this.invalidate(key);
        return this;
      }
    }
    this.removeKey(key);
    this.insert(at, key, Array.isArray(value) ? value : [value]);
    return this;
  }

  /**
   * Appends every line of these headers (headerKey() results) of `other`, header by header in
   * the order given: how a response copies Via, From, To, Call-ID and CSeq (§8.2.6.2).
   */
  copyLines(other: SipMessage, keys: readonly string[]): this {
    for (const key of keys) {
      for (let i = 0; i < other.keys.length; i++) if (other.keys[i] === key) this.pushLine(key, other.values[i]);
      this.invalidate(key);
    }
    return this;
  }

  private pushLine(key: string, value: string): void {
    this.keys.push(key);
    this.values.push(value);
  }

  /**
   * Takes the parser's header lines in order, replacing any: keys[i] (a headerKey() result,
   * which the parser has already normalised) with the raw value values[i]. The message keeps
   * the arrays.
   */
  adoptHeaders(keys: string[], values: string[]): void {
    this.keys = keys;
    this.values = values;
    this.viaCache = this.cseqCache = this.fromCache = this.fromParamsCache = this.toCache = this.contactCache = this.callIdCache = undefined;
  }

  /** Hands over what the parser has already parsed of Via, From and CSeq. */
  primeParsed(vias: Via[], fromParams: Params, cseq: CSeq): void {
    this.viaCache = vias;
    this.fromParamsCache = fromParams;
    this.cseqCache = cseq;
  }

  /** Adds a value after existing ones, or before them with `first` (e.g. a new top Via). */
  add(name: string, value: string, first = false): this {
    const key = headerKey(name);
    const at = first ? this.keys.indexOf(key) : this.keys.lastIndexOf(key);
    this.insert(at < 0 ? this.keys.length : first ? at : at + 1, key, [value]);
    return this;
  }

  remove(name: string): this {
    this.removeKey(headerKey(name));
    return this;
  }

  /** Header keys in first-seen order. */
  headerKeys(): IterableIterator<string> {
    return new Set(this.keys).values();
  }

  private insert(at: number, key: string, values: readonly string[]): void {
    if (at === this.keys.length) for (const v of values) this.pushLine(key, v);
    else {
      for (let i = 0; i < values.length; i++) {
        this.keys.splice(at + i, 0, key);
        this.values.splice(at + i, 0, values[i]);
      }
    }
    this.invalidate(key);
  }

  private removeKey(key: string): void {
    let n = 0;
    for (let i = 0; i < this.keys.length; i++) {
      if (this.keys[i] === key) continue;
      this.keys[n] = this.keys[i];
      this.values[n++] = this.values[i];
    }
    this.keys.length = this.values.length = n;
    this.invalidate(key);
  }

  private invalidate(key: string): void {
    if (key === 'via') this.viaCache = undefined;
    else if (key === 'cseq') this.cseqCache = undefined;
    else if (key === 'from') this.fromCache = this.fromParamsCache = undefined;
    else if (key === 'to') this.toCache = undefined;
    else if (key === 'contact') this.contactCache = undefined;
    else if (key === 'call-id') this.callIdCache = undefined;
  }

  /** Call-ID, trimmed; a copy that does not keep the message text alive (detach.ts): it keys dialogs, calls and log rows. */
  get callId(): string {
    if (this.callIdCache === undefined) {
      const v = this.first('call-id');
      this.callIdCache = v === undefined ? '' : detach(v.trim());
    }
    return this.callIdCache;
  }

  /** Every Via value, topmost first; null if any is malformed. */
  get vias(): Via[] | null {
    if (this.viaCache === undefined) this.viaCache = parseViaList(this.linesOf('via'));
    return this.viaCache;
  }

  get topVia(): Via | undefined {
    return this.vias?.[0];
  }

  get cseq(): CSeq | null {
    if (this.cseqCache === undefined) {
      const v = this.first('cseq');
      this.cseqCache = v === undefined ? null : parseCSeq(v);
    }
    return this.cseqCache;
  }

  get from(): NameAddr | null {
    if (this.fromCache === undefined) {
      const v = this.first('from');
      this.fromCache = v === undefined ? null : parseNameAddr(v);
    }
    return this.fromCache;
  }

  get to(): NameAddr | null {
    if (this.toCache === undefined) {
      const v = this.first('to');
      this.toCache = v === undefined ? null : parseNameAddr(v);
    }
    return this.toCache;
  }

  get fromTag(): string | undefined {
    // Once the whole From is parsed its params are the ones callers may have edited.
    const params = this.fromCache === undefined ? this.fromParams() : this.fromCache?.params;
    return params?.get('tag') ?? undefined;
  }

  private fromParams(): Params | null {
    if (this.fromParamsCache === undefined) {
      const v = this.first('from');
      this.fromParamsCache = v === undefined ? null : nameAddrParamsRange(v, codesOf(v), 0, v.length);
    }
    return this.fromParamsCache;
  }

  get toTag(): string | undefined {
    return this.to?.params.get('tag') ?? undefined;
  }

  /** Parsed Contact values (name-addr list); `*` yields an empty list with `star` set. Null if malformed. */
  contacts(): { star: boolean; list: NameAddr[] } | null {
    if (this.contactCache === undefined) {
      const lines = this.linesOf('contact');
      if (lines.length === 1 && lines[0] === '*') this.contactCache = { star: true, list: [] };
      else {
        const list = parseNameAddrList(lines);
        this.contactCache = list && { star: false, list };
      }
    }
    return this.contactCache;
  }

  protected abstract startLine(): string;

  /** Wire form, UTF-8 (RFC 3261 §7.3.1). Content-Length is always written from the actual body (RFC 3261 §20.14). */
  toBuffer(): Buffer {
    let head = this.startLine() + '\r\n';
    for (let i = 0; i < this.keys.length; i++) {
      if (this.keys[i] !== 'content-length') head += headerLinePrefix(this.keys[i]) + this.values[i] + '\r\n';
    }
    const bodyLength = this.body.length;
    head += 'Content-Length: ' + bodyLength + '\r\n\r\n';
    if (bodyLength === 0) return Buffer.from(head, 'utf8');
    // One buffer for head and body: no intermediate head buffer and no concat.
    const headLength = Buffer.byteLength(head, 'utf8');
    const wire = Buffer.allocUnsafe(headLength + bodyLength);
    wire.write(head, 0, 'utf8');
    this.body.copy(wire, headLength);
    return wire;
  }

  toString(): string {
    return this.toBuffer().toString('utf8');
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
