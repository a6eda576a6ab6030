/**
 * @module sim/grains
 * Grains for generated minions: a realistic, deterministic subset of what `grains.items` returns
 * (os, os_family, osrelease, kernel, cpu, memory, network, saltversion, roles, ...), computed from
 * the fleet seed and the minion's index so a 100k-minion fleet stores nothing per minion.
 */
import { hash32, hexFrom, pick, unit } from './prng.ts';

/** The roles a generated minion can have; its id is `<role><number>`. */
export const ROLES = ['web', 'app', 'db', 'cache', 'worker', 'lb', 'mq'] as const;
const ROLE_WEIGHTS = [30, 20, 12, 10, 15, 6, 7];

/** Datacenters used for the custom `datacenter` grain, domains and address ranges. */
export const DATACENTERS = ['dc1', 'dc2', 'dc3'] as const;

interface OsRelease {
  os: string; os_family: 'Debian' | 'RedHat'; osrelease: string; oscodename: string; osfullname: string;
  kernelrelease: string; finger: string;
}

const OSES: OsRelease[] = [
  { os: 'Debian', os_family: 'Debian', osrelease: '12', oscodename: 'bookworm', osfullname: 'Debian GNU/Linux', kernelrelease: '6.1.0-26-amd64', finger: 'Debian-12' },
  { os: 'Debian', os_family: 'Debian', osrelease: '11', oscodename: 'bullseye', osfullname: 'Debian GNU/Linux', kernelrelease: '5.10.0-32-amd64', finger: 'Debian-11' },
  { os: 'Ubuntu', os_family: 'Debian', osrelease: '22.04', oscodename: 'jammy', osfullname: 'Ubuntu', kernelrelease: '5.15.0-122-generic', finger: 'Ubuntu-22.04' },
  { os: 'Ubuntu', os_family: 'Debian', osrelease: '24.04', oscodename: 'noble', osfullname: 'Ubuntu', kernelrelease: '6.8.0-45-generic', finger: 'Ubuntu-24.04' },
  { os: 'Rocky', os_family: 'RedHat', osrelease: '9.4', oscodename: 'Blue Onyx', osfullname: 'Rocky Linux', kernelrelease: '5.14.0-427.37.1.el9_4.x86_64', finger: 'Rocky Linux-9' },
  { os: 'AlmaLinux', os_family: 'RedHat', osrelease: '8.10', oscodename: 'Cerulean Leopard', osfullname: 'AlmaLinux', kernelrelease: '4.18.0-553.16.1.el8_10.x86_64', finger: 'AlmaLinux-8' },
];

const CPUS = [
  { model: 'Intel(R) Xeon(R) Gold 6338 CPU @ 2.00GHz', flags: ['fpu', 'vme', 'sse', 'sse2', 'ht', 'avx', 'avx2', 'avx512f', 'aes'] },
  { model: 'AMD EPYC 7763 64-Core Processor', flags: ['fpu', 'vme', 'sse', 'sse2', 'ht', 'avx', 'avx2', 'sha_ni', 'aes'] },
  { model: 'Intel(R) Xeon(R) CPU E5-2680 v4 @ 2.40GHz', flags: ['fpu', 'vme', 'sse', 'sse2', 'ht', 'avx', 'avx2', 'aes'] },
];

const SALT_VERSIONS: Array<[string, number[]]> = [['3007.14', [3007, 14]], ['3007.14', [3007, 14]], ['3007.14', [3007, 14]], ['3007.13', [3007, 13]], ['3006.9', [3006, 9]]];

/** The role of the minion at `index` (weighted, deterministic). */
export function roleFor(seed: number, index: number): string {
  let r = hash32(seed, 'role', index) % ROLE_WEIGHTS.reduce((a, b) => a + b, 0);
  for (let i = 0; i < ROLES.length; i++) {
    r -= ROLE_WEIGHTS[i];
    if (r < 0) return ROLES[i];
  }
  return ROLES[0];
}

/** The datacenter of the minion at `index`. */
export function datacenterFor(seed: number, index: number): string {
  return pick(DATACENTERS, hash32(seed, 'dc', index));
}

/** The os release of a minion; db and lb hosts lean towards the RedHat family. */
function osFor(seed: number, index: number, role: string): OsRelease {
  const h = hash32(seed, 'os', index);
  if ((role === 'db' || role === 'lb') && h % 3 === 0) return OSES[4 + (h >>> 4) % 2];
  return OSES[h % OSES.length];
}

