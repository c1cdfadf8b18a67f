package io.foyer.sso;

/**
 * Why a sign-in was refused: a stable reason (expired, wrong-issuer, wrong-audience, bad-signature, unknown-key,
 * wrong-nonce, ...) for clients and tests, and a detail for people. Neither carries any part of the token.
 */
public final class SignInFailure extends RuntimeException {

  private final String reason;

  public SignInFailure(String reason, String detail) {
    super(detail, null, false, false);
    this.reason = reason;
  }

  public String reason() {
    return reason;
  }
}
