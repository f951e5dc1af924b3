-- A store being deleted. Its deletion sets this, and checks that nothing links to the store, in one transaction
-- that holds the store's row; a link is put only into a store without it, under a share lock on the same row. So
-- a link put and a store deletion sent together end as one after the other: the link acknowledged and the
-- deletion refused, or the deletion done and the put answered 404. The records and the store's row are deleted
-- right after the mark commits, one statement each, as before: a deletion that held the row while it deleted the
-- records would deadlock with record writers. A store left marked (the replica died in between) still works and
-- takes no links; deleting it again finishes the job.
ALTER TABLE stores ADD COLUMN deleting boolean NOT NULL DEFAULT false;
