// A TCP proxy on 127.0.0.1 that a test can cut and restore: the way to make a real database
// "unreachable" for one server without stopping the database itself.
import type { Socket } from "bun";

interface Link {
  upstream: Socket<Link> | null;
  pending: Uint8Array[];
  client: Socket<Link>;
}

export interface TcpProxy {
  port: number;
  /** Drops every open connection and refuses new ones. */
  cut(): void;
  restore(): void;
  stop(): void;
}

export function startTcpProxy(targetHost: string, targetPort: number): TcpProxy {
  let open = true;
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
        const link: Link = { upstream: null, pending: [], client };
        client.data = link;
        links.add(link);
        Bun.connect<Link>({
          hostname: targetHost,
          port: targetPort,
          data: link,
          socket: {
            open(up) {
              link.upstream = up;
              for (const chunk of link.pending) up.write(chunk);
              link.pending = [];
            },
            data(_up, chunk) {
              link.client.write(chunk);
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
        if (link.upstream) link.upstream.write(chunk);
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
    stop() {
      dropAll();
      server.stop(true);
    },
  };
}
