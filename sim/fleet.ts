/**
 * @module sim/fleet
 * The simulated fleet: minion ids, key states, grains, pillar, packages and presence. Generated
 * fleets derive everything from `(seed, index)` and keep only a byte per minion for its key state,
 * so 100,000 minions stay cheap; the `lab` preset reproduces the recording lab exactly
 * (web01/web02 accepted, db01 pending).
 */
import { datacenterFor, generatedGrains, roleFor } from './grains.ts';
import { LAB_GRAINS } from './lab-grains.ts';
import { listPkgs } from './packages.ts';
import { fingerprint, hash32, unit } from './prng.ts';

/** A key's status as the master's pki dirs hold it. */
export type KeyState = 'accepted' | 'pending' | 'rejected' | 'denied';
const KEY_CODES: Array<KeyState | undefined> = [undefined, 'accepted', 'pending', 'rejected', 'denied'];
const codeOf = (s: KeyState | undefined): number => (s ? KEY_CODES.indexOf(s) : 0);

/** The key lists in `key.list_all` order and naming. */
export interface KeyLists {
  minions: string[]; minions_pre: string[]; minions_rejected: string[]; minions_denied: string[];
}

/** Which preset built the fleet. */
export type FleetPreset = 'generated' | 'lab';

/** Options for {@link SimFleet.create}. */
export interface FleetOptions { minions?: number; seed?: number; preset?: FleetPreset }

const LAB_IDS = ['web01', 'web02', 'db01'];
const LAB_EXTRA: Record<string, { roles: string[]; server_id: number; pid: number }> = {
  web01: { roles: ['web'], server_id: 291040525, pid: 15970 },
  web02: { roles: ['web'], server_id: 1533704822, pid: 16113 },
  db01: { roles: ['db'], server_id: 1021375540, pid: 16250 },
};

/** The deterministic, mutable fleet a simulator serves. */
export class SimFleet {
  readonly preset: FleetPreset;
  readonly seed: number;
  /** The master's id (the Target of runner and wheel jobs in the job cache). */
  readonly masterId: string;
  /** Configured nodegroups (`nodegroup` targeting and `N@` in compound targets). */
  readonly nodegroups: Record<string, string>;
  /** Minions whose demo/sls states already ran once, so the next run reports no changes. */
  readonly appliedStates = new Set<string>();
  private readonly ids: string[] = [];
  private readonly index = new Map<string, number>();
  private keys: Uint8Array;
  private sorted: number[] | null = null;
  private readonly presenceOverride = new Map<string, boolean>();
  private readonly fingerprintSalt = new Map<string, number>();

  private constructor(preset: FleetPreset, seed: number, size: number) {
    this.preset = preset;
    this.seed = seed;
    this.keys = new Uint8Array(Math.max(size, 4));
    this.masterId = preset === 'lab' ? 'saltlab-master' : 'salt-master';
    this.nodegroups = preset === 'lab'
      ? { webs: 'L@web01,web02', dbs: 'db*' }
      : { webservers: 'G@roles:web', datastores: 'G@roles:db or G@roles:cache', dc1: 'G@datacenter:dc1' };
  }

  /** Builds a fleet: `preset: 'lab'` for the recording lab, otherwise `minions` generated ids. */
  static create(opts: FleetOptions = {}): SimFleet {
    const seed = opts.seed ?? 1;
    if (opts.preset === 'lab') {
      const fleet = new SimFleet('lab', seed, LAB_IDS.length);
      for (const id of LAB_IDS) fleet.addMinion(id, id === 'db01' ? 'pending' : 'accepted');
      // The lab had applied demo.sls before recording, so its file state reports no changes.
      for (const id of LAB_IDS) fleet.appliedStates.add(`${id}\u0001demo`);
      return fleet;
    }
    const n = opts.minions ?? 20;
    if (!Number.isInteger(n) || n < 1 || n > 100_000) throw new RangeError('minions must be an integer in 1..100000');
    const fleet = new SimFleet('generated', seed, n);
    const width = Math.max(4, String(n).length);
    for (let i = 0; i < n; i++) {
      const id = `${roleFor(seed, i)}${String(i + 1).padStart(width, '0')}`;
      fleet.addMinion(id, fleet.initialKeyState(i, n));
    }
    return fleet;
  }

  /** Mostly accepted; a few pending, rejected and denied, and at least one of each when n >= 10. */
  private initialKeyState(i: number, n: number): KeyState {
    if (n >= 10 && i === n - 1) return 'pending';
    if (n >= 10 && i === n - 2) return 'rejected';
    if (n >= 10 && i === n - 3) return 'denied';
    const u = unit(this.seed, 'key', i);
    return u < 0.02 ? 'pending' : u < 0.03 ? 'rejected' : u < 0.035 ? 'denied' : 'accepted';
  }

  /** Adds a minion id (e.g. a new minion submitting its key); returns false when it exists. */
  addMinion(id: string, state: KeyState = 'pending'): boolean {
    if (this.index.has(id)) return false;
    const i = this.ids.length;
    if (i >= this.keys.length) {
      const grown = new Uint8Array(this.keys.length * 2);
      grown.set(this.keys);
      this.keys = grown;
    }
    this.ids.push(id);
    this.index.set(id, i);
    this.keys[i] = codeOf(state);
    this.sorted = null;
    return true;
  }

