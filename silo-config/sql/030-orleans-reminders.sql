-- 030: reminders for Orleans' ADO.NET reminder table, keyed by ServiceId.
-- grainhash is stored as the signed integer the provider sends and range queries compare it as signed.
-- version is the reminder's ETag: 0 on first insert, +1 on every overwrite (upserts do not check it);
-- deleting one reminder requires the current version.
-- Idempotent: tables IF NOT EXISTS, query rows upserted by key.

CREATE TABLE IF NOT EXISTS orleans_reminders
(
    serviceid    text        NOT NULL,
    grainid      text        NOT NULL,  -- GrainId.ToString(): "type/key"
    remindername text        NOT NULL,
    starttime    timestamptz NOT NULL,
    period       bigint      NOT NULL,  -- milliseconds
    grainhash    integer     NOT NULL,
    version      integer     NOT NULL,
    CONSTRAINT orleans_reminders_pkey PRIMARY KEY (serviceid, grainid, remindername)
);

CREATE INDEX IF NOT EXISTS orleans_reminders_service_hash ON orleans_reminders (serviceid, grainhash);

INSERT INTO orleansquery (querykey, querytext) VALUES
('ReadReminderRowsKey', $q$
SELECT grainid, remindername, starttime, period, version
FROM orleans_reminders
WHERE serviceid = @ServiceId AND grainid = @GrainId
$q$),
('ReadReminderRowKey', $q$
SELECT grainid, remindername, starttime, period, version
FROM orleans_reminders
WHERE serviceid = @ServiceId AND grainid = @GrainId AND remindername = @ReminderName
$q$),
-- Non-wrapping range (BeginHash < EndHash, signed): BeginHash < grainhash <= EndHash.
('ReadRangeRows1Key', $q$
SELECT grainid, remindername, starttime, period, version
FROM orleans_reminders
WHERE serviceid = @ServiceId AND grainhash > @BeginHash AND grainhash <= @EndHash
$q$),
-- Wrapping range, or the whole ring when BeginHash = EndHash: grainhash > BeginHash OR grainhash <= EndHash.
('ReadRangeRows2Key', $q$
SELECT grainid, remindername, starttime, period, version
FROM orleans_reminders
WHERE serviceid = @ServiceId AND (grainhash > @BeginHash OR grainhash <= @EndHash)
$q$),
-- Insert or overwrite without an ETag check; always returns the new version.
('UpsertReminderRowKey', $q$
INSERT INTO orleans_reminders AS r (serviceid, grainid, remindername, starttime, period, grainhash, version)
VALUES (@ServiceId, @GrainId, @ReminderName, @StartTime, @Period, @GrainHash, 0)
ON CONFLICT (serviceid, grainid, remindername) DO UPDATE
SET starttime = EXCLUDED.starttime,
    period = EXCLUDED.period,
    grainhash = EXCLUDED.grainhash,
    version = CASE WHEN r.version >= 2147483647 THEN 0 ELSE r.version + 1 END
RETURNING r.version
$q$),
-- One row, one column: 1 if the reminder existed with that version and was deleted, else 0.
('DeleteReminderRowKey', $q$
WITH deleted AS (
    DELETE FROM orleans_reminders
    WHERE serviceid = @ServiceId AND grainid = @GrainId AND remindername = @ReminderName
      AND version = @Version
    RETURNING 1
)
SELECT CAST(count(*) AS integer) AS deleted FROM deleted
$q$),
('DeleteReminderRowsKey', $q$
DELETE FROM orleans_reminders
WHERE serviceid = @ServiceId
$q$)
ON CONFLICT (querykey) DO UPDATE SET querytext = EXCLUDED.querytext;
