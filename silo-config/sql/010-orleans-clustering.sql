-- 010: cluster membership for Orleans' ADO.NET clustering provider (silos and clients).
-- One version row per cluster (keyed by ClusterId, which the provider passes as @DeploymentId) guards every
-- membership write with optimistic concurrency: a write succeeds only if it names the current version, and
-- then raises it by exactly 1, so of several writers sending the same version exactly one wins.
-- Idempotent: tables IF NOT EXISTS, functions OR REPLACE, query rows upserted by key.

CREATE TABLE IF NOT EXISTS orleans_membership_version
(
    deploymentid text        NOT NULL,
    updated_at   timestamptz NOT NULL DEFAULT now(),
    version      integer     NOT NULL DEFAULT 0,
    CONSTRAINT orleans_membership_version_pkey PRIMARY KEY (deploymentid),
    CONSTRAINT orleans_membership_version_range CHECK (version >= 0)
);

CREATE TABLE IF NOT EXISTS orleans_membership
(
    deploymentid text        NOT NULL,
    address      text        NOT NULL,  -- IPAddress.ToString(), v4 or v6
    port         integer     NOT NULL,
    generation   integer     NOT NULL,
    siloname     text        NOT NULL,
    hostname     text        NOT NULL,
    status       integer     NOT NULL,  -- SiloStatus: 0 None .. 3 Active .. 6 Dead
    proxyport    integer     NOT NULL,  -- 0 = not a gateway
    suspecttimes text        NULL,      -- opaque to the database; the provider formats and parses it
    starttime    timestamptz NOT NULL,
    iamalivetime timestamptz NOT NULL,
    CONSTRAINT orleans_membership_pkey PRIMARY KEY (deploymentid, address, port, generation),
    CONSTRAINT orleans_membership_version_fkey FOREIGN KEY (deploymentid)
        REFERENCES orleans_membership_version (deploymentid) ON DELETE CASCADE
);

-- Insert a member row and raise the cluster version, all or nothing. Returns 1 on success, 0 otherwise.
CREATE OR REPLACE FUNCTION orleans_membership_insert(
    p_deploymentid text, p_address text, p_port integer, p_generation integer,
    p_siloname text, p_hostname text, p_status integer, p_proxyport integer,
    p_starttime timestamptz, p_iamalivetime timestamptz, p_version integer)
RETURNS integer
LANGUAGE plpgsql
AS $fn$
DECLARE
    current_version integer;
BEGIN
    -- Lock the cluster's version row: every membership writer queues here, and a writer that waited
    -- sees the version the winner left behind.
    SELECT v.version INTO current_version
    FROM orleans_membership_version AS v
    WHERE v.deploymentid = p_deploymentid
    FOR UPDATE;

    IF NOT FOUND OR p_version IS NULL OR current_version IS DISTINCT FROM p_version
       OR current_version >= 2147483647 THEN
        RETURN 0;
    END IF;

    IF EXISTS (SELECT 1 FROM orleans_membership AS m
               WHERE m.deploymentid = p_deploymentid AND m.address = p_address
                 AND m.port = p_port AND m.generation = p_generation) THEN
        RETURN 0;
    END IF;

    BEGIN
        INSERT INTO orleans_membership
            (deploymentid, address, port, generation, siloname, hostname, status, proxyport,
             suspecttimes, starttime, iamalivetime)
        VALUES
            (p_deploymentid, p_address, p_port, p_generation, p_siloname, p_hostname, p_status, p_proxyport,
             NULL, p_starttime, p_iamalivetime);

        UPDATE orleans_membership_version
        SET version = version + 1, updated_at = now()
        WHERE deploymentid = p_deploymentid;
    EXCEPTION WHEN unique_violation THEN
        -- The block's changes are rolled back: nothing was written.
        RETURN 0;
    END;

    RETURN 1;
END
$fn$;

-- Update a member's status, suspicions and heartbeat and raise the cluster version, all or nothing.
-- Returns 1 on success, 0 otherwise. Other columns are left alone.
CREATE OR REPLACE FUNCTION orleans_membership_update(
    p_deploymentid text, p_address text, p_port integer, p_generation integer,
    p_status integer, p_suspecttimes text, p_iamalivetime timestamptz, p_version integer)
RETURNS integer
LANGUAGE plpgsql
AS $fn$
DECLARE
    current_version integer;
BEGIN
    SELECT v.version INTO current_version
    FROM orleans_membership_version AS v
    WHERE v.deploymentid = p_deploymentid
    FOR UPDATE;

    IF NOT FOUND OR p_version IS NULL OR current_version IS DISTINCT FROM p_version
       OR current_version >= 2147483647 THEN
        RETURN 0;
    END IF;

    UPDATE orleans_membership AS m
    SET status = p_status, suspecttimes = p_suspecttimes, iamalivetime = p_iamalivetime
    WHERE m.deploymentid = p_deploymentid AND m.address = p_address
      AND m.port = p_port AND m.generation = p_generation;

    IF NOT FOUND THEN
        RETURN 0;  -- nothing was changed
    END IF;

    UPDATE orleans_membership_version
    SET version = version + 1, updated_at = now()
    WHERE deploymentid = p_deploymentid;

    RETURN 1;
END
$fn$;

