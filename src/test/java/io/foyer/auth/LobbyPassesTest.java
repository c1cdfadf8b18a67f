package io.foyer.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.foyer.auth.LobbyPasses.Admission;
import io.foyer.auth.LobbyPasses.Ticket;
import io.foyer.problem.ProblemException;
import io.foyer.problem.ProblemType;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The lobby's tickets and admissions: what is signed reads back, and nothing else passes for either. */
class LobbyPassesTest {

  private static final String SECRET = "0123456789abcdef0123456789abcdef-lobby";
  private static Vertx vertx;
  private static LobbyPasses passes;

  @BeforeAll
  static void start() {
    vertx = Vertx.vertx();
    passes = new LobbyPasses(AttendeeTokens.signer(vertx, SECRET, true), SECRET);
  }

  @AfterAll
  static void stop() {
    vertx.close();
  }

  @Test
  void aTicketReadsBackAsSignedAndIsTheTokenTheJwtLibraryWouldSign() {
    Ticket ticket = new Ticket(7, 1234, 1_795_000_000_123L);

    assertThat(join(passes.readTicket(passes.ticket(ticket)))).isEqualTo(ticket);
    assertThat(passes.ticket(ticket)).isEqualTo(AttendeeTokens.sign(AttendeeTokens.signer(vertx, SECRET, false),
        new JsonObject().put("role", "lobby-ticket").put("event", 7).put("n", 1234)
            .put("seen", 1_795_000_000_123L)));
  }

  @Test
  void anAdmissionReadsBackAndSignsTheSameTwice() {
    Instant issued = Instant.ofEpochSecond(Instant.now().getEpochSecond());
    Admission admission = new Admission(7, "q12", issued.plusSeconds(600));

    String token = passes.admission(admission, issued);

    assertThat(passes.admission(admission, issued)).isEqualTo(token);
    assertThat(join(passes.readAdmission(token))).isEqualTo(admission);
  }

  @Test
  void anExpiredAdmissionIsToldApartFromAForgedOne() {
    Instant issued = Instant.now().minus(Duration.ofHours(1));
    String expired = passes.admission(new Admission(7, "q1", issued.plusSeconds(60)), issued);

    assertProblem(passes.readAdmission(expired), ProblemType.ADMISSION_EXPIRED);
    assertProblem(passes.readAdmission(expired.substring(0, expired.length() - 2) + "xx"),
        ProblemType.INVALID_ADMISSION);
  }

  @Test
  void aTicketIsNoAdmissionAndAnAdmissionNoTicket() {
    Instant issued = Instant.now();
    String ticket = passes.ticket(new Ticket(7, 1, issued.toEpochMilli()));
    String admission = passes.admission(new Admission(7, "q1", issued.plusSeconds(600)), issued);
    LobbyPasses otherSecret = new LobbyPasses(AttendeeTokens.signer(vertx, SECRET + "-other", true),
        SECRET + "-other");

    assertProblem(passes.readAdmission(ticket), ProblemType.INVALID_ADMISSION);
    assertProblem(passes.readTicket(admission), ProblemType.INVALID_TICKET);
    assertProblem(otherSecret.readTicket(ticket), ProblemType.INVALID_TICKET);
    assertProblem(passes.readTicket("not.a.token"), ProblemType.INVALID_TICKET);
    assertProblem(passes.readTicket(""), ProblemType.INVALID_TICKET);
  }

  private static <T> T join(Future<T> future) {
    try {
      return future.toCompletionStage().toCompletableFuture().get(5, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  private static void assertProblem(Future<?> future, ProblemType type) {
    assertThatThrownBy(() -> join(future)).hasRootCauseInstanceOf(ProblemException.class)
        .rootCause().satisfies(cause -> assertThat(((ProblemException) cause).type()).isEqualTo(type));
  }
}
