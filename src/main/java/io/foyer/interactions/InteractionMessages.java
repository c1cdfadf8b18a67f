package io.foyer.interactions;

import io.foyer.auth.Runner;
import io.vertx.core.json.JsonObject;
import java.util.UUID;

/**
 * The interactions capability's addresses (polls and quizzes) and the typed messages they carry, passed as they
 * are inside a node. The HTTP routes and the gateway talk to interactions only through these.
 */
public final class InteractionMessages {

  private InteractionMessages() {}

  public static final String CREATE = "foyer.interactions.create";
  public static final String UPDATE = "foyer.interactions.update";
  public static final String LIST = "foyer.interactions.list";
  public static final String GET = "foyer.interactions.get";
  public static final String RUN = "foyer.interactions.run";
  public static final String RESULTS = "foyer.interactions.results";
  public static final String EXPORT = "foyer.interactions.export";
  public static final String VOTE = "foyer.interactions.vote";
  public static final String QUIZ_CREATE = "foyer.interactions.quiz.create";
  public static final String QUIZ_LIST = "foyer.interactions.quiz.list";
  public static final String QUIZ_GET = "foyer.interactions.quiz.get";
  public static final String QUIZ_RUN = "foyer.interactions.quiz.run";
  public static final String QUIZ_ANSWER = "foyer.interactions.quiz.answer";

  /** An action named in the API (a path segment, a socket message's action). */
  public interface Named {
    String apiName();
  }

  /** The value of that API name, or null. */
  public static <E extends Enum<E> & Named> E named(E[] values, String name) {
    for (E value : values) {
      if (value.apiName().equals(name)) {
        return value;
      }
    }
    return null;
  }

  /** The API names, for error messages. */
  public static <E extends Enum<E> & Named> String names(E[] values) {
    return String.join(", ", java.util.Arrays.stream(values).map(Named::apiName).toList());
  }

  /** A new draft poll from an organizer's body. Answer: the poll. */
  public record CreatePoll(long eventId, JsonObject body, Runner runner) {}

  /** A change of a draft: the members given replace the stored ones, then the whole is checked. Answer: the poll. */
  public record UpdatePoll(long eventId, long pollId, JsonObject patch, Runner runner) {}

  /**
   * An event's polls. attendee null: an organizer, who sees every poll with every translation; else the
   * attendee's registration, who sees the polls that are not drafts, in its language. Answer: {polls: [...]}.
   */
  public record ListPolls(long eventId, UUID attendee) {}

  /** One poll, seen as in {@link ListPolls}; an attendee also gets the results when they are visible. */
  public record OfPoll(long eventId, long pollId, UUID attendee) {}

  /** What the people running a poll do with it, by the name the API gives it. */
  public enum Action implements Named {
    LAUNCH("launch"), CLOSE("close"), REOPEN("reopen"), SHOW_RESULTS("reveal"), HIDE_RESULTS("hide");

    private final String apiName;

    Action(String apiName) {
      this.apiName = apiName;
    }

    @Override
    public String apiName() {
      return apiName;
    }

    /** The action of that API name, or null. */
    public static Action named(String name) {
      return InteractionMessages.named(values(), name);
    }

    /** The API names, for error messages. */
    public static String names() {
      return InteractionMessages.names(values());
    }
  }

  /** An action on a poll, pushed to its audience once done. Answer: the poll. */
  public record Run(long eventId, long pollId, Action action, Runner runner) {}

  /** The results now: final once closed, else the live tally, whether or not the audience sees them. */
  public record ResultsQuery(long eventId, long pollId, Long onlySession) {}

  /** The final results of a closed poll as a file. Answer: {@link Exported}. */
  public record Export(long eventId, long pollId, boolean csv, Long onlySession) {}

  /** A file and its content type. */
  public record Exported(String contentType, String body) {}

  /**
   * An attendee's ballot; voteId is the client's UUID for it (a retry sends the same). Answered once the ballot
   * is durable: {pollId, voteId, outcome (cast, changed or replayed), answer}.
   */
  public record Vote(long eventId, UUID registrationId, long pollId, Object voteId, Object answer) {}

  /** A new draft quiz from an organizer's or presenter's body. Answer: the quiz (no correct answers: none closed). */
  public record CreateQuiz(long eventId, JsonObject body, Runner runner) {}

  /**
   * An event's quizzes. attendee null: those who run them, who see every question (correct options of closed ones
   * only); else the attendee's registration, who sees the quizzes that are not drafts, each with its current
   * question only. Answer: {quizzes: [...]}.
   */
  public record ListQuizzes(long eventId, UUID attendee) {}

  /**
   * One quiz, seen as in {@link ListQuizzes}. An attendee gets what a player needs to carry on after a reconnect:
   * {quiz (with its current question, its remaining time, never its correct options while open), you}.
   */
  public record OfQuiz(long eventId, long quizId, UUID attendee) {}

  /** What those who run a quiz do with it, by the name the API gives it. */
  public enum QuizAction implements Named {
    START("start"), NEXT("next"), CLOSE("close"), FINISH("finish");

    private final String apiName;

    QuizAction(String apiName) {
      this.apiName = apiName;
    }

    @Override
    public String apiName() {
      return apiName;
    }

    /** The action of that API name, or null. */
    public static QuizAction named(String name) {
      return InteractionMessages.named(values(), name);
    }

    /** The API names, for error messages. */
    public static String names() {
      return InteractionMessages.names(values());
    }
  }

  /** An action on a quiz, pushed to its audience once done. Answer: the quiz as those who run it see it. */
  public record RunQuiz(long eventId, long quizId, QuizAction action, Runner runner) {}

  /**
   * A player's answer to the question at position (from 1); answerId is the client's UUID for it (a retry sends
   * the same), receivedAtMillis the node's clock when it arrived, from which its response time is measured.
   * Answered once durable: {quizId, position, answerId, outcome (recorded or replayed), answer, responseMs}.
   */
  public record QuizAnswer(long eventId, UUID registrationId, long quizId, long position, Object answerId,
      Object answer, long receivedAtMillis) {}
}