  /** Number of minion ids known (whatever their key state). */
  get size(): number { return this.ids.length; }

  /** Whether the id is known to the fleet (a key exists or existed). */
  has(id: string): boolean { return this.index.has(id); }

  /** All known ids in sorted order, including deleted keys' minions. */
  allIds(): string[] {
    if (!this.sorted) this.sorted = this.ids.map((_, i) => i).sort((a, b) => (this.ids[a] < this.ids[b] ? -1 : 1));
    return this.sorted.map((i) => this.ids[i]);
  }

  /** The key state of a minion, or undefined when it has no key. */
  keyState(id: string): KeyState | undefined {
    const i = this.index.get(id);
    return i === undefined ? undefined : KEY_CODES[this.keys[i]];
  }

  /** Sets (or with `undefined`, deletes) a minion's key; unknown ids are added. */
  setKey(id: string, state: KeyState | undefined): void {
    if (!this.index.has(id)) {
      if (!state) return;
      this.addMinion(id, state);
      return;
    }
    if (!state) this.fingerprintSalt.set(id, (this.fingerprintSalt.get(id) ?? 0) + 1);
    this.keys[this.index.get(id)!] = codeOf(state);
  }

  /** Sorted ids with the given key state. */
  idsWithKey(state: KeyState): string[] {
    const code = codeOf(state);
    if (!this.sorted) this.allIds();
    const out: string[] = [];
    for (const i of this.sorted!) if (this.keys[i] === code) out.push(this.ids[i]);
    return out;
  }

  /** Sorted accepted ids: the only minions a job can target. */
  accepted(): string[] { return this.idsWithKey('accepted'); }

  /** The four key lists, sorted, as `key.list_all` names them. */
  keyLists(): KeyLists {
    return { minions: this.accepted(), minions_pre: this.idsWithKey('pending'),
      minions_rejected: this.idsWithKey('rejected'), minions_denied: this.idsWithKey('denied') };
  }

  /** The key fingerprint; a deleted and re-submitted key gets a new one, like a regenerated key. */
  fingerprint(id: string): string { return fingerprint(this.seed, id, this.fingerprintSalt.get(id) ?? 0); }

  /** The master key fingerprints for `local` in key.finger. */
  masterFingerprints(): Record<string, string> {
    return { 'master.pem': fingerprint(this.seed, 'master.pem'), 'master.pub': fingerprint(this.seed, 'master.pub') };
  }

  /** The role of a minion (from its grains' first role). */
  role(id: string): string {
    if (this.preset === 'lab') return LAB_EXTRA[id]?.roles[0] ?? 'web';
    const i = this.index.get(id);
    return i === undefined || !/^[a-z]+\d+$/.test(id) ? 'app' : roleFor(this.seed, i);
  }

  /** The full grains dict of a minion (a fresh object each time; callers may keep it). */
  grains(id: string): Record<string, unknown> {
    const i = this.index.get(id) ?? this.ids.length;
    if (this.preset === 'lab') {
      const extra = LAB_EXTRA[id] ?? { roles: ['web'], server_id: hash32(id) & 0x7fffffff, pid: 17000 };
      const g = structuredClone(LAB_GRAINS) as Record<string, unknown>;
      return { ...g, id, server_id: extra.server_id, pid: extra.pid, roles: [...extra.roles] };
    }
    return generatedGrains(this.seed, i, id, this.role(id));
  }

  /** The pillar of a minion. */
  pillar(id: string): Record<string, unknown> {
    if (this.preset === 'lab') return { saltlab: { env: 'lab' } };
    const i = this.index.get(id) ?? 0;
    const g = this.grains(id);
    return { role: this.role(id), datacenter: datacenterFor(this.seed, i), environment: g.environment,
      ntp: { servers: ['0.pool.ntp.org', '1.pool.ntp.org'] }, users: { deploy: { uid: 2001, shell: '/bin/bash' } } };
  }

  /** `pkg.list_pkgs` of a minion. */
  packages(id: string): Record<string, string> {
    const osFamily = this.preset === 'lab' ? 'Debian' : String(this.grains(id).os_family);
    return listPkgs(this.seed, id, this.role(id), osFamily);
  }

  /**
   * Whether a minion is connected at `nowMs`. Generated fleets have ~1% of minions down for good
   * and ~2% more down in each 5-minute window (varying deterministically by time); the lab is
   * always up. `setPresence` overrides both.
   */
  isUp(id: string, nowMs: number): boolean {
    const o = this.presenceOverride.get(id);
    if (o !== undefined) return o;
    if (this.preset === 'lab') return true;
    if (unit(this.seed, 'dead', id) < 0.01) return false;
    return unit(this.seed, 'flap', id, Math.floor(nowMs / 300_000)) >= 0.02;
  }

  /** Forces a minion up (`true`), down (`false`) or back to the time-based default (`undefined`). */
  setPresence(id: string, up: boolean | undefined): void {
    if (up === undefined) this.presenceOverride.delete(id);
    else this.presenceOverride.set(id, up);
  }

  /** Sorted accepted minions that are up at `nowMs`. */
  present(nowMs: number): string[] { return this.accepted().filter((id) => this.isUp(id, nowMs)); }
}
