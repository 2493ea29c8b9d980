/**
 * Snapshots on EventStoreDB, by its convention: a stream of their own beside the source stream,
 * read backwards from the end. `snapshot-{streamId}` rather than a `$`-prefixed name: a
 * `$` stream is a system stream that a secured cluster lets only admins read and write. The
 * event type is `$snapshot`, a system-looking type, so every `$all` read and subscription of the
 * adapter (which drop `$` types) and the server's `excludeSystemEvents()` filter leave it out:
 * projections and the audit log never see one.
 *
 * The state is gzip-compressed JSON (snapshot-encoding.ts) cut into parts of SNAPSHOT_PART_BYTES, one
 * part per append, since the server refuses appends over 1 MiB by default. Every part carries
 * the snapshot's id, revision, schema version and its index; a snapshot counts only when its
 * last part is the stream's last event and every part before it is there, so an interrupted
 * write is never read (the next write replaces it). Appends expect the revision read, so two
 * writers cannot interleave their parts. After a write, `$tb` (truncate before) lets the
 * server's scavenge drop the earlier snapshots.
 */
import { randomUUID } from 'node:crypto';
import {
  BACKWARDS,
  binaryEvent,
  END,
  StreamNotFoundError,
  WrongExpectedVersionError,
  type EventStoreDBClient,
  type ResolvedEvent,
} from '@eventstore/db-client';
import {
  snapshotSupersedes,
  type NewSnapshot,
  type StoredSnapshot,
} from '../../../application/ports/event-store.js';
import { decodeSnapshotState, encodeSnapshotState } from '../snapshot-encoding.js';

export const SNAPSHOT_EVENT_TYPE = '$snapshot';
/** Half the server's default 1 MiB append limit: room for metadata and a lowered limit. */
export const SNAPSHOT_PART_BYTES = 512 * 1024;

export function snapshotStreamOf(streamId: string): string {
  return `snapshot-${streamId}`;
}

interface PartMetadata {
  snapshotId: string;
  revision: number;
  schemaVersion: number;
  part: number;
  parts: number;
}

interface Part {
  meta: PartMetadata;
  /** the part's revision in the snapshot stream */
  at: number;
  data: Uint8Array;
  created: Date;
}

function toPart(resolved: ResolvedEvent): Part | null {
  const event = resolved.event;
  if (!event || event.type !== SNAPSHOT_EVENT_TYPE || event.isJson) return null;
  const meta = event.metadata as Partial<PartMetadata> | undefined;
  if (
    typeof meta?.snapshotId !== 'string' ||
    typeof meta.revision !== 'number' ||
    typeof meta.schemaVersion !== 'number' ||
    typeof meta.part !== 'number' ||
    typeof meta.parts !== 'number'
  ) {
    return null;
  }
  return {
    meta: meta as PartMetadata,
    at: Number(event.revision),
    data: event.data as Uint8Array,
    created: event.created,
  };
}

async function readBackwards(
  client: EventStoreDBClient,
  stream: string,
  from: bigint | typeof END,
  count: number,
): Promise<{ parts: Array<Part | null>; lastRevision: bigint | null }> {
  const parts: Array<Part | null> = [];
  let lastRevision: bigint | null = null;
  try {
    for await (const resolved of client.readStream(stream, {
      direction: BACKWARDS,
      fromRevision: from,
      maxCount: count,
    })) {
      lastRevision ??= resolved.event?.revision ?? null;
      parts.push(toPart(resolved));
    }
    return { parts, lastRevision };
  } catch (error) {
    if (error instanceof StreamNotFoundError) return { parts: [], lastRevision: null };
    throw error;
  }
}

/** The snapshot stream's last event: its revision, and the part it is (null if not a part). */
async function lastPart(client: EventStoreDBClient, stream: string) {
  const { parts, lastRevision } = await readBackwards(client, stream, END, 1);
  return { revision: lastRevision, part: parts[0] ?? null };
}

export async function readEsdbSnapshot(
  client: EventStoreDBClient,
  streamId: string,
): Promise<StoredSnapshot | null> {
  const stream = snapshotStreamOf(streamId);
  const { part: last } = await lastPart(client, stream);
  if (!last || last.meta.part !== last.meta.parts - 1) return null;
  const parts: Part[] = [last];
  if (last.meta.parts > 1) {
    const earlier = await readBackwards(client, stream, BigInt(last.at - 1), last.meta.parts - 1);
    for (const part of earlier.parts) {
      if (!part || part.meta.snapshotId !== last.meta.snapshotId) return null;
      parts.push(part);
    }
  }
  parts.reverse();
  if (!parts.every((p, i) => p.meta.part === i)) return null;
  return {
    streamId,
    revision: last.meta.revision,
    schemaVersion: last.meta.schemaVersion,
    state: await decodeSnapshotState(Buffer.concat(parts.map((p) => p.data))),
    created: last.created,
  };
}

export async function writeEsdbSnapshot(
  client: EventStoreDBClient,
  snapshot: NewSnapshot,
  partBytes = SNAPSHOT_PART_BYTES,
): Promise<boolean> {
  const stream = snapshotStreamOf(snapshot.streamId);
  const { revision: end, part } = await lastPart(client, stream);
  const complete = part && part.meta.part === part.meta.parts - 1 ? part.meta : null;
  if (!snapshotSupersedes(complete, snapshot)) return false;

  const bytes = await encodeSnapshotState(snapshot.state);
  const count = Math.max(1, Math.ceil(bytes.length / partBytes));
  const snapshotId = randomUUID();
  let expected: bigint | 'no_stream' = end ?? 'no_stream';
  let first: bigint | null = null;
  for (let i = 0; i < count; i++) {
    const metadata: PartMetadata = {
      snapshotId,
      revision: snapshot.revision,
      schemaVersion: snapshot.schemaVersion,
      part: i,
      parts: count,
    };
    const event = binaryEvent({
      type: SNAPSHOT_EVENT_TYPE,
      data: bytes.subarray(i * partBytes, (i + 1) * partBytes),
      metadata,
    });
    try {
      const result = await client.appendToStream(stream, event, { expectedRevision: expected });
      expected = result.nextExpectedRevision;
      first ??= result.nextExpectedRevision;
    } catch (error) {
      // Another writer appended since our read: the stream is its (our parts, if any, are
      // no longer at the end, so never read). Never winding a stored snapshot back matters
      // more than this one; a later command writes again.
      if (error instanceof WrongExpectedVersionError) return false;
      throw error;
    }
  }
  if (first !== null && first > 0n) {
    await client.setStreamMetadata(stream, { truncateBefore: Number(first) });
  }
  return true;
}
