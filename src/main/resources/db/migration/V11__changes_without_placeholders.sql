-- Found by the contract attack on issue 18: a batch's absent check holds the key with a placeholder row (version 0,
-- never live: PgRecordStorage.check), inserted and deleted inside the batch. The history recorded it as a set of a key
-- nobody wrote and its expiry, and the set's empty value broke every watcher whose page held it. Placeholders are not
-- records: they are not changes.
CREATE OR REPLACE FUNCTION record_changed() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    cause text := current_setting('datastores.change_reason', true);
    at bigint;
BEGIN
    -- version 0 is a batch's placeholder for a key it checks absent, never a record (V10's trigger recorded it)
    IF cause = 'untracked' OR (TG_OP = 'DELETE' AND OLD.version = 0) OR (TG_OP <> 'DELETE' AND NEW.version = 0) THEN
        RETURN NULL;
    END IF;
    IF TG_OP = 'DELETE' THEN
        at := next_change_position(OLD.store_id);
        INSERT INTO changes (store_id, position, kind, key, version, reason)
        VALUES (OLD.store_id, at, 'delete', OLD.key, OLD.version,
                CASE WHEN cause = 'expired' OR NOT record_live(OLD.expires_at, clock_timestamp()) THEN 'expired' END);
        RETURN NULL;
    END IF;
    at := next_change_position(NEW.store_id);
    -- a write over a record that had expired (but was not swept yet): the expiry happened first
    IF TG_OP = 'UPDATE' AND OLD.version <> 0 AND NOT record_live(OLD.expires_at, NEW.updated_at) THEN
        INSERT INTO changes (store_id, position, kind, key, version, reason)
        VALUES (OLD.store_id, at, 'delete', OLD.key, OLD.version, 'expired');
        at := at + 1;
    END IF;
    INSERT INTO changes (store_id, position, kind, key, version, value, expires_at)
    VALUES (NEW.store_id, at, 'set', NEW.key, NEW.version, NEW.value, NEW.expires_at);
    RETURN NULL;
END;
$$;
