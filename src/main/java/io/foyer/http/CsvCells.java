package io.foyer.http;

/** Cells of the CSV exports that may hold what attendees typed. */
public final class CsvCells {

  private CsvCells() {}

  /**
   * A spreadsheet would run a cell starting with = + - @ as a formula; attendee input must never be code, so
   * such cells get a leading apostrophe. Null is an empty cell.
   */
  public static String cell(String value) {
    if (value == null) {
      return "";
    }
    if (!value.isEmpty() && "=+-@\t\r".indexOf(value.charAt(0)) >= 0) {
      return "'" + value;
    }
    return value;
  }
}
