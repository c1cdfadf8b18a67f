-- Data residency: the region named when the event was created, with regions configured (empty without). An event
-- and everything under it live in that region's database only; the row says so, so that a copy of a database
-- tells which region each of its events belongs to. The API reports the region whose database holds the event.
ALTER TABLE events ADD COLUMN home_region TEXT;
