/**
 * @module sim/packages
 * `pkg.list_pkgs` for generated minions: a few hundred packages per minion with Debian-style
 * (`1:2.36-9+deb12u4`, `1.2~rc1-3`) or RPM-style (`2:8.2.2637-20.el9_1`) versions, depending on
 * the minion's os_family. Generated on demand from the seed, never stored.
 */
import { hash32, unit } from './prng.ts';

const COMMON = ['bash', 'coreutils', 'curl', 'openssl', 'openssh-server', 'sudo', 'tar', 'gzip', 'rsync', 'vim',
  'less', 'procps', 'systemd', 'util-linux', 'ca-certificates', 'tzdata', 'chrony', 'logrotate', 'cron', 'python3',
  'perl', 'git', 'jq', 'lsof', 'strace', 'tcpdump', 'iproute2', 'iptables', 'nftables', 'e2fsprogs', 'xfsprogs',
  'grep', 'sed', 'gawk', 'findutils', 'diffutils', 'file', 'wget', 'zstd', 'xz-utils', 'bzip2', 'unzip', 'dbus',
  'kmod', 'udev', 'passwd', 'shadow-utils', 'pam', 'sqlite', 'gnupg2', 'salt-minion', 'salt-common'];

const BY_ROLE: Record<string, string[]> = {
  web: ['nginx', 'nginx-common', 'certbot', 'php-fpm'], app: ['openjdk-17-jre-headless', 'nodejs', 'supervisor'],
  db: ['postgresql-15', 'postgresql-client-15', 'pgbouncer'], cache: ['redis-server', 'memcached'],
  worker: ['python3-celery', 'ffmpeg'], lb: ['haproxy', 'keepalived'], mq: ['rabbitmq-server', 'erlang-base'],
};

const LIB_STEMS = ['ssl', 'curl', 'xml2', 'yaml', 'ffi', 'z', 'lzma', 'pcre2', 'systemd', 'udev', 'cap', 'acl',
  'attr', 'selinux', 'gcrypt', 'gpg-error', 'nghttp2', 'idn2', 'unistring', 'tasn1', 'p11-kit', 'krb5', 'ldap',
  'sasl2', 'expat', 'readline', 'ncurses', 'gmp', 'mpfr', 'jansson', 'uv', 'event', 'nss', 'nspr', 'db5.3', 'gdbm',
  'bz2', 'magic', 'pam', 'seccomp', 'audit', 'blkid', 'mount', 'uuid', 'fdisk', 'smartcols', 'cryptsetup', 'json-c'];

function debianVersion(seed: number, id: string, name: string): string {
  const h = hash32(seed, 'pkgv', id, name);
  const base = `${1 + (h % 9)}.${(h >>> 4) % 30}.${(h >>> 9) % 20}`;
  const epoch = (h >>> 14) % 10 === 0 ? `${1 + ((h >>> 18) % 2)}:` : '';
  const tilde = (h >>> 20) % 16 === 0 ? `~rc${1 + ((h >>> 24) % 3)}` : (h >>> 20) % 16 === 1 ? '~bpo12+1' : '';
  const rev = (h >>> 26) % 4 === 0 ? `-${1 + ((h >>> 28) % 9)}+deb12u${1 + ((h >>> 5) % 5)}` : `-${1 + ((h >>> 28) % 9)}`;
  return `${epoch}${base}${tilde}${rev}`;
}

function rpmVersion(seed: number, id: string, name: string): string {
  const h = hash32(seed, 'pkgv', id, name);
  const base = `${1 + (h % 9)}.${(h >>> 4) % 30}.${(h >>> 9) % 20}`;
  const epoch = (h >>> 14) % 10 === 0 ? `${1 + ((h >>> 18) % 3)}:` : '';
  const tilde = (h >>> 20) % 24 === 0 ? '~beta1' : '';
  const rel = `${1 + ((h >>> 22) % 40)}.el9${(h >>> 27) % 3 === 0 ? `_${1 + ((h >>> 29) % 4)}` : ''}`;
  return `${epoch}${base}${tilde}-${rel}`;
}

/** `pkg.list_pkgs` for a minion: `{name: version}`, sorted by name, ~200–400 entries. */
export function listPkgs(seed: number, id: string, role: string, osFamily: string): Record<string, string> {
  const rpm = osFamily === 'RedHat';
  const names = new Set<string>([...COMMON, ...(BY_ROLE[role] ?? [])]);
  const target = 200 + (hash32(seed, 'pkgcount', id) % 201);
  for (let i = 0; names.size < target; i++) {
    const stem = LIB_STEMS[i % LIB_STEMS.length];
    const variant = Math.floor(i / LIB_STEMS.length);
    if (unit(seed, 'pkgskip', id, i) < 0.15) continue;
    names.add(rpm ? `${stem}${variant ? `-compat${variant}` : ''}-libs` : `lib${stem}${variant + 1}`);
  }
  const out: Record<string, string> = {};
  for (const name of [...names].sort()) out[name] = rpm ? rpmVersion(seed, id, name) : debianVersion(seed, id, name);
  return out;
}
