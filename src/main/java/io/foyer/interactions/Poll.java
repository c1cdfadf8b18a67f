package io.foyer.interactions;

import io.foyer.gateway.Topic;
import io.foyer.http.Times;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;
import java.time.OffsetDateTime;
import java.util.List;

/** A stored poll: its definition, where it runs, its state. */
record Poll(long id, long eventId, PollDefinition definition, Status status, OffsetDateTime createdAt,
    OffsetDateTime updatedAt, OffsetDateTime launchedAt, OffsetDateTime closedAt, JsonObject finalResults) {

  /** A poll's life: drafted, then live (taking ballots), then closed (and maybe live again). */
  enum Status {
    DRAFT, LIVE, CLOSED;

    String apiName() {
      return name().toLowerCase(java.util.Locale.ROOT);
    }

    static Status of(String name) {
      return valueOf(name.toUpperCase(java.util.Locale.ROOT));
    }
  }

  static Poll from(Row row) {
    JsonObject question = row.getJsonObject("question");
    JsonObject settings = row.getJsonObject("settings");
    PollDefinition definition = new PollDefinition(PollKind.of(row.getString("kind")), row.getLong("session_id"),
        question.getString("text"), question.getJsonObject("translations", new JsonObject()),
        (JsonArray) row.getValue("options"), settings, row.getBoolean("results_visible"));
    return new Poll(row.getLong("id"), row.getLong("event_id"), definition, Status.of(row.getString("status")),
        row.getOffsetDateTime("created_at"), row.getOffsetDateTime("updated_at"),
        row.getOffsetDateTime("launched_at"), row.getOffsetDateTime("closed_at"),
        row.getJsonObject("final_results"));
  }

  PollKind kind() {
    return definition.kind();
  }

  JsonObject settings() {
    return definition.settings();
  }

  boolean resultsVisible() {
    return definition.resultsVisible();
  }

  List<String> optionIds() {
    return definition.optionIds();
  }

  /** Where the poll's audience listens: its session's topic, or its event's. */
  Topic audience() {
    return definition.sessionId() != null ? Topic.session(definition.sessionId()) : Topic.event(eventId);
  }

  /** Everything, with every translation: for those who run the event. */
  JsonObject toJson() {
    return new JsonObject().put("id", id).put("eventId", eventId).mergeIn(definition.toJson())
        .put("status", status.apiName()).put("createdAt", Times.format(createdAt))
        .put("updatedAt", Times.format(updatedAt)).put("launchedAt", Times.format(launchedAt))
        .put("closedAt", Times.format(closedAt));
  }

  /**
   * The poll in one language, as attendees see it (each text falling back to the text as written, in the event's
   * default language); null: {@link #toJson() every language}.
   */
  JsonObject inLanguage(String language) {
    JsonObject json = toJson();
    if (language == null) {
      return json;
    }
    json.remove("translations");
    return json.mergeIn(definition.textsIn(language)).put("language", language);
  }
}
