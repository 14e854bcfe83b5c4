/** The WebSocket peer transport. */
export { peerCloseCodes } from './close-codes';
export type { TransportLogger, WsTransportOptions, WsTransportStats } from './options';
export { WsTransport } from './ws-transport';
