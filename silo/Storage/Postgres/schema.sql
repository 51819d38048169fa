-- OrleansMock on PostgreSQL: the tables and named queries Orleans' ADO.NET grain storage needs, plus the table of
-- record-level storage. Written for OrleansMock; idempotent (safe to run on every start), applied under an advisory
-- lock so several silos starting together do not race.
--
-- Grain storage contract (Microsoft.Orleans.Persistence.AdoNet 10.x): the provider loads three queries from
-- orleansquery by key and binds @GrainIdHash, @GrainIdN0, @GrainIdN1, @GrainTypeHash, @GrainTypeString,
-- @GrainIdExtensionString, @ServiceId, @GrainStateVersion and (write only) @PayloadBinary. The ETag is the integer
-- version. A write or clear that returns the caller's own version (or nothing) is reported as a conflict.
-- Clearing keeps a row with a null payload (a tombstone) so the version keeps counting and a stale ETag can never
-- match again; reads do not see tombstones.

CREATE TABLE IF NOT EXISTS orleansquery (
    querykey  varchar(64) PRIMARY KEY,
    querytext text NOT NULL
);

CREATE TABLE IF NOT EXISTS orleansstorage (
    serviceid              varchar(150) NOT NULL,
    graintypestring        varchar(512) NOT NULL,
    graintypehash          integer      NOT NULL,
    grainidhash            integer      NOT NULL,
    grainidn0              bigint       NOT NULL,
    grainidn1              bigint       NOT NULL,
    grainidextensionstring varchar(512),
    payloadbinary          bytea,
    version                integer      NOT NULL,
    modifiedon             timestamptz  NOT NULL DEFAULT now(),
    CONSTRAINT orleansstorage_grain UNIQUE NULLS NOT DISTINCT
        (serviceid, graintypehash, grainidhash, grainidn0, grainidn1, graintypestring, grainidextensionstring)
);

CREATE OR REPLACE FUNCTION orleansmock_write_state(
    p_serviceid varchar, p_graintypestring varchar, p_graintypehash integer, p_grainidhash integer,
    p_grainidn0 bigint, p_grainidn1 bigint, p_grainidextensionstring varchar, p_expected integer, p_payload bytea)
RETURNS TABLE (newgrainstateversion integer)
LANGUAGE plpgsql AS $body$
DECLARE
    written integer;
BEGIN
    IF p_expected IS NOT NULL THEN
        UPDATE orleansstorage s
           SET payloadbinary = p_payload, version = s.version + 1, modifiedon = now()
         WHERE s.serviceid = p_serviceid AND s.graintypehash = p_graintypehash AND s.grainidhash = p_grainidhash
           AND s.grainidn0 = p_grainidn0 AND s.grainidn1 = p_grainidn1 AND s.graintypestring = p_graintypestring
           AND s.grainidextensionstring IS NOT DISTINCT FROM p_grainidextensionstring
           AND s.version = p_expected
        RETURNING s.version INTO written;
    ELSE
        -- The caller has seen no record: it may take over a tombstone, or insert version 1.
        UPDATE orleansstorage s
           SET payloadbinary = p_payload, version = s.version + 1, modifiedon = now()
         WHERE s.serviceid = p_serviceid AND s.graintypehash = p_graintypehash AND s.grainidhash = p_grainidhash
           AND s.grainidn0 = p_grainidn0 AND s.grainidn1 = p_grainidn1 AND s.graintypestring = p_graintypestring
           AND s.grainidextensionstring IS NOT DISTINCT FROM p_grainidextensionstring
           AND s.payloadbinary IS NULL
        RETURNING s.version INTO written;
        IF written IS NULL THEN
            INSERT INTO orleansstorage (serviceid, graintypestring, graintypehash, grainidhash, grainidn0, grainidn1,
                                        grainidextensionstring, payloadbinary, version)
            VALUES (p_serviceid, p_graintypestring, p_graintypehash, p_grainidhash, p_grainidn0, p_grainidn1,
                    p_grainidextensionstring, p_payload, 1)
            ON CONFLICT ON CONSTRAINT orleansstorage_grain DO NOTHING
            RETURNING version INTO written;
        END IF;
    END IF;
    RETURN QUERY SELECT COALESCE(written, p_expected);
END
$body$;

INSERT INTO orleansquery (querykey, querytext) VALUES
('WriteToStorageKey', $q$
SELECT newgrainstateversion AS NewGrainStateVersion
  FROM orleansmock_write_state(CAST(@ServiceId AS varchar), CAST(@GrainTypeString AS varchar), CAST(@GrainTypeHash AS integer),
       CAST(@GrainIdHash AS integer), CAST(@GrainIdN0 AS bigint), CAST(@GrainIdN1 AS bigint),
       CAST(@GrainIdExtensionString AS varchar), CAST(@GrainStateVersion AS integer), CAST(@PayloadBinary AS bytea))
$q$),
('ReadFromStorageKey', $q$
SELECT payloadbinary AS PayloadBinary, version AS Version
  FROM orleansstorage
 WHERE serviceid = @ServiceId AND graintypehash = @GrainTypeHash AND grainidhash = @GrainIdHash
   AND grainidn0 = @GrainIdN0 AND grainidn1 = @GrainIdN1 AND graintypestring = @GrainTypeString
   AND grainidextensionstring IS NOT DISTINCT FROM CAST(@GrainIdExtensionString AS varchar)
   AND payloadbinary IS NOT NULL
$q$),
('ClearStorageKey', $q$
WITH cleared AS (
    UPDATE orleansstorage
       SET payloadbinary = NULL, version = version + 1, modifiedon = now()
     WHERE serviceid = @ServiceId AND graintypehash = @GrainTypeHash AND grainidhash = @GrainIdHash
       AND grainidn0 = @GrainIdN0 AND grainidn1 = @GrainIdN1 AND graintypestring = @GrainTypeString
       AND grainidextensionstring IS NOT DISTINCT FROM CAST(@GrainIdExtensionString AS varchar)
       AND version = CAST(@GrainStateVersion AS integer) AND payloadbinary IS NOT NULL
    RETURNING version)
SELECT COALESCE((SELECT version FROM cleared), CAST(@GrainStateVersion AS integer)) AS NewGrainStateVersion
$q$)
ON CONFLICT (querykey) DO UPDATE SET querytext = EXCLUDED.querytext;

-- Record-level storage: one row per record (resource records, tester history), so a write costs one record.
CREATE TABLE IF NOT EXISTS orleansmock_records (
    collection varchar(64)  NOT NULL,
    scope      varchar(128) NOT NULL,
    grp        varchar(128) NOT NULL,
    id         varchar(256) NOT NULL,
    sort       bigint       NOT NULL,
    data       text         NOT NULL,
    PRIMARY KEY (collection, scope, grp, id)
);
CREATE INDEX IF NOT EXISTS orleansmock_records_sort ON orleansmock_records (collection, scope, grp, sort, id);
