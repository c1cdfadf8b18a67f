package io.foyer.gateway;

/** WebSocket close codes the gateway uses; documented in docs/protocol.md. Clients act on them. */
final class CloseCodes {

  private CloseCodes() {}

  /** Node restarting or shutting down: reconnect (to any node) and resume. */
  static final short SERVICE_RESTART = 1012;
  /** The node could not check the token right now (database or Redis unreachable): reconnect with backoff. */
  static final short TRY_AGAIN_LATER = 1013;
  /** A message larger than gateway.maxMessageBytes. */
  static final short TOO_BIG = 1009;
  /** No valid authentication within gateway.authTimeoutSeconds, or an invalid token: do not retry as is. */
  static final short UNAUTHORIZED = 4001;
  /** Nothing received (not even a pong) within gateway.idleTimeoutSeconds: reconnect and resume. */
  static final short IDLE = 4002;
  /** The protocol version is not supported. */
  static final short UNSUPPORTED_VERSION = 4003;
  /**
   * The event's live page is full while its lobby is open: join the lobby and connect again with the admission it
   * gives (docs/protocol.md#lobby).
   */
  static final short ADMISSION_REQUIRED = 4007;
  /** The client did not read fast enough and its queue passed gateway.writeQueueMaxBytes: reconnect and resume. */
  static final short TOO_SLOW = 4008;
  /** The client kept sending above its rate limit. */
  static final short RATE_LIMITED = 4029;
}
