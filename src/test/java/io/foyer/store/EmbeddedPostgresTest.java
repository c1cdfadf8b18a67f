package io.foyer.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import org.junit.jupiter.api.Test;

/** The zero set-up path: a real PostgreSQL from packaged binaries, whose data outlives the process using it. */
class EmbeddedPostgresTest {

  private final Path dataDir = Path.of("target", "embedded-pg-test-" + System.nanoTime());

  @Test
  void dataWrittenBeforeAStopIsThereAfterTheNextStart() throws Exception {
    try (EmbeddedPostgres pg = EmbeddedPostgres.start(dataDir, 0)) {
      execute(pg, "CREATE TABLE notes (body TEXT)");
      execute(pg, "INSERT INTO notes VALUES ('kept')");
    }
    try (EmbeddedPostgres pg = EmbeddedPostgres.start(dataDir, 0)) {
      assertThat(queryOne(pg, "SELECT body FROM notes")).isEqualTo("kept");
    }
  }

  @Test
  void aServerLeftRunningByADeadProcessIsTakenOver() throws Exception {
    EmbeddedPostgres first = EmbeddedPostgres.start(dataDir, 0);
    // as if the owning process had died without stopping its server: the owner pid is no longer alive
    Files.writeString(dataDir.resolve("foyer.owner"), Long.toString(deadPid()));
    try (EmbeddedPostgres second = EmbeddedPostgres.start(dataDir, 0)) {
      assertThat(queryOne(second, "SELECT 'up'")).isEqualTo("up");
      assertThat(second.port()).isNotEqualTo(first.port());
    }
  }

  @Test
  void aDirectoryHoldingOtherFilesIsNotTurnedIntoADatabase() throws IOException {
    Files.createDirectories(dataDir);
    Files.writeString(dataDir.resolve("notes.txt"), "mine");

    assertThatThrownBy(() -> EmbeddedPostgres.start(dataDir, 0))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("is not empty");
    assertThat(Files.readString(dataDir.resolve("notes.txt"))).isEqualTo("mine");
  }

  private static long deadPid() throws Exception {
    Process process = new ProcessBuilder("true").start();
    process.waitFor();
    return process.pid();
  }

  private static void execute(EmbeddedPostgres pg, String sql) throws SQLException {
    try (Connection connection = connect(pg); Statement statement = connection.createStatement()) {
      statement.execute(sql);
    }
  }

  private static String queryOne(EmbeddedPostgres pg, String sql) throws SQLException {
    try (Connection connection = connect(pg); Statement statement = connection.createStatement();
         ResultSet rs = statement.executeQuery(sql)) {
      rs.next();
      return rs.getString(1);
    }
  }

  private static Connection connect(EmbeddedPostgres pg) throws SQLException {
    return DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + pg.port() + "/" + EmbeddedPostgres.DATABASE,
        "postgres", "");
  }
}
