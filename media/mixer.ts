// A mixer: endpoints of one media thread, each hearing the members in its hear set.
import { Endpoint } from './endpoint.js';
import { MediaError } from './errors.js';
import { hearSets, type MixMode, type MixRoles } from './modes.js';
import type { NativeEngine } from './native.js';
import { RecordingRegistry, type Recording } from './recording.js';

export interface AddMemberOptions {
  /** Who the new member hears (members only). Default: nobody. */
  hears?: Endpoint[];
}

/** 'stereo': left = what `left` says, right = what `right` says; 'mix': all members summed, mono. */
export type MixerRecordOptions = { layout: 'stereo'; left: Endpoint; right: Endpoint } | { layout: 'mix' };

export class Mixer {
  private readonly memberSet = new Set<Endpoint>();
  private isClosed = false;

  /** @internal Use MediaEngine.createMixer. */
  constructor(
    /** @internal */ readonly native: NativeEngine,
    readonly id: number,
    /** The media thread of the mixer; its members must be created on it ({ mixer }). */
    readonly thread: number,
  ) {}

  get closed(): boolean {
    return this.isClosed;
  }

  members(): Endpoint[] {
    return [...this.memberSet];
  }

  /**
   * Adds an endpoint of the same media thread. A new member hears nobody and nobody hears
   * it until hear sets say so (a supervisor joining is never heard by accident).
   */
  addMember(endpoint: Endpoint, options: AddMemberOptions = {}): void {
    this.check(endpoint);
    this.native.addMember(this.id, endpoint.id);
    this.joined(endpoint);
    if (options.hears) this.setHears(endpoint, options.hears);
  }

  /** @internal The addon made `endpoint` a member (addMember, or createEndpoint's { join }). */
  joined(endpoint: Endpoint): void {
    this.memberSet.add(endpoint);
    endpoint.once('closed', () => this.memberSet.delete(endpoint));
  }

  /** Removes a member; it also leaves every other member's hear set. */
  removeMember(endpoint: Endpoint): void {
    this.check(endpoint);
    this.native.removeMember(this.id, endpoint.id);
    this.memberSet.delete(endpoint);
  }

  /** Who `member` hears from the next tick on. Itself is ignored (nobody hears themself). */
  setHears(member: Endpoint, hears: Endpoint[]): void {
    this.setHearSets([[member, hears]]);
  }

  /** Several hear sets at once: they take effect on the same tick. */
  setHearSets(sets: Iterable<[Endpoint, Endpoint[]]>): void {
    const list: Array<[number, number[]]> = [];
    for (const [member, hears] of sets) {
      this.check(member);
      if (!Array.isArray(hears)) throw new TypeError('a hear set must be an array of endpoints');
      list.push([member.id, hears.map((h) => this.check(h).id)]);
    }
    this.native.setHears(this.id, list);
  }

  /** Sets the hear sets a call shape needs (see modes.ts): bridge, listen, whisper, barge. */
  setMode(mode: MixMode, roles: MixRoles<Endpoint>): void {
    this.setHearSets(hearSets(mode, roles));
  }

  /**
   * Records this mixer to a WAV at `path` from the next tick until stop() or until the mixer
   * closes. A stereo party that is not a member (yet, or any more) is silence.
   */
  record(path: string, options: MixerRecordOptions): Recording {
    if (typeof options !== 'object' || options === null) throw new TypeError('record options must be an object');
    const { left, right, ...rest } = options as { left?: unknown; right?: unknown };
    const source = {
      ...rest,
      mixer: this.id,
      left: left === undefined ? undefined : this.check(left).id,
      right: right === undefined ? undefined : this.check(right).id,
    };
    return RecordingRegistry.of(this.native).start(path, source as never, options.layout);
  }

  /** Members stay open endpoints; they just stop mixing. Idempotent. */
  close(): void {
    if (this.isClosed) return;
    this.isClosed = true;
    this.memberSet.clear();
    if (!this.native.isClosed()) this.native.closeMixer(this.id);
  }

  private check(endpoint: unknown): Endpoint {
    if (!(endpoint instanceof Endpoint)) throw new TypeError('expected an Endpoint');
    if (endpoint.native !== this.native) {
      throw new MediaError(`endpoint ${endpoint.id} belongs to another media engine`, 'FOREIGN_OBJECT');
    }
    return endpoint;
  }
}
