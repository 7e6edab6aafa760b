-- Whether a chairperson (CHU_TICH) is in office, kept by a trigger on every write of
-- position_assignment, so the to-do page's "CĐCS without a chair" walks only the units
-- lacking one: the anti-join over every CĐCS took 100+ ms at the national root of the
-- 10M country (125,000 CĐCS). SMALLINT, not BOOLEAN, so both engines share the SQL.
ALTER TABLE unit ADD COLUMN has_chair SMALLINT NOT NULL DEFAULT 0;
UPDATE unit SET has_chair = 1 WHERE unit_id IN (
    SELECT unit_id FROM position_assignment WHERE position_code = 'CHU_TICH' AND end_date IS NULL);
CREATE INDEX unit_chairless_idx ON unit(type_code, path) WHERE has_chair = 0;
CREATE FUNCTION unit_chair_refresh(u BIGINT) RETURNS void LANGUAGE sql AS $$
    UPDATE unit SET has_chair = CASE WHEN EXISTS (SELECT 1 FROM position_assignment a
        WHERE a.unit_id = u AND a.position_code = 'CHU_TICH' AND a.end_date IS NULL) THEN 1 ELSE 0 END
    WHERE unit_id = u;
$$;
CREATE FUNCTION unit_has_chair_sync() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    -- OLD and NEW are read only where the operation has them.
    IF TG_OP <> 'INSERT' THEN
        IF OLD.position_code = 'CHU_TICH' THEN
            PERFORM unit_chair_refresh(OLD.unit_id);
        END IF;
    END IF;
    IF TG_OP <> 'DELETE' THEN
        IF NEW.position_code = 'CHU_TICH' THEN
            PERFORM unit_chair_refresh(NEW.unit_id);
        END IF;
    END IF;
    RETURN NULL;
END;
$$;
CREATE TRIGGER position_chair_sync AFTER INSERT OR UPDATE OF unit_id, position_code, end_date OR DELETE
    ON position_assignment FOR EACH ROW EXECUTE FUNCTION unit_has_chair_sync();
