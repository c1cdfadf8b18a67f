package io.foyer.gateway;

/**
 * The stable {@code code} of the gateway's own WebSocket error frames (docs/protocol.md). A failure that a
 * capability reported as a problem keeps the problem's own code, the same one HTTP clients see.
 */
enum ErrorCode {
  BAD_REQUEST("bad-request"),
  INVALID_JSON("invalid-json"),
  UNKNOWN_TYPE("unknown-type"),
  UNAUTHORIZED("unauthorized"),
  ALREADY_AUTHENTICATED("already-authenticated"),
  UNSUPPORTED_VERSION("unsupported-version"),
  FORBIDDEN("forbidden"),
  RATE_LIMITED("rate-limited"),
  UNAVAILABLE("unavailable");

  private final String code;

  ErrorCode(String code) {
    this.code = code;
  }

  String code() {
    return code;
  }
}