/** The primary IPv4 address of the minion at `index`: unique within a fleet of up to ~1M minions. */
export function ipv4For(seed: number, index: number): string {
  const dc = DATACENTERS.indexOf(datacenterFor(seed, index) as (typeof DATACENTERS)[number]);
  return `10.${16 + dc * 4 + Math.floor(index / (254 * 256))}.${Math.floor(index / 254) % 256}.${(index % 254) + 1}`;
}

/** The full grains dict of a generated minion. */
export function generatedGrains(seed: number, index: number, id: string, role: string): Record<string, unknown> {
  const os = osFor(seed, index, role);
  const dc = datacenterFor(seed, index);
  const domain = `${dc}.example.net`;
  const ip = ipv4For(seed, index);
  const cpu = pick(CPUS, hash32(seed, 'cpu', index));
  const cpus = pick([2, 4, 4, 8, 8, 16, 32], hash32(seed, 'ncpu', index));
  const mem = cpus * pick([1024, 2048, 4096], hash32(seed, 'mem', index)) - 200 - (hash32(seed, 'memr', index) % 120);
  const [saltversion, saltversioninfo] = pick(SALT_VERSIONS, hash32(seed, 'salt', index));
  const mac = `52:54:00:${hexFrom(6, seed, 'mac', index).match(/../g)!.join(':')}`;
  const debian = os.os_family === 'Debian';
  const major = parseInt(os.osrelease, 10);
  const grains: Record<string, unknown> = {
    cwd: '/', ip_gw: true, ip4_gw: ip.replace(/\.\d+$/, '.1'), ip6_gw: false,
    dns: { nameservers: ['10.0.0.53'], ip4_nameservers: ['10.0.0.53'], ip6_nameservers: [], sortlist: [], domain: '', search: [domain], options: [] },
    fqdns: [`${id}.${domain}`], machine_id: hexFrom(32, seed, 'machine', index), master: 'salt.example.net',
    server_id: hash32(seed, 'server_id', index) & 0x7fffffff, localhost: id, fqdn: `${id}.${domain}`, host: id, domain,
    hwaddr_interfaces: { lo: '00:00:00:00:00:00', eth0: mac }, id,
    ip4_interfaces: { lo: ['127.0.0.1'], eth0: [ip] }, ip6_interfaces: { lo: ['::1'], eth0: [] },
    ipv4: ['127.0.0.1', ip], ipv6: ['::1'], fqdn_ip4: [ip], fqdn_ip6: [],
    ip_interfaces: { lo: ['127.0.0.1', '::1'], eth0: [ip] },
    locale_info: { defaultlanguage: 'en_US', defaultencoding: 'UTF-8', detectedencoding: 'utf-8', timezone: 'UTC' },
    num_gpus: 0, gpus: [], kernel: 'Linux', nodename: id, kernelrelease: os.kernelrelease, kernelversion: '#1 SMP PREEMPT_DYNAMIC',
    cpuarch: 'x86_64', systemd: { version: debian ? '252' : '252', features: '+PAM +AUDIT +SELINUX' }, init: 'systemd',
    os: os.os, os_family: os.os_family, oscodename: os.oscodename, osfullname: os.osfullname, osrelease: os.osrelease,
    num_cpus: cpus, cpu_model: cpu.model, cpu_flags: cpu.flags, osarch: debian ? 'amd64' : 'x86_64',
    mem_total: mem, swap_total: debian ? 0 : 2047, virtual: 'kvm', ps: 'ps -efHww',
    osrelease_info: os.osrelease.split('.').map(Number), osmajorrelease: major, osfinger: os.finger,
    path: '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin',
    pythonexecutable: '/opt/saltstack/salt/bin/python3.10', pythonversion: [3, 10, 15, 'final', 0],
    saltpath: '/opt/saltstack/salt/lib/python3.10/site-packages/salt', saltversion, saltversioninfo, zmqversion: '4.3.4',
    disks: ['vda'], ssds: [], shell: '/bin/bash', transactional: false, efi: false, 'efi-secure-boot': false,
    username: 'root', groupname: 'root', pid: 1000 + (hash32(seed, 'pid', index) % 60000), gid: 0, uid: 0, package: 'onedir',
    roles: [role], datacenter: dc, environment: unit(seed, 'env', index) < 0.8 ? 'production' : 'staging',
  };
  if (debian) {
    grains.lsb_distrib_id = os.osfullname;
    grains.lsb_distrib_release = os.osrelease;
    grains.lsb_distrib_codename = os.oscodename;
  } else {
    grains.selinux = { enabled: true, enforced: 'Enforcing' };
  }
  return grains;
}
