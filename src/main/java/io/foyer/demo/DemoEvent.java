package io.foyer.demo;

import io.foyer.audit.Actor;
import io.foyer.auth.Runner;
import io.foyer.bus.Bus;
import io.foyer.events.Event;
import io.foyer.events.EventDefinition;
import io.foyer.events.EventMessages;
import io.foyer.events.EventMessages.CreateEvent;
import io.foyer.events.EventMessages.CreateSession;
import io.foyer.events.Session;
import io.foyer.events.SessionDefinition;
import io.foyer.interactions.InteractionMessages;
import io.foyer.interactions.InteractionMessages.CreatePoll;
import io.foyer.interactions.InteractionMessages.CreateQuiz;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A demo event, so that a fresh single node (java -jar foyer.jar, on the embedded PostgreSQL) has something to
 * open at once: an event with a registration form, two sessions, two draft polls and a draft quiz. It is created
 * only while the database holds no event at all, which also makes it happen once: the demo is itself an event.
 * Everything goes through the same bus requests as the REST routes, so it is checked, stored and audited the
 * same way (actor "demo").
 */
public final class DemoEvent {

  private static final Logger log = LoggerFactory.getLogger(DemoEvent.class);
  public static final String TITLE = "Foyer demo: product launch";
  static final Actor ACTOR = new Actor("demo", null);
  private static final Runner RUNNER = new Runner(Runner.Role.ORGANIZER, ACTOR, null);

  private DemoEvent() {}

  /**
   * On a node's start: on the embedded PostgreSQL only (an external database belongs to its operators), seeds the
   * demo when there is no event yet and logs where to open it. Never fails the start: a seed that fails is
   * logged and skipped.
   */
  public static Future<Void> onStart(Vertx vertx, Pool pool, boolean embeddedStore, String baseUrl) {
    if (!embeddedStore) {
      return Future.succeededFuture();
    }
    return seedIfEmpty(vertx, pool)
        .map(created -> {
          created.ifPresent(eventId -> {
            log.info("Demo event {} created; attendees: {}/e/{}", eventId, baseUrl, eventId);
            log.info("Presenter console: {}/present/{}", baseUrl, eventId);
            log.info("Ops dashboard: {}/ops", baseUrl);
          });
          return (Void) null;
        })
        .recover(failure -> {
          log.warn("The demo event could not be created: {}", failure.getMessage());
          return Future.succeededFuture();
        });
  }

  /** Creates the demo event when the database has no event; completes with its id, or empty when it did nothing. */
  public static Future<Optional<Long>> seedIfEmpty(Vertx vertx, Pool pool) {
    return pool.query("SELECT EXISTS (SELECT 1 FROM events) AS has_events").execute()
        .compose(rows -> rows.iterator().next().getBoolean("has_events")
            ? Future.succeededFuture(Optional.<Long>empty())
            : seed(vertx, Instant.now()).map(Optional::of));
  }

  /** The demo event, its sessions, polls and quiz; completes with the event's id. */
  static Future<Long> seed(Vertx vertx, Instant now) {
    Instant startsAt = now.truncatedTo(ChronoUnit.MINUTES);
    return Bus.<Event>request(vertx, EventMessages.CREATE,
            new CreateEvent(EventDefinition.fromJson(event(startsAt)), ACTOR))
        .compose(event -> createSessions(vertx, event.id(), startsAt)
            .compose(v -> Bus.request(vertx, InteractionMessages.CREATE, new CreatePoll(event.id(), featurePoll(), RUNNER)))
            .compose(v -> Bus.request(vertx, InteractionMessages.CREATE, new CreatePoll(event.id(), wordCloud(), RUNNER)))
            .compose(v -> Bus.request(vertx, InteractionMessages.QUIZ_CREATE, new CreateQuiz(event.id(), quiz(), RUNNER)))
            .map(v -> event.id()));
  }

  private static Future<Void> createSessions(Vertx vertx, long eventId, Instant startsAt) {
    JsonObject keynote = new JsonObject().put("title", "Keynote: what is new")
        .put("description", "The launch, with live polls and a quiz.").put("track", "Main stage")
        .put("startsAt", startsAt.toString()).put("endsAt", startsAt.plus(1, ChronoUnit.HOURS).toString());
    JsonObject handsOn = new JsonObject().put("title", "Hands-on: building with Foyer")
        .put("description", "Questions and answers with the team.").put("track", "Workshops")
        .put("startsAt", startsAt.plus(2, ChronoUnit.HOURS).toString())
        .put("endsAt", startsAt.plus(3, ChronoUnit.HOURS).toString());
    // one after the other, so that the sessions' ids follow the programme
    return Bus.<Session>request(vertx, EventMessages.CREATE_SESSION,
            new CreateSession(eventId, SessionDefinition.fromJson(keynote), ACTOR))
        .compose(v -> Bus.<Session>request(vertx, EventMessages.CREATE_SESSION,
            new CreateSession(eventId, SessionDefinition.fromJson(handsOn), ACTOR)))
        .mapEmpty();
  }

