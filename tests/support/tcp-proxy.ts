// A TCP proxy on 127.0.0.1 that a test can cut and restore, or freeze and thaw: the way to make a
// real database "unreachable" or "hung" for one server without stopping the database itself.
import type { Socket } from "bun";

interface Link {
  upstream: Socket<Link> | null;
  pending: Uint8Array[];
  /** Bytes from upstream held back while frozen. */
  held: Uint8Array[];
  client: Socket<Link>;
}

export interface TcpProxy {
  port: number;
  /** Drops every open connection and refuses new ones. */
  cut(): void;
  restore(): void;
  /** Keeps connections open but passes no byte either way (like a SIGSTOPped server). */
  freeze(): void;
  /** Delivers what was held back and passes bytes again. */
  thaw(): void;
  stop(): void;
}

export function startTcpProxy(targetHost: string, targetPort: number): TcpProxy {
  let open = true;
  let frozen = false;
  const links = new Set<Link>();

  const server = Bun.listen<Link>({
    hostname: "127.0.0.1",
    port: 0,
    socket: {
      open(client) {
        if (!open) {
          client.end();
          return;
        }
        const link: Link = { upstream: null, pending: [], held: [], client };
        client.data = link;
        links.add(link);
        Bun.connect<Link>({
          hostname: targetHost,
          port: targetPort,
          data: link,
          socket: {
            open(up) {
              link.upstream = up;
              if (frozen) return;
              for (const chunk of link.pending) up.write(chunk);
              link.pending = [];
            },
            data(_up, chunk) {
              if (frozen) link.held.push(new Uint8Array(chunk));
              else link.client.write(chunk);
            },
            close() {
              link.client.end();
              links.delete(link);
            },
            error() {
              link.client.end();
            },
          },
        }).catch(() => client.end());
      },
      data(client, chunk) {
        const link = client.data;
        if (link.upstream && !frozen) link.upstream.write(chunk);
        else link.pending.push(new Uint8Array(chunk));
      },
      close(client) {
        client.data?.upstream?.end();
        if (client.data) links.delete(client.data);
      },
    },
  });

  const dropAll = () => {
    for (const link of links) {
      link.upstream?.end();
      link.client.end();
    }
    links.clear();
  };

  return {
    port: server.port,
    cut() {
      open = false;
      dropAll();
    },
    restore() {
      open = true;
    },
    freeze() {
      frozen = true;
    },
    thaw() {
      frozen = false;
      for (const link of links) {
        for (const chunk of link.held) link.client.write(chunk);
        link.held = [];
        if (!link.upstream) continue;
        for (const chunk of link.pending) link.upstream.write(chunk);
        link.pending = [];
      }
    },
    stop() {
      dropAll();
      server.stop(true);
    },
  };
}

/** A TCP proxy in front of a database URL's server, and the same URL through the proxy (to cut, freeze or thaw it). */
export function proxyDatabase(databaseUrl: string): { proxy: TcpProxy; url: string } {
  const target = new URL(databaseUrl);
  const proxy = startTcpProxy(target.hostname, Number(target.port || 5432));
  const viaProxy = new URL(databaseUrl);
  viaProxy.hostname = "127.0.0.1";
  viaProxy.port = String(proxy.port);
  return { proxy, url: viaProxy.toString() };
}