-- True when a SuspectTimes value ('silo,yyyy-MM-dd HH:mm:ss.fff GMT' entries joined by '|') holds a
-- suspicion at or after p_cutoff. An entry whose date cannot be read counts as recent, so the row is kept.
CREATE OR REPLACE FUNCTION orleans_membership_suspected_since(p_suspecttimes text, p_cutoff timestamptz)
RETURNS boolean
LANGUAGE plpgsql
STABLE
AS $fn$
DECLARE
    entry  text;
    stamp  text;
    moment timestamptz;
BEGIN
    IF p_suspecttimes IS NULL THEN
        RETURN false;
    END IF;
    FOREACH entry IN ARRAY string_to_array(p_suspecttimes, '|') LOOP
        entry := btrim(entry);
        CONTINUE WHEN entry = '';
        stamp := substring(entry FROM ',([^,]*)$');  -- the part after the last comma
        IF stamp IS NULL THEN
            RETURN true;
        END IF;
        stamp := regexp_replace(btrim(stamp), '\s*GMT$', '');
        BEGIN
            moment := CAST(stamp AS timestamp) AT TIME ZONE 'UTC';
        EXCEPTION WHEN others THEN
            RETURN true;
        END;
        IF moment >= p_cutoff THEN
            RETURN true;
        END IF;
    END LOOP;
    RETURN false;
END
$fn$;

INSERT INTO orleansquery (querykey, querytext) VALUES
-- Create the cluster's version row (version 0) if missing. Always one row, one column: 1 if created, else 0.
('InsertMembershipVersionKey', $q$
WITH created AS (
    INSERT INTO orleans_membership_version (deploymentid, updated_at, version)
    VALUES (@DeploymentId, now(), 0)
    ON CONFLICT (deploymentid) DO NOTHING
    RETURNING 1
)
SELECT CAST(count(*) AS integer) AS created FROM created
$q$),
-- The version row joined with the one member asked for: always one row while the version row exists.
('MembershipReadRowKey', $q$
SELECT v.version, v.deploymentid,
       m.address, m.port, m.generation, m.siloname, m.hostname, m.status, m.proxyport,
       m.suspecttimes, m.starttime, m.iamalivetime
FROM orleans_membership_version AS v
LEFT JOIN orleans_membership AS m
       ON m.deploymentid = v.deploymentid
      AND m.address = @Address AND m.port = @Port AND m.generation = @Generation
WHERE v.deploymentid = @DeploymentId
$q$),
-- Every member with the table version; one row with NULL member columns when there are none.
('MembershipReadAllKey', $q$
SELECT v.version, v.deploymentid,
       m.address, m.port, m.generation, m.siloname, m.hostname, m.status, m.proxyport,
       m.suspecttimes, m.starttime, m.iamalivetime
FROM orleans_membership_version AS v
LEFT JOIN orleans_membership AS m
       ON m.deploymentid = v.deploymentid
WHERE v.deploymentid = @DeploymentId
ORDER BY m.address, m.port, m.generation
$q$),
('InsertMembershipKey', $q$
SELECT orleans_membership_insert(@DeploymentId, @Address, @Port, @Generation, @SiloName, @HostName,
                                 @Status, @ProxyPort, @StartTime, @IAmAliveTime, @Version) AS succeeded
$q$),
('UpdateMembershipKey', $q$
SELECT orleans_membership_update(@DeploymentId, @Address, @Port, @Generation,
                                 @Status, @SuspectTimes, @IAmAliveTime, @Version) AS succeeded
$q$),
-- Heartbeat: never moves backwards and leaves the version alone.
('UpdateIAmAlivetimeKey', $q$
UPDATE orleans_membership
SET iamalivetime = @IAmAliveTime
WHERE deploymentid = @DeploymentId AND address = @Address AND port = @Port AND generation = @Generation
  AND iamalivetime < @IAmAliveTime
$q$),
-- Gateways for clients: members with the given status (Active) that listen for clients (ProxyPort > 0).
('GatewaysQueryKey', $q$
SELECT address, proxyport, generation
FROM orleans_membership
WHERE deploymentid = @DeploymentId AND status = @Status AND proxyport > 0
$q$),
-- Removes the cluster's version row; its member rows go with it (ON DELETE CASCADE), in the same statement.
('DeleteMembershipTableEntriesKey', $q$
DELETE FROM orleans_membership_version
WHERE deploymentid = @DeploymentId
$q$),
-- Bulk cleanup: Dead (6) members started and last alive before the cutoff, with no suspicion at or after it.
('CleanupDefunctSiloEntriesKey', $q$
DELETE FROM orleans_membership
WHERE deploymentid = @DeploymentId
  AND status = 6
  AND iamalivetime < @IAmAliveTime
  AND starttime < @IAmAliveTime
  AND NOT orleans_membership_suspected_since(suspecttimes, @IAmAliveTime)
$q$),
-- Per-row cleanup (10.4.2): delete that member only if it is still Dead and unchanged since it was read.
('CleanupDefunctSiloEntryKey', $q$
DELETE FROM orleans_membership
WHERE deploymentid = @DeploymentId AND address = @Address AND port = @Port AND generation = @Generation
  AND status = 6
  AND suspecttimes IS NOT DISTINCT FROM @SuspectTimes
  AND starttime IS NOT DISTINCT FROM @StartTime
  AND iamalivetime IS NOT DISTINCT FROM @IAmAliveTime
$q$)
ON CONFLICT (querykey) DO UPDATE SET querytext = EXCLUDED.querytext;
