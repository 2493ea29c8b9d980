/**
 * The gRPC service and message classes shipped with `@eventstore/db-client`. Responses must be
 * built from these very classes: the generated serializers check `instanceof`, so a second copy
 * of the protobuf code would not do.
 */
import Shared from '@eventstore/db-client/generated/shared_pb.js';
import Streams from '@eventstore/db-client/generated/streams_pb.js';

export { StreamsService } from '@eventstore/db-client/generated/streams_grpc_pb.js';
export type { IStreamsServer } from '@eventstore/db-client/generated/streams_grpc_pb.js';

export const { AppendReq, AppendResp, ReadReq, ReadResp } = Streams;
export const { Empty, StreamIdentifier, UUID } = Shared;

export type AppendReqMessage = InstanceType<typeof AppendReq>;
export type AppendRespMessage = InstanceType<typeof AppendResp>;
export type ReadReqMessage = InstanceType<typeof ReadReq>;
export type ReadRespMessage = InstanceType<typeof ReadResp>;
export type ReadOptions = InstanceType<typeof ReadReq.Options>;
export type FilterOptions = InstanceType<typeof ReadReq.Options.FilterOptions>;
export type ProposedMessage = InstanceType<typeof AppendReq.ProposedMessage>;

export function streamIdentifier(name: string): InstanceType<typeof StreamIdentifier> {
  return new StreamIdentifier().setStreamName(Buffer.from(name, 'utf8'));
}

export function streamName(identifier: InstanceType<typeof StreamIdentifier> | undefined): string {
  return identifier ? Buffer.from(identifier.getStreamName_asU8()).toString('utf8') : '';
}

/** The client sends string UUIDs, but the protocol also allows the structured form. */
export function parseUuid(uuid: InstanceType<typeof UUID> | undefined): string {
  if (!uuid) return '';
  if (!uuid.hasStructured()) return uuid.getString();
  const structured = uuid.getStructured()!;
  const bytes = Buffer.alloc(16);
  bytes.writeBigUInt64BE(BigInt.asUintN(64, BigInt(structured.getMostSignificantBits())), 0);
  bytes.writeBigUInt64BE(BigInt.asUintN(64, BigInt(structured.getLeastSignificantBits())), 8);
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
