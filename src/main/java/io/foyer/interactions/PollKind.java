package io.foyer.interactions;

import java.util.Arrays;

/** The kinds of question a poll asks (a quiz will ask the same kinds), by the names the API uses. */
enum PollKind {
  SINGLE_CHOICE("single_choice", true),
  MULTIPLE_CHOICE("multiple_choice", true),
  RATING("rating", false),
  RANKING("ranking", true),
  WORD_CLOUD("word_cloud", false),
  OPEN_TEXT("open_text", false);

  private final String apiName;
  private final boolean hasOptions;

  PollKind(String apiName, boolean hasOptions) {
    this.apiName = apiName;
    this.hasOptions = hasOptions;
  }

  String apiName() {
    return apiName;
  }

  /** Whether the question offers options with ids that answers refer to. */
  boolean hasOptions() {
    return hasOptions;
  }

  /** The kind of an API name, or null when there is none. */
  static PollKind of(String apiName) {
    return Arrays.stream(values()).filter(kind -> kind.apiName.equals(apiName)).findFirst().orElse(null);
  }

  static String names() {
    return Arrays.stream(values()).map(PollKind::apiName).toList().toString();
  }
}
