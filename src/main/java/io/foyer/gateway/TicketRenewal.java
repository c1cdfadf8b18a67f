package io.foyer.gateway;

import io.foyer.bus.Bus;
import io.foyer.lobby.LobbyMessages;
import io.foyer.lobby.LobbyMessages.Status;
import io.foyer.problem.ProblemException;
import io.vertx.core.json.JsonObject;

/**
 * Keeps a waiting socket's place in its lobby: the lobby forgets a ticket not renewed within its lifetime, so
 * while the socket is open the gateway renews it, every {@code heartbeatSeconds} the lobby asks for, with the
 * latest ticket, and hands each renewed ticket to the client ({@code lobby-ticket}), which exchanges the latest
 * for an admission when its turn comes. Lives on its socket's event loop.
 */
final class TicketRenewal {

  private final Connection connection;
  private final GatewayServices services;
  private final long eventId;
  private String ticket;
  private long timer = -1;

  /** Starts from the lobby's answer to the ticket the socket authenticated with (already a renewal). */
  TicketRenewal(Connection connection, GatewayServices services, long eventId, JsonObject status) {
    this.connection = connection;
    this.services = services;
    this.eventId = eventId;
    renewed(status);
  }

  void cancel() {
    services.vertx().cancelTimer(timer);
  }

  private void renewed(JsonObject status) {
    ticket = status.getString("ticket");
    // one timer at a time, set after each answer: the period follows the lobby's settings as they change
    long seconds = Math.max(1, status.getLong("heartbeatSeconds", 1L));
    timer = services.vertx().setTimer(seconds * 1000, t -> renew());
  }

  private void renew() {
    Bus.<JsonObject>request(services.vertx(), LobbyMessages.STATUS, new Status(eventId, ticket)).onComplete(ar -> {
      if (connection.isClosed()) {
        return;
      }
      if (ar.succeeded()) {
        connection.send(Frames.reply("lobby-ticket", null).mergeIn(ar.result()).encode());
        renewed(ar.result());
      } else if (ar.cause() instanceof ProblemException problem && !problem.type().retryable()) {
        // the place is lost (expired, say, after a long stall): the client joins again, at the back
        connection.send(Frames.error(null, problem.type().code(), problem.detail()));
        connection.close(CloseCodes.UNAUTHORIZED, "lobby ticket no longer valid");
      } else {
        // the lobby is unreachable for now; a heartbeat is a third of the ticket's lifetime, so retrying soon keeps it
        timer = services.vertx().setTimer(1000, t -> renew());
      }
    });
  }
}
