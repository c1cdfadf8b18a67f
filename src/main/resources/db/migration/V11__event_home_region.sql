-- Data residency: the region whose database holds an event and everything under it. Set when the event is
-- created and never changed. Events made before regions existed have none: their home is the database they are in.
ALTER TABLE events ADD COLUMN home_region TEXT;
