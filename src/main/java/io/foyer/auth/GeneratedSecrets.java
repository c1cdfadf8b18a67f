package io.foyer.auth;

import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.Base64;

/** Secrets Foyer generates on a first start and keeps in the data directory, readable by its owner only. */
final class GeneratedSecrets {

  private static final SecureRandom RANDOM = new SecureRandom();

  private GeneratedSecrets() {}

  /** A random URL-safe secret of the given number of random bytes. */
  static String random(int bytes) {
    byte[] buffer = new byte[bytes];
    RANDOM.nextBytes(buffer);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(buffer);
  }

  /** Writes content to a new file with mode 600; false when the file already exists (another process won). */
  static boolean createPrivate(Path file, String content) throws IOException {
    Files.createDirectories(file.toAbsolutePath().getParent());
    try {
      Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
    } catch (FileAlreadyExistsException e) {
      return false;
    }
    Files.writeString(file, content, StandardOpenOption.TRUNCATE_EXISTING);
    return true;
  }
}
