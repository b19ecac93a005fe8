package io.gatehouse.proxy.api;

import io.gatehouse.proxy.Refusal;
import io.gatehouse.relay.ErrorCode;
import java.util.Optional;

/**
 * Optimistic concurrency for documents (resources, users, roles): each has a revision, served as
 * its {@code ETag}; a write of a name that exists must say, in {@code If-Match}, the revision it
 * replaces. So a second create never silently overwrites the first, and of two concurrent edits
 * through one proxy the later is refused.
 */
final class Revisions {
  enum Change {
    CREATE,
    UPDATE
  }

  private Revisions() {}

  /**
   * What a write of {@code what} is, given its current revision (empty when it does not exist) and
   * the request's {@code If-Match}.
   *
   * @throws Refusal {@code 409 exists} when it exists and no revision was named, {@code 412
   *     version-mismatch} when another revision was named (or one for something that does not
   *     exist), {@code 400} for a malformed header
   */
  static Change change(Optional<Long> current, String ifMatch, String what) {
    if (ifMatch == null) {
      if (current.isPresent()) {
        throw new Refusal(
            ErrorCode.EXISTS,
            what
                + " exists (revision "
                + current.get()
                + "); to replace it, send If-Match: \""
                + current.get()
                + "\" (`gatehouse create -f FILE --replace`)");
      }
      return Change.CREATE;
    }
    long wanted = parse(ifMatch);
    if (current.isEmpty()) {
      throw new Refusal(
          ErrorCode.VERSION_MISMATCH, what + " does not exist; create it without If-Match");
    }
    if (current.get() != wanted) {
      throw new Refusal(
          ErrorCode.VERSION_MISMATCH,
          what
              + " is at revision "
              + current.get()
              + ", not "
              + wanted
              + ": someone changed it meanwhile; read it again");
    }
    return Change.UPDATE;
  }

  static String etag(long revision) {
    return "\"" + revision + "\"";
  }

  private static long parse(String ifMatch) {
    String v = ifMatch.trim();
    if (v.startsWith("W/")) {
      v = v.substring(2);
    }
    if (v.length() >= 2 && v.startsWith("\"") && v.endsWith("\"")) {
      v = v.substring(1, v.length() - 1);
    }
    try {
      return Long.parseLong(v);
    } catch (NumberFormatException e) {
      throw new Refusal(
          ErrorCode.BAD_REQUEST,
          "If-Match must name a revision, e.g. \"3\", not '" + ifMatch + "'");
    }
  }
}
