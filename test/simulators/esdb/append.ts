import type { sendUnaryData, ServerReadableStream } from '@grpc/grpc-js';
import {
  AppendResp,
  Empty,
  parseUuid,
  streamName,
  type AppendReqMessage,
  type AppendRespMessage,
} from './proto.js';
import type {
  AppendOutcome,
  EsdbSimulatorState,
  ExpectedRevision,
  ProposedEvent,
} from './state.js';

/** `Streams.Append`: the first message carries the options, each further one an event. */
export function handleAppend(
  state: EsdbSimulatorState,
  call: ServerReadableStream<AppendReqMessage, AppendRespMessage>,
  callback: sendUnaryData<AppendRespMessage>,
): void {
  let stream: string | null = null;
  let expected: ExpectedRevision = { kind: 'any' };
  const events: ProposedEvent[] = [];

  call.on('data', (req: AppendReqMessage) => {
    const options = req.getOptions();
    if (options) {
      stream = streamName(options.getStreamIdentifier());
      expected = expectedRevision(options);
      return;
    }
    const message = req.getProposedMessage();
    if (!message) return;
    const metadata = message.getMetadataMap();
    events.push({
      id: parseUuid(message.getId()),
      type: metadata.get('type') ?? '',
      contentType: metadata.get('content-type') ?? 'application/octet-stream',
      data: message.getData_asU8(),
      customMetadata: message.getCustomMetadata_asU8(),
    });
  });
  // A client that goes away mid-append leaves nothing written, like the real server.
  call.on('error', () => {});
  call.on('end', () => {
    if (stream === null) {
      callback({ code: 3, details: 'append without options' });
      return;
    }
    callback(null, toResponse(state.append(stream, expected, events)));
  });
}

function expectedRevision(
  options: NonNullable<ReturnType<AppendReqMessage['getOptions']>>,
): ExpectedRevision {
  if (options.hasRevision()) return { kind: 'exact', revision: Number(options.getRevision()) };
  if (options.hasNoStream()) return { kind: 'no_stream' };
  if (options.hasStreamExists()) return { kind: 'stream_exists' };
  return { kind: 'any' };
}

function toResponse(outcome: AppendOutcome): AppendRespMessage {
  const resp = new AppendResp();
  switch (outcome.kind) {
    case 'success': {
      const position = new AppendResp.Position()
        .setCommitPosition(String(outcome.position.commit))
        .setPreparePosition(String(outcome.position.prepare));
      return resp.setSuccess(
        new AppendResp.Success()
          .setCurrentRevision(String(outcome.currentRevision))
          .setPosition(position),
      );
    }
    case 'success_empty': {
      const success = new AppendResp.Success().setNoPosition(new Empty());
      if (outcome.currentRevision === 'no_stream') success.setNoStream(new Empty());
      else success.setCurrentRevision(String(outcome.currentRevision));
      return resp.setSuccess(success);
    }
    case 'wrong_expected_version': {
      const wrong = new AppendResp.WrongExpectedVersion();
      if (outcome.current === 'no_stream') wrong.setCurrentNoStream(new Empty());
      else wrong.setCurrentRevision(String(outcome.current));
      const expected = outcome.expected;
      switch (expected.kind) {
        case 'any':
          wrong.setExpectedAny(new Empty());
          break;
        case 'no_stream':
          wrong.setExpectedNoStream(new Empty());
          break;
        case 'stream_exists':
          wrong.setExpectedStreamExists(new Empty());
          break;
        case 'exact':
          wrong.setExpectedRevision(String(expected.revision));
          break;
      }
      return resp.setWrongExpectedVersion(wrong);
    }
  }
}
