// A misbehaving front for a real registry: forwards requests, counts them, and can corrupt or cut a blob on demand.
import * as http from 'node:http';

export type BlobFault = 'flip' | 'cut';

export class RegistryProxy {
  /** GET requests seen, by path. */
  readonly gets = new Map<string, number>();
  /** Faults to apply to blob GETs, by digest. */
  readonly faults = new Map<string, BlobFault>();
  /** Answer every manifest request with this status instead of forwarding it. */
  manifestStatus?: number;
  /** Never answer manifest requests (a registry that hangs). */
  stallManifests = false;
  /** Answer every manifest request with this body (an OCI index media type), as a hostile registry could. */
  manifestBody?: string;
  /** Blob GETs held back until released, by digest (see `hold`). */
  private readonly held = new Map<string, { reached: () => void; released: Promise<void> }>();

  private constructor(private readonly server: http.Server, readonly port: number) {}

  get host(): string {
    return `127.0.0.1:${this.port}`;
  }

  static async start(targetPort: number): Promise<RegistryProxy> {
    let self: RegistryProxy | undefined;
    const server = http.createServer((req, res) => self!.forward(targetPort, req, res));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    self = new RegistryProxy(server, (server.address() as { port: number }).port);
    return self;
  }

  /**
   * Holds back the next GET of a blob: `reached` resolves when the request arrives (the pull has stored
   * what came before it), and the request goes on to the registry once `release()` is called.
   */
  hold(digest: string): { reached: Promise<void>; release: () => void } {
    let reached!: () => void;
    let release!: () => void;
    const arrived = new Promise<void>((r) => { reached = r; });
    this.held.set(digest, { reached, released: new Promise<void>((r) => { release = r; }) });
    return { reached: arrived, release };
  }

  private forward(targetPort: number, req: http.IncomingMessage, res: http.ServerResponse): void {
    const url = req.url ?? '/';
    const held = [...this.held].find(([d]) => url.endsWith(`/blobs/${d}`));
    if (req.method === 'GET' && held) {
      this.held.delete(held[0]);
      held[1].reached();
      void held[1].released.then(() => this.forward(targetPort, req, res));
      return;
    }
    if (req.method === 'GET') this.gets.set(url, (this.gets.get(url) ?? 0) + 1);
    if (this.stallManifests && url.includes('/manifests/')) return;
    if (this.manifestBody !== undefined && url.includes('/manifests/')) {
      res.writeHead(200, { 'content-type': 'application/vnd.oci.image.index.v1+json' }).end(this.manifestBody);
      return;
    }
    if (this.manifestStatus && url.includes('/manifests/')) {
      res.writeHead(this.manifestStatus, { 'content-type': 'application/json' })
        .end(JSON.stringify({ errors: [{ code: 'DENIED', message: 'the proxy says no' }] }));
      return;
    }
    const fault = [...this.faults].find(([d]) => url.endsWith(`/blobs/${d}`))?.[1];
    const up = http.request({ host: '127.0.0.1', port: targetPort, method: req.method, path: url, headers: req.headers }, (upRes) => {
      if (!fault) {
        res.writeHead(upRes.statusCode ?? 502, upRes.headers);
        upRes.pipe(res);
        return;
      }
      const chunks: Buffer[] = [];
      upRes.on('data', (c: Buffer) => chunks.push(c));
      upRes.on('end', () => {
        const body = Buffer.concat(chunks);
        res.writeHead(upRes.statusCode ?? 502, { ...upRes.headers, 'content-length': String(body.length) });
        if (fault === 'flip') {
          body[body.length - 1] ^= 0xff;
          res.end(body);
        } else {
          // The registry "goes away" in the middle of the blob: half of it, then the connection is cut.
          res.write(body.subarray(0, Math.floor(body.length / 2)), () => setTimeout(() => res.socket?.destroy(), 20));
        }
      });
    });
    up.on('error', () => res.destroy());
    req.pipe(up);
  }

  close(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((r) => this.server.close(() => r()));
  }
}
