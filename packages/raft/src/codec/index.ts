/** The binary peer codec: frames of Raft messages. */

export { decodeBatch, decodeMessage } from './decode';
export {
  type EncodedFrames,
  encodeBatch,
  encodedMessageSize,
  encodeFrames,
  encodeMessage,
  type RejectedMessage,
} from './encode';
export { CodecError, type CodecErrorCode, isCodecError } from './errors';
export { peerCodecVersion } from './format';
export { type CodecLimits, defaultCodecLimits } from './limits';
export { isValidNodeId } from './node-id';
