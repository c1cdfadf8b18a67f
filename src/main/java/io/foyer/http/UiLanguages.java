package io.foyer.http;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystem;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * The languages of the attendee pages: one message file per language in webroot/app/i18n, so that adding a
 * language is adding a file. Listed once at start, from the working directory's webroot when there is one (as
 * the static handler serves it), else from the jar.
 */
final class UiLanguages {

  static final String PATH = "/app/i18n/languages.json";
  private static final String DIRECTORY = "webroot/app/i18n";

  private UiLanguages() {}

  /** {"languages": [{"tag": "de", "name": "Deutsch"}, ...]}, by tag; each name read from its own file. */
  static JsonObject list() {
    try {
      Path local = Path.of(DIRECTORY);
      if (Files.isDirectory(local)) {
        return list(local);
      }
      URL bundled = UiLanguages.class.getClassLoader().getResource(DIRECTORY);
      if (bundled == null) {
        return new JsonObject().put("languages", new JsonArray());
      }
      URI uri = bundled.toURI();
      if (!"jar".equals(uri.getScheme())) {
        return list(Path.of(uri));
      }
      try (FileSystem jar = FileSystems.newFileSystem(uri, Map.of())) {
        return list(jar.getPath(DIRECTORY));
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot list the page languages in " + DIRECTORY, e);
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }

  private static JsonObject list(Path directory) throws IOException {
    JsonArray languages = new JsonArray();
    List<Path> files;
    try (Stream<Path> listed = Files.list(directory)) {
      files = listed.filter(f -> f.getFileName().toString().matches("[a-z]{2,3}(-[A-Za-z0-9]+)*\\.json"))
          .sorted().toList();
    }
    for (Path file : files) {
      String name = file.getFileName().toString();
      JsonObject messages;
      try (InputStream in = Files.newInputStream(file)) {
        messages = new JsonObject(new String(in.readAllBytes(), StandardCharsets.UTF_8));
      }
      languages.add(new JsonObject().put("tag", name.substring(0, name.length() - ".json".length()))
          .put("name", messages.getString("language.name", name)));
    }
    return new JsonObject().put("languages", languages);
  }
}
