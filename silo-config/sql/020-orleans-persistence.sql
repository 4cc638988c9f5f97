-- 020: grain state for Orleans' ADO.NET grain storage provider (Invariant "Npgsql").
-- A row is identified by (serviceid, graintypestring, grainidn0, grainidn1, grainidextensionstring), where a NULL
-- extension equals only NULL. A unique constraint (NULLS NOT DISTINCT, PostgreSQL 15+) enforces that identity,
-- so two racing first writes cannot both insert. The two hashes are stored as the provider computes them, but
-- rows are found by the real identity values only. "version" is the grain's ETag: every successful write, clear
-- or delete must name the stored version; a stale one is refused (no row or NULL), which the provider turns
-- into InconsistentStateException.
-- Idempotent: tables IF NOT EXISTS, functions OR REPLACE, query rows upserted by key.

CREATE TABLE IF NOT EXISTS orleans_storage
(
    serviceid              text        NOT NULL,
    graintypestring        text        NOT NULL,  -- the state name ("state" or [PersistentState("...")])
    grainidn0              bigint      NOT NULL,
    grainidn1              bigint      NOT NULL,
    grainidextensionstring text        NULL,      -- key extension, or the whole key for string keys
    grainidhash            integer     NOT NULL,
    graintypehash          integer     NOT NULL,
    payloadbinary          bytea       NULL,      -- NULL = cleared state (row kept)
    version                integer     NOT NULL,
    modifiedon             timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT orleans_storage_identity UNIQUE NULLS NOT DISTINCT
        (serviceid, grainidn1, grainidn0, graintypestring, grainidextensionstring)
);

-- Write: first insert (p_version NULL, only if no row has this identity) or versioned replace.
-- Returns the new version, or NULL when the write is refused.
CREATE OR REPLACE FUNCTION orleans_storage_write(
    p_serviceid text, p_graintypestring text, p_grainidn0 bigint, p_grainidn1 bigint,
    p_grainidextensionstring text, p_grainidhash integer, p_graintypehash integer,
    p_payloadbinary bytea, p_version integer)
RETURNS integer
LANGUAGE plpgsql
AS $fn$
DECLARE
    new_version integer;
BEGIN
    IF p_version IS NULL THEN
        INSERT INTO orleans_storage
            (serviceid, graintypestring, grainidn0, grainidn1, grainidextensionstring,
             grainidhash, graintypehash, payloadbinary, version, modifiedon)
        VALUES
            (p_serviceid, p_graintypestring, p_grainidn0, p_grainidn1, p_grainidextensionstring,
             p_grainidhash, p_graintypehash, p_payloadbinary, 1, now())
        ON CONFLICT DO NOTHING
        RETURNING version INTO new_version;
    ELSE
        UPDATE orleans_storage AS s
        SET payloadbinary = p_payloadbinary,
            grainidhash = p_grainidhash,
            graintypehash = p_graintypehash,
            version = CASE WHEN s.version >= 2147483647 THEN 1 ELSE s.version + 1 END,
            modifiedon = now()
        WHERE s.serviceid = p_serviceid
          AND s.graintypestring = p_graintypestring
          AND s.grainidn0 = p_grainidn0
          AND s.grainidn1 = p_grainidn1
          AND s.grainidextensionstring IS NOT DISTINCT FROM p_grainidextensionstring
          AND s.version = p_version
        RETURNING s.version INTO new_version;
    END IF;
    RETURN new_version;  -- NULL when nothing was written
END
$fn$;

INSERT INTO orleansquery (querykey, querytext) VALUES
-- At most one row: payloadbinary (NULL for a cleared state) and version.
('ReadFromStorageKey', $q$
SELECT payloadbinary, version
FROM orleans_storage
WHERE serviceid = @ServiceId
  AND graintypestring = @GrainTypeString
  AND grainidn0 = @GrainIdN0
  AND grainidn1 = @GrainIdN1
  AND grainidextensionstring IS NOT DISTINCT FROM @GrainIdExtensionString
$q$),
('WriteToStorageKey', $q$
SELECT orleans_storage_write(@ServiceId, @GrainTypeString, @GrainIdN0, @GrainIdN1, @GrainIdExtensionString,
                             @GrainIdHash, @GrainTypeHash, @PayloadBinary, @GrainStateVersion) AS newgrainstateversion
$q$),
-- Clear: keep the row, drop the payload, raise the version. No row = version conflict.
('ClearStorageKey', $q$
UPDATE orleans_storage
SET payloadbinary = NULL,
    version = CASE WHEN version >= 2147483647 THEN 1 ELSE version + 1 END,
    modifiedon = now()
WHERE serviceid = @ServiceId
  AND graintypestring = @GrainTypeString
  AND grainidn0 = @GrainIdN0
  AND grainidn1 = @GrainIdN1
  AND grainidextensionstring IS NOT DISTINCT FROM @GrainIdExtensionString
  AND version = @GrainStateVersion
RETURNING version AS newgrainstateversion
$q$),
-- Delete (DeleteStateOnClear = true): remove the row; return old version + 1. No row = version conflict.
('DeleteStorageKey', $q$
DELETE FROM orleans_storage
WHERE serviceid = @ServiceId
  AND graintypestring = @GrainTypeString
  AND grainidn0 = @GrainIdN0
  AND grainidn1 = @GrainIdN1
  AND grainidextensionstring IS NOT DISTINCT FROM @GrainIdExtensionString
  AND version = @GrainStateVersion
RETURNING CASE WHEN version >= 2147483647 THEN 1 ELSE version + 1 END AS newgrainstateversion
$q$)
ON CONFLICT (querykey) DO UPDATE SET querytext = EXCLUDED.querytext;
