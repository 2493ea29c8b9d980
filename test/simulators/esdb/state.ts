/**
 * The simulator's log, kept apart from the gRPC server so a test can stop the server and start a
 * new one on the same port over the same data (the database "going away and coming back").
 */

export interface StoredEvent {
  streamName: string;
  revision: number;
  id: string;
  type: string;
  contentType: string;
  data: Uint8Array;
  customMetadata: Uint8Array;
  /** .NET ticks since the Unix epoch, as EventStoreDB records them */
  created: string;
  /** byte offsets in the log, like the real server's (commit and prepare are equal here) */
  commit: number;
  prepare: number;
}

export interface ProposedEvent {
  id: string;
  type: string;
  contentType: string;
  data: Uint8Array;
  customMetadata: Uint8Array;
}

export type ExpectedRevision =
  | { kind: 'any' }
  | { kind: 'no_stream' }
  | { kind: 'stream_exists' }
  | { kind: 'exact'; revision: number };

export type AppendOutcome =
  | { kind: 'success'; currentRevision: number; position: { commit: number; prepare: number } }
  | { kind: 'success_empty'; currentRevision: number | 'no_stream' }
  | {
      kind: 'wrong_expected_version';
      current: number | 'no_stream';
      expected: ExpectedRevision;
    };

export type AppendListener = (events: readonly StoredEvent[]) => void;

/** a fixed per-record overhead, so positions grow like byte offsets and are not contiguous */
const RECORD_OVERHEAD = 64;

export class EsdbSimulatorState {
  readonly all: StoredEvent[] = [];
  private readonly streams = new Map<string, StoredEvent[]>();
  private readonly listeners = new Set<AppendListener>();
  /** The real log starts after a header, so no event sits at the `START` position 0/0. */
  private nextOffset = 256;

  constructor(options: { systemEvents?: boolean } = {}) {
    // A real `$all` starts with the server's own events; an adapter must not show them.
    if (options.systemEvents ?? true) {
      const empty = new Uint8Array();
      this.write('$epochs', [
        {
          id: '00000000-0000-4000-8000-000000000001',
          type: '$epoch-information',
          contentType: 'application/json',
          data: Buffer.from('{"epochNumber":0}'),
          customMetadata: empty,
        },
      ]);
      this.write('$users', [
        {
          id: '00000000-0000-4000-8000-000000000002',
          type: '$UserCreated',
          contentType: 'application/json',
          data: Buffer.from('{"loginName":"admin"}'),
          customMetadata: empty,
        },
      ]);
    }
  }

  stream(name: string): readonly StoredEvent[] | undefined {
    return this.streams.get(name);
  }

  /**
   * The stream as reads see it: without the events before its `$tb` (truncate before) metadata,
   * which the real server hides at once and drops at the next scavenge.
   */
  readable(name: string): readonly StoredEvent[] | undefined {
    const stream = this.streams.get(name);
    const truncateBefore = this.truncateBefore(name);
    if (!stream || truncateBefore === 0) return stream;
    return stream.filter((e) => e.revision >= truncateBefore);
  }

  private truncateBefore(name: string): number {
    const meta = this.streams.get(`$$${name}`)?.at(-1);
    if (!meta || meta.type !== '$metadata') return 0;
    try {
      const parsed = JSON.parse(Buffer.from(meta.data).toString('utf8')) as { $tb?: unknown };
      return typeof parsed.$tb === 'number' ? parsed.$tb : 0;
    } catch {
      return 0;
    }
  }

  append(name: string, expected: ExpectedRevision, events: ProposedEvent[]): AppendOutcome {
    const stream = this.streams.get(name) ?? [];
    const current = stream.length - 1;
    const retried = retriedAppend(stream, events);
    if (retried) return retried;
    if (!holds(expected, current)) {
      return {
        kind: 'wrong_expected_version',
        current: current === -1 ? 'no_stream' : current,
        expected,
      };
    }
    if (events.length === 0) {
      return { kind: 'success_empty', currentRevision: current === -1 ? 'no_stream' : current };
    }
    const written = this.write(name, events);
    const last = written.at(-1)!;
    return {
      kind: 'success',
      currentRevision: last.revision,
      position: { commit: last.commit, prepare: last.prepare },
    };
  }

  /** Listeners run synchronously inside the append, so a subscriber never misses a write. */
  onAppend(listener: AppendListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private write(name: string, events: ProposedEvent[]): StoredEvent[] {
    const stream = this.streams.get(name) ?? [];
    this.streams.set(name, stream);
    const created = (BigInt(Date.now()) * 10_000n).toString();
    const written: StoredEvent[] = [];
    for (const event of events) {
      const offset = this.nextOffset;
      this.nextOffset += RECORD_OVERHEAD + event.data.length + event.customMetadata.length;
      const stored: StoredEvent = {
        ...event,
        streamName: name,
        revision: stream.length,
        created,
        commit: offset,
        prepare: offset,
      };
      stream.push(stored);
      this.all.push(stored);
      written.push(stored);
    }
    for (const listener of [...this.listeners]) listener(written);
    return written;
  }
}

function holds(expected: ExpectedRevision, current: number): boolean {
  switch (expected.kind) {
    case 'any':
      return true;
    case 'no_stream':
      return current === -1;
    case 'stream_exists':
      return current >= 0;
    case 'exact':
      return expected.revision === current;
  }
}

/** The real server answers an append of ids already at the stream's end with the first result. */
function retriedAppend(stream: StoredEvent[], events: ProposedEvent[]): AppendOutcome | null {
  if (events.length === 0 || stream.length < events.length) return null;
  const tail = stream.slice(stream.length - events.length);
  if (!tail.every((e, i) => e.id === events[i]?.id)) return null;
  const last = tail.at(-1)!;
  return {
    kind: 'success',
    currentRevision: last.revision,
    position: { commit: last.commit, prepare: last.prepare },
  };
}
