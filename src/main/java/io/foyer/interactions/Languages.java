package io.foyer.interactions;

import io.foyer.bus.Bus;
import io.foyer.events.EventCatalog;
import io.foyer.gateway.Translated;
import io.foyer.registration.RegistrationMessages;
import io.foyer.registration.RegistrationMessages.Mine;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.function.Function;

/**
 * Polls and quizzes in their audience's languages: what one attendee reads comes in its registration's language;
 * what is pushed carries each language the content is translated into, and the event's default language for
 * everyone else, so that each socket receives only its own (see {@link Translated}).
 */
final class Languages {

  private final Vertx vertx;
  private final EventCatalog catalog;

  Languages(Vertx vertx, EventCatalog catalog) {
    this.vertx = vertx;
    this.catalog = catalog;
  }

  /**
   * An attendee as a reader of polls and quizzes: its registration language (which defaults to the event's when
   * registering) and the event's default language, which content without that language is read in.
   */
  record Reader(String language, String eventDefault) {

    /** The language the attendee reads content translated into the given languages in. */
    String languageFor(Set<String> translated) {
      return translated.contains(language) ? language : eventDefault;
    }
  }

  Future<Reader> reader(long eventId, UUID registrationId) {
    return Bus.<JsonObject>request(vertx, RegistrationMessages.GET_MINE, new Mine(eventId, registrationId))
        .compose(registration -> catalog.get(eventId).map(event -> new Reader(registration.getString("language"),
            event.definition().defaultLanguage())));
  }

  /**
   * A push's data: {@code in} gives the data in a language, or with every translation for null (those who run
   * the event); the languages are those the content is translated into.
   */
  Future<Translated> translated(long eventId, Set<String> languages, Function<String, JsonObject> in) {
    return catalog.get(eventId).map(event -> {
      Map<String, JsonObject> byLanguage = new HashMap<>();
      languages.forEach(language -> byLanguage.put(language, in.apply(language)));
      return new Translated(in.apply(null), byLanguage, in.apply(event.definition().defaultLanguage()));
    });
  }
}
