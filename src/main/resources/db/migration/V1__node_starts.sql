-- One row per node start: which nodes ran, where, with which version. Operators read it to see the
-- history of a deployment; it is also the first table every later migration builds beside.
CREATE TABLE node_starts (
  id          BIGSERIAL PRIMARY KEY,
  node_id     TEXT        NOT NULL,
  region      TEXT        NOT NULL,
  version     TEXT        NOT NULL,
  store       TEXT        NOT NULL,
  live_engine TEXT        NOT NULL,
  clustered   BOOLEAN     NOT NULL,
  started_at  TIMESTAMPTZ NOT NULL DEFAULT now()
);
