// Whether a URL's host is on the public internet, judged from the name alone (nothing is
// resolved: this server never fetches the URL, an upstream might). Loopback, private, link-local
// (cloud metadata at 169.254.169.254), carrier-grade NAT, multicast and reserved addresses are not;
// neither are names that only mean something inside a network (localhost, *.local, *.internal,
// single-label names). IP literals arrive normalized by the URL parser (0x7f.1 → 127.0.0.1).

/** IPv4 ranges that are not public, as [first octets, prefix length]. */
const PRIVATE_V4: Array<[number[], number]> = [
  [[0], 8],
  [[10], 8],
  [[100, 64], 10],
  [[127], 8],
  [[169, 254], 16],
  [[172, 16], 12],
  [[192, 0, 0], 24],
  [[192, 0, 2], 24],
  [[192, 168], 16],
  [[198, 18], 15],
  [[198, 51, 100], 24],
  [[203, 0, 113], 24],
  [[224], 4],
  [[240], 4],
];

const LOCAL_SUFFIXES = [".localhost", ".local", ".internal", ".localdomain", ".home.arpa", ".lan", ".intranet", ".corp"];

const v4Number = (octets: number[]) => octets.reduce((n, o) => n * 256 + o, 0);

function isPublicV4(octets: number[]): boolean {
  const address = v4Number(octets);
  return !PRIVATE_V4.some(([start, bits]) => {
    const base = v4Number([...start, 0, 0, 0].slice(0, 4));
    const size = 2 ** (32 - bits);
    return address >= base && address < base + size;
  });
}

function parseV4(host: string): number[] | null {
  const parts = host.split(".");
  if (parts.length !== 4 || !parts.every((p) => /^\d{1,3}$/.test(p) && Number(p) <= 255)) return null;
  return parts.map(Number);
}

/** The eight 16-bit groups of an IPv6 address as the URL parser writes it (no brackets). */
function parseV6(host: string): number[] | null {
  const [head, tail, ...rest] = host.split("::");
  if (rest.length) return null;
  const groups = (s: string | undefined) => (s ? s.split(":").map((g) => Number.parseInt(g, 16)) : []);
  const front = groups(head);
  const back = groups(tail);
  const missing = 8 - front.length - back.length;
  if (tail === undefined ? missing !== 0 : missing < 0) return null;
  const all = [...front, ...Array<number>(missing).fill(0), ...back];
  return all.every((g) => Number.isInteger(g) && g >= 0 && g <= 0xffff) ? all : null;
}

function isPublicV6(groups: number[]): boolean {
  const [first = 0] = groups;
  if (groups.every((g) => g === 0)) return false; // ::
  if (groups.slice(0, 7).every((g) => g === 0) && groups[7] === 1) return false; // ::1
  if ((first & 0xfe00) === 0xfc00 || (first & 0xffc0) === 0xfe80 || (first & 0xff00) === 0xff00) return false; // ULA, link-local, multicast
  if (first === 0x2001 && groups[1] === 0x0db8) return false; // documentation
  // IPv4 inside IPv6 (mapped ::ffff:a.b.c.d, compatible ::a.b.c.d, NAT64 64:ff9b::a.b.c.d): judge the IPv4.
  const embedsV4 = groups.slice(0, 5).every((g) => g === 0) && (groups[5] === 0xffff || groups[5] === 0);
  const nat64 = first === 0x64 && groups[1] === 0xff9b && groups.slice(2, 6).every((g) => g === 0);
  if (embedsV4 || nat64) return isPublicV4([groups[6]! >> 8, groups[6]! & 0xff, groups[7]! >> 8, groups[7]! & 0xff]);
  return true;
}

/** `hostname` as URL.hostname gives it (IPv6 in brackets). */
export function isPublicHost(hostname: string): boolean {
  const host = hostname.toLowerCase().replace(/\.$/, "");
  if (host.startsWith("[") && host.endsWith("]")) {
    const groups = parseV6(host.slice(1, -1));
    return groups !== null && isPublicV6(groups);
  }
  const v4 = parseV4(host);
  if (v4) return isPublicV4(v4);
  if (!host.includes(".") || host === "localhost") return false;
  return !LOCAL_SUFFIXES.some((suffix) => host.endsWith(suffix));
}
