// Which hosts count as public, decided from the name alone (the URL parser normalizes IP forms first).
import { expect, test } from "bun:test";
import { isPublicHost } from "../../src/lib/public-host.ts";

const hostOf = (url: string) => new URL(url).hostname;

test.each([
  ["https://example.com/", true],
  ["https://api.openai.com/", true],
  ["https://8.8.8.8/", true],
  ["https://172.32.0.1/", true],
  ["https://[2606:4700::1111]/", true],
  ["https://[::ffff:8.8.8.8]/", true],
  ["https://127.0.0.1/", false],
  ["https://127.1/", false],
  ["https://017700000001/", false],
  ["https://10.0.0.1/", false],
  ["https://172.31.255.255/", false],
  ["https://192.168.0.1/", false],
  ["https://169.254.169.254/", false],
  ["https://100.127.255.255/", false],
  ["https://224.0.0.1/", false],
  ["https://255.255.255.255/", false],
  ["https://[::]/", false],
  ["https://[::1]/", false],
  ["https://[::ffff:10.0.0.1]/", false],
  ["https://[64:ff9b::a9fe:a9fe]/", false],
  ["https://[fc00::1]/", false],
  ["https://[fe80::1%25eth0]/", false],
  ["https://[ff02::1]/", false],
  ["https://localhost./", false],
  ["https://a.b.localhost/", false],
  ["https://service.internal/", false],
  ["https://nas.home.arpa/", false],
  ["https://router/", false],
] as const)("%s → public: %p", (url, expected) => {
  let host: string;
  try {
    host = hostOf(url);
  } catch {
    expect(expected).toBe(false); // the URL parser refuses it, which refuses the part too
    return;
  }
  expect(isPublicHost(host)).toBe(expected);
});
