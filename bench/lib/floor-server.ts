/**
 * The floor: a bare @hono/node-server endpoint answering 204 to anything. What the collector reaches is read
 * as a share of what this process reaches under the same load on the same machine in the same run.
 */
import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import { Hono } from 'hono';
import { onTerminate, tellParent } from './child.ts';

export interface FloorReady {
  readonly url: string;
}

const app = new Hono();
app.all('*', (c) => c.body(null, 204));

const server = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, (info: AddressInfo) => {
  tellParent({ url: `http://127.0.0.1:${info.port}` } satisfies FloorReady);
});
onTerminate(
  () =>
    new Promise<void>((resolve, reject) => {
      server.close((error) => (error ? reject(error) : resolve()));
      if ('closeAllConnections' in server) server.closeAllConnections();
    }),
);