  static JsonObject event(Instant startsAt) {
    return new JsonObject()
        .put("title", TITLE)
        .put("description", "A demo event made on this node's first start: register on the attendee page, then "
            + "run its polls and quiz from the presenter console.")
        .put("startsAt", startsAt.toString())
        .put("endsAt", startsAt.plus(3, ChronoUnit.DAYS).toString())
        .put("timeZone", "Europe/Paris")
        .put("defaultLanguage", "en")
        .put("capacity", 500)
        .put("registrationOpensAt", startsAt.minus(1, ChronoUnit.MINUTES).toString())
        .put("registrationClosesAt", startsAt.plus(3, ChronoUnit.DAYS).toString())
        .put("fields", new JsonArray()
            .add(new JsonObject().put("id", "company").put("label", "Company").put("type", "text")
                .put("required", false).put("maxLength", 100))
            .add(new JsonObject().put("id", "role").put("label", "Role").put("type", "single_choice")
                .put("required", true).put("options", new JsonArray(List.of("Developer", "Product manager",
                    "Designer", "Other"))))
            .add(new JsonObject().put("id", "newsletter").put("label", "Send me the newsletter")
                .put("type", "consent").put("required", false)));
  }

  static JsonObject featurePoll() {
    return new JsonObject().put("kind", "single_choice")
        .put("question", "Which feature are you most excited about?")
        .put("translations", translations("Op welke functie verheug je je het meest?",
            "Auf welche Funktion freuen Sie sich am meisten?", "Quelle fonctionnalité vous enthousiasme le plus ?",
            "Quale funzionalità ti entusiasma di più?", "Na którą funkcję czekasz najbardziej?"))
        .put("options", new JsonArray()
            .add(option("a", "Live polls", translations("Live peilingen", "Live-Umfragen", "Sondages en direct",
                "Sondaggi dal vivo", "Ankiety na żywo")))
            .add(option("b", "Quizzes", translations("Quizzen", "Quizze", "Quiz", "Quiz", "Quizy")))
            .add(option("c", "The waiting room", translations("De wachtkamer", "Der Warteraum",
                "La salle d'attente", "La sala d'attesa", "Poczekalnia")))
            .add(option("d", "Live announcements", translations("Live aankondigingen", "Live-Ankündigungen",
                "Annonces en direct", "Annunci dal vivo", "Ogłoszenia na żywo"))))
        .put("allowChange", true)
        .put("resultsVisible", false);
  }

  static JsonObject wordCloud() {
    return new JsonObject().put("kind", "word_cloud").put("question", "Describe this launch in one word")
        .put("maxLength", 40).put("allowChange", false).put("resultsVisible", true);
  }

  static JsonObject quiz() {
    return new JsonObject().put("title", "Launch warm-up").put("scoring", "standard").put("streakBonus", true)
        .put("questions", new JsonArray()
            .add(question("How do attendees' pages get live updates?", "a", "A WebSocket", "Reloading the page",
                "Email"))
            .add(question("How long does each question of this quiz last?", "b", "10 seconds", "20 seconds",
                "A minute"))
            .add(question("Which of these is a kind of poll here?", "c", "Crossword", "Sudoku", "Word cloud")));
  }

  private static JsonObject question(String text, String correct, String a, String b, String c) {
    return new JsonObject().put("kind", "single_choice").put("question", text)
        .put("options", new JsonArray().add(option("a", a, null)).add(option("b", b, null)).add(option("c", c, null)))
        .put("correct", new JsonArray().add(correct)).put("timeLimitSeconds", 20).put("points", 1000);
  }

  private static JsonObject option(String id, String text, JsonObject translations) {
    JsonObject option = new JsonObject().put("id", id).put("text", text);
    return translations == null ? option : option.put("translations", translations);
  }

  private static JsonObject translations(String nl, String de, String fr, String it, String pl) {
    return new JsonObject().put("nl", nl).put("de", de).put("fr", fr).put("it", it).put("pl", pl);
  }
}
