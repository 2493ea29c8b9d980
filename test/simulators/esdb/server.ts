/**
 * An in-process gRPC server that speaks enough of the EventStoreDB protocol (Streams.Append and
 * Streams.Read: reads, `$all` reads, catch-up subscriptions with filters) for the real
 * `@eventstore/db-client` to run against it over a real connection.
 *
 * `ServerFeatures` is deliberately left unregistered: the client then falls back to the plain
 * `Streams.Append` instead of `BatchAppend`.
 */
import { Server, ServerCredentials, status, type sendUnaryData } from '@grpc/grpc-js';
import { handleAppend } from './append.js';
import { StreamsService, type IStreamsServer } from './proto.js';
import { handleRead } from './read.js';
import { EsdbSimulatorState } from './state.js';

export { EsdbSimulatorState } from './state.js';

export interface EsdbSimulator {
  /** `esdb://127.0.0.1:PORT?tls=false` */
  url: string;
  port: number;
  /** the log; pass it to a new simulator on the same port to "restart" the database */
  state: EsdbSimulatorState;
  /** Drops every connection at once (open subscriptions see the server go away). */
  stop(): Promise<void>;
}

export interface EsdbSimulatorOptions {
  /** 0 or absent: a free port */
  port?: number;
  state?: EsdbSimulatorState;
}

function unimplemented<Res>(_call: unknown, callback: sendUnaryData<Res>): void {
  callback({ code: status.UNIMPLEMENTED, details: 'not simulated' });
}

export async function startEsdbSimulator(
  options: EsdbSimulatorOptions = {},
): Promise<EsdbSimulator> {
  const state = options.state ?? new EsdbSimulatorState();
  const subscriptions = new Set<() => void>();
  const implementation: IStreamsServer = {
    read: (call) =>
      handleRead(state, call, (drop) => {
        subscriptions.add(drop);
        call.on('close', () => subscriptions.delete(drop));
      }),
    append: (call, callback) => handleAppend(state, call, callback),
    delete: unimplemented,
    tombstone: unimplemented,
    batchAppend: (call) => {
      call.emit('error', { code: status.UNIMPLEMENTED, details: 'not simulated' });
    },
  };

  const server = new Server();
  server.addService(StreamsService, implementation);
  const port = await new Promise<number>((resolve, reject) => {
    server.bindAsync(
      `127.0.0.1:${options.port ?? 0}`,
      ServerCredentials.createInsecure(),
      (error, bound) => (error ? reject(error) : resolve(bound)),
    );
  });

  return {
    url: `esdb://127.0.0.1:${port}?tls=false`,
    port,
    state,
    async stop() {
      for (const drop of subscriptions) drop();
      subscriptions.clear();
      // tryShutdown would wait for open subscriptions forever.
      server.forceShutdown();
    },
  };
}
