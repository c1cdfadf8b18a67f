package io.foyer.interactions;

import io.foyer.auth.Runner;
import io.vertx.core.json.JsonObject;
import java.util.UUID;

/**
 * The interactions capability's addresses (polls now, quizzes later) and the typed messages they carry, passed
 * as they are inside a node. The HTTP routes and the gateway talk to interactions only through these.
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
  public enum Action {
    LAUNCH("launch"), CLOSE("close"), REOPEN("reopen"), SHOW_RESULTS("reveal"), HIDE_RESULTS("hide");

    private final String apiName;

    Action(String apiName) {
      this.apiName = apiName;
    }

    /** The action of that API name, or null. */
    public static Action named(String name) {
      for (Action action : values()) {
        if (action.apiName.equals(name)) {
          return action;
        }
      }
      return null;
    }

    /** The API names, for error messages. */
    public static String names() {
      return String.join(", ", java.util.Arrays.stream(values()).map(action -> action.apiName).toList());
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
}
